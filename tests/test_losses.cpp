// Losses: closed forms on hand-computed cases, each reduction, stability at extreme logits, and
// gradient checks.
#include <cmath>
#include <vector>

#include <catch2/catch.hpp>

#include <mmgen/core/autograd.hpp>
#include <mmgen/nn/losses.hpp>
#include <mmgen/core/ops.hpp>

#include "support.hpp"

using namespace mmgen;
using mmgen::test::random_input;
using mmgen::test::require_close;
using mmgen::test::require_gradient_matches;

namespace {
const double kLog2 = std::log(2.0);

void require_all_finite(const Tensor& t) {
    for (std::size_t i = 0; i < t.numel(); ++i) {
        INFO("value " << i << " = " << t.data()[i]);
        REQUIRE(std::isfinite(t.data()[i]));
    }
}
void require_finite_gradient(const Tensor& t) {
    REQUIRE(t.has_grad());
    for (std::size_t i = 0; i < t.grad().size(); ++i) {
        INFO("gradient " << i << " = " << t.grad()[i]);
        REQUIRE(std::isfinite(t.grad()[i]));
    }
}
}  // namespace

TEST_CASE("bce_with_logits equals −(t log σ(x) + (1 − t) log(1 − σ(x)))", "[losses]") {
    SECTION("x = 0: σ = ½, so the loss is log 2 for any target") {
        require_close(bce_with_logits(Tensor::scalar(0), Tensor::scalar(1)).item(), kLog2);
        require_close(bce_with_logits(Tensor::scalar(0), Tensor::scalar(0)).item(), kLog2);
        require_close(bce_with_logits(Tensor::scalar(0), Tensor::scalar(0.3)).item(), kLog2);
    }
    SECTION("x = 2, t = 1: −log σ(2) = log(1 + e⁻²)") {
        require_close(bce_with_logits(Tensor::scalar(2), Tensor::scalar(1)).item(), std::log1p(std::exp(-2.0)));
    }
    SECTION("x = −3, t = ¼: −¼ log σ(−3) − ¾ log σ(3) = ¼ log(1 + e³) + ¾ log(1 + e⁻³)") {
        const double expected = 0.25 * std::log1p(std::exp(3.0)) + 0.75 * std::log1p(std::exp(-3.0));
        require_close(bce_with_logits(Tensor::scalar(-3), Tensor::scalar(0.25)).item(), expected);
    }
}

TEST_CASE("bce_with_logits reduces by sum, mean over elements, or sum over the batch rows", "[losses]") {
    // logits (2, 2) = [[0, 0], [0, 0]]: four terms of log 2
    const Tensor logits = Tensor::zeros({2, 2});
    const Tensor targets = Tensor::from_data({2, 2}, {1, 0, 1, 0});
    SECTION("sum: 4 log 2") { require_close(bce_with_logits(logits, targets, Reduction::sum).item(), 4 * kLog2); }
    SECTION("mean: log 2") { require_close(bce_with_logits(logits, targets, Reduction::mean).item(), kLog2); }
    SECTION("batch_mean: 4 log 2 / 2 rows") {
        require_close(bce_with_logits(logits, targets, Reduction::batch_mean).item(), 2 * kLog2);
    }
}

TEST_CASE("cross_entropy equals lse(x) − x_label", "[losses]") {
    // row 0 = [1, 2, 3], label 2: log(e + e² + e³) − 3
    // row 1 = [0, 0, 0], label 0: log 3
    const double row0 = std::log(std::exp(1.0) + std::exp(2.0) + std::exp(3.0)) - 3;
    const double row1 = std::log(3.0);
    const Tensor logits = Tensor::from_data({2, 3}, {1, 2, 3, 0, 0, 0});
    const std::vector<std::size_t> labels{2, 0};
    SECTION("one row") {
        require_close(cross_entropy(Tensor::from_data({1, 3}, {1, 2, 3}), {2}).item(), row0);
    }
    SECTION("sum") { require_close(cross_entropy(logits, labels, Reduction::sum).item(), row0 + row1); }
    SECTION("mean and batch_mean both divide by the batch size") {
        require_close(cross_entropy(logits, labels, Reduction::mean).item(), (row0 + row1) / 2);
        require_close(cross_entropy(logits, labels, Reduction::batch_mean).item(), (row0 + row1) / 2);
    }
    SECTION("its gradient is (softmax − onehot) / B") {
        const Tensor x = Tensor::from_data({1, 3}, {0, 0, 0}, true);
        cross_entropy(x, {1}).backward();
        // softmax = [⅓, ⅓, ⅓]; onehot = [0, 1, 0]
        mmgen::test::require_values(Tensor::from_data({3}, {x.grad()[0], x.grad()[1], x.grad()[2]}),
                                    {1.0 / 3, -2.0 / 3, 1.0 / 3});
    }
}

