#include <mmgen/core/tensor.hpp>

#include <algorithm>
#include <stdexcept>

namespace mmgen {

std::size_t numel_of(const Shape& shape) {
    std::size_t n = 1;
    for (auto d : shape)
        if (__builtin_mul_overflow(n, d, &n))
            throw std::length_error("tensor shape " + shape_string(shape) + ": the number of elements overflows");
    return n;
}

std::string shape_string(const Shape& shape) {
    std::string s = "(";
    for (std::size_t i = 0; i < shape.size(); ++i) {
        if (i) s += ", ";
        s += std::to_string(shape[i]);
    }
    return s + ")";
}

std::span<real> Node::grad_buffer() {
    if (grad.empty()) grad.assign(data.size(), real(0));
    return grad;
}

namespace {
Tensor make_leaf(Shape shape, Buffer data, bool requires_grad) {
    auto node = std::make_shared<Node>();
    node->shape = std::move(shape);
    node->data = std::move(data);
    node->requires_grad = requires_grad;
    return Tensor(std::move(node));
}
}  // namespace

Tensor Tensor::empty(Shape shape, bool requires_grad) {
    const auto n = numel_of(shape);
    return make_leaf(std::move(shape), Buffer(n), requires_grad);  // default-initialised
}
Tensor Tensor::zeros(Shape shape, bool requires_grad) { return full(std::move(shape), 0, requires_grad); }
Tensor Tensor::ones(Shape shape, bool requires_grad) { return full(std::move(shape), 1, requires_grad); }
Tensor Tensor::full(Shape shape, real value, bool requires_grad) {
    const auto n = numel_of(shape);
    return make_leaf(std::move(shape), Buffer(n, value), requires_grad);
}
Tensor Tensor::scalar(real value, bool requires_grad) { return make_leaf({}, {value}, requires_grad); }

Tensor Tensor::from_data(Shape shape, std::vector<real> data, bool requires_grad) {
    if (data.size() != numel_of(shape))
        throw std::invalid_argument("Tensor::from_data: shape " + shape_string(shape) + " holds " +
                                    std::to_string(numel_of(shape)) + " values but " +
                                    std::to_string(data.size()) + " were given");
    return make_leaf(std::move(shape), Buffer(data.begin(), data.end()), requires_grad);
}

Tensor Tensor::from_buffer(Shape shape, Buffer data, bool requires_grad) {
    if (data.size() != numel_of(shape))
        throw std::invalid_argument("Tensor::from_buffer: shape " + shape_string(shape) + " holds " +
                                    std::to_string(numel_of(shape)) + " values but " +
                                    std::to_string(data.size()) + " were given");
    return make_leaf(std::move(shape), std::move(data), requires_grad);
}

Tensor Tensor::randn(Shape shape, Rng& rng, real stddev, bool requires_grad) {
    Tensor t = empty(std::move(shape), requires_grad);
    rng.fill_normal(t.data(), 0, stddev);
    return t;
}

Tensor Tensor::uniform(Shape shape, Rng& rng, real lo, real hi, bool requires_grad) {
    Tensor t = empty(std::move(shape), requires_grad);
    rng.fill_uniform(t.data(), lo, hi);
    return t;
}

Node& Tensor::node() const {
    if (!node_) throw std::logic_error("Tensor: use of an undefined tensor");
    return *node_;
}

const Shape& Tensor::shape() const { return node().shape; }

std::size_t Tensor::dim(int axis) const {
    const int r = static_cast<int>(rank());
    const int a = axis < 0 ? axis + r : axis;
    if (a < 0 || a >= r)
        throw std::out_of_range("Tensor::dim: axis " + std::to_string(axis) + " out of range for shape " +
                                shape_str());
    return shape()[static_cast<std::size_t>(a)];
}

std::size_t Tensor::numel() const { return node().data.size(); }
std::span<real> Tensor::data() { return node().data; }
std::span<const real> Tensor::data() const { return node().data; }

real Tensor::item() const {
    if (numel() != 1)
        throw std::invalid_argument("Tensor::item: tensor of shape " + shape_str() + " has " +
                                    std::to_string(numel()) + " values, not 1");
    return node().data[0];
}

real& Tensor::at(std::size_t i) { return node().data.at(i); }
real Tensor::at(std::size_t i) const { return node().data.at(i); }

real& Tensor::at(std::size_t row, std::size_t col) {
    if (rank() != 2 || row >= shape()[0] || col >= shape()[1])
        throw std::out_of_range("Tensor::at: index (" + std::to_string(row) + ", " + std::to_string(col) +
                                ") outside shape " + shape_str());
    return node().data[row * shape()[1] + col];
}
real Tensor::at(std::size_t row, std::size_t col) const { return const_cast<Tensor*>(this)->at(row, col); }

std::vector<real> Tensor::to_vector() const { return {node().data.begin(), node().data.end()}; }

bool Tensor::requires_grad() const { return node().requires_grad; }

Tensor& Tensor::set_requires_grad(bool on) {
    if (!is_leaf())
        throw std::logic_error(std::string("Tensor::set_requires_grad: only leaves can be changed, this tensor "
                                           "comes from '") + op() + "'");
    node().requires_grad = on;
    return *this;
}

bool Tensor::has_grad() const { return !node().grad.empty(); }
std::span<const real> Tensor::grad() const { return node().grad; }
std::span<real> Tensor::grad_buffer() const { return node().grad_buffer(); }

void Tensor::zero_grad() {
    auto& g = node().grad;
    std::fill(g.begin(), g.end(), real(0));
}

bool Tensor::is_leaf() const { return node().parents.empty() && !node().backward; }
const char* Tensor::op() const { return node().op; }

Tensor Tensor::detach() const { return make_leaf(shape(), node().data, false); }
Tensor Tensor::clone() const { return make_leaf(shape(), node().data, false); }

}  // namespace mmgen
