// The ops: each forward on a hand-computed case, and each backward against central differences
// (mmgen::gradcheck in double, random upstream gradient) over shapes that include size 1 and
// odd sizes.
#include <algorithm>
#include <cmath>
#include <limits>
#include <functional>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include <mmgen/core/autograd.hpp>
#include <mmgen/core/ops.hpp>

#include "support.hpp"

using namespace mmgen;
using mmgen::test::random_input;
using mmgen::test::require_close;
using mmgen::test::require_gradient_matches;
using mmgen::test::require_values;

namespace {

// The shapes every elementwise op is checked on: single values, odd sizes, a row, a column
// and a rank-3 tensor.
Shape any_shape() { return GENERATE(values<Shape>({{1, 1}, {3, 5}, {7, 1}, {1, 9}, {4, 3, 2}})); }

using Unary = std::function<Tensor(const Tensor&)>;

// Gradient-checks y = op(x) at inputs uniform in [lo, hi).
void check_unary(const std::string& name, const Unary& op, const Shape& shape, real lo, real hi,
                 const GradcheckOptions& options = {}) {
    INFO(name << " on shape " << shape_string(shape) << " with inputs in [" << lo << ", " << hi << ")");
    Rng rng(7);
    require_gradient_matches(name, [&](const std::vector<Tensor>& in) { return op(in[0]); },
                             {random_input(shape, rng, lo, hi)}, options);
}

using Binary = std::function<Tensor(const Tensor&, const Tensor&)>;

struct NamedBinary {
    std::string name;
    Binary op;
};

// add, sub, mul, div; div's right operand is kept away from 0 by the caller.
std::vector<NamedBinary> binary_ops() {
    return {{"add", [](const Tensor& a, const Tensor& b) { return a + b; }},
            {"sub", [](const Tensor& a, const Tensor& b) { return a - b; }},
            {"mul", [](const Tensor& a, const Tensor& b) { return a * b; }},
            {"div", [](const Tensor& a, const Tensor& b) { return a / b; }}};
}

// Gradient-checks a op b for every binary op, both operands requiring a gradient: a in [−2, 2),
// b in [0.5, 2) so the divisor stays away from 0.
void check_binary(const Shape& a_shape, const Shape& b_shape) {
    for (const auto& [name, op] : binary_ops()) {
        INFO(name << " of " << shape_string(a_shape) << " and " << shape_string(b_shape));
        Rng rng(11);
        const Tensor a = random_input(a_shape, rng, -2, 2), b = random_input(b_shape, rng, 0.5, 2);
        require_gradient_matches(name, [&](const std::vector<Tensor>& in) { return op(in[0], in[1]); }, {a, b});
    }
}

}  // namespace

// --- elementwise binary --------------------------------------------------------------------------

TEST_CASE("binary ops compute elementwise values and broadcast a row vector over rows", "[ops]") {
    const Tensor a = Tensor::from_data({2, 2}, {1, 2, 3, 4});

    SECTION("same shape") {
        require_values(add(a, a), {2, 4, 6, 8});
        require_values(sub(a, Tensor::ones({2, 2})), {0, 1, 2, 3});
        require_values(mul(a, a), {1, 4, 9, 16});
        require_values(div(a, Tensor::full({2, 2}, 2)), {0.5, 1, 1.5, 2});
    }
    SECTION("a row vector (N) or (1, N) is repeated over the rows, in either position") {
        for (const Shape& row_shape : {Shape{2}, Shape{1, 2}}) {
            INFO("row of shape " << shape_string(row_shape));
            const Tensor row = Tensor::from_data(row_shape, {10, 20});
            const Tensor left = row - a, right = a - row;
            CHECK(left.shape() == Shape{2, 2});
            CHECK(right.shape() == Shape{2, 2});
            require_values(left, {9, 18, 7, 16});
            require_values(right, {-9, -18, -7, -16});
        }
    }
    SECTION("a one-element tensor is repeated everywhere, in either position") {
        for (const Shape& one : {Shape{}, Shape{1}, Shape{1, 1}}) {
            INFO("single value of shape " << shape_string(one));
            const Tensor c = Tensor::full(one, 2);
            require_values(a / c, {0.5, 1, 1.5, 2});
            require_values(c / a, {2, 1, 2.0 / 3, 0.5});
            CHECK((c / a).shape() == Shape{2, 2});
        }
    }
    SECTION("the result's shape does not depend on the operand order") {
        const Tensor scalar = Tensor::scalar(1), one_by_one = Tensor::ones({1, 1});
        CHECK((scalar + one_by_one).shape() == (one_by_one + scalar).shape());
        const Tensor flat = Tensor::ones({3}), row = Tensor::ones({1, 3});
        CHECK((flat + row).shape() == (row + flat).shape());
    }
}

