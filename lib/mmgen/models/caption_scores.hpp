#pragma once
// Scoring caption-conditioned image generators — chapter 06's conditional GAN and chapter 04's
// MVAE under one set of measures (issue 14), judged by chapter 01's evaluator:
//
//   class coherence  the fraction of samples the evaluator puts in the caption's class
//   tone coherence   the fraction whose mean grey level falls on the caption's side of the
//                    class's training-set median (chapter 04's rule for "dark" and "light")
//   FD               Fréchet distance of all the samples (n per caption, 20 captions) to the test set
//   diversity        per caption, the mean pairwise distance of evaluator features between its
//                    samples, over the same for the real test images of that class and tone;
//                    averaged over the captions (1.0: as varied as the data, 0: one image)
//
// The 20 captions are every class × tone, the class named by its first paraphrase
// ("dark t-shirt", "light t-shirt", …, "light ankle boot").
#include <array>
#include <cstddef>
#include <functional>
#include <vector>

#include <mmgen/io/captions.hpp>
#include <mmgen/io/data.hpp>
#include <mmgen/models/classifier.hpp>
#include <mmgen/report/metrics.hpp>

namespace mmgen::models {

// The 20 class × tone captions, in class order, dark before light.
std::vector<data::Caption> comparison_captions(const data::Tokenizer& tokenizer = data::Tokenizer());

// n images (n, 784) in [0, 1] for one caption's ids (caption_length of them).
using CaptionSampler = std::function<Tensor(const std::vector<std::size_t>& caption, std::size_t n, Rng& rng)>;

// The mean Euclidean distance over all pairs of rows of features (N, F); 0 for N < 2.
double mean_pairwise_distance(const Tensor& features);

struct CaptionScores {
    double class_coherence = 0, tone_coherence = 0, fd = 0, diversity = 0;
    std::vector<double> diversity_per_caption;  // one per comparison caption
    std::vector<double> class_coherence_per_caption, tone_coherence_per_caption;  // likewise
    std::size_t samples = 0;                    // in all
    Tensor first_samples;                       // the first `shown` samples of each caption, caption after caption
};

// The real side of the measures, computed once: per comparison caption, the mean pairwise
// feature distance of the test images of its class and tone; and the class medians of the
// training set that split "dark" from "light".
struct CaptionReference {
    std::vector<double> real_spread;                   // one per comparison caption
    std::array<double, data::kNumClasses> medians{};
};
CaptionReference caption_reference(Evaluator& evaluator, const data::Dataset& test,
                                   const std::array<double, data::kNumClasses>& medians);

// Draws `per_caption` samples for each comparison caption and scores them. `reference` is the
// evaluator's feature moments of the test images.
CaptionScores score_caption_conditioned(Evaluator& evaluator, const CaptionSampler& sampler, const Moments& reference,
                                        const CaptionReference& real, std::size_t per_caption, Rng& rng,
                                        std::size_t shown = 8);

}  // namespace mmgen::models
