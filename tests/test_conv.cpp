// Convolution and transposed convolution: the im2col + GEMM path held to direct loops, the
// adjoint relation between the two, gradient checks over every option (stride 1 and 2, padding
// 0 and 1, kernels 3, 4 and 5, non-square images, batch and channels 1 and more), the checker
// rejecting a plausible wrong backward of each, and shape errors that name the parameter at fault.
#include <cstddef>
#include <string>
#include <type_traits>
#include <vector>

#include <catch2/catch.hpp>

#include <mmgen/core/autograd.hpp>
#include <mmgen/core/im2col.hpp>
#include <mmgen/core/ops.hpp>

#include "support.hpp"

using namespace mmgen;
using Catch::Matchers::Contains;
using mmgen::test::random_input;
using mmgen::test::require_gradient_matches;
using mmgen::test::require_values;

namespace {

struct ConvCase {
    std::size_t batch, in_channels, out_channels, height, width, kernel, stride, padding;
    std::string str() const {
        return "batch " + std::to_string(batch) + ", channels " + std::to_string(in_channels) + " → " +
               std::to_string(out_channels) + ", image " + std::to_string(height) + "×" + std::to_string(width) +
               ", kernel " + std::to_string(kernel) + ", stride " + std::to_string(stride) + ", padding " +
               std::to_string(padding);
    }
};

// Every combination of stride {1, 2} × padding {0, 1} × kernel {3, 4, 5}, once with a single image
// and channel and once with several, on a non-square 7 × 6 image.
ConvCase any_conv_case() {
    const std::size_t stride = GENERATE(1, 2);
    const std::size_t padding = GENERATE(0, 1);
    const std::size_t kernel = GENERATE(3, 4, 5);
    const bool several = GENERATE(false, true);
    return several ? ConvCase{2, 3, 2, 7, 6, kernel, stride, padding} : ConvCase{1, 1, 1, 7, 6, kernel, stride, padding};
}

// The largest |a − b| relative to the largest |b| (or absolute below 1).
double max_difference(const Tensor& a, const Tensor& b) {
    REQUIRE(a.shape() == b.shape());
    double worst = 0;
    for (std::size_t i = 0; i < a.numel(); ++i) {
        const double scale = std::max(1.0, std::abs(double(b.data()[i])));
        worst = std::max(worst, std::abs(double(a.data()[i]) - double(b.data()[i])) / scale);
    }
    return worst;
}

double dot(const Tensor& a, const Tensor& b) {
    double total = 0;
    for (std::size_t i = 0; i < a.numel(); ++i) total += double(a.data()[i]) * double(b.data()[i]);
    return total;
}

// The value of x at (n, c, h, w), or 0 outside the image (in the padding).
real pixel(const Tensor& x, std::size_t n, std::size_t c, std::ptrdiff_t h, std::ptrdiff_t w) {
    if (h < 0 || w < 0 || h >= std::ptrdiff_t(x.dim(2)) || w >= std::ptrdiff_t(x.dim(3))) return 0;
    return x.data()[((n * x.dim(1) + c) * x.dim(2) + std::size_t(h)) * x.dim(3) + std::size_t(w)];
}

}  // namespace

// --- forward values --------------------------------------------------------------------------------

TEST_CASE("conv2d computes a hand-worked cross-correlation with stride, padding and bias", "[conv]") {
    // x = [[1 2 3], [4 5 6], [7 8 9]], kernel [[1 0], [0 −1]]: each output is top-left − bottom-right
    const Tensor x = Tensor::from_data({1, 1, 3, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 9});
    const Tensor w = Tensor::from_data({1, 1, 2, 2}, {1, 0, 0, -1});
    SECTION("stride 1, no padding: a 2 × 2 output of −4 (+ bias)") {
        const Tensor y = conv2d(x, w, Tensor::from_data({1}, {10}));
        CHECK(y.shape() == Shape{1, 1, 2, 2});
        require_values(y, {6, 6, 6, 6});
    }
    SECTION("padding 1, stride 2: the corners see the zero border") {
        const Tensor y = conv2d(x, w, Tensor(), 2, 1);
        CHECK(y.shape() == Shape{1, 1, 2, 2});
        // windows start at (−1, −1), (−1, 1), (1, −1), (1, 1): 0 − 1, 0 − 3, 0 − 7, 5 − 9
        require_values(y, {-1, -3, -7, -4});
    }
}

