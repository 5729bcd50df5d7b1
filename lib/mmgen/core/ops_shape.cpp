// Shape ops: they move values around; their backward moves gradients back the same way.
#include <mmgen/core/autograd.hpp>
#include <mmgen/core/grad_target.hpp>
#include <mmgen/core/ops.hpp>

#include <algorithm>
#include <numeric>
#include <stdexcept>

namespace mmgen {

namespace {
struct AxisBlocks {
    std::size_t outer = 1, inner = 1;  // product of dims before the axis; after it
};
AxisBlocks blocks_around(const Shape& shape, std::size_t axis) {
    AxisBlocks b;
    for (std::size_t d = 0; d < axis; ++d) b.outer *= shape[d];
    for (std::size_t d = axis + 1; d < shape.size(); ++d) b.inner *= shape[d];
    return b;
}
}  // namespace

// Same values, new shape; the gradient is reshaped back (identical layout, so copied as is).
Tensor reshape(const Tensor& x, Shape shape) {
    if (numel_of(shape) != x.numel())
        throw std::invalid_argument("reshape: " + x.shape_str() + " to " + shape_string(shape) +
                                    ": the number of values differs (" + std::to_string(x.numel()) + " vs " +
                                    std::to_string(numel_of(shape)) + ")");
    Tensor y = Tensor::from_buffer(std::move(shape), x.node().data);
    return record(y, "reshape", {x}, [x](Node& out) mutable {
        const auto [dx, fresh] = grad_target(x);
        if (fresh) std::copy(out.grad.begin(), out.grad.end(), dx.begin());  // a new gradient: dx = dy
        else
            for (std::size_t i = 0; i < dx.size(); ++i) dx[i] += out.grad[i];
    });
}

// Parts joined along `axis`; each part's gradient is its block of the output gradient.
Tensor concat(const std::vector<Tensor>& parts, int axis) {
    if (parts.empty()) throw std::invalid_argument("concat: no tensors given");
    const std::size_t ax = normalize_axis("concat", axis, parts[0].rank());
    Shape shape = parts[0].shape();
    shape[ax] = 0;
    for (const auto& p : parts) {
        Shape expected = parts[0].shape(), got = p.shape();
        if (got.size() != expected.size())
            throw std::invalid_argument("concat: " + parts[0].shape_str() + " and " + p.shape_str() +
                                        ": ranks differ");
        expected[ax] = got[ax] = 0;
        if (got != expected)
            throw std::invalid_argument("concat: " + parts[0].shape_str() + " and " + p.shape_str() +
                                        ": shapes differ outside axis " + std::to_string(ax));
        shape[ax] += p.dim(static_cast<int>(ax));
    }
    const AxisBlocks blk = blocks_around(shape, ax);
    const std::size_t out_row = shape[ax] * blk.inner;  // values per outer index in the output
    Tensor y = Tensor::empty(shape);
    std::vector<std::size_t> offsets;  // where each part starts inside an output row
    std::size_t offset = 0;
    for (const auto& p : parts) {
        offsets.push_back(offset);
        const std::size_t row = p.dim(static_cast<int>(ax)) * blk.inner;
        for (std::size_t o = 0; o < blk.outer; ++o)
            std::copy_n(p.data().data() + o * row, row, y.data().data() + o * out_row + offset);
        offset += row;
    }
    return record(y, "concat", parts, [parts, offsets, blk, out_row, ax](Node& out) mutable {
        for (std::size_t k = 0; k < parts.size(); ++k) {
            if (!parts[k].requires_grad()) continue;
            const std::size_t row = parts[k].dim(static_cast<int>(ax)) * blk.inner;
            auto dp = parts[k].grad_buffer();
            for (std::size_t o = 0; o < blk.outer; ++o)
                for (std::size_t i = 0; i < row; ++i) dp[o * row + i] += out.grad[o * out_row + offsets[k] + i];
        }
    });
}

// The inverse of concat: consecutive blocks of `sizes` along `axis`.
std::vector<Tensor> split(const Tensor& x, const std::vector<std::size_t>& sizes, int axis) {
    const std::size_t ax = normalize_axis("split", axis, x.rank());
    const std::size_t total = std::accumulate(sizes.begin(), sizes.end(), std::size_t{0});
    if (total != x.shape()[ax]) {
        std::string s;
        for (auto v : sizes) s += (s.empty() ? "" : ", ") + std::to_string(v);
        throw std::invalid_argument("split: sizes {" + s + "} add up to " + std::to_string(total) + " but axis " +
                                    std::to_string(ax) + " of " + x.shape_str() + " has " +
                                    std::to_string(x.shape()[ax]));
    }
    const AxisBlocks blk = blocks_around(x.shape(), ax);
    const std::size_t in_row = x.shape()[ax] * blk.inner;
    std::vector<Tensor> out;
    std::size_t offset = 0;
    for (auto size : sizes) {
        Shape shape = x.shape();
        shape[ax] = size;
        const std::size_t row = size * blk.inner;
        Tensor y = Tensor::empty(shape);
        for (std::size_t o = 0; o < blk.outer; ++o)
            std::copy_n(x.data().data() + o * in_row + offset, row, y.data().data() + o * row);
        out.push_back(record(y, "split", {x}, [x, blk, in_row, row, offset](Node& node) mutable {
            auto dx = x.grad_buffer();
            for (std::size_t o = 0; o < blk.outer; ++o)
                for (std::size_t i = 0; i < row; ++i) dx[o * in_row + offset + i] += node.grad[o * row + i];
        }));
        offset += row;
    }
    return out;
}

// Rows [begin, end) of axis 0; the gradient lands in those rows.
Tensor slice_rows(const Tensor& x, std::size_t begin, std::size_t end) {
    if (x.rank() < 1 || begin > end || end > x.dim(0))
        throw std::invalid_argument("slice_rows: rows [" + std::to_string(begin) + ", " + std::to_string(end) +
                                    ") of a tensor of shape " + x.shape_str());
    const std::size_t row = x.rank() ? x.numel() / std::max<std::size_t>(x.dim(0), 1) : 1;
    Shape shape = x.shape();
    shape[0] = end - begin;
    Tensor y = Tensor::empty(shape);
    std::copy_n(x.data().data() + begin * row, (end - begin) * row, y.data().data());
    return record(y, "slice_rows", {x}, [x, begin, row](Node& out) mutable {
        auto dx = x.grad_buffer();
        for (std::size_t i = 0; i < out.grad.size(); ++i) dx[begin * row + i] += out.grad[i];
    });
}

// y[r] = W[indices[r]];  the backward scatter-adds: dW[indices[r]] += dy[r]
// (a row picked twice receives both gradients)
Tensor embedding(const Tensor& weight, const std::vector<std::size_t>& indices) {
    if (weight.rank() != 2)
        throw std::invalid_argument("embedding: weight must be (vocabulary, dim), got shape " + weight.shape_str());
    const std::size_t vocab = weight.dim(0), d = weight.dim(1);
    for (auto index : indices)
        if (index >= vocab)
            throw std::invalid_argument("embedding: index " + std::to_string(index) + " out of range for weight " +
                                        weight.shape_str());
    Tensor y = Tensor::empty({indices.size(), d});
    for (std::size_t r = 0; r < indices.size(); ++r)
        std::copy_n(weight.data().data() + indices[r] * d, d, y.data().data() + r * d);
    return record(y, "embedding", {weight}, [weight, indices, d](Node& out) mutable {
        auto dw = weight.grad_buffer();
        for (std::size_t r = 0; r < indices.size(); ++r)
            for (std::size_t j = 0; j < d; ++j) dw[indices[r] * d + j] += out.grad[r * d + j];
    });
}

}  // namespace mmgen
