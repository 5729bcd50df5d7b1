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
#include <mmgen/core/grad_target.hpp>
#include <mmgen/core/ops.hpp>
#include <mmgen/core/parallel.hpp>

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace mmgen {

namespace {

// Σ a[k]·(b[k] − shift) over one contiguous row, in eight float lanes the compiler vectorises
// (a row is at most an image plane, so float lanes lose nothing that matters), returned in double.
// With a = nullptr it is Σ (b[k] − shift)·(b[k] − shift); with shift = 0 and a = ones, Σ b.
double row_sum(const real* a, const real* b, real shift, std::size_t n) {
    real lanes[8] = {};
    std::size_t k = 0;
    if (a)  // two loops rather than a test inside one: a branch in the loop stops it vectorising
        for (; k + 8 <= n; k += 8)
            for (std::size_t j = 0; j < 8; ++j) lanes[j] += a[k + j] * (b[k + j] - shift);
    else
        for (; k + 8 <= n; k += 8)
            for (std::size_t j = 0; j < 8; ++j) lanes[j] += (b[k + j] - shift) * (b[k + j] - shift);
    double total = 0;
    for (; k < n; ++k) total += double((a ? a[k] : b[k] - shift) * (b[k] - shift));
    for (real lane : lanes) total += double(lane);
    return total;
}

double row_total(const real* b, std::size_t n) {
    real lanes[8] = {};
    std::size_t k = 0;
    for (; k + 8 <= n; k += 8)
        for (std::size_t j = 0; j < 8; ++j) lanes[j] += b[k + j];
    double total = 0;
    for (; k < n; ++k) total += double(b[k]);
    for (real lane : lanes) total += double(lane);
    return total;
}

}  // namespace

Tensor batch_norm(const Tensor& x, const Tensor& gamma, const Tensor& beta, const Tensor& running_mean,
                  const Tensor& running_var, bool training, real momentum, real eps) {
    if (x.rank() != 2 && x.rank() != 4)
        throw std::invalid_argument("batch_norm: input must be (N, C) or (N, C, H, W), got shape " + x.shape_str());
    const std::size_t batch = x.dim(0), channels = x.dim(1);
    const std::size_t spatial = x.numel() / std::max<std::size_t>(batch * channels, 1);  // H·W, or 1
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

    // x seen as (N, C, S): row (n, c) is the S contiguous values of channel c in example n
    const real* xs = x.data().data();
    auto row = [channels, spatial](auto* base, std::size_t n, std::size_t c) {
        return base + (n * channels + c) * spatial;
    };
    Tensor mean_used = Tensor::empty({channels}), inv_std = Tensor::empty({channels});  // (C): μ, 1/√(σ² + ε)
    // the passes split over channels (statistics, backward) or examples (y): each value is
    // computed in the same order on any number of threads
    const std::size_t channel_grain = std::max<std::size_t>(1, (std::size_t{1} << 14) / std::max<std::size_t>(m, 1));
    const std::size_t example_grain =
        std::max<std::size_t>(1, (std::size_t{1} << 14) / std::max<std::size_t>(channels * spatial, 1));
    real* mean_out = mean_used.data().data();
    real* inv_std_out = inv_std.data().data();
    parallel::for_range(channels, channel_grain, [&](std::size_t first_channel, std::size_t end_channel) {
        for (std::size_t c = first_channel; c < end_channel; ++c) {
            double mu, var;
            if (training) {
                double total = 0;
                for (std::size_t n = 0; n < batch; ++n) total += row_total(row(xs, n, c), spatial);
                mu = total / double(m);
                double squares = 0;  // Σ (x − μ)², a second pass: no cancellation
                for (std::size_t n = 0; n < batch; ++n) squares += row_sum(nullptr, row(xs, n, c), real(mu), spatial);
                var = squares / double(m);
                auto& rm = running_mean.node().data[c];
                auto& rv = running_var.node().data[c];
                rm = static_cast<real>((1 - momentum) * rm + momentum * mu);
                rv = static_cast<real>((1 - momentum) * rv + momentum * var * double(m) / double(m - 1));
            } else {
                mu = running_mean.data()[c];
                var = running_var.data()[c];
            }
            mean_out[c] = static_cast<real>(mu);
            inv_std_out[c] = static_cast<real>(1 / std::sqrt(var + eps));
        }
    });
    Tensor y = Tensor::empty(x.shape());  // y = x·(γ/σ) + (β − μ·γ/σ)
    const real* gammas = gamma.data().data();
    const real* betas = beta.data().data();
    real* ys = y.data().data();
    parallel::for_range(batch, example_grain, [&](std::size_t first, std::size_t end) {
        for (std::size_t n = first; n < end; ++n)
            for (std::size_t c = 0; c < channels; ++c) {
                const real scale = gammas[c] * inv_std_out[c];
                const real shift = betas[c] - mean_out[c] * scale;
                const real* in = row(xs, n, c);
                real* out = row(ys, n, c);
                for (std::size_t k = 0; k < spatial; ++k) out[k] = in[k] * scale + shift;
            }
    });

    return record(y, "batch_norm", {x, gamma, beta},
                  [x, gamma, beta, mean_used, inv_std, training, batch, channels, spatial, m, row, channel_grain](Node& out) mutable {
        const real* xs = x.data().data();
        const real* dy = out.grad.data();
        // the gradient buffers, created here on the calling thread (dx not zero-filled when new)
        real* dbeta = beta.requires_grad() ? beta.grad_buffer().data() : nullptr;
        real* dgamma = gamma.requires_grad() ? gamma.grad_buffer().data() : nullptr;
        const auto [dx_span, dx_fresh] = x.requires_grad() ? grad_target(x) : GradTarget{{}, false};
        real* dx_all = x.requires_grad() ? dx_span.data() : nullptr;
        parallel::for_range(channels, channel_grain, [&](std::size_t first_channel, std::size_t end_channel) {
            for (std::size_t c = first_channel; c < end_channel; ++c) {
                const real mu = mean_used.data()[c], r = inv_std.data()[c];
                double sum_g = 0, sum_g_centred = 0;  // Σ g and Σ g·(x − μ) over the channel
                for (std::size_t n = 0; n < batch; ++n) {
                    sum_g += row_total(row(dy, n, c), spatial);
                    sum_g_centred += row_sum(row(dy, n, c), row(xs, n, c), mu, spatial);
                }
                const double sum_g_xhat = sum_g_centred * r;
                if (dbeta) dbeta[c] += static_cast<real>(sum_g);         // dβ = Σ g
                if (dgamma) dgamma[c] += static_cast<real>(sum_g_xhat);  // dγ = Σ g·x̂
                if (!dx_all) continue;
                // dx = γ/σ · (g − mean g − x̂ · mean(g·x̂))  =  a·g + b·x + d, per channel
                const real scale = gamma.data()[c] * r;
                const real mean_g = training ? static_cast<real>(sum_g / double(m)) : real(0);
                const real mean_g_xhat = training ? static_cast<real>(sum_g_xhat / double(m)) : real(0);
                const real b = -scale * r * mean_g_xhat, d = -scale * mean_g - b * mu;
                for (std::size_t n = 0; n < batch; ++n) {
                    const real* g = row(dy, n, c);
                    const real* in = row(xs, n, c);
                    real* dx = row(dx_all, n, c);
                    if (dx_fresh)
                        for (std::size_t k = 0; k < spatial; ++k) dx[k] = scale * g[k] + b * in[k] + d;
                    else
                        for (std::size_t k = 0; k < spatial; ++k) dx[k] += scale * g[k] + b * in[k] + d;
                }
            }
        });
    });
}

}  // namespace mmgen