TEST_CASE("binary ops backpropagate to both operands for equal shapes", "[ops][gradcheck]") {
    const Shape shape = any_shape();
    check_binary(shape, shape);
}

TEST_CASE("binary ops sum the gradient of a broadcast operand over the positions it was repeated in",
          "[ops][gradcheck]") {
    const Shape shape = any_shape();
    const std::size_t cols = shape.back();
    SECTION("row vector of shape (N)") {
        check_binary(shape, {cols});
        check_binary({cols}, shape);
    }
    SECTION("row vector of shape (1, N)") {
        check_binary(shape, {1, cols});
        check_binary({1, cols}, shape);
    }
    SECTION("one-element tensor") {
        check_binary(shape, {});
        check_binary({1}, shape);
    }
}

TEST_CASE("an operand that does not require a gradient receives none", "[ops]") {
    Rng rng(3);
    const Tensor x = random_input({3, 2}, rng);
    const Tensor bias = Tensor::ones({2});
    sum(x * bias).backward();
    CHECK(x.has_grad());
    CHECK_FALSE(bias.has_grad());
}

// --- with a constant -----------------------------------------------------------------------------

TEST_CASE("scalar ops apply the constant on the correct side", "[ops]") {
    const Tensor x = Tensor::from_data({3}, {1, 2, 4});
    SECTION("x + c and c + x") {
        require_values(x + 1, {2, 3, 5});
        require_values(1 + x, {2, 3, 5});
        require_values(add_scalar(x, -1), {0, 1, 3});
    }
    SECTION("x − c and c − x") {
        require_values(x - 1, {0, 1, 3});
        require_values(1 - x, {0, -1, -3});
    }
    SECTION("c·x, x·c and x / c") {
        require_values(x * 3, {3, 6, 12});
        require_values(3 * x, {3, 6, 12});
        require_values(mul_scalar(x, -0.5), {-0.5, -1, -2});
        require_values(x / 4, {0.25, 0.5, 1});
    }
}

TEST_CASE("scalar ops backpropagate", "[ops][gradcheck]") {
    const Shape shape = any_shape();
    check_unary("x + c", [](const Tensor& x) { return x + 1.5; }, shape, -2, 2);
    check_unary("c + x", [](const Tensor& x) { return 1.5 + x; }, shape, -2, 2);
    check_unary("x - c", [](const Tensor& x) { return x - 1.5; }, shape, -2, 2);
    check_unary("c - x", [](const Tensor& x) { return 1.5 - x; }, shape, -2, 2);
    check_unary("c * x", [](const Tensor& x) { return -3 * x; }, shape, -2, 2);
    check_unary("x * c", [](const Tensor& x) { return x * 0.25; }, shape, -2, 2);
    check_unary("x / c", [](const Tensor& x) { return x / 7; }, shape, -2, 2);
}

// --- elementwise unary ---------------------------------------------------------------------------