TEST_CASE("conv2d through im2col and GEMM agrees with the direct loops", "[conv]") {
    const ConvCase c = any_conv_case();
    INFO(c.str());
    Rng rng(5);
    const Tensor x = random_input({c.batch, c.in_channels, c.height, c.width}, rng);
    const Tensor w = random_input({c.out_channels, c.in_channels, c.kernel, c.kernel}, rng);
    const Tensor b = random_input({c.out_channels}, rng);
    const Tensor fast = conv2d(x, w, b, c.stride, c.padding), naive = conv2d_reference(x, w, b, c.stride, c.padding);
    CHECK(fast.shape() == Shape{c.batch, c.out_channels, (c.height + 2 * c.padding - c.kernel) / c.stride + 1,
                                (c.width + 2 * c.padding - c.kernel) / c.stride + 1});
    CHECK(max_difference(fast, naive) <= test::reordered_sum_tol);
}

TEST_CASE("conv_transpose2d through GEMM and col2im agrees with the direct loops", "[conv]") {
    const ConvCase c = any_conv_case();
    INFO(c.str());
    Rng rng(6);
    const Tensor x = random_input({c.batch, c.in_channels, 4, 3}, rng);
    const Tensor w = random_input({c.in_channels, c.out_channels, c.kernel, c.kernel}, rng);
    const Tensor b = random_input({c.out_channels}, rng);
    const Tensor fast = conv_transpose2d(x, w, b, c.stride, c.padding);
    CHECK(fast.shape() == Shape{c.batch, c.out_channels, 3 * c.stride - 2 * c.padding + c.kernel,
                                2 * c.stride - 2 * c.padding + c.kernel});
    CHECK(max_difference(fast, conv_transpose2d_reference(x, w, b, c.stride, c.padding)) <= test::reordered_sum_tol);
}

TEST_CASE("conv_transpose2d is the adjoint of conv2d: <conv2d(x), y> = <x, conv_transpose2d(y)>", "[conv]") {
    const ConvCase c = any_conv_case();
    // an image size whose last window ends on the last row and column, (H + 2p − k) a multiple of the
    // stride: otherwise conv2d never reads those rows and, as in PyTorch without output_padding, the
    // transposed convolution returns an image that many rows shorter
    const std::size_t h = c.height + (c.height + 2 * c.padding - c.kernel) % c.stride;
    const std::size_t w = c.width + (c.width + 2 * c.padding - c.kernel) % c.stride;
    INFO(c.str() << ", image " << h << "×" << w);
    Rng rng(7);
    const Tensor x = random_input({c.batch, c.in_channels, h, w}, rng);
    const Tensor weight = random_input({c.out_channels, c.in_channels, c.kernel, c.kernel}, rng);
    const Tensor conv_x = conv2d(x, weight, Tensor(), c.stride, c.padding);
    const Tensor y = random_input(conv_x.shape(), rng);
    const Tensor back = conv_transpose2d(y, weight, Tensor(), c.stride, c.padding);
    REQUIRE(back.shape() == x.shape());
    const double lhs = dot(conv_x, y), rhs = dot(x, back);
    CHECK_THAT(lhs, Catch::Matchers::WithinRel(rhs, test::reordered_sum_tol) || Catch::Matchers::WithinAbs(rhs, test::reordered_sum_tol));
}

TEST_CASE("im2col lays each window out as a column and col2im adds it back onto its pixels", "[conv]") {
    // a 1 × 3 × 3 image, 2 × 2 windows, stride 1: four columns of four values
    const std::vector<real> image = {1, 2, 3, 4, 5, 6, 7, 8, 9};
    const ConvGeometry g{1, 3, 3, 2, 2, 1, 0};
    std::vector<real> cols(g.patch_size() * g.out_h() * g.out_w());
    im2col(image.data(), 1, g, cols.data());
    // rows: tap (0,0), (0,1), (1,0), (1,1); columns: windows at (0,0), (0,1), (1,0), (1,1)
    CHECK(cols == std::vector<real>{1, 2, 4, 5, 2, 3, 5, 6, 4, 5, 7, 8, 5, 6, 8, 9});
    std::vector<real> counts(9, 0), ones(cols.size(), 1);
    col2im(ones.data(), 1, g, counts.data());
    // each pixel receives one 1 per window that covers it
    CHECK(counts == std::vector<real>{1, 2, 1, 2, 4, 2, 1, 2, 1});
}

