// Reductions: sums, means, and the log-sum-exp family along the last axis.
#include <mmgen/core/autograd.hpp>
#include <mmgen/core/ops.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace mmgen {

std::size_t normalize_axis(const char* op, int axis, std::size_t rank) {
    const int r = static_cast<int>(rank);
    const int a = axis < 0 ? axis + r : axis;
    if (a < 0 || a >= r)
        throw std::invalid_argument(std::string(op) + ": axis " + std::to_string(axis) + " is out of range for a rank-" +
                                    std::to_string(rank) + " tensor");
    return static_cast<std::size_t>(a);
}

namespace {

// Σ of all values times `scale`; d(scale·Σx)/dxᵢ = scale
Tensor scaled_total(const char* op, const Tensor& x, real scale) {
    double total = 0;  // accumulate in double: a float sum of 10⁵ terms loses digits
    for (real v : x.data()) total += v;
    Tensor y = Tensor::scalar(static_cast<real>(total * scale));
    return record(y, op, {x}, [x, scale](Node& out) mutable {
        const real g = out.grad[0] * scale;
        for (auto& d : x.grad_buffer()) d += g;
    });
}

// The tensor seen as (outer, n, inner) around `axis`.
struct AxisView {
    std::size_t outer = 1, n = 1, inner = 1;
};
AxisView view_around(const Shape& shape, std::size_t axis) {
    AxisView v;
    for (std::size_t d = 0; d < axis; ++d) v.outer *= shape[d];
    v.n = shape[axis];
    for (std::size_t d = axis + 1; d < shape.size(); ++d) v.inner *= shape[d];
    return v;
}

// y[o, i] = scale · Σⱼ x[o, j, i];  dx[o, j, i] = scale · dy[o, i]
Tensor scaled_axis_sum(const char* op, const Tensor& x, int axis, bool keepdim, bool average) {
    const std::size_t ax = normalize_axis(op, axis, x.rank());
    const AxisView v = view_around(x.shape(), ax);
    const real scale = average ? real(1) / static_cast<real>(v.n) : real(1);
    Shape shape = x.shape();
    if (keepdim)
        shape[ax] = 1;
    else
        shape.erase(shape.begin() + static_cast<std::ptrdiff_t>(ax));
    Tensor y = Tensor::zeros(shape);
    const auto xs = x.data();
    auto ys = y.data();
    for (std::size_t o = 0; o < v.outer; ++o)
        for (std::size_t j = 0; j < v.n; ++j)
            for (std::size_t i = 0; i < v.inner; ++i) ys[o * v.inner + i] += xs[(o * v.n + j) * v.inner + i];
    for (auto& value : ys) value *= scale;
    return record(y, op, {x}, [x, v, scale](Node& out) mutable {
        auto dx = x.grad_buffer();
        for (std::size_t o = 0; o < v.outer; ++o)
            for (std::size_t j = 0; j < v.n; ++j)
                for (std::size_t i = 0; i < v.inner; ++i)
                    dx[(o * v.n + j) * v.inner + i] += scale * out.grad[o * v.inner + i];
    });
}

void require_last_axis(const char* op, const Tensor& x) {
    if (x.rank() < 1 || x.dim(-1) == 0)
        throw std::invalid_argument(std::string(op) + ": needs a non-empty last axis, got shape " + x.shape_str());
}

// lse of one row, shifted by its maximum so exp never overflows: m + log Σ exp(xⱼ − m)
real row_log_sum_exp(const real* row, std::size_t n) {
    const real m = *std::max_element(row, row + n);
    if (!std::isfinite(m)) return m;  // all −∞ (or a +∞/NaN present)
    double s = 0;
    for (std::size_t j = 0; j < n; ++j) s += std::exp(static_cast<double>(row[j] - m));
    return m + static_cast<real>(std::log(s));
}

}  // namespace

Tensor sum(const Tensor& x) { return scaled_total("sum", x, real(1)); }
Tensor mean(const Tensor& x) {
    if (x.numel() == 0) throw std::invalid_argument("mean: empty tensor of shape " + x.shape_str());
    return scaled_total("mean", x, real(1) / static_cast<real>(x.numel()));
}
Tensor sum(const Tensor& x, int axis, bool keepdim) { return scaled_axis_sum("sum", x, axis, keepdim, false); }
Tensor mean(const Tensor& x, int axis, bool keepdim) { return scaled_axis_sum("mean", x, axis, keepdim, true); }

// y[r] = log Σⱼ exp x[r, j];  ∂y[r]/∂x[r, j] = softmax(x[r])ⱼ = exp(x[r, j] − y[r])
// A row of −∞ only (no mass at all) gives y = −∞ and no gradient, not exp(−∞ + ∞) = NaN.
Tensor log_sum_exp(const Tensor& x) {
    require_last_axis("log_sum_exp", x);
    const std::size_t n = x.dim(-1), rows = x.numel() / n;
    Shape shape(x.shape().begin(), x.shape().end() - 1);
    Tensor y = Tensor::empty(shape);
    for (std::size_t r = 0; r < rows; ++r) y.data()[r] = row_log_sum_exp(x.data().data() + r * n, n);
    return record(y, "log_sum_exp", {x}, [x, n, rows](Node& out) mutable {
        const auto xs = x.data();
        auto dx = x.grad_buffer();
        for (std::size_t r = 0; r < rows; ++r) {
            if (out.data[r] == -std::numeric_limits<real>::infinity()) continue;
            for (std::size_t j = 0; j < n; ++j) dx[r * n + j] += out.grad[r] * std::exp(xs[r * n + j] - out.data[r]);
        }
    });
}

// y[r, j] = x[r, j] − lse(x[r]);  dx[r, k] = dy[r, k] − softmax(x[r])ₖ · Σⱼ dy[r, j]
Tensor log_softmax(const Tensor& x) {
    require_last_axis("log_softmax", x);
    const std::size_t n = x.dim(-1), rows = x.numel() / n;
    Tensor y = Tensor::empty(x.shape());
    for (std::size_t r = 0; r < rows; ++r) {
        const real* row = x.data().data() + r * n;
        const real lse = row_log_sum_exp(row, n);
        for (std::size_t j = 0; j < n; ++j) y.data()[r * n + j] = row[j] - lse;
    }
    return record(y, "log_softmax", {x}, [x, n, rows](Node& out) mutable {
        auto dx = x.grad_buffer();
        for (std::size_t r = 0; r < rows; ++r) {
            const real* dy = out.grad.data() + r * n;
            const real* logp = out.data.data() + r * n;
            real total = 0;
            for (std::size_t j = 0; j < n; ++j) total += dy[j];
            for (std::size_t j = 0; j < n; ++j) dx[r * n + j] += dy[j] - std::exp(logp[j]) * total;
        }
    });
}

}  // namespace mmgen
