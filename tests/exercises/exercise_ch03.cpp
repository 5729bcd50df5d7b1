// The checks of chapter 03's exercises (chapters/03_vae/exercises/). Each checker also has a
// "must fail" case that feeds it a wrong version.
#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include <mmgen/core/gradcheck.hpp>
#include <mmgen/core/ops.hpp>

#include "exercises.hpp"

using namespace mmgen;
using Catch::Matchers::WithinAbs;
using Catch::Matchers::WithinRel;

namespace {

GradcheckResult check(const std::string& name, const GradcheckFn& f, const std::vector<Tensor>& inputs) {
    Rng rng(31);  // the random upstream gradient
    return gradcheck(name, f, inputs, rng);
}

using Lme = std::function<Tensor(const Tensor&)>;

// "" when `lme` gives log mean exp along the last axis, stays finite at ±1000 and has softmax gradients.
std::string log_mean_exp_problem(const Lme& lme) {
    const Tensor x = Tensor::from_data({3, 2}, {1000, 1000, -1000, 0, 0.5, -1.5});
    const Tensor y = lme(x);  // (3)
    const double expected[3] = {1000, std::log(0.5 * (std::exp(-1000.0) + 1)), std::log(0.5 * (std::exp(0.5) + std::exp(-1.5)))};
    if (y.numel() != 3) return "expected one value per row, got shape " + y.shape_str();
    for (std::size_t i = 0; i < 3; ++i)
        if (!(std::abs(y.at(i) - expected[i]) < 1e-12 * std::max(1.0, std::abs(expected[i]))))
            return "row " + std::to_string(i) + ": " + std::to_string(y.at(i)) + ", expected " + std::to_string(expected[i]);
    Rng rng(33);
    const Tensor w = Tensor::uniform({4, 5}, rng, -3, 3, true);
    const auto result = check("log_mean_exp", [&lme](const std::vector<Tensor>& in) { return lme(in[0]); }, {w});
    return result.ok ? "" : result.message;
}

}  // namespace

TEST_CASE("exercise 3.1: the Gaussian KL is ½ Σ (μ² + σ² − 1 − log σ²) with gradients μ and ½(σ² − 1)",
          "[exercise][ch03]") {
    SECTION("values: zero at the prior, and one row by hand") {
        const Tensor kl = exercises::gaussian_kl(Tensor::from_data({2, 2}, {0, 0, 1, -2}),
                                                 Tensor::from_data({2, 2}, {0, 0, std::log(4.0), 0}));
        REQUIRE(kl.numel() == 2);
        CHECK_THAT(kl.at(0), WithinAbs(0.0, 1e-15));
        // ½ [(1 + 4 − 1 − log 4) + (4 + 1 − 1 − 0)] = ½ (8 − log 4)
        CHECK_THAT(kl.at(1), WithinRel(0.5 * (8 - std::log(4.0)), 1e-12));
    }
    SECTION("its gradient matches central differences") {
        Rng rng(32);
        const Tensor mu = Tensor::uniform({3, 4}, rng, -2, 2, true), logvar = Tensor::uniform({3, 4}, rng, -2, 2, true);
        const auto result = check("exercise gaussian_kl", [](const std::vector<Tensor>& in) {
            return exercises::gaussian_kl(in[0], in[1]);
        }, {mu, logvar});
        INFO(result.message);
        CHECK(result.ok);
    }
}

TEST_CASE("exercise 3.1's check fails on a KL whose log-variance gradient forgets the ½", "[exercise][ch03]") {
    Rng rng(32);
    const Tensor mu = Tensor::uniform({3, 4}, rng, -2, 2, true), logvar = Tensor::uniform({3, 4}, rng, -2, 2, true);
    const auto result = check("KL with ∂/∂logvar = e^logvar − 1", [](const std::vector<Tensor>& in) {
        const Tensor half = sum(exp(in[1]) - in[1], 1) * real(0.5);  // the log-variance part of the KL
        const Tensor rest = sum(square(in[0]) - real(1), 1) * real(0.5);
        return rest + half * real(2) - half.detach();  // the KL's value, twice its log-variance gradient
    }, {mu, logvar});
    INFO(result.message);
    CHECK_FALSE(result.ok);
    CHECK(result.input == 1);
}

TEST_CASE("exercise 3.2: the reparameterisation's gradient is 1 for μ and ½σε for log σ²", "[exercise][ch03]") {
    SECTION("one value by hand: μ = 0.5, log σ² = log 4, ε = −1.5 ⇒ z = −2.5, ∂z/∂log σ² = ½ · 2 · (−1.5) = −1.5") {
        const Tensor mu = Tensor::from_data({1, 1}, {0.5}, true), logvar = Tensor::from_data({1, 1}, {real(std::log(4.0))}, true);
        const Tensor z = exercises::reparameterize(mu, logvar, Tensor::from_data({1, 1}, {-1.5}));
        CHECK_THAT(z.item(), WithinRel(-2.5, 1e-12));
        z.backward(Tensor::ones({1, 1}));
        REQUIRE(mu.has_grad());
        REQUIRE(logvar.has_grad());
        CHECK_THAT(mu.grad()[0], WithinRel(1.0, 1e-12));
        CHECK_THAT(logvar.grad()[0], WithinRel(-1.5, 1e-12));
    }
    SECTION("matches central differences") {
        Rng rng(34);
        const Tensor mu = Tensor::uniform({3, 4}, rng, -2, 2, true), logvar = Tensor::uniform({3, 4}, rng, -2, 2, true);
        const Tensor eps = Tensor::randn({3, 4}, rng);
        const auto result = check("exercise reparameterize", [eps](const std::vector<Tensor>& in) {
            return exercises::reparameterize(in[0], in[1], eps);
        }, {mu, logvar});
        INFO(result.message);
        CHECK(result.ok);
    }
}

TEST_CASE("exercise 3.2's check fails on ∂z/∂log σ² = σε (the ½ of σ = e^(½ log σ²) forgotten)", "[exercise][ch03]") {
    Rng rng(34);
    const Tensor mu = Tensor::uniform({3, 4}, rng, -2, 2, true), logvar = Tensor::uniform({3, 4}, rng, -2, 2, true);
    const Tensor eps = Tensor::randn({3, 4}, rng);
    const auto result = check("reparameterize with σ = e^logvar in the backward", [eps](const std::vector<Tensor>& in) {
        const Tensor noise_part = exp(in[1] * real(0.5)) * eps;
        return in[0] + noise_part * real(2) - noise_part.detach();  // the value of μ + σε, twice its logvar gradient
    }, {mu, logvar});
    INFO(result.message);
    CHECK_FALSE(result.ok);
    CHECK(result.input == 1);
}

TEST_CASE("exercise 3.3: log_mean_exp is exact, finite at ±1000, and its gradient is the softmax", "[exercise][ch03]") {
    const std::string problem = log_mean_exp_problem([](const Tensor& x) { return exercises::log_mean_exp(x); });
    INFO(problem);
    CHECK(problem.empty());
}

TEST_CASE("exercise 3.3's check fails on log(mean(exp(x))) without the shift", "[exercise][ch03]") {
    const std::string problem = log_mean_exp_problem([](const Tensor& x) {
        return log(mean(exp(x), -1));  // e^1000 overflows to ∞
    });
    INFO(problem);
    CHECK_FALSE(problem.empty());
}
