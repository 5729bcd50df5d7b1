// Chapter 04's exercises — your code goes where it says TODO. See exercises.hpp for the task and
// chapters/04_multimodal/README.md ("Exercises") for the derivations.
#include "exercises.hpp"

#include <cmath>
#include <stdexcept>

#include <mmgen/core/autograd.hpp>
#include <mmgen/core/ops.hpp>

namespace mmgen::exercises {

DiagonalGaussian product_of_experts(const std::vector<DiagonalGaussian>& experts) {
    // TODO (exercise 4.1): compute μ and log σ² value by value in log space, keep the weights wₖ,
    // and record(...) a backward on each of the two outputs (inputs: every expert's mu and logvar).
    (void)experts;
    throw std::logic_error("exercise 4.1: product_of_experts is not written yet");
}

Tensor gaussian_kl_between(const DiagonalGaussian& q1, const DiagonalGaussian& q2) {
    // TODO (exercise 4.2)
    (void)q1, (void)q2;
    throw std::logic_error("exercise 4.2: gaussian_kl_between is not written yet");
}

}  // namespace mmgen::exercises
