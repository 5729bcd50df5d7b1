// The gradient checker itself: it passes correct backward rules and, just as importantly, fails
// wrong ones and says where.
#include <cmath>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include <mmgen/core/autograd.hpp>
#include <mmgen/core/gradcheck.hpp>
#include <mmgen/core/ops.hpp>

#include "support.hpp"

using namespace mmgen;
using Catch::Matchers::Contains;
using mmgen::test::random_input;

namespace {

// z = a · b elementwise, with a backward rule that is wrong on purpose in a chosen way.
enum class Mistake { none, scaled_b_gradient_at_index_2, missing_b_gradient, assigns_instead_of_adding };

Tensor product_with(Mistake mistake, const Tensor& a, const Tensor& b) {
    Tensor z = Tensor::empty(a.shape());
    for (std::size_t i = 0; i < z.numel(); ++i) z.data()[i] = a.data()[i] * b.data()[i];
    return record(z, "product", {a, b}, [a, b, mistake](Node& out) {
        auto da = a.grad_buffer();
        auto db = b.grad_buffer();
        for (std::size_t i = 0; i < out.grad.size(); ++i) {
            const real g = out.grad[i];
            if (mistake == Mistake::assigns_instead_of_adding) {
                da[i] = g * b.data()[i];  // the classic bug: overwrites what other uses added
                db[i] = g * a.data()[i];
                continue;
            }
            da[i] += g * b.data()[i];
            if (mistake == Mistake::missing_b_gradient) continue;
            const real factor = (mistake == Mistake::scaled_b_gradient_at_index_2 && i == 2) ? real(1.5) : real(1);
            db[i] += factor * g * a.data()[i];
        }
    });
}

GradcheckResult check(const std::string& name, const GradcheckFn& f, const std::vector<Tensor>& inputs,
                      const GradcheckOptions& options = {}) {
    Rng rng(99);
    return gradcheck(name, f, inputs, rng, options);
}

}  // namespace

TEST_CASE("gradcheck accepts a correct backward rule", "[gradcheck]") {
    Rng rng(1);
    const Tensor a = random_input({3, 4}, rng), b = random_input({3, 4}, rng);
    const auto result =
        check("product", [](const std::vector<Tensor>& in) { return product_with(Mistake::none, in[0], in[1]); },
              {a, b});
    INFO(result.message);
    CHECK(result.ok);
    CHECK(result.checked == 24);
    CHECK(result.skipped == 0);
    CHECK(result.max_relative_error <= 1e-6);
    CHECK_THAT(result.message, Contains("gradcheck 'product'"));
}

TEST_CASE("gradcheck stays within 1e-6 on a batch-sized input", "[gradcheck]") {
    // 2048 outputs: the finite difference must not drown small derivatives in the round-off of
    // the whole weighted sum Σ u · y
    Rng rng(5);
    const Tensor x = random_input({32, 64}, rng);
    for (const auto& [name, f] : std::vector<std::pair<std::string, GradcheckFn>>{
             {"exp", [](const std::vector<Tensor>& in) { return exp(in[0]); }},
             {"tanh", [](const std::vector<Tensor>& in) { return tanh(in[0]); }},
             {"x xT", [](const std::vector<Tensor>& in) { return matmul(in[0], in[0], false, true); }}}) {
        const auto result = check(name, f, {x});
        INFO(result.message);
        CHECK(result.ok);
    }
}

