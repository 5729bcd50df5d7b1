// The checks of chapter 01's exercises (chapters/01_tensors_autograd/exercises/). Each exercise's
// check runs against the student's function; each checker also has a "must fail" case that feeds
// it a wrong version, so a check that passes means something.
#include <algorithm>
#include <cmath>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include <catch2/catch.hpp>

#include <mmgen/core/autograd.hpp>
#include <mmgen/core/gradcheck.hpp>
#include <mmgen/core/ops.hpp>
#include <mmgen/nn/losses.hpp>

#include "exercises.hpp"

using namespace mmgen;

namespace {

GradcheckResult check(const std::string& name, const GradcheckFn& f, const std::vector<Tensor>& inputs) {
    Rng rng(77);  // the random upstream gradient
    return gradcheck(name, f, inputs, rng);
}

Tensor input(const Shape& shape, Rng& rng) { return Tensor::uniform(shape, rng, -2, 2, /*requires_grad=*/true); }

// "" when `order` is a topological order of the requires-grad graph below root, else what is wrong.
std::string topological_order_problem(const Tensor& root, const std::vector<Node*>& order) {
    std::unordered_set<Node*> reachable;
    std::vector<Node*> stack{&root.node()};
    while (!stack.empty()) {
        Node* n = stack.back();
        stack.pop_back();
        if (!n->requires_grad || !reachable.insert(n).second) continue;
        for (const auto& p : n->parents) stack.push_back(p.get());
    }
    std::unordered_map<Node*, std::size_t> position;
    for (std::size_t i = 0; i < order.size(); ++i) {
        if (!reachable.count(order[i])) return "node " + std::to_string(i) + " ('" + order[i]->op + "') is not a requires-grad node reachable from the root";
        if (!position.emplace(order[i], i).second) return "node " + std::to_string(i) + " ('" + order[i]->op + "') appears twice";
    }
    if (order.size() != reachable.size())
        return std::to_string(order.size()) + " nodes listed, " + std::to_string(reachable.size()) + " reachable";
    for (Node* n : order)
        for (const auto& p : n->parents)
            if (p->requires_grad && position.at(p.get()) > position.at(n))
                return std::string("'") + n->op + "' comes before its parent '" + p->op + "'";
    if (order.back() != &root.node()) return "the root is not last";
    return "";
}

// backward() written out with a given order: seed 1 at the root, run the closures in reverse.
void backward_in_order(const Tensor& root, const std::vector<Node*>& order) {
    root.grad_buffer()[0] += 1;
    for (auto it = order.rbegin(); it != order.rend(); ++it)
        if ((*it)->backward && !(*it)->grad.empty()) (*it)->backward(**it);
}

}  // namespace

TEST_CASE("exercise 1.1: the linear layer's backward matches central differences", "[exercise][ch01]") {
    Rng rng(11);
    const Tensor x = input({5, 3}, rng), w = input({4, 3}, rng), b = input({4}, rng);
    SECTION("x, W and b, each used once") {
        const auto result = check("exercise linear", [](const std::vector<Tensor>& in) {
            return exercises::linear(in[0], in[1], in[2]);
        }, {x, w, b});
        INFO(result.message);
        CHECK(result.ok);
    }
    SECTION("x used twice: the gradients must be added, not assigned") {
        const auto result = check("exercise linear, x twice", [](const std::vector<Tensor>& in) {
            return exercises::linear(in[0], in[1], in[2]) * exercises::linear(in[0], in[1], in[2]);
        }, {x, w, b});
        INFO(result.message);
        CHECK(result.ok);
    }
    SECTION("the forward agrees with the library's") {
        const Tensor mine = exercises::linear(x.detach(), w.detach(), b.detach());
        const Tensor library = mmgen::linear(x.detach(), w.detach(), b.detach());
        for (std::size_t i = 0; i < mine.numel(); ++i) CHECK_THAT(mine.at(i), Catch::Matchers::WithinAbs(library.at(i), 1e-12));
    }
}

TEST_CASE("exercise 1.1's check fails on a linear layer whose bias gets no gradient", "[exercise][ch01]") {
    Rng rng(11);
    const Tensor x = input({5, 3}, rng), w = input({4, 3}, rng), b = input({4}, rng);
    const auto result = check("linear without db", [](const std::vector<Tensor>& in) {
        return mmgen::linear(in[0], in[1], in[2].detach());  // db never computed
    }, {x, w, b});
    INFO(result.message);
    CHECK_FALSE(result.ok);
    CHECK(result.input == 2);
}

