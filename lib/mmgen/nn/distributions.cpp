// The diagonal Gaussian's maths (distributions.hpp): each function composed from primitive ops,
// except the product of experts, one op with its backward beside it.
#include <mmgen/nn/distributions.hpp>

#include <algorithm>
#include <cmath>
#include <memory>
#include <numbers>
#include <stdexcept>
#include <string>

#include <mmgen/core/autograd.hpp>
#include <mmgen/core/ops.hpp>

namespace mmgen {

// z = μ + e^(½ log σ²) ⊙ ε;  ∂z/∂μ = 1, ∂z/∂log σ² = ½ σ ε  (from the primitives)
Tensor reparameterize(const DiagonalGaussian& q, const Tensor& eps) {
    return q.mu + exp(q.logvar * real(0.5)) * eps;  // (B, d)
}

// --- log densities ---------------------------------------------------------------------------

Tensor log_normal_diag(const Tensor& z, const Tensor& mu, const Tensor& logvar) {
    const auto log_2pi = static_cast<real>(std::log(2 * std::numbers::pi));
    Tensor terms = logvar + square(z - mu) * exp(-logvar) + log_2pi;  // (B, d)
    return sum(terms, 1) * real(-0.5);
}

Tensor log_standard_normal(const Tensor& z) {
    const auto log_2pi = static_cast<real>(std::log(2 * std::numbers::pi));
    return sum(square(z) + log_2pi, 1) * real(-0.5);
}

// --- KL divergences ---------------------------------------------------------------------------

// ½ Σⱼ (μ² + e^logvar − 1 − logvar) per row: composed from primitives, so its gradient
// ∂/∂μ = μ, ∂/∂logvar = ½(e^logvar − 1) comes from theirs
Tensor gaussian_kl(const Tensor& mu, const Tensor& logvar, Reduction reduction) {
    if (mu.shape() != logvar.shape() || mu.rank() != 2)
        throw std::invalid_argument("gaussian_kl: mu " + mu.shape_str() + " and logvar " + logvar.shape_str() +
                                    ": expected two (batch, latent) tensors of the same shape");
    Tensor per_row = sum(square(mu) + exp(logvar) - logvar - real(1), 1) * real(0.5);  // (B)
    switch (reduction) {
        case Reduction::none: return per_row;
        case Reduction::sum: return sum(per_row);
        case Reduction::mean:
        case Reduction::batch_mean: return mean(per_row);  // terms are rows: both divide by B
    }
    throw std::invalid_argument("gaussian_kl: unknown reduction");
}

// ½ Σⱼ (log σ₂² − log σ₁² + (σ₁² + (μ₁ − μ₂)²)/σ₂² − 1), composed from primitives
Tensor gaussian_kl_between(const DiagonalGaussian& q1, const DiagonalGaussian& q2) {
    if (q1.mu.shape() != q2.mu.shape() || q1.logvar.shape() != q2.logvar.shape() || q1.mu.shape() != q1.logvar.shape())
        throw std::invalid_argument("gaussian_kl_between: q1 " + q1.mu.shape_str() + " and q2 " + q2.mu.shape_str() +
                                    ": expected (batch, latent) tensors of one shape");
    const Tensor inv_var2 = exp(-q2.logvar);  // (B, d)
    const Tensor terms = q2.logvar - q1.logvar + (exp(q1.logvar) + square(q1.mu - q2.mu)) * inv_var2 - real(1);
    return sum(terms, 1) * real(0.5);  // (B)
}

// --- the product of experts ------------------------------------------------------------------

DiagonalGaussian prior_expert(std::size_t batch, std::size_t latent) {
    return {Tensor::zeros({batch, latent}), Tensor::zeros({batch, latent})};
}

// One op, forward and backward together. Per value (row, dimension), with aₖ = −log σₖ² the
// log precision of expert k (aₖ = 0 for the prior expert, μₖ = 0):
//   forward    log σ² = −lse_k(aₖ)                 (precisions add: 1/σ² = Σₖ e^aₖ)
//              wₖ = e^(aₖ + log σ²) = softmax_k(a)  (expert k's share of the precision)
//              μ = Σₖ wₖ μₖ                         (means weighted by precision)
//   backward   ∂μ/∂μₖ = wₖ,  ∂μ/∂log σₖ² = wₖ (μ − μₖ),  ∂log σ²/∂log σₖ² = wₖ
// The log-sum-exp is shifted by its largest term, so no precision overflows.
DiagonalGaussian product_of_experts(const std::vector<DiagonalGaussian>& experts, bool include_prior) {
    if (experts.empty()) throw std::invalid_argument("product_of_experts: give at least one expert (the prior is added with include_prior)");
    const Shape shape = experts[0].mu.shape();
    for (const auto& e : experts)
        if (e.mu.rank() != 2 || e.mu.shape() != shape || e.logvar.shape() != shape)
            throw std::invalid_argument("product_of_experts: expert mu " + e.mu.shape_str() + " and logvar " +
                                        e.logvar.shape_str() + ": expected (batch, latent) tensors all of shape " +
                                        shape_string(shape));
    const std::size_t n = numel_of(shape), experts_count = experts.size();
    Tensor mu = Tensor::empty(shape), logvar = Tensor::empty(shape);  // (B, d) each
    // wₖ of the non-prior experts (K, B·d), kept for the backward pass of both outputs
    auto shared_weights = std::make_shared<Buffer>(n * experts_count);
    Buffer& weights = *shared_weights;
    {
        std::vector<const real*> mus, logvars;
        for (const auto& e : experts) mus.push_back(e.mu.data().data()), logvars.push_back(e.logvar.data().data());
        real* out_mu = mu.data().data();
        real* out_lv = logvar.data().data();
        for (std::size_t i = 0; i < n; ++i) {
            real top = include_prior ? real(0) : -logvars[0][i];  // the largest aₖ
            for (std::size_t k = 0; k < experts_count; ++k) top = std::max(top, -logvars[k][i]);
            real total = include_prior ? std::exp(-top) : real(0);  // Σₖ e^(aₖ − top)
            for (std::size_t k = 0; k < experts_count; ++k) total += std::exp(-logvars[k][i] - top);
            const real lv = -(top + std::log(total));
            real m = 0;
            for (std::size_t k = 0; k < experts_count; ++k) {
                const real w = std::exp(-logvars[k][i] + lv);
                weights[k * n + i] = w;
                m += w * mus[k][i];
            }
            out_mu[i] = m, out_lv[i] = lv;
        }
    }
    std::vector<Tensor> inputs;
    for (const auto& e : experts) inputs.push_back(e.mu), inputs.push_back(e.logvar);
    // Both outputs share one backward: the product's gradient arrives at μ and at log σ², and
    // each output's node adds its own part into the experts (so either may be used alone).
    mu = record(mu, "product_of_experts.mu", inputs, [experts, shared_weights, n](Node& out) mutable {
        const Buffer& weights = *shared_weights;
        const real* mean = out.data.data();
        for (std::size_t k = 0; k < experts.size(); ++k) {
            const real* w = weights.data() + k * n;
            if (experts[k].mu.requires_grad()) {
                real* d = experts[k].mu.grad_buffer().data();
                for (std::size_t i = 0; i < n; ++i) d[i] += out.grad[i] * w[i];  // ∂μ/∂μₖ = wₖ
            }
            if (experts[k].logvar.requires_grad()) {
                const real* mk = experts[k].mu.data().data();
                real* d = experts[k].logvar.grad_buffer().data();
                for (std::size_t i = 0; i < n; ++i) d[i] += out.grad[i] * w[i] * (mean[i] - mk[i]);  // wₖ (μ − μₖ)
            }
        }
    });
    logvar = record(logvar, "product_of_experts.logvar", inputs, [experts, shared_weights, n](Node& out) mutable {
        const Buffer& weights = *shared_weights;
        for (std::size_t k = 0; k < experts.size(); ++k) {
            if (!experts[k].logvar.requires_grad()) continue;
            const real* w = weights.data() + k * n;
            real* d = experts[k].logvar.grad_buffer().data();
            for (std::size_t i = 0; i < n; ++i) d[i] += out.grad[i] * w[i];  // ∂log σ²/∂log σₖ² = wₖ
        }
    });
    return {mu, logvar};
}

// --- comparing samples -----------------------------------------------------------------------

// ‖aᵢ − bⱼ‖² = ‖aᵢ‖² + ‖bⱼ‖² − 2 aᵢ·bⱼ, all pairs as one product of augmented matrices:
//   [−2a, ‖a‖², 1] (N, d+2) · [b, 1, ‖b‖²]ᵀ (d+2, M)
// then k = C / (C + ‖aᵢ − bⱼ‖²); every piece is a primitive, so the gradient comes from theirs.
Tensor mmd_imq(const Tensor& a, const Tensor& b) {
    if (a.rank() != 2 || b.rank() != 2 || a.dim(1) != b.dim(1))
        throw std::invalid_argument("mmd_imq: samples " + a.shape_str() + " and " + b.shape_str() +
                                    ": expected (N, d) and (M, d)");
    const real c = real(2) * static_cast<real>(a.dim(1));
    auto kernel_mean = [c](const Tensor& u, const Tensor& v) {
        const Tensor lhs = concat({u * real(-2), sum(square(u), 1, true), Tensor::ones({u.dim(0), 1})}, 1);  // (N, d+2)
        const Tensor rhs = concat({v, Tensor::ones({v.dim(0), 1}), sum(square(v), 1, true)}, 1);         // (M, d+2)
        const Tensor sq_dist = matmul(lhs, rhs, false, true);                                           // (N, M)
        return mean(pow(sq_dist + c, real(-1))) * c;
    };
    return kernel_mean(a, a) + kernel_mean(b, b) - kernel_mean(a, b) * real(2);
}

}  // namespace mmgen
