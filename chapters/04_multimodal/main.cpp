// Chapter 04 — a joint image-text generative model: a multimodal VAE with a product of experts.
//
// Read with README.md beside it. The program follows the README's steps:
//   1. captions: a tone word ("dark"/"light", by the class's median intensity) and a paraphrase
//      of the class, for every Fashion-MNIST image
//   2. train the multimodal VAE: an image expert and a text expert fused by a product of
//      Gaussian experts with the prior, one shared latent z (64), and the --fusion objective
//   3. measure generation across modalities with the chapter-01 evaluator: text → image,
//      image → caption, joint samples from the prior; a linear probe on the image latents
//   4. look at it: training curves, a text → image grid of all 20 class × tone captions,
//      captions of test images, joint samples with their captions, a PCA of the latents
// --generate "light ankle boot" and --caption FILE use the trained weights.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <numbers>
#include <numeric>

#include <mmgen/core/autograd.hpp>
#include <mmgen/io/captions.hpp>
#include <mmgen/io/checkpoint.hpp>
#include <mmgen/io/data.hpp>
#include <mmgen/io/image.hpp>
#include <mmgen/nn/losses.hpp>
#include <mmgen/models/classifier.hpp>
#include <mmgen/models/mvae.hpp>
#include <mmgen/core/ops.hpp>
#include <mmgen/nn/optim.hpp>
#include <mmgen/report/plot.hpp>
#include <mmgen/report/progress.hpp>

#include "common/options.hpp"

using namespace mmgen;
namespace fs = std::filesystem;

// Passes over the 60 000 training pairs (about 7 s each here, with the default fusion). 30, not
// 20: over three seeds the lowest joint coherence rose from 0.700 to 0.728 (README §9).
constexpr std::size_t kEpochs = 30;
// The dimension of the shared latent z.
constexpr std::size_t kLatent = 64;
// The per-modality weights λ (the documents' α_j). An image carries ~250 nats of pixels, a
// caption ~3.5 nats of words: with equal weights the shared latent ignores the caption; too
// large a λ_text stores the class where only the text decoder reads it (README §4, §10).
constexpr double kImageWeight = 1.0, kTextWeight = 25.0;
// The KL weight β rises linearly from 0 over this fraction of the training steps ...
constexpr double kAnnealFraction = 0.2;
// ... to β (1: the ELBO; 4 squeezes the holes in the prior that joint samples fall into,
// README §6), and γ multiplies the text-only posterior's KL on top (tiling the prior with the
// captions' posteriors).
constexpr double kBeta = 4.0, kTextKl = 4.0;
// δ: weight of the MMD between the batch's posterior samples and prior samples (0: off; it did
// not help here, README §6).
constexpr double kMmd = 0.0;
// Weight of the JMVAE-KL terms (--fusion jmvae).
constexpr double kJmvaeAlpha = 1.0;
// The default objective: the variant that generates best across modalities (README §9).
constexpr const char* kDefaultFusion = "moe";
// Test images used for the per-epoch curves (the final metrics use the whole test set).
constexpr std::size_t kCurveImages = 2000;
// A --quick run: this many training images, epochs, and test images.
constexpr std::size_t kQuickTrain = 6000, kQuickEpochs = 2, kQuickTest = 1000;
// Joint samples z ~ N(0, I) scored for joint coherence.
constexpr std::size_t kJointSamples = 10000;

struct MultimodalOptions {
    chapter::Options common;
    std::string fusion = kDefaultFusion;
    double image_weight = kImageWeight, text_weight = kTextWeight;
    double anneal = kAnnealFraction, alpha = kJmvaeAlpha, beta = kBeta, text_kl = kTextKl, mmd = kMmd;
    std::string generate;  // a caption to draw images for
    std::string caption;   // a picture to caption
};

// The data of both modalities: images, their labels, and their captions.
struct Pairs {
    data::Dataset images;
    std::vector<data::Caption> captions;
    std::size_t n = 0;  // how many are used (a --quick run uses a slice)
};

std::vector<std::size_t> tokens_of(const Pairs& p, std::span<const std::size_t> idx) {
    std::vector<std::size_t> t;  // (B · kCaptionLength) ids, row-major
    t.reserve(idx.size() * data::kCaptionLength);
    for (auto i : idx) t.insert(t.end(), p.captions[i].tokens.begin(), p.captions[i].tokens.end());
    return t;
}

std::vector<std::size_t> range(std::size_t first, std::size_t count) {
    std::vector<std::size_t> idx(count);
    std::iota(idx.begin(), idx.end(), first);
    return idx;
}

// Bernoulli means σ(logits): the images the model shows for latent codes z (N, latent).
Tensor decode_images(models::Mvae& m, const Tensor& z) {
    NoGradGuard no_grad;
    std::vector<Tensor> parts;
    for (std::size_t s = 0; s < z.dim(0); s += 1000) parts.push_back(sigmoid(m.decode_image(slice_rows(z, s, std::min(z.dim(0), s + 1000)))));
    return concat(parts, 0);
}

// Every caption of the grammar as one list of ids (C · kCaptionLength), for scoring.
std::vector<std::size_t> grammar_ids(const std::vector<data::Caption>& grammar) {
    std::vector<std::size_t> ids;
    for (const auto& c : grammar) ids.insert(ids.end(), c.tokens.begin(), c.tokens.end());
    return ids;
}

// The most likely grammatical caption for each latent code: every caption of the grammar
// scored by log p(y|z) = Σ_positions log softmax(logits)[word]; the best one's index.
std::vector<std::size_t> most_likely_captions(models::Mvae& m, const Tensor& z, const std::vector<data::Caption>& grammar) {
    NoGradGuard no_grad;
    const Tensor scores = m.caption_log_likelihoods(m.decode_text(z), grammar_ids(grammar));  // (N, C)
    return models::argmax_rows(scores);
}

std::string text_of(const data::Caption& c) { return data::caption_text(c.label, c.tone, c.paraphrase); }

