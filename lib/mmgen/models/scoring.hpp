#pragma once
// Scoring generated images with the chapter-01 evaluator: how far their feature distribution
// is from real images (Fréchet distance in the CNN evaluator's 128-d feature space — the FID
// recipe with a Fashion-MNIST classifier instead of Inception), and which classes they look like.
#include <vector>

#include <mmgen/io/data.hpp>
#include <mmgen/report/metrics.hpp>
#include <mmgen/report/progress.hpp>
#include <mmgen/models/classifier.hpp>

namespace mmgen::models {

struct SampleScores {
    double fd = 0;                              // Fréchet distance to the reference features
    std::vector<std::size_t> class_histogram;   // samples per class the evaluator assigns
    std::size_t classes_at_least_5pct = 0;      // classes holding ≥ 5% of the samples
};

// Mean and covariance of the evaluator's features of the first `limit` images (0: all).
Moments feature_moments(Evaluator& evaluator, const data::Dataset& dataset, std::size_t limit = 0);

// Records which evaluator scored a chapter's samples, as every metrics.json does beside its scores:
// "evaluator" (its name(), "cnn") and "evaluator_accuracy" (its test accuracy).
void record_evaluator(MetricsJson& metrics, const Evaluator& evaluator);

// Scores images (N, 784) with values in [0, 1] against reference moments.
SampleScores score_samples(Evaluator& evaluator, const Tensor& images, const Moments& reference);

}  // namespace mmgen::models
