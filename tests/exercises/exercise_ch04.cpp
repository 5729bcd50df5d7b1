// The checks of chapter 04's exercises (chapters/04_multimodal/exercises/). Each checker also has a
// "must fail" case that feeds it a wrong version.
#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include <mmgen/core/gradcheck.hpp>
#include <mmgen/core/ops.hpp>
#include <mmgen/nn/distributions.hpp>

#include "exercises.hpp"

using namespace mmgen;
using Catch::Matchers::WithinAbs;
using Catch::Matchers::WithinRel;
using Posterior = DiagonalGaussian;

namespace {

using Product = std::function<Posterior(const std::vector<Posterior>&)>;

Tensor values(std::vector<real> v, bool grad = false) {  // one row (1, d)
    const std::size_t d = v.size();
    return Tensor::from_data({1, d}, std::move(v), grad);
}

// "" when `product` combines experts with the prior as precisions add and means weight by precision.
std::string product_problem(const Product& product) {
    // 1-D, the README's worked example: image N(1, ½), caption N(−1, 2), prior N(0, 1)
    //   T = 2 + ½ + 1 = 3.5,  σ² = 2/7,  μ = (2 · 1 + ½ · (−1) + 1 · 0) / 3.5 = 3/7
    const Posterior q = product({{values({1}), values({real(std::log(0.5))})}, {values({-1}), values({real(std::log(2.0))})}});
    if (std::abs(q.mu.item() - 3.0 / 7) > 1e-12) return "μ = " + std::to_string(q.mu.item()) + ", expected 3/7";
    if (std::abs(q.logvar.item() - std::log(2.0 / 7)) > 1e-12)
        return "log σ² = " + std::to_string(q.logvar.item()) + ", expected log(2/7)";
    // a confident expert (σ² = e^−300) dominates and nothing overflows; one that knows nothing (e^300) drops out
    const Posterior sure = product({{values({2, 2}), values({-300, 300})}});
    if (!(std::abs(sure.mu.at(0) - 2) < 1e-12) || !(std::abs(sure.logvar.at(0) + 300) < 1e-9))
        return "a confident expert (log σ² = −300) should give μ = 2, log σ² = −300; got " + std::to_string(sure.mu.at(0)) +
               ", " + std::to_string(sure.logvar.at(0));
    if (!(std::abs(sure.mu.at(1)) < 1e-12) || !(std::abs(sure.logvar.at(1)) < 1e-9))
        return "an expert of log σ² = 300 should leave the prior N(0, 1); got " + std::to_string(sure.mu.at(1)) + ", " +
               std::to_string(sure.logvar.at(1));
    Rng rng(41);
    std::vector<Tensor> inputs;
    for (int k = 0; k < 4; ++k) inputs.push_back(Tensor::uniform({2, 3}, rng, -2, 2, true));
    Rng upstream(42);
    for (int output = 0; output < 2; ++output) {
        const auto result = gradcheck(output == 0 ? "product mu" : "product logvar", [&product, output](const std::vector<Tensor>& in) {
            const Posterior p = product({{in[0], in[1]}, {in[2], in[3]}});
            return output == 0 ? p.mu : p.logvar;
        }, inputs, upstream);
        if (!result.ok) return result.message;
    }
    return "";
}

}  // namespace

TEST_CASE("exercise 4.1: the product of experts adds precisions and weighs means by them", "[exercise][ch04]") {
    const std::string problem = product_problem([](const std::vector<Posterior>& e) { return exercises::product_of_experts(e); });
    INFO(problem);
    CHECK(problem.empty());
}

TEST_CASE("exercise 4.1's check fails on a product that leaves out the prior expert", "[exercise][ch04]") {
    const std::string problem = product_problem([](const std::vector<Posterior>& e) {
        return mmgen::product_of_experts(e, /*include_prior=*/false);
    });
    INFO(problem);
    CHECK_FALSE(problem.empty());
}

TEST_CASE("exercise 4.2: the KL between two diagonal Gaussians", "[exercise][ch04]") {
    SECTION("zero between a Gaussian and itself, and one value by hand") {
        const Posterior q{values({0.5, -1}), values({0.3, -0.2})};
        CHECK_THAT(exercises::gaussian_kl_between(q, q).item(), WithinAbs(0.0, 1e-15));
        // KL(N(1, 1) ‖ N(0, 4)) = ½ (log 4 − 0 + (1 + 1)/4 − 1) = ½ (log 4 − ½)
        CHECK_THAT(exercises::gaussian_kl_between({values({1}), values({0})}, {values({0}), values({real(std::log(4.0))})}).item(),
                   WithinRel(0.5 * (std::log(4.0) - 0.5), 1e-12));
    }
    SECTION("against N(0, I) it is chapter 03's KL") {
        const Posterior q{values({0.7, -1.2}), values({0.4, -0.9})};
        const double expected = 0.5 * (0.49 + std::exp(0.4) - 1 - 0.4 + 1.44 + std::exp(-0.9) - 1 + 0.9);
        CHECK_THAT(exercises::gaussian_kl_between(q, {values({0, 0}), values({0, 0})}).item(), WithinRel(expected, 1e-12));
    }
    SECTION("its gradient matches central differences") {
        Rng rng(43);
        std::vector<Tensor> inputs;
        for (int k = 0; k < 4; ++k) inputs.push_back(Tensor::uniform({2, 3}, rng, -2, 2, true));
        const auto result = gradcheck("exercise gaussian_kl_between", [](const std::vector<Tensor>& in) {
            return exercises::gaussian_kl_between({in[0], in[1]}, {in[2], in[3]});
        }, inputs, rng);
        INFO(result.message);
        CHECK(result.ok);
    }
}

TEST_CASE("exercise 4.2's check fails on the KL taken the other way round", "[exercise][ch04]") {
    // KL is not symmetric: KL(N(0, 4) ‖ N(1, 1)) = ½ (0 − log 4 + (4 + 1)/1 − 1) ≠ ½ (log 4 − ½)
    const double reversed = mmgen::gaussian_kl_between({values({0}), values({real(std::log(4.0))})}, {values({1}), values({0})}).item();
    CHECK_FALSE(std::abs(reversed - 0.5 * (std::log(4.0) - 0.5)) < 1e-6);
}
