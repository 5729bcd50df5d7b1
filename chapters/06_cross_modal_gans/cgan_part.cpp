// Part 1 (README §1): the caption-conditioned GAN — text → image — and chapter 04's MVAE under
// the same measures.
//
//   1. the data: chapter 04's captions ("dark ankle boot") beside every training image
//   2. the players: G(z, y) by concatenation, D(x, y) by projection (models/cgan.hpp), D with an
//      auxiliary classifier head over the 20 captions unless --cgan-auxiliary 0 (README §1.7)
//   3. the alternating loop, written out: D on (real, y) and (G(z, y), y), then G through D, each
//      with w · the head's cross-entropy (models/cgan_auxiliary.hpp)
//   4. the measures on 500 samples of each of the 20 class × tone captions: class and tone
//      coherence, FD, diversity; the MVAE beside it when chapter 04 has saved it
//   5. the ablation: the same recipe with the caption concatenated into D instead of projected
#include <algorithm>
#include <cstdio>

#include <mmgen/core/autograd.hpp>
#include <mmgen/core/ops.hpp>
#include <mmgen/io/image.hpp>
#include <mmgen/models/caption_scores.hpp>
#include <mmgen/models/cgan.hpp>
#include <mmgen/models/cgan_auxiliary.hpp>
#include <mmgen/models/gan.hpp>
#include <mmgen/models/mvae.hpp>
#include <mmgen/report/plot.hpp>

#include "chapter06.hpp"

using namespace mmgen;
namespace fs = std::filesystem;

