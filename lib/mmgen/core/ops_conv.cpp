// Convolution and transposed convolution: im2col/col2im around one GEMM each way.
//
// conv2d, with x (N, C, H, W), W (F, C, kh, kw), y (N, F, Ho, Wo):
//
//     y[n, f, oh, ow] = b[f] + Σ_{c,i,j} W[f, c, i, j] · x[n, c, oh·s − p + i, ow·s − p + j]
//
// With cols = im2col(x) (C·kh·kw, N·Ho·Wo) that is Y′ (F, N·Ho·Wo) = W (F, C·kh·kw) · cols, and y is
// Y′ with its two leading axes swapped (F, N) → (N, F). Differentiating the one product:
//
//   dW    = dY′ · colsᵀ            ∂y/∂W[f,c,i,j] sums x under every window: the weight gradient
//                                  is the correlation of the input with the output gradient;
//   dcols = Wᵀ · dY′, dx = col2im(dcols)
//                                  each input pixel collects dy from every window that read it,
//                                  weighted by the kernel tap that read it: the input gradient is a
//                                  transposed convolution of dy with the same W;
//   db    = Σ_{n,oh,ow} dy.
//
// conv_transpose2d is that input-gradient map as a forward op (the adjoint of conv2d in x): with
// W (C_in, C_out, kh, kw) and x (N, C_in, H, W) it computes cols = Wᵀ · x′ and y = col2im(cols),
// y (N, C_out, Ho, Wo) with Ho = (H − 1)·s − 2p + kh. Its own backward is then conv2d's forward:
// dx′ = W · im2col(dy), dW = x′ · im2col(dy)ᵀ.
#include <mmgen/core/autograd.hpp>
#include <mmgen/core/grad_target.hpp>
#include <mmgen/core/gemm.hpp>
#include <mmgen/core/im2col.hpp>
#include <mmgen/core/ops.hpp>
#include <mmgen/core/parallel.hpp>

#include <algorithm>
#include <stdexcept>
#include <string>

