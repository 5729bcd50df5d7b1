// gemm (OpenBLAS) against gemm_reference (plain loops): the fast path and its naive twin agree.
#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include <catch2/catch.hpp>

#include <mmgen/core/gemm.hpp>
#include <mmgen/core/random.hpp>

using namespace mmgen;

namespace {

template <class T>
std::vector<T> random_values(std::size_t n, Rng& rng) {
    std::vector<T> v(n);
    for (auto& x : v) x = static_cast<T>(rng.uniform(-1, 1));
    return v;
}

// C = alpha · op(A) · op(B) + beta · C through both implementations, compared elementwise.
// Each entry is a sum of k products of values in [−1, 1], so its round-off is below k · ulp.
template <class T>
void require_gemm_matches_reference(const GemmShape& s, T alpha, T beta) {
    Rng rng(s.m * 10007 + s.n * 101 + s.k);
    const auto a = random_values<T>(s.m * s.k, rng);
    const auto b = random_values<T>(s.k * s.n, rng);
    auto c_fast = random_values<T>(s.m * s.n, rng);
    auto c_reference = c_fast;
    gemm(s, alpha, a.data(), b.data(), beta, c_fast.data());
    gemm_reference(s, alpha, a.data(), b.data(), beta, c_reference.data());
    const double tolerance = 8.0 * static_cast<double>(s.k + 2) * std::numeric_limits<T>::epsilon();
    std::size_t worst = 0;  // the entry where the two differ most (a NaN counts as the most)
    double worst_difference = -1;
    for (std::size_t i = 0; i < c_fast.size(); ++i) {
        const double difference = std::abs(static_cast<double>(c_fast[i]) - static_cast<double>(c_reference[i]));
        if (std::isnan(difference) || difference > worst_difference) {
            worst = i;
            worst_difference = std::isnan(difference) ? INFINITY : difference;
        }
    }
    INFO("largest difference at C(" << worst / s.n << ", " << worst % s.n << ")");
    REQUIRE_THAT(static_cast<double>(c_fast[worst]), Catch::Matchers::WithinAbs(c_reference[worst], tolerance));
}

}  // namespace

TEST_CASE("gemm equals gemm_reference for every transpose combination and odd sizes", "[gemm]") {
    const bool transpose_a = GENERATE(false, true);
    const bool transpose_b = GENERATE(false, true);
    const auto [m, n, k] = GENERATE(table<std::size_t, std::size_t, std::size_t>(
        {{1, 1, 1}, {3, 5, 7}, {17, 1, 33}, {65, 63, 31}, {1, 40, 2}}));
    const GemmShape shape{m, n, k, transpose_a, transpose_b};
    INFO("m, n, k = " << m << ", " << n << ", " << k << "; transpose_a " << transpose_a << ", transpose_b "
                      << transpose_b);
    SECTION("double") { require_gemm_matches_reference<double>(shape, 0.75, -1.25); }
    SECTION("float") { require_gemm_matches_reference<float>(shape, 0.75f, -1.25f); }
    SECTION("alpha = 1, beta = 0 (a plain product)") { require_gemm_matches_reference<double>(shape, 1, 0); }
    SECTION("beta = 1 accumulates into C") { require_gemm_matches_reference<double>(shape, -2, 1); }
}

TEST_CASE("gemm_reference computes a hand-checked product", "[gemm]") {
    // A = [[1, 2], [3, 4]], B = [[5, 6], [7, 8]]; A·B = [[19, 22], [43, 50]];
    // with alpha = 2, beta = 1 and C = 1 everywhere: [[39, 45], [87, 101]]
    const std::vector<double> a{1, 2, 3, 4}, b{5, 6, 7, 8};
    std::vector<double> c(4, 1);
    gemm_reference({2, 2, 2}, 2.0, a.data(), b.data(), 1.0, c.data());
    CHECK(c == std::vector<double>{39, 45, 87, 101});
    SECTION("and Aᵀ·B through the flag: [[26, 30], [38, 44]]") {
        std::vector<double> ct(4, 0);
        gemm_reference({2, 2, 2, true, false}, 1.0, a.data(), b.data(), 0.0, ct.data());
        CHECK(ct == std::vector<double>{26, 30, 38, 44});
    }
}

TEST_CASE("gemm with beta = 0 overwrites C, even where it held NaN", "[gemm]") {
    const std::vector<double> a{1, 2, 3, 4, 5, 6};  // (2, 3)
    const std::vector<double> b{1, 0, 0, 1, 1, 1};  // (3, 2)
    const double nan = std::numeric_limits<double>::quiet_NaN();
    SECTION("double, OpenBLAS") {
        std::vector<double> c(4, nan);
        gemm({2, 2, 3}, 1.0, a.data(), b.data(), 0.0, c.data());
        CHECK(c == std::vector<double>{4, 5, 10, 11});
    }
    SECTION("double, reference") {
        std::vector<double> c(4, nan);
        gemm_reference({2, 2, 3}, 1.0, a.data(), b.data(), 0.0, c.data());
        CHECK(c == std::vector<double>{4, 5, 10, 11});
    }
    SECTION("float, OpenBLAS") {
        const std::vector<float> af(a.begin(), a.end()), bf(b.begin(), b.end());
        std::vector<float> c(4, std::numeric_limits<float>::quiet_NaN());
        gemm({2, 2, 3}, 1.0f, af.data(), bf.data(), 0.0f, c.data());
        CHECK(c == std::vector<float>{4, 5, 10, 11});
    }
}

TEST_CASE("gemm with an empty inner dimension scales C by beta", "[gemm]") {
    // k = 0: op(A)·op(B) is an (m, n) matrix of zeros, so C = beta · C
    std::vector<double> c{1, 2, 3, 4, 5, 6}, c_reference = c;
    const double unused = 0;
    gemm({2, 3, 0}, 1.0, &unused, &unused, 0.5, c.data());
    gemm_reference({2, 3, 0}, 1.0, &unused, &unused, 0.5, c_reference.data());
    CHECK(c == std::vector<double>{0.5, 1, 1.5, 2, 2.5, 3});
    CHECK(c_reference == c);
    SECTION("and with beta = 0 writes zeros over NaN") {
        std::vector<double> nans(6, std::numeric_limits<double>::quiet_NaN());
        gemm({2, 3, 0}, 1.0, &unused, &unused, 0.0, nans.data());
        CHECK(nans == std::vector<double>(6, 0));
    }
}

TEST_CASE("the BLAS thread count can be set and read back", "[gemm]") {
    const int before = blas_threads();
    set_blas_threads(1);
    CHECK(blas_threads() == 1);
    set_blas_threads(before);
    CHECK(blas_threads() == before);
}

TEST_CASE("the OpenBLAS loaded at run time is the OpenMP build the library links", "[gemm]") {
    // the loader could find the system's default (pthreads) libopenblas.so.0 instead, and the
    // GEMMs would then run on a second pool of threads beside parallel::for_range's
    CHECK(blas_uses_openmp());
}