TEST_CASE("unary ops compute their functions", "[ops]") {
    const Tensor x = Tensor::from_data({4}, {-2, -0.5, 0, 3});
    const Tensor positive = Tensor::from_data({3}, {0.25, 1, 4});
    SECTION("neg") { require_values(-x, {2, 0.5, 0, -3}); }
    SECTION("exp") { require_values(exp(x), {std::exp(-2.0), std::exp(-0.5), 1, std::exp(3.0)}); }
    SECTION("log") { require_values(log(positive), {std::log(0.25), 0, std::log(4.0)}); }
    SECTION("sqrt") { require_values(sqrt(positive), {0.5, 1, 2}); }
    SECTION("square") { require_values(square(x), {4, 0.25, 0, 9}); }
    SECTION("pow") { require_values(pow(positive, 1.5), {0.125, 1, 8}); }
    SECTION("sigmoid") {
        require_values(sigmoid(x), {1 / (1 + std::exp(2.0)), 1 / (1 + std::exp(0.5)), 0.5, 1 / (1 + std::exp(-3.0))});
    }
    SECTION("tanh") { require_values(tanh(x), {std::tanh(-2.0), std::tanh(-0.5), 0, std::tanh(3.0)}); }
    SECTION("relu") { require_values(relu(x), {0, 0, 0, 3}); }
    SECTION("leaky_relu") { require_values(leaky_relu(x, 0.1), {-0.2, -0.05, 0, 3}); }
    SECTION("softplus") {
        require_values(softplus(x), {std::log1p(std::exp(-2.0)), std::log1p(std::exp(-0.5)), std::log(2.0),
                                     std::log1p(std::exp(3.0))});
    }
    SECTION("clamp") { require_values(clamp(x, -1, 1), {-1, -0.5, 0, 1}); }
}

TEST_CASE("sigmoid and softplus stay finite and exact for large inputs", "[ops]") {
    const Tensor x = Tensor::from_data({4}, {-1000, -100, 100, 1000});
    // e⁻¹⁰⁰ = 3.7e-44 is below float's smallest normal number: there it is only a few multiples
    // of the smallest subnormal, so it is held absolutely to a few of those
    const double tiny = test::is_double ? 1e-300 : 4 * std::numeric_limits<real>::denorm_min();
    require_values(sigmoid(x), {0, std::exp(-100.0), 1, 1}, test::tol.rel, tiny);
    require_values(softplus(x), {0, std::exp(-100.0), 100, 1000}, test::tol.rel, tiny);
}

TEST_CASE("smooth unary ops backpropagate", "[ops][gradcheck]") {
    const Shape shape = any_shape();
    check_unary("neg", [](const Tensor& x) { return -x; }, shape, -2, 2);
    check_unary("exp", [](const Tensor& x) { return exp(x); }, shape, -2, 2);
    check_unary("log", [](const Tensor& x) { return log(x); }, shape, 0.2, 3);
    check_unary("sqrt", [](const Tensor& x) { return sqrt(x); }, shape, 0.2, 3);
    check_unary("square", [](const Tensor& x) { return square(x); }, shape, -2, 2);
    check_unary("pow 3", [](const Tensor& x) { return pow(x, 3); }, shape, -2, 2);
    check_unary("pow 2.5", [](const Tensor& x) { return pow(x, 2.5); }, shape, 0.2, 3);
    check_unary("pow -1.5", [](const Tensor& x) { return pow(x, -1.5); }, shape, 0.2, 3);
    check_unary("sigmoid", [](const Tensor& x) { return sigmoid(x); }, shape, -4, 4);
    check_unary("tanh", [](const Tensor& x) { return tanh(x); }, shape, -3, 3);
    check_unary("softplus", [](const Tensor& x) { return softplus(x); }, shape, -4, 4);
}

TEST_CASE("piecewise-linear ops backpropagate away from their kinks", "[ops][gradcheck]") {
    const Shape shape = any_shape();
    GradcheckOptions at_zero;
    at_zero.kinks = {0};
    check_unary("relu", [](const Tensor& x) { return relu(x); }, shape, -2, 2, at_zero);
    check_unary("leaky_relu", [](const Tensor& x) { return leaky_relu(x, 0.1); }, shape, -2, 2, at_zero);
    GradcheckOptions at_bounds;
    at_bounds.kinks = {-0.5, 1};
    check_unary("clamp", [](const Tensor& x) { return clamp(x, -0.5, 1); }, shape, -2, 2, at_bounds);
}

