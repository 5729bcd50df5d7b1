#pragma once
// Evaluation in batches without a graph: what every "score the test set", "encode 10 000
// images" and "decode 10 000 codes" loop shares. Memory stays bounded by the batch, and no
// graph is recorded (a NoGradGuard is held for the whole pass).
//
//     const Tensor mu = nn::map_batches(x, 1000, [&](const Tensor& part) { return vae.encode(part).mu; });
//     nn::for_each_batch(test.n, 500, [&](std::span<const std::size_t> idx) { ... });
#include <cstddef>
#include <functional>
#include <span>

#include <mmgen/core/tensor.hpp>

namespace mmgen::nn {

// f applied to rows [s, s + batch) of x for s = 0, batch, 2·batch, …, the results
// concatenated along axis 0: x (N, ·) → (N, ·). Throws std::invalid_argument for batch 0 or a
// rank-0 x.
Tensor map_batches(const Tensor& x, std::size_t batch, const std::function<Tensor(const Tensor&)>& f);

// f called with the indices [s, min(n, s + batch)) for s = 0, batch, 2·batch, … < n.
void for_each_batch(std::size_t n, std::size_t batch, const std::function<void(std::span<const std::size_t>)>& f);

}  // namespace mmgen::nn
