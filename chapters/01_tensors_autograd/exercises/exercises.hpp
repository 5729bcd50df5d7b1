#pragma once
// Chapter 01's exercises: write these three functions in exercises.cpp (beside this file), then
//
//     cmake --build build --target exercise_ch01 && build/bin/exercise_ch01
//
// runs tests/exercises/exercise_ch01.cpp against your code. The library's own versions are the
// solutions: `linear` in lib/mmgen/core/ops_matmul.cpp, `log_softmax` and `cross_entropy` in
// lib/mmgen/core/ops_reduce.cpp and lib/mmgen/nn/losses.cpp, `topological_order` in
// lib/mmgen/core/autograd.cpp (build/bin/exercise_ch01_solution runs the same checks on them).
#include <cstddef>
#include <vector>

#include <mmgen/core/tensor.hpp>

namespace mmgen::exercises {

// Exercise 1.1 — the linear layer's backward.
//   y (B, out) = x (B, in) · Wᵀ (in, out) + b (out)
// The forward is written; fill in the backward closure:  dx = dy · W,  dW = dyᵀ · x,  db = Σ_rows dy,
// each *added* into the input's gradient (a tensor may be used twice).
Tensor linear(const Tensor& x, const Tensor& weight, const Tensor& bias);

// Exercise 1.2 — softmax cross-entropy's gradient.
//   ℓ = (1/B) Σ_r [ lse(z_r) − z_r[label_r] ]      z (B, C) logits, one label per row → a scalar
// The forward is written (it keeps softmax(z) for you); fill in the backward:
//   ∂ℓ/∂z[r, j] = (softmax(z_r)ⱼ − [j = label_r]) / B,   times the upstream gradient.
Tensor softmax_cross_entropy(const Tensor& logits, const std::vector<std::size_t>& labels);

// Exercise 1.3 — the order backward() runs in.
// Return the nodes reachable from root that require a gradient, each exactly once and each
// after all of its parents (root last). backward() runs the closures in the reverse of this list.
std::vector<Node*> topological_order(const Tensor& root);

}  // namespace mmgen::exercises
