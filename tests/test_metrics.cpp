// Fréchet distance, the symmetric matrix square root under it, sample moments and the class
// histogram used to spot mode collapse, and the agreement of classes with their sources'.
#include <cmath>
#include <cstdint>
#include <vector>

#include <catch2/catch.hpp>

#include <mmgen/report/metrics.hpp>
#include <mmgen/core/random.hpp>

#include "support.hpp"

using namespace mmgen;
using Catch::Matchers::Contains;

TEST_CASE("sqrtm_symmetric of [[5,4],[4,5]] is [[2,1],[1,2]]", "[metrics]") {
    // eigenvalues 9 and 1 with eigenvectors (1,1)/√2 and (1,−1)/√2: the root has 3 and 1
    const std::vector<double> a = {5, 4, 4, 5};
    const std::vector<double> s = sqrtm_symmetric(a, 2);
    const std::vector<double> expected = {2, 1, 1, 2};
    for (std::size_t i = 0; i < 4; ++i) {
        INFO("entry " << i);
        test::require_close(s[i], expected[i], 1e-12, 1e-12);
    }
}

TEST_CASE("sqrtm_symmetric squares back to a random positive semi-definite matrix", "[metrics]") {
    const std::size_t d = 6;
    Rng rng(7);
    std::vector<double> b(d * d);  // A = B Bᵀ is PSD
    for (auto& v : b) v = rng.normal();
    std::vector<double> a(d * d, 0.0);
    for (std::size_t i = 0; i < d; ++i)
        for (std::size_t j = 0; j < d; ++j)
            for (std::size_t k = 0; k < d; ++k) a[i * d + j] += b[i * d + k] * b[j * d + k];
    const std::vector<double> s = sqrtm_symmetric(a, d);
    for (std::size_t i = 0; i < d; ++i)
        for (std::size_t j = 0; j < d; ++j) {
            double ss = 0;
            for (std::size_t k = 0; k < d; ++k) ss += s[i * d + k] * s[k * d + j];
            INFO("entry (" << i << ", " << j << ")");
            test::require_close(ss, a[i * d + j], 1e-9, 1e-9);
            test::require_close(s[i * d + j], s[j * d + i], 1e-12, 1e-12);  // symmetric
        }
}

TEST_CASE("sqrtm_symmetric takes slightly negative eigenvalues as zero", "[metrics]") {
    // [[1,1],[1,1]] − 1e-12·I has eigenvalues 2 − 1e-12 and −1e-12
    const std::vector<double> a = {1 - 1e-12, 1, 1, 1 - 1e-12};
    const std::vector<double> s = sqrtm_symmetric(a, 2);
    for (double v : s) REQUIRE(std::isfinite(v));
    test::require_close(s[0], 1 / std::sqrt(2.0), 1e-9, 1e-9);  // √2 · (½ ½; ½ ½)
}

TEST_CASE("the Frechet distance between identical Gaussians is 0", "[metrics]") {
    const std::vector<double> mu = {0.5, -1, 2};
    const std::vector<double> cov = {2, 0.3, 0.1, 0.3, 1, -0.2, 0.1, -0.2, 0.5};
    REQUIRE_THAT(frechet_distance(mu, cov, mu, cov, 3), Catch::Matchers::WithinAbs(0, 1e-10));
}

TEST_CASE("the Frechet distance between 1-D Gaussians is (m1 - m2)^2 + (s1 - s2)^2", "[metrics]") {
    const auto [m1, s1, m2, s2] = GENERATE(table<double, double, double, double>({
        {0, 1, 0, 1}, {0, 1, 3, 1}, {1, 2, -1, 0.5}, {0.2, 0.01, 0.1, 3}}));
    INFO("N(" << m1 << ", " << s1 << "²) and N(" << m2 << ", " << s2 << "²)");
    const std::vector<double> mu1 = {m1}, mu2 = {m2}, c1 = {s1 * s1}, c2 = {s2 * s2};
    const double expected = (m1 - m2) * (m1 - m2) + (s1 - s2) * (s1 - s2);
    test::require_close(frechet_distance(mu1, c1, mu2, c2, 1), expected, 1e-12, 1e-12);
}

TEST_CASE("the Frechet distance of diagonal Gaussians sums the 1-D distances", "[metrics]") {
    // diagonal covariances commute: tr(C1 + C2 − 2(C1 C2)^½) = Σ (σ1ᵢ − σ2ᵢ)²
    const std::vector<double> mu1 = {0, 1, 2}, mu2 = {1, 1, -1};
    const std::vector<double> var1 = {4, 1, 0.25}, var2 = {1, 9, 0.25};
    std::vector<double> c1(9, 0.0), c2(9, 0.0);
    double expected = 0;
    for (std::size_t i = 0; i < 3; ++i) {
        c1[i * 4] = var1[i];
        c2[i * 4] = var2[i];
        expected += (mu1[i] - mu2[i]) * (mu1[i] - mu2[i]) + std::pow(std::sqrt(var1[i]) - std::sqrt(var2[i]), 2);
    }
    test::require_close(frechet_distance(mu1, c1, mu2, c2, 3), expected, 1e-12, 1e-12);  // 1+0+9 + 1+4+0 = 15
    test::require_close(expected, 15.0);
}

