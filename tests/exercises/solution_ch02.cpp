// The solutions of chapter 02's exercises are the library's own functions: the checks in
// exercise_ch02.cpp pass on these (exercise_ch02_solution, part of ctest).
#include "exercises.hpp"

#include <mmgen/models/gan.hpp>
#include <mmgen/nn/losses.hpp>

namespace mmgen::exercises {

Tensor bce_with_logits(const Tensor& logits, const Tensor& targets) {
    return mmgen::bce_with_logits(logits, targets, Reduction::none);
}
Tensor discriminator_loss(const Tensor& real_logits, const Tensor& fake_logits) {
    return models::discriminator_loss(real_logits, fake_logits);
}
Tensor generator_loss_minimax(const Tensor& fake_logits) { return models::generator_loss_minimax(fake_logits); }
Tensor generator_loss_non_saturating(const Tensor& fake_logits) {
    return models::generator_loss_non_saturating(fake_logits);
}

}  // namespace mmgen::exercises
