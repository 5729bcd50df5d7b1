#pragma once
// Convolutional modules: Conv2d, ConvTranspose2d, MaxPool2d, BatchNorm, and the two reshapes
// that join a convolutional stack to a Linear one (Flatten, Unflatten). Parameter and buffer
// names follow PyTorch's ("weight", "bias", "running_mean", "running_var"), so checkpoints
// line up.
#include <cstddef>

#include <mmgen/core/random.hpp>
#include <mmgen/nn/modules.hpp>

namespace mmgen::nn {

// y = conv2d(x, W, b): (N, C_in, H, W) → (N, C_out, Ho, Wo), W (C_out, C_in, k, k), b (C_out).
// Init::he (the default): W ~ N(0, 2 / (C_in·k²)) — each output sums C_in·k² inputs — and b = 0.
// Init::fan_in: PyTorch's default, W and b ~ U(±1/√(C_in·k²)) — a spread √6 ≈ 2.4 times smaller.
class Conv2d : public Module {
public:
    Conv2d(std::size_t in_channels, std::size_t out_channels, std::size_t kernel, Rng& rng, std::size_t stride = 1,
           std::size_t padding = 0, bool bias = true, Init init = Init::he);
    Tensor forward(const Tensor& x) override;
    Tensor weight, bias;
    std::size_t stride, padding;
};

// y = conv_transpose2d(x, W, b): (N, C_in, H, W) → (N, C_out, (H − 1)·stride − 2·padding + k, …),
// W (C_in, C_out, k, k). Init::he: with the fan-in of one output value, C_in·k²/stride² (each
// output pixel is reached by about k/stride taps per axis). Init::fan_in: PyTorch's default,
// U(±1/√(C_out·k²)) — PyTorch takes the fan-in from the weight's second axis, C_out.
class ConvTranspose2d : public Module {
public:
    ConvTranspose2d(std::size_t in_channels, std::size_t out_channels, std::size_t kernel, Rng& rng,
                    std::size_t stride = 1, std::size_t padding = 0, bool bias = true, Init init = Init::he);
    Tensor forward(const Tensor& x) override;
    Tensor weight, bias;
    std::size_t stride, padding;
};

// The maximum of each kernel × kernel window, `stride` apart (default: the kernel, non-overlapping).
class MaxPool2d : public Module {
public:
    explicit MaxPool2d(std::size_t kernel, std::size_t stride = 0) : kernel(kernel), stride(stride ? stride : kernel) {}
    Tensor forward(const Tensor& x) override;
    std::size_t kernel, stride;
};

// Batch normalisation per channel of (N, C) or (N, C, H, W): batch statistics in training (and
// the running averages updated), the running ones in eval mode. Learned scale "weight" (γ = 1)
// and shift "bias" (β = 0); buffers "running_mean" (0) and "running_var" (1).
class BatchNorm : public Module {
public:
    explicit BatchNorm(std::size_t channels, real momentum = real(0.1), real eps = real(1e-5));
    Tensor forward(const Tensor& x) override;
    Tensor weight, bias, running_mean, running_var;
    real momentum, eps;
};

// (N, d₁, d₂, …) → (N, d₁·d₂·…)
class Flatten : public Module {
public:
    Tensor forward(const Tensor& x) override;
};

// (N, d) → (N, shape…) with d = the product of shape, e.g. Unflatten({1, 28, 28}) for images.
class Unflatten : public Module {
public:
    explicit Unflatten(Shape shape) : shape(std::move(shape)) {}
    Tensor forward(const Tensor& x) override;
    Shape shape;
};

}  // namespace mmgen::nn
