#include <mmgen/models/conv_vae.hpp>

#include <mmgen/models/conv_nets.hpp>

namespace mmgen::models {

ConvVae::ConvVae(std::size_t latent, Rng& rng, ConvWidths w)
    : Vae({kConvSide * kConvSide, w.code(), latent}, conv_encoder(2 * latent, rng, w), conv_decoder(latent, rng, w)) {}

}  // namespace mmgen::models
