// Compiled with -ffast-math -fopenmp-simd (see CMakeLists.txt): each `omp simd` loop below
// becomes calls to glibc's vector exp/log/log1p. Every function is branch-free per element so
// the loops vectorise.
#include <mmgen/vector_math.hpp>

#include <cmath>

namespace mmgen::vmath {

void exp(std::span<const real> x, std::span<real> y) {
    const real* in = x.data();
    real* out = y.data();
#pragma omp simd
    for (std::size_t i = 0; i < x.size(); ++i) out[i] = std::exp(in[i]);
}

void log(std::span<const real> x, std::span<real> y) {
    const real* in = x.data();
    real* out = y.data();
#pragma omp simd
    for (std::size_t i = 0; i < x.size(); ++i) out[i] = std::log(in[i]);
}

void tanh(std::span<const real> x, std::span<real> y) {
    // tanh x = 1 − 2/(e^{2x} + 1), with 2x clamped so e^{2x} stays finite (tanh(±40) = ±1 exactly)
    const real* in = x.data();
    real* out = y.data();
#pragma omp simd
    for (std::size_t i = 0; i < x.size(); ++i) {
        const real v = std::fmin(std::fmax(in[i], real(-40)), real(40));
        out[i] = real(1) - real(2) / (std::exp(2 * v) + real(1));
    }
}

void sigmoid(std::span<const real> x, std::span<real> y) {
    // with e = e^−|x| ∈ (0, 1]: σ(x) = 1/(1 + e) for x ≥ 0 and e/(1 + e) for x < 0 — no overflow
    const real* in = x.data();
    real* out = y.data();
#pragma omp simd
    for (std::size_t i = 0; i < x.size(); ++i) {
        const real e = std::exp(-std::fabs(in[i]));
        const real inv = real(1) / (real(1) + e);
        out[i] = in[i] >= 0 ? inv : e * inv;
    }
}

void softplus(std::span<const real> x, std::span<real> y) {
    // log(1 + eˣ) = max(x, 0) + log(1 + e^−|x|)
    const real* in = x.data();
    real* out = y.data();
#pragma omp simd
    for (std::size_t i = 0; i < x.size(); ++i) out[i] = std::fmax(in[i], real(0)) + std::log1p(std::exp(-std::fabs(in[i])));
}

double bce_with_logits(std::span<const real> x, std::span<const real> t, std::span<real> loss, std::span<real> sigma) {
    const real* xs = x.data();
    const real* ts = t.data();
    real* ls = loss.data();
    real* ss = sigma.data();
    double total = 0;
#pragma omp simd reduction(+ : total)
    for (std::size_t i = 0; i < x.size(); ++i) {
        const real e = std::exp(-std::fabs(xs[i]));
        ls[i] = std::fmax(xs[i], real(0)) - xs[i] * ts[i] + std::log1p(e);
        total += ls[i];
        const real inv = real(1) / (real(1) + e);
        ss[i] = xs[i] >= 0 ? inv : e * inv;
    }
    return total;
}

}  // namespace mmgen::vmath