TEST_CASE("relu and leaky_relu take the left derivative exactly at the kink", "[ops]") {
    const Tensor x = Tensor::zeros({3}, true);
    SECTION("relu'(0) = 0") {
        sum(relu(x)).backward();
        require_values(Tensor::from_data({3}, std::vector<real>(x.grad().begin(), x.grad().end())), {0, 0, 0});
    }
    SECTION("leaky_relu'(0) = slope") {
        sum(leaky_relu(x, 0.1)).backward();
        require_values(Tensor::from_data({3}, std::vector<real>(x.grad().begin(), x.grad().end())), {0.1, 0.1, 0.1});
    }
}

TEST_CASE("clamp passes the gradient inside its bounds and blocks it outside", "[ops]") {
    const Tensor x = Tensor::from_data({4}, {-3, -0.5, 0.5, 3}, true);
    sum(clamp(x, -1, 1)).backward();
    CHECK(x.to_vector() == std::vector<real>{-3, -0.5, 0.5, 3});
    CHECK(std::vector<real>(x.grad().begin(), x.grad().end()) == std::vector<real>{0, 1, 1, 0});
}

// --- matrix products -----------------------------------------------------------------------------

TEST_CASE("matmul multiplies op(a) by op(b) for every transpose flag", "[ops]") {
    // a = [[1, 2, 3], [4, 5, 6]] (2, 3);  b = [[1, 0], [0, 1], [1, 1]] (3, 2)
    // a · b = [[1 + 3, 2 + 3], [4 + 6, 5 + 6]] = [[4, 5], [10, 11]]
    const Tensor a = Tensor::from_data({2, 3}, {1, 2, 3, 4, 5, 6});
    const Tensor b = Tensor::from_data({3, 2}, {1, 0, 0, 1, 1, 1});
    const Tensor a_t = Tensor::from_data({3, 2}, {1, 4, 2, 5, 3, 6});  // aᵀ stored
    const Tensor b_t = Tensor::from_data({2, 3}, {1, 0, 1, 0, 1, 1});  // bᵀ stored
    const std::vector<double> expected{4, 5, 10, 11};
    require_values(matmul(a, b), expected);
    require_values(matmul(a_t, b, true, false), expected);
    require_values(matmul(a, b_t, false, true), expected);
    require_values(matmul(a_t, b_t, true, true), expected);
}

TEST_CASE("matmul backpropagates for every transpose flag", "[ops][gradcheck]") {
    const bool transpose_a = GENERATE(false, true);
    const bool transpose_b = GENERATE(false, true);
    // (m, k, n): op(a) is (m, k), op(b) is (k, n)
    const auto [m, k, n] = GENERATE(table<std::size_t, std::size_t, std::size_t>(
        {{1, 1, 1}, {3, 5, 7}, {7, 1, 9}, {1, 9, 4}, {6, 4, 1}}));
    INFO("m, k, n = " << m << ", " << k << ", " << n << "; transpose_a " << transpose_a << ", transpose_b "
                      << transpose_b);
    Rng rng(5);
    const Tensor a = random_input(transpose_a ? Shape{k, m} : Shape{m, k}, rng);
    const Tensor b = random_input(transpose_b ? Shape{n, k} : Shape{k, n}, rng);
    require_gradient_matches(
        "matmul", [&](const std::vector<Tensor>& in) { return matmul(in[0], in[1], transpose_a, transpose_b); },
        {a, b});
}

