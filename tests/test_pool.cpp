// Max pooling: the maximum of each window forward, the gradient routed to that maximum backward.
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include <mmgen/core/autograd.hpp>
#include <mmgen/core/ops.hpp>

#include "support.hpp"

using namespace mmgen;
using Catch::Matchers::Contains;
using mmgen::test::random_input;
using mmgen::test::require_gradient_matches;
using mmgen::test::require_values;

TEST_CASE("max_pool2d keeps the largest value of each window and sends the gradient to it", "[pool]") {
    // 4 × 4 image, 2 × 2 windows: maxima 6, 8, 14, 16 (values 1..16, with 6 moved to the top left block)
    const Tensor x = Tensor::from_data({1, 1, 4, 4}, {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}, true);
    const Tensor y = max_pool2d(x, 2);
    CHECK(y.shape() == Shape{1, 1, 2, 2});
    require_values(y, {6, 8, 14, 16});
    y.backward(Tensor::from_data({1, 1, 2, 2}, {1, 2, 3, 4}));
    require_values(Tensor::from_buffer(x.shape(), Buffer(x.grad().begin(), x.grad().end())),
                   {0, 0, 0, 0, 0, 1, 0, 2, 0, 0, 0, 0, 0, 3, 0, 4});
}

TEST_CASE("overlapping pooling windows add the gradient of every window a value wins", "[pool]") {
    // a 3 × 5 image, 3 × 3 windows 2 apart: the value 9 in the shared column wins both windows
    const Tensor x = Tensor::from_data({1, 1, 3, 5}, {0, 0, 0, 0, 0, 0, 0, 9, 0, 0, 0, 0, 0, 0, 0}, true);
    const Tensor y = max_pool2d(x, 3, 2);
    CHECK(y.shape() == Shape{1, 1, 1, 2});
    require_values(y, {9, 9});
    y.backward(Tensor::from_data({1, 1, 1, 2}, {1, 10}));
    CHECK(x.grad()[7] == 11);
}

TEST_CASE("max_pool2d's gradient matches central differences", "[pool][gradcheck]") {
    const auto [kernel, stride] = GENERATE(table<std::size_t, std::size_t>({{2, 2}, {3, 2}, {3, 3}, {2, 1}}));
    const auto [batch, channels] = GENERATE(table<std::size_t, std::size_t>({{1, 1}, {3, 2}}));
    INFO("kernel " << kernel << ", stride " << stride << ", batch " << batch << ", channels " << channels
                   << ", image 7 × 6");
    Rng rng(3);
    require_gradient_matches("max_pool2d", [&](const std::vector<Tensor>& in) { return max_pool2d(in[0], kernel, stride); },
                             {random_input({batch, channels, 7, 6}, rng)});
}

namespace {
// max_pool2d's forward with the gradient spread over the whole window — what an average pool's
// backward does, mistaken for a max pool's.
Tensor max_pool_with_window_gradient(const Tensor& x, std::size_t k) {
    Tensor y;
    {
        NoGradGuard no_grad;
        y = max_pool2d(x, k);
    }
    return record(y, "max_pool_window", {x}, [x, k](Node& out) {
        auto dx = x.grad_buffer();
        const std::size_t h = x.dim(2), w = x.dim(3), ho = out.shape[2], wo = out.shape[3];
        for (std::size_t p = 0; p < x.dim(0) * x.dim(1); ++p)
            for (std::size_t oh = 0; oh < ho; ++oh)
                for (std::size_t ow = 0; ow < wo; ++ow)
                    for (std::size_t i = 0; i < k; ++i)
                        for (std::size_t j = 0; j < k; ++j)
                            dx[p * h * w + (oh * k + i) * w + ow * k + j] += out.grad[(p * ho + oh) * wo + ow];
    });
}
}  // namespace

TEST_CASE("the gradient checker rejects a max pool whose gradient goes to the whole window", "[pool][gradcheck]") {
    Rng rng(4), upstream(5);
    const auto result = gradcheck("max_pool_window", [](const std::vector<Tensor>& in) {
        return max_pool_with_window_gradient(in[0], 2);
    }, {random_input({2, 2, 4, 6}, rng)}, upstream);
    INFO(result.message);
    CHECK_FALSE(result.ok);
    CHECK(result.max_relative_error > 0.5);
}

TEST_CASE("max_pool2d refuses bad shapes and parameters, naming the parameter", "[pool][errors]") {
    REQUIRE_THROWS_WITH(max_pool2d(Tensor::zeros({4, 16}), 2), Contains("max_pool2d") && Contains("(4, 16)"));
    REQUIRE_THROWS_WITH(max_pool2d(Tensor::zeros({1, 1, 4, 4}), 0), Contains("max_pool2d") && Contains("kernel 0"));
    REQUIRE_THROWS_WITH(max_pool2d(Tensor::zeros({1, 1, 4, 4}), 2, 0), Contains("max_pool2d") && Contains("stride 0"));
    REQUIRE_THROWS_WITH(max_pool2d(Tensor::zeros({1, 1, 4, 3}), 4),
                        Contains("max_pool2d") && Contains("(1, 1, 4, 3)") && Contains("kernel 4"));
}

TEST_CASE("ReLU and max pooling commute exactly, values and gradients, so the CNN pools first", "[pool]") {
    // max is monotone and so is ReLU: relu(max window) = max(relu window). Backward, relu then pool
    // sends dy to the window's first maximum of relu(x), which is 0 wherever relu'(x) = 0; pool then
    // relu sends dy·relu'(max) to the maximum of x. Both give the same gradient, bit for bit, and
    // pooling first runs ReLU on a quarter of the values (models::CnnClassifier).
    Rng rng(3);
    Tensor x = random_input({4, 3, 8, 8}, rng);
    x.data()[5] = x.data()[4];  // a tie inside a window
    for (std::size_t k : {64, 65, 72, 73}) x.data()[k] = real(-1) - real(k);  // a window of negatives
    const Tensor upstream = random_input({4, 3, 4, 4}, rng);
    const Tensor a = Tensor::from_buffer(x.shape(), Buffer(x.data().begin(), x.data().end()), true);
    const Tensor b = Tensor::from_buffer(x.shape(), Buffer(x.data().begin(), x.data().end()), true);
    const Tensor relu_then_pool = max_pool2d(relu(a), 2), pool_then_relu = relu(max_pool2d(b, 2));
    relu_then_pool.backward(upstream);
    pool_then_relu.backward(upstream);
    CHECK(std::vector<real>(relu_then_pool.data().begin(), relu_then_pool.data().end()) ==
          std::vector<real>(pool_then_relu.data().begin(), pool_then_relu.data().end()));
    for (std::size_t k = 0; k < x.numel(); ++k) {
        INFO("gradient value " << k);
        CHECK(a.grad()[k] == b.grad()[k]);  // == also equates 0 and −0, which no later op tells apart
    }
}
