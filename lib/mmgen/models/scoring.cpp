#include <mmgen/models/scoring.hpp>

#include <algorithm>

namespace mmgen::models {

Moments feature_moments(Evaluator& evaluator, const data::Dataset& dataset, std::size_t limit) {
    return mean_and_covariance(evaluator.features(data::first_images(dataset, limit ? std::min(limit, dataset.n) : dataset.n)));
}

void record_evaluator(MetricsJson& metrics, const Evaluator& evaluator) {
    metrics["evaluator"] = evaluator.name();
    metrics["evaluator_accuracy"] = evaluator.test_accuracy();
}

SampleScores score_samples(Evaluator& evaluator, const Tensor& images, const Moments& reference) {
    SampleScores s;
    s.fd = frechet_distance(mean_and_covariance(evaluator.features(images)), reference);
    s.class_histogram = class_histogram(evaluator.classify(images), data::kNumClasses);
    s.classes_at_least_5pct = classes_at_least(s.class_histogram, 0.05);
    return s;
}

}  // namespace mmgen::models