// Image posterior means μ(x) of `count` images from `first` (N, latent).
Tensor image_means(models::Mvae& m, const data::Dataset& d, std::size_t first, std::size_t count) {
    NoGradGuard no_grad;
    std::vector<Tensor> parts;
    for (std::size_t s = first; s < first + count; s += 1000) {
        const auto idx = range(s, std::min(first + count, s + 1000) - s);
        parts.push_back(m.posterior_image(data::images_to_tensor(d, idx, 0, 1)).mu);
    }
    return concat(parts, 0);
}

// --- step 3: the measurements ----------------------------------------------------------------

struct NegElbos {
    double joint = 0, image = 0, text = 0;  // nats per example, weights 1, β = 1
};

// −ELBO of each subset on the first n pairs, one ε per example (the true bounds: no λ, no annealing).
// The joint posterior is the product of experts, except for moe, whose joint posterior is the
// mixture q_mix = ½ q(z|x) + ½ q(z|y): its −ELBO, with one z from each component (stratified),
//   ½ Σ_{s ∈ {x, y}} E_{z ~ q_s}[ −log p(x|z) − log p(y|z) + log q_mix(z) − log p(z) ].
NegElbos test_neg_elbos(models::Mvae& m, const Pairs& p, std::size_t n, models::Fusion fusion, Rng& rng) {
    NoGradGuard no_grad;
    NegElbos total;
    for (std::size_t s = 0; s < n; s += 500) {
        const auto idx = range(s, std::min(n, s + 500) - s);
        const Tensor x = data::images_to_tensor(p.images, idx, 0, 1);  // (B, 784)
        const auto y = tokens_of(p, idx);
        const std::size_t b = idx.size(), d = m.config().latent;
        auto elbo = [&](const models::Posterior& q, bool image, bool text) {
            const Tensor z = models::Vae::reparameterize(q, Tensor::randn({b, d}, rng));
            double v = gaussian_kl(q.mu, q.logvar, Reduction::batch_mean).item();
            if (image) v += m.image_reconstruction(m.decode_image(z), x).item();
            if (text) v += m.text_reconstruction(m.decode_text(z), y).item();
            return v * double(b) / double(n);
        };
        if (fusion != models::Fusion::moe) {
            total.joint += elbo(m.posterior_joint(x, y), true, true);
        } else {
            const auto qx = m.posterior_image(x), qy = m.posterior_text(y);
            for (const auto* q : {&qx, &qy}) {
                const Tensor z = models::Vae::reparameterize(*q, Tensor::randn({b, d}, rng));  // (B, d)
                double v = m.image_reconstruction(m.decode_image(z), x).item() + m.text_reconstruction(m.decode_text(z), y).item();
                const Tensor lx = models::log_normal_diag(z, qx.mu, qx.logvar), ly = models::log_normal_diag(z, qy.mu, qy.logvar);
                const Tensor lp = models::log_standard_normal(z);
                for (std::size_t i = 0; i < b; ++i) {
                    const double hi = std::max<double>(lx.at(i), ly.at(i));
                    const double log_mix = hi + std::log(0.5 * std::exp(lx.at(i) - hi) + 0.5 * std::exp(ly.at(i) - hi));
                    v += (log_mix - lp.at(i)) / double(b);
                }
                total.joint += 0.5 * v * double(b) / double(n);
            }
        }
        total.image += elbo(m.posterior_image(x), true, false);
        total.text += elbo(m.posterior_text(y), false, true);
    }
    return total;
}

struct Coherence {
    double text_to_image = 0, tone = 0;        // images decoded from captions
    double caption = 0, caption_tone = 0;      // captions decoded from images
    double joint = 0;                          // z ~ N(0, I), both decoded
};

// Step 3 on the first n test pairs (joint: `joint_samples` draws).
Coherence coherence(models::Mvae& m, models::Evaluator& evaluator, const Pairs& test,
                    const std::array<double, data::kNumClasses>& medians, const std::vector<data::Caption>& grammar,
                    std::size_t n, std::size_t joint_samples, Rng& rng) {
    NoGradGuard no_grad;
    Coherence c;
    for (std::size_t s = 0; s < n; s += 1000) {
        const auto idx = range(s, std::min(n, s + 1000) - s);
        // text → image: the image decoded from the text-only posterior mean, classified
        const Tensor generated = decode_images(m, m.posterior_text(tokens_of(test, idx)).mu);  // (B, 784)
        const auto classes = evaluator.classify(generated);
        // image → text: the most likely caption given the image-only posterior mean
        const Tensor x = data::images_to_tensor(test.images, idx, 0, 1);
        const auto captions = most_likely_captions(m, m.posterior_image(x).mu, grammar);
        for (std::size_t k = 0; k < idx.size(); ++k) {
            const data::Caption& truth = test.captions[idx[k]];
            const Tensor image = slice_rows(generated, k, k + 1);
            const double intensity = mean(image).item();
            c.text_to_image += classes[k] == truth.label;
            c.tone += data::tone_of(intensity, truth.label, medians) == truth.tone;
            c.caption += grammar[captions[k]].label == truth.label;
            c.caption_tone += grammar[captions[k]].tone == truth.tone;
        }
    }
    c.text_to_image /= double(n), c.tone /= double(n), c.caption /= double(n), c.caption_tone /= double(n);
    // joint: z from the prior, decoded to an image and to its most likely caption
    const Tensor z = Tensor::randn({joint_samples, m.config().latent}, rng);
    const auto classes = evaluator.classify(decode_images(m, z));
    const auto captions = most_likely_captions(m, z, grammar);
    for (std::size_t k = 0; k < joint_samples; ++k) c.joint += classes[k] == grammar[captions[k]].label;
    c.joint /= double(joint_samples);
    return c;
}

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

