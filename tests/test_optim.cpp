// Optimizers: the textbook first steps on one parameter, computed by hand.
#include <algorithm>
#include <cmath>
#include <vector>

#include <catch2/catch.hpp>

#include <mmgen/core/autograd.hpp>
#include <mmgen/core/ops.hpp>
#include <mmgen/nn/optim.hpp>

#include "support.hpp"

using namespace mmgen;
using mmgen::test::require_close;

namespace {
// One parameter θ (shape (1)) with a gradient set by hand.
Tensor parameter(real theta) { return Tensor::full({1}, theta, true); }
void set_gradient(Tensor& p, real g) {
    p.zero_grad();
    p.grad_buffer()[0] = g;
}
}  // namespace

TEST_CASE("Sgd takes the textbook steps", "[optim]") {
    Tensor theta = parameter(1);
    SECTION("plain: θ − lr·g = 1 − 0.1·0.5 = 0.95") {
        optim::Sgd sgd({theta}, 0.1);
        set_gradient(theta, 0.5);
        sgd.step();
        require_close(theta.item(), 0.95);
        CHECK(sgd.steps() == 1);
    }
    SECTION("momentum 0.9, the same g twice: v = 0.5 → θ = 0.95; v = 0.9·0.5 + 0.5 = 0.95 → θ = 0.855") {
        optim::Sgd sgd({theta}, 0.1, 0.9);
        set_gradient(theta, 0.5);
        sgd.step();
        require_close(theta.item(), 0.95);
        sgd.step();
        require_close(theta.item(), 0.855);
        require_close(sgd.state()[0].second.item(), 0.95);
        CHECK(sgd.state()[0].first == "velocity.0");
    }
    SECTION("weight decay λ adds λθ to the gradient: g = 0.5 + 0.1·1 → θ = 1 − 0.1·0.6 = 0.94") {
        optim::Sgd sgd({theta}, 0.1, 0, 0.1);
        set_gradient(theta, 0.5);
        sgd.step();
        require_close(theta.item(), 0.94);
    }
}

TEST_CASE("Adam takes the textbook steps", "[optim]") {
    // β₁ = 0.9, β₂ = 0.999, ε = 0 so the hand computation is exact
    Tensor theta = parameter(1);
    optim::Adam adam({theta}, 0.1, 0.9, 0.999, 0);
    set_gradient(theta, 0.5);
    adam.step();
    // m = 0.1·0.5 = 0.05, v = 0.001·0.25 = 0.00025; m̂ = 0.05/0.1 = 0.5, v̂ = 0.00025/0.001 = 0.25
    // θ = 1 − 0.1 · 0.5/√0.25 = 1 − 0.1 = 0.9: the first step moves by lr · sign(g)
    SECTION("first step: by lr in the direction of −g") {
        require_close(theta.item(), 0.9);
        const auto state = adam.state();
        CHECK(state[0].first == "m.0");
        CHECK(state[1].first == "v.0");
        require_close(state[0].second.item(), 0.05);
        require_close(state[1].second.item(), 0.00025);
    }
    SECTION("second step with g = −0.25") {
        set_gradient(theta, -0.25);
        adam.step();
        // m = 0.9·0.05 + 0.1·(−0.25) = 0.02;  v = 0.999·0.00025 + 0.001·0.0625 = 0.00031225
        // m̂ = 0.02/(1 − 0.81) = 0.02/0.19;  v̂ = 0.00031225/(1 − 0.998001) = 0.00031225/0.001999
        // θ = 0.9 − 0.1 · m̂/√v̂ ≈ 0.9 − 0.1 · 0.105263/0.395225 = 0.9 − 0.0266337 = 0.8733663
        const double expected = 0.9 - 0.1 * (0.02 / 0.19) / std::sqrt(0.00031225 / 0.001999);
        require_close(theta.item(), expected);
        require_close(theta.item(), 0.8733663, std::max(1e-7, mmgen::test::tol.rel));  // the 7 digits above
        CHECK(adam.steps() == 2);
    }
    SECTION("the same gradient again moves by lr again: m̂ = 0.5, v̂ = 0.25") {
        adam.step();
        require_close(theta.item(), 0.8);
    }
}

TEST_CASE("Adam's ε and weight decay enter as in PyTorch", "[optim]") {
    Tensor theta = parameter(1);
    SECTION("ε is added to √v̂: θ = 1 − 0.1 · 0.5/(0.5 + 0.5) = 0.95") {
        optim::Adam adam({theta}, 0.1, 0.9, 0.999, 0.5);
        set_gradient(theta, 0.5);
        adam.step();
        require_close(theta.item(), 0.95);
    }
    SECTION("weight decay adds λθ to the gradient: g = 0.5 + 0.2·1 = 0.7, so m = 0.07") {
        optim::Adam adam({theta}, 0.1, 0.9, 0.999, 0, 0.2);
        set_gradient(theta, 0.5);
        adam.step();
        require_close(adam.state()[0].second.item(), 0.07);
        require_close(theta.item(), 0.9);
    }
}

