#pragma once
// The differentiable ops. Each op's forward and backward live side by side in one of the
// ops_*.cpp files, with its derivative in a one-line comment. Every op checks its inputs
// and throws std::invalid_argument naming the op and the shapes involved.
//
// Broadcasting, deliberately small: a binary op takes two tensors of the same shape, or one
// of them may be a row vector — shape (N) or (1, N) — repeated over the rows of the other
// (a bias over the batch), or a one-element tensor repeated everywhere.
//
// Op index: where each op lives and the derivative its backward applies (y the output, dy its
// gradient; every backward adds into the inputs' gradients).
//
//   op                          file                 derivative
//   add, sub                    ops_elementwise.cpp  ∂(a ± b)/∂a = 1, ∂/∂b = ±1 (summed over broadcast rows)
//   mul                         ops_elementwise.cpp  ∂(ab)/∂a = b, ∂(ab)/∂b = a
//   div                         ops_elementwise.cpp  ∂(a/b)/∂a = 1/b, ∂(a/b)/∂b = −a/b²
//   add_scalar, mul_scalar      ops_elementwise.cpp  d(x + c)/dx = 1, d(c·x)/dx = c
//   neg                         ops_elementwise.cpp  d(−x)/dx = −1
//   exp, log                    ops_elementwise.cpp  d eˣ/dx = y,  d log x/dx = 1/x
//   sqrt, square, pow           ops_elementwise.cpp  1/(2y),  2x,  p·xᵖ⁻¹
//   sigmoid, tanh               ops_elementwise.cpp  y(1 − y),  1 − y²
//   relu, leaky_relu            ops_elementwise.cpp  1 if x > 0 else 0 (resp. slope)
//   softplus                    ops_elementwise.cpp  σ(x)
//   clamp                       ops_elementwise.cpp  1 inside [lo, hi], 0 outside
//   matmul                      ops_matmul.cpp       dop(A) = dC · op(B)ᵀ,  dop(B) = op(A)ᵀ · dC  (GEMMs)
//   linear                      ops_matmul.cpp       dx = dy · W,  dW = dyᵀ · x,  db = Σ_rows dy
//   sum, mean (all or an axis)  ops_reduce.cpp       dx = dy (÷ n for mean), broadcast back over the axis
//   log_sum_exp                 ops_reduce.cpp       ∂y/∂xⱼ = softmax(x)ⱼ
//   log_softmax                 ops_reduce.cpp       dxₖ = dyₖ − softmax(x)ₖ · Σⱼ dyⱼ
//   reshape, concat, split      ops_shape.cpp        the gradient moved back the way the values moved
//   slice_rows                  ops_shape.cpp        dy lands in rows [begin, end)
//   embedding                   ops_shape.cpp        dW[indices[r]] += dy[r] (scatter-add)
//   conv2d                      ops_conv.cpp         dW = dY′ · colsᵀ,  dx = col2im(Wᵀ · dY′),  db = Σ dy
//   conv_transpose2d            ops_conv.cpp         dx′ = W · im2col(dy),  dW = x′ · im2col(dy)ᵀ
//   max_pool2d                  ops_pool.cpp         dy to the window's arg-max, 0 elsewhere
//   batch_norm                  ops_norm.cpp         training: dx = γ/√(σ² + ε) · (dy − mean dy − x̂ · mean(dy·x̂));
//                                                    eval: dx = γ/√(σ² + ε) · dy;  dγ = Σ dy·x̂,  dβ = Σ dy
//
// Ops built above the core, with their own backward: bce_with_logits, cross_entropy
// (nn/losses.cpp); product_of_experts (nn/distributions.cpp). Everything else — mse,
// gaussian_kl, log_normal_diag, mmd_imq, the models' objectives — is composed from the ops here.
#include <cstddef>
#include <vector>

#include <mmgen/core/tensor.hpp>

