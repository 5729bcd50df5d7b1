// Batch normalisation: batch statistics and running averages in training, the running
// statistics in evaluation; gradients in both modes, over (N, C) and (N, C, H, W).
#include <cmath>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include <mmgen/core/autograd.hpp>
#include <mmgen/core/ops.hpp>

#include "support.hpp"

using namespace mmgen;
using Catch::Matchers::Contains;
using Catch::Matchers::WithinAbs;
using Catch::Matchers::WithinRel;
using mmgen::test::random_input;
using mmgen::test::require_gradient_matches;
using mmgen::test::require_values;

namespace {

// The per-channel mean and (biased) variance of y over every axis but 1.
std::pair<std::vector<double>, std::vector<double>> channel_moments(const Tensor& y) {
    const std::size_t n = y.dim(0), c = y.dim(1), s = y.numel() / (n * c);
    std::vector<double> mean(c, 0), var(c, 0);
    for (std::size_t ch = 0; ch < c; ++ch) {
        for (std::size_t b = 0; b < n; ++b)
            for (std::size_t k = 0; k < s; ++k) mean[ch] += y.data()[(b * c + ch) * s + k];
        mean[ch] /= double(n * s);
        for (std::size_t b = 0; b < n; ++b)
            for (std::size_t k = 0; k < s; ++k) var[ch] += std::pow(y.data()[(b * c + ch) * s + k] - mean[ch], 2);
        var[ch] /= double(n * s);
    }
    return {mean, var};
}
}  // namespace

TEST_CASE("batch_norm in training normalises each channel with the batch's statistics", "[batch_norm]") {
    const Shape shape = GENERATE(values<Shape>({{8, 3}, {4, 3, 5, 2}}));
    INFO("input " << shape_string(shape));
    Rng rng(1);
    const Tensor x = Tensor::uniform(shape, rng, 1, 5);
    const Tensor gamma = Tensor::ones({3}), beta = Tensor::zeros({3});
    const Tensor running_mean = Tensor::zeros({3}), running_var = Tensor::ones({3});
    const auto [x_mean, x_var] = channel_moments(x);

    const Tensor y = batch_norm(x, gamma, beta, running_mean, running_var, true, real(0.1), real(0));
    const auto [mean, var] = channel_moments(y);
    for (std::size_t c = 0; c < 3; ++c) {
        INFO("channel " << c);
        CHECK_THAT(mean[c], WithinAbs(0, test::reordered_sum_tol));
        CHECK_THAT(var[c], WithinRel(1, 1e3 * test::reordered_sum_tol));
        // running ← 0.9·running + 0.1·batch, the variance unbiased (× M/(M − 1))
        const double m = double(x.numel() / 3);
        CHECK_THAT(running_mean.data()[c], WithinRel(0.1 * x_mean[c], 1e3 * test::reordered_sum_tol));
        CHECK_THAT(running_var.data()[c], WithinRel(0.9 + 0.1 * x_var[c] * m / (m - 1), 1e3 * test::reordered_sum_tol));
    }
}

TEST_CASE("batch_norm in evaluation uses the running statistics and leaves them alone", "[batch_norm]") {
    const Tensor x = Tensor::from_data({2, 2}, {1, 2, 3, 4});
    const Tensor gamma = Tensor::from_data({2}, {2, 1}), beta = Tensor::from_data({2}, {0, 10});
    const Tensor running_mean = Tensor::from_data({2}, {1, 2}), running_var = Tensor::from_data({2}, {4, 1});
    const Tensor y = batch_norm(x, gamma, beta, running_mean, running_var, false, real(0.1), real(0));
    // channel 0: 2·(x − 1)/2;  channel 1: (x − 2)/1 + 10
    require_values(y, {0, 10, 2, 12});
    require_values(running_mean, {1, 2});
    require_values(running_var, {4, 1});
}

TEST_CASE("batch_norm's gradients match central differences in training and in evaluation",
          "[batch_norm][gradcheck]") {
    const Shape shape = GENERATE(values<Shape>({{6, 3}, {1, 2, 3, 4}, {3, 2, 4, 3}}));
    const bool training = GENERATE(true, false);
    INFO("input " << shape_string(shape) << (training ? ", training" : ", evaluation"));
    Rng rng(2);
    const std::size_t c = shape[1];
    const Tensor running_mean = Tensor::uniform({c}, rng, -1, 1), running_var = Tensor::uniform({c}, rng, 0.5, 2);
    require_gradient_matches("batch_norm", [&](const std::vector<Tensor>& in) {
        return batch_norm(in[0], in[1], in[2], running_mean, running_var, training);
    }, {random_input(shape, rng), random_input({c}, rng), random_input({c}, rng)});
}

namespace {
// batch_norm's training forward with the statistics treated as constants in the backward
// (dx = γ/σ · dy): right in evaluation, wrong in training, where μ and σ depend on x.
Tensor batch_norm_with_constant_statistics(const Tensor& x, const Tensor& gamma) {
    Tensor y;
    const Tensor rm = Tensor::zeros({x.dim(1)}), rv = Tensor::ones({x.dim(1)});
    {
        NoGradGuard no_grad;
        y = batch_norm(x, gamma, Tensor::zeros({x.dim(1)}), rm, rv, true);
    }
    const auto [mean, var] = channel_moments(x);
    return record(y, "batch_norm_constant_stats", {x}, [x, gamma, var = var](Node& out) {
        auto dx = x.grad_buffer();
        const std::size_t n = x.dim(0), c = x.dim(1), s = x.numel() / (n * c);
        for (std::size_t b = 0; b < n; ++b)
            for (std::size_t ch = 0; ch < c; ++ch)
                for (std::size_t k = 0; k < s; ++k) {
                    const std::size_t i = (b * c + ch) * s + k;
                    dx[i] += gamma.data()[ch] / std::sqrt(var[ch] + 1e-5) * out.grad[i];
                }
    });
}
}  // namespace

TEST_CASE("the gradient checker rejects a training batch norm that treats its statistics as constants",
          "[batch_norm][gradcheck]") {
    Rng rng(3), upstream(4);
    const Tensor gamma = Tensor::uniform({2}, rng, 0.5, 2);
    const auto result = gradcheck("batch_norm_constant_stats", [&](const std::vector<Tensor>& in) {
        return batch_norm_with_constant_statistics(in[0], gamma);
    }, {random_input({5, 2, 3, 3}, rng)}, upstream);
    INFO(result.message);
    CHECK_FALSE(result.ok);
    CHECK(result.max_relative_error > 0.1);
}

TEST_CASE("batch_norm refuses bad shapes, naming the parameter at fault", "[batch_norm][errors]") {
    const Tensor one = Tensor::ones({3}), zero = Tensor::zeros({3});
    REQUIRE_THROWS_WITH(batch_norm(Tensor::zeros({2, 3, 4}), one, zero, zero, one, true),
                        Contains("batch_norm") && Contains("(2, 3, 4)"));
    REQUIRE_THROWS_WITH(batch_norm(Tensor::zeros({2, 3}), Tensor::ones({4}), zero, zero, one, true),
                        Contains("batch_norm") && Contains("gamma (4)") && Contains("(2, 3)"));
    REQUIRE_THROWS_WITH(batch_norm(Tensor::zeros({2, 3}), one, zero, zero, Tensor::ones({2}), false),
                        Contains("running_var (2)"));
    REQUIRE_THROWS_WITH(batch_norm(Tensor::zeros({1, 3}), one, zero, zero, one, true),
                        Contains("batch_norm") && Contains("more than one value"));
}
