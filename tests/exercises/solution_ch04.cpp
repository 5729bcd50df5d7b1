// The solutions of chapter 04's exercises are the library's own functions: the checks in
// exercise_ch04.cpp pass on these (exercise_ch04_solution, part of ctest).
#include "exercises.hpp"

#include <mmgen/models/mvae.hpp>

namespace mmgen::exercises {

models::Posterior product_of_experts(const std::vector<models::Posterior>& experts) {
    return models::product_of_experts(experts, /*include_prior=*/true);
}
Tensor gaussian_kl_between(const models::Posterior& q1, const models::Posterior& q2) {
    return models::gaussian_kl_between(q1, q2);
}

}  // namespace mmgen::exercises
