// Chapter 05's exercises — your code goes where it says TODO. See exercises.hpp for the tasks and
// chapters/05_convolutional/README.md ("Exercises") for the derivations.
#include "exercises.hpp"

#include <stdexcept>

namespace mmgen::exercises {

std::size_t conv_output_side(std::size_t in, std::size_t kernel, std::size_t stride, std::size_t padding) {
    // TODO (exercise 5.1)
    (void)in, (void)kernel, (void)stride, (void)padding;
    throw std::logic_error("exercise 5.1: conv_output_side is not written yet");
}

std::size_t conv_transpose_output_side(std::size_t in, std::size_t kernel, std::size_t stride, std::size_t padding) {
    // TODO (exercise 5.1)
    (void)in, (void)kernel, (void)stride, (void)padding;
    throw std::logic_error("exercise 5.1: conv_transpose_output_side is not written yet");
}

std::vector<real> im2col_one_image(const std::vector<real>& image, const ConvGeometry& g) {
    // TODO (exercise 5.2): four loops — (c, i, j) pick the row, (oh, ow) the column.
    (void)image, (void)g;
    throw std::logic_error("exercise 5.2: im2col_one_image is not written yet");
}

Tensor batch_norm_input_gradient(const Tensor& x, const Tensor& gamma, const Tensor& running_var, const Tensor& dy,
                                 bool training, real eps) {
    // TODO (exercise 5.3): per channel, the batch's μ and σ² (training) or running_var (eval), then dx.
    (void)x, (void)gamma, (void)running_var, (void)dy, (void)training, (void)eps;
    throw std::logic_error("exercise 5.3: batch_norm_input_gradient is not written yet");
}

Tensor aggregate_code_kl(const Tensor& mu, const Tensor& logvar) {
    // TODO (exercise 5.5): m and s² per dimension with mean(·, 0), then the KL of N(m, s²) to N(0, I).
    (void)mu, (void)logvar;
    throw std::logic_error("exercise 5.5: aggregate_code_kl is not written yet");
}

}  // namespace mmgen::exercises
