#pragma once
// Chapter 05's exercises: write these functions in exercises.cpp (beside this file), then
//
//     cmake --build build --target exercise_ch05 && build/bin/exercise_ch05
//
// runs tests/exercises/exercise_ch05.cpp against your code. The solutions are the library's:
// the shapes `conv2d` and `conv_transpose2d` produce (lib/mmgen/core/ops_conv.cpp), `im2col`
// (lib/mmgen/core/im2col.cpp), `batch_norm`'s backward (lib/mmgen/core/ops_norm.cpp) and
// `gaussian_kl` (lib/mmgen/nn/distributions.cpp) applied to the codes' moments;
// build/bin/exercise_ch05_solution runs the same checks on them (tests/exercises/solution_ch05.cpp).
#include <cstddef>
#include <vector>

#include <mmgen/core/im2col.hpp>  // ConvGeometry
#include <mmgen/core/tensor.hpp>

namespace mmgen::exercises {

// Exercise 5.1 — the side length of a convolution's output and of a transposed convolution's,
// for an input side `in`, a kernel side k, stride s and padding p (README §1):
//   convolution             out = ⌊(in + 2p − k) / s⌋ + 1          (in + 2p ≥ k)
//   transposed convolution  out = (in − 1)·s − 2p + k
std::size_t conv_output_side(std::size_t in, std::size_t kernel, std::size_t stride, std::size_t padding);
std::size_t conv_transpose_output_side(std::size_t in, std::size_t kernel, std::size_t stride, std::size_t padding);

// Exercise 5.2 — im2col for one image: `image` holds (C, H, W) values row-major; return the
// patch matrix cols (C·kh·kw, Ho·Wo), row-major, where row (c·kh + i)·kw + j of column oh·Wo + ow
// holds image[c, oh·s − p + i, ow·s − p + j], or 0 where that falls in the padding.
std::vector<real> im2col_one_image(const std::vector<real>& image, const ConvGeometry& g);

// Exercise 5.3 — batch norm's input gradient by hand, for x (N, C), per channel c over its N
// values, with x̂ = (x − μ)/√(σ² + ε) and g = dy:
//   training  (μ, σ² the batch's, biased)   dx = γ/√(σ² + ε) · (g − mean g − x̂ · mean(g·x̂))
//   eval      (σ² = running_var)             dx = γ/√(σ² + ε) · g
// Returns dx (N, C) as plain values (a tensor without a graph).
Tensor batch_norm_input_gradient(const Tensor& x, const Tensor& gamma, const Tensor& running_var, const Tensor& dy,
                                 bool training, real eps = real(1e-5));

// Exercise 5.5 — what the KL term says about the codes' statistics. `mu`, `logvar` (n, d) are the
// posteriors q(z|xᵢ) = N(μᵢ, diag σᵢ²) of n images; their average, the aggregate posterior, has per
// dimension the mean and variance
//   mⱼ = meanᵢ μᵢⱼ,    sⱼ² = meanᵢ σᵢⱼ² + meanᵢ (μᵢⱼ − mⱼ)²
// Return KL(N(m, diag s²) ‖ N(0, I)) = ½ Σⱼ (mⱼ² + sⱼ² − 1 − log sⱼ²), a scalar, written with the
// library's ops (autograd gives the gradient). It never exceeds the batch mean of the n KL terms.
Tensor aggregate_code_kl(const Tensor& mu, const Tensor& logvar);

}  // namespace mmgen::exercises
