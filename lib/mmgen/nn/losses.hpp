#pragma once
// Losses, each numerically stable for any finite input.
//
// Reductions: `sum` adds every term; `mean` averages them; `batch_mean` adds every term and
// divides by the number of rows — the per-example sum averaged over the batch, which is what
// an ELBO in nats per image needs; `none` returns the terms unreduced.
#include <cstddef>
#include <vector>

#include <mmgen/core/tensor.hpp>

namespace mmgen {

enum class Reduction { sum, mean, batch_mean, none };

// Binary cross-entropy between Bernoulli(σ(logits)) and targets t ∈ [0, 1], elementwise:
//   ℓ(x, t) = −[t log σ(x) + (1 − t) log(1 − σ(x))] = max(x, 0) − x t + log(1 + e^−|x|)
Tensor bce_with_logits(const Tensor& logits, const Tensor& targets, Reduction reduction = Reduction::mean);

// Cross-entropy of class labels under softmax(logits), logits (B, C), one label per row:
//   ℓ = −log softmax(x)_label = lse(x) − x_label.   `mean` and `batch_mean` both divide by B.
Tensor cross_entropy(const Tensor& logits, const std::vector<std::size_t>& labels,
                     Reduction reduction = Reduction::mean);

// Squared error (x − t)², elementwise.
Tensor mse(const Tensor& prediction, const Tensor& target, Reduction reduction = Reduction::mean);

// KL( N(μ, diag σ²) ‖ N(0, I) ) per row, with log σ² = logvar, both (B, d):
//   KL = ½ Σⱼ (μⱼ² + σⱼ² − 1 − log σⱼ²).  Terms are rows: `mean` and `batch_mean` divide by B.
Tensor gaussian_kl(const Tensor& mu, const Tensor& logvar, Reduction reduction = Reduction::batch_mean);

// log (1/n) Σⱼ exp xⱼ along the last axis (removed), computed stably.
Tensor log_mean_exp(const Tensor& x);

}  // namespace mmgen
