// Chapter 01's exercises — your code goes where it says TODO. See exercises.hpp for the task and
// chapters/01_tensors_autograd/README.md ("Exercises") for the derivations.
#include "exercises.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <unordered_set>

#include <mmgen/core/autograd.hpp>

namespace mmgen::exercises {

Tensor linear(const Tensor& x, const Tensor& weight, const Tensor& bias) {
    const std::size_t batch = x.dim(0), in = x.dim(1), out_features = weight.dim(0);
    Tensor y = Tensor::empty({batch, out_features});  // (B, out)
    for (std::size_t r = 0; r < batch; ++r)
        for (std::size_t j = 0; j < out_features; ++j) {
            real s = bias.data()[j];
            for (std::size_t k = 0; k < in; ++k) s += x.data()[r * in + k] * weight.data()[j * in + k];
            y.data()[r * out_features + j] = s;
        }
    return record(y, "exercise_linear", {x, weight, bias}, [x, weight, bias, batch, in, out_features](Node& out) {
        const auto dy = std::span<const real>(out.grad);  // (B, out)
        // TODO (exercise 1.1): add into x.grad_buffer() (B, in), weight.grad_buffer() (out, in) and
        // bias.grad_buffer() (out) — only for the tensors whose requires_grad() is true.
        (void)dy, (void)batch, (void)in, (void)out_features;
    });
}

Tensor softmax_cross_entropy(const Tensor& logits, const std::vector<std::size_t>& labels) {
    const std::size_t batch = logits.dim(0), classes = logits.dim(1);
    Tensor probabilities = Tensor::empty({batch, classes});  // (B, C), softmax of each row
    double total = 0;
    for (std::size_t r = 0; r < batch; ++r) {
        const real* z = logits.data().data() + r * classes;
        const real top = *std::max_element(z, z + classes);
        double sum = 0;
        for (std::size_t j = 0; j < classes; ++j) sum += std::exp(double(z[j] - top));
        for (std::size_t j = 0; j < classes; ++j)
            probabilities.data()[r * classes + j] = real(std::exp(double(z[j] - top)) / sum);
        total += double(top) + std::log(sum) - double(z[labels[r]]);  // lse(z_r) − z_r[label_r]
    }
    Tensor loss = Tensor::scalar(real(total / double(batch)));
    return record(loss, "exercise_softmax_cross_entropy", {logits},
                  [logits, probabilities, labels, batch, classes](Node& out) {
                      const real upstream = out.grad[0];
                      // TODO (exercise 1.2): add upstream · (softmax − onehot) / B into logits.grad_buffer().
                      (void)upstream, (void)batch, (void)classes;
                  });
}

std::vector<Node*> topological_order(const Tensor& root) {
    // TODO (exercise 1.3): a depth-first search from &root.node() through Node::parents,
    // appending a node after all of its parents; skip nodes with requires_grad == false.
    (void)root;
    throw std::logic_error("exercise 1.3: topological_order is not written yet");
}

}  // namespace mmgen::exercises
