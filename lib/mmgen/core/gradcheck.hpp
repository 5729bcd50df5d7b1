#pragma once
// Gradient checking: compare backward() against central differences.
//
// For a function f of some input tensors, draw a random upstream gradient u of f's output
// shape and check the gradient of the scalar L = Σ u · f(inputs) with respect to every value
// of every input that requires a gradient:
//
//     analytic  ∂L/∂xᵢ  from backward(u)
//     numeric   (L(xᵢ + ε) − L(xᵢ − ε)) / 2ε          (error O(ε²))
//
// A random u (rather than all ones) catches backward rules that mix up output positions.
// Run it in the double-precision build: in float, ε large enough to beat round-off hides
// real bugs behind loose tolerances.
#include <functional>
#include <string>
#include <vector>

#include <mmgen/core/random.hpp>
#include <mmgen/core/tensor.hpp>

namespace mmgen {

struct GradcheckOptions {
    double eps = 1e-6;        // finite-difference step
    double tolerance = 1e-6;  // largest accepted relative error
    // Relative error = |analytic − numeric| / max(|analytic|, |numeric|, floor): gradients
    // smaller than `floor` are compared absolutely, so round-off on near-zero values passes.
    double floor = 1e-3;
    // Points where f is not differentiable (0 for relu, the bounds of clamp): values of an
    // input closer than `kink_margin` to one of them are skipped and counted, not compared.
    std::vector<double> kinks;
    double kink_margin = 1e-4;
};

struct GradcheckResult {
    bool ok = true;
    double max_relative_error = 0;
    std::size_t checked = 0;  // values compared
    std::size_t skipped = 0;  // values skipped next to a kink
    // The worst value: which input, its shape, the index inside it, both derivatives.
    std::size_t input = 0, index = 0;
    Shape shape;
    double analytic = 0, numeric = 0;
    std::string message;  // names op, shape, index, both derivatives and the error
};

using GradcheckFn = std::function<Tensor(const std::vector<Tensor>&)>;

// `name` labels the function in the message (usually the op). The inputs' values are
// perturbed in place and restored; their gradients are overwritten.
GradcheckResult gradcheck(const std::string& name, const GradcheckFn& f, const std::vector<Tensor>& inputs, Rng& rng,
                          const GradcheckOptions& options = {});

}  // namespace mmgen
