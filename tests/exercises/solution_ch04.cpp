// The solutions of chapter 04's exercises are the library's own functions: the checks in
// exercise_ch04.cpp pass on these (exercise_ch04_solution, part of ctest).
#include "exercises.hpp"

#include <mmgen/nn/distributions.hpp>

namespace mmgen::exercises {

DiagonalGaussian product_of_experts(const std::vector<DiagonalGaussian>& experts) {
    return mmgen::product_of_experts(experts, /*include_prior=*/true);
}
Tensor gaussian_kl_between(const DiagonalGaussian& q1, const DiagonalGaussian& q2) {
    return mmgen::gaussian_kl_between(q1, q2);
}

}  // namespace mmgen::exercises