TEST_CASE("im2col and col2im through padded planes equal the direct loops bit for bit", "[conv]") {
    // (channels, height, width, kernel_h, kernel_w, stride, padding): the chapters' layers (3×3 p1,
    // 4×4 s2 p1), no padding, a wide kernel, a stride that skips pixels, uneven sides
    const ConvGeometry geometries[] = {{1, 28, 28, 3, 3, 1, 1}, {3, 14, 14, 3, 3, 1, 1}, {2, 14, 14, 4, 4, 2, 1},
                                       {2, 7, 7, 4, 4, 2, 1},   {2, 5, 6, 2, 3, 1, 0},   {1, 9, 8, 3, 2, 3, 2},
                                       {2, 6, 5, 5, 5, 1, 2}};
    Rng rng(7);
    for (const ConvGeometry& g : geometries) {
        const std::size_t batch = 3, columns = batch * g.out_h() * g.out_w();
        INFO("C " << g.channels << ", " << g.height << "×" << g.width << ", kernel " << g.kernel_h << "×" << g.kernel_w
                  << ", stride " << g.stride << ", padding " << g.padding);
        const Tensor images = random_input({batch, g.image_size()}, rng);
        std::vector<real> fast(g.patch_size() * columns, real(-7)), direct(fast.size(), real(-3));
        im2col(images.data().data(), batch, g, fast.data());
        im2col_reference(images.data().data(), batch, g, direct.data());
        CHECK(fast == direct);  // every value written, padding as 0

        const Tensor cols = random_input({g.patch_size(), columns}, rng);
        for (const bool overwrite : {true, false}) {
            INFO("overwrite " << overwrite);
            const Tensor start = random_input({batch, g.image_size()}, rng);
            std::vector<real> sums(start.data().begin(), start.data().end()), direct_sums = sums;
            col2im(cols.data().data(), batch, g, sums.data(), overwrite);
            col2im_reference(cols.data().data(), batch, g, direct_sums.data(), overwrite);
            CHECK(sums == direct_sums);
        }
    }
}

// --- gradients -------------------------------------------------------------------------------------

TEST_CASE("conv2d's gradients match central differences for every stride, padding and kernel",
          "[conv][gradcheck]") {
    const ConvCase c = any_conv_case();
    const bool with_bias = GENERATE(true, false);
    INFO(c.str() << (with_bias ? ", with bias" : ", no bias"));
    Rng rng(8);
    std::vector<Tensor> inputs{random_input({c.batch, c.in_channels, c.height, c.width}, rng),
                               random_input({c.out_channels, c.in_channels, c.kernel, c.kernel}, rng)};
    if (with_bias) inputs.push_back(random_input({c.out_channels}, rng));
    require_gradient_matches("conv2d", [&](const std::vector<Tensor>& in) {
        return conv2d(in[0], in[1], with_bias ? in[2] : Tensor(), c.stride, c.padding);
    }, inputs);
}

TEST_CASE("conv_transpose2d's gradients match central differences for every stride, padding and kernel",
          "[conv][gradcheck]") {
    const ConvCase c = any_conv_case();
    const bool with_bias = GENERATE(true, false);
    INFO(c.str() << (with_bias ? ", with bias" : ", no bias"));
    Rng rng(9);
    std::vector<Tensor> inputs{random_input({c.batch, c.in_channels, 4, 3}, rng),
                               random_input({c.in_channels, c.out_channels, c.kernel, c.kernel}, rng)};
    if (with_bias) inputs.push_back(random_input({c.out_channels}, rng));
    require_gradient_matches("conv_transpose2d", [&](const std::vector<Tensor>& in) {
        return conv_transpose2d(in[0], in[1], with_bias ? in[2] : Tensor(), c.stride, c.padding);
    }, inputs);
}

TEST_CASE("a convolution used twice accumulates both gradients", "[conv][gradcheck]") {
    Rng rng(10);
    const Tensor x = random_input({1, 2, 5, 5}, rng), w = random_input({2, 2, 3, 3}, rng);
    require_gradient_matches("conv2d(conv2d(x))", [](const std::vector<Tensor>& in) {
        return conv2d(conv2d(in[0], in[1], Tensor(), 1, 1), in[1], Tensor(), 1, 1) + in[0];
    }, {x, w});
}

