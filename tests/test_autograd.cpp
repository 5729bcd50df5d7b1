// Reverse-mode autograd: accumulation, explicit zeroing, detach / NoGradGuard, graph order.
#include <algorithm>
#include <memory>
#include <unordered_map>
#include <vector>

#include <catch2/catch.hpp>

#include <mmgen/core/autograd.hpp>
#include <mmgen/core/ops.hpp>

#include "support.hpp"

using namespace mmgen;
using mmgen::test::require_close;

namespace {
std::vector<real> grad_of(const Tensor& t) { return {t.grad().begin(), t.grad().end()}; }
}  // namespace

TEST_CASE("a tensor used twice receives the sum of both contributions", "[autograd]") {
    // y = x·x + x  ⇒  dy/dx = 2x + 1
    const Tensor x = Tensor::from_data({3}, {-1.5, 0, 2}, true);
    SECTION("through mul and add") {
        (x * x + x).backward(Tensor::ones({3}));
        CHECK(grad_of(x) == std::vector<real>{-2, 1, 5});
    }
    SECTION("through a diamond: z = (x + 1)·(2x)  ⇒  dz/dx = 4x + 2") {
        const Tensor a = x + 1, b = x * 2;
        (a * b).backward(Tensor::ones({3}));
        CHECK(grad_of(x) == std::vector<real>{-4, 2, 10});
    }
}

TEST_CASE("gradients accumulate across backward calls until zero_grad", "[autograd]") {
    Tensor x = Tensor::scalar(3, true);
    SECTION("two forward passes, two backward passes") {
        sum(square(x)).backward();  // d x²/dx = 6
        sum(square(x)).backward();
        require_close(x.grad()[0], 12);
        x.zero_grad();
        require_close(x.grad()[0], 0);
        sum(square(x)).backward();
        require_close(x.grad()[0], 6);
    }
    SECTION("backward twice through the same graph adds the same gradient twice") {
        const Tensor h = square(x);  // an intermediate node: its own gradient must not pile up
        Tensor y = h * 2;            // y = 2x², dy/dx = 4x = 12
        y.backward();
        require_close(x.grad()[0], 12);
        y.backward();
        require_close(x.grad()[0], 24);
    }
    SECTION("two losses sharing a subgraph, backward one after the other, equal backward of their sum") {
        const Tensor h = square(x);        // shared: h = x²
        Tensor first = h * 3;        // d/dx = 6x = 18
        Tensor second = exp(h / 9);  // d/dx = e^{x²/9} · 2x/9 = e · 2/3
        first.backward();
        second.backward();
        require_close(x.grad()[0], 18 + std::exp(1.0) * 2.0 / 3.0);
    }
}

TEST_CASE("nothing flows through detach()", "[autograd]") {
    const Tensor x = Tensor::from_data({2}, {1, 2}, true);
    const Tensor d = x.detach();
    SECTION("the detached tensor is a leaf with the same values that needs no gradient") {
        CHECK_FALSE(d.requires_grad());
        CHECK(d.is_leaf());
        CHECK(d.to_vector() == x.to_vector());
        CHECK_FALSE(d.same_as(x));
    }
    SECTION("only the attached path contributes") {
        // y = Σ x·detach(x): the gradient is detach(x) = x, not 2x
        sum(x * d).backward();
        CHECK(grad_of(x) == std::vector<real>{1, 2});
        CHECK_FALSE(d.has_grad());
    }
}

TEST_CASE("under a NoGradGuard no graph is recorded", "[autograd]") {
    const Tensor x = Tensor::from_data({2}, {1, 2}, true);
    SECTION("outputs need no gradient and have no parents") {
        NoGradGuard guard;
        CHECK_FALSE(grad_enabled());
        const Tensor y = exp(x * x) + x;
        CHECK_FALSE(y.requires_grad());
        CHECK(y.node().parents.empty());
        CHECK(y.is_leaf());
        CHECK_THROWS_AS(sum(y).backward(), std::logic_error);
    }
    SECTION("the guard restores recording when it goes out of scope, also when nested") {
        {
            NoGradGuard outer;
            {
                NoGradGuard inner;
                CHECK_FALSE(grad_enabled());
            }
            CHECK_FALSE(grad_enabled());
        }
        CHECK(grad_enabled());
        CHECK(square(x).requires_grad());
    }
}

TEST_CASE("inputs that do not require a gradient get no gradient buffer", "[autograd]") {
    const Tensor x = Tensor::from_data({2}, {1, 2}, true);
    const Tensor c = Tensor::from_data({2}, {3, 4});
    Tensor y = sum(x * c + c);
    CHECK(y.requires_grad());
    y.backward();
    CHECK(grad_of(x) == std::vector<real>{3, 4});
    CHECK_FALSE(c.has_grad());
    SECTION("and an output computed only from them requires no gradient") {
        CHECK_FALSE((c * c).requires_grad());
        CHECK((c * c).node().parents.empty());
    }
}

