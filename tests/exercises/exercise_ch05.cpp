// The checks of chapter 05's exercises (chapters/05_convolutional/exercises/). Each checker also has a
// "must fail" case that feeds it a wrong version; exercise 5.4 is a measurement, the same in both builds.
#include <algorithm>
#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include <mmgen/core/gradcheck.hpp>
#include <mmgen/core/im2col.hpp>
#include <mmgen/core/ops.hpp>
#include <mmgen/models/dcgan.hpp>
#include <mmgen/nn/distributions.hpp>

#include "exercises.hpp"

using namespace mmgen;

namespace {

using Side = std::function<std::size_t(std::size_t in, std::size_t kernel, std::size_t stride, std::size_t padding)>;

// "" when `conv` and `transpose` give the sides of what the naive twins conv2d_reference and
// conv_transpose2d_reference produce, for every input side 1…12, kernel 1…5, stride 1…3, padding 0…2.
std::string sides_problem(const Side& conv, const Side& transpose) {
    for (std::size_t in = 1; in <= 12; ++in)
        for (std::size_t k = 1; k <= 5; ++k)
            for (std::size_t s = 1; s <= 3; ++s)
                for (std::size_t p = 0; p <= 2; ++p) {
                    const std::string which = "in " + std::to_string(in) + ", k " + std::to_string(k) + ", s " +
                                              std::to_string(s) + ", p " + std::to_string(p) + ": ";
                    const Tensor image = Tensor::zeros({1, 1, in, in}), weight = Tensor::zeros({1, 1, k, k});
                    if (in + 2 * p >= k) {
                        const std::size_t expected = conv2d_reference(image, weight, Tensor(), s, p).dim(2);
                        if (conv(in, k, s, p) != expected)
                            return which + "the convolution's side is " + std::to_string(conv(in, k, s, p)) + ", expected " +
                                   std::to_string(expected);
                    }
                    if ((in - 1) * s + k > 2 * p) {
                        const std::size_t expected = conv_transpose2d_reference(image, weight, Tensor(), s, p).dim(2);
                        if (transpose(in, k, s, p) != expected)
                            return which + "the transposed convolution's side is " + std::to_string(transpose(in, k, s, p)) +
                                   ", expected " + std::to_string(expected);
                    }
                }
    return "";
}

using Im2col = std::function<std::vector<real>(const std::vector<real>&, const ConvGeometry&)>;

// "" when `im2col` agrees with the library's on one image, value for value, for the README's
// worked example (3×3, k2 s1 p0), a padded stride-2 case with two channels, and the DCGAN's first layer.
std::string im2col_problem(const Im2col& im2col) {
    const ConvGeometry geometries[] = {{1, 3, 3, 2, 2, 1, 0}, {2, 5, 4, 3, 3, 2, 1}, {1, 28, 28, 4, 4, 2, 1}};
    Rng rng(51);
    for (const ConvGeometry& g : geometries) {
        const Tensor image = Tensor::uniform({g.image_size()}, rng, -1, 1);
        std::vector<real> expected(g.patch_size() * g.out_h() * g.out_w());
        mmgen::im2col(image.data().data(), 1, g, expected.data());
        const std::vector<real> cols = im2col(image.to_vector(), g);
        const std::string which = "image (" + std::to_string(g.channels) + ", " + std::to_string(g.height) + ", " +
                                  std::to_string(g.width) + "), kernel " + std::to_string(g.kernel_h) + "×" +
                                  std::to_string(g.kernel_w) + ", stride " + std::to_string(g.stride) + ", padding " +
                                  std::to_string(g.padding) + ": ";
        if (cols.size() != expected.size())
            return which + std::to_string(cols.size()) + " values, expected " + std::to_string(expected.size()) + " (" +
                   std::to_string(g.patch_size()) + " rows × " + std::to_string(g.out_h() * g.out_w()) + " columns)";
        for (std::size_t v = 0; v < cols.size(); ++v)
            if (cols[v] != expected[v])
                return which + "row " + std::to_string(v / (g.out_h() * g.out_w())) + ", column " +
                       std::to_string(v % (g.out_h() * g.out_w())) + " holds " + std::to_string(cols[v]) + ", expected " +
                       std::to_string(expected[v]);
    }
    return "";
}

using BatchNormGradient = std::function<Tensor(const Tensor& x, const Tensor& gamma, const Tensor& running_var,
                                               const Tensor& dy, bool training)>;

// x's gradient when dy is sent back through mmgen::batch_norm (running mean 0, β = 0: dx depends on neither).
Tensor autograd_gradient(const Tensor& x, const Tensor& gamma, const Tensor& running_var, const Tensor& dy, bool training) {
    const std::size_t channels = x.dim(1);
    const Tensor input = x.clone().set_requires_grad();
    batch_norm(input, gamma, Tensor::zeros({channels}), Tensor::zeros({channels}), running_var.clone(), training).backward(dy);
    return Tensor::from_data(x.shape(), {input.grad().begin(), input.grad().end()});
}

// "" when `dx` is batch norm's input gradient — the one autograd sends back through
// mmgen::batch_norm — in training and in evaluation mode.
std::string batch_norm_problem(const BatchNormGradient& dx) {
    Rng rng(53);
    const Tensor x = Tensor::uniform({6, 3}, rng, -2, 3), dy = Tensor::uniform({6, 3}, rng, -1, 1);  // (N, C)
    const Tensor gamma = Tensor::uniform({3}, rng, 0.5, 2), running_var = Tensor::uniform({3}, rng, 0.5, 2);  // (C)
    for (const bool training : {true, false}) {
        const Tensor expected = autograd_gradient(x, gamma, running_var, dy, training);
        const Tensor got = dx(x, gamma, running_var, dy, training);
        if (got.numel() != x.numel()) return "dx has shape " + got.shape_str() + ", expected " + x.shape_str();
        for (std::size_t i = 0; i < x.numel(); ++i)
            if (!(std::abs(got.at(i) - expected.at(i)) < 1e-10))
                return std::string(training ? "training" : "eval") + " mode, value " + std::to_string(i) + " (row " +
                       std::to_string(i / 3) + ", channel " + std::to_string(i % 3) + "): dx = " + std::to_string(got.at(i)) +
                       ", autograd through batch_norm gives " + std::to_string(expected.at(i));
    }
    return "";
}

using CodeKl = std::function<Tensor(const Tensor& mu, const Tensor& logvar)>;

// "" when `kl` is the KL to N(0, I) of the Gaussian with the aggregate posterior's moments: by hand for
// two posteriors, equal to their KL when all posteriors are one, never above the mean KL of random
// posteriors, with the gradient of central differences.
std::string code_kl_problem(const CodeKl& kl) {
    // N(1, 1) and N(−1, 1): m = 0, s² = 1 + 1 = 2, ½ (0 + 2 − 1 − log 2) = 0.153426 (each KL is ½)
    const double two = kl(Tensor::from_data({2, 1}, {1, -1}), Tensor::from_data({2, 1}, {0, 0})).item();
    if (!(std::abs(two - 0.5 * (1 - std::log(2.0))) < 1e-12))
        return "N(1, 1) and N(−1, 1): " + std::to_string(two) + ", expected ½ (1 − log 2) = 0.153426";
    const Tensor mu_row = Tensor::from_data({1, 3}, {0.5, -1, 2}), logvar_row = Tensor::from_data({1, 3}, {-1, 0.3, 0});
    const double same = kl(concat({mu_row, mu_row, mu_row}, 0), concat({logvar_row, logvar_row, logvar_row}, 0)).item();
    const double own = gaussian_kl(mu_row, logvar_row).item();
    if (!(std::abs(same - own) < 1e-12))
        return "three equal posteriors: " + std::to_string(same) + ", expected their own KL " + std::to_string(own);
    Rng rng(55);
    for (int trial = 0; trial < 5; ++trial) {
        const Tensor mu = Tensor::uniform({50, 4}, rng, -2, 2), logvar = Tensor::uniform({50, 4}, rng, -3, 1);  // (n, d)
        const double bound = kl(mu, logvar).item(), mean_kl = gaussian_kl(mu, logvar).item();
        if (!(bound <= mean_kl + 1e-12))
            return "random posteriors (trial " + std::to_string(trial) + "): " + std::to_string(bound) +
                   " exceeds their mean KL " + std::to_string(mean_kl);
    }
    const Tensor mu = Tensor::uniform({5, 3}, rng, -2, 2, true), logvar = Tensor::uniform({5, 3}, rng, -2, 1, true);
    const auto result = gradcheck("aggregate code KL", [&kl](const std::vector<Tensor>& in) { return kl(in[0], in[1]); },
                                  {mu, logvar}, rng);
    return result.ok ? "" : result.message;
}

// The largest |a − b| over two tensors' values.
double largest_difference(const Tensor& a, const Tensor& b) {
    double largest = 0;
    for (std::size_t i = 0; i < a.numel(); ++i) largest = std::max(largest, double(std::abs(a.at(i) - b.at(i))));
    return largest;
}

}  // namespace

