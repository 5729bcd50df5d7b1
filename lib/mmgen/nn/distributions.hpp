#pragma once
// The diagonal Gaussian and what the VAE chapters compute with it: sampling by
// reparameterisation, log densities, KL divergences in closed form, the product of Gaussian
// experts, and the MMD between two samples. Every function is built from differentiable ops
// (product_of_experts is one op with its own backward), so gradients flow to μ and log σ².
//
//     DiagonalGaussian q = {mu, logvar};                  // each (B, d)
//     Tensor z  = reparameterize(q, Tensor::randn({B, d}, rng));   // (B, d)
//     Tensor kl = gaussian_kl(q.mu, q.logvar);                      // KL(q ‖ N(0, I)), nats per row, batch mean
#include <cstddef>
#include <vector>

#include <mmgen/core/tensor.hpp>
#include <mmgen/nn/reduction.hpp>

namespace mmgen {

// N(μ, diag σ²) per row, held as its mean and its log-variance (so σ² = e^logvar > 0 always).
struct DiagonalGaussian {
    Tensor mu;      // (B, d)
    Tensor logvar;  // (B, d), log σ²
};

// z = μ + σ ⊙ ε with σ = exp(½ log σ²): the randomness ε ~ N(0, I) (B, d) is an input, so the
// gradient flows to μ and log σ² (the reparameterisation trick).   → (B, d)
Tensor reparameterize(const DiagonalGaussian& q, const Tensor& eps);

// --- log densities, per row ------------------------------------------------------------------

// log N(z; μ, diag e^logvar) per row: −½ Σⱼ (log 2π + logvarⱼ + (zⱼ − μⱼ)² e^−logvarⱼ)   (B)
Tensor log_normal_diag(const Tensor& z, const Tensor& mu, const Tensor& logvar);
// log N(z; 0, I) per row   (B)
Tensor log_standard_normal(const Tensor& z);

// --- KL divergences in closed form -----------------------------------------------------------

// KL( N(μ, diag σ²) ‖ N(0, I) ) per row, with log σ² = logvar, both (B, d):
//   KL = ½ Σⱼ (μⱼ² + σⱼ² − 1 − log σⱼ²).  Terms are rows: `mean` and `batch_mean` divide by B.
Tensor gaussian_kl(const Tensor& mu, const Tensor& logvar, Reduction reduction = Reduction::batch_mean);

// KL( N(μ₁, σ₁²) ‖ N(μ₂, σ₂²) ) per row for diagonal Gaussians (B, d) → (B):
//   ½ Σⱼ ( log σ₂² − log σ₁² + (σ₁² + (μ₁ − μ₂)²) / σ₂² − 1 )
Tensor gaussian_kl_between(const DiagonalGaussian& q1, const DiagonalGaussian& q2);

// --- the product of Gaussian experts ---------------------------------------------------------
//
// For Gaussian experts N(μₖ, σₖ²) (per latent dimension) the product ∏ₖ N(z; μₖ, σₖ²), normalised,
// is again Gaussian, with
//
//     precision   1/σ² = Σₖ 1/σₖ²                  (precisions add)
//     mean        μ    = Σₖ (1/σₖ²) μₖ / Σₖ 1/σₖ²   (means weighted by precision)
//
// Computed in log-variance: log σ² = −log Σₖ exp(−log σₖ²) (a log-sum-exp), and the weights
// wₖ = softmax over k of −log σₖ², so neither a tiny nor a huge variance overflows.
// `experts` are (B, d) each (at least one, which sizes the result); with include_prior the N(0, I)
// expert (μ = 0, log σ² = 0) joins them. The prior expert alone, product_of_experts({prior_expert(B, d)},
// false), is N(0, I); an expert of infinite variance leaves the product unchanged.
DiagonalGaussian product_of_experts(const std::vector<DiagonalGaussian>& experts, bool include_prior = true);
// The prior expert N(0, I) for a batch: μ = 0, log σ² = 0, each (batch, latent).
DiagonalGaussian prior_expert(std::size_t batch, std::size_t latent);

// --- comparing samples -----------------------------------------------------------------------

// The squared maximum mean discrepancy between two samples a (N, d) and b (M, d) under the
// inverse multiquadratic kernel k(u, v) = C / (C + ‖u − v‖²), C = 2d (as in WAE and InfoVAE):
//   MMD² = mean k(aᵢ, aⱼ) + mean k(bᵢ, bⱼ) − 2 mean k(aᵢ, bⱼ)      (the biased V-statistic, ≥ 0)
// 0 when the two samples come from the same distribution (in expectation, up to O(1/N)).
Tensor mmd_imq(const Tensor& a, const Tensor& b);

}  // namespace mmgen
