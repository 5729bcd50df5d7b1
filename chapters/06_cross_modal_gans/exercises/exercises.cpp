// Chapter 06's exercises — your code goes where it says TODO. See exercises.hpp for the tasks and
// chapters/06_cross_modal_gans/README.md ("Exercises") for the derivations.
#include "exercises.hpp"

#include <stdexcept>

namespace mmgen::exercises {

Tensor projection_logit(const Tensor& phi, const Tensor& w_psi, const Tensor& b_psi, const Tensor& e) {
    // TODO (exercise 6.1): ψ(φ) with linear(·), plus the row sums of φ · e (sum(·, 1, true)).
    (void)phi, (void)w_psi, (void)b_psi, (void)e;
    throw std::logic_error("exercise 6.1: projection_logit is not written yet");
}

double optimal_conditional_value(const Tensor& q, const Tensor& p) {
    // TODO (exercise 6.2): one loop over the cells; D* per cell, then its two weighted logs.
    (void)q, (void)p;
    throw std::logic_error("exercise 6.2: optimal_conditional_value is not written yet");
}

Tensor caption_code_mean(const Tensor& embeddings, const std::vector<std::size_t>& tokens, std::size_t caption_length) {
    // TODO (exercise 6.3): embedding(·) picks the rows; a (B, B·L) matrix of 1/n_b averages them.
    (void)embeddings, (void)tokens, (void)caption_length;
    throw std::logic_error("exercise 6.3: caption_code_mean is not written yet");
}

double mean_pairwise_distance(const Tensor& features) {
    // TODO (exercise 6.4): two loops over the pairs i < j.
    (void)features;
    throw std::logic_error("exercise 6.4: mean_pairwise_distance is not written yet");
}

std::vector<double> responsibilities(const std::vector<double>& log_n, const std::vector<double>& weights) {
    // TODO (exercise 6.6): per row, a_k = log π_k + log N_k; subtract the row's largest a_k before exp().
    (void)log_n, (void)weights;
    throw std::logic_error("exercise 6.6: responsibilities is not written yet");
}

std::vector<double> cross_entropy_gradient(const std::vector<double>& logits, const std::vector<std::size_t>& labels) {
    // TODO (exercise 6.7): per row, softmax with the row's largest logit subtracted before exp(); then
    // subtract 1 at the label and divide everything by the number of rows.
    (void)logits, (void)labels;
    throw std::logic_error("exercise 6.7: cross_entropy_gradient is not written yet");
}

}  // namespace mmgen::exercises