TEST_CASE("exercise 5.1: the side of a convolution's output and of a transposed convolution's", "[exercise][ch05]") {
    SECTION("the chapter's networks: 28 → 14 → 7 down, 7 → 14 → 28 up (k4 s2 p1)") {
        CHECK(exercises::conv_output_side(28, 4, 2, 1) == 14);
        CHECK(exercises::conv_output_side(14, 4, 2, 1) == 7);
        CHECK(exercises::conv_transpose_output_side(7, 4, 2, 1) == 14);
        CHECK(exercises::conv_transpose_output_side(14, 4, 2, 1) == 28);
    }
    SECTION("every small case agrees with the shapes the naive convolutions produce") {
        const std::string problem = sides_problem(exercises::conv_output_side, exercises::conv_transpose_output_side);
        INFO(problem);
        CHECK(problem.empty());
    }
}

TEST_CASE("exercise 5.1's check fails on a side formula that forgets the padding", "[exercise][ch05]") {
    const std::string problem = sides_problem(
        [](std::size_t in, std::size_t k, std::size_t s, std::size_t) { return (in - k) / s + 1; },
        [](std::size_t in, std::size_t k, std::size_t s, std::size_t p) { return (in - 1) * s - 2 * p + k; });
    INFO(problem);
    CHECK_FALSE(problem.empty());
}

