#pragma once
// Chapter 02's exercises: write these functions in exercises.cpp (beside this file), then
//
//     cmake --build build --target exercise_ch02 && build/bin/exercise_ch02
//
// runs tests/exercises/exercise_ch02.cpp against your code. The solutions are the library's:
// `bce_with_logits` in lib/mmgen/nn/losses.cpp, `discriminator_loss`, `generator_loss_minimax`
// and `generator_loss_non_saturating` in lib/mmgen/models/gan.cpp (build/bin/exercise_ch02_solution
// runs the same checks on them).
#include <mmgen/core/tensor.hpp>

namespace mmgen::exercises {

// Exercise 2.1 — binary cross-entropy on logits, elementwise (no reduction), as one op:
//   forward   BCE(ℓ, t) = −[t log σ(ℓ) + (1 − t) log(1 − σ(ℓ))], finite for ℓ = ±1000
//   backward  ∂BCE/∂ℓ = σ(ℓ) − t, times the upstream gradient, added into logits' gradient
//             (the targets are data: they get no gradient)
Tensor bce_with_logits(const Tensor& logits, const Tensor& targets);

// Exercise 2.2 — the three GAN losses, each the mean over a batch of D's logits (B, 1), written
// with the library's ops and a BCE (yours or mmgen::bce_with_logits):
//   L_D           = BCE(ℓ_real, 1) + BCE(ℓ_fake, 0)        (means over the batch)
//   L_G minimax   = E[log(1 − D(G(z)))] = −BCE(ℓ_fake, 0)
//   L_G non-sat.  = −E[log D(G(z))]     =  BCE(ℓ_fake, 1)
Tensor discriminator_loss(const Tensor& real_logits, const Tensor& fake_logits);
Tensor generator_loss_minimax(const Tensor& fake_logits);
Tensor generator_loss_non_saturating(const Tensor& fake_logits);

}  // namespace mmgen::exercises