TEST_CASE("mse equals the squared difference", "[losses]") {
    // prediction (2, 2) = [[1, 2], [3, 4]], target = [[0, 4], [3, 1]]: terms 1, 4, 0, 9
    const Tensor prediction = Tensor::from_data({2, 2}, {1, 2, 3, 4});
    const Tensor target = Tensor::from_data({2, 2}, {0, 4, 3, 1});
    SECTION("sum: 14") { require_close(mse(prediction, target, Reduction::sum).item(), 14); }
    SECTION("mean: 14 / 4") { require_close(mse(prediction, target, Reduction::mean).item(), 3.5); }
    SECTION("batch_mean: 14 / 2 rows") { require_close(mse(prediction, target, Reduction::batch_mean).item(), 7); }
}

TEST_CASE("gaussian_kl equals ½ Σ (μ² + σ² − 1 − log σ²) per row", "[losses]") {
    SECTION("0 when q is already N(0, I)") {
        require_close(gaussian_kl(Tensor::zeros({3, 4}), Tensor::zeros({3, 4})).item(), 0);
    }
    SECTION("a hand-computed row") {
        // μ = [1, 2], log σ² = [0, log 2]: ½[(1 + 1 − 1 − 0) + (4 + 2 − 1 − log 2)] = 3 − ½ log 2
        const Tensor mu = Tensor::from_data({1, 2}, {1, 2});
        const Tensor logvar = Tensor::from_data({1, 2}, {0, kLog2});
        require_close(gaussian_kl(mu, logvar).item(), 3 - 0.5 * kLog2);
    }
    SECTION("reductions over rows") {
        // rows: the row above (3 − ½ log 2) and a zero row (0)
        const Tensor mu = Tensor::from_data({2, 2}, {1, 2, 0, 0});
        const Tensor logvar = Tensor::from_data({2, 2}, {0, kLog2, 0, 0});
        const double row = 3 - 0.5 * kLog2;
        require_close(gaussian_kl(mu, logvar, Reduction::sum).item(), row);
        require_close(gaussian_kl(mu, logvar, Reduction::batch_mean).item(), row / 2);
        require_close(gaussian_kl(mu, logvar, Reduction::mean).item(), row / 2);
    }
}

TEST_CASE("Reduction::none returns the terms unreduced", "[losses]") {
    SECTION("bce_with_logits and mse: one term per element") {
        // logits [0, 2], targets [1, 1]: [log 2, log(1 + e⁻²)];  mse of [1, 2] and [0, 4]: [1, 4]
        const Tensor bce = bce_with_logits(Tensor::from_data({1, 2}, {0, 2}), Tensor::ones({1, 2}), Reduction::none);
        CHECK(bce.shape() == Shape{1, 2});
        mmgen::test::require_values(bce, {kLog2, std::log1p(std::exp(-2.0))});
        const Tensor squared = mse(Tensor::from_data({2}, {1, 2}), Tensor::from_data({2}, {0, 4}), Reduction::none);
        mmgen::test::require_values(squared, {1, 4});
    }
    SECTION("cross_entropy and gaussian_kl: one term per row") {
        const Tensor ce = cross_entropy(Tensor::zeros({3, 4}), {0, 1, 3}, Reduction::none);
        CHECK(ce.shape() == Shape{3});
        mmgen::test::require_values(ce, {std::log(4.0), std::log(4.0), std::log(4.0)});
        const Tensor kl = gaussian_kl(Tensor::from_data({2, 1}, {1, 0}), Tensor::zeros({2, 1}), Reduction::none);
        mmgen::test::require_values(kl, {0.5, 0});  // ½ μ² per row
    }
}

TEST_CASE("log_mean_exp equals log of the mean of the exponentials", "[losses]") {
    // [0, log 3]: log((1 + 3) / 2) = log 2;  [1000, 1000]: 1000, though e¹⁰⁰⁰ overflows
    const Tensor x = Tensor::from_data({2, 2}, {0, std::log(3.0), 1000, 1000});
    const Tensor y = log_mean_exp(x);
    CHECK(y.shape() == Shape{2});
    require_close(y.data()[0], kLog2);
    require_close(y.data()[1], 1000);
}

