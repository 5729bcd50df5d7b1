#include <mmgen/models/conv_autoencoder.hpp>

#include <mmgen/core/autograd.hpp>
#include <mmgen/core/ops.hpp>
#include <mmgen/models/conv_nets.hpp>
#include <mmgen/nn/batched.hpp>
#include <mmgen/nn/losses.hpp>

namespace mmgen::models {

ConvAutoencoder::ConvAutoencoder(std::size_t latent, Rng& rng, ConvWidths widths) : latent_(latent) {
    encoder = register_module("encoder", conv_encoder(latent, rng, widths));
    decoder = register_module("decoder", conv_decoder(latent, rng, widths));
}

Tensor ConvAutoencoder::encode(const Tensor& x) { return encoder->forward(x); }
Tensor ConvAutoencoder::decode(const Tensor& z) { return decoder->forward(z); }

Tensor ConvAutoencoder::decode_images(const Tensor& z) {
    return nn::map_batches(z, 1000, [&](const Tensor& part) { return sigmoid(decode(part)); });  // (N, 784)
}

Tensor ConvAutoencoder::encode_all(const Tensor& x) {
    return nn::map_batches(x, 1000, [&](const Tensor& part) { return encode(part); });  // (N, latent)
}

Tensor ConvAutoencoder::reconstruction_loss(const Tensor& x) {
    return bce_with_logits(decode(encode(x)), x, Reduction::batch_mean);  // nats per image
}

}  // namespace mmgen::models