TEST_CASE("gradcheck rejects a wrong backward rule and names the input and index", "[gradcheck]") {
    Rng rng(2);
    const Tensor a = random_input({3, 4}, rng), b = random_input({3, 4}, rng);
    SECTION("a gradient off by a factor at one position") {
        const auto result = check("product", [](const std::vector<Tensor>& in) {
            return product_with(Mistake::scaled_b_gradient_at_index_2, in[0], in[1]);
        }, {a, b});
        INFO(result.message);
        CHECK_FALSE(result.ok);
        CHECK(result.input == 1);
        CHECK(result.index == 2);
        CHECK(result.shape == Shape{3, 4});
        // analytic = 1.5 × numeric ⇒ relative error 1/3
        CHECK_THAT(result.max_relative_error, Catch::Matchers::WithinRel(1.0 / 3.0, 1e-6));
        CHECK_THAT(result.message, Contains("'product'") && Contains("input 1") && Contains("(3, 4)") &&
                                       Contains("index 2") && Contains("central difference"));
    }
    SECTION("a gradient that is never accumulated") {
        const auto result = check("product", [](const std::vector<Tensor>& in) {
            return product_with(Mistake::missing_b_gradient, in[0], in[1]);
        }, {a, b});
        INFO(result.message);
        CHECK_FALSE(result.ok);
        CHECK(result.input == 1);
        CHECK(result.analytic == 0);
    }
    SECTION("a gradient assigned instead of added, seen when a tensor is used twice") {
        // f(a, b) = a·b + a·b: with assignment the second use overwrites the first
        const auto result = check("product used twice", [](const std::vector<Tensor>& in) {
            return product_with(Mistake::assigns_instead_of_adding, in[0], in[1]) +
                   product_with(Mistake::assigns_instead_of_adding, in[0], in[1]);
        }, {a, b});
        INFO(result.message);
        CHECK_FALSE(result.ok);
        CHECK_THAT(result.max_relative_error, Catch::Matchers::WithinRel(0.5, 1e-6));
    }
}

TEST_CASE("gradcheck skips values next to a declared kink and counts them", "[gradcheck]") {
    // relu at exactly 0: the central difference is ½ · upstream, the analytic derivative 0
    const Tensor x = Tensor::from_data({4}, {-1, 0, 0.5, 2}, true);
    auto relu_of = [](const std::vector<Tensor>& in) { return relu(in[0]); };
    SECTION("undeclared, the kink fails the check at its index") {
        const auto result = check("relu", relu_of, {x});
        INFO(result.message);
        CHECK_FALSE(result.ok);
        CHECK(result.index == 1);
    }
    SECTION("declared, it is skipped and the rest passes") {
        GradcheckOptions options;
        options.kinks = {0};
        const auto result = check("relu", relu_of, {x}, options);
        INFO(result.message);
        CHECK(result.ok);
        CHECK(result.skipped == 1);
        CHECK(result.checked == 3);
        CHECK_THAT(result.message, Contains("1 skipped"));
    }
    SECTION("a check that compares nothing fails") {
        GradcheckOptions options;
        options.kinks = {0};
        const auto result = check("relu", relu_of, {Tensor::zeros({3}, true)}, options);
        INFO(result.message);
        CHECK_FALSE(result.ok);
        CHECK_THAT(result.message, Contains("no values compared"));
    }
}

TEST_CASE("gradcheck fails on a non-finite gradient", "[gradcheck]") {
    // sqrt at 0: the analytic derivative 1/(2·0) is infinite
    const Tensor x = Tensor::from_data({2}, {0, 1}, true);
    const auto result = check("sqrt", [](const std::vector<Tensor>& in) { return sqrt(in[0]); }, {x});
    INFO(result.message);
    CHECK_FALSE(result.ok);
}

TEST_CASE("gradcheck restores the inputs and checks only those that require a gradient", "[gradcheck]") {
    Rng rng(3);
    const Tensor a = random_input({2, 3}, rng);
    const Tensor constant = Tensor::uniform({2, 3}, rng, -1, 1);
    const std::vector<real> a_before = a.to_vector();
    const auto result = check("mul", [](const std::vector<Tensor>& in) { return in[0] * in[1]; }, {a, constant});
    INFO(result.message);
    CHECK(result.ok);
    CHECK(result.checked == 6);
    CHECK(a.to_vector() == a_before);
    CHECK_FALSE(constant.has_grad());
}

TEST_CASE("gradcheck overwrites a stale gradient instead of adding to it", "[gradcheck]") {
    Rng rng(4);
    const Tensor a = random_input({5}, rng);
    sum(a * 100).backward();  // leaves a stale gradient of 100 everywhere
    const auto result = check("square", [](const std::vector<Tensor>& in) { return square(in[0]); }, {a});
    INFO(result.message);
    CHECK(result.ok);
}
