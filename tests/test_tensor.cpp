// Tensor: a cheap-to-copy handle with a shape, row-major values and an optional gradient; and
// the seeded Rng its random factories draw from.
#include <algorithm>
#include <cmath>
#include <set>
#include <vector>

#include <catch2/catch.hpp>

#include <mmgen/core/random.hpp>
#include <mmgen/core/tensor.hpp>

#include "support.hpp"

using namespace mmgen;
using mmgen::test::require_close;

TEST_CASE("factories build tensors of the requested shape and values", "[tensor]") {
    SECTION("zeros, ones, full") {
        const Tensor z = Tensor::zeros({2, 3}), o = Tensor::ones({4}), f = Tensor::full({1, 2}, 2.5);
        CHECK(z.shape() == Shape{2, 3});
        CHECK(z.to_vector() == std::vector<real>(6, 0));
        CHECK(o.to_vector() == std::vector<real>(4, 1));
        CHECK(f.to_vector() == std::vector<real>{2.5, 2.5});
    }
    SECTION("scalar has shape () and one value") {
        const Tensor s = Tensor::scalar(7);
        CHECK(s.rank() == 0);
        CHECK(s.numel() == 1);
        CHECK(s.item() == 7);
        CHECK(s.shape_str() == "()");
    }
    SECTION("from_data keeps row-major order") {
        const Tensor t = Tensor::from_data({2, 3}, {1, 2, 3, 4, 5, 6});
        CHECK(t.at(0, 2) == 3);
        CHECK(t.at(1, 0) == 4);
        CHECK(t.at(5) == 6);
    }
    SECTION("an empty dimension gives no values") { CHECK(Tensor::zeros({0, 3}).numel() == 0); }
    SECTION("requires_grad is off unless asked for") {
        CHECK_FALSE(Tensor::zeros({2}).requires_grad());
        CHECK(Tensor::zeros({2}, true).requires_grad());
    }
}

TEST_CASE("shape queries report rank, dims and numel", "[tensor]") {
    const Tensor t = Tensor::zeros({4, 3, 2});
    CHECK(t.rank() == 3);
    CHECK(t.dim(0) == 4);
    CHECK(t.dim(-1) == 2);
    CHECK(t.dim(-3) == 4);
    CHECK(t.numel() == 24);
    CHECK(t.shape_str() == "(4, 3, 2)");
    CHECK(shape_string({128, 784}) == "(128, 784)");
    CHECK(numel_of({}) == 1);
    CHECK_THROWS_AS(t.dim(3), std::out_of_range);
    CHECK_THROWS_AS(t.dim(-4), std::out_of_range);
}

TEST_CASE("a Tensor is a handle: copies share the node, clone copies the values", "[tensor]") {
    Tensor a = Tensor::from_data({2}, {1, 2});
    SECTION("copy") {
        Tensor b = a;
        b.data()[0] = 10;
        CHECK(a.at(0) == 10);
        CHECK(b.same_as(a));
    }
    SECTION("clone") {
        Tensor c = a.clone();
        c.data()[0] = 10;
        CHECK(a.at(0) == 1);
        CHECK_FALSE(c.same_as(a));
        CHECK(c.is_leaf());
    }
    SECTION("a default-constructed tensor is undefined and refuses use") {
        const Tensor undefined;
        CHECK_FALSE(undefined.defined());
        CHECK_THROWS_AS(undefined.shape(), std::logic_error);
    }
}

TEST_CASE("a gradient buffer exists only once something is accumulated", "[tensor]") {
    Tensor x = Tensor::zeros({3}, true);
    CHECK_FALSE(x.has_grad());
    CHECK(x.grad().empty());
    SECTION("grad_buffer creates it zero-filled") {
        auto g = x.grad_buffer();
        CHECK(g.size() == 3);
        CHECK(x.has_grad());
        for (real v : x.grad()) CHECK(v == 0);
    }
    SECTION("zero_grad keeps the buffer and zeroes it") {
        x.grad_buffer()[1] = 5;
        x.zero_grad();
        CHECK(x.has_grad());
        CHECK(x.grad()[1] == 0);
    }
    SECTION("zero_grad on a tensor without a gradient does nothing") {
        x.zero_grad();
        CHECK_FALSE(x.has_grad());
    }
    SECTION("set_requires_grad changes a leaf") {
        Tensor y = Tensor::zeros({1});
        y.set_requires_grad();
        CHECK(y.requires_grad());
        y.set_requires_grad(false);
        CHECK_FALSE(y.requires_grad());
    }
}

