#include <mmgen/nn/losses.hpp>

#include <cmath>
#include <stdexcept>

#include <mmgen/core/autograd.hpp>
#include <mmgen/core/ops.hpp>
#include <mmgen/core/vector_math.hpp>

namespace mmgen {

namespace {
void require_same_shape(const char* op, const Tensor& a, const Tensor& b) {
    if (a.shape() != b.shape())
        throw std::invalid_argument(std::string(op) + ": " + a.shape_str() + " and " + b.shape_str() +
                                    ": prediction and target shapes differ");
}

// Reduces a tensor of per-element (or per-row) terms.
Tensor reduce(const Tensor& terms, Reduction reduction, std::size_t rows) {
    switch (reduction) {
        case Reduction::sum: return sum(terms);
        case Reduction::mean: return mean(terms);
        case Reduction::batch_mean: return sum(terms) / static_cast<real>(rows == 0 ? 1 : rows);
        case Reduction::none: return terms;
    }
    throw std::invalid_argument("loss: unknown reduction");
}

std::size_t rows_of(const Tensor& t) { return t.rank() == 0 ? 1 : t.dim(0); }
}  // namespace

// ℓ(x, t) = max(x, 0) − x t + log(1 + e^−|x|)  — never exponentiates a large positive number
// ∂ℓ/∂x = σ(x) − t,  ∂ℓ/∂t = −x
// For the reducing forms the terms are summed inside the kernel, so the loss is one node whose
// backward writes g · scale · (σ(x) − t) straight into the logits' gradient.
Tensor bce_with_logits(const Tensor& logits, const Tensor& targets, Reduction reduction) {
    require_same_shape("bce_with_logits", logits, targets);
    const std::size_t n = logits.numel();
    Buffer terms(n), sigma(n);  // ℓ per element; σ(x), kept for the backward pass
    const double total = vmath::bce_with_logits(logits.data(), targets.data(), terms, sigma);
    const bool unreduced = reduction == Reduction::none;
    double scale = 1;  // ∂ loss / ∂ℓᵢ
    if (reduction == Reduction::mean) scale = 1.0 / static_cast<double>(n == 0 ? 1 : n);
    if (reduction == Reduction::batch_mean) scale = 1.0 / static_cast<double>(rows_of(logits) == 0 ? 1 : rows_of(logits));
    Tensor loss = unreduced ? Tensor::from_buffer(logits.shape(), std::move(terms))
                            : Tensor::scalar(static_cast<real>(total * scale));
    return record(loss, "bce_with_logits", {logits, targets},
                  [logits, targets, sigma = std::move(sigma), unreduced, scale](Node& out) mutable {
                      // upstream gradient of element i: out.grad[i] (unreduced) or g · scale
                      const real g = unreduced ? real(0) : static_cast<real>(out.grad[0] * scale);
                      const real* dy = out.grad.data();
                      if (logits.requires_grad()) {
                          const real* t = targets.data().data();
                          real* dx = logits.grad_buffer().data();
                          for (std::size_t i = 0; i < sigma.size(); ++i) dx[i] += (unreduced ? dy[i] : g) * (sigma[i] - t[i]);
                      }
                      if (targets.requires_grad()) {
                          const real* x = logits.data().data();
                          real* dt = targets.grad_buffer().data();
                          for (std::size_t i = 0; i < sigma.size(); ++i) dt[i] -= (unreduced ? dy[i] : g) * x[i];
                      }
                  });
}

// ℓ_r = lse(x_r) − x_r[label_r];  ∂ℓ_r/∂x_r = softmax(x_r) − onehot(label_r)
Tensor cross_entropy(const Tensor& logits, const std::vector<std::size_t>& labels, Reduction reduction) {
    if (logits.rank() != 2 || logits.dim(0) != labels.size())
        throw std::invalid_argument("cross_entropy: logits " + logits.shape_str() + " and " +
                                    std::to_string(labels.size()) + " labels: expected (batch, classes) with one "
                                    "label per row");
    const std::size_t classes = logits.dim(1);
    for (auto label : labels)
        if (label >= classes)
            throw std::invalid_argument("cross_entropy: label " + std::to_string(label) + " out of range for logits " +
                                        logits.shape_str());
    Tensor log_probs = log_softmax(logits);  // (B, C)
    Tensor terms = Tensor::empty({labels.size()});
    for (std::size_t r = 0; r < labels.size(); ++r) terms.data()[r] = -log_probs.data()[r * classes + labels[r]];
    terms = record(terms, "cross_entropy", {log_probs}, [log_probs, labels, classes](Node& out) mutable {
        auto dlp = log_probs.grad_buffer();  // ∂ℓ_r/∂ log p[r, label_r] = −1
        for (std::size_t r = 0; r < labels.size(); ++r) dlp[r * classes + labels[r]] -= out.grad[r];
    });
    return reduce(terms, reduction == Reduction::sum || reduction == Reduction::none ? reduction : Reduction::mean,
                  labels.size());
}

// (x − t)²: composed from sub and square, whose backwards give 2(x − t) and −2(x − t)
Tensor mse(const Tensor& prediction, const Tensor& target, Reduction reduction) {
    require_same_shape("mse", prediction, target);
    return reduce(square(prediction - target), reduction, rows_of(prediction));
}

// log mean exp x = lse(x) − log n
Tensor log_mean_exp(const Tensor& x) {
    if (x.rank() < 1 || x.dim(-1) == 0)
        throw std::invalid_argument("log_mean_exp: needs a non-empty last axis, got shape " + x.shape_str());
    return log_sum_exp(x) - static_cast<real>(std::log(static_cast<double>(x.dim(-1))));
}

}  // namespace mmgen