TEST_CASE("the Frechet distance is symmetric in its two Gaussians", "[metrics]") {
    const std::vector<double> mu1 = {0, 1}, mu2 = {2, -1};
    const std::vector<double> c1 = {2, 0.5, 0.5, 1}, c2 = {1, -0.3, -0.3, 3};
    test::require_close(frechet_distance(mu1, c1, mu2, c2, 2), frechet_distance(mu2, c2, mu1, c1, 2), 1e-10, 1e-12);
}

TEST_CASE("frechet_distance rejects mismatched sizes and non-finite values", "[metrics]") {
    const std::vector<double> mu = {0, 0}, cov = {1, 0, 0, 1};
    REQUIRE_THROWS_WITH(frechet_distance(mu, cov, mu, std::vector<double>{1, 0, 0}, 2), Contains("cov2"));
    REQUIRE_THROWS_WITH(frechet_distance(std::vector<double>{0}, cov, mu, cov, 2), Contains("means"));
    REQUIRE_THROWS_WITH(frechet_distance(mu, std::vector<double>{1, 0, 0, NAN}, mu, cov, 2), Contains("non-finite"));
}

TEST_CASE("mean_and_covariance gives the sample mean and the unbiased covariance", "[metrics]") {
    // three points in 2-D: (1, 2), (3, 2), (5, 8)
    const Tensor x = Tensor::from_data({3, 2}, {1, 2, 3, 2, 5, 8});
    const Moments m = mean_and_covariance(x);
    REQUIRE(m.dim == 2);
    test::require_close(m.mean[0], 3);
    test::require_close(m.mean[1], 4);
    // deviations (−2, −2), (0, −2), (2, 4): Σ = [[8, 12], [12, 24]] / 2
    const std::vector<double> expected = {4, 6, 6, 12};
    for (std::size_t i = 0; i < 4; ++i) test::require_close(m.covariance[i], expected[i]);

    SECTION("the Frechet distance of a sample's moments to themselves is 0") {
        REQUIRE_THAT(frechet_distance(m, m), Catch::Matchers::WithinAbs(0, 1e-10));
    }
    SECTION("fewer than two rows is an error naming the shape") {
        REQUIRE_THROWS_WITH(mean_and_covariance(Tensor::zeros({1, 2})), Contains("(1, 2)"));
    }
}

TEST_CASE("class_histogram counts labels and classes_at_least counts well-filled classes", "[metrics]") {
    const std::vector<std::size_t> labels = {0, 0, 0, 0, 0, 1, 1, 1, 2, 3};
    const auto hist = class_histogram(labels, 5);
    REQUIRE(hist == std::vector<std::size_t>{5, 3, 1, 1, 0});

    CHECK(classes_at_least(hist, 0.5) == 1);   // only class 0 has ≥ 5 of 10
    CHECK(classes_at_least(hist, 0.1) == 4);   // every class with a sample
    CHECK(classes_at_least(hist, 0.11) == 2);
    CHECK(classes_at_least(hist, 0.0) == 5);
    CHECK(classes_at_least(std::vector<std::size_t>(10, 0), 0.1) == 0);  // no samples, no classes
    REQUIRE_THROWS_WITH(class_histogram({0, 7}, 5), Contains("label 7"));
}

TEST_CASE("class_agreement counts the images read as their source's class, overall and per source class", "[metrics]") {
    // sources 0, 0, 1, 1, 1, 2; read as 0, 1, 1, 1, 0, 2: 4 of 6 agree; class 0 1 of 2, class 1 2 of 3, class 2 1 of 1
    const std::vector<std::uint8_t> source = {0, 0, 1, 1, 1, 2};
    const auto a = class_agreement({0, 1, 1, 1, 0, 2}, source, 4);
    CHECK(a.overall == 4.0 / 6.0);
    REQUIRE(a.per_class.size() == 4);
    CHECK(a.per_class[0] == 0.5);
    CHECK(a.per_class[1] == 2.0 / 3.0);
    CHECK(a.per_class[2] == 1.0);
    CHECK(a.per_class[3] == 0.0);  // no image of class 3
    REQUIRE_THROWS_WITH(class_agreement({0, 1}, source, 4), Contains("2 predicted classes for 6 source classes"));
    REQUIRE_THROWS_WITH(class_agreement({0, 0, 1, 1, 1, 9}, source, 4), Contains("image 5"));
}