namespace {

// conv2d's forward with an input gradient written as loops: dx[n,c,h,w] += Σ dy[n,f,oh,ow]·W[f,c,i,j]
// over the (oh, ow, i, j) with oh·s − p + i = h — or, with flip_kernel, W[f,c,kh−1−i,kw−1−j]: the
// "a convolution's gradient is a convolution with the flipped kernel" rule applied a second time
// to an index map that already accounts for it.
Tensor conv2d_with_loop_input_gradient(const Tensor& x, const Tensor& w, std::size_t s, std::size_t p, bool flip_kernel) {
    Tensor y;
    {
        NoGradGuard no_grad;
        y = conv2d(x, w, Tensor(), s, p);
    }
    return record(y, "conv2d_loops", {x}, [x, w, s, p, flip_kernel](Node& out) {
        auto dx = x.grad_buffer();
        const std::size_t kh = w.dim(2), kw = w.dim(3), ho = out.shape[2], wo = out.shape[3];
        for (std::size_t n = 0; n < x.dim(0); ++n)
            for (std::size_t f = 0; f < w.dim(0); ++f)
                for (std::size_t c = 0; c < x.dim(1); ++c)
                    for (std::size_t oh = 0; oh < ho; ++oh)
                        for (std::size_t ow = 0; ow < wo; ++ow)
                            for (std::size_t i = 0; i < kh; ++i)
                                for (std::size_t j = 0; j < kw; ++j) {
                                    const auto h = std::ptrdiff_t(oh * s + i) - std::ptrdiff_t(p);
                                    const auto v = std::ptrdiff_t(ow * s + j) - std::ptrdiff_t(p);
                                    if (h < 0 || v < 0 || h >= std::ptrdiff_t(x.dim(2)) || v >= std::ptrdiff_t(x.dim(3)))
                                        continue;
                                    const std::size_t ti = flip_kernel ? kh - 1 - i : i, tj = flip_kernel ? kw - 1 - j : j;
                                    dx[((n * x.dim(1) + c) * x.dim(2) + std::size_t(h)) * x.dim(3) + std::size_t(v)] +=
                                        out.grad[((n * w.dim(0) + f) * ho + oh) * wo + ow] *
                                        w.data()[((f * w.dim(1) + c) * kh + ti) * kw + tj];
                                }
    });
}

// conv_transpose2d's forward with a weight gradient written as loops,
// dW[c,o,i,j] = Σ x[n,c,h,w]·dy[n,o,h·s−p+i,w·s−p+j] — or, with swap_channels, stored at dW[o,c,i,j]
// (conv2d's (out, in) layout mistaken for conv_transpose2d's (in, out)).
Tensor conv_transpose2d_with_loop_weight_gradient(const Tensor& x, const Tensor& w, std::size_t s, std::size_t p,
                                                  bool swap_channels) {
    Tensor y;
    {
        NoGradGuard no_grad;
        y = conv_transpose2d(x, w, Tensor(), s, p);
    }
    return record(y, "conv_transpose2d_loops", {w}, [x, w, s, p, swap_channels](Node& out) {
        auto dw = w.grad_buffer();
        const std::size_t cin = w.dim(0), cout = w.dim(1), kh = w.dim(2), kw = w.dim(3);
        Tensor dy = Tensor::from_buffer(out.shape, out.grad);
        for (std::size_t n = 0; n < x.dim(0); ++n)
            for (std::size_t c = 0; c < cin; ++c)
                for (std::size_t o = 0; o < cout; ++o)
                    for (std::size_t h = 0; h < x.dim(2); ++h)
                        for (std::size_t v = 0; v < x.dim(3); ++v)
                            for (std::size_t i = 0; i < kh; ++i)
                                for (std::size_t j = 0; j < kw; ++j) {
                                    const std::size_t at = swap_channels ? ((o * cin + c) * kh + i) * kw + j
                                                                         : ((c * cout + o) * kh + i) * kw + j;
                                    dw[at] += pixel(x, n, c, std::ptrdiff_t(h), std::ptrdiff_t(v)) *
                                              pixel(dy, n, o, std::ptrdiff_t(h * s + i) - std::ptrdiff_t(p),
                                                    std::ptrdiff_t(v * s + j) - std::ptrdiff_t(p));
                                }
    });
}

}  // namespace

