// The solutions of chapter 05's exercises are the library's own functions: the checks in
// exercise_ch05.cpp pass on these (exercise_ch05_solution, part of ctest).
#include "exercises.hpp"

#include <algorithm>

#include <mmgen/core/ops.hpp>
#include <mmgen/nn/distributions.hpp>

namespace mmgen::exercises {

namespace {
// The side of what the library's op gives for one 1-channel in × in image and a k × k kernel.
template <class Op>
std::size_t side_of(Op op, std::size_t in, std::size_t kernel, std::size_t stride, std::size_t padding) {
    const Tensor image = Tensor::zeros({1, 1, in, in}), weight = Tensor::zeros({1, 1, kernel, kernel});
    return op(image, weight, Tensor(), stride, padding).dim(2);
}
}  // namespace

std::size_t conv_output_side(std::size_t in, std::size_t kernel, std::size_t stride, std::size_t padding) {
    return side_of(conv2d, in, kernel, stride, padding);
}
std::size_t conv_transpose_output_side(std::size_t in, std::size_t kernel, std::size_t stride, std::size_t padding) {
    return side_of(conv_transpose2d, in, kernel, stride, padding);
}

std::vector<real> im2col_one_image(const std::vector<real>& image, const ConvGeometry& g) {
    std::vector<real> cols(g.patch_size() * g.out_h() * g.out_w());
    mmgen::im2col(image.data(), 1, g, cols.data());
    return cols;
}

// batch_norm's own backward: dy sent back through the op, read off x's gradient.
Tensor batch_norm_input_gradient(const Tensor& x, const Tensor& gamma, const Tensor& running_var, const Tensor& dy,
                                 bool training, real eps) {
    const Tensor input = x.detach().set_requires_grad(), running_mean = Tensor::zeros({x.dim(1)});
    batch_norm(input, gamma.detach(), Tensor::zeros({x.dim(1)}), running_mean, running_var.clone(), training, real(0.1), eps)
        .backward(dy);
    return Tensor::from_data(x.shape(), {input.grad().begin(), input.grad().end()});
}

// The aggregate posterior's moments, then the library's KL to N(0, I) of the one Gaussian they define.
Tensor aggregate_code_kl(const Tensor& mu, const Tensor& logvar) {
    const Tensor m = mean(mu, 0, true);                                                // (1, d)
    const Tensor s2 = mean(exp(logvar), 0, true) + mean(square(mu - m), 0, true);      // (1, d)
    return gaussian_kl(m, log(s2));
}

}  // namespace mmgen::exercises
