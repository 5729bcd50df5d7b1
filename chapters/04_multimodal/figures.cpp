// Chapter 04, §8 "What the figures show": text → image, captions of test images, joint samples,
// the latent space by PCA, the training curves; and the two things a user can do with the trained
// model, --generate "light ankle boot" and --caption FILE.
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>

#include <mmgen/core/autograd.hpp>
#include <mmgen/core/ops.hpp>
#include <mmgen/io/image.hpp>
#include <mmgen/nn/distributions.hpp>
#include <mmgen/report/plot.hpp>
#include <mmgen/report/plot_panels.hpp>

#include "04_multimodal/multimodal.hpp"

namespace multimodal {

using namespace mmgen;
namespace fs = std::filesystem;

std::string text_of(const data::Caption& c) { return data::caption_text(c.label, c.tone, c.paraphrase); }

namespace {
// One row per class × tone (20 rows): the image from the text posterior mean (its tile captioned
// "mean: <caption>"), then samples z ~ q(z|y) (captioned "sample").
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
                z.push_back(reparameterize(q, Tensor::randn({1, m.config().latent}, rng)));
            rows.push_back(m.decode_images(concat(z, 0)));
            for (std::size_t k = 0; k < kPerRow; ++k) labels.push_back(k == 0 ? "mean: " + text : "sample");
        }
    write_grid_png_with_labels(png, concat(rows, 0), 28, 28, rows.size(), kPerRow, labels, 0, 1, 3);
}

// Test images with the caption the model gives each (image → text).
void draw_test_captions(models::Mvae& m, const CaptionedImages& test, const std::vector<data::Caption>& grammar,
                        const fs::path& png) {
    NoGradGuard no_grad;
    std::vector<std::size_t> idx;  // four of each class, in class order
    for (std::size_t label = 0; label < data::kNumClasses; ++label)
        for (std::size_t i = 0, found = 0; i < test.n && found < 4; ++i)
            if (test.images.labels[i] == label) idx.push_back(i), ++found;
    const Tensor x = data::images_to_tensor(test.images, idx, 0, 1);
    const auto captions = models::most_likely_captions(m, m.posterior_image(x).mu, grammar);
    std::vector<std::string> labels;
    for (auto c : captions) labels.push_back(text_of(grammar[c]));
    write_grid_png_with_labels(png, x, 28, 28, 4, 10, labels, 0, 1, 3);
}

// z ~ N(0, I) decoded to both an image and a caption: the joint model generating a pair.
void draw_joint_samples(models::Mvae& m, const std::vector<data::Caption>& grammar, const fs::path& png, Rng& rng) {
    NoGradGuard no_grad;
    const Tensor z = Tensor::randn({40, m.config().latent}, rng);
    const auto captions = models::most_likely_captions(m, z, grammar);
    std::vector<std::string> labels;
    for (auto c : captions) labels.push_back(text_of(grammar[c]));
    write_grid_png_with_labels(png, m.decode_images(z), 28, 28, 4, 10, labels, 0, 1, 3);
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

void draw_latent_pca(models::Mvae& m, const CaptionedImages& test, const fs::path& png) {
    const std::size_t n = std::min<std::size_t>(test.n, 5000);
    const auto coords = pca_2d(models::image_means(m, test.images, n));
    std::vector<int> classes(test.images.labels.begin(), test.images.labels.begin() + std::ptrdiff_t(n));
    plot::scatter_plot(png, "Image-only posterior means of " + std::to_string(n) + " test images, first two principal axes",
                       coords[0], coords[1], classes, {data::kClassNames.begin(), data::kClassNames.end()}, "PC 1",
                       "PC 2");
}

}  // namespace

void draw_figures(models::Mvae& m, const data::Tokenizer& tok, const CaptionedImages& test,
                  const std::vector<data::Caption>& grammar, const History& h, const fs::path& out, Rng& rng) {
    draw_text_to_image(m, tok, out / "text_to_image.png", rng);
    draw_test_captions(m, test, grammar, out / "test_captions.png");
    draw_joint_samples(m, grammar, out / "joint_samples.png", rng);
    draw_latent_pca(m, test, out / "latent_pca.png");
    // one panel per subset of modalities, each on its own linear scale (a pair's ~280 nats and a
    // caption's ~4.5 on one axis would need a log scale, which flattens both curves)
    plot::line_panels(out / "training_neg_elbo.png", "Test -ELBO per pair, by the modalities observed (nats)", "epoch",
                      {{"joint: -ELBO(x, y)", "nats", {{"joint", h.epoch, h.test_joint}}},
                       {"image only: -ELBO(x)", "nats", {{"image", h.epoch, h.test_image}}},
                       {"caption only: -ELBO(y)", "nats",
                        {{"caption", h.epoch, h.test_text},
                         {"log 36 (the 36 captions, uniform)", h.epoch, std::vector<double>(h.epoch.size(), std::log(36.0))}}}},
                      3);
    plot::line_plot(out / "training_coherence.png", "Generation across modalities during training", "epoch",
                    "fraction", {{"text -> image coherence", h.epoch, h.text_to_image},
                                 {"caption accuracy (image -> text)", h.epoch, h.caption},
                                 {"joint coherence (prior samples)", h.epoch, h.joint}});
}

// --- what a user can do with the trained model -----------------------------------------------

int generate_from_caption(models::Mvae& m, const data::Tokenizer& tok, const Options& o, Rng& rng) {
    const auto ids = tok.encode(o.generate);  // refuses unknown words, listing the vocabulary
    NoGradGuard no_grad;
    const auto q = m.posterior_text(ids);       // (1, latent)
    std::vector<Tensor> z{q.mu};
    for (int k = 1; k < 16; ++k) z.push_back(reparameterize(q, Tensor::randn({1, m.config().latent}, rng)));
    std::string slug = tok.decode(ids);
    std::replace(slug.begin(), slug.end(), ' ', '_');
    const fs::path png = fs::path(o.common.out) / ("generate_" + slug + ".png");
    std::vector<std::string> labels(16, "sample");
    labels[0] = "mean";
    write_grid_png_with_labels(png, m.decode_images(concat(z, 0)), 28, 28, 2, 8, labels, 0, 1, 3);
    std::printf("wrote %s: \"%s\" — the posterior mean (first image) and 15 samples from q(z | caption)\n",
                png.string().c_str(), tok.decode(ids).c_str());
    return 0;
}

int caption_picture(models::Mvae& m, const std::vector<data::Caption>& grammar, const Options& o) {
    NoGradGuard no_grad;
    const Tensor x = reshape(load_image_28x28(o.caption), {1, 784});
    const Tensor ll = m.caption_log_likelihoods(m.decode_text(m.posterior_image(x).mu), models::caption_ids(grammar));  // (1, C)
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

}  // namespace multimodal