TEST_CASE("random factories are reproducible from the seed and have the requested distribution", "[tensor]") {
    SECTION("the same seed gives the same values, another seed different ones") {
        Rng a(5), b(5), c(6);
        const auto first = Tensor::randn({10}, a).to_vector();
        CHECK(first == Tensor::randn({10}, b).to_vector());
        CHECK(first != Tensor::randn({10}, c).to_vector());
    }
    SECTION("randn: mean 0, the requested standard deviation") {
        Rng rng(1);
        const Tensor t = Tensor::randn({100000}, rng, 3);
        double mean = 0, square = 0;
        for (real v : t.data()) mean += v;
        mean /= 100000;
        for (real v : t.data()) square += (v - mean) * (v - mean);
        // standard errors: mean 3/√10⁵ ≈ 0.0095, variance 9·√(2/10⁵) ≈ 0.04
        CHECK_THAT(mean, Catch::Matchers::WithinAbs(0, 0.05));
        CHECK_THAT(square / 100000, Catch::Matchers::WithinAbs(9, 0.2));
    }
    SECTION("uniform stays in [lo, hi) and fills it") {
        Rng rng(2);
        const Tensor t = Tensor::uniform({10000}, rng, -1, 3);
        double lowest = 10, highest = -10, mean = 0;
        for (real v : t.data()) {
            lowest = std::min<double>(lowest, v);
            highest = std::max<double>(highest, v);
            mean += v;
        }
        CHECK(lowest >= -1);
        CHECK(highest < 3);
        CHECK(lowest < -0.99);
        CHECK(highest > 2.99);
        CHECK_THAT(mean / 10000, Catch::Matchers::WithinAbs(1, 0.05));
    }
}

TEST_CASE("Rng resumes exactly from a saved state", "[tensor][random]") {
    Rng rng(123);
    rng.next_u64();
    const auto saved = rng.state();
    const double u = rng.uniform(), n = rng.normal();
    const std::size_t k = rng.below(17);
    Rng resumed(0);
    resumed.set_state(saved);
    CHECK(resumed.uniform() == u);
    CHECK(resumed.normal() == n);
    CHECK(resumed.below(17) == k);
}

TEST_CASE("Rng::below draws every integer from 0 to n − 1 and nothing else", "[tensor][random]") {
    Rng rng(9);
    std::set<std::size_t> seen;
    for (int i = 0; i < 1000; ++i) seen.insert(rng.below(7));
    CHECK(seen == std::set<std::size_t>{0, 1, 2, 3, 4, 5, 6});
    CHECK(rng.below(0) == 0);
}

TEST_CASE("Rng::uniform lies between 0 (included) and 1 (excluded) and normal draws are finite", "[tensor][random]") {
    Rng rng(10);
    double lowest = 1, highest = 0;
    bool all_finite = true;
    for (int i = 0; i < 10000; ++i) {
        const double u = rng.uniform();
        lowest = std::min(lowest, u);
        highest = std::max(highest, u);
        all_finite = all_finite && std::isfinite(rng.normal());
    }
    CHECK(lowest >= 0);
    CHECK(highest < 1);
    CHECK(all_finite);
    require_close(Rng(3).uniform(4, 4), 4);
}

TEST_CASE("Rng::fill_normal draws what normal() draws, value for value", "[tensor][random]") {
    // fill_normal transforms a block of uniforms at a time with vector log/cos; the values must
    // be normal()'s in the same order (to a few ulp) and leave the generator in the same state
    for (std::size_t n : {1UL, 255UL, 256UL, 257UL, 1000UL}) {
        CAPTURE(n);
        Rng block(77), one_by_one(77);
        std::vector<real> z(n);
        block.fill_normal(z, real(0.5), real(2));
        double worst = 0;
        for (std::size_t i = 0; i < n; ++i) {
            const double expected = static_cast<real>(0.5 + 2 * one_by_one.normal());
            worst = std::max(worst, std::abs(z[i] - expected) / (1 + std::abs(expected)));
        }
        CHECK(worst <= 8 * std::numeric_limits<real>::epsilon());
        CHECK(block.next_u64() == one_by_one.next_u64());
    }
}

TEST_CASE("a shape whose element count overflows is refused, naming the shape", "[tensor][errors]") {
    const std::size_t huge = std::size_t{1} << 40;
    CHECK_THROWS_WITH(Tensor::zeros({huge, huge}), Catch::Contains("(1099511627776, 1099511627776)") &&
                                                       Catch::Contains("overflows"));
}
