#pragma once
// Reverse-mode automatic differentiation.
//
// Every op computes its output and, when any input requires a gradient and gradients are
// enabled, records a closure on the output that *adds* the output's gradient, multiplied by
// the op's local derivative, into the inputs' gradients (chain rule). backward() seeds the
// output's gradient with 1, orders the graph so that every node comes after all nodes that
// use it (reverse topological order), and runs the closures in that order. Gradients
// accumulate with +=, so a tensor used twice receives both contributions; clearing them is
// explicit (zero_grad). Across backward() calls the leaves' gradients keep accumulating; an
// intermediate node's gradient holds only the current pass (so two backward passes through a
// shared subgraph add each contribution once).
#include <functional>
#include <initializer_list>
#include <vector>

#include <mmgen/core/tensor.hpp>

namespace mmgen {

// Whether ops record the graph. False inside a NoGradGuard.
bool grad_enabled();

// RAII: no graph is recorded while it lives (evaluation, sampling, optimizer updates).
class NoGradGuard {
public:
    NoGradGuard();
    ~NoGradGuard();
    NoGradGuard(const NoGradGuard&) = delete;
    NoGradGuard& operator=(const NoGradGuard&) = delete;

private:
    bool previous_;
};

// RAII: while it lives, the ops that record a node also keep their inputs that need no
// gradient in Node::constants, so a drawing of the graph (graph_dot.hpp) can show the data,
// the noise and the targets beside the parameters. Off by default: a training graph holds
// only what backward() needs.
class RecordConstantsGuard {
public:
    RecordConstantsGuard();
    ~RecordConstantsGuard();
    RecordConstantsGuard(const RecordConstantsGuard&) = delete;
    RecordConstantsGuard& operator=(const RecordConstantsGuard&) = delete;

private:
    bool previous_;
};

// Attaches `backward` to `out` when an input needs a gradient (and gradients are enabled):
// `out` then requires a gradient and remembers its parents. Otherwise nothing is recorded.
// Ops call this once, after computing out's values.
Tensor record(Tensor out, const char* op, std::initializer_list<Tensor> inputs, BackwardFn backward);
Tensor record(Tensor out, const char* op, const std::vector<Tensor>& inputs, BackwardFn backward);

// Nodes reachable from `root` that require a gradient, each after all of its parents
// (so the reverse of this list is the order backward() runs the closures in).
std::vector<Node*> topological_order(const Tensor& root);

// Called with a leaf (a node without a closure: a parameter) as soon as its gradient is final
// in a backward pass: every node of the pass that uses it has run its closure.
using LeafReadyFn = std::function<void(Node& leaf)>;

// Runs reverse-mode differentiation from root, whose gradient is set to `seed`. With
// `on_leaf_ready`, calls it for each leaf that requires a gradient, once, at the moment its last
// user's closure has run — while the gradient it just received is likely still in cache. This is
// how an optimizer updates a parameter inside the backward pass (Optimizer::backward_and_step).
void backward(Tensor root, std::span<const real> seed, const LeafReadyFn& on_leaf_ready = {});

}  // namespace mmgen