// log of the mixture Σₖ πₖ N(z; μₖ, diag σₖ²) at every row of z (N, d), components given by
// (K, d) means and log-variances; in double, with a log-sum-exp over k.
std::vector<double> log_mixture_density(const Tensor& z, const Tensor& mu, const Tensor& logvar,
                                        const std::vector<double>& weights) {
    const std::size_t n = z.dim(0), k = mu.dim(0), d = z.dim(1);
    const double log_2pi = std::log(2 * std::numbers::pi);
    std::vector<double> out(n), terms(k);
    for (std::size_t i = 0; i < n; ++i) {
        for (std::size_t c = 0; c < k; ++c) {
            double s = 0;
            for (std::size_t j = 0; j < d; ++j) {
                const double lv = logvar.at(c, j), diff = z.at(i, j) - mu.at(c, j);
                s += log_2pi + lv + diff * diff * std::exp(-lv);
            }
            terms[c] = std::log(weights[c]) - 0.5 * s;
        }
        const double top = *std::max_element(terms.begin(), terms.end());
        double total = 0;
        for (double t : terms) total += std::exp(t - top);
        out[i] = top + std::log(total);
    }
    return out;
}

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

JointAgreement joint_agreement(models::Mvae& m, models::Evaluator& evaluator, const Pairs& test,
                               const std::vector<data::Caption>& grammar, std::size_t n, Rng& rng) {
    NoGradGuard no_grad;
    auto agreement = [&](const Tensor& z) {  // z (N, latent)
        const auto classes = evaluator.classify(decode_images(m, z));
        const auto captions = most_likely_captions(m, z, grammar);
        double same = 0;
        for (std::size_t i = 0; i < classes.size(); ++i) same += classes[i] == grammar[captions[i]].label;
        return same / double(classes.size());
    };
    auto sample = [&](const models::Posterior& q) {
        return models::Vae::reparameterize(q, Tensor::randn(q.mu.shape(), rng));
    };
    JointAgreement a;
    const auto idx = range(0, n);
    a.from_image_posteriors = agreement(sample(m.posterior_image(data::images_to_tensor(test.images, idx, 0, 1))));
    a.from_caption_posteriors = agreement(sample(m.posterior_text(tokens_of(test, idx))));
    for (double t : {1.0, 0.8, 0.6})
        a.by_temperature.emplace_back(t, agreement(Tensor::randn({n, m.config().latent}, rng, real(t))));
    const Tensor probabilities = exp(log_softmax(evaluator.model().logits(decode_images(m, Tensor::randn({n, m.config().latent}, rng)))));
    for (std::size_t i = 0; i < n; ++i) {
        double top = 0;
        for (std::size_t k = 0; k < data::kNumClasses; ++k) top = std::max<double>(top, probabilities.at(i, k));
        a.evaluator_confident += double(top > 0.9) / double(n);
    }
    return a;
}

// How much of the prior the one-modality posteriors cover: KL(p(z) ‖ q_agg(z)) by Monte Carlo
// over z ~ N(0, I), where q_agg is the aggregate posterior — the mixture of q(z|y) over the
// test captions' frequencies, or of q(z|x) over test images. A large value means prior samples
// land where no caption's (or image's) posterior puts mass: holes that joint sampling falls into.
struct PriorCoverage {
    double kl_prior_to_text_aggregate = 0, kl_prior_to_image_aggregate = 0;
    double text_mutual_information = 0;  // I(y; z) = E_y KL(q(z|y) ‖ p) − KL(q_agg ‖ p), in nats
    double text_kl_to_prior = 0;         // E_y KL(q(z|y) ‖ p)
};

PriorCoverage prior_coverage(models::Mvae& m, const Pairs& test, const std::vector<data::Caption>& grammar,
                             std::size_t samples, Rng& rng) {
    NoGradGuard no_grad;
    PriorCoverage c;
    const std::size_t d = m.config().latent;
    // text: one component per grammatical caption, weighted by its frequency among the test captions
    std::vector<double> freq(grammar.size(), 0);
    for (std::size_t i = 0; i < test.n; ++i)
        for (std::size_t g = 0; g < grammar.size(); ++g)
            if (grammar[g].tokens == test.captions[i].tokens) freq[g] += 1.0 / double(test.n);
    std::vector<std::size_t> tokens;
    std::vector<std::size_t> used;  // captions that occur
    for (std::size_t g = 0; g < grammar.size(); ++g)
        if (freq[g] > 0) used.push_back(g), tokens.insert(tokens.end(), grammar[g].tokens.begin(), grammar[g].tokens.end());
    std::vector<double> weights;
    for (auto g : used) weights.push_back(freq[g]);
    const auto qy = m.posterior_text(tokens);  // (K, d)
    const Tensor z = Tensor::randn({samples, d}, rng);
    const auto log_q = log_mixture_density(z, qy.mu, qy.logvar, weights);
    const Tensor log_p = models::log_standard_normal(z);
    for (std::size_t i = 0; i < samples; ++i) c.kl_prior_to_text_aggregate += (log_p.at(i) - log_q[i]) / double(samples);
    // E_y KL(q(z|y) ‖ p) and KL(q_agg ‖ p) = E_{y, z ~ q(z|y)}[log q_agg(z) − log p(z)]
    const Tensor kl_each = gaussian_kl(qy.mu, qy.logvar, Reduction::none);  // (K)
    for (std::size_t k = 0; k < used.size(); ++k) c.text_kl_to_prior += weights[k] * kl_each.at(k);
    double kl_agg = 0;
    for (std::size_t k = 0; k < used.size(); ++k) {
        const std::size_t draws = 200;
        const Tensor mu_k = slice_rows(qy.mu, k, k + 1), lv_k = slice_rows(qy.logvar, k, k + 1);
        const Tensor zk = mu_k + exp(lv_k * real(0.5)) * Tensor::randn({draws, d}, rng);
        const auto lq = log_mixture_density(zk, qy.mu, qy.logvar, weights);
        const Tensor lp = models::log_standard_normal(zk);
        for (std::size_t i = 0; i < draws; ++i) kl_agg += weights[k] * (lq[i] - lp.at(i)) / double(draws);
    }
    c.text_mutual_information = c.text_kl_to_prior - kl_agg;
    // images: the mixture of q(z|x) over the first 2000 test images
    const std::size_t images = std::min<std::size_t>(test.n, 2000);
    const auto qx = m.posterior_image(data::images_to_tensor(test.images, range(0, images), 0, 1));
    const auto log_qx = log_mixture_density(z, qx.mu, qx.logvar, std::vector<double>(images, 1.0 / double(images)));
    for (std::size_t i = 0; i < samples; ++i) c.kl_prior_to_image_aggregate += (log_p.at(i) - log_qx[i]) / double(samples);
    return c;
}

