#pragma once
// Elementwise transcendental kernels over whole arrays, written so the compiler can vectorise
// them (vector_math.cpp is compiled with -ffast-math -fopenmp-simd, which lets GCC call
// glibc's SIMD versions of exp, log and log1p: 4–16 values per call instead of one).
//
// They are the fast path of the ops and losses that spend most of their time in exp/log;
// tests/test_vector_math.cpp holds each against the scalar std:: function (its naive twin).
// Inputs are assumed finite; a NaN in gives a NaN out, which the training loop's
// non-finite guard reports.
#include <span>

#include <mmgen/core/real.hpp>

namespace mmgen::vmath {

void exp(std::span<const real> x, std::span<real> y);       // y = eˣ
void log(std::span<const real> x, std::span<real> y);       // y = log x
void tanh(std::span<const real> x, std::span<real> y);      // y = tanh x
void sigmoid(std::span<const real> x, std::span<real> y);   // y = 1/(1 + e⁻ˣ)
void softplus(std::span<const real> x, std::span<real> y);  // y = log(1 + eˣ)

// The binary cross-entropy of chapter 02–04's Bernoulli likelihoods, in one pass:
//   loss = max(x, 0) − x t + log(1 + e^−|x|),   sigma = σ(x)  (kept for the backward pass)
// Returns Σ loss, accumulated in double.
double bce_with_logits(std::span<const real> x, std::span<const real> t, std::span<real> loss,
                     std::span<real> sigma);

// Box–Muller over arrays: z = √(−2 log u₁) · cos(2π u₂), in double, for u₁ ∈ (0, 1] and
// u₂ ∈ [0, 1) — the transform Rng::normal applies one value at a time.
void box_muller(std::span<const double> u1, std::span<const double> u2, std::span<double> z);

}  // namespace mmgen::vmath