TEST_CASE("matmul of a tensor with its own transpose backpropagates both uses", "[ops][gradcheck]") {
    // x xᵀ (a Gram matrix) and xᵀ x: x is both operands
    Rng rng(6);
    const Tensor x = random_input({4, 3}, rng);
    require_gradient_matches("x xT", [](const std::vector<Tensor>& in) { return matmul(in[0], in[0], false, true); },
                             {x});
    require_gradient_matches("xT x", [](const std::vector<Tensor>& in) { return matmul(in[0], in[0], true, false); },
                             {x});
}

TEST_CASE("linear computes x Wᵀ + b", "[ops]") {
    // x = [[1, 2]] (1, 2);  W = [[1, 0], [1, 1], [0, 2]] (3, 2);  b = [0.5, 0, -1]
    // x Wᵀ = [1, 1 + 2, 4] = [1, 3, 4];  + b = [1.5, 3, 3]
    const Tensor x = Tensor::from_data({1, 2}, {1, 2});
    const Tensor w = Tensor::from_data({3, 2}, {1, 0, 1, 1, 0, 2});
    SECTION("with a bias") { require_values(linear(x, w, Tensor::from_data({3}, {0.5, 0, -1})), {1.5, 3, 3}); }
    SECTION("without a bias") { require_values(linear(x, w, Tensor()), {1, 3, 4}); }
}

TEST_CASE("linear backpropagates to input, weight and bias", "[ops][gradcheck]") {
    const auto [batch, in, out] =
        GENERATE(table<std::size_t, std::size_t, std::size_t>({{1, 1, 1}, {3, 5, 7}, {7, 1, 4}, {2, 9, 1}}));
    INFO("batch, in, out = " << batch << ", " << in << ", " << out);
    Rng rng(9);
    const Tensor x = random_input({batch, in}, rng), w = random_input({out, in}, rng), b = random_input({out}, rng);
    SECTION("with a bias") {
        require_gradient_matches("linear", [](const std::vector<Tensor>& t) { return linear(t[0], t[1], t[2]); },
                                 {x, w, b});
    }
    SECTION("without a bias") {
        require_gradient_matches("linear", [](const std::vector<Tensor>& t) { return linear(t[0], t[1], Tensor()); },
                                 {x, w});
    }
}

// --- reductions ----------------------------------------------------------------------------------

TEST_CASE("sum and mean reduce everything or one axis", "[ops]") {
    // x = [[1, 2, 3], [4, 5, 6]] (2, 3)
    const Tensor x = Tensor::from_data({2, 3}, {1, 2, 3, 4, 5, 6});
    SECTION("everything, to shape ()") {
        CHECK(sum(x).shape() == Shape{});
        require_close(sum(x).item(), 21);
        require_close(mean(x).item(), 3.5);
    }
    SECTION("axis 0") {
        CHECK(sum(x, 0).shape() == Shape{3});
        require_values(sum(x, 0), {5, 7, 9});
        require_values(mean(x, 0), {2.5, 3.5, 4.5});
        CHECK(sum(x, 0, true).shape() == Shape{1, 3});
    }
    SECTION("axis 1, also written −1") {
        require_values(sum(x, 1), {6, 15});
        require_values(mean(x, -1), {2, 5});
        CHECK(mean(x, -1, true).shape() == Shape{2, 1});
    }
    SECTION("the middle axis of a rank-3 tensor") {
        // y (2, 2, 2) = 0..7;  Σ over axis 1: [[0 + 2, 1 + 3], [4 + 6, 5 + 7]]
        const Tensor y = Tensor::from_data({2, 2, 2}, {0, 1, 2, 3, 4, 5, 6, 7});
        require_values(sum(y, 1), {2, 4, 10, 12});
        CHECK(sum(y, 1, true).shape() == Shape{2, 1, 2});
    }
}