FusionDiagnostics diagnose(models::Mvae& m, const Pairs& test, const std::vector<data::Caption>& grammar, std::size_t n) {
    NoGradGuard no_grad;
    FusionDiagnostics f;
    const std::size_t d = m.config().latent;
    std::vector<double> text_share(d, 0), image_share(d, 0);  // per latent dim, averaged over pairs
    std::vector<double> centroid(data::kNumClasses * d, 0), count(data::kNumClasses, 0);
    std::vector<Tensor> image_mu, text_mu;
    for (std::size_t s = 0; s < n; s += 1000) {
        const auto idx = range(s, std::min(n, s + 1000) - s);
        const Tensor x = data::images_to_tensor(test.images, idx, 0, 1);
        const auto y = tokens_of(test, idx);
        const auto ex = m.image_expert(x), ey = m.text_expert(y);
        const auto qx = models::product_of_experts({ex}), qy = models::product_of_experts({ey});
        const auto qxy = models::product_of_experts({ex, ey});
        for (std::size_t i = 0; i < ex.logvar.numel(); ++i) {
            const double tx = std::exp(-ex.logvar.data()[i]), ty = std::exp(-ey.logvar.data()[i]);
            text_share[i % d] += ty / (1 + tx + ty) / double(n);
            image_share[i % d] += tx / (1 + tx + ty) / double(n);
        }
        const auto joint_captions = most_likely_captions(m, qxy.mu, grammar);
        for (std::size_t k = 0; k < idx.size(); ++k)
            f.caption_from_joint += double(grammar[joint_captions[k]].label == test.captions[idx[k]].label) / double(n);
        f.kl_joint_image += sum(models::gaussian_kl_between(qxy, qx)).item() / double(n);
        f.kl_joint_text += sum(models::gaussian_kl_between(qxy, qy)).item() / double(n);
        for (std::size_t k = 0; k < idx.size(); ++k) {
            const std::size_t label = test.images.labels[idx[k]];
            count[label] += 1;
            for (std::size_t j = 0; j < d; ++j) centroid[label * d + j] += qx.mu.at(k, j);
        }
        image_mu.push_back(qx.mu), text_mu.push_back(qy.mu);
    }
    for (std::size_t j = 0; j < d; ++j) {
        f.text_precision_share += text_share[j] / double(d), f.image_precision_share += image_share[j] / double(d);
        f.text_dims += text_share[j] > 0.5, f.image_dims += image_share[j] > 0.5;
    }
    for (std::size_t c = 0; c < data::kNumClasses; ++c)
        for (std::size_t j = 0; j < d; ++j) centroid[c * d + j] /= std::max(1.0, count[c]);
    const Tensor mx = concat(image_mu, 0), my = concat(text_mu, 0);  // (n, d)
    for (std::size_t i = 0; i < n; ++i) {
        const std::size_t label = test.images.labels[i];
        double a = 0, b = 0;
        for (std::size_t j = 0; j < d; ++j) {
            a += std::pow(my.at(i, j) - centroid[label * d + j], 2);
            b += std::pow(mx.at(i, j) - centroid[label * d + j], 2);
        }
        f.text_mean_class_distance += std::sqrt(a) / double(n);
        f.image_within_class_distance += std::sqrt(b) / double(n);
    }
    return f;
}

// A linear classifier (softmax regression, Adam) on the image-only posterior means of the
// training images, scored on the test images: how much of the class the latent holds linearly.
double latent_probe_accuracy(models::Mvae& m, const Pairs& train, const Pairs& test, Rng& rng) {
    const Tensor train_mu = image_means(m, train.images, 0, train.n);  // (N, latent)
    const Tensor test_mu = image_means(m, test.images, 0, test.n);
    nn::Linear probe(m.config().latent, data::kNumClasses, rng, nn::Init::xavier);
    optim::Adam adam(probe.parameters(), real(1e-2));
    data::Batcher batcher(train.n, 256, rng);
    for (int epoch = 0; epoch < 10; ++epoch)
        for (const auto& idx : batcher.epoch_batches()) {
            Tensor batch = Tensor::empty({idx.size(), m.config().latent});  // (B, latent): the batch's rows
            for (std::size_t r = 0; r < idx.size(); ++r)
                std::copy_n(train_mu.data().begin() + std::ptrdiff_t(idx[r] * m.config().latent), m.config().latent,
                            batch.data().begin() + std::ptrdiff_t(r * m.config().latent));
            adam.zero_grad();
            cross_entropy(probe(batch), data::labels_of(train.images, idx)).backward();
            adam.step();
        }
    NoGradGuard no_grad;
    const auto predicted = models::argmax_rows(probe(test_mu));
    std::size_t right = 0;
    for (std::size_t i = 0; i < test.n; ++i) right += predicted[i] == test.images.labels[i];
    return double(right) / double(test.n);
}

// --- step 2: training ------------------------------------------------------------------------

struct History {
    std::vector<double> epoch, train_loss, test_joint, test_image, test_text, text_to_image, caption, joint;
};

