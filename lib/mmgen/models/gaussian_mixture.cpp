#include <mmgen/models/gaussian_mixture.hpp>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <numeric>
#include <stdexcept>
#include <string>

#include <mmgen/core/gemm.hpp>

namespace mmgen::models {
namespace {

// The rows of x (N, d) as doubles.
std::vector<double> to_double(const Tensor& x) {
    const auto v = x.data();
    return std::vector<double>(v.begin(), v.end());
}

// L with A = L Lᵀ, A (d, d) symmetric positive definite (Cholesky–Banachiewicz, row by row).
std::vector<double> cholesky(const std::vector<double>& a, std::size_t d) {
    std::vector<double> l(d * d, 0.0);
    for (std::size_t i = 0; i < d; ++i)
        for (std::size_t j = 0; j <= i; ++j) {
            double s = a[i * d + j];
            for (std::size_t p = 0; p < j; ++p) s -= l[i * d + p] * l[j * d + p];
            if (i == j) {
                if (!(s > 0))
                    throw std::runtime_error("fit_gaussian_mixture: a component's covariance is not positive definite "
                                             "(pivot " + std::to_string(s) + "); raise MixtureFitOptions::ridge");
                l[i * d + i] = std::sqrt(s);
            } else {
                l[i * d + j] = s / l[j * d + j];
            }
        }
    return l;
}

// L⁻¹ of a lower-triangular L (d, d), by forward substitution on the columns of I.
std::vector<double> inverse_lower(const std::vector<double>& l, std::size_t d) {
    std::vector<double> inv(d * d, 0.0);
    for (std::size_t c = 0; c < d; ++c)
        for (std::size_t i = c; i < d; ++i) {
            double s = i == c ? 1.0 : 0.0;
            for (std::size_t p = c; p < i; ++p) s -= l[i * d + p] * inv[p * d + c];
            inv[i * d + c] = s / l[i * d + i];
        }
    return inv;
}

// Buffers EM reuses over its iterations and components instead of allocating them for each:
// N × d values (centred, y, scaled) and N × K (log_n, the log-densities, then responsibilities).
struct Workspace {
    std::vector<double> centred, y, scaled, log_n;
};

// Σ_n w_n (x_n − m)(x_n − m)ᵀ / Σ w + ridge I, and m = Σ_n w_n x_n / Σ w: (mean, covariance).
std::pair<std::vector<double>, std::vector<double>> weighted_moments(const std::vector<double>& x, std::size_t n,
                                                                     std::size_t d, const double* w, double total,
                                                                     double ridge, Workspace& ws) {
    std::vector<double> mean(d, 0.0);
    for (std::size_t r = 0; r < n; ++r)
        for (std::size_t j = 0; j < d; ++j) mean[j] += w[r] * x[r * d + j];
    for (auto& m : mean) m /= total;
    std::vector<double>& scaled = ws.scaled;  // rows √w_n (x_n − m), so that scaledᵀ scaled = Σ w (x − m)(x − m)ᵀ
    scaled.resize(n * d);
    for (std::size_t r = 0; r < n; ++r) {
        const double s = std::sqrt(w[r]);
        for (std::size_t j = 0; j < d; ++j) scaled[r * d + j] = s * (x[r * d + j] - mean[j]);
    }
    std::vector<double> cov(d * d);
    gemm({d, d, n, true, false}, 1.0 / total, scaled.data(), scaled.data(), 0.0, cov.data());
    for (std::size_t i = 0; i < d; ++i)
        for (std::size_t j = 0; j < i; ++j) cov[i * d + j] = cov[j * d + i] = 0.5 * (cov[i * d + j] + cov[j * d + i]);
    for (std::size_t i = 0; i < d; ++i) cov[i * d + i] += ridge;
    return {mean, cov};
}

// ws.log_n ← log N(x_n; μ_k, L_k L_kᵀ) for all rows of x (N, d) and all k: (N, K).
void log_densities(const GaussianMixture& g, const std::vector<double>& x, std::size_t n, Workspace& ws) {
    const std::size_t d = g.dim, k_count = g.components;
    ws.log_n.resize(n * k_count), ws.centred.resize(n * d), ws.y.resize(n * d);
    std::vector<double>& out = ws.log_n;
    std::vector<double>& centred = ws.centred;
    std::vector<double>& y = ws.y;
    for (std::size_t k = 0; k < k_count; ++k) {
        const std::vector<double> l(g.cholesky.begin() + std::ptrdiff_t(k * d * d),
                                    g.cholesky.begin() + std::ptrdiff_t((k + 1) * d * d));
        const std::vector<double> l_inv = inverse_lower(l, d);
        double log_det = 0;  // log |Σ_k| = 2 Σ_i log L_ii
        for (std::size_t i = 0; i < d; ++i) log_det += 2 * std::log(l[i * d + i]);
        for (std::size_t r = 0; r < n; ++r)
            for (std::size_t j = 0; j < d; ++j) centred[r * d + j] = x[r * d + j] - g.means[k * d + j];
        // rows y_n = L⁻¹ (x_n − μ): Y = (X − μ) L⁻ᵀ, and (x − μ)ᵀ Σ⁻¹ (x − μ) = ‖y‖²
        gemm({n, d, d, false, true}, 1.0, centred.data(), l_inv.data(), 0.0, y.data());
        for (std::size_t r = 0; r < n; ++r) {
            double quad = 0;
            for (std::size_t j = 0; j < d; ++j) quad += y[r * d + j] * y[r * d + j];
            out[r * k_count + k] = -0.5 * (quad + log_det + double(d) * std::log(2 * std::numbers::pi));
        }
    }
}

// A mixture whose sizes agree: K ≥ 1 weights, K × d means, K × d × d Cholesky factors.
void require_mixture(const char* what, const GaussianMixture& g) {
    if (g.components == 0 || g.dim == 0 || g.weights.size() != g.components ||
        g.means.size() != g.components * g.dim || g.cholesky.size() != g.components * g.dim * g.dim)
        throw std::invalid_argument(std::string(what) + ": the mixture's sizes do not agree (" +
                                    std::to_string(g.components) + " components of dimension " + std::to_string(g.dim) +
                                    ", " + std::to_string(g.weights.size()) + " weights, " +
                                    std::to_string(g.means.size()) + " mean values, " +
                                    std::to_string(g.cholesky.size()) + " Cholesky values)");
}

void require_rows(const char* what, const Tensor& x, std::size_t d) {
    if (x.rank() != 2 || (d != 0 && x.dim(1) != d))
        throw std::invalid_argument(std::string(what) + ": expected rows of " + (d ? std::to_string(d) : "d") +
                                    " numbers, (N, d), got shape " + x.shape_str());
}

}  // namespace

double to_responsibilities(std::span<double> row, std::span<const double> weights) {
    const std::size_t k_count = weights.size();
    if (row.size() != k_count)
        throw std::invalid_argument("to_responsibilities: " + std::to_string(row.size()) + " log-densities for " +
                                    std::to_string(k_count) + " weights");
    // log Σ_k exp(a_k) = m + log Σ_k exp(a_k − m) for any m; m = max_k a_k makes the largest term 1,
    // so the sum is between 1 and K: no overflow, and no 0/0 when every a_k is far below 0
    double top = -INFINITY;
    for (std::size_t k = 0; k < k_count; ++k) top = std::max(top, row[k] += std::log(weights[k]));
    double sum = 0;
    for (std::size_t k = 0; k < k_count; ++k) sum += (row[k] = std::exp(row[k] - top));
    for (std::size_t k = 0; k < k_count; ++k) row[k] /= sum;
    return top + std::log(sum);
}

std::vector<double> component_log_densities(const GaussianMixture& mixture, const Tensor& x) {
    require_mixture("component_log_densities", mixture);
    require_rows("component_log_densities", x, mixture.dim);
    Workspace ws;
    log_densities(mixture, to_double(x), x.dim(0), ws);
    return std::move(ws.log_n);
}

GaussianMixture fit_gaussian_mixture(const Tensor& x_tensor, const MixtureFitOptions& options, Rng& rng,
                                     std::vector<double>* history) {
    require_rows("fit_gaussian_mixture", x_tensor, 0);
    const std::size_t n = x_tensor.dim(0), d = x_tensor.dim(1), k_count = options.components;
    if (k_count == 0 || n < k_count)
        throw std::invalid_argument("fit_gaussian_mixture: need 1 <= components <= rows, got " + std::to_string(k_count) +
                                    " components for " + std::to_string(n) + " rows");
    const std::vector<double> x = to_double(x_tensor);
    Workspace ws;
    const std::vector<double> ones(n, 1.0);
    const std::vector<double> data_root = cholesky(weighted_moments(x, n, d, ones.data(), double(n), options.ridge, ws).second, d);

    GaussianMixture g;
    g.components = k_count, g.dim = d;
    g.weights.assign(k_count, 1.0 / double(k_count));
    g.means.resize(k_count * d);
    std::vector<std::size_t> order(n);  // K distinct rows as the first means: a partial Fisher–Yates shuffle
    std::iota(order.begin(), order.end(), std::size_t(0));
    for (std::size_t k = 0; k < k_count; ++k) {
        std::swap(order[k], order[k + rng.below(n - k)]);
        std::copy_n(x.begin() + std::ptrdiff_t(order[k] * d), d, g.means.begin() + std::ptrdiff_t(k * d));
    }
    g.cholesky.clear();
    for (std::size_t k = 0; k < k_count; ++k) g.cholesky.insert(g.cholesky.end(), data_root.begin(), data_root.end());

    double previous = -INFINITY;
    std::vector<double> r_column(n);
    for (std::size_t it = 0; it < options.iterations; ++it) {
        // E-step: log π_k + log N(x_n; μ_k, Σ_k), normalised over k with log-sum-exp
        log_densities(g, x, n, ws);
        std::vector<double>& r = ws.log_n;  // (N, K), becomes the responsibilities
        double log_likelihood = 0;
        for (std::size_t row = 0; row < n; ++row)
            log_likelihood += to_responsibilities({&r[row * k_count], k_count}, g.weights);
        log_likelihood /= double(n);
        if (history) history->push_back(log_likelihood);
        if (log_likelihood - previous < options.tolerance) break;
        previous = log_likelihood;
        // M-step: each component's weight, mean and covariance from its responsibilities
        for (std::size_t k = 0; k < k_count; ++k) {
            for (std::size_t row = 0; row < n; ++row) r_column[row] = r[row * k_count + k];
            const double n_k = std::accumulate(r_column.begin(), r_column.end(), 0.0);
            std::vector<double> mean, root;
            if (n_k < 1.0) {  // a component holding less than one point: start it again at a random row
                const std::size_t row = rng.below(n);
                mean.assign(x.begin() + std::ptrdiff_t(row * d), x.begin() + std::ptrdiff_t((row + 1) * d));
                root = data_root;
                g.weights[k] = 1.0 / double(n);
            } else {
                const auto moments = weighted_moments(x, n, d, r_column.data(), n_k, options.ridge, ws);
                mean = moments.first;
                root = cholesky(moments.second, d);
                g.weights[k] = n_k / double(n);
            }
            std::copy(mean.begin(), mean.end(), g.means.begin() + std::ptrdiff_t(k * d));
            std::copy(root.begin(), root.end(), g.cholesky.begin() + std::ptrdiff_t(k * d * d));
        }
        const double total = std::accumulate(g.weights.begin(), g.weights.end(), 0.0);
        for (auto& w : g.weights) w /= total;
    }
    return g;
}

double mean_log_likelihood(const GaussianMixture& mixture, const Tensor& x) {
    std::vector<double> log_n = component_log_densities(mixture, x);
    const std::size_t n = x.dim(0);
    double total = 0;
    for (std::size_t row = 0; row < n; ++row)
        total += to_responsibilities({&log_n[row * mixture.components], mixture.components}, mixture.weights);
    return total / double(n);
}

Tensor sample_mixture(const GaussianMixture& mixture, std::size_t n, Rng& rng) {
    require_mixture("sample_mixture", mixture);
    const std::size_t d = mixture.dim, k_count = mixture.components;
    Tensor z = Tensor::empty({n, d});
    std::vector<double> eps(d);
    for (std::size_t row = 0; row < n; ++row) {
        double u = rng.uniform();  // the component: the first k whose cumulative weight exceeds u
        std::size_t k = 0;
        while (k + 1 < k_count && u >= mixture.weights[k]) u -= mixture.weights[k++];
        for (auto& e : eps) e = rng.normal();
        const double* l = &mixture.cholesky[k * d * d];
        for (std::size_t i = 0; i < d; ++i) {
            double v = mixture.means[k * d + i];
            for (std::size_t j = 0; j <= i; ++j) v += l[i * d + j] * eps[j];  // (L ε)_i
            z.at(row, i) = real(v);
        }
    }
    return z;
}

}  // namespace mmgen::models
