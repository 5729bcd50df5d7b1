// Chapter 02's exercises — your code goes where it says TODO. See exercises.hpp for the task and
// chapters/02_gan/README.md ("Exercises") for the derivations.
#include "exercises.hpp"

#include <cmath>
#include <stdexcept>

#include <mmgen/core/autograd.hpp>
#include <mmgen/core/ops.hpp>
#include <mmgen/nn/losses.hpp>

namespace mmgen::exercises {

Tensor bce_with_logits(const Tensor& logits, const Tensor& targets) {
    // TODO (exercise 2.1): fill an output of logits' shape with max(ℓ, 0) − ℓ t + log(1 + e^−|ℓ|),
    // then record(...) a backward that adds upstream · (σ(ℓ) − t) into logits.grad_buffer().
    (void)logits, (void)targets;
    throw std::logic_error("exercise 2.1: bce_with_logits is not written yet");
}

Tensor discriminator_loss(const Tensor& real_logits, const Tensor& fake_logits) {
    // TODO (exercise 2.2)
    (void)real_logits, (void)fake_logits;
    throw std::logic_error("exercise 2.2: discriminator_loss is not written yet");
}

Tensor generator_loss_minimax(const Tensor& fake_logits) {
    // TODO (exercise 2.2)
    (void)fake_logits;
    throw std::logic_error("exercise 2.2: generator_loss_minimax is not written yet");
}

Tensor generator_loss_non_saturating(const Tensor& fake_logits) {
    // TODO (exercise 2.2)
    (void)fake_logits;
    throw std::logic_error("exercise 2.2: generator_loss_non_saturating is not written yet");
}

}  // namespace mmgen::exercises
