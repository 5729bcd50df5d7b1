// Batch normalisation over every axis but the channel axis: (N, C) or (N, C, H, W).
//
// Per channel c, over its M = N·H·W values (M = N for (N, C)):
//
//   training  μ = mean x,  σ² = mean (x − μ)²  (the batch's own statistics)
//             running_mean ← (1 − m)·running_mean + m·μ,
//             running_var  ← (1 − m)·running_var  + m·σ²·M/(M − 1)   (unbiased, as PyTorch)
//   eval      μ, σ² = running_mean, running_var
//
//   x̂ = (x − μ) / √(σ² + ε),   y = γ·x̂ + β
//
// Backward, with g = dy:  dβ = Σ g,  dγ = Σ g·x̂, and
//   eval      dx = γ/√(σ² + ε) · g                       (μ, σ fixed numbers)
//   training  dx = γ/√(σ² + ε) · (g − mean g − x̂ · mean(g·x̂))
// — in training μ and σ are functions of x too; the two subtracted means are their gradients.
#include <mmgen/core/autograd.hpp>
#include <mmgen/core/ops.hpp>

#include <cmath>
#include <stdexcept>
#include <string>

namespace mmgen {

Tensor batch_norm(const Tensor& x, const Tensor& gamma, const Tensor& beta, const Tensor& running_mean,
                  const Tensor& running_var, bool training, real momentum, real eps) {
    if (x.rank() != 2 && x.rank() != 4)
        throw std::invalid_argument("batch_norm: input must be (N, C) or (N, C, H, W), got shape " + x.shape_str());
    const std::size_t batch = x.dim(0), channels = x.dim(1), spatial = x.numel() / std::max<std::size_t>(batch * channels, 1);
    for (const auto& [name, t] : {std::pair<const char*, const Tensor&>{"gamma", gamma}, {"beta", beta},
                                  {"running_mean", running_mean}, {"running_var", running_var}})
        if (!t.defined() || t.numel() != channels)
            throw std::invalid_argument(std::string("batch_norm: input ") + x.shape_str() + ": " + name + " " +
                                        (t.defined() ? t.shape_str() : std::string("(undefined)")) +
                                        " must hold one value per channel (" + std::to_string(channels) + ")");
    const std::size_t m = batch * spatial;  // values per channel
    if (training && m < 2)
        throw std::invalid_argument("batch_norm: input " + x.shape_str() +
                                    ": training needs more than one value per channel to estimate a variance");

    Tensor mean_used = Tensor::empty({channels}), inv_std = Tensor::empty({channels});  // μ, 1/√(σ² + ε)
    const auto xs = x.data();
    auto at = [&](std::size_t n, std::size_t c, std::size_t s) { return (n * channels + c) * spatial + s; };
    for (std::size_t c = 0; c < channels; ++c) {
        double mu, var;
        if (training) {
            double total = 0;
            for (std::size_t n = 0; n < batch; ++n)
                for (std::size_t s = 0; s < spatial; ++s) total += xs[at(n, c, s)];
            mu = total / double(m);
            double squares = 0;
            for (std::size_t n = 0; n < batch; ++n)
                for (std::size_t s = 0; s < spatial; ++s) squares += (xs[at(n, c, s)] - mu) * (xs[at(n, c, s)] - mu);
            var = squares / double(m);
            auto& rm = running_mean.node().data[c];
            auto& rv = running_var.node().data[c];
            rm = static_cast<real>((1 - momentum) * rm + momentum * mu);
            rv = static_cast<real>((1 - momentum) * rv + momentum * var * double(m) / double(m - 1));
        } else {
            mu = running_mean.data()[c];
            var = running_var.data()[c];
        }
        mean_used.data()[c] = static_cast<real>(mu);
        inv_std.data()[c] = static_cast<real>(1 / std::sqrt(var + eps));
    }
    Tensor y = Tensor::empty(x.shape());
    auto ys = y.data();
    for (std::size_t n = 0; n < batch; ++n)
        for (std::size_t c = 0; c < channels; ++c) {
            const real mu = mean_used.data()[c], r = inv_std.data()[c], g = gamma.data()[c], b = beta.data()[c];
            for (std::size_t s = 0; s < spatial; ++s) ys[at(n, c, s)] = g * (xs[at(n, c, s)] - mu) * r + b;
        }

    return record(y, "batch_norm", {x, gamma, beta},
                  [x, gamma, beta, mean_used, inv_std, training, batch, channels, spatial, m](Node& out) mutable {
        const auto xs = x.data();
        const real* dy = out.grad.data();
        auto at = [&](std::size_t n, std::size_t c, std::size_t s) { return (n * channels + c) * spatial + s; };
        for (std::size_t c = 0; c < channels; ++c) {
            const real mu = mean_used.data()[c], r = inv_std.data()[c];
            double sum_g = 0, sum_g_xhat = 0;  // Σ g, Σ g·x̂ over the channel
            for (std::size_t n = 0; n < batch; ++n)
                for (std::size_t s = 0; s < spatial; ++s) {
                    const std::size_t i = at(n, c, s);
                    sum_g += dy[i];
                    sum_g_xhat += dy[i] * (xs[i] - mu) * r;
                }
            if (beta.requires_grad()) beta.grad_buffer()[c] += static_cast<real>(sum_g);        // dβ = Σ g
            if (gamma.requires_grad()) gamma.grad_buffer()[c] += static_cast<real>(sum_g_xhat);  // dγ = Σ g·x̂
            if (!x.requires_grad()) continue;
            auto dx = x.grad_buffer();
            const real scale = gamma.data()[c] * r;  // γ/√(σ² + ε)
            const real mean_g = training ? static_cast<real>(sum_g / double(m)) : real(0);
            const real mean_g_xhat = training ? static_cast<real>(sum_g_xhat / double(m)) : real(0);
            for (std::size_t n = 0; n < batch; ++n)
                for (std::size_t s = 0; s < spatial; ++s) {
                    const std::size_t i = at(n, c, s);
                    dx[i] += scale * (dy[i] - mean_g - (xs[i] - mu) * r * mean_g_xhat);
                }
        }
    });
}

}  // namespace mmgen
