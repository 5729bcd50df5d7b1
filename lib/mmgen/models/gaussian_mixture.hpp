#pragma once
// A mixture of K full-covariance Gaussians, fitted by expectation–maximisation (Dempster, Laird
// & Rubin 1977) — a second stage for a VAE's codes that needs no adversary (chapter 06 §3.4):
//
//   p(z) = Σ_k π_k N(z; μ_k, Σ_k)
//
//   E-step  responsibilities r_nk = π_k N(z_n; μ_k, Σ_k) / Σ_j π_j N(z_n; μ_j, Σ_j)
//           (in logs, with log-sum-exp: the densities of 20-d codes under and overflow)
//   M-step  N_k = Σ_n r_nk,  π_k = N_k / N,  μ_k = Σ_n r_nk z_n / N_k,
//           Σ_k = Σ_n r_nk (z_n − μ_k)(z_n − μ_k)ᵀ / N_k + ε I
//
// Each iteration does not lower the mean log-likelihood (1/N) Σ_n log p(z_n) (the ridge ε I
// aside, which keeps every Σ_k invertible when a component holds fewer than d points).
// Everything is in double: the log-densities are sums of large, cancelling terms.
#include <cstddef>
#include <span>
#include <vector>

#include <mmgen/core/random.hpp>
#include <mmgen/core/tensor.hpp>

namespace mmgen::models {

struct GaussianMixture {
    std::size_t components = 0, dim = 0;
    std::vector<double> weights;   // (K) π_k, summing to 1
    std::vector<double> means;     // (K, d) μ_k
    std::vector<double> cholesky;  // (K, d, d) lower-triangular L_k with Σ_k = L_k L_kᵀ, row-major
};

struct MixtureFitOptions {
    std::size_t components = 10;
    std::size_t iterations = 100;  // at most; stops earlier when the log-likelihood gains < tolerance
    double tolerance = 1e-5;       // nats per point
    double ridge = 1e-6;           // ε added to each Σ_k's diagonal
};

// Fits a mixture to the rows of x (N, d), N ≥ components. Starts from K distinct rows chosen at
// random as means, the data's covariance for every component, equal weights. `history`, when
// given, receives the mean log-likelihood after each E-step. Throws std::invalid_argument on a
// bad shape or K = 0.
GaussianMixture fit_gaussian_mixture(const Tensor& x, const MixtureFitOptions& options, Rng& rng,
                                     std::vector<double>* history = nullptr);

// (1/N) Σ_n log p(x_n) in nats per row, x (N, d).
double mean_log_likelihood(const GaussianMixture& mixture, const Tensor& x);

// n draws: a component k with probability π_k, then z = μ_k + L_k ε, ε ~ N(0, I).  (n, d)
// Throws std::invalid_argument, saying which sizes, when the mixture's sizes do not agree (as
// component_log_densities does; to_responsibilities when row and weights differ in length).
Tensor sample_mixture(const GaussianMixture& mixture, std::size_t n, Rng& rng);

// EM's E-step for one code, in logs: `row` (K) holds log N(z; μ_k, Σ_k) on entry and the
// responsibilities r_k = π_k N_k / Σ_j π_j N_j on exit; returns log p(z) = log Σ_k π_k N_k.
// Log-sum-exp: a 20-d density can be e^−1000, which exp() rounds to 0 (README §3.4, exercise 6.6).
double to_responsibilities(std::span<double> row, std::span<const double> weights);

// log N(x; μ, L Lᵀ) of every row and component: (N, K) row-major, for the E-step and the tests.
std::vector<double> component_log_densities(const GaussianMixture& mixture, const Tensor& x);

}  // namespace mmgen::models