TEST_CASE("topological_order puts every node after its parents", "[autograd]") {
    const Tensor x = Tensor::from_data({2}, {1, 2}, true);
    const Tensor w = Tensor::from_data({2}, {0.5, -1}, true);
    const Tensor constant = Tensor::ones({2});
    const Tensor a = x * w, b = exp(a) + x, c = a * b + constant;
    const Tensor root = sum(c * a);
    const auto order = topological_order(root);

    std::unordered_map<const Node*, std::size_t> position;
    for (std::size_t i = 0; i < order.size(); ++i) position[order[i]] = i;
    SECTION("every node appears once, the root last, constants not at all") {
        CHECK(position.size() == order.size());
        REQUIRE_FALSE(order.empty());
        CHECK(order.back() == &root.node());
        CHECK(position.count(&constant.node()) == 0);
        for (const Tensor& t : {x, w, a, b, c}) CHECK(position.count(&t.node()) == 1);
    }
    SECTION("each node comes after all of its parents") {
        for (const Node* node : order)
            for (const auto& parent : node->parents) {
                INFO("node from '" << node->op << "', parent from '" << parent->op << "'");
                REQUIRE(position.count(parent.get()) == 1);
                CHECK(position.at(parent.get()) < position.at(node));
            }
    }
    SECTION("a root that needs no gradient has an empty order") { CHECK(topological_order(constant).empty()); }
}

TEST_CASE("ops name themselves and record their inputs", "[autograd]") {
    const Tensor x = Tensor::from_data({2}, {1, 2}, true);
    const Tensor y = exp(x);
    CHECK(std::string(y.op()) == "exp");
    CHECK_FALSE(y.is_leaf());
    REQUIRE(y.node().parents.size() == 1);
    CHECK(y.node().parents[0] == x.node_ptr());
    CHECK_THROWS_AS(Tensor(y).set_requires_grad(false), std::logic_error);
}

TEST_CASE("record attaches a backward closure only when an input needs a gradient", "[autograd]") {
    const Tensor x = Tensor::from_data({2}, {1, 2}, true);
    const Tensor c = Tensor::ones({2});
    auto doubled = [](const Tensor& in) {
        Tensor out = Tensor::from_data(in.shape(), {2 * in.data()[0], 2 * in.data()[1]});
        return record(out, "doubled", {in}, [in](Node& node) {
            auto g = in.grad_buffer();
            for (std::size_t i = 0; i < g.size(); ++i) g[i] += 2 * node.grad[i];
        });
    };
    SECTION("with a gradient-requiring input") {
        const Tensor y = doubled(x);
        CHECK(y.requires_grad());
        sum(y).backward();
        CHECK(grad_of(x) == std::vector<real>{2, 2});
    }
    SECTION("without one") {
        const Tensor y = doubled(c);
        CHECK_FALSE(y.requires_grad());
        CHECK(std::string(y.op()) == "doubled");
        CHECK_FALSE(static_cast<bool>(y.node().backward));
    }
}

TEST_CASE("the graph is freed when the last handle to its output goes away", "[autograd]") {
    const Tensor x = Tensor::from_data({2}, {1, 2}, true);
    std::weak_ptr<Node> intermediate;
    {
        const Tensor h = exp(x);
        intermediate = h.node_ptr();
        Tensor y = sum(h * h);
        y.backward();
        CHECK_FALSE(intermediate.expired());
    }
    CHECK(intermediate.expired());
    CHECK(x.has_grad());  // the leaf keeps its gradient
}

TEST_CASE("backward seeds a one-value tensor with 1 and needs an upstream gradient otherwise", "[autograd]") {
    Tensor x = Tensor::from_data({2}, {1, 2}, true);
    SECTION("a shape-() output") {
        sum(x * 3).backward();
        CHECK(grad_of(x) == std::vector<real>{3, 3});
    }
    SECTION("a (1, 1) output counts as one value") {
        reshape(sum(x), {1, 1}).backward();
        CHECK(grad_of(x) == std::vector<real>{1, 1});
    }
    SECTION("an upstream gradient of the output's shape weights each output") {
        (x * 3).backward(Tensor::from_data({2}, {1, -2}));
        CHECK(grad_of(x) == std::vector<real>{3, -6});
    }
    SECTION("backward() on a leaf accumulates the seed into its own gradient") {
        x.backward(Tensor::from_data({2}, {1, -2}));
        CHECK(grad_of(x) == std::vector<real>{1, -2});
    }
}
