// The solutions of chapter 03's exercises are the library's own functions: the checks in
// exercise_ch03.cpp pass on these (exercise_ch03_solution, part of ctest).
#include "exercises.hpp"

#include <mmgen/nn/distributions.hpp>
#include <mmgen/nn/losses.hpp>

namespace mmgen::exercises {

Tensor gaussian_kl(const Tensor& mu, const Tensor& logvar) { return mmgen::gaussian_kl(mu, logvar, Reduction::none); }
Tensor reparameterize(const Tensor& mu, const Tensor& logvar, const Tensor& eps) {
    return mmgen::reparameterize({mu, logvar}, eps);
}
Tensor log_mean_exp(const Tensor& x) { return mmgen::log_mean_exp(x); }

}  // namespace mmgen::exercises