TEST_CASE("exercise 1.2: softmax cross-entropy's gradient is (softmax − onehot) / B", "[exercise][ch01]") {
    Rng rng(12);
    const Tensor z = input({4, 5}, rng);
    const std::vector<std::size_t> labels{0, 3, 4, 3};
    SECTION("matches central differences") {
        const auto result = check("exercise softmax cross-entropy", [labels](const std::vector<Tensor>& in) {
            return exercises::softmax_cross_entropy(in[0], labels);
        }, {z});
        INFO(result.message);
        CHECK(result.ok);
    }
    SECTION("equals softmax − onehot over B at one point, and stays finite for logits of ±1000") {
        const Tensor big = Tensor::from_data({1, 3}, {1000, -1000, 0}, true);
        Tensor loss = exercises::softmax_cross_entropy(big, {1});
        loss.backward();
        CHECK(std::isfinite(loss.item()));
        REQUIRE(big.has_grad());  // a backward that adds nothing leaves no gradient at all
        CHECK_THAT(loss.item(), Catch::Matchers::WithinRel(2000.0, 1e-12));  // lse ≈ 1000, minus z₁ = −1000
        CHECK_THAT(big.grad()[0], Catch::Matchers::WithinAbs(1.0, 1e-12));   // softmax ≈ (1, 0, 0)
        CHECK_THAT(big.grad()[1], Catch::Matchers::WithinAbs(-1.0, 1e-12));  // minus the onehot at label 1
        CHECK_THAT(big.grad()[2], Catch::Matchers::WithinAbs(0.0, 1e-12));
    }
}

TEST_CASE("exercise 1.2's check fails on a cross-entropy that forgets to divide by B", "[exercise][ch01]") {
    Rng rng(12);
    const Tensor z = input({4, 5}, rng);
    const std::vector<std::size_t> labels{0, 3, 4, 3};
    // forward averages over B (mean), backward of a sum: the gradient is B = 4 times too large
    const auto result = check("cross-entropy, gradient of the sum", [labels](const std::vector<Tensor>& in) {
        const Tensor summed = mmgen::cross_entropy(in[0], labels, Reduction::sum);
        return summed - (summed * real(0.75)).detach();  // the value of the mean, the gradient of the sum
    }, {z});
    INFO(result.message);
    CHECK_FALSE(result.ok);
}

TEST_CASE("exercise 1.3: topological_order lists every node once, after its parents", "[exercise][ch01]") {
    // f(a, b) = (a·b + eᵃ) · log b at a = 2, b = 3 (section 2 of the chapter)
    const Tensor a = Tensor::scalar(2, true), b = Tensor::scalar(3, true);
    const Tensor f = (a * b + exp(a)) * log(b);
    const auto order = exercises::topological_order(f);
    INFO(topological_order_problem(f, order));
    REQUIRE(topological_order_problem(f, order).empty());
    SECTION("and backward() run in its reverse gives the hand-derived gradient") {
        backward_in_order(f, order);
        REQUIRE(a.has_grad());
        REQUIRE(b.has_grad());
        // ∂f/∂a = (b + eᵃ) log b,  ∂f/∂b = a log b + (a·b + eᵃ)/b
        CHECK_THAT(a.grad()[0], Catch::Matchers::WithinRel((3 + std::exp(2.0)) * std::log(3.0), 1e-12));
        CHECK_THAT(b.grad()[0], Catch::Matchers::WithinRel(2 * std::log(3.0) + (6 + std::exp(2.0)) / 3, 1e-12));
    }
    SECTION("a node used twice (y = x·x + x) is listed once") {
        const Tensor x = Tensor::scalar(5, true);
        const Tensor y = x * x + x;
        const auto order_y = exercises::topological_order(y);
        INFO(topological_order_problem(y, order_y));
        CHECK(topological_order_problem(y, order_y).empty());
        CHECK(std::count(order_y.begin(), order_y.end(), &x.node()) == 1);
    }
    SECTION("inputs that need no gradient are left out") {
        const Tensor c = Tensor::scalar(4);  // a constant
        const Tensor g = a * c;
        const auto order_g = exercises::topological_order(g);
        CHECK(std::find(order_g.begin(), order_g.end(), &c.node()) == order_g.end());
    }
}

TEST_CASE("exercise 1.3's check fails on a depth-first preorder (each node before its parents)", "[exercise][ch01]") {
    const Tensor a = Tensor::scalar(2, true), b = Tensor::scalar(3, true);
    const Tensor f = (a * b + exp(a)) * log(b);
    std::vector<Node*> preorder;
    std::unordered_set<Node*> seen;
    std::vector<Node*> stack{&f.node()};
    while (!stack.empty()) {
        Node* n = stack.back();
        stack.pop_back();
        if (!seen.insert(n).second) continue;
        preorder.push_back(n);
        for (const auto& p : n->parents) stack.push_back(p.get());
    }
    const std::string problem = topological_order_problem(f, preorder);
    INFO(problem);
    CHECK_FALSE(problem.empty());
}
