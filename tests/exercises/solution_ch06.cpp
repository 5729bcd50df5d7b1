// The solutions of chapter 06's exercises are the library's own functions where it has one: the
// checks in exercise_ch06.cpp pass on these (exercise_ch06_solution, part of ctest). The value of
// the optimal discriminator on tables (6.2) has no library function; it is written out here.
// 6.6 is the E-step of models::fit_gaussian_mixture, models::to_responsibilities, row by row.
// 6.7 is the backward pass of cross_entropy (nn/losses.cpp), read off a leaf's gradient.
#include "exercises.hpp"

#include <cmath>
#include <stdexcept>

#include <mmgen/core/ops.hpp>
#include <mmgen/core/random.hpp>
#include <mmgen/models/caption_scores.hpp>
#include <mmgen/models/cgan.hpp>
#include <mmgen/models/gaussian_mixture.hpp>
#include <mmgen/nn/losses.hpp>

namespace mmgen::exercises {

// ConditionalDiscriminator::forward's projection line, with ψ's weight and bias passed in.
Tensor projection_logit(const Tensor& phi, const Tensor& w_psi, const Tensor& b_psi, const Tensor& e) {
    return linear(phi, w_psi, b_psi) + sum(phi * e, 1, /*keepdim=*/true);  // ψ(φ) + ⟨e(y), φ⟩  (B, 1)
}

double optimal_conditional_value(const Tensor& q, const Tensor& p) {
    if (q.shape() != p.shape()) throw std::invalid_argument("optimal_conditional_value: tables of different shapes");
    double value = 0;
    for (std::size_t i = 0; i < q.numel(); ++i) {
        const double a = q.at(i), b = p.at(i), d = a / (a + b);  // D* of this (x, y)
        if (a > 0) value += a * std::log(d);                       // a = 0: 0 · log 0 counts 0
        if (b > 0) value += b * std::log(1 - d);
    }
    return value;
}

// CaptionEncoder::encode with the caller's word table and the identity as its Linear: e(y) is then
// the mean itself (times 1, plus 0: exact), and the gradient reaches `embeddings`.
Tensor caption_code_mean(const Tensor& embeddings, const std::vector<std::size_t>& tokens, std::size_t caption_length) {
    const std::size_t words = embeddings.dim(0), width = embeddings.dim(1);
    Rng rng(0);
    models::CaptionEncoder encoder(words, caption_length, width, width, rng);
    encoder.words->weight = embeddings;
    encoder.mix->weight = Tensor::zeros({width, width});
    for (std::size_t j = 0; j < width; ++j) encoder.mix->weight.at(j, j) = 1;
    encoder.mix->bias = Tensor::zeros({width});
    return encoder.encode(tokens);  // (B, E)
}

double mean_pairwise_distance(const Tensor& features) { return models::mean_pairwise_distance(features); }

std::vector<double> responsibilities(const std::vector<double>& log_n, const std::vector<double>& weights) {
    std::vector<double> r = log_n;
    for (std::size_t row = 0; row < r.size() / weights.size(); ++row)
        models::to_responsibilities({&r[row * weights.size()], weights.size()}, weights);  // in place, row by row
    return r;
}

std::vector<double> cross_entropy_gradient(const std::vector<double>& logits, const std::vector<std::size_t>& labels) {
    const std::size_t rows = labels.size(), classes = logits.size() / rows;
    std::vector<real> values(logits.begin(), logits.end());
    Tensor c = Tensor::from_data({rows, classes}, values, /*requires_grad=*/true);  // (B, K), a leaf
    Tensor loss = cross_entropy(c, labels);                                       // the mean over B
    loss.backward();
    return {c.grad().begin(), c.grad().end()};
}

}  // namespace mmgen::exercises
