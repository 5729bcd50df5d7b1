#pragma once
// Measuring the multimodal VAE of chapter 04: what its README's results table reports.
//
//   test_neg_elbos         −ELBO of the joint, image-only and caption-only posteriors
//   coherence              text → image (the evaluator's class of the decoded image), image →
//                          caption (the most likely grammatical caption), joint samples z ~ N(0, I)
//   latent_probe_accuracy  a linear classifier on the image posterior means
//
// Every function runs without a graph, in batches, and draws its noise from the Rng it is given
// (in the order written, so a run is reproducible).
#include <array>
#include <cstddef>
#include <functional>
#include <span>
#include <vector>

#include <mmgen/io/captions.hpp>
#include <mmgen/io/data.hpp>
#include <mmgen/models/classifier.hpp>
#include <mmgen/models/mvae.hpp>

namespace mmgen::models {

// Images with one caption each; the first n are used (a --quick run uses a slice).
struct CaptionedImages {
    data::Dataset images;
    std::vector<data::Caption> captions;
    std::size_t n = 0;
};

// The captions of the pairs `idx` as one list of ids: (B · caption_length), row-major.
std::vector<std::size_t> tokens_of(const CaptionedImages& pairs, std::span<const std::size_t> idx);
// Every caption of the grammar as one list of ids (C · caption_length), for scoring.
std::vector<std::size_t> caption_ids(const std::vector<data::Caption>& grammar);
// The most likely grammatical caption for each latent code z (N, latent): every caption of the
// grammar scored by log p(y|z) = Σ_positions log softmax(logits)[word]; the best one's index.
std::vector<std::size_t> most_likely_captions(Mvae& m, const Tensor& z, const std::vector<data::Caption>& grammar);
// Image posterior means μ(x) of the first `count` images: (count, latent).
Tensor image_means(Mvae& m, const data::Dataset& d, std::size_t count);

struct NegElbos {
    double joint = 0, image = 0, text = 0;  // nats per example, weights 1, β = 1
};

// −ELBO of each subset on the first n pairs, one ε per example (the true bounds: no λ, no annealing).
// The joint posterior is the product of experts, except for moe, whose joint posterior is the
// mixture q_mix = ½ q(z|x) + ½ q(z|y): its −ELBO, with one z from each component (stratified),
//   ½ Σ_{s ∈ {x, y}} E_{z ~ q_s}[ −log p(x|z) − log p(y|z) + log q_mix(z) − log p(z) ].
NegElbos test_neg_elbos(Mvae& m, const CaptionedImages& pairs, std::size_t n, Fusion fusion, Rng& rng);

struct Coherence {
    double text_to_image = 0, tone = 0;    // images decoded from captions
    double caption = 0, caption_tone = 0;  // captions decoded from images
    double joint = 0;                      // z ~ N(0, I), both decoded
};

// The judge of the coherences: images (N, 784) in [0, 1] → N class labels.
using ImageJudge = std::function<std::vector<std::size_t>(const Tensor& images)>;

// Generation across modalities on the first n test pairs, and `joint_samples` draws from the
// prior; tone is judged against the class medians of the training set:
//   text_to_image  the fraction of pairs whose caption, decoded at the mean of q(z|y), gives an
//                  image the judge puts in the caption's class
//   caption        the fraction whose image, encoded to the mean of q(z|x), decodes to a most
//                  likely caption naming the image's class
//   joint          the fraction of z ~ N(0, I) whose decoded image the judge puts in the class
//                  its most likely caption names
Coherence coherence(Mvae& m, const ImageJudge& judge, const CaptionedImages& test,
                    const std::array<double, data::kNumClasses>& medians, const std::vector<data::Caption>& grammar,
                    std::size_t n, std::size_t joint_samples, Rng& rng);
// The same, judged by chapter 01's evaluator.
Coherence coherence(Mvae& m, Evaluator& evaluator, const CaptionedImages& test,
                    const std::array<double, data::kNumClasses>& medians, const std::vector<data::Caption>& grammar,
                    std::size_t n, std::size_t joint_samples, Rng& rng);

// A linear classifier (softmax regression, Adam) on the image-only posterior means of the
// training images, scored on the test images: how much of the class the latent holds linearly.
double latent_probe_accuracy(Mvae& m, const CaptionedImages& train, const CaptionedImages& test, Rng& rng);

}  // namespace mmgen::models