namespace chapter06 {
namespace {

// The size of the noise vector z, and of the caption codes: G's e_G(y) (concatenated with z),
// D's image features φ(x) and caption code e_D(y) (their inner product is the projection).
constexpr std::size_t kLatent = 64, kEmbedding = 32, kCondition = 32, kFeatures = 128;
// Channels of the DCGAN players (chapter 05 has 32 and 32; README §1.3 on why fewer here).
constexpr std::size_t kGeneratorChannels = 32, kDiscriminatorChannels = 32;
// Adam for both players, chapter 05's DCGAN recipe: lr 2e-4, β₁ = 0.5, linear decay to 0 over the second half.
constexpr double kLr = 2e-4, kBeta1 = 0.5, kBeta2 = 0.999;
// Samples per comparison caption: 500 × 20 = 10,000 for the final measures, 50 × 20 per epoch.
constexpr std::size_t kPerCaption = 500, kMonitorPerCaption = 50;
// A --quick run: one pass over this many pairs, and fewer samples.
constexpr std::size_t kQuickTrain = 3000, kQuickEpochs = 1, kQuickPerCaption = 25, kQuickMonitorPerCaption = 10;
// Chapter 04's default model (its main.cpp: --fusion moe, MLP image networks, latent 64).
constexpr const char* kMvaeFile = "mvae-moe.safetensors";
constexpr std::size_t kMvaeLatent = 64;
// §1.6 the truncation trick: the thresholds t of |z_i| ≤ t the trained G is measured at.
constexpr double kTruncations[] = {2.0, 1.5, 1.0, 0.75, 0.5};
// --generate draws its codes from this seed offset, apart from training's and scoring's.
constexpr std::uint64_t kGenerateSeedOffset = 7000;

const char* kGeneratorFile = "cgan_generator.safetensors";

models::CganConfig cgan_config(models::Conditioning conditioning, double auxiliary = 0) {
    models::CganConfig c;
    c.latent = kLatent, c.vocabulary = data::Tokenizer().size(), c.caption_length = data::kCaptionLength;
    c.embedding = kEmbedding, c.condition = kCondition, c.features = kFeatures;
    c.generator_channels = kGeneratorChannels, c.discriminator_channels = kDiscriminatorChannels;
    c.conditioning = conditioning;
    c.auxiliary_classes = auxiliary > 0 ? models::kCaptionClasses : 0;  // D's head only when it is trained
    c.init = nn::Init::fan_in;  // PyTorch's, as chapter 05's networks (README §1.3)
    return c;
}

// The captions of the pairs idx as one list of ids: (B · 4), row-major.
std::vector<std::size_t> tokens_of(const std::vector<data::Caption>& captions, std::span<const std::size_t> idx) {
    std::vector<std::size_t> t;
    for (auto i : idx) t.insert(t.end(), captions[i].tokens.begin(), captions[i].tokens.end());
    return t;
}

// The auxiliary head's class of each pair's caption, k(y) = 2 · class + tone: (B).
std::vector<std::size_t> caption_classes(const std::vector<data::Caption>& captions, std::span<const std::size_t> idx) {
    std::vector<std::size_t> k;
    for (auto i : idx) k.push_back(models::caption_class(captions[i].label, captions[i].tone));
    return k;
}

struct History {
    std::vector<double> epoch, d_loss, g_loss, d_real, d_fake, fd, class_coherence, seconds, classifier;
};
nlohmann::json to_json(const History& h) {
    return {{"epoch", h.epoch}, {"d_loss", h.d_loss}, {"g_loss", h.g_loss}, {"d_real", h.d_real}, {"d_fake", h.d_fake},
            {"fd_monitor", h.fd}, {"class_coherence_monitor", h.class_coherence}, {"epoch_seconds", h.seconds},
            {"classifier_loss_real", h.classifier}};
}
History history_from(const nlohmann::json& j) {
    History h;
    if (j.is_null()) return h;
    j.at("epoch").get_to(h.epoch), j.at("d_loss").get_to(h.d_loss), j.at("g_loss").get_to(h.g_loss);
    j.at("d_real").get_to(h.d_real), j.at("d_fake").get_to(h.d_fake), j.at("fd_monitor").get_to(h.fd);
    j.at("class_coherence_monitor").get_to(h.class_coherence), j.at("epoch_seconds").get_to(h.seconds);
    if (j.contains("classifier_loss_real")) j.at("classifier_loss_real").get_to(h.classifier);
    return h;
}

// G's samples for a caption, z ~ N(0, I) or, with truncation t > 0, truncated to |z_i| ≤ t.
models::CaptionSampler cgan_sampler(models::ConditionalGenerator& g, real truncation = 0) {
    return [&g, truncation](const std::vector<std::size_t>& caption, std::size_t n, Rng& rng) {
        return models::sample_for_caption(g, caption, n, kLatent, rng, truncation);
    };
}

struct Trained {
    History history;
    double seconds = 0;
};

// §1.3 the alternating loop, with the monitor's FD after each epoch; resumable per epoch.
Trained train_cgan(models::ConditionalGenerator& g, models::ConditionalDiscriminator& d, const std::vector<data::Caption>& captions,
                   const models::CaptionReference& truth, PartContext& ctx, const std::string& name) {
    const auto& c = ctx.options.common;
    Rng rng(c.seed);
    optim::Adam g_optimizer(g.parameters(), real(kLr), real(kBeta1), real(kBeta2));
    optim::Adam d_optimizer(d.parameters(), real(kLr), real(kBeta1), real(kBeta2));
    data::Batcher batcher(ctx.train.n, c.batch_size, rng, /*drop_last=*/true,
                          c.quick ? std::optional<std::size_t>(kQuickTrain) : std::nullopt);
    const std::size_t epochs = c.quick ? kQuickEpochs : ctx.options.cgan_epochs, total_steps = epochs * batcher.batches_per_epoch();
    const real w = real(ctx.options.cgan_auxiliary);  // §1.7: the auxiliary classifier's weight
    // one set of files per recipe, so --resume never continues a run of another weight or length
    const std::string suffix = name + (w > 0 ? "-auxiliary" : "") +
                               (epochs != Options{}.cgan_epochs ? "-" + std::to_string(epochs) + "epochs" : "") +
                               (c.quick ? "-quick" : "");
    const GameFiles files{fs::path(c.checkpoint_dir) / ("training-cgan-g-" + suffix + ".safetensors"),
                          fs::path(c.checkpoint_dir) / ("training-cgan-d-" + suffix + ".safetensors")};
    nlohmann::json saved;
    TrainingPosition position = resume_game(files, c.resume, g, g_optimizer, d, d_optimizer, rng, saved);
    Trained t{history_from(saved), 0};
    ProgressLine progress(epochs, batcher.batches_per_epoch());
    for (std::size_t epoch = std::size_t(position.epoch) + 1; epoch <= epochs; ++epoch) {
        g.train(), d.train();
        Stopwatch clock;
        progress.begin_epoch(epoch);
        for (const auto& idx : batcher.epoch_batches()) {
            g_optimizer.lr = d_optimizer.lr = real(optim::linear_decay(kLr, std::size_t(position.step), total_steps));
            const Tensor x = data::images_to_tensor(ctx.train, idx, -1, 1);  // (B, 784) in [−1, 1] like tanh
            const auto y = tokens_of(captions, idx);                         // (B · 4) ids: the real pairs' captions
            const auto k = caption_classes(captions, idx);                   // (B) their classes k(y) for D's head
            const Tensor z = Tensor::randn({idx.size(), kLatent}, rng);      // (B, latent), z ~ N(0, I)
            const Tensor fake = g(z, y);                                     // (B, 784), with G's graph
            // 1. D: (x, y) → real, (G(z, y), y) detached → fake [+ w · CE of its head on the real x]
            const auto ds = models::auxiliary_discriminator_step(d, d_optimizer, x, fake, y, k, w);
            // 2. G: D(G(z, y), y) → real [+ w · CE of G(z, y) in k(y)], through the updated D, left as it was
            const auto gs = models::auxiliary_generator_step(d, g_optimizer, fake, y, k, w);
            check_finite(std::size_t(++position.step), {{"d_loss", ds.loss}, {"g_loss", gs.loss}});
            progress.step(idx.size(), {{"L_D", ds.loss}, {"L_G", gs.loss}, {"D(x,y)", ds.d_real}, {"D(G(z,y),y)", ds.d_fake},
                                       {"CE(real)", ds.classifier}});
        }
        const Terms means = progress.end_epoch();
        History& h = t.history;
        h.seconds.push_back(clock.seconds());
        Rng monitor_rng(c.seed + 2000 + epoch);
        const auto m = models::score_caption_conditioned(ctx.evaluator, cgan_sampler(g), ctx.reference, truth,
                                                         c.quick ? kQuickMonitorPerCaption : kMonitorPerCaption, monitor_rng);
        std::fprintf(stderr, "  %s: FD (%zu samples) %.2f, class coherence %.3f, tone coherence %.3f\n", name.c_str(),
                     m.samples, m.fd, m.class_coherence, m.tone_coherence);
        h.epoch.push_back(double(epoch));
        h.d_loss.push_back(means[0].second), h.g_loss.push_back(means[1].second);
        h.d_real.push_back(means[2].second), h.d_fake.push_back(means[3].second), h.classifier.push_back(means[4].second);
        h.fd.push_back(m.fd), h.class_coherence.push_back(m.class_coherence);
        position.epoch = std::int64_t(epoch);
        position.rng_state = rng.state();
        save_game(files, g, g_optimizer, d, d_optimizer, position, to_json(h));
    }
    for (double s : t.history.seconds) t.seconds += s;
    g.eval();
    return t;
}

// A grid of 20 rows (one caption each) × `cols` samples, the caption under the first of each row.
void caption_grid(const fs::path& png, const Tensor& samples, std::size_t cols) {
    std::vector<std::string> labels;
    for (const auto& c : models::comparison_captions())
        for (std::size_t k = 0; k < cols; ++k) labels.push_back(k == 0 ? data::caption_text(c.label, c.tone, 0) : "");
    write_grid_png_with_labels(png, samples, 28, 28, labels.size() / cols, cols, labels, 0, 1, 2);
}

nlohmann::json to_json(const models::CaptionScores& s) {
    return {{"class_coherence", s.class_coherence}, {"tone_coherence", s.tone_coherence}, {"fd", s.fd},
            {"diversity", s.diversity}, {"diversity_per_caption", s.diversity_per_caption},
            {"class_coherence_per_caption", s.class_coherence_per_caption},
            {"tone_coherence_per_caption", s.tone_coherence_per_caption}, {"samples", s.samples}};
}

}  // namespace

void run_cgan(PartContext& ctx) {
    const auto& c = ctx.options.common;
    const fs::path out = c.out;
    // §1.1 the data: a caption for every image, chapter 04's grammar and seeds
    const data::Tokenizer tok;
    const auto medians = data::class_median_intensity(ctx.train);
    const auto captions = data::make_captions(ctx.train, medians, c.seed, tok);
    const models::CaptionReference truth = models::caption_reference(ctx.evaluator, ctx.test, medians);
    std::printf("captions: \"%s\", \"%s\", ...; %zu words\n", data::caption_text(captions[0].label, captions[0].tone, captions[0].paraphrase).c_str(),
                data::caption_text(captions[1].label, captions[1].tone, captions[1].paraphrase).c_str(), tok.size());

    // §1.2 the players
    Rng init(c.seed);
    const double w = ctx.options.cgan_auxiliary;
    models::ConditionalGenerator g(cgan_config(models::Conditioning::projection, w), init);
    models::ConditionalDiscriminator d(cgan_config(models::Conditioning::projection, w), init);
    std::printf("G [z %zu, e_G(y) %zu] -> DCGAN generator (%zu, %zu channels): %zu parameters\n", kLatent, kCondition,
                2 * kGeneratorChannels, kGeneratorChannels, g.parameter_count());
    std::printf("D x -> (%zu, 14, 14) -> (%zu, 7, 7) -> phi(x) %zu; logit = psi(phi) + <e_D(y), phi>: %zu parameters\n",
                kDiscriminatorChannels, 2 * kDiscriminatorChannels, kFeatures, d.parameter_count());

    // §1.3 train
    const Trained trained = train_cgan(g, d, captions, truth, ctx, "projection");
    save_module(fs::path(c.checkpoint_dir) / kGeneratorFile, g);
    save_module(fs::path(c.checkpoint_dir) / "cgan_discriminator.safetensors", d);

    // §1.4 measure: 500 samples of each of the 20 captions
    const std::size_t per_caption = c.quick ? kQuickPerCaption : kPerCaption;
    Rng score_rng(c.seed + 3000);
    const auto scores = models::score_caption_conditioned(ctx.evaluator, cgan_sampler(g), ctx.reference, truth, per_caption, score_rng);
    caption_grid(out / "cgan_samples.png", scores.first_samples, 8);
    // coherences to 4 decimals: with 10,000 samples each is a count / 10,000, and 0.950 could be 0.9495
    std::printf("cGAN, %zu samples for each of the 20 captions: class coherence %.4f, tone coherence %.4f, FD %.2f, diversity %.3f\n",
                per_caption, scores.class_coherence, scores.tone_coherence, scores.fd, scores.diversity);

    // §1.6 the truncation trick: the same G, codes drawn nearer the prior's mode
    nlohmann::json truncation = nlohmann::json::array();
    plot::Series class_curve{"class coherence"}, tone_curve{"tone coherence"}, diversity_curve{"diversity (1 = the data's)"};
    for (const double t : kTruncations) {
        Rng rng(c.seed + 3000);
        const auto ts = models::score_caption_conditioned(ctx.evaluator, cgan_sampler(g, real(t)), ctx.reference, truth,
                                                          per_caption, rng);
        std::printf("truncation |z_i| <= %.2f: class coherence %.4f, tone coherence %.4f, FD %.2f, diversity %.3f\n", t,
                    ts.class_coherence, ts.tone_coherence, ts.fd, ts.diversity);
        nlohmann::json row = to_json(ts);
        row["threshold"] = t;
        truncation.push_back(row);
        for (auto* curve : {&class_curve, &tone_curve, &diversity_curve}) curve->xs.push_back(t);
        class_curve.ys.push_back(ts.class_coherence);
        tone_curve.ys.push_back(ts.tone_coherence);
        diversity_curve.ys.push_back(ts.diversity);
        if (t == kTruncations[std::size(kTruncations) - 1]) caption_grid(out / "cgan_samples_truncated.png", ts.first_samples, 8);
    }
    plot::line_plot(out / "cgan_truncation.png", "Conditional GAN: the truncation trick |z_i| <= t (untruncated: class " +
                    std::to_string(scores.class_coherence).substr(0, 5) + ", diversity " + std::to_string(scores.diversity).substr(0, 5) + ")",
                    "threshold t", "score", {class_curve, tone_curve, diversity_curve},
                    plot::LineStyle{.key = plot::Key::below});  // the coherences run along the top
    ctx.metrics["cgan_truncation"] = truncation;

    // chapter 04's MVAE under the same measures, if chapter 04 has saved it
    const fs::path mvae_file = c.checkpoint_root() / "04_multimodal" / kMvaeFile;
    auto& m = ctx.metrics;
    m["mvae_caption_fd"] = nullptr, m["mvae_diversity"] = nullptr;
    if (!c.quick && fs::exists(mvae_file)) {
        Rng mvae_init(c.seed);
        models::Mvae mvae({784, 512, kMvaeLatent, tok.size(), data::kCaptionLength, 32, 512}, mvae_init);
        load_module(mvae_file, mvae);
        mvae.eval();
        const models::CaptionSampler mvae_sampler = [&](const std::vector<std::size_t>& caption, std::size_t n, Rng& rng) {
            const auto q = mvae.posterior_text(models::repeat_caption(caption, n));  // q(z | y), (n, latent)
            return mvae.decode_images(reparameterize(q, Tensor::randn({n, kMvaeLatent}, rng)));
        };
        Rng mvae_rng(c.seed + 3000);
        const auto ms = models::score_caption_conditioned(ctx.evaluator, mvae_sampler, ctx.reference, truth, per_caption, mvae_rng);
        caption_grid(out / "mvae_caption_samples.png", ms.first_samples, 8);
        m["mvae_caption_fd"] = ms.fd, m["mvae_diversity"] = ms.diversity;
        m["mvae_class_coherence"] = ms.class_coherence, m["mvae_tone_coherence"] = ms.tone_coherence;
        m["mvae_scores"] = to_json(ms);
        m["cgan_fd_over_mvae_fd"] = scores.fd / ms.fd;
        ctx.summary.add_row({"cgan", "MVAE (ch. 04): FD, caption-conditioned", SummaryTable::Cell(ms.fd, 4)});
        ctx.summary.add_row({"cgan", "MVAE (ch. 04): class / tone coherence",
                             SummaryTable::Cell(std::to_string(ms.class_coherence).substr(0, 5) + " / " +
                                                std::to_string(ms.tone_coherence).substr(0, 5))});
        ctx.summary.add_row({"cgan", "MVAE (ch. 04): diversity", SummaryTable::Cell(ms.diversity, 3)});
    } else {
        std::printf("chapter 04's MVAE is not at %s: run build/bin/ch04_multimodal (its default run) to compare with it\n",
                    mvae_file.string().c_str());
        m["mvae_source"] = "not found at " + mvae_file.string() + "; run build/bin/ch04_multimodal";
    }

    // §1.5 the ablation: the caption concatenated with φ(x) in D instead of projected
    Rng ablation_init(c.seed);
    models::ConditionalGenerator g_concat(cgan_config(models::Conditioning::concatenation), ablation_init);
    models::ConditionalDiscriminator d_concat(cgan_config(models::Conditioning::concatenation, w), ablation_init);
    const Trained ablation = train_cgan(g_concat, d_concat, captions, truth, ctx, "concatenation");
    Rng ablation_rng(c.seed + 3000);
    const auto concat_scores =
        models::score_caption_conditioned(ctx.evaluator, cgan_sampler(g_concat), ctx.reference, truth, per_caption, ablation_rng);
    caption_grid(out / "cgan_concatenation_samples.png", concat_scores.first_samples, 8);

    // figures
    const History& h = trained.history;
    plot::line_plot(out / "cgan_losses.png", "Conditional GAN: losses per epoch (projection D)", "epoch", "mean loss",
                    {{"L_D", h.epoch, h.d_loss}, {"L_G", h.epoch, h.g_loss},
                     {"L_D (concatenation D)", ablation.history.epoch, ablation.history.d_loss},
                     {"L_G (concatenation D)", ablation.history.epoch, ablation.history.g_loss}});
    plot::line_plot(out / "cgan_fd.png", "Conditional GAN: FD of 1,000 caption-conditioned samples per epoch", "epoch", "FD",
                    {{"projection", h.epoch, h.fd}, {"concatenation", ablation.history.epoch, ablation.history.fd}});

    m["cgan_class_coherence"] = scores.class_coherence;
    m["cgan_tone_coherence"] = scores.tone_coherence;
    m["cgan_fd"] = scores.fd;
    m["cgan_diversity"] = scores.diversity;
    m["cgan_scores"] = to_json(scores);
    m["cgan_concatenation"] = to_json(concat_scores);
    m["cgan_history"] = to_json(h);
    m["cgan_concatenation_history"] = to_json(ablation.history);
    m["cgan_epochs"] = h.epoch.empty() ? 0.0 : h.epoch.back();
    m["cgan_auxiliary_weight"] = w;
    m["cgan_generator_channels"] = kGeneratorChannels, m["cgan_discriminator_channels"] = kDiscriminatorChannels;
    m["train_seconds_cgan"] = trained.seconds;
    m["train_seconds_cgan_concatenation"] = ablation.seconds;
    auto& s = ctx.summary;
    s.add_row({"cgan", "class coherence (projection D)", SummaryTable::Cell(scores.class_coherence, 3)});
    s.add_row({"cgan", "tone coherence", SummaryTable::Cell(scores.tone_coherence, 3)});
    s.add_row({"cgan", "FD of " + std::to_string(scores.samples) + " caption-conditioned samples", SummaryTable::Cell(scores.fd, 4)});
    s.add_row({"cgan", "diversity (1 = the data's)", SummaryTable::Cell(scores.diversity, 3)});
    s.add_row({"cgan", "concatenation D: class / tone coherence",
               SummaryTable::Cell(std::to_string(concat_scores.class_coherence).substr(0, 5) + " / " +
                                  std::to_string(concat_scores.tone_coherence).substr(0, 5))});
    s.add_row({"cgan", "concatenation D: FD", SummaryTable::Cell(concat_scores.fd, 4)});
    s.add_row({"cgan", "training seconds (projection; concatenation)",
               SummaryTable::Cell(std::to_string(int(trained.seconds)) + "; " + std::to_string(int(ablation.seconds)))});
}

int generate_from_caption(const Options& o) {
    const auto& c = o.common;
    const data::Tokenizer tok;
    const auto ids = tok.encode(o.generate);  // refuses unknown words, listing the vocabulary
    const fs::path file = fs::path(c.checkpoint_dir) / kGeneratorFile;
    if (!fs::exists(file)) {
        std::fprintf(stderr, "ch06_cross_modal_gans: --generate needs a trained conditional GAN at %s; run --part cgan first\n",
                     file.string().c_str());
        return 1;
    }
    Rng init(c.seed);
    models::ConditionalGenerator g(cgan_config(models::Conditioning::projection), init);
    load_module(file, g);
    Rng rng(c.seed + kGenerateSeedOffset);
    const Tensor images = models::sample_for_caption(g, ids, 16, kLatent, rng, real(o.truncation));  // (16, 784) in [0, 1]
    std::string slug = tok.decode(ids);
    std::replace(slug.begin(), slug.end(), ' ', '_');
    if (o.truncation > 0) slug += "_t" + std::to_string(o.truncation).substr(0, 4);
    const fs::path png = fs::path(c.out) / ("generate_" + slug + ".png");
    write_grid_png(png, images, 28, 28, 2, 8, 0, 1, 3);
    const std::string codes = o.truncation > 0 ? "z ~ N(0, I) truncated to |z_i| <= " + std::to_string(o.truncation).substr(0, 4)
                                               : std::string("z ~ N(0, I)");
    std::printf("wrote %s: 16 images G(z, \"%s\") for 16 codes %s\n", png.string().c_str(), tok.decode(ids).c_str(), codes.c_str());
    return 0;
}

}  // namespace chapter06
