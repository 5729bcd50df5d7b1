#include <mmgen/models/caption_scores.hpp>

#include <cmath>
#include <stdexcept>

#include <mmgen/core/autograd.hpp>
#include <mmgen/core/ops.hpp>

namespace mmgen::models {

std::vector<data::Caption> comparison_captions(const data::Tokenizer& tokenizer) {
    std::vector<data::Caption> chosen;
    for (const auto& c : data::all_captions(tokenizer))
        if (c.paraphrase == 0) chosen.push_back(c);
    return chosen;  // 10 classes × {dark, light}
}

double mean_pairwise_distance(const Tensor& f) {
    const std::size_t n = f.dim(0), d = f.dim(1);
    if (n < 2) return 0;
    double total = 0;
    const auto v = f.data();
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = i + 1; j < n; ++j) {
            double s = 0;
            for (std::size_t k = 0; k < d; ++k) {
                const double diff = double(v[i * d + k]) - double(v[j * d + k]);
                s += diff * diff;
            }
            total += std::sqrt(s);
        }
    return total / (double(n) * double(n - 1) / 2);
}

namespace {
// The rows of `x` at `idx`: (idx.size(), columns).
Tensor gather_rows(const Tensor& x, const std::vector<std::size_t>& idx) {
    const std::size_t cols = x.dim(1);
    Tensor out = Tensor::empty({idx.size(), cols});
    for (std::size_t r = 0; r < idx.size(); ++r)
        std::copy_n(x.data().begin() + std::ptrdiff_t(idx[r] * cols), cols, out.data().begin() + std::ptrdiff_t(r * cols));
    return out;
}
}  // namespace

CaptionReference caption_reference(Evaluator& evaluator, const data::Dataset& test,
                                   const std::array<double, data::kNumClasses>& medians) {
    NoGradGuard no_grad;
    const std::size_t captions = comparison_captions().size();
    const Tensor features = evaluator.features(data::first_images(test, test.n));  // (N, F)
    std::vector<std::vector<std::size_t>> rows(captions);  // the test images of each class and tone
    for (std::size_t i = 0; i < test.n; ++i) {
        const std::size_t label = test.labels[i];
        const auto tone = data::tone_of(data::mean_intensity(test.image(i)), label, medians);
        rows[2 * label + std::size_t(tone)].push_back(i);  // comparison_captions' order
    }
    CaptionReference r;
    r.medians = medians;
    for (const auto& idx : rows) r.real_spread.push_back(mean_pairwise_distance(gather_rows(features, idx)));
    return r;
}

CaptionScores score_caption_conditioned(Evaluator& evaluator, const CaptionSampler& sampler, const Moments& reference,
                                        const CaptionReference& real, std::size_t per_caption, Rng& rng,
                                        std::size_t shown) {
    NoGradGuard no_grad;
    const auto captions = comparison_captions();
    const auto& medians = real.medians;
    CaptionScores s;
    std::vector<Tensor> all_features, shown_samples;
    std::size_t right_class = 0, right_tone = 0;
    for (std::size_t k = 0; k < captions.size(); ++k) {
        const auto& c = captions[k];
        if (2 * c.label + std::size_t(c.tone) != k) throw std::logic_error("comparison_captions: unexpected order");
        const std::vector<std::size_t> ids(c.tokens.begin(), c.tokens.end());
        const Tensor images = sampler(ids, per_caption, rng);  // (n, 784) in [0, 1]
        const auto classes = evaluator.classify(images);
        const Tensor per_image_mean = mean(images, 1);  // (n)
        std::size_t caption_right_class = 0, caption_right_tone = 0;
        for (std::size_t i = 0; i < per_caption; ++i) {
            caption_right_class += classes[i] == c.label;
            caption_right_tone += data::tone_of(per_image_mean.data()[i], c.label, medians) == c.tone;
        }
        right_class += caption_right_class, right_tone += caption_right_tone;
        s.class_coherence_per_caption.push_back(double(caption_right_class) / double(per_caption));
        s.tone_coherence_per_caption.push_back(double(caption_right_tone) / double(per_caption));
        const Tensor features = evaluator.features(images);  // (n, F)
        const double real_spread = real.real_spread.at(k);
        s.diversity_per_caption.push_back(real_spread > 0 ? mean_pairwise_distance(features) / real_spread : 0.0);
        all_features.push_back(features);
        shown_samples.push_back(slice_rows(images, 0, std::min(shown, per_caption)));
    }
    s.samples = per_caption * captions.size();
    s.class_coherence = double(right_class) / double(s.samples);
    s.tone_coherence = double(right_tone) / double(s.samples);
    s.fd = frechet_distance(mean_and_covariance(concat(all_features, 0)), reference);
    double total = 0;
    for (double d : s.diversity_per_caption) total += d;
    s.diversity = total / double(captions.size());
    s.first_samples = concat(shown_samples, 0);
    return s;
}

}  // namespace mmgen::models
