#pragma once
// Tensor: a cheap-to-copy handle to a node of the computation graph.
//
// A Tensor holds a shared_ptr to a Node: its shape, its contiguous row-major data, its
// gradient (allocated on first use), whether it requires a gradient, and — for a tensor
// produced by an op — the parents it was computed from and the closure that pushes its
// gradient back into theirs (see autograd.hpp). Copying a Tensor copies the handle, not the
// data: `Tensor b = a;` makes b and a the same tensor. The graph frees itself when the last
// handle to its output goes away.
#include <cstddef>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include <mmgen/core/random.hpp>
#include <mmgen/core/real.hpp>
#include <mmgen/core/storage.hpp>

namespace mmgen {

using Shape = std::vector<std::size_t>;

std::size_t numel_of(const Shape& shape);
std::string shape_string(const Shape& shape);  // "(128, 784)"

struct Node;
// Adds the output's gradient, through the op's derivative, into the parents' gradients.
using BackwardFn = std::function<void(Node& out)>;

struct Node {
    Shape shape;
    Buffer data;  // row-major, numel_of(shape) values
    Buffer grad;  // empty until a gradient is first accumulated
    bool requires_grad = false;
    const char* op = "leaf";  // the op that produced this node, for messages and graph dumps
    std::vector<std::shared_ptr<Node>> parents;
    // The inputs that need no gradient (data, noise, targets), kept only while a
    // RecordConstantsGuard lives (see autograd.hpp), for drawing the graph; otherwise empty.
    std::vector<std::shared_ptr<Node>> constants;
    BackwardFn backward;

    // The gradient buffer, zero-filled on first use.
    std::span<real> grad_buffer();
};

class Tensor {
public:
    Tensor() = default;  // an undefined tensor; defined() is false
    explicit Tensor(std::shared_ptr<Node> node) : node_(std::move(node)) {}

    // --- factories -------------------------------------------------------------------
    static Tensor empty(Shape shape, bool requires_grad = false);  // uninitialised values
    static Tensor zeros(Shape shape, bool requires_grad = false);
    static Tensor ones(Shape shape, bool requires_grad = false);
    static Tensor full(Shape shape, real value, bool requires_grad = false);
    static Tensor scalar(real value, bool requires_grad = false);  // shape ()
    // Throws if data.size() does not match the shape.
    static Tensor from_data(Shape shape, std::vector<real> data, bool requires_grad = false);
    static Tensor from_buffer(Shape shape, Buffer data, bool requires_grad = false);
    static Tensor randn(Shape shape, Rng& rng, real stddev = 1, bool requires_grad = false);
    static Tensor uniform(Shape shape, Rng& rng, real lo, real hi, bool requires_grad = false);

    // --- shape ---------------------------------------------------------------------------
    bool defined() const { return node_ != nullptr; }
    const Shape& shape() const;
    std::size_t rank() const { return shape().size(); }
    std::size_t dim(int axis) const;  // negative axes count from the end
    std::size_t numel() const;
    std::string shape_str() const { return shape_string(shape()); }

    // --- values --------------------------------------------------------------------------
    std::span<real> data();
    std::span<const real> data() const;
    real item() const;  // the single value of a one-element tensor
    real& at(std::size_t i);
    real at(std::size_t i) const;
    real& at(std::size_t row, std::size_t col);  // rank-2 tensors
    real at(std::size_t row, std::size_t col) const;
    std::vector<real> to_vector() const;

    // --- gradients -----------------------------------------------------------------------
    bool requires_grad() const;
    Tensor& set_requires_grad(bool on = true);  // only for leaves
    bool has_grad() const;
    std::span<const real> grad() const;  // empty if no gradient has been accumulated
    // Zero-filled on first use. A handle is like a pointer: const-ness of the handle does not
    // make the node const, so backward closures holding `const Tensor` can accumulate.
    std::span<real> grad_buffer() const;
    void zero_grad();                    // sets an existing gradient to 0
    bool is_leaf() const;
    const char* op() const;

    // Reverse-mode differentiation from this tensor (see autograd.hpp): a one-element tensor
    // is seeded with gradient 1; otherwise pass the upstream gradient of the same shape.
    void backward() const;
    void backward(const Tensor& upstream) const;

    // The same values as a new leaf that no gradient flows through.
    Tensor detach() const;
    // A deep copy of the values (a new leaf, no graph).
    Tensor clone() const;

    Node& node() const;
    const std::shared_ptr<Node>& node_ptr() const { return node_; }
    bool same_as(const Tensor& other) const { return node_ == other.node_; }

private:
    std::shared_ptr<Node> node_;
};

}  // namespace mmgen
