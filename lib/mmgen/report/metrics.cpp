#include <mmgen/report/metrics.hpp>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>
#include <string>

#include <lapacke.h>

#include <mmgen/core/gemm.hpp>

namespace mmgen {

namespace {

void require_square(const char* who, const char* what, std::span<const double> a, std::size_t d) {
    if (d == 0 || a.size() != d * d)
        throw std::invalid_argument(std::string(who) + ": " + what + " has " + std::to_string(a.size()) +
                                    " values, expected " + std::to_string(d) + "×" + std::to_string(d));
    for (double v : a)
        if (!std::isfinite(v)) throw std::invalid_argument(std::string(who) + ": " + what + " has a non-finite value");
}

// (A + Aᵀ)/2: LAPACK's symmetric solvers read only one triangle, so rounding asymmetry (or a
// caller's) is averaged out rather than silently ignored.
std::vector<double> symmetrised(std::span<const double> a, std::size_t d) {
    std::vector<double> s(d * d);
    for (std::size_t i = 0; i < d; ++i)
        for (std::size_t j = 0; j < d; ++j) s[i * d + j] = 0.5 * (a[i * d + j] + a[j * d + i]);
    return s;
}

// Eigenvalues (ascending) of the symmetric matrix `a` (d, d); with `vectors`, `a` is
// overwritten by the eigenvectors, one per column: a = V, A = V diag(λ) Vᵀ.
std::vector<double> symmetric_eigen(std::vector<double>& a, std::size_t d, bool vectors) {
    std::vector<double> eigenvalues(d);
    const auto n = static_cast<lapack_int>(d);
    const lapack_int info =
        LAPACKE_dsyevd(LAPACK_ROW_MAJOR, vectors ? 'V' : 'N', 'U', n, a.data(), n, eigenvalues.data());
    if (info != 0)
        throw std::runtime_error("symmetric eigendecomposition (LAPACKE_dsyevd) of a " + std::to_string(d) + "×" +
                                 std::to_string(d) + " matrix failed with info = " + std::to_string(info));
    return eigenvalues;
}

}  // namespace

Moments mean_and_covariance(const Tensor& features) {
    if (features.rank() != 2 || features.dim(0) < 2 || features.dim(1) == 0)
        throw std::invalid_argument("mean_and_covariance: features must be (N, d) with N >= 2 and d >= 1, got shape " +
                                    features.shape_str());
    const std::size_t n = features.dim(0), d = features.dim(1);
    const auto x = features.data();
    Moments m;
    m.dim = d;
    m.mean.assign(d, 0.0);
    for (std::size_t r = 0; r < n; ++r)
        for (std::size_t j = 0; j < d; ++j) m.mean[j] += static_cast<double>(x[r * d + j]);
    for (auto& v : m.mean) v /= static_cast<double>(n);
    std::vector<double> centred(n * d);  // (N, d): x − μ
    for (std::size_t r = 0; r < n; ++r)
        for (std::size_t j = 0; j < d; ++j) centred[r * d + j] = static_cast<double>(x[r * d + j]) - m.mean[j];
    // C (d, d) = (x − μ)ᵀ (x − μ) / (N − 1)
    m.covariance.assign(d * d, 0.0);
    gemm({d, d, n, true, false}, 1.0 / static_cast<double>(n - 1), centred.data(), centred.data(), 0.0,
         m.covariance.data());
    m.covariance = symmetrised(m.covariance, d);
    return m;
}

std::vector<double> sqrtm_symmetric(std::span<const double> a, std::size_t d) {
    require_square("sqrtm_symmetric", "the matrix", a, d);
    std::vector<double> v = symmetrised(a, d);
    const std::vector<double> lambda = symmetric_eigen(v, d, /*vectors=*/true);  // v = V
    // S = V diag(√λ) Vᵀ = B Vᵀ with B = V diag(√λ) (column k of V scaled by √λₖ)
    std::vector<double> b(d * d);
    for (std::size_t i = 0; i < d; ++i)
        for (std::size_t k = 0; k < d; ++k) b[i * d + k] = v[i * d + k] * std::sqrt(std::max(lambda[k], 0.0));
    std::vector<double> s(d * d);
    gemm({d, d, d, false, true}, 1.0, b.data(), v.data(), 0.0, s.data());
    return symmetrised(s, d);
}

double frechet_distance(std::span<const double> mu1, std::span<const double> cov1, std::span<const double> mu2,
                        std::span<const double> cov2, std::size_t d) {
    if (mu1.size() != d || mu2.size() != d)
        throw std::invalid_argument("frechet_distance: means of sizes " + std::to_string(mu1.size()) + " and " +
                                    std::to_string(mu2.size()) + " in " + std::to_string(d) + " dimensions");
    require_square("frechet_distance", "cov1", cov1, d);
    require_square("frechet_distance", "cov2", cov2, d);
    for (std::size_t i = 0; i < d; ++i)
        if (!std::isfinite(mu1[i]) || !std::isfinite(mu2[i]))
            throw std::invalid_argument("frechet_distance: a mean has a non-finite value");

    double mean_term = 0;  // ‖μ₁ − μ₂‖²
    for (std::size_t i = 0; i < d; ++i) mean_term += (mu1[i] - mu2[i]) * (mu1[i] - mu2[i]);
    double trace_term = 0;  // tr C₁ + tr C₂
    for (std::size_t i = 0; i < d; ++i) trace_term += cov1[i * d + i] + cov2[i * d + i];

    // M = C₁^½ C₂ C₁^½ is symmetric PSD; tr M^½ = Σ √λ(M)
    const std::vector<double> root1 = sqrtm_symmetric(cov1, d);
    const std::vector<double> c2 = symmetrised(cov2, d);
    std::vector<double> t(d * d), m(d * d);
    gemm({d, d, d, false, false}, 1.0, root1.data(), c2.data(), 0.0, t.data());    // C₁^½ C₂
    gemm({d, d, d, false, false}, 1.0, t.data(), root1.data(), 0.0, m.data());     // (C₁^½ C₂) C₁^½
    m = symmetrised(m, d);
    const std::vector<double> lambda = symmetric_eigen(m, d, /*vectors=*/false);
    double trace_sqrt = 0;
    for (double l : lambda) trace_sqrt += std::sqrt(std::max(l, 0.0));

    return std::max(0.0, mean_term + trace_term - 2.0 * trace_sqrt);
}

double frechet_distance(const Moments& a, const Moments& b) {
    if (a.dim != b.dim)
        throw std::invalid_argument("frechet_distance: moments of dimensions " + std::to_string(a.dim) + " and " +
                                    std::to_string(b.dim));
    return frechet_distance(a.mean, a.covariance, b.mean, b.covariance, a.dim);
}

std::vector<std::size_t> class_histogram(const std::vector<std::size_t>& labels, std::size_t classes) {
    std::vector<std::size_t> counts(classes, 0);
    for (std::size_t label : labels) {
        if (label >= classes)
            throw std::invalid_argument("class_histogram: label " + std::to_string(label) + " outside [0, " +
                                        std::to_string(classes) + ")");
        ++counts[label];
    }
    return counts;
}

ClassAgreement class_agreement(const std::vector<std::size_t>& predicted, std::span<const std::uint8_t> source,
                               std::size_t classes) {
    if (predicted.size() != source.size() || predicted.empty())
        throw std::invalid_argument("class_agreement: " + std::to_string(predicted.size()) + " predicted classes for " +
                                    std::to_string(source.size()) + " source classes (need the same number, at least one)");
    std::vector<std::size_t> agree_in(classes, 0), images_in(classes, 0);
    std::size_t agree = 0;
    for (std::size_t i = 0; i < predicted.size(); ++i) {
        const std::size_t c = source[i];
        if (c >= classes || predicted[i] >= classes)
            throw std::invalid_argument("class_agreement: image " + std::to_string(i) + " has a class outside [0, " +
                                        std::to_string(classes) + ")");
        const bool same = predicted[i] == c;
        agree += same, agree_in[c] += same, ++images_in[c];
    }
    ClassAgreement a;
    a.overall = double(agree) / double(predicted.size());
    for (std::size_t c = 0; c < classes; ++c)
        a.per_class.push_back(images_in[c] ? double(agree_in[c]) / double(images_in[c]) : 0.0);
    return a;
}

std::size_t classes_at_least(const std::vector<std::size_t>& hist, double fraction) {
    if (!(fraction >= 0 && fraction <= 1))
        throw std::invalid_argument("classes_at_least: fraction must lie in [0, 1], got " + std::to_string(fraction));
    const auto total = static_cast<double>(std::accumulate(hist.begin(), hist.end(), std::size_t{0}));
    if (total == 0) return 0;
    return static_cast<std::size_t>(std::count_if(
        hist.begin(), hist.end(), [&](std::size_t count) { return static_cast<double>(count) >= fraction * total; }));
}

}  // namespace mmgen