TEST_CASE("sum and mean backpropagate over everything and along each axis", "[ops][gradcheck]") {
    const Shape shape = any_shape();
    SECTION("over everything") {
        check_unary("sum", [](const Tensor& x) { return sum(x); }, shape, -2, 2);
        check_unary("mean", [](const Tensor& x) { return mean(x); }, shape, -2, 2);
    }
    SECTION("along each axis, removing it or keeping it as 1") {
        for (const bool keepdim : {false, true})
            for (int axis = 0; axis < static_cast<int>(shape.size()); ++axis) {
                INFO("axis " << axis << ", keepdim " << keepdim);
                check_unary("sum along an axis", [=](const Tensor& x) { return sum(x, axis, keepdim); }, shape, -2, 2);
                check_unary("mean along an axis", [=](const Tensor& x) { return mean(x, axis, keepdim); }, shape, -2,
                            2);
            }
    }
}

TEST_CASE("log_sum_exp and log_softmax work along the last axis without overflow", "[ops]") {
    // lse([1, 2, 3]) = log(e + e² + e³)
    const double lse = std::log(std::exp(1.0) + std::exp(2.0) + std::exp(3.0));
    const Tensor x = Tensor::from_data({2, 3}, {1, 2, 3, 1000, 1000, 1000});
    SECTION("log_sum_exp") {
        CHECK(log_sum_exp(x).shape() == Shape{2});
        // lse(1000, 1000, 1000) = 1000 + log 3, though e¹⁰⁰⁰ overflows
        require_values(log_sum_exp(x), {lse, 1000 + std::log(3.0)});
    }
    SECTION("log_softmax") {
        // x − lse(x) cancels: in the row of 1000s the result carries the round-off of 1000 + log 3
        // (in float, a few units of 6e-5)
        const double cancellation = 1000 * 4 * std::numeric_limits<real>::epsilon();
        require_values(log_softmax(x), {1 - lse, 2 - lse, 3 - lse, -std::log(3.0), -std::log(3.0), -std::log(3.0)},
                       test::tol.rel, std::max(test::tol.abs, cancellation));
    }
    SECTION("a rank-1 tensor reduces to shape ()") { CHECK(log_sum_exp(Tensor::zeros({4})).shape() == Shape{}); }
}

TEST_CASE("log_sum_exp of a row of minus infinity is minus infinity, with no gradient", "[ops]") {
    // a row with no mass (log-weights all −∞) contributes nothing, instead of exp(−∞ + ∞) = NaN
    const double inf = std::numeric_limits<double>::infinity();
    Tensor x = Tensor::from_data({2, 2}, {-inf, -inf, 0, 0}, true);
    Tensor y = log_sum_exp(x);
    CHECK(y.data()[0] == -inf);
    require_close(y.data()[1], std::log(2.0));
    sum(y).backward();  // the sum is −∞; only the gradient is checked
    const auto g = x.grad();
    CHECK(g[0] == 0);
    CHECK(g[1] == 0);
    require_close(g[2], 0.5);
    require_close(g[3], 0.5);
}

TEST_CASE("log_sum_exp and log_softmax backpropagate", "[ops][gradcheck]") {
    const Shape shape = GENERATE(values<Shape>({{1}, {5}, {1, 1}, {3, 5}, {7, 1}, {1, 9}, {4, 3, 2}}));
    check_unary("log_sum_exp", [](const Tensor& x) { return log_sum_exp(x); }, shape, -3, 3);
    check_unary("log_softmax", [](const Tensor& x) { return log_softmax(x); }, shape, -3, 3);
}

// --- shape ops -----------------------------------------------------------------------------------

TEST_CASE("reshape keeps the values in row-major order", "[ops]") {
    const Tensor x = Tensor::from_data({2, 3}, {1, 2, 3, 4, 5, 6});
    const Tensor y = reshape(x, {3, 1, 2});
    CHECK(y.shape() == Shape{3, 1, 2});
    CHECK(y.to_vector() == x.to_vector());
}

TEST_CASE("reshape backpropagates", "[ops][gradcheck]") {
    const Shape shape = any_shape();
    check_unary("reshape to a column", [](const Tensor& x) { return reshape(x, {x.numel(), 1}); }, shape, -2, 2);
    check_unary("reshape to a flat vector", [](const Tensor& x) { return reshape(x, {x.numel()}); }, shape, -2, 2);
}

