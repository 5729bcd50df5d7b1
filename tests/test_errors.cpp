// Misuse fails loudly: a shape mismatch in every op family throws std::invalid_argument whose
// message names the operation and the shapes involved.
#include <stdexcept>
#include <vector>

#include <catch2/catch.hpp>

#include <mmgen/core/autograd.hpp>
#include <mmgen/nn/losses.hpp>
#include <mmgen/nn/modules.hpp>
#include <mmgen/core/ops.hpp>

using namespace mmgen;
using Catch::Matchers::Contains;

// `expr` throws std::invalid_argument, and its message satisfies `matcher`.
#define REQUIRE_INVALID_ARGUMENT(expr, matcher)          \
    do {                                                 \
        REQUIRE_THROWS_AS(expr, std::invalid_argument);  \
        REQUIRE_THROWS_WITH(expr, matcher);              \
    } while (false)

TEST_CASE("matmul rejects operands whose inner dimensions differ", "[errors]") {
    const Tensor a = Tensor::zeros({128, 784}), b = Tensor::zeros({400, 20});
    SECTION("plain") {
        REQUIRE_INVALID_ARGUMENT(matmul(a, b),
                                 Contains("matmul") && Contains("(128, 784) x (400, 20)") &&
                                     Contains("inner dimensions differ"));
    }
    SECTION("a transposed operand is marked in the message") {
        REQUIRE_INVALID_ARGUMENT(matmul(a, b, true, false), Contains("(128, 784)ᵀ x (400, 20)"));
    }
    SECTION("operands that are not matrices") {
        REQUIRE_INVALID_ARGUMENT(matmul(Tensor::zeros({3}), b), Contains("matmul") && Contains("(3)"));
    }
}

TEST_CASE("elementwise binary ops reject shapes that do not broadcast", "[errors]") {
    const Tensor a = Tensor::zeros({2, 3}), b = Tensor::zeros({3, 2});
    SECTION("(2, 3) and (3, 2)") {
        REQUIRE_INVALID_ARGUMENT(add(a, b), Contains("add") && Contains("(2, 3) and (3, 2)"));
        REQUIRE_INVALID_ARGUMENT(a - b, Contains("sub") && Contains("(2, 3) and (3, 2)"));
        REQUIRE_INVALID_ARGUMENT(a * b, Contains("mul"));
        REQUIRE_INVALID_ARGUMENT(a / b, Contains("div"));
    }
    SECTION("a row vector of the wrong length") {
        REQUIRE_INVALID_ARGUMENT(a + Tensor::zeros({2}), Contains("(2, 3) and (2)"));
    }
    SECTION("a column is not a row") {
        REQUIRE_INVALID_ARGUMENT(a * Tensor::zeros({2, 1}), Contains("(2, 3) and (2, 1)"));
    }
}

TEST_CASE("shape ops reject sizes that do not fit", "[errors]") {
    const Tensor x = Tensor::zeros({4, 6});
    SECTION("reshape to a different number of values") {
        REQUIRE_INVALID_ARGUMENT(reshape(x, {5, 5}), Contains("reshape") && Contains("(4, 6) to (5, 5)"));
    }
    SECTION("concat of parts that differ outside the axis") {
        REQUIRE_INVALID_ARGUMENT(concat({x, Tensor::zeros({4, 5})}, 0),
                                 Contains("concat") && Contains("(4, 6) and (4, 5)"));
        REQUIRE_INVALID_ARGUMENT(concat({x, Tensor::zeros({4, 6, 1})}, 0), Contains("ranks differ"));
        REQUIRE_INVALID_ARGUMENT(concat({}, 0), Contains("concat"));
        REQUIRE_INVALID_ARGUMENT(concat({x, x}, 2), Contains("concat") && Contains("axis 2"));
    }
    SECTION("split into sizes that do not add up") {
        REQUIRE_INVALID_ARGUMENT(split(x, {2, 3}, 1), Contains("split") && Contains("{2, 3}") && Contains("(4, 6)"));
    }
    SECTION("slice_rows beyond the end") {
        REQUIRE_INVALID_ARGUMENT(slice_rows(x, 2, 5), Contains("slice_rows") && Contains("(4, 6)"));
        REQUIRE_INVALID_ARGUMENT(slice_rows(x, 3, 2), Contains("[3, 2)"));
    }
    SECTION("embedding with an index outside the table") {
        REQUIRE_INVALID_ARGUMENT(embedding(Tensor::zeros({5, 3}), {0, 7}),
                                 Contains("embedding") && Contains("index 7") && Contains("(5, 3)"));
        REQUIRE_INVALID_ARGUMENT(embedding(Tensor::zeros({5}), {0}), Contains("embedding") && Contains("(5)"));
    }
}