History train_mvae(models::Mvae& m, const Pairs& train, const Pairs& test, const MultimodalOptions& o,
                   models::Evaluator& evaluator, const std::array<double, data::kNumClasses>& medians,
                   const std::vector<data::Caption>& grammar, const fs::path& state_path, Rng& rng) {
    const auto& c = o.common;
    const models::Fusion fusion = models::parse_fusion(o.fusion);
    optim::Adam adam(m.parameters(), static_cast<real>(c.lr));
    data::Batcher batcher(train.images.n, c.batch_size, rng, false, train.n);
    const std::size_t epochs = c.quick ? kQuickEpochs : c.epochs;
    const double total_steps = double(epochs * batcher.batches_per_epoch());
    const double anneal_steps = std::max(1.0, o.anneal * total_steps);
    TrainingPosition position;
    if (c.resume && fs::exists(state_path)) {
        position = load_training_state(state_path, m, adam);
        rng.set_state(position.rng_state);
        std::cerr << "resumed from " << state_path.string() << " after epoch " << position.epoch << "\n";
    }
    History h;
    ProgressLine progress(epochs, batcher.batches_per_epoch());
    const std::size_t d = m.config().latent;
    for (std::size_t epoch = std::size_t(position.epoch) + 1; epoch <= epochs; ++epoch) {
        m.train();
        progress.begin_epoch(epoch);
        for (const auto& idx : batcher.epoch_batches()) {
            // cosine decay of the learning rate over the run's steps: the last epochs settle the
            // coherences instead of letting them wander by several points between epochs
            adam.lr = static_cast<real>(c.lr * 0.5 * (1 + std::cos(std::numbers::pi * double(position.step) / total_steps)));
            const Tensor x = data::images_to_tensor(train.images, idx, 0, 1);  // (B, 784) in [0, 1]
            const auto y = tokens_of(train, idx);                               // (B · 4) token ids
            const std::size_t b = idx.size();
            models::MvaeNoise noise{Tensor::randn({b, d}, rng), Tensor::randn({b, d}, rng),
                                    Tensor::randn({b, d}, rng)};  // ε per subset, (B, latent) each
            if (o.mmd > 0) noise.prior = Tensor::randn({b, d}, rng);  // z ~ N(0, I) for the MMD term
            const double beta = o.beta * std::min(1.0, double(position.step) / anneal_steps);  // KL annealing
            const models::MvaeWeights weights{real(o.image_weight), real(o.text_weight), real(beta), real(o.alpha),
                                              real(o.text_kl), real(o.mmd)};
            adam.zero_grad();
            const auto t = m.objective(x, y, noise, fusion, weights);
            t.loss.backward();
            adam.step();
            Terms terms{{"loss", t.loss.item()}, {"rec_x", t.rec_image.item()}, {"rec_y", t.rec_text.item()},
                        {"kl", t.kl.item()}};
            if (t.jmvae_kl.defined()) terms.emplace_back("kl(xy|x,y)", t.jmvae_kl.item());
            if (t.mmd.defined()) terms.emplace_back("mmd", t.mmd.item());
            terms.emplace_back("beta", beta);
            check_finite(std::size_t(++position.step), terms);
            progress.step(b, terms);
        }
        const Terms means = progress.end_epoch();
        m.eval();
        const std::size_t n = std::min(test.n, c.quick ? kQuickTest : kCurveImages);
        const NegElbos e = test_neg_elbos(m, test, n, fusion, rng);
        const Coherence k = coherence(m, evaluator, test, medians, grammar, n, n, rng);
        std::fprintf(stderr, "  test -elbo joint %.1f  image %.1f  text %.2f | text->image %.3f  caption %.3f  joint %.3f\n",
                     e.joint, e.image, e.text, k.text_to_image, k.caption, k.joint);
        h.epoch.push_back(double(epoch)), h.train_loss.push_back(means[0].second);
        h.test_joint.push_back(e.joint), h.test_image.push_back(e.image), h.test_text.push_back(e.text);
        h.text_to_image.push_back(k.text_to_image), h.caption.push_back(k.caption), h.joint.push_back(k.joint);
        position.epoch = std::int64_t(epoch);
        position.rng_state = rng.state();
        save_training_state(state_path, m, adam, position, {{"fusion", o.fusion}});
    }
    m.eval();
    return h;
}

// --- step 4: figures -------------------------------------------------------------------------

// One row per class × tone (20 rows): the image from the text posterior mean, then samples z ~ q(z|y).
void draw_text_to_image(models::Mvae& m, const data::Tokenizer& tok, const fs::path& png, Rng& rng) {
    NoGradGuard no_grad;
    constexpr std::size_t kPerRow = 8;
    std::vector<Tensor> rows;
    std::vector<std::string> labels;
    for (std::size_t label = 0; label < data::kNumClasses; ++label)
        for (data::Tone tone : {data::Tone::dark, data::Tone::light}) {
            const std::string text = data::caption_text(label, tone, 0);
            const auto q = m.posterior_text(tok.encode(text));  // (1, latent)
            std::vector<Tensor> z{q.mu};
            for (std::size_t k = 1; k < kPerRow; ++k)
                z.push_back(models::Vae::reparameterize(q, Tensor::randn({1, m.config().latent}, rng)));
            rows.push_back(decode_images(m, concat(z, 0)));
            for (std::size_t k = 0; k < kPerRow; ++k) labels.push_back(k == 0 ? text : "");
        }
    write_grid_png_with_labels(png, concat(rows, 0), 28, 28, rows.size(), kPerRow, labels, 0, 1, 3);
}

// Test images with the caption the model gives each (image → text).
void draw_test_captions(models::Mvae& m, const Pairs& test, const std::vector<data::Caption>& grammar,
                        const fs::path& png) {
    NoGradGuard no_grad;
    std::vector<std::size_t> idx;  // four of each class, in class order
    for (std::size_t label = 0; label < data::kNumClasses; ++label)
        for (std::size_t i = 0, found = 0; i < test.n && found < 4; ++i)
            if (test.images.labels[i] == label) idx.push_back(i), ++found;
    const Tensor x = data::images_to_tensor(test.images, idx, 0, 1);
    const auto captions = most_likely_captions(m, m.posterior_image(x).mu, grammar);
    std::vector<std::string> labels;
    for (auto c : captions) labels.push_back(text_of(grammar[c]));
    write_grid_png_with_labels(png, x, 28, 28, 4, 10, labels, 0, 1, 3);
}

// z ~ N(0, I) decoded to both an image and a caption: the joint model generating a pair.
void draw_joint_samples(models::Mvae& m, const std::vector<data::Caption>& grammar, const fs::path& png, Rng& rng) {
    NoGradGuard no_grad;
    const Tensor z = Tensor::randn({40, m.config().latent}, rng);
    const auto captions = most_likely_captions(m, z, grammar);
    std::vector<std::string> labels;
    for (auto c : captions) labels.push_back(text_of(grammar[c]));
    write_grid_png_with_labels(png, decode_images(m, z), 28, 28, 4, 10, labels, 0, 1, 3);
}

