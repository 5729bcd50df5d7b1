#pragma once
// Losses, each numerically stable for any finite input. Reductions: nn/reduction.hpp. The KL
// terms of an ELBO (gaussian_kl, gaussian_kl_between) are in nn/distributions.hpp, included here.
#include <cstddef>
#include <vector>

#include <mmgen/core/tensor.hpp>
#include <mmgen/nn/distributions.hpp>
#include <mmgen/nn/reduction.hpp>

namespace mmgen {

// Binary cross-entropy between Bernoulli(σ(logits)) and targets t ∈ [0, 1], elementwise:
//   ℓ(x, t) = −[t log σ(x) + (1 − t) log(1 − σ(x))] = max(x, 0) − x t + log(1 + e^−|x|)
Tensor bce_with_logits(const Tensor& logits, const Tensor& targets, Reduction reduction = Reduction::mean);

// Cross-entropy of class labels under softmax(logits), logits (B, C), one label per row:
//   ℓ = −log softmax(x)_label = lse(x) − x_label.   `mean` and `batch_mean` both divide by B.
Tensor cross_entropy(const Tensor& logits, const std::vector<std::size_t>& labels,
                     Reduction reduction = Reduction::mean);

// Squared error (x − t)², elementwise.
Tensor mse(const Tensor& prediction, const Tensor& target, Reduction reduction = Reduction::mean);

// log (1/n) Σⱼ exp xⱼ along the last axis (removed), computed stably.
Tensor log_mean_exp(const Tensor& x);

}  // namespace mmgen