TEST_CASE("concat joins along an axis and split undoes it", "[ops]") {
    const Tensor a = Tensor::from_data({2, 2}, {1, 2, 3, 4});
    const Tensor b = Tensor::from_data({2, 1}, {5, 6});
    const Tensor c = Tensor::from_data({1, 2}, {7, 8});
    SECTION("axis 0 stacks rows") {
        const Tensor y = concat({a, c}, 0);
        CHECK(y.shape() == Shape{3, 2});
        require_values(y, {1, 2, 3, 4, 7, 8});
        const auto parts = split(y, {2, 1}, 0);
        REQUIRE(parts.size() == 2);
        CHECK(parts[0].to_vector() == a.to_vector());
        CHECK(parts[1].to_vector() == c.to_vector());
    }
    SECTION("axis 1 (also −1) joins columns") {
        const Tensor y = concat({a, b}, -1);
        CHECK(y.shape() == Shape{2, 3});
        require_values(y, {1, 2, 5, 3, 4, 6});
        const auto parts = split(y, {2, 1}, 1);
        CHECK(parts[0].to_vector() == a.to_vector());
        CHECK(parts[1].to_vector() == b.to_vector());
    }
    SECTION("the middle axis of a rank-3 tensor") {
        // p (2, 1, 2) and q (2, 2, 2) joined on axis 1 → (2, 3, 2): per outer index, p's row then q's rows
        const Tensor p = Tensor::from_data({2, 1, 2}, {1, 2, 3, 4});
        const Tensor q = Tensor::from_data({2, 2, 2}, {10, 11, 12, 13, 14, 15, 16, 17});
        const Tensor y = concat({p, q}, 1);
        CHECK(y.shape() == Shape{2, 3, 2});
        require_values(y, {1, 2, 10, 11, 12, 13, 3, 4, 14, 15, 16, 17});
        const auto parts = split(y, {1, 2}, 1);
        CHECK(parts[0].to_vector() == p.to_vector());
        CHECK(parts[1].to_vector() == q.to_vector());
    }
}

TEST_CASE("concat and split backpropagate along every axis", "[ops][gradcheck]") {
    const auto [axis, rank3] = GENERATE(table<int, bool>({{0, false}, {1, false}, {-1, false}, {0, true}, {1, true},
                                                          {2, true}}));
    const Shape base = rank3 ? Shape{2, 3, 4} : Shape{3, 5};
    const std::size_t ax = normalize_axis("test", axis, base.size());
    // three parts of sizes 1, 2 and 3 along the axis
    const std::vector<std::size_t> sizes{1, 2, 3};
    INFO("axis " << axis << " of a rank-" << base.size() << " tensor");
    Rng rng(13);
    std::vector<Tensor> parts;
    for (auto size : sizes) {
        Shape shape = base;
        shape[ax] = size;
        parts.push_back(random_input(shape, rng));
    }
    SECTION("concat") {
        require_gradient_matches("concat", [&](const std::vector<Tensor>& in) { return concat(in, axis); }, parts);
    }
    SECTION("split, each part weighted differently") {
        Shape whole = base;
        whole[ax] = 6;
        require_gradient_matches("split",
                                 [&](const std::vector<Tensor>& in) {
                                     auto p = split(in[0], sizes, axis);
                                     // every part reaches the output, each with its own factor
                                     return concat({p[2] * 3, p[0], p[1] * -2}, axis);
                                 },
                                 {random_input(whole, rng)});
    }
}