namespace mmgen {

// --- elementwise binary (ops_elementwise.cpp) ----------------------------------------------
Tensor add(const Tensor& a, const Tensor& b);
Tensor sub(const Tensor& a, const Tensor& b);
Tensor mul(const Tensor& a, const Tensor& b);
Tensor div(const Tensor& a, const Tensor& b);
Tensor operator+(const Tensor& a, const Tensor& b);
Tensor operator-(const Tensor& a, const Tensor& b);
Tensor operator*(const Tensor& a, const Tensor& b);
Tensor operator/(const Tensor& a, const Tensor& b);

// --- with a constant scalar ----------------------------------------------------------------
Tensor add_scalar(const Tensor& x, real c);  // x + c
Tensor mul_scalar(const Tensor& x, real c);  // c · x
Tensor operator+(const Tensor& x, real c);
Tensor operator+(real c, const Tensor& x);
Tensor operator-(const Tensor& x, real c);
Tensor operator-(real c, const Tensor& x);
Tensor operator*(const Tensor& x, real c);
Tensor operator*(real c, const Tensor& x);
Tensor operator/(const Tensor& x, real c);

// --- elementwise unary ---------------------------------------------------------------------
Tensor neg(const Tensor& x);
Tensor operator-(const Tensor& x);
Tensor exp(const Tensor& x);
Tensor log(const Tensor& x);
Tensor sqrt(const Tensor& x);
Tensor square(const Tensor& x);
Tensor pow(const Tensor& x, real p);
Tensor sigmoid(const Tensor& x);
Tensor tanh(const Tensor& x);
Tensor relu(const Tensor& x);
Tensor leaky_relu(const Tensor& x, real negative_slope = real(0.01));
Tensor softplus(const Tensor& x);  // log(1 + eˣ), computed stably
Tensor clamp(const Tensor& x, real lo, real hi);

// --- matrix products (ops_matmul.cpp), straight to GEMM ------------------------------------
// op(a) · op(b) for rank-2 tensors; op transposes when the flag is set.
Tensor matmul(const Tensor& a, const Tensor& b, bool transpose_a = false, bool transpose_b = false);
// x (B, in) · Wᵀ (in, out) + bias (out): the affine map of nn::Linear, one GEMM, one node.
// bias may be undefined (no bias).
Tensor linear(const Tensor& x, const Tensor& weight, const Tensor& bias);

// --- reductions (ops_reduce.cpp) ----------------------------------------------------------
Tensor sum(const Tensor& x);                                     // shape ()
Tensor mean(const Tensor& x);                                    // shape ()
Tensor sum(const Tensor& x, int axis, bool keepdim = false);     // removes (or keeps as 1) the axis
Tensor mean(const Tensor& x, int axis, bool keepdim = false);
Tensor log_sum_exp(const Tensor& x);   // along the last axis, which is removed
Tensor log_softmax(const Tensor& x);   // along the last axis

// --- shape (ops_shape.cpp) -----------------------------------------------------------------
Tensor reshape(const Tensor& x, Shape shape);
Tensor concat(const std::vector<Tensor>& parts, int axis);
std::vector<Tensor> split(const Tensor& x, const std::vector<std::size_t>& sizes, int axis);
Tensor slice_rows(const Tensor& x, std::size_t begin, std::size_t end);  // rows [begin, end) of axis 0
// Rows of `weight` (V, D) picked by `indices`: result (indices.size(), D).
Tensor embedding(const Tensor& weight, const std::vector<std::size_t>& indices);

// --- convolution (ops_conv.cpp), im2col/col2im + GEMM; see im2col.hpp ----------------------
// x (N, C, H, W), weight (F, C, kh, kw), bias (F) or undefined → (N, F, Ho, Wo),
// Ho = ⌊(H + 2·padding − kh) / stride⌋ + 1. Cross-correlation, as in every deep-learning library.
Tensor conv2d(const Tensor& x, const Tensor& weight, const Tensor& bias, std::size_t stride = 1,
              std::size_t padding = 0);
// The adjoint of conv2d in x (its input gradient as a forward op; "deconvolution"):
// x (N, C_in, H, W), weight (C_in, C_out, kh, kw) — PyTorch's layout — bias (C_out) or undefined
// → (N, C_out, (H − 1)·stride − 2·padding + kh, …). With stride 2 it doubles the resolution.
Tensor conv_transpose2d(const Tensor& x, const Tensor& weight, const Tensor& bias, std::size_t stride = 1,
                        std::size_t padding = 0);
// The same two maps as direct loops over the definition (values only, no graph): the naive twins
// the tests hold conv2d and conv_transpose2d to.
Tensor conv2d_reference(const Tensor& x, const Tensor& weight, const Tensor& bias, std::size_t stride = 1,
                        std::size_t padding = 0);
Tensor conv_transpose2d_reference(const Tensor& x, const Tensor& weight, const Tensor& bias,
                                  std::size_t stride = 1, std::size_t padding = 0);

// --- pooling (ops_pool.cpp) -----------------------------------------------------------------
// The maximum of each kernel × kernel window, windows `stride` apart (no padding):
// (N, C, H, W) → (N, C, ⌊(H − kernel) / stride⌋ + 1, …). Without a stride, windows tile the image.
Tensor max_pool2d(const Tensor& x, std::size_t kernel, std::size_t stride);
Tensor max_pool2d(const Tensor& x, std::size_t kernel);

// --- normalisation (ops_norm.cpp) -----------------------------------------------------------
// Batch normalisation per channel (axis 1) of (N, C) or (N, C, H, W): y = γ·(x − μ)/√(σ² + ε) + β.
// training: μ, σ² are the batch's, and running_mean/running_var (C) are updated in place with
// `momentum` (σ² unbiased there); otherwise the running statistics are used. γ, β (C).
Tensor batch_norm(const Tensor& x, const Tensor& gamma, const Tensor& beta, const Tensor& running_mean,
                  const Tensor& running_var, bool training, real momentum = real(0.1), real eps = real(1e-5));

// Resolves a possibly negative axis against a rank, or throws naming `op`.
std::size_t normalize_axis(const char* op, int axis, std::size_t rank);

}  // namespace mmgen