// The two directions of largest variance of a set of points (N, d), by power iteration with
// deflation on the covariance, in double. Returns the points' coordinates along them.
std::array<std::vector<double>, 2> pca_2d(const Tensor& points) {
    const std::size_t n = points.dim(0), d = points.dim(1);
    std::vector<double> centre(d, 0), cov(d * d, 0);
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = 0; j < d; ++j) centre[j] += points.at(i, j) / double(n);
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t a = 0; a < d; ++a)
            for (std::size_t b = 0; b < d; ++b)
                cov[a * d + b] += (points.at(i, a) - centre[a]) * (points.at(i, b) - centre[b]) / double(n);
    std::array<std::vector<double>, 2> axes;
    for (auto& v : axes) {
        v.assign(d, 1.0 / std::sqrt(double(d)));
        for (int it = 0; it < 500; ++it) {
            std::vector<double> next(d, 0);
            for (std::size_t a = 0; a < d; ++a)
                for (std::size_t b = 0; b < d; ++b) next[a] += cov[a * d + b] * v[b];
            double norm = 0;
            for (double x : next) norm += x * x;
            norm = std::sqrt(norm);
            for (std::size_t a = 0; a < d; ++a) v[a] = next[a] / norm;
        }
        double lambda = 0;  // deflate: cov ← cov − λ v vᵀ
        for (std::size_t a = 0; a < d; ++a)
            for (std::size_t b = 0; b < d; ++b) lambda += v[a] * cov[a * d + b] * v[b];
        for (std::size_t a = 0; a < d; ++a)
            for (std::size_t b = 0; b < d; ++b) cov[a * d + b] -= lambda * v[a] * v[b];
    }
    std::array<std::vector<double>, 2> coords;
    for (std::size_t k = 0; k < 2; ++k)
        for (std::size_t i = 0; i < n; ++i) {
            double s = 0;
            for (std::size_t j = 0; j < d; ++j) s += (points.at(i, j) - centre[j]) * axes[k][j];
            coords[k].push_back(s);
        }
    return coords;
}

void draw_latent_pca(models::Mvae& m, const Pairs& test, const fs::path& png) {
    const std::size_t n = std::min<std::size_t>(test.n, 5000);
    const auto coords = pca_2d(image_means(m, test.images, 0, n));
    std::vector<int> classes(test.images.labels.begin(), test.images.labels.begin() + std::ptrdiff_t(n));
    plot::scatter_plot(png, "Image-only posterior means of " + std::to_string(n) + " test images, first two principal axes",
                       coords[0], coords[1], classes, {data::kClassNames.begin(), data::kClassNames.end()}, "PC 1",
                       "PC 2");
}

// --- what a user can do with the trained model -----------------------------------------------

void load_trained(models::Mvae& m, const fs::path& weights, const MultimodalOptions& o) {
    if (!fs::exists(weights))
        throw std::runtime_error("no trained model at " + weights.string() + "; run ch04_multimodal (with --fusion " +
                                 o.fusion + ") first");
    load_module(weights, m);
    m.eval();
}

int generate_from_caption(models::Mvae& m, const data::Tokenizer& tok, const MultimodalOptions& o, Rng& rng) {
    const auto ids = tok.encode(o.generate);  // refuses unknown words, listing the vocabulary
    NoGradGuard no_grad;
    const auto q = m.posterior_text(ids);       // (1, latent)
    std::vector<Tensor> z{q.mu};
    for (int k = 1; k < 16; ++k) z.push_back(models::Vae::reparameterize(q, Tensor::randn({1, m.config().latent}, rng)));
    std::string slug = tok.decode(ids);
    std::replace(slug.begin(), slug.end(), ' ', '_');
    const fs::path png = fs::path(o.common.out) / ("generate_" + slug + ".png");
    write_grid_png(png, decode_images(m, concat(z, 0)), 28, 28, 2, 8, 0, 1, 3);
    std::printf("wrote %s: \"%s\" — the posterior mean (first image) and 15 samples from q(z | caption)\n",
                png.string().c_str(), tok.decode(ids).c_str());
    return 0;
}

int caption_picture(models::Mvae& m, const std::vector<data::Caption>& grammar, const MultimodalOptions& o) {
    NoGradGuard no_grad;
    const Tensor x = reshape(load_image_28x28(o.caption), {1, 784});
    const Tensor ll = m.caption_log_likelihoods(m.decode_text(m.posterior_image(x).mu), grammar_ids(grammar));  // (1, C)
    std::vector<std::pair<double, std::size_t>> scored;  // log p(y|z), caption index
    for (std::size_t c = 0; c < grammar.size(); ++c) scored.emplace_back(ll.at(0, c), c);
    std::sort(scored.rbegin(), scored.rend());
    double total = 0;  // normalise over the grammatical captions
    for (auto& [ll, c] : scored) total += std::exp(ll - scored[0].first);
    std::printf("%s\n", text_of(grammar[scored[0].second]).c_str());
    for (std::size_t k = 0; k < 3; ++k)
        std::fprintf(stderr, "  %-20s %.3f\n", text_of(grammar[scored[k].second]).c_str(),
                     std::exp(scored[k].first - scored[0].first) / total);
    return 0;
}

// --- the run ---------------------------------------------------------------------------------