TEST_CASE("split sends the gradient of each part to its own block only", "[ops]") {
    const auto [axis, rank3] = GENERATE(table<int, bool>({{0, false}, {1, false}, {-1, false}, {0, true}, {1, true},
                                                          {2, true}}));
    const Shape base = rank3 ? Shape{2, 3, 4} : Shape{3, 5};
    const std::size_t ax = normalize_axis("test", axis, base.size());
    INFO("axis " << axis << " of a rank-" << base.size() << " tensor");
    Shape whole = base;
    whole[ax] = 6;
    Rng rng(13);
    const Tensor x = random_input(whole, rng);
    // parts of sizes 1, 2 and 3 along the axis; only the middle one reaches the loss
    sum(split(x, {1, 2, 3}, axis)[1]).backward();
    // position i lies in block (its index along the axis): the stride of the axis is the product of
    // the dimensions after it
    std::size_t stride = 1;
    for (std::size_t d = ax + 1; d < whole.size(); ++d) stride *= whole[d];
    for (std::size_t i = 0; i < x.numel(); ++i) {
        const std::size_t along = i / stride % 6;
        INFO("value " << i << ", index " << along << " along the axis");
        REQUIRE(x.grad()[i] == (along == 1 || along == 2 ? 1 : 0));
    }
}

TEST_CASE("slice_rows takes a block of rows", "[ops]") {
    const Tensor x = Tensor::from_data({4, 2}, {1, 2, 3, 4, 5, 6, 7, 8});
    require_values(slice_rows(x, 1, 3), {3, 4, 5, 6});
    CHECK(slice_rows(x, 2, 2).shape() == Shape{0, 2});
}

TEST_CASE("slice_rows backpropagates into its block of rows", "[ops][gradcheck]") {
    const Shape shape = GENERATE(values<Shape>({{1, 1}, {7, 1}, {5, 3}, {4, 3, 2}}));
    const std::size_t begin = shape[0] / 3, end = shape[0] - shape[0] / 4;
    INFO("rows [" << begin << ", " << end << ")");
    check_unary("slice_rows", [=](const Tensor& t) { return slice_rows(t, begin, end); }, shape, -2, 2);
}

TEST_CASE("embedding gathers rows and scatter-adds their gradients", "[ops]") {
    // weight (4, 2): row r = [r, 10 r]
    const Tensor weight = Tensor::from_data({4, 2}, {0, 0, 1, 10, 2, 20, 3, 30}, true);
    const std::vector<std::size_t> indices{2, 0, 2, 3};  // row 2 twice, row 1 never
    SECTION("values") { require_values(embedding(weight, indices), {2, 20, 0, 0, 2, 20, 3, 30}); }
    SECTION("a row picked twice receives both gradients; a row never picked receives none") {
        // upstream gradient: row r of dy = [r + 1, r + 1]
        embedding(weight, indices).backward(Tensor::from_data({4, 2}, {1, 1, 2, 2, 3, 3, 4, 4}));
        // dW[0] = dy[1] = 2;  dW[1] = 0;  dW[2] = dy[0] + dy[2] = 1 + 3;  dW[3] = dy[3] = 4
        CHECK(std::vector<real>(weight.grad().begin(), weight.grad().end()) ==
              std::vector<real>{2, 2, 0, 0, 4, 4, 4, 4});
    }
}

TEST_CASE("embedding backpropagates to the rows it picked", "[ops][gradcheck]") {
    Rng rng(17);
    require_gradient_matches("embedding", [&](const std::vector<Tensor>& in) { return embedding(in[0], {1, 4, 1, 0, 1}); },
                             {random_input({5, 3}, rng)});
}

TEST_CASE("a composite of ops backpropagates", "[ops][gradcheck]") {
    // a small network with a softmax head: log_softmax(tanh(x W₁ᵀ + b₁) W₂ᵀ) · mean
    Rng rng(19);
    const Tensor x = random_input({5, 4}, rng), w1 = random_input({3, 4}, rng), b1 = random_input({3}, rng),
                 w2 = random_input({6, 3}, rng);
    require_gradient_matches(
        "composite",
        [](const std::vector<Tensor>& in) {
            return mean(log_softmax(linear(tanh(linear(in[0], in[1], in[2])), in[3], Tensor())), 0);
        },
        {x, w1, b1, w2});
}