TEST_CASE("reductions reject axes and shapes they cannot reduce", "[errors]") {
    const Tensor x = Tensor::zeros({2, 3});
    REQUIRE_INVALID_ARGUMENT(sum(x, 2), Contains("sum") && Contains("axis 2"));
    REQUIRE_INVALID_ARGUMENT(mean(x, -3), Contains("mean") && Contains("axis -3"));
    REQUIRE_INVALID_ARGUMENT(log_softmax(Tensor::scalar(1)), Contains("log_softmax") && Contains("()"));
    REQUIRE_INVALID_ARGUMENT(log_sum_exp(Tensor::zeros({2, 0})), Contains("log_sum_exp") && Contains("(2, 0)"));
    REQUIRE_INVALID_ARGUMENT(mean(Tensor::zeros({0, 3})), Contains("mean") && Contains("(0, 3)"));
}

TEST_CASE("linear rejects a weight or bias that does not fit the input", "[errors]") {
    const Tensor x = Tensor::zeros({8, 5});
    REQUIRE_INVALID_ARGUMENT(linear(x, Tensor::zeros({3, 4}), Tensor()),
                             Contains("linear") && Contains("(8, 5)") && Contains("(3, 4)"));
    REQUIRE_INVALID_ARGUMENT(linear(x, Tensor::zeros({3, 5}), Tensor::zeros({4})),
                             Contains("linear") && Contains("bias (4)") && Contains("(3, 5)"));
    Rng rng(1);
    nn::Linear layer(5, 3, rng);
    REQUIRE_INVALID_ARGUMENT(layer(Tensor::zeros({8, 4})), Contains("(8, 4)") && Contains("(3, 5)"));
}

TEST_CASE("losses reject predictions and targets of different shapes", "[errors]") {
    const Tensor a = Tensor::zeros({2, 3}), b = Tensor::zeros({3, 2});
    REQUIRE_INVALID_ARGUMENT(bce_with_logits(a, b), Contains("bce_with_logits") && Contains("(2, 3) and (3, 2)"));
    REQUIRE_INVALID_ARGUMENT(mse(a, b), Contains("mse") && Contains("(2, 3) and (3, 2)"));
    REQUIRE_INVALID_ARGUMENT(gaussian_kl(a, b), Contains("gaussian_kl") && Contains("(2, 3)") && Contains("(3, 2)"));
    REQUIRE_INVALID_ARGUMENT(cross_entropy(a, {0, 1, 2}), Contains("cross_entropy") && Contains("(2, 3)") &&
                                                               Contains("3 labels"));
    REQUIRE_INVALID_ARGUMENT(cross_entropy(a, {0, 3}), Contains("label 3") && Contains("(2, 3)"));
    REQUIRE_INVALID_ARGUMENT(log_mean_exp(Tensor::scalar(0)), Contains("log_mean_exp"));
}

TEST_CASE("tensors reject data, values and gradients of the wrong size", "[errors]") {
    REQUIRE_INVALID_ARGUMENT(Tensor::from_data({2, 3}, {1, 2, 3}), Contains("(2, 3)") && Contains("3 were given"));
    REQUIRE_INVALID_ARGUMENT(Tensor::zeros({2}).item(), Contains("item") && Contains("(2)"));
    const Tensor x = Tensor::zeros({2, 3}, true);
    Tensor y = x * 2;
    REQUIRE_INVALID_ARGUMENT(y.backward(), Contains("backward") && Contains("(2, 3)"));
    REQUIRE_INVALID_ARGUMENT(y.backward(Tensor::zeros({3, 2})), Contains("(3, 2)") && Contains("(2, 3)"));
    CHECK_THROWS_AS(Tensor::scalar(0).backward(), std::logic_error);  // needs no gradient
    CHECK_THROWS_AS(x.dim(2), std::out_of_range);
    CHECK_THROWS_AS(x.at(2, 0), std::out_of_range);
}

TEST_CASE("constructors reject impossible settings", "[errors]") {
    Rng rng(1);
    REQUIRE_INVALID_ARGUMENT(clamp(Tensor::zeros({2}), 1, -1), Contains("clamp") && Contains("(2)"));
    REQUIRE_INVALID_ARGUMENT(nn::Linear(0, 3, rng), Contains("Linear"));
    REQUIRE_INVALID_ARGUMENT(nn::mlp({4}, rng), Contains("mlp"));
}
