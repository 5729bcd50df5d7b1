// A program linked against the core layer alone (tests/CMakeLists.txt links mmgen_core and
// nothing else of the library): Tensor, ops and autograd are a whole little autograd library,
// without nn, io, report or models. If core ever calls into a higher layer, this fails to link.
#include <catch2/catch.hpp>

#include <cmath>

#include <mmgen/core/autograd.hpp>
#include <mmgen/core/ops.hpp>
#include <mmgen/core/random.hpp>
#include <mmgen/core/tensor.hpp>

using namespace mmgen;
using Catch::Matchers::WithinAbs;
using Catch::Matchers::WithinRel;

namespace {
// Least squares on data made by y = x w*ᵀ + b*: the loss L(w, b) = mean((x wᵀ + b − y)²).
struct Regression {
    Rng rng{1};
    Tensor w_true = Tensor::from_data({1, 3}, {0.5, -2, 1});      // (out, in)
    Tensor b_true = Tensor::from_data({1}, {0.25});               // (out)
    Tensor x = Tensor::randn({64, 3}, rng);                       // (B, in)
    Tensor y = linear(x, w_true, b_true).detach();                // (B, out)
    Tensor loss(const Tensor& w, const Tensor& b) const { return mean(square(linear(x, w, b) - y)); }  // ()
};
}  // namespace

TEST_CASE("with the core layer alone, backward gives the least-squares gradient 2/B · Σ (x wᵀ + b − y) x", "[layers]") {
    Regression r;
    const Tensor w = Tensor::zeros({1, 3}, true), b = Tensor::zeros({1}, true);
    r.loss(w, b).backward();
    // at w = 0, b = 0 the residual is −y: dL/dw_j = −2/B Σᵢ yᵢ xᵢⱼ, dL/db = −2/B Σᵢ yᵢ
    const std::size_t batch = r.x.dim(0);
    for (std::size_t j = 0; j < 3; ++j) {
        double expected = 0;
        for (std::size_t i = 0; i < batch; ++i) expected -= 2.0 * r.y.at(i, 0) * r.x.at(i, j) / double(batch);
        INFO("dL/dw_" << j);
        REQUIRE_THAT(w.grad()[j], WithinRel(expected, 1e-5));
    }
    double expected_b = 0;
    for (std::size_t i = 0; i < batch; ++i) expected_b -= 2.0 * r.y.at(i, 0) / double(batch);
    REQUIRE_THAT(b.grad()[0], WithinRel(expected_b, 1e-5));
}

TEST_CASE("with the core layer alone, gradient descent recovers the weights that made the data", "[layers]") {
    Regression r;
    Tensor w = Tensor::zeros({1, 3}, true), b = Tensor::zeros({1}, true);
    const real lr = 0.1;
    for (int step = 0; step < 300; ++step) {
        w.zero_grad(), b.zero_grad();
        r.loss(w, b).backward();
        for (Tensor* p : {&w, &b})
            for (std::size_t i = 0; i < p->numel(); ++i) p->data()[i] -= lr * p->grad()[i];  // θ ← θ − lr ∂L/∂θ
    }
    for (std::size_t j = 0; j < 3; ++j) {
        INFO("w_" << j);
        REQUIRE_THAT(w.at(j), WithinAbs(r.w_true.at(j), 1e-4));
    }
    REQUIRE_THAT(b.at(0), WithinAbs(0.25, 1e-4));
    REQUIRE(r.loss(w, b).item() < 1e-8);
}