TEST_CASE("Adam updates every element of a large parameter by the same rule", "[optim]") {
    // 100 000 values (the vectorised loop, its remainder and every element in between); with
    // ε = 0 the first step moves each value by exactly lr · sign(gᵢ)
    const std::size_t n = 100000;
    Tensor theta = Tensor::zeros({n}, true);
    auto g = theta.grad_buffer();
    for (std::size_t i = 0; i < n; ++i) g[i] = (i % 3 == 0) ? real(-0.5) : real(0.25) * static_cast<real>(i % 7 + 1);
    optim::Adam adam({theta}, 0.1, 0.9, 0.999, 0);
    adam.step();
    std::size_t wrong = 0, first_wrong = n;
    for (std::size_t i = 0; i < n; ++i)
        if (!(std::abs(theta.data()[i] - (g[i] < 0 ? 0.1 : -0.1)) <= mmgen::test::tol.abs) && wrong++ == 0) first_wrong = i;
    INFO("first wrong element: " << first_wrong);
    CHECK(wrong == 0);
}

TEST_CASE("optimizers leave parameters without a gradient untouched", "[optim]") {
    Tensor with_grad = parameter(1), without_grad = parameter(2);
    set_gradient(with_grad, 0.5);
    REQUIRE_FALSE(without_grad.has_grad());
    SECTION("Sgd") {
        optim::Sgd sgd({with_grad, without_grad}, 0.1, 0.9, 0.1);
        sgd.step();
        CHECK(with_grad.item() != 1);
        CHECK(without_grad.item() == 2);
        CHECK(sgd.state()[1].second.item() == 0);
    }
    SECTION("Adam") {
        optim::Adam adam({with_grad, without_grad}, 0.1, 0.9, 0.999, 1e-8, 0.1);
        adam.step();
        CHECK(with_grad.item() != 1);
        CHECK(without_grad.item() == 2);
    }
}

TEST_CASE("Optimizer::zero_grad clears the gradients it updates", "[optim]") {
    Tensor a = parameter(1), b = parameter(2);
    sum(a * b).backward();
    optim::Sgd sgd({a, b}, 0.1);
    sgd.zero_grad();
    CHECK(a.grad()[0] == 0);
    CHECK(b.grad()[0] == 0);
}

TEST_CASE("optimizers minimise a quadratic through autograd", "[optim]") {
    // L(θ) = Σ (θ − [3, −1])²: the minimum is θ = [3, −1]
    const Tensor target = Tensor::from_data({2}, {3, -1});
    Tensor theta = Tensor::zeros({2}, true);
    auto run = [&](optim::Optimizer& opt, int steps) {
        for (int i = 0; i < steps; ++i) {
            opt.zero_grad();
            sum(square(theta - target)).backward();
            opt.step();
        }
    };
    SECTION("Sgd with momentum") {
        optim::Sgd sgd({theta}, 0.05, 0.9);
        run(sgd, 300);
    }
    SECTION("Adam") {
        optim::Adam adam({theta}, 0.05);
        run(adam, 2000);
    }
    CHECK_THAT(theta.data()[0], Catch::Matchers::WithinAbs(3, 1e-3));
    CHECK_THAT(theta.data()[1], Catch::Matchers::WithinAbs(-1, 1e-3));
}

TEST_CASE("optimizers reject invalid hyperparameters", "[optim]") {
    Tensor theta = parameter(1);
    CHECK_THROWS_AS(optim::Sgd({theta}, 0), std::invalid_argument);
    CHECK_THROWS_AS(optim::Sgd({theta}, -0.1), std::invalid_argument);
    CHECK_THROWS_AS(optim::Adam({theta}, 0.1, 1.0), std::invalid_argument);
    CHECK_THROWS_AS(optim::Adam({theta}, 0.1, 0.9, -0.5), std::invalid_argument);
}

TEST_CASE("linear_decay holds the rate for the first part of the run, then falls linearly to 0 at the last step",
          "[optim]") {
    // 10 steps, the second half decays: steps 0–4 at lr, then lr·(10 − s)/5 for s = 5…9
    for (std::size_t s = 0; s < 5; ++s) CHECK(optim::linear_decay(2e-4, s, 10) == 2e-4);
    CHECK(optim::linear_decay(2e-4, 5, 10) == Approx(2e-4));
    CHECK(optim::linear_decay(2e-4, 7, 10) == Approx(2e-4 * 3 / 5));
    CHECK(optim::linear_decay(2e-4, 9, 10) == Approx(2e-4 / 5));
    CHECK(optim::linear_decay(2e-4, 10, 10) == 0);
    // decay over the last quarter of 8 steps: held for 6, then 2/2, 1/2 of the rate
    CHECK(optim::linear_decay(1.0, 5, 8, 0.25) == 1.0);
    CHECK(optim::linear_decay(1.0, 7, 8, 0.25) == Approx(0.5));
}
