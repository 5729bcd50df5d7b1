// The Gaussian mixture fitted by EM (models/gaussian_mixture.hpp), chapter 06 §3.4's second
// stage: its densities against the closed form, the fit recovering a known mixture with a
// log-likelihood that never falls, its samples having the mixture's moments, and bad input refused.
#include <cmath>
#include <numbers>
#include <vector>

#include <catch2/catch.hpp>

#include <mmgen/models/gaussian_mixture.hpp>

#include "support.hpp"

using namespace mmgen;
using Catch::Matchers::Contains;

namespace {

// n rows from a 2-D mixture: 30% around (−4, 0) with standard deviations (1, 0.5), 70% around
// (3, 2) with covariance [[1, 0.6], [0.6, 1]] (Cholesky factor [[1, 0], [0.6, 0.8]]).
Tensor two_blobs(std::size_t n, Rng& rng) {
    Tensor x = Tensor::empty({n, 2});
    for (std::size_t r = 0; r < n; ++r) {
        const double e1 = rng.normal(), e2 = rng.normal();
        if (rng.uniform() < 0.3) {
            x.at(r, 0) = real(-4 + 1.0 * e1), x.at(r, 1) = real(0 + 0.5 * e2);
        } else {
            x.at(r, 0) = real(3 + e1), x.at(r, 1) = real(2 + 0.6 * e1 + 0.8 * e2);
        }
    }
    return x;
}

// The component (0 or 1) whose mean is nearer (3, 2).
std::size_t right_blob(const models::GaussianMixture& g) {
    return std::abs(g.means[0] - 3) < std::abs(g.means[2] - 3) ? 0 : 1;
}

}  // namespace

TEST_CASE("a component's log-density is the closed form of the normal density", "[mixture]") {
    models::GaussianMixture g;
    g.components = 2, g.dim = 2;
    g.weights = {0.5, 0.5};
    g.means = {0, 0, 1, -1};
    g.cholesky = {1, 0, 0, 1,       // Σ₀ = I
                  2, 0, 1, 3};      // Σ₁ = L Lᵀ = [[4, 2], [2, 10]], |Σ₁| = 36
    const Tensor x = Tensor::from_data({1, 2}, {real(2), real(1)});
    const std::vector<double> log_n = models::component_log_densities(g, x);
    const double log_2pi = std::log(2 * std::numbers::pi);
    // component 0: −½(‖x‖² + 0 + 2 log 2π) = −½(5 + 2 log 2π)
    test::require_close(log_n[0], -0.5 * (5 + 2 * log_2pi), 1e-12, 1e-12);
    // component 1: x − μ = (1, 2); Σ₁⁻¹ = [[10, −2], [−2, 4]] / 36, so the quadratic form is
    // (10 − 8 + 16) / 36 = 0.5
    test::require_close(log_n[1], -0.5 * (0.5 + std::log(36.0) + 2 * log_2pi), 1e-12, 1e-12);
}

TEST_CASE("the E-step works in logs: codes far from every component still get responsibilities", "[mixture]") {
    // log-densities −1000 and −1001 with weights ½, ½: exp() of either is 0 in double, yet
    // r = (1, e⁻¹) / (1 + e⁻¹) and log p = −1000 + log ½ + log(1 + e⁻¹)
    std::vector<double> row = {-1000, -1001};
    const std::vector<double> weights = {0.5, 0.5};
    const double log_p = models::to_responsibilities(row, weights);
    const double first = 1 / (1 + std::exp(-1.0));
    test::require_close(row[0], first, 1e-14, 1e-14);
    test::require_close(row[1], 1 - first, 1e-14, 1e-14);
    test::require_close(log_p, -1000 + std::log(0.5) + std::log(1 + std::exp(-1.0)), 1e-14, 1e-14);
    // equal log-densities: the responsibilities are the weights
    std::vector<double> equal = {-3, -3, -3};
    const std::vector<double> three = {0.2, 0.3, 0.5};
    models::to_responsibilities(equal, three);
    for (std::size_t k = 0; k < 3; ++k) test::require_close(equal[k], three[k], 1e-14, 1e-14);
}

