#include <mmgen/models/conv_vae.hpp>

#include <mmgen/models/conv_nets.hpp>

namespace mmgen::models {

ConvVae::ConvVae(std::size_t latent, Rng& rng)
    : Vae({kConvSide * kConvSide, kConvCode, latent}, conv_encoder(2 * latent, rng), conv_decoder(latent, rng)) {}

}  // namespace mmgen::models
