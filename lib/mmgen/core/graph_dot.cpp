#include <mmgen/core/graph_dot.hpp>

#include <sstream>
#include <string_view>
#include <unordered_map>

#include <mmgen/core/autograd.hpp>

namespace mmgen {

namespace {
// A DOT string literal: quotes and backslashes escaped, a newline written as DOT's \n.
std::string quoted(const std::string& text) {
    std::string out = "\"";
    for (char c : text) {
        if (c == '\n') {
            out += "\\n";
            continue;
        }
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    return out + '"';
}
}  // namespace

std::string graph_dot(const Tensor& root, const std::vector<std::pair<std::string, Tensor>>& names,
                      const std::string& title) {
    std::unordered_map<const Node*, std::string> name_of;
    for (const auto& [name, tensor] : names) name_of.emplace(&tensor.node(), name);

    // The nodes that need a gradient, each after its parents (the root alone if it needs none).
    std::vector<Node*> order = topological_order(root);
    if (order.empty()) order.push_back(&root.node());

    std::ostringstream nodes, edges;
    std::unordered_map<const Node*, std::size_t> id_of;
    auto declare = [&](const Node* node) {  // "n<id>", declared the first time it is seen
        auto [it, fresh] = id_of.emplace(node, id_of.size());
        std::string id = "n";
        id += std::to_string(it->second);
        if (!fresh) return id;
        const auto named = name_of.find(node);
        const bool leaf = node->parents.empty() && !node->backward;
        const bool from_op = std::string_view(node->op) != "leaf";  // also a constant an op computed
        std::string label = named != name_of.end() ? named->second : node->op;
        if (named != name_of.end() && from_op) label.append(" = ").append(node->op);
        label.append("\n").append(shape_string(node->shape));
        std::string style = !node->requires_grad ? "shape=box, style=dashed, color=gray40, fontcolor=gray40"
                            : leaf               ? "shape=box, style=filled, fillcolor=\"#cfe2f3\""
                                                 : "shape=ellipse";
        if (node == &root.node()) style.append(", peripheries=2");
        nodes << "  " << id << " [label=" << quoted(label) << ", " << style << "];\n";
        return id;
    };
    for (const Node* node : order) {
        std::vector<std::string> inputs;
        for (const auto& parent : node->parents) inputs.push_back(declare(parent.get()));
        for (const auto& constant : node->constants) inputs.push_back(declare(constant.get()));
        const std::string id = declare(node);
        for (const auto& input : inputs) edges << "  " << input << " -> " << id << ";\n";
    }

    std::ostringstream dot;
    dot << "digraph autograd {\n";
    if (!title.empty()) dot << "  label=" << quoted(title) << ";\n  labelloc=t;\n";
    dot << "  node [fontname=\"Helvetica\", fontsize=10];\n";
    dot << nodes.str() << edges.str() << "}\n";
    return dot.str();
}

}  // namespace mmgen
