#pragma once
// Chapter 05's convolutional VAE: chapter 03's Vae (the −ELBO, the importance-weighted bound,
// decode_images) with the convolutional encoder and decoder of conv_nets.hpp:
//
//   q(z|x) = N(μ, diag σ²),  (μ, log σ²) = split(conv_encoder(x))    each (B, latent)
//   p(x|z) = Bernoulli(σ(conv_decoder(z)))                           (B, 784)
#include <mmgen/models/conv_nets.hpp>
#include <mmgen/models/vae.hpp>

namespace mmgen::models {

class ConvVae : public Vae {
public:
    ConvVae(std::size_t latent, Rng& rng, ConvWidths widths = {});
};

}  // namespace mmgen::models