namespace mmgen {

namespace {

std::string str(std::size_t v) { return std::to_string(v); }

void require_rank4(const char* op, const char* what, const Tensor& t, const char* layout) {
    if (t.rank() != 4)
        throw std::invalid_argument(std::string(op) + ": " + what + " must be " + layout + ", got shape " +
                                    t.shape_str());
}

// Checks x, weight, bias and the parameters of a convolution whose input image is (C, H, W)
// = `image` and whose kernel is weight's last two axes; `bias_size` is the number of output
// channels. Throws naming op, shapes and the parameter at fault.
ConvGeometry checked_geometry(const char* op, const Tensor& x, const Tensor& weight, const Tensor& bias,
                              std::size_t weight_in_axis, std::size_t bias_size, std::size_t stride,
                              std::size_t padding) {
    require_rank4(op, "input", x, "(N, C, H, W)");
    require_rank4(op, "weight", weight, weight_in_axis == 1 ? "(out, in, kh, kw)" : "(in, out, kh, kw)");
    const std::string shapes = "input " + x.shape_str() + ", weight " + weight.shape_str();
    if (weight.dim(static_cast<int>(weight_in_axis)) != x.dim(1))
        throw std::invalid_argument(std::string(op) + ": " + shapes + ": the input has " + str(x.dim(1)) +
                                    " channels but the weight expects " +
                                    str(weight.dim(static_cast<int>(weight_in_axis))) + " (axis " +
                                    str(weight_in_axis) + " of the weight)");
    if (stride == 0) throw std::invalid_argument(std::string(op) + ": " + shapes + ": stride must be positive, got 0");
    if (weight.dim(2) == 0 || weight.dim(3) == 0)
        throw std::invalid_argument(std::string(op) + ": " + shapes + ": empty kernel");
    if (bias.defined() && bias.numel() != bias_size)
        throw std::invalid_argument(std::string(op) + ": bias " + bias.shape_str() + " does not match " + shapes +
                                    " (expected " + str(bias_size) + " values, one per output channel)");
    ConvGeometry g;
    g.channels = x.dim(1);
    g.height = x.dim(2);
    g.width = x.dim(3);
    g.kernel_h = weight.dim(2);
    g.kernel_w = weight.dim(3);
    g.stride = stride;
    g.padding = padding;
    return g;
}

// (A, B, S) → (B, A, S): swaps the two leading axes of a buffer of A·B blocks of S values,
// adding into `out` when accumulate is set. With `bias` (A values), block (i, j) gets bias[i]
// added on the way: conv2d's (F, N, P) → (N, F, P) and its bias in one pass over the output.
void swap_leading_axes(const real* in, std::size_t a, std::size_t b, std::size_t s, real* out, bool accumulate,
                       const real* bias = nullptr) {
    const std::size_t grain = std::max<std::size_t>(1, (std::size_t{1} << 14) / std::max<std::size_t>(b * s, 1));
    parallel::for_range(a, grain, [=](std::size_t first, std::size_t end) {  // rows i of the input
        for (std::size_t i = first; i < end; ++i)
            for (std::size_t j = 0; j < b; ++j) {
                const real* from = in + (i * b + j) * s;
                real* to = out + (j * a + i) * s;
                if (accumulate)
                    for (std::size_t k = 0; k < s; ++k) to[k] += from[k];
                else if (bias) {
                    const real shift = bias[i];
                    for (std::size_t k = 0; k < s; ++k) to[k] = from[k] + shift;
                } else
                    std::copy_n(from, s, to);
            }
    });
}

// y[n, f, ·] += b[f]
void add_channel_bias(real* y, const real* b, std::size_t batch, std::size_t channels, std::size_t size) {
    for (std::size_t n = 0; n < batch; ++n)
        for (std::size_t f = 0; f < channels; ++f) {
            real* row = y + (n * channels + f) * size;
            const real shift = b[f];
            for (std::size_t k = 0; k < size; ++k) row[k] += shift;
        }
}

// db[f] += Σ_{n, k} dy[n, f, k]
void accumulate_channel_bias_grad(const real* dy, real* db, std::size_t batch, std::size_t channels, std::size_t size) {
    for (std::size_t n = 0; n < batch; ++n)
        for (std::size_t f = 0; f < channels; ++f) {
            const real* row = dy + (n * channels + f) * size;
            real total = 0;
            for (std::size_t k = 0; k < size; ++k) total += row[k];
            db[f] += total;
        }
}

}  // namespace

Tensor conv2d(const Tensor& x, const Tensor& weight, const Tensor& bias, std::size_t stride, std::size_t padding) {
    const ConvGeometry g = checked_geometry("conv2d", x, weight, bias, 1, weight.rank() == 4 ? weight.dim(0) : 0,
                                            stride, padding);
    if (g.height + 2 * padding < g.kernel_h || g.width + 2 * padding < g.kernel_w)
        throw std::invalid_argument("conv2d: input " + x.shape_str() + ", weight " + weight.shape_str() +
                                    ": the kernel is larger than the input padded by " + str(padding) +
                                    " (kernel or padding at fault)");
    const std::size_t batch = x.dim(0), filters = weight.dim(0);
    const std::size_t k = g.patch_size(), positions = g.out_h() * g.out_w(), columns = batch * positions;

    Tensor cols = Tensor::empty({k, columns});  // (C·kh·kw, N·Ho·Wo)
    im2col(x.data().data(), batch, g, cols.data().data());
    Buffer y_fnp(filters * columns);  // Y′ (F, N·Ho·Wo) = W (F, C·kh·kw) · cols
    gemm({filters, columns, k, false, false}, real(1), weight.data().data(), cols.data().data(), real(0), y_fnp.data());
    Tensor y = Tensor::empty({batch, filters, g.out_h(), g.out_w()});  // (N, F, Ho, Wo)
    // y (N, F, Ho, Wo) = Y′ with (F, N) swapped, + b[f]: one pass
    swap_leading_axes(y_fnp.data(), filters, batch, positions, y.data().data(), false,
                      bias.defined() ? bias.data().data() : nullptr);

    std::vector<Tensor> inputs{x, weight};
    if (bias.defined()) inputs.push_back(bias);
    return record(y, "conv2d", inputs, [x, weight, bias, cols, g, batch, filters, k, positions, columns](Node& out) mutable {
        Buffer dy_fnp(filters * columns);  // dY′ (F, N·Ho·Wo): dy with (N, F) swapped back
        swap_leading_axes(out.grad.data(), batch, filters, positions, dy_fnp.data(), false);
        if (weight.requires_grad()) {  // dW (F, C·kh·kw) += dY′ (F, N·Ho·Wo) · colsᵀ (N·Ho·Wo, C·kh·kw)
            const auto [dw, fresh] = grad_target(weight);  // written with beta = 0 when new
            gemm({filters, k, columns, false, true}, real(1), dy_fnp.data(), cols.data().data(), fresh ? real(0) : real(1),
                 dw.data());
        }
        if (x.requires_grad()) {
            Buffer dcols(k * columns);  // dcols (C·kh·kw, N·Ho·Wo) = Wᵀ (C·kh·kw, F) · dY′ (F, N·Ho·Wo)
            gemm({k, columns, filters, true, false}, real(1), weight.data().data(), dy_fnp.data(), real(0), dcols.data());
            const auto [dx, fresh] = grad_target(x);  // a new gradient is set, not added to: no zero-fill
            col2im(dcols.data(), batch, g, dx.data(), fresh);  // dx (N, C, H, W) += col2im(dcols)
        }
        if (bias.defined() && bias.requires_grad())  // db (F) = Σ_{n, oh, ow} dy
            accumulate_channel_bias_grad(out.grad.data(), bias.grad_buffer().data(), batch, filters, positions);
    });
}

Tensor conv_transpose2d(const Tensor& x, const Tensor& weight, const Tensor& bias, std::size_t stride,
                        std::size_t padding) {
    // geometry of the convolution this op is the adjoint of: its input is our output (C_out, Ho, Wo)
    ConvGeometry xg = checked_geometry("conv_transpose2d", x, weight, bias, 0, weight.rank() == 4 ? weight.dim(1) : 0,
                                       stride, padding);
    const std::size_t batch = x.dim(0), in_channels = x.dim(1), out_channels = weight.dim(1);
    const std::size_t full_h = (xg.height - 1) * stride + xg.kernel_h, full_w = (xg.width - 1) * stride + xg.kernel_w;
    if (xg.height == 0 || xg.width == 0 || full_h <= 2 * padding || full_w <= 2 * padding)
        throw std::invalid_argument("conv_transpose2d: input " + x.shape_str() + ", weight " + weight.shape_str() +
                                    ", stride " + str(stride) + ": padding " + str(padding) +
                                    " leaves no output (Ho = (H − 1)·stride − 2·padding + kh)");
    ConvGeometry g = xg;  // the conv whose input is y (C_out, Ho, Wo) and whose output is x (C_in, H, W)
    g.channels = out_channels;
    g.height = full_h - 2 * padding;
    g.width = full_w - 2 * padding;
    const std::size_t k = g.patch_size(), positions = xg.height * xg.width, columns = batch * positions;

    Buffer x_cnp(in_channels * columns);  // x′ (C_in, N·H·W)
    swap_leading_axes(x.data().data(), batch, in_channels, positions, x_cnp.data(), false);
    Buffer cols(k * columns);  // cols (C_out·kh·kw, N·H·W) = Wᵀ (C_out·kh·kw, C_in) · x′ (C_in, N·H·W)
    gemm({k, columns, in_channels, true, false}, real(1), weight.data().data(), x_cnp.data(), real(0), cols.data());
    Tensor y = Tensor::empty({batch, out_channels, g.height, g.width});  // (N, C_out, Ho, Wo)
    col2im(cols.data(), batch, g, y.data().data(), true);
    if (bias.defined()) add_channel_bias(y.data().data(), bias.data().data(), batch, out_channels, g.height * g.width);

    std::vector<Tensor> inputs{x, weight};
    if (bias.defined()) inputs.push_back(bias);
    Tensor x_cnp_t = Tensor::from_buffer({in_channels, columns}, std::move(x_cnp));
    return record(y, "conv_transpose2d", inputs,
                  [x, weight, bias, x_cnp_t, g, batch, in_channels, out_channels, k, positions, columns](Node& out) mutable {
        Buffer dcols(k * columns);  // im2col(dy) (C_out·kh·kw, N·H·W)
        im2col(out.grad.data(), batch, g, dcols.data());
        if (weight.requires_grad()) {  // dW (C_in, C_out·kh·kw) += x′ (C_in, N·H·W) · im2col(dy)ᵀ
            const auto [dw, fresh] = grad_target(weight);  // written with beta = 0 when new
            gemm({in_channels, k, columns, false, true}, real(1), x_cnp_t.data().data(), dcols.data(),
                 fresh ? real(0) : real(1), dw.data());
        }
        if (x.requires_grad()) {  // dx′ (C_in, N·H·W) = W (C_in, C_out·kh·kw) · im2col(dy): conv2d of dy
            Buffer dx_cnp(in_channels * columns);
            gemm({in_channels, columns, k, false, false}, real(1), weight.data().data(), dcols.data(), real(0),
                 dx_cnp.data());
            const auto [dx, fresh] = grad_target(x);  // dx (N, C_in, H, W) += dx′ swapped back (= when new)
            swap_leading_axes(dx_cnp.data(), in_channels, batch, positions, dx.data(), !fresh);
        }
        if (bias.defined() && bias.requires_grad())  // db (C_out) = Σ_{n, oh, ow} dy
            accumulate_channel_bias_grad(out.grad.data(), bias.grad_buffer().data(), batch, out_channels,
                                         g.height * g.width);
    });
}

// --- the naive twins: the definitions as loops, for the tests -----------------------------------

Tensor conv2d_reference(const Tensor& x, const Tensor& weight, const Tensor& bias, std::size_t stride,
                        std::size_t padding) {
    const ConvGeometry g = checked_geometry("conv2d_reference", x, weight, bias, 1,
                                            weight.rank() == 4 ? weight.dim(0) : 0, stride, padding);
    if (g.height + 2 * padding < g.kernel_h || g.width + 2 * padding < g.kernel_w)
        throw std::invalid_argument("conv2d_reference: input " + x.shape_str() + ", weight " + weight.shape_str() +
                                    ": the kernel is larger than the padded input");
    const std::size_t batch = x.dim(0), filters = weight.dim(0), ho = g.out_h(), wo = g.out_w();
    Tensor y = Tensor::zeros({batch, filters, ho, wo});
    const auto xs = x.data();
    const auto ws = weight.data();
    auto ys = y.data();
    for (std::size_t n = 0; n < batch; ++n)
        for (std::size_t f = 0; f < filters; ++f)
            for (std::size_t oh = 0; oh < ho; ++oh)
                for (std::size_t ow = 0; ow < wo; ++ow) {
                    double total = bias.defined() ? double(bias.data()[f]) : 0.0;
                    for (std::size_t c = 0; c < g.channels; ++c)
                        for (std::size_t i = 0; i < g.kernel_h; ++i)
                            for (std::size_t j = 0; j < g.kernel_w; ++j) {
                                const auto ih = static_cast<std::ptrdiff_t>(oh * stride + i) - static_cast<std::ptrdiff_t>(padding);
                                const auto iw = static_cast<std::ptrdiff_t>(ow * stride + j) - static_cast<std::ptrdiff_t>(padding);
                                if (ih < 0 || iw < 0 || ih >= static_cast<std::ptrdiff_t>(g.height) ||
                                    iw >= static_cast<std::ptrdiff_t>(g.width))
                                    continue;
                                total += double(ws[((f * g.channels + c) * g.kernel_h + i) * g.kernel_w + j]) *
                                         double(xs[((n * g.channels + c) * g.height + static_cast<std::size_t>(ih)) * g.width +
                                                   static_cast<std::size_t>(iw)]);
                            }
                    ys[((n * filters + f) * ho + oh) * wo + ow] = static_cast<real>(total);
                }
    return y;
}

Tensor conv_transpose2d_reference(const Tensor& x, const Tensor& weight, const Tensor& bias, std::size_t stride,
                                  std::size_t padding) {
    const ConvGeometry xg = checked_geometry("conv_transpose2d_reference", x, weight, bias, 0,
                                             weight.rank() == 4 ? weight.dim(1) : 0, stride, padding);
    const std::size_t batch = x.dim(0), cin = x.dim(1), cout = weight.dim(1), kh = xg.kernel_h, kw = xg.kernel_w;
    const std::size_t full_h = (xg.height - 1) * stride + kh, full_w = (xg.width - 1) * stride + kw;
    if (full_h <= 2 * padding || full_w <= 2 * padding)
        throw std::invalid_argument("conv_transpose2d_reference: padding " + str(padding) + " leaves no output");
    const std::size_t ho = full_h - 2 * padding, wo = full_w - 2 * padding;
    Tensor y = Tensor::zeros({batch, cout, ho, wo});
    auto ys = y.data();
    // every input pixel scatters its kernel-weighted value onto the output: y[n, o, h·s − p + i, w·s − p + j] += …
    for (std::size_t n = 0; n < batch; ++n)
        for (std::size_t c = 0; c < cin; ++c)
            for (std::size_t h = 0; h < xg.height; ++h)
                for (std::size_t w = 0; w < xg.width; ++w)
                    for (std::size_t o = 0; o < cout; ++o)
                        for (std::size_t i = 0; i < kh; ++i)
                            for (std::size_t j = 0; j < kw; ++j) {
                                const auto oh = static_cast<std::ptrdiff_t>(h * stride + i) - static_cast<std::ptrdiff_t>(padding);
                                const auto ow = static_cast<std::ptrdiff_t>(w * stride + j) - static_cast<std::ptrdiff_t>(padding);
                                if (oh < 0 || ow < 0 || oh >= static_cast<std::ptrdiff_t>(ho) ||
                                    ow >= static_cast<std::ptrdiff_t>(wo))
                                    continue;
                                ys[((n * cout + o) * ho + static_cast<std::size_t>(oh)) * wo + static_cast<std::size_t>(ow)] +=
                                    x.data()[((n * cin + c) * xg.height + h) * xg.width + w] *
                                    weight.data()[((c * cout + o) * kh + i) * kw + j];
                            }
    if (bias.defined())
        for (std::size_t n = 0; n < batch; ++n)
            for (std::size_t o = 0; o < cout; ++o)
                for (std::size_t p = 0; p < ho * wo; ++p) ys[(n * cout + o) * ho * wo + p] += bias.data()[o];
    return y;
}

}  // namespace mmgen
