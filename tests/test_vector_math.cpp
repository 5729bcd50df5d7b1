// The vectorised kernels (fast path) against the scalar std:: functions (their naive twins).
#include <catch2/catch.hpp>

#include <cmath>
#include <algorithm>
#include <functional>
#include <limits>
#include <vector>

#include <mmgen/core/random.hpp>
#include <mmgen/core/scalar_math.hpp>
#include <mmgen/core/vector_math.hpp>

#include "support.hpp"

using namespace mmgen;

namespace {
// The kernels' relative error budget: 1e-13 in double; in float a few units in the last place
// (ε = 1.2e-7), as each value is one or two libmvec calls and an add or a divide.
const double kUlps = test::is_double ? 1e-13 : 4 * std::numeric_limits<float>::epsilon();

// Inputs spread over [−lo, lo] plus exact zeros and tiny values, where formulas lose precision.
std::vector<real> inputs(real lo) {
    Rng rng(9);
    std::vector<real> x(2000);
    rng.fill_uniform(x, -lo, lo);
    x[0] = 0, x[1] = real(1e-9), x[2] = real(-1e-9), x[3] = real(1e-4), x[4] = lo, x[5] = -lo;
    return x;
}

void require_matches(const char* name, void (*kernel)(std::span<const real>, std::span<real>),
                     const std::function<double(double)>& reference, const std::vector<real>& x) {
    std::vector<real> y(x.size());
    kernel(x, y);
    for (std::size_t i = 0; i < x.size(); ++i) {
        const double expected = reference(x[i]);
        INFO(name << "(" << x[i] << ") = " << y[i] << ", expected " << expected);
        REQUIRE(std::abs(y[i] - expected) <= kUlps * std::max(1e-300, std::abs(expected)));
    }
}
}  // namespace

TEST_CASE("vectorised kernels agree with the scalar functions to a few ulps", "[vector_math]") {
    SECTION("exp") { require_matches("exp", vmath::exp, [](double v) { return std::exp(v); }, inputs(80)); }
    SECTION("log") {
        auto x = inputs(50);
        for (auto& v : x) v = std::abs(v) + real(1e-12);
        require_matches("log", vmath::log, [](double v) { return std::log(v); }, x);
    }
    SECTION("tanh, including tiny arguments") {
        require_matches("tanh", vmath::tanh, [](double v) { return std::tanh(v); }, inputs(30));
    }
    SECTION("sigmoid") { require_matches("sigmoid", vmath::sigmoid, [](double v) { return logistic(v); }, inputs(60)); }
    SECTION("softplus") { require_matches("softplus", vmath::softplus, [](double v) { return log1p_exp(v); }, inputs(60)); }
}

TEST_CASE("the fused binary cross-entropy kernel returns the terms, their sum and the sigmoid", "[vector_math]") {
    const auto x = inputs(100);
    std::vector<real> t(x.size()), loss(x.size()), sigma(x.size());
    Rng rng(4);
    rng.fill_uniform(t, 0, 1);
    const double total = vmath::bce_with_logits(x, t, loss, sigma);
    double expected_total = 0;
    for (std::size_t i = 0; i < x.size(); ++i) {
        const double expected = log1p_exp(double(x[i])) - double(x[i]) * t[i];  // −[t log σ + (1−t) log(1−σ)]
        INFO("x = " << x[i] << ", t = " << t[i]);
        // max(x, 0) − x t cancels: its round-off scales with |x|, not with the loss
        REQUIRE(std::abs(loss[i] - expected) <= 10 * kUlps * std::max({1.0, std::abs(expected), std::abs(double(x[i]))}));
        REQUIRE(std::abs(sigma[i] - logistic(double(x[i]))) <= kUlps);
        expected_total += expected;
    }
    REQUIRE(std::abs(total - expected_total) <= test::tol.loose * std::abs(expected_total));
}
