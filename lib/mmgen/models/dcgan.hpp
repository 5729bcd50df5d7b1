#pragma once
// The DCGAN of chapter 05 (Radford, Metz & Chintala 2016), sized for 28 × 28 Fashion-MNIST. The
// same game as chapter 02's GAN — models/gan.hpp's losses, discriminator_step, generator_step
// and sampling take these networks unchanged — with convolutional players:
//
//   generator      z (B, latent) → Linear → (B, 2c, 7, 7) → BatchNorm → ReLU
//                  → ConvT(2c → c, k4 s2 p1) → BatchNorm → ReLU        (B, c, 14, 14)
//                  → ConvT(c → 1, k4 s2 p1) → tanh                      (B, 1, 28, 28) → (B, 784)
//   discriminator  x (B, 784) → (B, 1, 28, 28)
//                  → Conv(1 → d, k4 s2 p1) → LeakyReLU(0.2)             (B, d, 14, 14)
//                  → Conv(d → 2d, k4 s2 p1) → BatchNorm → LeakyReLU(0.2) (B, 2d, 7, 7)
//                  → Flatten → Linear → logit                           (B, 1)
//
// with c = 32 and d = 32 by default (the 64 → 32 and 32 → 64). The DCGAN guidelines the
// chapter's ablations take away one at a time:
//   - strided convolutions, not pooling, change the resolution (Downsampling::pooling puts
//     D's stride-1 convolutions and 2 × 2 max pooling back);
//   - batch norm in both players, but not on G's output nor on D's input (batch_norm = false
//     removes it, and the convolutions and the Linear get their biases back);
//   - ReLU in G, LeakyReLU in D, tanh on the output: images live in [−1, 1].
#include <cstddef>
#include <memory>

#include <mmgen/nn/conv.hpp>
#include <mmgen/nn/modules.hpp>

namespace mmgen::models {

enum class Downsampling {
    strided_conv,  // Conv k4 s2 p1: the network learns its own downsampling
    pooling,       // Conv k3 s1 p1, then MaxPool 2 × 2: a fixed rule does it
};

struct DcganConfig {
    std::size_t latent = 64;              // size of the noise z
    std::size_t generator_channels = 32;  // c: channels of G at 14 × 14 (2c at 7 × 7)
    std::size_t discriminator_channels = 32;  // d: channels of D at 14 × 14 (2d at 7 × 7)
    bool batch_norm = true;               // BatchNorm in G (twice) and in D (once)
    Downsampling downsampling = Downsampling::strided_conv;  // D's way from 28 to 7
    real leaky_slope = real(0.2);         // D's LeakyReLU
    // Every Linear and convolution: he (N(0, 2/fan-in)) or fan_in (PyTorch's U(±1/√fan-in)).
    nn::Init init = nn::Init::he;
};

// G: z (B, latent) → x̃ (B, 784) in [−1, 1]. In eval mode its batch norms use their running
// statistics, so a sample does not depend on the other codes of its batch.
class DcganGenerator : public nn::Module {
public:
    DcganGenerator(const DcganConfig& config, Rng& rng);
    Tensor forward(const Tensor& z) override;
    std::shared_ptr<nn::Sequential> net;
};

// D: x (B, 784) or (B, 1, 28, 28) → logits (B, 1); D(x) = σ(logit).
class DcganDiscriminator : public nn::Module {
public:
    DcganDiscriminator(const DcganConfig& config, Rng& rng);
    Tensor forward(const Tensor& x) override;
    // φ(x): what the final Linear sees, (B, 2d · 7 · 7) — every layer but the last. Chapter 06's
    // VAE-GAN compares images in this space (Larsen et al.'s feature-wise reconstruction error).
    Tensor features(const Tensor& x);
    std::shared_ptr<nn::Sequential> net;

private:
    Tensor as_image(const Tensor& x) const;  // (B, 784) or (B, 1, 28, 28) → (B, 1, 28, 28), else throws
};

}  // namespace mmgen::models
