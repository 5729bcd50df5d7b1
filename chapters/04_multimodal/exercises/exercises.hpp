#pragma once
// Chapter 04's exercises: write these functions in exercises.cpp (beside this file), then
//
//     cmake --build build --target exercise_ch04 && build/bin/exercise_ch04
//
// runs tests/exercises/exercise_ch04.cpp against your code. The solutions are the library's
// `product_of_experts` and `gaussian_kl_between` (lib/mmgen/nn/distributions.{hpp,cpp});
// build/bin/exercise_ch04_solution runs the same checks on them (tests/exercises/solution_ch04.cpp).
#include <vector>

#include <mmgen/nn/distributions.hpp>  // DiagonalGaussian {mu, logvar}

namespace mmgen::exercises {

// Exercise 4.1 — the product of Gaussian experts with the prior N(0, I) as one more expert, per value:
//   forward   aₖ = −log σₖ²  (the prior: a = 0),   log σ² = −logsumexp_k(aₖ),   wₖ = softmax_k(a)ₖ,
//             μ = Σₖ wₖ μₖ   (the prior's μ = 0 adds nothing to the sum, but its a = 0 is in the softmax)
//   backward  ∂μ/∂μₖ = wₖ,   ∂μ/∂log σₖ² = wₖ (μ − μₖ),   ∂log σ²/∂log σₖ² = wₖ
// `experts` are (B, d) each; returns the product's (μ, log σ²), each (B, d).
DiagonalGaussian product_of_experts(const std::vector<DiagonalGaussian>& experts);

// Exercise 4.2 — the KL between two diagonal Gaussians per row, the alignment term of JMVAE-KL:
//   KL(q₁ ‖ q₂) = ½ Σⱼ ( log σ₂² − log σ₁² + (σ₁² + (μ₁ − μ₂)²) / σ₂² − 1 )        (B, d) → (B)
// written with the library's ops (autograd gives the gradient).
Tensor gaussian_kl_between(const DiagonalGaussian& q1, const DiagonalGaussian& q2);

}  // namespace mmgen::exercises
