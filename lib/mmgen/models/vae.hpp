#pragma once
// The variational autoencoder of chapter 03 (Kingma & Welling 2014), in the configuration of
// the pytorch/examples VAE:
//
//   encoder  x (B, 784) → Linear → ReLU (B, 400) → Linear → (μ, log σ²), each (B, latent)
//   decoder  z (B, latent) → Linear → ReLU (B, 400) → Linear → logits (B, 784)
//
// with q(z|x) = N(μ, diag σ²), p(z) = N(0, I), p(x|z) = Bernoulli(σ(logits)).
#include <memory>

#include <mmgen/nn/distributions.hpp>
#include <mmgen/nn/modules.hpp>

namespace mmgen::models {

struct VaeConfig {
    std::size_t input = 784;   // pixels per image
    std::size_t hidden = 400;  // width of the hidden layer in encoder and decoder
    std::size_t latent = 20;   // dimension of z
};

// q(z|x) = N(μ, diag σ²): a diagonal Gaussian (nn/distributions.hpp), μ and log σ² each (B, latent).
using Posterior = DiagonalGaussian;

// The terms of the negative ELBO, each in nats per image (averaged over the batch).
struct ElboTerms {
    Tensor loss;            // reconstruction + β · kl, what training minimises
    Tensor reconstruction;  // −E_q[log p(x|z)], one sample of z
    Tensor kl;              // KL(q(z|x) ‖ p(z)), closed form
};

class Vae : public nn::Module {
public:
    Vae(const VaeConfig& config, Rng& rng);
    // The same model with other networks (chapter 05's convolutional ones): encoder
    // x (B, input) → (μ, log σ²) side by side (B, 2·latent), decoder z (B, latent) → logits (B, input).
    Vae(const VaeConfig& config, std::shared_ptr<nn::Sequential> encoder, std::shared_ptr<nn::Sequential> decoder);

    Posterior encode(const Tensor& x);  // x (B, input) in [0, 1]
    Tensor decode(const Tensor& z);     // → logits (B, input)
    // The images the model shows for codes z (N, latent): the Bernoulli means σ(decode(z)),
    // 1000 codes at a time, without a graph.   → (N, input)
    Tensor decode_images(const Tensor& z);

    // −ELBO(x) = −E_q[log p(x|z)] + β KL(q(z|x) ‖ p(z)), estimated with the given noise ε.
    ElboTerms negative_elbo(const Tensor& x, const Tensor& eps, real beta = 1);

    // log p(x|z) per row for Bernoulli pixels: −Σ_pixels bce_with_logits(decode(z), x)  (B)
    Tensor log_likelihood(const Tensor& x, const Tensor& z);

    // The importance-weighted bound (Burda et al. 2016) for each image, with q as proposal:
    //   log p(x) ≥ L_K = E[ log (1/K) Σₖ p(x|zₖ) p(zₖ) / q(zₖ|x) ],  zₖ ~ q(z|x)
    // L_1 is the ELBO; L_K grows with K towards log p(x). One draw of the K samples per image,
    // decoded `chunk` samples at a time. Returns (B) in nats; no graph is recorded.
    Tensor importance_weighted_bound(const Tensor& x, std::size_t k, Rng& rng, std::size_t chunk = 1000);

    const VaeConfig& config() const { return config_; }

    std::shared_ptr<nn::Sequential> encoder, decoder;

private:
    VaeConfig config_;
};

}  // namespace mmgen::models
