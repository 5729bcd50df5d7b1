#pragma once
// The convolutional encoder and decoder of chapter 05 (issue 13), shared by its autoencoder
// and its VAE. Both take and give flat images (B, 784), so they drop into code written for
// chapter 03's MLPs:
//
//   encoder  x (B, 784) → (B, 1, 28, 28) → Conv(1→32, k4 s2 p1) → ReLU (B, 32, 14, 14)
//            → Conv(32→64, k4 s2 p1) → ReLU (B, 64, 7, 7) → flatten (B, 3136) → Linear → (B, outputs)
//   decoder  z (B, latent) → Linear → ReLU (B, 3136) → (B, 64, 7, 7) → ConvT(64→32, k4 s2 p1)
//            → ReLU (B, 32, 14, 14) → ConvT(32→1, k4 s2 p1) (B, 1, 28, 28) → flatten → logits (B, 784)
//
// A k4 s2 p1 convolution halves the side ((28 + 2 − 4)/2 + 1 = 14); the transposed one doubles
// it ((14 − 1)·2 − 2 + 4 = 28).
#include <cstddef>
#include <memory>

#include <mmgen/core/random.hpp>
#include <mmgen/nn/modules.hpp>

namespace mmgen::models {

constexpr std::size_t kConvSide = 28;  // image side

// The channels after the first and the second convolution (32 and 64 in the chapter; the
// gradient checks use a few). The Linear layers meet `second`·7·7 values (3,136).
// `init`: He's N(0, 2/fan-in) for the convolutions and the decoder's first Linear (the
// default), or PyTorch's U(±1/√fan-in) for every layer (nn::Init::fan_in).
struct ConvWidths {
    std::size_t first = 32, second = 64;
    nn::Init init = nn::Init::he;
    std::size_t code() const { return second * 7 * 7; }
};

// x (B, 784) → (B, outputs): outputs = latent for the autoencoder, 2·latent (μ, log σ²) for the VAE.
std::shared_ptr<nn::Sequential> conv_encoder(std::size_t outputs, Rng& rng, ConvWidths widths = {});
// z (B, latent) → logits (B, 784) of Bernoulli pixels.
std::shared_ptr<nn::Sequential> conv_decoder(std::size_t latent, Rng& rng, ConvWidths widths = {});

}  // namespace mmgen::models
