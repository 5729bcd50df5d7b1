#include <mmgen/models/mvae_eval.hpp>

#include <algorithm>
#include <cmath>

#include <mmgen/core/autograd.hpp>
#include <mmgen/core/ops.hpp>
#include <mmgen/nn/batched.hpp>
#include <mmgen/nn/distributions.hpp>
#include <mmgen/nn/losses.hpp>
#include <mmgen/nn/optim.hpp>

namespace mmgen::models {

std::vector<std::size_t> tokens_of(const CaptionedImages& p, std::span<const std::size_t> idx) {
    std::vector<std::size_t> t;  // (B · kCaptionLength) ids, row-major
    t.reserve(idx.size() * data::kCaptionLength);
    for (auto i : idx) t.insert(t.end(), p.captions[i].tokens.begin(), p.captions[i].tokens.end());
    return t;
}

std::vector<std::size_t> caption_ids(const std::vector<data::Caption>& grammar) {
    std::vector<std::size_t> ids;
    for (const auto& c : grammar) ids.insert(ids.end(), c.tokens.begin(), c.tokens.end());
    return ids;
}

std::vector<std::size_t> most_likely_captions(Mvae& m, const Tensor& z, const std::vector<data::Caption>& grammar) {
    NoGradGuard no_grad;
    const Tensor scores = m.caption_log_likelihoods(m.decode_text(z), caption_ids(grammar));  // (N, C)
    return argmax_rows(scores);
}

Tensor image_means(Mvae& m, const data::Dataset& d, std::size_t count) {
    std::vector<Tensor> parts;  // (≤ 1000, latent) each
    nn::for_each_batch(count, 1000, [&](std::span<const std::size_t> idx) {
        parts.push_back(m.posterior_image(data::images_to_tensor(d, idx, 0, 1)).mu);
    });
    return concat(parts, 0);
}

NegElbos test_neg_elbos(Mvae& m, const CaptionedImages& p, std::size_t n, Fusion fusion, Rng& rng) {
    NegElbos total;
    nn::for_each_batch(n, 500, [&](std::span<const std::size_t> idx) {
        const Tensor x = data::images_to_tensor(p.images, idx, 0, 1);  // (B, 784)
        const auto y = tokens_of(p, idx);
        const std::size_t b = idx.size(), d = m.config().latent;
        auto elbo = [&](const Posterior& q, bool image, bool text) {
            const Tensor z = reparameterize(q, Tensor::randn({b, d}, rng));
            double v = gaussian_kl(q.mu, q.logvar, Reduction::batch_mean).item();
            if (image) v += m.image_reconstruction(m.decode_image(z), x).item();
            if (text) v += m.text_reconstruction(m.decode_text(z), y).item();
            return v * double(b) / double(n);
        };
        if (fusion != Fusion::moe) {
            total.joint += elbo(m.posterior_joint(x, y), true, true);
        } else {
            const auto qx = m.posterior_image(x), qy = m.posterior_text(y);
            for (const auto* q : {&qx, &qy}) {
                const Tensor z = reparameterize(*q, Tensor::randn({b, d}, rng));  // (B, d)
                double v = m.image_reconstruction(m.decode_image(z), x).item() + m.text_reconstruction(m.decode_text(z), y).item();
                const Tensor lx = log_normal_diag(z, qx.mu, qx.logvar), ly = log_normal_diag(z, qy.mu, qy.logvar);
                const Tensor lp = log_standard_normal(z);
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
    });
    return total;
}

Coherence coherence(Mvae& m, Evaluator& evaluator, const CaptionedImages& test,
                    const std::array<double, data::kNumClasses>& medians, const std::vector<data::Caption>& grammar,
                    std::size_t n, std::size_t joint_samples, Rng& rng) {
    const ImageJudge judge = [&](const Tensor& images) { return evaluator.classify(images); };
    return coherence(m, judge, test, medians, grammar, n, joint_samples, rng);
}

Coherence coherence(Mvae& m, const ImageJudge& judge, const CaptionedImages& test,
                    const std::array<double, data::kNumClasses>& medians, const std::vector<data::Caption>& grammar,
                    std::size_t n, std::size_t joint_samples, Rng& rng) {
    NoGradGuard no_grad;
    Coherence c;
    nn::for_each_batch(n, 1000, [&](std::span<const std::size_t> idx) {
        // text → image: the image decoded from the text-only posterior mean, classified
        const Tensor generated = m.decode_images(m.posterior_text(tokens_of(test, idx)).mu);  // (B, 784)
        const auto classes = judge(generated);
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
    });
    c.text_to_image /= double(n), c.tone /= double(n), c.caption /= double(n), c.caption_tone /= double(n);
    // joint: z from the prior, decoded to an image and to its most likely caption
    const Tensor z = Tensor::randn({joint_samples, m.config().latent}, rng);
    const auto classes = judge(m.decode_images(z));
    const auto captions = most_likely_captions(m, z, grammar);
    for (std::size_t k = 0; k < joint_samples; ++k) c.joint += classes[k] == grammar[captions[k]].label;
    c.joint /= double(joint_samples);
    return c;
}

double latent_probe_accuracy(Mvae& m, const CaptionedImages& train, const CaptionedImages& test, Rng& rng) {
    const Tensor train_mu = image_means(m, train.images, train.n);  // (N, latent)
    const Tensor test_mu = image_means(m, test.images, test.n);
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
            // backward() then step(), fused (optim.hpp)
            adam.backward_and_step(cross_entropy(probe(batch), data::labels_of(train.images, idx)));
        }
    NoGradGuard no_grad;
    const auto predicted = argmax_rows(probe(test_mu));
    std::size_t right = 0;
    for (std::size_t i = 0; i < test.n; ++i) right += predicted[i] == test.images.labels[i];
    return double(right) / double(test.n);
}


}  // namespace mmgen::models
