#pragma once
// Chapter 06's exercises: write these functions in exercises.cpp (beside this file), then
//
//     cmake --build build --target exercise_ch06 && build/bin/exercise_ch06
//
// runs tests/exercises/exercise_ch06.cpp against your code. The solutions are the library's where
// it has one: the projection line of `ConditionalDiscriminator::forward` and the caption mean of
// `CaptionEncoder::encode` (lib/mmgen/models/cgan.cpp), `mean_pairwise_distance`
// (lib/mmgen/models/caption_scores.cpp), `to_responsibilities` (lib/mmgen/models/gaussian_mixture.cpp),
// the backward pass of `cross_entropy` (lib/mmgen/nn/losses.cpp); the value of the optimal discriminator on tables has no
// library function and is a plain loop in tests/exercises/solution_ch06.cpp.
// build/bin/exercise_ch06_solution runs the same checks on them.
#include <cstddef>
#include <vector>

#include <mmgen/core/tensor.hpp>

namespace mmgen::exercises {

// Exercise 6.1 — the projection discriminator's logit from its parts (README §1.2):
//   r = ψ(φ) + ⟨e(y), φ⟩ = φ · w_ψ + b_ψ + Σⱼ e(y)ⱼ φⱼ
// phi (B, F) the image features, w_psi (1, F) and b_psi (1) the head ψ (an nn::Linear(F → 1)'s
// weight and bias), e (B, F) the caption codes. Returns the logits (B, 1), written with the
// library's ops so that autograd gives ∂r/∂φ = w_ψ + e(y) and ∂r/∂e(y) = φ.
Tensor projection_logit(const Tensor& phi, const Tensor& w_psi, const Tensor& b_psi, const Tensor& e);

// Exercise 6.2 — the conditional game's value at the optimal discriminator, on finite tables
// (README §1.2). q and p (X, Y) hold the joint probabilities q(x, y) of the data's pairs and
// p(x, y) of the generator's, row x, column y, each table summing to 1. Return
//   V(D*, G) = Σ_{x,y} [ q(x, y) log D*(x, y) + p(x, y) log(1 − D*(x, y)) ],
//   D*(x, y) = q(x, y) / (q(x, y) + p(x, y)),
// where a term whose weight q(x, y) or p(x, y) is 0 counts 0 (0 · log 0 = 0).
double optimal_conditional_value(const Tensor& q, const Tensor& p);

// Exercise 6.3 — the caption encoder's bag of words (README §1.2): `embeddings` (V, E) is the word
// table, `tokens` holds B captions of `caption_length` ids each (B · L ids, <pad> = 0). Return
// (B, E): row b is the mean of the embeddings of caption b's words that are not <pad>,
//   mean_b = (1 / n_b) Σ_{t: y_bt ≠ 0} E[y_bt],    n_b = the number of such words,
// written with the library's ops so that the gradient reaches `embeddings`.
Tensor caption_code_mean(const Tensor& embeddings, const std::vector<std::size_t>& tokens, std::size_t caption_length);

// Exercise 6.4 — the diversity measure's core (README §1.4): the mean Euclidean distance over all
// N(N − 1)/2 pairs of rows of features (N, F),
//   (2 / (N (N − 1))) Σ_{i<j} ‖fᵢ − fⱼ‖,
// and 0 when N < 2.
double mean_pairwise_distance(const Tensor& features);

// Exercise 6.6 — EM's E-step, in logs (README §3.4): log_n holds N rows of K log-densities
// log N(z_n; μ_k, Σ_k), row-major (N·K values), weights the K mixture weights π_k. Return the
// responsibilities (N·K, row-major)
//   r_nk = π_k N(z_n; μ_k, Σ_k) / Σ_j π_j N(z_n; μ_j, Σ_j),
// computed so that log-densities of −1000 — a 20-d code far from every component — give numbers.
std::vector<double> responsibilities(const std::vector<double>& log_n, const std::vector<double>& weights);

// Exercise 6.7 — the auxiliary head's gradient (README §1.7): `logits` holds B rows of K class
// logits c (B·K, row-major), `labels` the B classes k. Return the gradient of the mean
// cross-entropy (1/B) Σ_b [log Σ_j e^{c_bj} − c_{b,k_b}] with respect to every logit (B·K):
//   ∂/∂c_bj = (softmax(c_b)_j − [j = k_b]) / B,
// computed so that logits of 1000 give numbers.
std::vector<double> cross_entropy_gradient(const std::vector<double>& logits, const std::vector<std::size_t>& labels);

}  // namespace mmgen::exercises