TEST_CASE("exercise 5.2: im2col of one image is the library's patch matrix", "[exercise][ch05]") {
    const std::string problem = im2col_problem(exercises::im2col_one_image);
    INFO(problem);
    CHECK(problem.empty());
}

TEST_CASE("exercise 5.2's check fails on an im2col that ignores the stride", "[exercise][ch05]") {
    const std::string problem = im2col_problem([](const std::vector<real>& image, const ConvGeometry& g) {
        std::vector<real> cols(g.patch_size() * g.out_h() * g.out_w());  // reads at (oh + i − p, ow + j − p)
        const auto p = std::ptrdiff_t(g.padding), h = std::ptrdiff_t(g.height), w = std::ptrdiff_t(g.width);
        for (std::size_t c = 0; c < g.channels; ++c)
            for (std::size_t i = 0; i < g.kernel_h; ++i)
                for (std::size_t j = 0; j < g.kernel_w; ++j)
                    for (std::size_t oh = 0; oh < g.out_h(); ++oh)
                        for (std::size_t ow = 0; ow < g.out_w(); ++ow) {
                            const std::ptrdiff_t ih = std::ptrdiff_t(oh + i) - p, iw = std::ptrdiff_t(ow + j) - p;
                            if (ih >= 0 && ih < h && iw >= 0 && iw < w)
                                cols[((c * g.kernel_h + i) * g.kernel_w + j) * g.out_h() * g.out_w() + oh * g.out_w() + ow] =
                                    image[(c * g.height + std::size_t(ih)) * g.width + std::size_t(iw)];
                        }
        return cols;
    });
    INFO(problem);
    CHECK_FALSE(problem.empty());
}