TEST_CASE("EM recovers a known two-component mixture and its log-likelihood never falls", "[mixture]") {
    Rng rng(3);
    const Tensor x = two_blobs(4000, rng);
    Rng fit_rng(5);
    std::vector<double> history;
    const auto g = models::fit_gaussian_mixture(x, {2, 200, 1e-9, 1e-9}, fit_rng, &history);
    REQUIRE(history.size() >= 2);
    for (std::size_t i = 1; i < history.size(); ++i) {
        INFO("iteration " << i << ": " << history[i - 1] << " -> " << history[i]);
        REQUIRE(history[i] >= history[i - 1] - 1e-9);
    }
    const std::size_t a = right_blob(g), b = 1 - a;
    // 4000 draws: a weight's standard error is √(0.3·0.7/4000) ≈ 0.007, a mean's ≈ 1/√1200 ≈ 0.03
    CHECK_THAT(g.weights[a], Catch::Matchers::WithinAbs(0.7, 0.03));
    CHECK_THAT(g.weights[b], Catch::Matchers::WithinAbs(0.3, 0.03));
    CHECK_THAT(g.means[2 * a], Catch::Matchers::WithinAbs(3, 0.1));
    CHECK_THAT(g.means[2 * a + 1], Catch::Matchers::WithinAbs(2, 0.1));
    CHECK_THAT(g.means[2 * b], Catch::Matchers::WithinAbs(-4, 0.1));
    CHECK_THAT(g.means[2 * b + 1], Catch::Matchers::WithinAbs(0, 0.1));
    const double* l = &g.cholesky[4 * a];  // the right blob's Cholesky factor [[1, 0], [0.6, 0.8]]
    CHECK_THAT(l[0], Catch::Matchers::WithinAbs(1.0, 0.06));
    CHECK_THAT(l[2], Catch::Matchers::WithinAbs(0.6, 0.06));
    CHECK_THAT(l[3], Catch::Matchers::WithinAbs(0.8, 0.06));
    // the fitted mixture explains the data better than one Gaussian does
    Rng one_rng(5);
    const auto one = models::fit_gaussian_mixture(x, {1, 50, 1e-9, 1e-9}, one_rng);
    REQUIRE(models::mean_log_likelihood(g, x) > models::mean_log_likelihood(one, x) + 0.3);
    test::require_close(models::mean_log_likelihood(g, x), history.back(), 1e-6, 1e-6);
}

TEST_CASE("one component is the data's mean and covariance", "[mixture]") {
    Rng rng(11);
    const Tensor x = two_blobs(500, rng);
    Rng fit_rng(1);
    const auto g = models::fit_gaussian_mixture(x, {1, 10, 1e-9, 0.0}, fit_rng);
    double m0 = 0, m1 = 0;
    for (std::size_t r = 0; r < 500; ++r) m0 += x.at(r, 0), m1 += x.at(r, 1);
    m0 /= 500, m1 /= 500;
    double c00 = 0, c01 = 0, c11 = 0;  // the maximum-likelihood covariance: divided by N
    for (std::size_t r = 0; r < 500; ++r) {
        const double a = x.at(r, 0) - m0, b = x.at(r, 1) - m1;
        c00 += a * a / 500, c01 += a * b / 500, c11 += b * b / 500;
    }
    REQUIRE(g.weights[0] == Approx(1.0));
    test::require_close(g.means[0], m0, 1e-9, 1e-9);
    test::require_close(g.means[1], m1, 1e-9, 1e-9);
    const double* l = g.cholesky.data();  // Σ = L Lᵀ
    test::require_close(l[0] * l[0], c00, 1e-9, 1e-9);
    test::require_close(l[2] * l[0], c01, 1e-9, 1e-9);
    test::require_close(l[2] * l[2] + l[3] * l[3], c11, 1e-9, 1e-9);
}

