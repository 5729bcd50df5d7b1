// graph_dot: the computation graph as Graphviz DOT — one node per tensor, one arrow per use.
#include <catch2/catch.hpp>

#include <algorithm>
#include <string>

#include <mmgen/core/autograd.hpp>
#include <mmgen/core/graph_dot.hpp>
#include <mmgen/core/ops.hpp>

using namespace mmgen;

namespace {
std::size_t count_of(const std::string& text, const std::string& what) {
    std::size_t n = 0;
    for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + what.size())) ++n;
    return n;
}
}  // namespace

TEST_CASE("graph_dot draws a tiny expression with exactly its nodes and arrows", "[graph_dot][ch01]") {
    const Tensor x = Tensor::from_data({2}, {1, 2}, true);  // (2), needs a gradient
    const Tensor c = Tensor::ones({2});                      // (2), a constant
    SECTION("with constants recorded: x twice into mul, c into add, the loss doubly outlined") {
        const RecordConstantsGuard record_constants;
        const Tensor loss = sum(x * x + c);  // ()
        const std::string expected =
            "digraph autograd {\n"
            "  label=\"sum(x * x + c)\";\n"
            "  labelloc=t;\n"
            "  node [fontname=\"Helvetica\", fontsize=10];\n"
            "  n0 [label=\"x\\n(2)\", shape=box, style=filled, fillcolor=\"#cfe2f3\"];\n"
            "  n1 [label=\"mul\\n(2)\", shape=ellipse];\n"
            "  n2 [label=\"c\\n(2)\", shape=box, style=dashed, color=gray40, fontcolor=gray40];\n"
            "  n3 [label=\"add\\n(2)\", shape=ellipse];\n"
            "  n4 [label=\"loss = sum\\n()\", shape=ellipse, peripheries=2];\n"
            "  n0 -> n1;\n"
            "  n0 -> n1;\n"
            "  n1 -> n3;\n"
            "  n2 -> n3;\n"
            "  n3 -> n4;\n"
            "}\n";
        CHECK(graph_dot(loss, {{"x", x}, {"c", c}, {"loss", loss}}, "sum(x * x + c)") == expected);
    }
    SECTION("without the guard the graph holds only what backward() needs: no constant is drawn") {
        const Tensor loss = sum(x * x + c);
        const std::string dot = graph_dot(loss, {{"x", x}, {"c", c}});
        INFO(dot);
        CHECK(count_of(dot, "->") == 4);
        CHECK(count_of(dot, "style=dashed") == 0);
        CHECK(count_of(dot, "label=\"c\\n") == 0);
        CHECK(loss.node().constants.empty());
    }
    SECTION("the guard restores the previous setting when it goes out of scope") {
        { const RecordConstantsGuard record_constants; }
        CHECK((x * c).node().constants.empty());
    }
}

TEST_CASE("graph_dot labels unnamed tensors by their op and escapes names", "[graph_dot][ch01]") {
    const Tensor w = Tensor::from_data({1, 2}, {1, 2}, true);  // (1, 2)
    SECTION("an unnamed leaf is 'leaf', an op output its op") {
        const Tensor y = exp(w);
        const std::string dot = graph_dot(y);
        INFO(dot);
        CHECK(count_of(dot, "label=\"leaf\\n(1, 2)\"") == 1);
        CHECK(count_of(dot, "label=\"exp\\n(1, 2)\"") == 1);
    }
    SECTION("quotes and backslashes in a name are escaped") {
        const std::string dot = graph_dot(exp(w), {{"w \"odd\\name\"", w}});
        INFO(dot);
        CHECK(count_of(dot, "label=\"w \\\"odd\\\\name\\\"\\n(1, 2)\"") == 1);
    }
    SECTION("a constant computed by an op is labelled with its op") {
        const RecordConstantsGuard record_constants;
        const Tensor two = Tensor::ones({1, 2}) * real(2);  // (1, 2), needs no gradient
        const std::string dot = graph_dot(w * two, {{"two", two}});
        INFO(dot);
        CHECK(count_of(dot, "label=\"two = mul_scalar\\n(1, 2)\", shape=box, style=dashed") == 1);
    }
    SECTION("a root that needs no gradient is drawn alone, dashed") {
        const Tensor c = Tensor::ones({3});
        const std::string dot = graph_dot(c, {{"c", c}});
        INFO(dot);
        CHECK(count_of(dot, "[label=") == 1);
        CHECK(count_of(dot, "->") == 0);
        CHECK(count_of(dot, "style=dashed") == 1);
    }
}

TEST_CASE("graph_dot gives a node shared by two ops one box and one arrow per use", "[graph_dot][ch01]") {
    const Tensor x = Tensor::from_data({2}, {1, 2}, true);
    const Tensor a = exp(x), b = log(x + a);  // x used by exp and by add; a used by add
    const Tensor loss = sum(a * b);
    const std::string dot = graph_dot(loss, {{"x", x}});
    INFO(dot);
    CHECK(count_of(dot, "[label=") == 6);  // x, exp, add, log, mul, sum
    CHECK(count_of(dot, "->") == 7);       // x→exp, x→add, exp→add, add→log, exp→mul, log→mul, mul→sum
}
