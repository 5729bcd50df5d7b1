#include <mmgen/models/mvae_diagnostics.hpp>

#include <algorithm>
#include <cmath>
#include <numbers>

#include <mmgen/core/autograd.hpp>
#include <mmgen/core/ops.hpp>
#include <mmgen/nn/batched.hpp>
#include <mmgen/nn/distributions.hpp>

namespace mmgen::models {

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

JointAgreement joint_agreement(Mvae& m, Evaluator& evaluator, const CaptionedImages& test,
                               const std::vector<data::Caption>& grammar, std::size_t n, Rng& rng) {
    NoGradGuard no_grad;
    auto agreement = [&](const Tensor& z) {  // z (N, latent)
        const auto classes = evaluator.classify(m.decode_images(z));
        const auto captions = most_likely_captions(m, z, grammar);
        double same = 0;
        for (std::size_t i = 0; i < classes.size(); ++i) same += classes[i] == grammar[captions[i]].label;
        return same / double(classes.size());
    };
    auto sample = [&](const Posterior& q) {
        return reparameterize(q, Tensor::randn(q.mu.shape(), rng));
    };
    JointAgreement a;
    const auto idx = data::first_indices(n);
    a.from_image_posteriors = agreement(sample(m.posterior_image(data::first_images(test.images, n))));
    a.from_caption_posteriors = agreement(sample(m.posterior_text(tokens_of(test, idx))));
    for (double t : {1.0, 0.8, 0.6})
        a.by_temperature.emplace_back(t, agreement(Tensor::randn({n, m.config().latent}, rng, real(t))));
    const Tensor probabilities = exp(log_softmax(evaluator.model().logits(m.decode_images(Tensor::randn({n, m.config().latent}, rng)))));
    for (std::size_t i = 0; i < n; ++i) {
        double top = 0;
        for (std::size_t k = 0; k < data::kNumClasses; ++k) top = std::max<double>(top, probabilities.at(i, k));
        a.evaluator_confident += double(top > 0.9) / double(n);
    }
    return a;
}

PriorCoverage prior_coverage(Mvae& m, const CaptionedImages& test, const std::vector<data::Caption>& grammar,
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
    const Tensor log_p = log_standard_normal(z);
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
        const Tensor lp = log_standard_normal(zk);
        for (std::size_t i = 0; i < draws; ++i) kl_agg += weights[k] * (lq[i] - lp.at(i)) / double(draws);
    }
    c.text_mutual_information = c.text_kl_to_prior - kl_agg;
    // images: the mixture of q(z|x) over the first 2000 test images
    const std::size_t images = std::min<std::size_t>(test.n, 2000);
    const auto qx = m.posterior_image(data::first_images(test.images, images));
    const auto log_qx = log_mixture_density(z, qx.mu, qx.logvar, std::vector<double>(images, 1.0 / double(images)));
    for (std::size_t i = 0; i < samples; ++i) c.kl_prior_to_image_aggregate += (log_p.at(i) - log_qx[i]) / double(samples);
    return c;
}

FusionDiagnostics diagnose(Mvae& m, const CaptionedImages& test, const std::vector<data::Caption>& grammar, std::size_t n) {
    NoGradGuard no_grad;
    FusionDiagnostics f;
    const std::size_t d = m.config().latent;
    std::vector<double> text_share(d, 0), image_share(d, 0);  // per latent dim, averaged over pairs
    std::vector<double> centroid(data::kNumClasses * d, 0), count(data::kNumClasses, 0);
    std::vector<Tensor> image_mu, text_mu;
    nn::for_each_batch(n, 1000, [&](std::span<const std::size_t> idx) {
        const Tensor x = data::images_to_tensor(test.images, idx, 0, 1);
        const auto y = tokens_of(test, idx);
        const auto ex = m.image_expert(x), ey = m.text_expert(y);
        const auto qx = product_of_experts({ex}), qy = product_of_experts({ey});
        const auto qxy = product_of_experts({ex, ey});
        for (std::size_t i = 0; i < ex.logvar.numel(); ++i) {
            const double tx = std::exp(-ex.logvar.data()[i]), ty = std::exp(-ey.logvar.data()[i]);
            text_share[i % d] += ty / (1 + tx + ty) / double(n);
            image_share[i % d] += tx / (1 + tx + ty) / double(n);
        }
        const auto joint_captions = most_likely_captions(m, qxy.mu, grammar);
        for (std::size_t k = 0; k < idx.size(); ++k)
            f.caption_from_joint += double(grammar[joint_captions[k]].label == test.captions[idx[k]].label) / double(n);
        f.kl_joint_image += sum(gaussian_kl_between(qxy, qx)).item() / double(n);
        f.kl_joint_text += sum(gaussian_kl_between(qxy, qy)).item() / double(n);
        for (std::size_t k = 0; k < idx.size(); ++k) {
            const std::size_t label = test.images.labels[idx[k]];
            count[label] += 1;
            for (std::size_t j = 0; j < d; ++j) centroid[label * d + j] += qx.mu.at(k, j);
        }
        image_mu.push_back(qx.mu), text_mu.push_back(qy.mu);
    });
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

}  // namespace mmgen::models
