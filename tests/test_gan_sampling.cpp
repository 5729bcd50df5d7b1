// Chapter 02's sampling helpers (models/gan.hpp): generating without a graph, images in [0, 1],
// spherical interpolation, and the toy's decision surface.
#include <cmath>
#include <vector>

#include <catch2/catch.hpp>

#include <mmgen/core/autograd.hpp>
#include <mmgen/core/ops.hpp>
#include <mmgen/models/gan.hpp>

#include "support.hpp"

using namespace mmgen;
using Catch::Matchers::WithinAbs;
using Catch::Matchers::WithinRel;

namespace {
const double kTol = sizeof(real) == 4 ? 1e-5 : 1e-12;

double row_norm(const Tensor& t, std::size_t r) {
    double s = 0;
    for (std::size_t j = 0; j < t.dim(1); ++j) s += double(t.at(r, j)) * double(t.at(r, j));
    return std::sqrt(s);
}
}  // namespace

TEST_CASE("slerp runs from a to b along the sphere, and along the line for parallel codes", "[ch02][gan]") {
    Rng rng(2);
    const Tensor a = Tensor::randn({3, 8}, rng), b0 = Tensor::randn({3, 8}, rng);  // (3, 8) each
    // b with the norms of a, row by row, so the great circle stays on one sphere
    Tensor b = Tensor::empty({3, 8});
    for (std::size_t r = 0; r < 3; ++r)
        for (std::size_t j = 0; j < 8; ++j) b.at(r, j) = real(b0.at(r, j) * row_norm(a, r) / row_norm(b0, r));
    SECTION("the ends are a and b") {
        const Tensor start = models::slerp(a, b, 0), end = models::slerp(a, b, 1);
        for (std::size_t i = 0; i < a.numel(); ++i) {
            REQUIRE_THAT(double(start.data()[i]), WithinAbs(double(a.data()[i]), kTol));
            REQUIRE_THAT(double(end.data()[i]), WithinAbs(double(b.data()[i]), kTol));
        }
    }
    SECTION("between them the norm stays that of a (a straight line would pass closer to 0)") {
        const Tensor mid = models::slerp(a, b, 0.5), line = (a + b) * real(0.5);
        for (std::size_t r = 0; r < 3; ++r) {
            INFO("row " << r);
            REQUIRE_THAT(row_norm(mid, r), WithinRel(row_norm(a, r), kTol));
            REQUIRE(row_norm(line, r) < row_norm(a, r));
        }
    }
    SECTION("parallel codes: the straight line") {
        const Tensor mid = models::slerp(a, a * real(3), 0.5);
        for (std::size_t i = 0; i < a.numel(); ++i)
            REQUIRE_THAT(double(mid.data()[i]), WithinRel(2.0 * double(a.data()[i]), kTol));
    }
}

TEST_CASE("sample_images draws n images in [0, 1] without a graph, the same for the same seed", "[ch02][gan]") {
    Rng init(1);
    models::GanConfig config;
    config.latent = 4, config.data = 6, config.generator_hidden = {5}, config.discriminator_hidden = {5};
    models::Generator g(config, init);
    Rng r1(7), r2(7);
    const Tensor x = models::sample_images(g, 2500, config.latent, r1);  // crosses two 1000-code chunks
    REQUIRE(x.shape() == Shape{2500, 6});
    CHECK_FALSE(x.requires_grad());
    for (real v : x.data()) REQUIRE((v >= 0 && v <= 1));
    const Tensor y = models::sample_images(g, 2500, config.latent, r2);
    for (std::size_t i = 0; i < x.numel(); ++i) REQUIRE(x.data()[i] == y.data()[i]);
    SECTION("the first chunk is (G(z) + 1) / 2 of the first 1000 codes the Rng gives") {
        Rng r3(7);
        const Tensor z = Tensor::randn({1000, config.latent}, r3);
        const Tensor expected = models::to_unit_range(models::generate(g, z));
        for (std::size_t i = 0; i < expected.numel(); ++i) REQUIRE(x.data()[i] == expected.data()[i]);
    }
}

TEST_CASE("the toy's decision surface holds D(x) ∈ (0, 1) on a 121 × 121 grid over [−3, 3]²", "[ch02][gan]") {
    Rng rng(3);
    models::GanConfig config;
    config.data = 2, config.latent = 2, config.tanh_output = false;
    config.generator_hidden = config.discriminator_hidden = {8};
    models::Discriminator d(config, rng);
    const auto grid = models::decision_surface(d);
    REQUIRE(grid.values.size() == 121 * 121);
    for (double v : grid.values) REQUIRE((v > 0 && v < 1));
    SECTION("the corner value is σ(D(−3, −3))") {
        NoGradGuard no_grad;
        const double corner = sigmoid(d(Tensor::from_data({1, 2}, {-3, -3}))).item();
        REQUIRE_THAT(grid.values[0], WithinRel(corner, kTol));
    }
}