TEST_CASE("the gradient checker rejects a plausible wrong convolution backward", "[conv][gradcheck]") {
    Rng rng(11);
    GradcheckResult result;
    Rng upstream(12);
    SECTION("conv2d's input gradient with the kernel flipped once too often") {
        const Tensor x = random_input({2, 2, 6, 5}, rng), w = random_input({3, 2, 3, 3}, rng);
        const auto correct = gradcheck("conv2d loops", [&](const std::vector<Tensor>& in) {
            return conv2d_with_loop_input_gradient(in[0], w, 2, 1, false);
        }, {x}, upstream);
        INFO(correct.message);
        REQUIRE(correct.ok);  // the loop-written gradient itself is right
        result = gradcheck("conv2d flipped", [&](const std::vector<Tensor>& in) {
            return conv2d_with_loop_input_gradient(in[0], w, 2, 1, true);
        }, {x}, upstream);
    }
    SECTION("conv_transpose2d's weight gradient stored in conv2d's (out, in) layout") {
        const Tensor x = random_input({2, 2, 3, 4}, rng), w = random_input({2, 2, 4, 4}, rng);
        const auto correct = gradcheck("conv_transpose2d loops", [&](const std::vector<Tensor>& in) {
            return conv_transpose2d_with_loop_weight_gradient(x, in[0], 2, 1, false);
        }, {w}, upstream);
        INFO(correct.message);
        REQUIRE(correct.ok);
        result = gradcheck("conv_transpose2d swapped", [&](const std::vector<Tensor>& in) {
            return conv_transpose2d_with_loop_weight_gradient(x, in[0], 2, 1, true);
        }, {w}, upstream);
    }
    INFO(result.message);
    CHECK_FALSE(result.ok);
    CHECK(result.max_relative_error > 0.1);
}

// --- shape errors ----------------------------------------------------------------------------------

TEST_CASE("convolutions refuse bad shapes and parameters, naming the op, the shapes and the parameter",
          "[conv][errors]") {
    const Tensor x = Tensor::zeros({2, 3, 8, 8}), w = Tensor::zeros({4, 3, 3, 3});
    SECTION("an input that is not (N, C, H, W)") {
        REQUIRE_THROWS_WITH(conv2d(Tensor::zeros({2, 192}), w, Tensor()),
                            Contains("conv2d") && Contains("input") && Contains("(2, 192)") && Contains("(N, C, H, W)"));
    }
    SECTION("channels that do not match the weight") {
        REQUIRE_THROWS_WITH(conv2d(Tensor::zeros({2, 1, 8, 8}), w, Tensor()),
                            Contains("conv2d") && Contains("(2, 1, 8, 8)") && Contains("(4, 3, 3, 3)") &&
                                Contains("channels"));
        REQUIRE_THROWS_WITH(conv_transpose2d(x, Tensor::zeros({4, 2, 3, 3}), Tensor()),
                            Contains("conv_transpose2d") && Contains("(4, 2, 3, 3)") && Contains("axis 0"));
    }
    SECTION("a bias with the wrong number of values") {
        REQUIRE_THROWS_WITH(conv2d(x, w, Tensor::zeros({3})),
                            Contains("conv2d") && Contains("bias (3)") && Contains("expected 4"));
    }
    SECTION("a zero stride") {
        REQUIRE_THROWS_WITH(conv2d(x, w, Tensor(), 0), Contains("conv2d") && Contains("stride"));
        REQUIRE_THROWS_WITH(conv_transpose2d(x, Tensor::zeros({3, 4, 3, 3}), Tensor(), 0),
                            Contains("conv_transpose2d") && Contains("stride"));
    }
    SECTION("a kernel larger than the padded image") {
        REQUIRE_THROWS_WITH(conv2d(Tensor::zeros({1, 3, 2, 8}), w, Tensor()),
                            Contains("conv2d") && Contains("(1, 3, 2, 8)") && Contains("kernel"));
    }
    SECTION("padding that leaves a transposed convolution no output") {
        REQUIRE_THROWS_WITH(conv_transpose2d(Tensor::zeros({1, 3, 1, 1}), Tensor::zeros({3, 2, 2, 2}), Tensor(), 1, 1),
                            Contains("conv_transpose2d") && Contains("padding 1"));
    }
}
