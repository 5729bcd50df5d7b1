// Part 2 (README §2): the VAE with a discriminator — chapter 05's conv VAE, its decoder also
// trained against a D that sees real images, reconstructions and prior samples
// (models/vae_gan.hpp) — beside the plain conv VAE it starts from.
//
//   1. the VAE: chapter 05's conv VAE (latent 20), loaded or trained (conv_vae_baseline)
//   2. D: chapter 05's DCGAN discriminator
//   3. the loop, written out: models::vae_gan_step — D on real vs [reconstructions; prior
//      samples], then encoder and decoder on −ELBO + γ · adversarial through the updated D
//   4. the measures: prior FD, test −ELBO, reconstructions classified as their source
#include <cstdio>

#include <mmgen/core/autograd.hpp>
#include <mmgen/core/ops.hpp>
#include <mmgen/io/image.hpp>
#include <mmgen/models/dcgan.hpp>
#include <mmgen/models/scoring.hpp>
#include <mmgen/models/vae_eval.hpp>
#include <mmgen/models/vae_gan.hpp>
#include <mmgen/report/plot.hpp>

#include "chapter06.hpp"

using namespace mmgen;
namespace fs = std::filesystem;

namespace chapter06 {
namespace {

// Adam for the VAE and for D: the GAN recipe's β₁ = 0.5; linear decay over the second half.
constexpr double kVaeLr = 3e-4, kDLr = 2e-4, kBeta1 = 0.5, kBeta2 = 0.999;
// D: chapter 05's DCGAN discriminator with this many channels at 14 × 14.
constexpr std::size_t kDiscriminatorChannels = 32;
// Prior samples scored at the end, and per epoch.
constexpr std::size_t kScored = 10000, kMonitor = 1000, kQuickScored = 500;
// A --quick run: one pass over this many images.
constexpr std::size_t kQuickTrain = 2000, kQuickEpochs = 1;

struct History {
    std::vector<double> epoch, d_loss, d_real, d_fake, neg_elbo, reconstruction, kl, adversarial, feature_error, prior_fd,
        seconds;
};
nlohmann::json to_json(const History& h) {
    return {{"epoch", h.epoch}, {"d_loss", h.d_loss}, {"d_real", h.d_real}, {"d_fake", h.d_fake},
            {"train_neg_elbo", h.neg_elbo}, {"reconstruction", h.reconstruction}, {"kl", h.kl},
            {"adversarial", h.adversarial}, {"feature_error", h.feature_error}, {"prior_fd_monitor", h.prior_fd},
            {"epoch_seconds", h.seconds}};
}
History history_from(const nlohmann::json& j) {
    History h;
    if (j.is_null()) return h;
    j.at("epoch").get_to(h.epoch), j.at("d_loss").get_to(h.d_loss), j.at("d_real").get_to(h.d_real);
    j.at("d_fake").get_to(h.d_fake), j.at("train_neg_elbo").get_to(h.neg_elbo);
    j.at("reconstruction").get_to(h.reconstruction), j.at("kl").get_to(h.kl);
    j.at("adversarial").get_to(h.adversarial), j.at("prior_fd_monitor").get_to(h.prior_fd);
    // a state saved before the feature term existed has no column for it: zeros, its value then
    if (j.contains("feature_error")) j.at("feature_error").get_to(h.feature_error);
    else h.feature_error.assign(h.epoch.size(), 0.0);
    j.at("epoch_seconds").get_to(h.seconds);
    return h;
}

}  // namespace

void run_vaegan(PartContext& ctx) {
    const auto& c = ctx.options.common;
    const fs::path out = c.out;

    // §2.1 the conv VAE, and its scores before any adversarial training
    Rng init(c.seed + 1);
    models::ConvVae base(kVaeLatent, init, chapter05_widths());
    const auto baseline = conv_vae_baseline(base, ctx);
    const std::size_t scored = c.quick ? kQuickScored : kScored;
    Rng base_rng(c.seed + 3000);
    const VaeScores before = score_vae(base, ctx, scored, base_rng);
    std::printf("conv VAE: prior FD %.2f, test -ELBO %.2f, reconstructions classified as their source %.3f\n",
                before.prior_fd, before.test_neg_elbo, before.reconstruction_agreement);

    // §2.2 the VAE-GAN starts from the same weights; D is chapter 05's DCGAN discriminator
    Rng rng(c.seed + 1);
    models::ConvVae vae(kVaeLatent, rng, chapter05_widths());
    const auto base_state = base.named_state();
    for (std::size_t i = 0; auto& [name, t] : vae.named_state()) {
        const auto& from = base_state[i++].second;
        std::copy(from.data().begin(), from.data().end(), t.data().begin());
    }
    models::DcganConfig d_config;
    d_config.discriminator_channels = kDiscriminatorChannels;
    d_config.init = nn::Init::fan_in;  // PyTorch's, as chapter 05's DCGAN
    models::DcganDiscriminator d(d_config, rng);
    optim::Adam vae_optimizer(vae.parameters(), real(kVaeLr), real(kBeta1), real(kBeta2));
    optim::Adam d_optimizer(d.parameters(), real(kDLr), real(kBeta1), real(kBeta2));
    // γ: the GAN loss (about 1 nat per image) against the likelihood (about 240 nats per image); λ:
    // the error in D's features (README §2.2 and §2.5 on the choices)
    const models::VaeGanWeights weights{real(ctx.options.vaegan_beta), real(ctx.options.vaegan_gamma), real(ctx.options.vaegan_features)};
    std::printf("VAE-GAN: loss = rec + %g * KL + %g * adversarial (decoder only) + %g * feature error (encoder and decoder); "
                "D %zu parameters\n",
                double(weights.beta), double(weights.adversarial), double(weights.feature_matching), d.parameter_count());

    // §2.3 the loop
    data::Batcher batcher(ctx.train.n, c.batch_size, rng, /*drop_last=*/true,
                          c.quick ? std::optional<std::size_t>(kQuickTrain) : std::nullopt);
    const std::size_t epochs = c.quick ? kQuickEpochs : ctx.options.vaegan_epochs, total_steps = epochs * batcher.batches_per_epoch();
    // one set of files per recipe, so --resume never continues a run of other weights or length
    const Options defaults;
    std::string suffix;
    const auto tag = [&](const char* name, double value, double default_value) {
        if (value == default_value) return;
        char text[32];
        std::snprintf(text, sizeof text, "-%s%g", name, value);
        suffix += text;
    };
    tag("beta", ctx.options.vaegan_beta, defaults.vaegan_beta);
    tag("gamma", ctx.options.vaegan_gamma, defaults.vaegan_gamma);
    tag("features", ctx.options.vaegan_features, defaults.vaegan_features);
    tag("epochs", double(ctx.options.vaegan_epochs), double(defaults.vaegan_epochs));
    if (c.quick) suffix += "-quick";
    const GameFiles files{fs::path(c.checkpoint_dir) / ("training-vaegan-vae" + suffix + ".safetensors"),
                          fs::path(c.checkpoint_dir) / ("training-vaegan-d" + suffix + ".safetensors")};
    nlohmann::json saved;
    TrainingPosition position = resume_game(files, c.resume, vae, vae_optimizer, d, d_optimizer, rng, saved);
    History h = history_from(saved);
    ProgressLine progress(epochs, batcher.batches_per_epoch());
    for (std::size_t epoch = std::size_t(position.epoch) + 1; epoch <= epochs; ++epoch) {
        vae.train(), d.train();
        Stopwatch clock;
        progress.begin_epoch(epoch);
        for (const auto& idx : batcher.epoch_batches()) {
            const double lr_scale = optim::linear_decay(1, std::size_t(position.step), total_steps);
            vae_optimizer.lr = real(kVaeLr * lr_scale), d_optimizer.lr = real(kDLr * lr_scale);
            const Tensor x = data::images_to_tensor(ctx.train, idx, 0, 1);          // (B, 784), grey levels in [0, 1]
            const Tensor eps = Tensor::randn({idx.size(), kVaeLatent}, rng);       // ε ~ N(0, I) (B, latent)
            const Tensor z_prior = Tensor::randn({idx.size(), kVaeLatent}, rng);   // z_p ~ N(0, I) (B, latent)
            const auto s = models::vae_gan_step(vae, d, vae_optimizer, d_optimizer, x, eps, z_prior, weights);
            check_finite(std::size_t(++position.step), {{"d_loss", s.d_loss}, {"loss", s.loss}});
            progress.step(idx.size(), {{"L_D", s.d_loss}, {"D(x)", s.d_real}, {"D(fake)", s.d_fake},
                                       {"-elbo", s.reconstruction + s.kl}, {"rec", s.reconstruction}, {"kl", s.kl},
                                       {"adv", s.adversarial}, {"feat", s.feature_error}});
        }
        const Terms means = progress.end_epoch();
        h.seconds.push_back(clock.seconds());
        vae.eval();
        Rng monitor_rng(c.seed + 2000 + epoch);
        const double fd = [&] {
            NoGradGuard no_grad;
            return models::score_samples(ctx.evaluator, vae.decode_images(Tensor::randn({kMonitor, kVaeLatent}, monitor_rng)),
                                         ctx.reference).fd;
        }();
        std::fprintf(stderr, "  prior FD (%zu samples) %.2f\n", kMonitor, fd);
        h.epoch.push_back(double(epoch));
        h.d_loss.push_back(means[0].second), h.d_real.push_back(means[1].second), h.d_fake.push_back(means[2].second);
        h.neg_elbo.push_back(means[3].second), h.reconstruction.push_back(means[4].second);
        h.kl.push_back(means[5].second), h.adversarial.push_back(means[6].second);
        h.feature_error.push_back(means[7].second), h.prior_fd.push_back(fd);
        position.epoch = std::int64_t(epoch);
        position.rng_state = rng.state();
        save_game(files, vae, vae_optimizer, d, d_optimizer, position, to_json(h));
    }
    vae.eval();
    double train_seconds = 0;
    for (double s : h.seconds) train_seconds += s;
    save_module(fs::path(c.checkpoint_dir) / (c.quick ? "vaegan-quick.safetensors" : "vaegan.safetensors"), vae);

    // §2.4 measure, with the same draws as the conv VAE's
    Rng after_rng(c.seed + 3000);
    const VaeScores after = score_vae(vae, ctx, scored, after_rng);

    // figures: the same codes through both decoders; reconstructions of the same test images
    {
        NoGradGuard no_grad;
        Rng fixed(c.seed + 1000);
        const Tensor z = Tensor::randn({64, kVaeLatent}, fixed);  // (64, latent)
        write_grid_png(out / "vaegan_samples.png", side_by_side({base.decode_images(z), vae.decode_images(z)}, 8, 8),
                       28, 28, 8, 17, 0, 1, 2);
        const Tensor x = data::first_images(ctx.test, 10);  // (10, 784)
        write_grid_png(out / "vaegan_reconstructions.png",
                       concat({x, base.decode_images(base.encode(x).mu), vae.decode_images(vae.encode(x).mu)}, 0), 28, 28,
                       3, 10, 0, 1, 3);
    }
    plot::line_plot(out / "vaegan_fd.png", "VAE-GAN: FD of 1,000 prior samples per epoch", "epoch", "FD",
                    {{"VAE-GAN", h.epoch, h.prior_fd}});
    plot::line_plot(out / "vaegan_losses.png", "VAE-GAN: training terms per epoch (nats per image; L_D, adv per image)",
                    "epoch", "mean", {{"L_D", h.epoch, h.d_loss}, {"adversarial", h.epoch, h.adversarial}, {"KL", h.epoch, h.kl}});

    auto& m = ctx.metrics;
    m["convvae_prior_fd"] = before.prior_fd;
    m["convvae_test_neg_elbo"] = before.test_neg_elbo;
    m["convvae_reconstruction_agreement"] = before.reconstruction_agreement;
    m["convvae_reconstruction_agreement_per_class"] = before.reconstruction_agreement_per_class;
    m["convvae_classes_at_least_5pct"] = before.classes_at_least_5pct;
    m["convvae_source"] = baseline.source;
    m["train_seconds_convvae"] = baseline.seconds;
    m["vaegan_prior_fd"] = after.prior_fd;
    m["vaegan_test_neg_elbo"] = after.test_neg_elbo;
    m["vaegan_reconstruction_agreement"] = after.reconstruction_agreement;
    m["vaegan_reconstruction_agreement_per_class"] = after.reconstruction_agreement_per_class;
    m["vaegan_classes_at_least_5pct"] = after.classes_at_least_5pct;
    m["vaegan_class_histogram"] = after.class_histogram;
    m["vaegan_prior_fd_over_convvae"] = after.prior_fd / before.prior_fd;
    m["vaegan_kl_weight"] = double(weights.beta);
    m["vaegan_adversarial_weight"] = double(weights.adversarial);
    m["vaegan_feature_weight"] = double(weights.feature_matching);
    m["vaegan_epochs"] = h.epoch.empty() ? 0.0 : h.epoch.back();
    m["vaegan_history"] = to_json(h);
    m["vaegan_scored_samples"] = scored;
    m["train_seconds_vaegan"] = train_seconds;
    auto& s = ctx.summary;
    s.add_row({"vaegan", "conv VAE: prior FD / test −ELBO", SummaryTable::Cell(std::to_string(int(before.prior_fd * 100) / 100.0).substr(0, 6) + " / " + std::to_string(before.test_neg_elbo).substr(0, 6))});
    s.add_row({"vaegan", "VAE-GAN: prior FD", SummaryTable::Cell(after.prior_fd, 4)});
    s.add_row({"vaegan", "VAE-GAN: test −ELBO (nats/image)", SummaryTable::Cell(after.test_neg_elbo, 5)});
    s.add_row({"vaegan", "VAE-GAN: reconstructions classified as source", SummaryTable::Cell(after.reconstruction_agreement, 3)});
    s.add_row({"vaegan", "training seconds", SummaryTable::Cell(train_seconds, 3)});
}

}  // namespace chapter06