TEST_CASE("losses at extreme logits take their limiting values, with the limiting gradients", "[losses]") {
    const double big = GENERATE(100.0, 1000.0);
    INFO("logits ±" << big);
    // what a naive formula gets wrong there: e^1000 overflows, log σ(−1000) is log 0
    auto gradient = [](const Tensor& t) { return Tensor::from_data({t.numel()}, std::vector<real>(t.grad().begin(), t.grad().end())); };
    SECTION("bce_with_logits: confident and right costs 0, confident and wrong costs |x|") {
        const Tensor logits = Tensor::from_data({4}, {big, -big, big, -big}, true);
        const Tensor targets = Tensor::from_data({4}, {1, 0, 0, 1});
        Tensor loss = bce_with_logits(logits, targets, Reduction::sum);
        require_all_finite(loss);
        require_close(loss.item(), 2 * big);
        loss.backward();
        require_finite_gradient(logits);
        // σ(x) − t = [0, 0, 1, −1] up to e^−|x|
        mmgen::test::require_values(gradient(logits), {0, 0, 1, -1}, mmgen::test::tol.rel, 1e-40);
    }
    SECTION("cross_entropy: the right class costs 0, the wrong one 2|x|; the gradient is softmax − onehot") {
        // row [big, −big], label 1: lse − x₁ = big + log(1 + e^−2big) + big = 2 big; label 0: log(1 + e^−2big) = 0
        const Tensor logits = Tensor::from_data({2, 2}, {big, -big, big, -big}, true);
        Tensor loss = cross_entropy(logits, {1, 0}, Reduction::sum);
        require_all_finite(loss);
        require_close(loss.item(), 2 * big);
        loss.backward();
        require_finite_gradient(logits);
        // softmax = [1, 0] in both rows up to e^−2big; onehot = [0, 1] and [1, 0]
        mmgen::test::require_values(gradient(logits), {1, -1, 0, 0}, mmgen::test::tol.rel, 1e-40);
    }
    SECTION("mse and gaussian_kl at large means and log-variances") {
        // μ = [big, −big], log σ² = [−L, L] with L = big / 20 (e^50 fits in a float):
        //   mse (mean over 2) = big²,  KL = ½ Σ (μ² + σ² − 1 − log σ²) = big² + cosh L − 1
        //   ∂/∂μ = μ (mse) + μ (KL) = 2μ,  ∂/∂log σ² = ½ (σ² − 1)
        const double L = big / 20;
        const Tensor mu = Tensor::from_data({1, 2}, {big, -big}, true);
        const Tensor logvar = Tensor::from_data({1, 2}, {-L, L}, true);
        Tensor loss = mse(mu, Tensor::zeros({1, 2})) + gaussian_kl(mu, logvar);
        require_all_finite(loss);
        require_close(loss.item(), 2 * big * big + std::cosh(L) - 1);
        loss.backward();
        require_finite_gradient(mu);
        require_finite_gradient(logvar);
        mmgen::test::require_values(gradient(mu), {2 * big, -2 * big});
        mmgen::test::require_values(gradient(logvar), {0.5 * (std::exp(-L) - 1), 0.5 * (std::exp(L) - 1)});
    }
    SECTION("log_mean_exp: the largest term decides, and takes the whole gradient") {
        // log((e^big + e^−big + 1) / 3) = big − log 3 up to e^−big; the gradient is softmax = [1, 0, 0]
        const Tensor x = Tensor::from_data({3}, {big, -big, 0}, true);
        Tensor y = log_mean_exp(x);
        require_all_finite(y);
        require_close(y.item(), big - std::log(3.0));
        y.backward();
        require_finite_gradient(x);
        mmgen::test::require_values(gradient(x), {1, 0, 0}, mmgen::test::tol.rel, 1e-40);
    }
}

TEST_CASE("losses backpropagate under every reduction", "[losses][gradcheck]") {
    const Reduction reduction = GENERATE(Reduction::sum, Reduction::mean, Reduction::batch_mean, Reduction::none);
    const Shape shape = GENERATE(values<Shape>({{1, 1}, {3, 5}, {7, 1}}));
    INFO("shape " << shape_string(shape) << ", reduction " << static_cast<int>(reduction));
    Rng rng(21);
    SECTION("bce_with_logits, to logits and to targets") {
        require_gradient_matches("bce_with_logits",
                                 [&](const std::vector<Tensor>& in) { return bce_with_logits(in[0], in[1], reduction); },
                                 {random_input(shape, rng, -4, 4), random_input(shape, rng, 0, 1)});
    }
    SECTION("cross_entropy") {
        std::vector<std::size_t> labels;
        for (std::size_t r = 0; r < shape[0]; ++r) labels.push_back(rng.below(shape[1]));
        require_gradient_matches("cross_entropy",
                                 [&](const std::vector<Tensor>& in) { return cross_entropy(in[0], labels, reduction); },
                                 {random_input(shape, rng, -3, 3)});
    }
    SECTION("mse, to prediction and to target") {
        require_gradient_matches("mse", [&](const std::vector<Tensor>& in) { return mse(in[0], in[1], reduction); },
                                 {random_input(shape, rng), random_input(shape, rng)});
    }
    SECTION("gaussian_kl, to mu and to logvar") {
        require_gradient_matches("gaussian_kl",
                                 [&](const std::vector<Tensor>& in) { return gaussian_kl(in[0], in[1], reduction); },
                                 {random_input(shape, rng), random_input(shape, rng)});
    }
    SECTION("log_mean_exp") {
        require_gradient_matches("log_mean_exp", [](const std::vector<Tensor>& in) { return log_mean_exp(in[0]); },
                                 {random_input(shape, rng, -3, 3)});
    }
}
