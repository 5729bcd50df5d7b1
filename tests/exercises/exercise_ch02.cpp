// The checks of chapter 02's exercises (chapters/02_gan/exercises/). Each checker also has a
// "must fail" case that feeds it a wrong version.
#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include <mmgen/core/gradcheck.hpp>
#include <mmgen/core/ops.hpp>
#include <mmgen/models/gan.hpp>

#include "exercises.hpp"

using namespace mmgen;
using Catch::Matchers::WithinAbs;
using Catch::Matchers::WithinRel;

namespace {

using Bce = std::function<Tensor(const Tensor&, const Tensor&)>;

double bce_formula(double l, double t) {  // −[t log σ(ℓ) + (1 − t) log(1 − σ(ℓ))], in long double
    const long double s = 1.0L / (1.0L + std::exp(-(long double)l));
    return double(-(t * std::log(s) + (1 - t) * std::log(1 - s)));
}

// "" when `bce` gives the right values, stays finite at ±1000 and has the gradient σ(ℓ) − t.
std::string bce_problem(const Bce& bce) {
    const Tensor logits = Tensor::from_data({6}, {-3, -0.5, 0, 0.7, 2.5, 4});
    const Tensor targets = Tensor::from_data({6}, {0, 1, 0.5, 1, 0, 0.25});
    const Tensor y = bce(logits, targets);
    for (std::size_t i = 0; i < 6; ++i) {
        const double expected = bce_formula(logits.at(i), targets.at(i));
        if (std::abs(y.at(i) - expected) > 1e-12 * std::max(1.0, std::abs(expected)))
            return "value " + std::to_string(i) + ": " + std::to_string(y.at(i)) + ", expected " + std::to_string(expected);
    }
    const Tensor extreme = bce(Tensor::from_data({3}, {1000, -1000, 1000}), Tensor::from_data({3}, {0, 1, 1}));
    const double expected_extreme[3] = {1000, 1000, 0};
    for (std::size_t i = 0; i < 3; ++i)
        if (!(std::abs(extreme.at(i) - expected_extreme[i]) < 1e-9))
            return "at logit ±1000 value " + std::to_string(i) + " is " + std::to_string(extreme.at(i)) + ", expected " +
                   std::to_string(expected_extreme[i]);
    Rng rng(21);
    const Tensor l = Tensor::uniform({3, 4}, rng, -4, 4, true), t = Tensor::uniform({3, 4}, rng, 0, 1);
    const auto result = gradcheck("bce", [&bce, t](const std::vector<Tensor>& in) { return bce(in[0], t); }, {l}, rng);
    return result.ok ? "" : result.message;
}

double mean_bce(const std::vector<double>& logits, double target) {
    double s = 0;
    for (double l : logits) s += bce_formula(l, target);
    return s / double(logits.size());
}

}  // namespace

TEST_CASE("exercise 2.1: bce_with_logits is exact, finite at ±1000, and its gradient is σ(ℓ) − t", "[exercise][ch02]") {
    const std::string problem = bce_problem([](const Tensor& l, const Tensor& t) { return exercises::bce_with_logits(l, t); });
    INFO(problem);
    CHECK(problem.empty());
}

TEST_CASE("exercise 2.1's check fails on log(sigmoid(ℓ)) taken in two steps", "[exercise][ch02]") {
    const std::string problem = bce_problem([](const Tensor& l, const Tensor& t) {
        const Tensor s = sigmoid(l);
        return -(t * log(s) + (1 - t) * log(1 - s));  // −∞·0 and log 0 once σ(ℓ) rounds to 0 or 1
    });
    INFO(problem);
    CHECK_FALSE(problem.empty());
}

TEST_CASE("exercise 2.2: the GAN losses and their gradients in the logit", "[exercise][ch02]") {
    const std::vector<double> real_values{1.5, -0.5}, fake_values{-2, 0.3};
    const Tensor real_logits = Tensor::from_data({2, 1}, {1.5, -0.5}, true);
    const Tensor fake_logits = Tensor::from_data({2, 1}, {-2, 0.3}, true);
    SECTION("L_D = BCE(ℓ_real, 1) + BCE(ℓ_fake, 0), and log 4 where D says ½ everywhere") {
        CHECK_THAT(exercises::discriminator_loss(real_logits, fake_logits).item(),
                   WithinRel(mean_bce(real_values, 1) + mean_bce(fake_values, 0), 1e-12));
        CHECK_THAT(exercises::discriminator_loss(Tensor::zeros({3, 1}), Tensor::zeros({3, 1})).item(),
                   WithinRel(std::log(4.0), 1e-12));
    }
    SECTION("L_G minimax = −BCE(ℓ_fake, 0) and L_G non-saturating = BCE(ℓ_fake, 1)") {
        CHECK_THAT(exercises::generator_loss_minimax(fake_logits).item(), WithinRel(-mean_bce(fake_values, 0), 1e-12));
        CHECK_THAT(exercises::generator_loss_non_saturating(fake_logits).item(),
                   WithinRel(mean_bce(fake_values, 1), 1e-12));
    }
    SECTION("at D(G(z)) = 0.01 the minimax gradient is −0.01 and the non-saturating one −0.99") {
        const double logit = std::log(0.01 / 0.99);  // σ(ℓ) = 0.01
        const Tensor a = Tensor::from_data({1, 1}, {real(logit)}, true), b = Tensor::from_data({1, 1}, {real(logit)}, true);
        exercises::generator_loss_minimax(a).backward();
        exercises::generator_loss_non_saturating(b).backward();
        REQUIRE(a.has_grad());
        REQUIRE(b.has_grad());
        CHECK_THAT(a.grad()[0], WithinAbs(-0.01, 1e-12));
        CHECK_THAT(b.grad()[0], WithinAbs(-0.99, 1e-12));
    }
    SECTION("L_D's gradient: (σ(ℓ) − 1)/B on the real logits and σ(ℓ)/B on the fake ones") {
        exercises::discriminator_loss(real_logits, fake_logits).backward();
        REQUIRE(real_logits.has_grad());
        REQUIRE(fake_logits.has_grad());
        for (std::size_t i = 0; i < 2; ++i) {
            CHECK_THAT(real_logits.grad()[i], WithinAbs((1 / (1 + std::exp(-real_values[i])) - 1) / 2, 1e-12));
            CHECK_THAT(fake_logits.grad()[i], WithinAbs((1 / (1 + std::exp(-fake_values[i]))) / 2, 1e-12));
        }
    }
}

TEST_CASE("exercise 2.2's check fails on a discriminator loss with the labels swapped", "[exercise][ch02]") {
    const Tensor real_logits = Tensor::from_data({2, 1}, {1.5, -0.5}), fake_logits = Tensor::from_data({2, 1}, {-2, 0.3});
    // A loss with the labels swapped, BCE(ℓ_real, 0) + BCE(ℓ_fake, 1), trains D to call real images
    // fake and fakes real; its value is the correct loss with the arguments exchanged.
    const Tensor swapped = models::discriminator_loss(fake_logits, real_logits);
    CHECK_FALSE(std::abs(swapped.item() - (mean_bce({1.5, -0.5}, 1) + mean_bce({-2, 0.3}, 0))) < 1e-9);
}