int run(MultimodalOptions& o) {
    const auto& c = o.common;
    const fs::path out = c.out;
    const fs::path weights = fs::path(c.checkpoint_dir) / ("mvae-" + o.fusion + (c.quick ? "-quick" : "") + ".safetensors");
    Rng rng(c.seed);
    const data::Tokenizer tok;
    const auto grammar = data::all_captions(tok);
    models::Mvae m({784, 512, kLatent, tok.size(), data::kCaptionLength, 32, 512}, rng);
    if (!o.generate.empty() || !o.caption.empty()) {
        load_trained(m, weights, o);
        return o.generate.empty() ? caption_picture(m, grammar, o) : generate_from_caption(m, tok, o, rng);
    }

    // 1. captions: tone by the training set's class medians, paraphrases drawn from the seed
    Pairs train{data::load_fashion_mnist(c.data_dir, "train"), {}, 0};
    Pairs test{data::load_fashion_mnist(c.data_dir, "test"), {}, 0};
    const auto medians = data::class_median_intensity(train.images);
    train.captions = data::make_captions(train.images, medians, c.seed, tok);
    test.captions = data::make_captions(test.images, medians, c.seed + 1, tok);
    train.n = c.quick ? std::min(kQuickTrain, train.images.n) : train.images.n;
    test.n = c.quick ? std::min(kQuickTest, test.images.n) : test.images.n;
    std::printf("captions: %zu words (%s); e.g. \"%s\", \"%s\"\n", tok.size(), tok.vocabulary_list().c_str(),
                text_of(train.captions[0]).c_str(), text_of(train.captions[1]).c_str());
    std::printf("MVAE, latent %zu, fusion %s: %zu parameters; λ_image %g, λ_text %g, β annealed over %g%% of the steps\n",
                kLatent, o.fusion.c_str(), m.parameter_count(), o.image_weight, o.text_weight, 100 * o.anneal);

    auto evaluator = models::Evaluator::load_or_train(c.evaluator_dir(), c.data_dir, c.quick);
    const double evaluator_accuracy = models::accuracy(evaluator.model(), test.images, test.n);

    // 2. train
    Stopwatch clock;
    const fs::path state = fs::path(c.checkpoint_dir) / ("training-" + o.fusion + (c.quick ? "-quick" : "") + ".safetensors");
    const History h = train_mvae(m, train, test, o, evaluator, medians, grammar, state, rng);
    const double train_seconds = clock.seconds();
    save_module(weights, m, {{"fusion", o.fusion}});

    // 3. measure
    const NegElbos e = test_neg_elbos(m, test, test.n, models::parse_fusion(o.fusion), rng);
    const Coherence k = coherence(m, evaluator, test, medians, grammar, test.n, c.quick ? kQuickTest : kJointSamples, rng);
    const double probe = latent_probe_accuracy(m, train, test, rng);
    const FusionDiagnostics diag = diagnose(m, test, grammar, test.n);
    const PriorCoverage cover = prior_coverage(m, test, grammar, c.quick ? 200 : 1000, rng);
    const JointAgreement agree = joint_agreement(m, evaluator, test, grammar, std::min<std::size_t>(test.n, 5000), rng);
    std::printf("joint agreement (image class = caption class) for z from q(z|x) %.3f, from q(z|y) %.3f, from N(0, T²I):",
                agree.from_image_posteriors, agree.from_caption_posteriors);
    for (auto [t, v] : agree.by_temperature) std::printf(" T=%.1f %.3f", t, v);
    std::printf("; evaluator > 0.9 sure on %.2f of prior samples\n", agree.evaluator_confident);
    std::printf("prior coverage: KL(p || text aggregate) %.1f, KL(p || image aggregate) %.1f nats; "
                "E_y KL(q(z|y) || p) %.2f = I(y; z) %.2f + KL(text aggregate || p) %.2f\n",
                cover.kl_prior_to_text_aggregate, cover.kl_prior_to_image_aggregate, cover.text_kl_to_prior,
                cover.text_mutual_information, cover.text_kl_to_prior - cover.text_mutual_information);
    std::printf("fusion diagnostics: precision share text %.3f image %.3f prior %.3f; KL(q_xy || q_x) %.2f, "
                "KL(q_xy || q_y) %.2f; |mu(y) - class centroid| %.2f vs |mu(x) - class centroid| %.2f\n",
                diag.text_precision_share, diag.image_precision_share,
                1 - diag.text_precision_share - diag.image_precision_share, diag.kl_joint_image, diag.kl_joint_text,
                diag.text_mean_class_distance, diag.image_within_class_distance);
    std::printf("  latent dims where the text expert holds most of the precision: %zu, the image expert: %zu; "
                "caption accuracy from q(z|x,y): %.3f (from q(z|x): %.3f)\n",
                diag.text_dims, diag.image_dims, diag.caption_from_joint, k.caption);

    // 4. look
    draw_text_to_image(m, tok, out / "text_to_image.png", rng);
    draw_test_captions(m, test, grammar, out / "test_captions.png");
    draw_joint_samples(m, grammar, out / "joint_samples.png", rng);
    draw_latent_pca(m, test, out / "latent_pca.png");
    plot::line_plot(out / "training_neg_elbo.png", "Test -ELBO per pair (nats, log scale), by the modalities observed",
                    "epoch", "nats",
                    {{"joint: -ELBO(x, y)", h.epoch, h.test_joint},
                     {"image only: -ELBO(x)", h.epoch, h.test_image},
                     {"caption only: -ELBO(y)", h.epoch, h.test_text}},
                    true);
    plot::line_plot(out / "training_coherence.png", "Generation across modalities during training", "epoch",
                    "fraction", {{"text -> image coherence", h.epoch, h.text_to_image},
                                 {"caption accuracy (image -> text)", h.epoch, h.caption},
                                 {"joint coherence (prior samples)", h.epoch, h.joint}});

    MetricsJson metrics(out);
    metrics["coherence_text_to_image"] = k.text_to_image;
    metrics["tone_coherence"] = k.tone;
    metrics["caption_accuracy"] = k.caption;
    metrics["tone_accuracy"] = k.caption_tone;
    metrics["joint_coherence"] = k.joint;
    metrics["latent_probe_accuracy"] = probe;
    metrics["test_neg_elbo_joint"] = e.joint;
    metrics["test_neg_elbo_image"] = e.image;
    metrics["test_neg_elbo_text"] = e.text;
    metrics["evaluator_accuracy"] = evaluator_accuracy;
    metrics["epochs"] = h.epoch.empty() ? 0.0 : h.epoch.back();
    metrics["train_seconds"] = train_seconds;
    metrics["fusion"] = o.fusion;
    metrics["diagnostics"] = {{"text_precision_share", diag.text_precision_share},
                              {"image_precision_share", diag.image_precision_share},
                              {"kl_joint_to_image_posterior", diag.kl_joint_image},
                              {"kl_joint_to_text_posterior", diag.kl_joint_text},
                              {"text_mean_to_class_centroid", diag.text_mean_class_distance},
                              {"image_mean_to_class_centroid", diag.image_within_class_distance},
                              {"text_dims", diag.text_dims},
                              {"image_dims", diag.image_dims},
                              {"caption_accuracy_from_joint", diag.caption_from_joint},
                              {"kl_prior_to_text_aggregate", cover.kl_prior_to_text_aggregate},
                              {"kl_prior_to_image_aggregate", cover.kl_prior_to_image_aggregate},
                              {"text_kl_to_prior", cover.text_kl_to_prior},
                              {"text_mutual_information", cover.text_mutual_information},
                              {"joint_agreement_from_image_posteriors", agree.from_image_posteriors},
                              {"joint_agreement_from_caption_posteriors", agree.from_caption_posteriors},
                              {"joint_agreement_prior_T1", agree.by_temperature[0].second},
                              {"joint_agreement_prior_T0.8", agree.by_temperature[1].second},
                              {"joint_agreement_prior_T0.6", agree.by_temperature[2].second},
                              {"evaluator_confident_on_prior_samples", agree.evaluator_confident}};
    metrics["text_weight"] = o.text_weight;
    metrics["image_weight"] = o.image_weight;
    metrics["anneal_fraction"] = o.anneal;
    metrics["beta"] = o.beta;
    metrics["text_kl"] = o.text_kl;
    metrics["alpha"] = o.alpha;
    metrics["mmd"] = o.mmd;
    metrics["latent"] = kLatent;
    metrics["vocabulary"] = tok.size();
    metrics["test_pairs"] = test.n;
    metrics["quick"] = c.quick;
    metrics["history"] = {{"epoch", h.epoch},           {"train_loss", h.train_loss},
                          {"test_neg_elbo_joint", h.test_joint}, {"test_neg_elbo_image", h.test_image},
                          {"test_neg_elbo_text", h.test_text},   {"coherence_text_to_image", h.text_to_image},
                          {"caption_accuracy", h.caption},       {"joint_coherence", h.joint}};
    metrics.write();

    SummaryTable summary({"metric", "value"});
    summary.add_row({"text → image coherence", SummaryTable::Cell(k.text_to_image, 3)});
    summary.add_row({"tone coherence", SummaryTable::Cell(k.tone, 3)});
    summary.add_row({"caption accuracy (image → text)", SummaryTable::Cell(k.caption, 3)});
    summary.add_row({"tone accuracy", SummaryTable::Cell(k.caption_tone, 3)});
    summary.add_row({"joint coherence (z ~ N(0, I))", SummaryTable::Cell(k.joint, 3)});
    summary.add_row({"linear probe on image latents", SummaryTable::Cell(probe, 3)});
    summary.add_row({"evaluator accuracy (the ceiling)", SummaryTable::Cell(evaluator_accuracy, 3)});
    summary.add_row({"test −ELBO joint / image / text (nats)", SummaryTable::Cell(std::to_string(e.joint).substr(0, 6) + " / " +
                                                                                   std::to_string(e.image).substr(0, 6) + " / " +
                                                                                   std::to_string(e.text).substr(0, 5))});
    summary.add_row({"training seconds", SummaryTable::Cell(train_seconds, 3)});
    std::printf("\n");
    summary.print(std::cout);
    std::printf("\nfigures and metrics.json in %s; weights in %s\n", out.string().c_str(), weights.string().c_str());
    return 0;
}