TEST_CASE("exercise 5.3: batch norm's input gradient in training and in evaluation mode", "[exercise][ch05]") {
    const std::string problem = batch_norm_problem([](const Tensor& x, const Tensor& gamma, const Tensor& running_var,
                                                      const Tensor& dy, bool training) {
        return exercises::batch_norm_input_gradient(x, gamma, running_var, dy, training);
    });
    INFO(problem);
    CHECK(problem.empty());
}

TEST_CASE("exercise 5.3's check fails on a training-mode gradient that treats the batch's μ and σ² as constants",
          "[exercise][ch05]") {
    // dx = γ/√(σ² + ε) · g with the batch's σ²: the eval formula, missing the two subtracted means
    const std::string problem = batch_norm_problem([](const Tensor& x, const Tensor& gamma, const Tensor& running_var,
                                                      const Tensor& dy, bool training) {
        const Tensor batch_var = mean(square(x - mean(x, 0, true)), 0);  // (C), biased
        return autograd_gradient(x, gamma, training ? batch_var : running_var, dy, false);
    });
    INFO(problem);
    CHECK_FALSE(problem.empty());
}

TEST_CASE("exercise 5.4: in training mode D's batch norm makes its verdict on an image depend on the rest of the batch",
          "[exercise][ch05]") {
    Rng rng(54);
    models::DcganConfig config;
    config.discriminator_channels = 4;
    const Tensor real_images = Tensor::uniform({4, 784}, rng, -1, 1);     // (B, 784): spread over [−1, 1]
    const Tensor fake_images = Tensor::uniform({4, 784}, rng, -0.2, 0.2);  // (B, 784): a G that draws grey
    const Tensor both = concat({real_images, fake_images}, 0);             // (2B, 784)
    SECTION("with batch norm: the real images' logits change when the fakes share their batch") {
        models::DcganDiscriminator d(config, rng);
        const Tensor separately = d(real_images), mixed = slice_rows(d(both), 0, 4);  // (B, 1) each
        INFO("largest change of a real image's logit: " << largest_difference(separately, mixed));
        CHECK(largest_difference(separately, mixed) > 1e-2);
        d.eval();  // running statistics: one image, one verdict
        CHECK(largest_difference(d(real_images), slice_rows(d(both), 0, 4)) < 1e-9);  // GEMMs of 4 and 8 rows may round apart
    }
    SECTION("without batch norm: the same logits either way, even in training mode") {
        config.batch_norm = false;
        models::DcganDiscriminator d(config, rng);
        CHECK(largest_difference(d(real_images), slice_rows(d(both), 0, 4)) < 1e-9);  // GEMMs of 4 and 8 rows may round apart
    }
}

TEST_CASE("exercise 5.5: the Gaussian of the codes' moments, and its KL to N(0, I) that the KL term bounds",
          "[exercise][ch05]") {
    const std::string problem = code_kl_problem(exercises::aggregate_code_kl);
    INFO(problem);
    CHECK(problem.empty());
}

TEST_CASE("exercise 5.5's check fails on a variance that leaves out the spread of the posterior means", "[exercise][ch05]") {
    const std::string problem = code_kl_problem([](const Tensor& mu, const Tensor& logvar) {
        return gaussian_kl(mean(mu, 0, true), log(mean(exp(logvar), 0, true)));  // s² = mean σ² only
    });
    INFO(problem);
    CHECK_FALSE(problem.empty());
}
