#pragma once
// Diagnostics of the multimodal VAE that chapter 04's README reports (§5 "Diagnosis", §6 "Joint
// samples: the holes in the prior") without teaching them line by line: where the joint
// posterior's precision comes from, how much of the prior the one-modality posteriors cover,
// and where joint generation breaks. All run without a graph.
#include <cstddef>
#include <utility>
#include <vector>

#include <mmgen/models/mvae_eval.hpp>

namespace mmgen::models {

// log of the mixture Σₖ πₖ N(z; μₖ, diag σₖ²) at every row of z (N, d), components given by
// (K, d) means and log-variances; in double, with a log-sum-exp over k.
std::vector<double> log_mixture_density(const Tensor& z, const Tensor& mu, const Tensor& logvar,
                                        const std::vector<double>& weights);

// Why a fusion does or does not generate across modalities: how much of the joint posterior's
// precision comes from the caption, and how far each one-modality posterior is from the joint one.
struct FusionDiagnostics {
    double text_precision_share = 0;  // mean over pairs and latent dims of T_y / (1 + T_x + T_y)
    double image_precision_share = 0;  // T_x / (1 + T_x + T_y)
    double kl_joint_image = 0;         // KL(q(z|x,y) ‖ q(z|x)), nats per pair
    double kl_joint_text = 0;          // KL(q(z|x,y) ‖ q(z|y))
    double text_mean_class_distance = 0;   // ‖μ(y) − centroid of the image means μ(x) of y's class‖
    double image_within_class_distance = 0;  // ‖μ(x) − centroid of its class‖, on average
    std::size_t text_dims = 0, image_dims = 0;  // latent dims where that expert holds most of the precision
    double caption_from_joint = 0;              // caption accuracy decoding q(z|x,y)'s mean instead of q(z|x)'s
};
// On the first n test pairs.
FusionDiagnostics diagnose(Mvae& m, const CaptionedImages& test, const std::vector<data::Caption>& grammar, std::size_t n);

// Where joint generation breaks: the same agreement as joint coherence — the evaluator's class of
// the decoded image equals the class of the decoded caption — for latent codes drawn from
// (a) the image posteriors q(z|x) of test images, (b) the caption posteriors q(z|y) of test
// captions, and (c) the prior at temperatures 1, 0.8, 0.6 (z ~ N(0, T² I)). If (a) and (b) are
// high and (c) is low, the decoders agree wherever training put codes, and prior samples land
// elsewhere.
struct JointAgreement {
    double from_image_posteriors = 0, from_caption_posteriors = 0;
    std::vector<std::pair<double, double>> by_temperature;  // (T, agreement)
    double evaluator_confident = 0;  // fraction of prior samples (T = 1) the evaluator gives > 0.9
};
// On the first n test pairs, and n prior samples per temperature.
JointAgreement joint_agreement(Mvae& m, Evaluator& evaluator, const CaptionedImages& test,
                               const std::vector<data::Caption>& grammar, std::size_t n, Rng& rng);

// How much of the prior the one-modality posteriors cover: KL(p(z) ‖ q_agg(z)) by Monte Carlo
// over z ~ N(0, I), where q_agg is the aggregate posterior — the mixture of q(z|y) over the
// test captions' frequencies, or of q(z|x) over test images. A large value means prior samples
// land where no caption's (or image's) posterior puts mass: holes that joint sampling falls into.
struct PriorCoverage {
    double kl_prior_to_text_aggregate = 0, kl_prior_to_image_aggregate = 0;
    double text_mutual_information = 0;  // I(y; z) = E_y KL(q(z|y) ‖ p) − KL(q_agg ‖ p), in nats
    double text_kl_to_prior = 0;         // E_y KL(q(z|y) ‖ p)
};
// Monte Carlo over `samples` prior draws (and 200 draws per caption for the mutual information).
PriorCoverage prior_coverage(Mvae& m, const CaptionedImages& test, const std::vector<data::Caption>& grammar,
                             std::size_t samples, Rng& rng);

}  // namespace mmgen::models