int main(int argc, char** argv) {
    MultimodalOptions o;
    o.common.chapter = "04_multimodal";
    o.common.epochs = kEpochs;
    CLI::App app{"Chapter 04: a joint image-text generative model — a multimodal VAE with a product of experts"};
    chapter::add_common_options(app, o.common);
    app.add_option("--fusion", o.fusion,
                   "the objective: poe (MVAE: each subset reconstructs what it saw), mopoe (every subset "
                   "reconstructs both modalities), moe (mixture of the unimodal experts), jmvae (joint ELBO + "
                   "KL(q(z|x,y) || q(z|x)) + KL(q(z|x,y) || q(z|y)))")
        ->check(CLI::IsMember({"poe", "mopoe", "moe", "jmvae"}))->capture_default_str();
    app.add_option("--text-weight", o.text_weight, "λ_text: weight of the caption's log-likelihood")
        ->check(CLI::PositiveNumber)->capture_default_str();
    app.add_option("--image-weight", o.image_weight, "λ_image: weight of the image's log-likelihood")
        ->check(CLI::PositiveNumber)->capture_default_str();
    app.add_option("--anneal", o.anneal, "fraction of the training steps over which β rises from 0 to 1 (0: β = 1)")
        ->check(CLI::Range(0.0, 1.0))->capture_default_str();
    app.add_option("--beta", o.beta, "the KL weight β reached after annealing (1: the ELBO)")
        ->check(CLI::PositiveNumber)->capture_default_str();
    app.add_option("--text-kl", o.text_kl, "γ: extra weight of the text-only posterior's KL to the prior")
        ->check(CLI::PositiveNumber)->capture_default_str();
    app.add_option("--mmd", o.mmd, "δ: weight of MMD²(posterior samples, prior samples) (0: off)")
        ->check(CLI::NonNegativeNumber)->capture_default_str();
    app.add_option("--alpha", o.alpha, "weight of the JMVAE-KL terms (--fusion jmvae)")
        ->check(CLI::NonNegativeNumber)->capture_default_str();
    app.add_option("--generate", o.generate, "write a grid of images generated from this caption, e.g. \"light ankle boot\"")
        ->check(CLI::Validator(
            [](std::string& text) {
                try {
                    data::Tokenizer().encode(text);  // unknown words are refused, naming them
                    return std::string();
                } catch (const std::invalid_argument& e) {
                    return std::string(e.what());
                }
            },
            "CAPTION"));
    app.add_option("--caption", o.caption, "print a caption for this PNG/JPG/BMP picture")->check(CLI::ExistingFile);
    chapter::parse_or_exit(app, argc, argv, o.common);
    return chapter::run_guarded("ch04_multimodal", [&] { return run(o); });
}
