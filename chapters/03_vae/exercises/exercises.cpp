// Chapter 03's exercises — your code goes where it says TODO. See exercises.hpp for the task and
// chapters/03_vae/README.md ("Exercises") for the derivations.
#include "exercises.hpp"

#include <cmath>
#include <stdexcept>

#include <mmgen/core/autograd.hpp>

namespace mmgen::exercises {

Tensor gaussian_kl(const Tensor& mu, const Tensor& logvar) {
    // TODO (exercise 3.1): a (B) output, then record(...) a backward into mu and logvar.
    (void)mu, (void)logvar;
    throw std::logic_error("exercise 3.1: gaussian_kl is not written yet");
}

Tensor reparameterize(const Tensor& mu, const Tensor& logvar, const Tensor& eps) {
    Tensor z = Tensor::empty(mu.shape());  // (B, d)
    for (std::size_t i = 0; i < z.numel(); ++i)
        z.data()[i] = mu.data()[i] + std::exp(real(0.5) * logvar.data()[i]) * eps.data()[i];
    return record(z, "exercise_reparameterize", {mu, logvar}, [mu, logvar, eps](Node& out) {
        // TODO (exercise 3.2): add out.grad · ∂z/∂μ into mu.grad_buffer() and out.grad · ∂z/∂logvar
        // into logvar.grad_buffer() (each only if it requires a gradient).
        (void)out;
    });
}

Tensor log_mean_exp(const Tensor& x) {
    // TODO (exercise 3.3): shift each row by its largest value before exponentiating.
    (void)x;
    throw std::logic_error("exercise 3.3: log_mean_exp is not written yet");
}

}  // namespace mmgen::exercises
