#pragma once
// Chapter 03's exercises: write these functions in exercises.cpp (beside this file), then
//
//     cmake --build build --target exercise_ch03 && build/bin/exercise_ch03
//
// runs tests/exercises/exercise_ch03.cpp against your code. The solutions are the library's
// `gaussian_kl` and `reparameterize` (lib/mmgen/nn/distributions.{hpp,cpp}) and `log_mean_exp`
// (lib/mmgen/nn/losses.{hpp,cpp}); build/bin/exercise_ch03_solution runs the same checks on them
// (tests/exercises/solution_ch03.cpp).
#include <mmgen/core/tensor.hpp>

namespace mmgen::exercises {

// Exercise 3.1 — the KL term as one op, per row:
//   forward   KL(N(μ, diag e^logvar) ‖ N(0, I)) = ½ Σⱼ (μⱼ² + e^logvarⱼ − 1 − logvarⱼ)     (B, d) → (B)
//   backward  ∂KL/∂μⱼ = μⱼ,   ∂KL/∂logvarⱼ = ½ (e^logvarⱼ − 1),   times the row's upstream gradient
Tensor gaussian_kl(const Tensor& mu, const Tensor& logvar);

// Exercise 3.2 — the reparameterisation trick as one op:
//   forward   z = μ + σ ⊙ ε,  σ = e^(½ logvar)             all (B, d); ε is data (no gradient)
//   backward  ∂z/∂μ = 1,   ∂z/∂logvar = ½ σ ε
// The forward is written; fill in the backward.
Tensor reparameterize(const Tensor& mu, const Tensor& logvar, const Tensor& eps);

// Exercise 3.3 — log-mean-exp along the last axis, the combiner of the importance-weighted bound:
//   forward   log (1/K) Σₖ e^(xₖ), finite for xₖ = ±1000                        (B, K) → (B)
//   backward  ∂/∂xₖ = e^(xₖ) / Σⱼ e^(xⱼ)  (a softmax: the normalised importance weights)
Tensor log_mean_exp(const Tensor& x);

}  // namespace mmgen::exercises
