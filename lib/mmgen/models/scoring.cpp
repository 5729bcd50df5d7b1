#include <mmgen/models/scoring.hpp>

#include <numeric>

namespace mmgen::models {

Moments feature_moments(Evaluator& evaluator, const data::Dataset& dataset, std::size_t limit) {
    std::vector<std::size_t> idx(limit ? std::min(limit, dataset.n) : dataset.n);
    std::iota(idx.begin(), idx.end(), std::size_t{0});
    return mean_and_covariance(evaluator.features(data::images_to_tensor(dataset, idx, 0, 1)));
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
