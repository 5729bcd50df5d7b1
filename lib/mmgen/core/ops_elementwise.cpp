// Elementwise ops: y[i] = f(x[i]) and z[i] = f(a[i], b[i]), each with its local derivative.
#include <mmgen/core/autograd.hpp>
#include <mmgen/core/grad_target.hpp>
#include <mmgen/core/ops.hpp>
#include <mmgen/core/parallel.hpp>
#include <mmgen/core/scalar_math.hpp>
#include <mmgen/core/vector_math.hpp>

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace mmgen {

namespace {

// Values per parallel range of an elementwise loop: large activations (a convolution's) are
// split over the threads, small ones stay on the calling thread.
constexpr std::size_t kElementwiseGrain = std::size_t{1} << 15;

// dx += dy · f'(x, y), over restrict pointers so the loop vectorises (dx = … when x has no
// gradient yet: no zero-fill first)
template <class DF>
void accumulate_unary_grad(const Tensor& x, const Node& out, DF dfdx) {
    const auto [dx_span, fresh] = grad_target(x);
    real* dx_all = dx_span.data();
    const real* xs_all = x.data().data();
    const real* ys_all = out.data.data();
    const real* dy_all = out.grad.data();
    parallel::for_range(out.data.size(), kElementwiseGrain, [=](std::size_t first, std::size_t end) {
        real* __restrict dx = dx_all;
        const real* __restrict xs = xs_all;
        const real* __restrict ys = ys_all;
        const real* __restrict dy = dy_all;
        const DF df = dfdx;  // local copies: their captures sit in registers and the loops vectorise
        if (fresh)
            for (std::size_t i = first; i < end; ++i) dx[i] = dy[i] * df(xs[i], ys[i]);
        else
            for (std::size_t i = first; i < end; ++i) dx[i] += dy[i] * df(xs[i], ys[i]);
    });
}

// y = f(x) elementwise; backward: dx += dy · f'(x), with f' given the input and the output.
template <class F, class DF>
Tensor unary(const char* op, const Tensor& x, F f, DF dfdx) {
    Tensor y = Tensor::empty(x.shape());
    const real* xs_all = x.data().data();
    real* ys_all = y.data().data();
    parallel::for_range(x.numel(), kElementwiseGrain, [=](std::size_t first, std::size_t end) {
        const real* __restrict xs = xs_all;
        real* __restrict ys = ys_all;
        const F fn = f;
        for (std::size_t i = first; i < end; ++i) ys[i] = fn(xs[i]);
    });
    return record(y, op, {x}, [x, dfdx](Node& out) mutable { accumulate_unary_grad(x, out, dfdx); });
}

// The same with the forward computed by a whole-array kernel (vector_math.hpp).
template <class DF>
Tensor unary_kernel(const char* op, const Tensor& x, void (*kernel)(std::span<const real>, std::span<real>), DF dfdx) {
    Tensor y = Tensor::empty(x.shape());
    kernel(x.data(), y.data());
    return record(y, op, {x}, [x, dfdx](Node& out) mutable { accumulate_unary_grad(x, out, dfdx); });
}

// Checks that a and b are the same shape, or that one broadcasts over the other (a row vector
// over rows, or a single value everywhere). Returns the output shape.
Shape broadcast_shape(const char* op, const Tensor& a, const Tensor& b) {
    if (a.shape() == b.shape()) return a.shape();
    auto broadcasts_over = [](const Tensor& small, const Tensor& big) {
        if (small.numel() == 1) return true;
        if (big.rank() < 1) return false;
        const std::size_t cols = big.dim(-1);
        const bool row = (small.rank() == 1 || (small.rank() == 2 && small.dim(0) == 1));
        return row && small.numel() == cols;
    };
    // the operand with fewer values is the one repeated; with equal counts ((N) and (1, N), or
    // two single values) the higher rank gives the shape, so a + b and b + a agree
    const bool b_repeats = b.numel() < a.numel() || (b.numel() == a.numel() && b.rank() <= a.rank());
    if (b_repeats && broadcasts_over(b, a)) return a.shape();
    if (!b_repeats && broadcasts_over(a, b)) return b.shape();
    throw std::invalid_argument(std::string(op) + ": " + a.shape_str() + " and " + b.shape_str() +
                                ": shapes differ and neither is a row vector or a single value that broadcasts");
}

// z = f(a, b) elementwise with broadcasting. An operand with n values is read at index i % n:
// that is the same index for equal shapes, the column for a row vector, 0 for a single value.
// Backward: da += dz · ∂f/∂a, summed over the positions a was repeated in (likewise b).
template <class F, class DA, class DB>
Tensor binary(const char* op, const Tensor& a, const Tensor& b, F f, DA dfda, DB dfdb) {
    Tensor z = Tensor::empty(broadcast_shape(op, a, b));
    const auto as = a.data(), bs = b.data();
    const std::size_t na = as.size(), nb = bs.size();
    auto zs = z.data();
    if (na == zs.size() && nb == zs.size())
        for (std::size_t i = 0; i < zs.size(); ++i) zs[i] = f(as[i], bs[i]);
    else
        for (std::size_t i = 0; i < zs.size(); ++i) zs[i] = f(as[i % na], bs[i % nb]);
    return record(z, op, {a, b}, [a, b, dfda, dfdb](Node& out) mutable {
        const auto as = a.data(), bs = b.data();
        const std::size_t na = as.size(), nb = bs.size();
        const auto& dz = out.grad;
        if (a.requires_grad()) {
            auto da = a.grad_buffer();
            for (std::size_t i = 0; i < dz.size(); ++i) da[i % na] += dz[i] * dfda(as[i % na], bs[i % nb]);
        }
        if (b.requires_grad()) {
            auto db = b.grad_buffer();
            for (std::size_t i = 0; i < dz.size(); ++i) db[i % nb] += dz[i] * dfdb(as[i % na], bs[i % nb]);
        }
    });
}

}  // namespace

// --- binary ----------------------------------------------------------------------------------

// ∂(a+b)/∂a = 1, ∂(a+b)/∂b = 1
Tensor add(const Tensor& a, const Tensor& b) {
    return binary("add", a, b, [](real x, real y) { return x + y; }, [](real, real) { return real(1); },
                  [](real, real) { return real(1); });
}

// ∂(a−b)/∂a = 1, ∂(a−b)/∂b = −1
Tensor sub(const Tensor& a, const Tensor& b) {
    return binary("sub", a, b, [](real x, real y) { return x - y; }, [](real, real) { return real(1); },
                  [](real, real) { return real(-1); });
}

// ∂(ab)/∂a = b, ∂(ab)/∂b = a
Tensor mul(const Tensor& a, const Tensor& b) {
    return binary("mul", a, b, [](real x, real y) { return x * y; }, [](real, real y) { return y; },
                  [](real x, real) { return x; });
}

// ∂(a/b)/∂a = 1/b, ∂(a/b)/∂b = −a/b²
Tensor div(const Tensor& a, const Tensor& b) {
    return binary("div", a, b, [](real x, real y) { return x / y; }, [](real, real y) { return real(1) / y; },
                  [](real x, real y) { return -x / (y * y); });
}

Tensor operator+(const Tensor& a, const Tensor& b) { return add(a, b); }
Tensor operator-(const Tensor& a, const Tensor& b) { return sub(a, b); }
Tensor operator*(const Tensor& a, const Tensor& b) { return mul(a, b); }
Tensor operator/(const Tensor& a, const Tensor& b) { return div(a, b); }

// --- with a constant ---------------------------------------------------------------------------

// d(x + c)/dx = 1
Tensor add_scalar(const Tensor& x, real c) {
    return unary("add_scalar", x, [c](real v) { return v + c; }, [](real, real) { return real(1); });
}

// d(c·x)/dx = c
Tensor mul_scalar(const Tensor& x, real c) {
    return unary("mul_scalar", x, [c](real v) { return c * v; }, [c](real, real) { return c; });
}

Tensor operator+(const Tensor& x, real c) { return add_scalar(x, c); }
Tensor operator+(real c, const Tensor& x) { return add_scalar(x, c); }
Tensor operator-(const Tensor& x, real c) { return add_scalar(x, -c); }
Tensor operator-(real c, const Tensor& x) { return add_scalar(neg(x), c); }
Tensor operator*(const Tensor& x, real c) { return mul_scalar(x, c); }
Tensor operator*(real c, const Tensor& x) { return mul_scalar(x, c); }
Tensor operator/(const Tensor& x, real c) { return mul_scalar(x, real(1) / c); }

// --- unary -------------------------------------------------------------------------------------

// d(−x)/dx = −1
Tensor neg(const Tensor& x) {
    return unary("neg", x, [](real v) { return -v; }, [](real, real) { return real(-1); });
}
Tensor operator-(const Tensor& x) { return neg(x); }

// d eˣ/dx = eˣ = y
Tensor exp(const Tensor& x) {
    return unary_kernel("exp", x, vmath::exp, [](real, real y) { return y; });
}

// d log x/dx = 1/x
Tensor log(const Tensor& x) {
    return unary_kernel("log", x, vmath::log, [](real v, real) { return real(1) / v; });
}

// d √x/dx = 1/(2√x) = 1/(2y)
Tensor sqrt(const Tensor& x) {
    return unary("sqrt", x, [](real v) { return std::sqrt(v); }, [](real, real y) { return real(0.5) / y; });
}

// d x²/dx = 2x
Tensor square(const Tensor& x) {
    return unary("square", x, [](real v) { return v * v; }, [](real v, real) { return 2 * v; });
}

// d xᵖ/dx = p·xᵖ⁻¹
Tensor pow(const Tensor& x, real p) {
    return unary("pow", x, [p](real v) { return std::pow(v, p); },
                 [p](real v, real) { return p * std::pow(v, p - 1); });
}

// dσ(x)/dx = σ(x)(1 − σ(x)) = y(1 − y); σ computed without overflowing exp
Tensor sigmoid(const Tensor& x) {
    return unary_kernel("sigmoid", x, vmath::sigmoid, [](real, real y) { return y * (1 - y); });
}

// d tanh x/dx = 1 − tanh² x = 1 − y²
Tensor tanh(const Tensor& x) {
    return unary_kernel("tanh", x, vmath::tanh, [](real, real y) { return 1 - y * y; });
}

// d relu(x)/dx = 1 if x > 0 else 0 (the kink at 0 takes 0)
Tensor relu(const Tensor& x) {
    return unary("relu", x, [](real v) { return v > 0 ? v : real(0); },
                 [](real v, real) { return v > 0 ? real(1) : real(0); });
}

// d leaky_relu(x)/dx = 1 if x > 0 else slope
Tensor leaky_relu(const Tensor& x, real slope) {
    return unary("leaky_relu", x, [slope](real v) { return v > 0 ? v : slope * v; },
                 [slope](real v, real) { return v > 0 ? real(1) : slope; });
}

// softplus(x) = log(1 + eˣ) = max(x, 0) + log(1 + e^−|x|);  d/dx = σ(x)
Tensor softplus(const Tensor& x) {
    return unary_kernel("softplus", x, vmath::softplus, [](real v, real) { return logistic(v); });
}

// d clamp(x, lo, hi)/dx = 1 inside [lo, hi], 0 outside
Tensor clamp(const Tensor& x, real lo, real hi) {
    if (!(lo <= hi))
        throw std::invalid_argument("clamp: lower bound " + std::to_string(lo) + " exceeds upper bound " +
                                    std::to_string(hi) + " for a tensor of shape " + x.shape_str());
    return unary("clamp", x, [lo, hi](real v) { return std::clamp(v, lo, hi); },
                 [lo, hi](real v, real) { return (v >= lo && v <= hi) ? real(1) : real(0); });
}

}  // namespace mmgen
