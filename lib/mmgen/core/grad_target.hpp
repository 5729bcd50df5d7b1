#pragma once
// grad_target: where a backward writes a gradient that it computes in full.
//
// Gradients accumulate: a backward adds its contribution into the input's gradient, which
// grad_buffer() creates zero-filled. A backward that produces every element of the gradient in
// one pass (a GEMM, an elementwise derivative, batch norm's dx) can skip that zero-fill when the
// gradient does not exist yet: it writes the values (0 + v = v) — a GEMM with beta = 0 instead
// of beta = 1 — and adds them, as before, when an earlier contribution is already there.
// The values are the same either way.
#include <span>

#include <mmgen/core/tensor.hpp>

namespace mmgen {

struct GradTarget {
    std::span<real> values;  // the gradient buffer, one value per element of the tensor
    bool fresh;              // true: not initialised, every value must be written (not added to)
};

inline GradTarget grad_target(const Tensor& x) {
    Node& node = x.node();
    if (!node.grad.empty() || node.data.empty()) return {node.grad_buffer(), false};
    node.grad.resize(node.data.size());  // default-initialised (storage.hpp): no zero-fill
    return {node.grad, true};
}

}  // namespace mmgen
