#pragma once
// Scores for generated samples.
//
// Fréchet distance (the "FID" when the features come from an Inception network; here they
// come from the chapter-01 evaluator classifier): fit a Gaussian to the features of real
// images and one to the features of generated images, and measure
//
//     FD = ‖μ₁ − μ₂‖² + tr(C₁ + C₂ − 2 (C₁^½ C₂ C₁^½)^½)
//
// — the 2-Wasserstein distance² between N(μ₁, C₁) and N(μ₂, C₂). 0 for identical Gaussians;
// for 1-D ones it is (m₁ − m₂)² + (s₁ − s₂)². Everything here is computed in double, whatever
// mmgen::real is: the trace is a difference of large, nearly equal numbers.
//
// Class histogram: how the evaluator classifies the generated images. A generator that has
// collapsed onto a few modes fills a few classes and leaves the rest (nearly) empty.
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include <mmgen/core/tensor.hpp>

namespace mmgen {

// Sample mean (d) and covariance (d, d), row-major, of N feature vectors.
struct Moments {
    std::size_t dim = 0;
    std::vector<double> mean;        // (d)
    std::vector<double> covariance;  // (d, d), unbiased: Σ (x − μ)(x − μ)ᵀ / (N − 1)
};

// features is (N, d) with N ≥ 2; throws std::invalid_argument otherwise.
Moments mean_and_covariance(const Tensor& features);

// The symmetric positive semi-definite square root S of a symmetric matrix A (d, d),
// row-major: S = V diag(√λ) Vᵀ from A's eigendecomposition A = V diag(λ) Vᵀ (LAPACK dsyevd),
// with eigenvalues below 0 — from rounding, or a not-quite-PSD input — taken as 0. Then S is
// symmetric and S·S = A for every PSD A.
std::vector<double> sqrtm_symmetric(std::span<const double> a, std::size_t d);

// FD between N(mu1, cov1) and N(mu2, cov2) in d dimensions (covariances (d, d), row-major,
// symmetric PSD). tr (C₁^½ C₂ C₁^½)^½ is the sum of the square roots of the eigenvalues of the
// symmetric PSD matrix C₁^½ C₂ C₁^½. Throws std::invalid_argument on mismatched sizes or
// non-finite input. The result is clamped at 0 (rounding can make it −1e-15).
double frechet_distance(std::span<const double> mu1, std::span<const double> cov1, std::span<const double> mu2,
                        std::span<const double> cov2, std::size_t d);
double frechet_distance(const Moments& a, const Moments& b);

// counts[c] = how many labels equal c, for c in [0, classes); throws on a label ≥ classes.
std::vector<std::size_t> class_histogram(const std::vector<std::size_t>& labels, std::size_t classes);

// How often images are read as the class of the images they came from (reconstructions, say):
// predicted[i] is the evaluator's class of image i, source[i] the class of its source. overall is
// the fraction that agree, per_class[c] the same over the images whose source is of class c (0 for
// a class with none). Throws on different lengths, an empty input or a class ≥ classes.
struct ClassAgreement {
    double overall = 0;
    std::vector<double> per_class;  // (classes)
};
ClassAgreement class_agreement(const std::vector<std::size_t>& predicted, std::span<const std::uint8_t> source,
                               std::size_t classes);

// How many classes hold at least `fraction` of all the samples counted in `hist`
// (e.g. 0.05: classes with ≥ 5 % of the samples). A uniform generator over 10 classes scores
// 10 for any fraction ≤ 0.1; a generator collapsed onto one class scores 1.
std::size_t classes_at_least(const std::vector<std::size_t>& hist, double fraction);

}  // namespace mmgen
