#pragma once
// Chapter 05's convolutional autoencoder (003 §1.5.2, made to work): one code per image,
//
//   z = conv_encoder(x)    (B, latent),     x̂ = σ(conv_decoder(z))    (B, 784)
//
// trained on the Bernoulli likelihood of the pixels — the cross-entropy −Σ log p(x|x̂), in nats
// per image, the same number as a VAE's reconstruction term — rather than the document's MSE.
// Nothing asks the codes to fill any particular region, which is why decoding z ~ N(0, I)
// (or z from a Gaussian fitted to the codes) gives poor images: chapter 05 §1 measures it.
#include <memory>

#include <mmgen/core/random.hpp>
#include <mmgen/models/conv_nets.hpp>
#include <mmgen/nn/modules.hpp>

namespace mmgen::models {

class ConvAutoencoder : public nn::Module {
public:
    ConvAutoencoder(std::size_t latent, Rng& rng, ConvWidths widths = {});

    Tensor encode(const Tensor& x);  // x (B, 784) in [0, 1] → z (B, latent)
    Tensor decode(const Tensor& z);  // z (B, latent) → logits (B, 784)
    // σ(decode(z)), 1000 codes at a time, without a graph   → (N, 784)
    Tensor decode_images(const Tensor& z);
    // The codes of many images, 1000 at a time, without a graph   (N, 784) → (N, latent)
    Tensor encode_all(const Tensor& x);

    // −log p(x | x̂) = Σ_pixels bce_with_logits(decode(encode(x)), x), averaged over the batch (nats)
    Tensor reconstruction_loss(const Tensor& x);

    std::size_t latent() const { return latent_; }
    std::shared_ptr<nn::Sequential> encoder, decoder;

private:
    std::size_t latent_;
};

}  // namespace mmgen::models
