// Matrix products, straight to GEMM in both directions.
#include <mmgen/core/autograd.hpp>
#include <mmgen/core/grad_target.hpp>
#include <mmgen/core/gemm.hpp>
#include <mmgen/core/ops.hpp>

#include <stdexcept>

namespace mmgen {

namespace {
void require_rank2(const char* op, const char* what, const Tensor& t) {
    if (t.rank() != 2)
        throw std::invalid_argument(std::string(op) + ": " + what + " must be a matrix, got shape " + t.shape_str());
}
}  // namespace

// C (M, N) = op(A) (M, K) · op(B) (K, N)
// dop(A) = dC · op(B)ᵀ,  dop(B) = op(A)ᵀ · dC — and for a transposed operand the transpose
// of that, so each gradient is again one GEMM accumulated (beta = 1) into the stored layout.
Tensor matmul(const Tensor& a, const Tensor& b, bool transpose_a, bool transpose_b) {
    require_rank2("matmul", "left operand", a);
    require_rank2("matmul", "right operand", b);
    const std::size_t m = transpose_a ? a.dim(1) : a.dim(0);
    const std::size_t k = transpose_a ? a.dim(0) : a.dim(1);
    const std::size_t kb = transpose_b ? b.dim(1) : b.dim(0);
    const std::size_t n = transpose_b ? b.dim(0) : b.dim(1);
    if (k != kb)
        throw std::invalid_argument("matmul: " + a.shape_str() + (transpose_a ? "ᵀ" : "") + " x " + b.shape_str() +
                                    (transpose_b ? "ᵀ" : "") + ": inner dimensions differ (" + std::to_string(k) +
                                    " vs " + std::to_string(kb) + ")");
    Tensor c = Tensor::empty({m, n});
    gemm({m, n, k, transpose_a, transpose_b}, real(1), a.data().data(), b.data().data(), real(0), c.data().data());
    return record(c, "matmul", {a, b}, [a, b, m, n, k, transpose_a, transpose_b](Node& out) mutable {
        const real* dc = out.grad.data();
        // each gradient is added to (beta = 1), or written (beta = 0) when it does not exist yet
        if (a.requires_grad()) {
            const auto [da, fresh] = grad_target(a);
            const real beta = fresh ? real(0) : real(1);
            if (!transpose_a)  // dA (M, K) = dC · op(B)ᵀ
                gemm({m, k, n, false, !transpose_b}, real(1), dc, b.data().data(), beta, da.data());
            else  // dA (K, M) = op(B) · dCᵀ
                gemm({k, m, n, transpose_b, true}, real(1), b.data().data(), dc, beta, da.data());
        }
        if (b.requires_grad()) {
            const auto [db, fresh] = grad_target(b);
            const real beta = fresh ? real(0) : real(1);
            if (!transpose_b)  // dB (K, N) = op(A)ᵀ · dC
                gemm({k, n, m, !transpose_a, false}, real(1), a.data().data(), dc, beta, db.data());
            else  // dB (N, K) = dCᵀ · op(A)
                gemm({n, k, m, true, transpose_a}, real(1), dc, a.data().data(), beta, db.data());
        }
    });
}

// y (B, out) = x (B, in) · Wᵀ (in, out) + b (out)
// dx = dy · W,  dW = dyᵀ · x,  db = Σ_rows dy
Tensor linear(const Tensor& x, const Tensor& weight, const Tensor& bias) {
    require_rank2("linear", "input", x);
    require_rank2("linear", "weight", weight);
    const std::size_t batch = x.dim(0), in = x.dim(1), out_features = weight.dim(0);
    if (weight.dim(1) != in)
        throw std::invalid_argument("linear: input " + x.shape_str() + " x weight " + weight.shape_str() +
                                    "ᵀ: the input has " + std::to_string(in) + " features but the weight expects " +
                                    std::to_string(weight.dim(1)));
    if (bias.defined() && bias.numel() != out_features)
        throw std::invalid_argument("linear: bias " + bias.shape_str() + " does not match weight " +
                                    weight.shape_str() + " (expected " + std::to_string(out_features) + " values)");
    Tensor y = Tensor::empty({batch, out_features});
    auto ys = y.data();
    if (bias.defined())
        for (std::size_t r = 0; r < batch; ++r)
            std::copy(bias.data().begin(), bias.data().end(), ys.begin() + static_cast<std::ptrdiff_t>(r * out_features));
    gemm({batch, out_features, in, false, true}, real(1), x.data().data(), weight.data().data(),
         bias.defined() ? real(1) : real(0), ys.data());
    std::vector<Tensor> inputs{x, weight};
    if (bias.defined()) inputs.push_back(bias);
    return record(y, "linear", inputs, [x, weight, bias, batch, in, out_features](Node& out) mutable {
        const real* dy = out.grad.data();
        // each gradient is added to (beta = 1), or written (beta = 0) when it does not exist yet
        if (x.requires_grad()) {  // dx (B, in) = dy (B, out) · W (out, in)
            const auto [dx, fresh] = grad_target(x);
            gemm({batch, in, out_features, false, false}, real(1), dy, weight.data().data(), fresh ? real(0) : real(1),
                 dx.data());
        }
        if (weight.requires_grad()) {  // dW (out, in) = dyᵀ (out, B) · x (B, in)
            const auto [dw, fresh] = grad_target(weight);
            gemm({out_features, in, batch, true, false}, real(1), dy, x.data().data(), fresh ? real(0) : real(1),
                 dw.data());
        }
        if (bias.defined() && bias.requires_grad()) {  // db (out) = Σ_rows dy
            auto db = bias.grad_buffer();
            for (std::size_t r = 0; r < batch; ++r)
                for (std::size_t j = 0; j < out_features; ++j) db[j] += dy[r * out_features + j];
        }
    });
}

}  // namespace mmgen
