#include <mmgen/core/autograd.hpp>

#include <stdexcept>
#include <unordered_map>
#include <unordered_set>

namespace mmgen {

namespace {
thread_local bool g_grad_enabled = true;
thread_local bool g_record_constants = false;
}

bool grad_enabled() { return g_grad_enabled; }

NoGradGuard::NoGradGuard() : previous_(g_grad_enabled) { g_grad_enabled = false; }
NoGradGuard::~NoGradGuard() { g_grad_enabled = previous_; }

RecordConstantsGuard::RecordConstantsGuard() : previous_(g_record_constants) { g_record_constants = true; }
RecordConstantsGuard::~RecordConstantsGuard() { g_record_constants = previous_; }

template <class Inputs>
static Tensor record_impl(Tensor out, const char* op, const Inputs& inputs, BackwardFn backward) {
    Node& node = out.node();
    node.op = op;
    if (!g_grad_enabled) return out;
    bool any = false;
    for (const auto& in : inputs) any = any || in.requires_grad();
    if (!any) return out;
    node.requires_grad = true;
    for (const auto& in : inputs) {
        if (in.requires_grad()) node.parents.push_back(in.node_ptr());
        else if (g_record_constants) node.constants.push_back(in.node_ptr());
    }
    node.backward = std::move(backward);
    return out;
}

Tensor record(Tensor out, const char* op, std::initializer_list<Tensor> inputs, BackwardFn backward) {
    return record_impl(std::move(out), op, inputs, std::move(backward));
}
Tensor record(Tensor out, const char* op, const std::vector<Tensor>& inputs, BackwardFn backward) {
    return record_impl(std::move(out), op, inputs, std::move(backward));
}

std::vector<Node*> topological_order(const Tensor& root) {
    // Iterative depth-first search; a node is appended once all its parents are.
    std::vector<Node*> order;
    std::unordered_set<Node*> visited;
    std::vector<std::pair<Node*, std::size_t>> stack;  // (node, next parent to visit)
    Node* start = &root.node();
    if (!start->requires_grad) return order;
    stack.emplace_back(start, 0);
    visited.insert(start);
    while (!stack.empty()) {
        auto& [node, next] = stack.back();
        if (next < node->parents.size()) {
            Node* parent = node->parents[next++].get();
            if (parent->requires_grad && visited.insert(parent).second) stack.emplace_back(parent, 0);
        } else {
            order.push_back(node);
            stack.pop_back();
        }
    }
    return order;
}

void backward(Tensor root, std::span<const real> seed, const LeafReadyFn& on_leaf_ready) {
    if (!root.requires_grad())
        throw std::logic_error(std::string("backward: the tensor (from '") + root.op() +
                               "') does not require a gradient; did an input set requires_grad, "
                               "and is this outside a NoGradGuard?");
    if (seed.size() != root.numel())
        throw std::invalid_argument("backward: upstream gradient has " + std::to_string(seed.size()) +
                                    " values but the tensor has shape " + root.shape_str());
    // Non-leaf gradients belong to one pass: left over from an earlier backward() through the
    // same nodes, they would be pushed into the leaves a second time. Leaves keep accumulating.
    const auto order = topological_order(root);
    for (Node* node : order)
        if (node->backward) node->grad.clear();
    // With a hook: how many closures of this pass still have to add into each leaf (one per
    // edge: a node that uses a leaf twice, x·x, counts twice)
    std::unordered_map<Node*, std::size_t> pending;
    auto is_leaf = [](const Node* n) { return n->requires_grad && !n->backward; };
    if (on_leaf_ready)
        for (Node* node : order)
            for (const auto& parent : node->parents)
                if (is_leaf(parent.get())) ++pending[parent.get()];
    auto g = root.grad_buffer();
    for (std::size_t i = 0; i < g.size(); ++i) g[i] += seed[i];
    for (auto it = order.rbegin(); it != order.rend(); ++it) {
        Node* node = *it;
        if (node->backward && !node->grad.empty()) node->backward(*node);
        if (!on_leaf_ready) continue;
        // a node that received no gradient adds nothing, but its edges are done all the same
        for (const auto& parent : node->parents)
            if (is_leaf(parent.get()) && --pending[parent.get()] == 0) on_leaf_ready(*parent);
    }
}

void Tensor::backward() const {
    if (numel() != 1)
        throw std::invalid_argument("backward: without an upstream gradient the tensor must have one value, "
                                    "but it has shape " + shape_str());
    const real one = 1;
    mmgen::backward(*this, std::span<const real>(&one, 1));
}

void Tensor::backward(const Tensor& upstream) const {
    if (upstream.shape() != shape())
        throw std::invalid_argument("backward: upstream gradient of shape " + upstream.shape_str() +
                                    " for a tensor of shape " + shape_str());
    mmgen::backward(*this, upstream.data());
}

}  // namespace mmgen