TEST_CASE("samples of a mixture have its mean and covariance", "[mixture]") {
    models::GaussianMixture g;
    g.components = 2, g.dim = 2;
    g.weights = {0.25, 0.75};
    g.means = {-2, 1, 2, 0};
    g.cholesky = {1, 0, 0, 1, 0.5, 0, 0.3, 0.4};  // Σ₀ = I, Σ₁ = [[0.25, 0.15], [0.15, 0.25]]
    Rng rng(9);
    const std::size_t n = 200000;
    const Tensor z = models::sample_mixture(g, n, rng);
    REQUIRE(z.shape() == Shape{n, 2});
    // mean Σ π_k μ_k = (1, 0.25); covariance Σ π_k (Σ_k + μ_k μ_kᵀ) − m mᵀ
    const double m0 = 1, m1 = 0.25;
    const double c00 = 0.25 * (1 + 4) + 0.75 * (0.25 + 4) - m0 * m0;    // 3.4375
    const double c01 = 0.25 * (0 - 2) + 0.75 * (0.15 + 0) - m0 * m1;     // −0.6375
    const double c11 = 0.25 * (1 + 1) + 0.75 * (0.25 + 0) - m1 * m1;     // 0.625
    double s0 = 0, s1 = 0, s00 = 0, s01 = 0, s11 = 0;
    for (std::size_t r = 0; r < n; ++r) {
        const double a = z.at(r, 0), b = z.at(r, 1);
        s0 += a, s1 += b, s00 += a * a, s01 += a * b, s11 += b * b;
    }
    s0 /= double(n), s1 /= double(n);
    // standard errors at n = 200,000 are below 0.005; 0.02 is four of them and more
    CHECK_THAT(s0, Catch::Matchers::WithinAbs(m0, 0.02));
    CHECK_THAT(s1, Catch::Matchers::WithinAbs(m1, 0.02));
    CHECK_THAT(s00 / double(n) - s0 * s0, Catch::Matchers::WithinAbs(c00, 0.03));
    CHECK_THAT(s01 / double(n) - s0 * s1, Catch::Matchers::WithinAbs(c01, 0.02));
    CHECK_THAT(s11 / double(n) - s1 * s1, Catch::Matchers::WithinAbs(c11, 0.02));
}

TEST_CASE("the mixture refuses bad input, naming the problem", "[mixture][errors]") {
    Rng rng(1);
    const Tensor x = two_blobs(10, rng);
    REQUIRE_THROWS_WITH(models::fit_gaussian_mixture(x, {0}, rng), Contains("0 components for 10 rows"));
    REQUIRE_THROWS_WITH(models::fit_gaussian_mixture(x, {11}, rng), Contains("11 components for 10 rows"));
    REQUIRE_THROWS_WITH(models::fit_gaussian_mixture(Tensor::zeros({10}), {1}, rng), Contains("(N, d)"));
    const auto g = models::fit_gaussian_mixture(x, {2}, rng);
    REQUIRE_THROWS_WITH(models::component_log_densities(g, Tensor::zeros({4, 3})), Contains("rows of 2 numbers"));
    models::GaussianMixture empty;  // no components: nothing to sample from
    REQUIRE_THROWS_WITH(models::sample_mixture(empty, 3, rng), Contains("sizes do not agree (0 components"));
    models::GaussianMixture short_weights = g;
    short_weights.weights.pop_back();
    REQUIRE_THROWS_WITH(models::component_log_densities(short_weights, x), Contains("1 weights"));
    std::vector<double> row = {-1, -2, -3};
    REQUIRE_THROWS_WITH(models::to_responsibilities(row, g.weights), Contains("3 log-densities for 2 weights"));
}
