// Chapter 04's measurements and diagnostics moved out of the chapter (models/mvae_eval.hpp,
// models/mvae_diagnostics.hpp): the pieces with answers known in closed form.
#include <cmath>
#include <numbers>
#include <vector>

#include <catch2/catch.hpp>

#include <mmgen/core/ops.hpp>
#include <mmgen/models/mvae_diagnostics.hpp>
#include <mmgen/models/mvae_eval.hpp>
#include <mmgen/nn/distributions.hpp>

#include "support.hpp"

using namespace mmgen;
using Catch::Matchers::WithinAbs;
using Catch::Matchers::WithinRel;

namespace {
const double kTol = sizeof(real) == 4 ? 1e-5 : 1e-12;
}

TEST_CASE("the log density of a Gaussian mixture matches its components", "[ch04][mvae]") {
    Rng rng(4);
    const Tensor mu = Tensor::randn({1, 3}, rng), logvar = Tensor::randn({1, 3}, rng, real(0.5));  // one component
    const Tensor z = Tensor::randn({5, 3}, rng);                                                     // (5, 3)
    const Tensor single = log_normal_diag(z, mu, logvar);  // (5): μ and log σ² broadcast over the rows
    SECTION("one component of weight 1 is log_normal_diag") {
        const auto l = models::log_mixture_density(z, mu, logvar, {1.0});
        for (std::size_t i = 0; i < 5; ++i) {
            INFO("row " << i);
            REQUIRE_THAT(l[i], WithinRel(double(single.at(i)), kTol));
        }
    }
    SECTION("two copies of it with weights ½, ½ are the same density") {
        const auto l = models::log_mixture_density(z, concat({mu, mu}, 0), concat({logvar, logvar}, 0), {0.5, 0.5});
        for (std::size_t i = 0; i < 5; ++i) {
            INFO("row " << i);
            REQUIRE_THAT(l[i], WithinRel(double(single.at(i)), kTol));
        }
    }
    SECTION("far-apart components: at one's mean the density is its weight times its peak") {
        // N(0, I) and N(100·1, I) in 2-D with weights 0.3, 0.7: at z = 0 the second adds e^(−10⁴)
        const Tensor means = Tensor::from_data({2, 2}, {0, 0, 100, 100}), logvars = Tensor::zeros({2, 2});
        const auto l = models::log_mixture_density(Tensor::zeros({1, 2}), means, logvars, {0.3, 0.7});
        REQUIRE_THAT(l[0], WithinAbs(std::log(0.3) - std::log(2 * std::numbers::pi), 1e-6));
    }
}

TEST_CASE("captions become ids row by row, for a batch and for the whole grammar", "[ch04][mvae]") {
    models::CaptionedImages pairs;
    const data::Tokenizer tok;
    pairs.captions = data::all_captions(tok);
    pairs.n = pairs.captions.size();
    const std::vector<std::size_t> idx = {2, 0};
    const auto ids = models::tokens_of(pairs, idx);  // (2 · caption_length)
    REQUIRE(ids.size() == 2 * data::kCaptionLength);
    for (std::size_t p = 0; p < data::kCaptionLength; ++p) {
        INFO("position " << p);
        CHECK(ids[p] == pairs.captions[2].tokens[p]);
        CHECK(ids[data::kCaptionLength + p] == pairs.captions[0].tokens[p]);
    }
    const auto all = models::caption_ids(pairs.captions);
    REQUIRE(all.size() == pairs.captions.size() * data::kCaptionLength);
    CHECK(std::vector<std::size_t>(all.begin() + 2 * data::kCaptionLength, all.begin() + 3 * data::kCaptionLength) ==
          std::vector<std::size_t>(pairs.captions[2].tokens.begin(), pairs.captions[2].tokens.end()));
}
