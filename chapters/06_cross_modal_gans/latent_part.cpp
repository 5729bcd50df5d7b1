// Part 3 (README §3): a GAN in the conv VAE's latent space — 003 §1.3.1 read literally, and
// Dai & Wipf's two-stage VAE idea with a GAN as the second stage (models/latent_gan.hpp).
//
//   1. stage 1: chapter 05's conv VAE (the same as part 2's starting point)
//   2. its codes: q(z|x) of the 60,000 training images, a fresh z ~ q(z|x) each batch
//   3. stage 2: chapter 02's MLP GAN on 20-number codes, the alternating loop written out
//   4. sample z = G₂(u) and decode; FD beside the same VAE's prior samples
//   5. (§3.4) the same codes fitted by mixtures of Gaussians instead (latent_mixtures.cpp)
//   6. (§3.5) the VAE-GAN of part 2 with a mixture on its own codes: both repairs at once
#include <cstdio>
#include <optional>

#include <mmgen/core/autograd.hpp>
#include <mmgen/core/ops.hpp>
#include <mmgen/io/image.hpp>
#include <mmgen/models/gan.hpp>
#include <mmgen/models/latent_gan.hpp>
#include <mmgen/models/scoring.hpp>
#include <mmgen/report/plot.hpp>

#include "chapter06.hpp"

using namespace mmgen;
namespace fs = std::filesystem;

namespace chapter06 {
namespace {

// Hidden units of each player's two hidden layers.
constexpr std::size_t kHidden = 256;
// Passes over the 60,000 codes (a step is a few ms: the players are small).
constexpr std::size_t kEpochs = 30;
// Adam for both players, β₁ = 0.5; linear decay over the second half.
constexpr double kLr = 2e-4, kBeta1 = 0.5, kBeta2 = 0.999;
// Samples scored at the end, and per epoch.
constexpr std::size_t kScored = 10000, kMonitor = 1000, kQuickScored = 500;
// A --quick run.
constexpr std::size_t kQuickTrain = 2000, kQuickEpochs = 2;

}  // namespace

void run_latent(PartContext& ctx) {
    const auto& c = ctx.options.common;
    const fs::path out = c.out;

    // §3.1 stage 1
    Rng init(c.seed + 1);
    models::ConvVae vae(kVaeLatent, init, chapter05_widths());
    const auto baseline = conv_vae_baseline(vae, ctx);

    // §3.2 the codes the encoder gives the training images
    const std::size_t n = c.quick ? kQuickTrain : ctx.train.n;
    const models::Posterior codes = models::encode_dataset(vae, ctx.train, n);  // μ, log σ² (n, 20)

    // §3.2 stage 2: an MLP GAN on the codes
    Rng rng(c.seed + 2);
    const models::GanConfig config = models::latent_gan_config(kVaeLatent, kHidden);
    models::Generator g(config, rng);
    models::Discriminator d(config, rng);
    optim::Adam g_optimizer(g.parameters(), real(kLr), real(kBeta1), real(kBeta2));
    optim::Adam d_optimizer(d.parameters(), real(kLr), real(kBeta1), real(kBeta2));
    std::printf("stage 2: G u %zu -> %zu -> %zu -> z %zu, D z -> %zu -> %zu -> logit: %zu + %zu parameters\n", kVaeLatent,
                kHidden, kHidden, kVaeLatent, kHidden, kHidden, g.parameter_count(), d.parameter_count());
    data::Batcher batcher(n, c.batch_size, rng, /*drop_last=*/true);
    const std::size_t epochs = c.quick ? kQuickEpochs : kEpochs, total_steps = epochs * batcher.batches_per_epoch();
    const std::string suffix = c.quick ? "-quick" : "";
    const GameFiles files{fs::path(c.checkpoint_dir) / ("training-latent-g" + suffix + ".safetensors"),
                          fs::path(c.checkpoint_dir) / ("training-latent-d" + suffix + ".safetensors")};
    nlohmann::json saved;
    TrainingPosition position = resume_game(files, c.resume, g, g_optimizer, d, d_optimizer, rng, saved);
    std::vector<double> epoch_axis, d_losses, g_losses, fds, seconds;
    if (!saved.is_null()) {
        saved.at("epoch").get_to(epoch_axis), saved.at("d_loss").get_to(d_losses), saved.at("g_loss").get_to(g_losses);
        saved.at("fd_monitor").get_to(fds), saved.at("epoch_seconds").get_to(seconds);
    }
    ProgressLine progress(epochs, batcher.batches_per_epoch());
    for (std::size_t epoch = std::size_t(position.epoch) + 1; epoch <= epochs; ++epoch) {
        g.train(), d.train();
        Stopwatch clock;
        progress.begin_epoch(epoch);
        for (const auto& idx : batcher.epoch_batches()) {
            g_optimizer.lr = d_optimizer.lr = real(optim::linear_decay(kLr, std::size_t(position.step), total_steps));
            const Tensor z = models::sample_codes(codes, idx, rng);            // (B, 20), z ~ q(z|x): the "data"
            const Tensor fake = g(Tensor::randn({idx.size(), kVaeLatent}, rng));  // (B, 20), G₂(u), with G's graph
            const auto ds = models::discriminator_step(d, d_optimizer, z, fake);
            const auto gs = models::generator_step(d, g_optimizer, fake);
            check_finite(std::size_t(++position.step), {{"d_loss", ds.loss}, {"g_loss", gs.loss}});
            progress.step(idx.size(), {{"L_D", ds.loss}, {"L_G", gs.loss}, {"D(z)", ds.d_real}, {"D(G(u))", ds.d_fake}});
        }
        const Terms means = progress.end_epoch();
        seconds.push_back(clock.seconds());
        Rng monitor_rng(c.seed + 2000 + epoch);
        const double fd = models::score_samples(ctx.evaluator, models::two_stage_images(vae, g, kMonitor, monitor_rng),
                                                ctx.reference).fd;
        std::fprintf(stderr, "  two-stage FD (%zu samples) %.2f\n", kMonitor, fd);
        epoch_axis.push_back(double(epoch)), d_losses.push_back(means[0].second), g_losses.push_back(means[1].second);
        fds.push_back(fd);
        position.epoch = std::int64_t(epoch);
        position.rng_state = rng.state();
        save_game(files, g, g_optimizer, d, d_optimizer, position,
                  {{"epoch", epoch_axis}, {"d_loss", d_losses}, {"g_loss", g_losses}, {"fd_monitor", fds}, {"epoch_seconds", seconds}});
    }
    double train_seconds = 0;
    for (double s : seconds) train_seconds += s;
    save_module(fs::path(c.checkpoint_dir) / (c.quick ? "latent_gan_generator-quick.safetensors" : "latent_gan_generator.safetensors"), g);

    // §3.3 sample both ways and score: the prior N(0, I) and the GAN stage, through the same decoder
    const std::size_t scored = c.quick ? kQuickScored : kScored;
    Rng prior_rng(c.seed + 3000), two_stage_rng(c.seed + 3000);
    const VaeScores prior = score_vae(vae, ctx, scored, prior_rng);  // part 2's draws: the same figure
    NoGradGuard no_grad;
    const auto two_stage = models::score_samples(ctx.evaluator, models::two_stage_images(vae, g, scored, two_stage_rng),
                                                 ctx.reference);

    // §3.4 stage 2 without an adversary: mixtures of Gaussians by EM, and q(z) itself
    const MixtureStudy mixtures = study_mixtures(vae, codes, ctx, scored);
    const MixtureResult& chosen = mixtures.results[mixtures.chosen];

    // §3.5 both repairs at once: the VAE-GAN's decoder (§2), its codes from a mixture (as many
    // components as §3.4 chose) fitted to its own encoder's codes
    Rng fixed(c.seed + 1000), fixed_again(c.seed + 1000), fixed_mixture(c.seed + 1000), fixed_both(c.seed + 1000);
    std::vector<Tensor> panels = {vae.decode_images(Tensor::randn({64, kVaeLatent}, fixed)),
                                  models::two_stage_images(vae, g, 64, fixed_again),
                                  vae.decode_images(models::sample_mixture(mixtures.mixture, 64, fixed_mixture))};
    std::optional<MixtureResult> both;
    const fs::path vaegan_file = fs::path(c.checkpoint_dir) / (c.quick ? "vaegan-quick.safetensors" : "vaegan.safetensors");
    if (fs::exists(vaegan_file)) {
        Rng vaegan_init(c.seed + 1);
        models::ConvVae vaegan(kVaeLatent, vaegan_init, chapter05_widths());
        load_module(vaegan_file, vaegan);
        vaegan.eval();
        std::printf("the VAE-GAN (%s) with a mixture of %zu Gaussians on its codes:\n", vaegan_file.string().c_str(),
                    chosen.components);
        models::GaussianMixture mixture;
        both = fit_and_score_mixture(vaegan, split_codes(models::encode_dataset(vaegan, ctx.train, n), c.seed + 4000),
                                     chosen.components, ctx, scored, mixture);
        panels.push_back(vaegan.decode_images(models::sample_mixture(mixture, 64, fixed_both)));
    } else {
        std::printf("part vaegan has not saved its model (%s): the VAE-GAN with a mixture is not measured\n",
                    vaegan_file.string().c_str());
    }
    write_grid_png(out / "two_stage_samples.png", side_by_side(panels, 8, 8), 28, 28, 8, 9 * panels.size() - 1, 0, 1, 2);
    plot_mixtures(out / "latent_mixtures.png", mixtures, prior.prior_fd, two_stage.fd);
    plot::line_plot(out / "latent_fd.png", "Two-stage sampler: FD of 1,000 samples per epoch of stage 2", "epoch", "FD",
                    {{"two-stage", epoch_axis, fds},
                     {"VAE prior (no stage 2)", {epoch_axis.front(), epoch_axis.back()}, {prior.prior_fd, prior.prior_fd}}});

    auto& m = ctx.metrics;
    m["convvae_prior_fd"] = prior.prior_fd;
    m["convvae_test_neg_elbo"] = prior.test_neg_elbo;
    m["convvae_classes_at_least_5pct"] = prior.classes_at_least_5pct;
    m["convvae_source"] = baseline.source;
    m["two_stage_fd"] = two_stage.fd;
    m["two_stage_classes_at_least_5pct"] = two_stage.classes_at_least_5pct;
    m["two_stage_class_histogram"] = two_stage.class_histogram;
    m["two_stage_fd_over_prior_fd"] = two_stage.fd / prior.prior_fd;
    m["two_stage_history"] = {{"epoch", epoch_axis}, {"d_loss", d_losses}, {"g_loss", g_losses}, {"fd_monitor", fds}};
    m["two_stage_epochs"] = epochs;
    m["two_stage_mixture_fd"] = chosen.scores.fd;
    m["two_stage_mixture_components"] = chosen.components;
    m["two_stage_mixture_classes_at_least_5pct"] = chosen.scores.classes_at_least_5pct;
    m["two_stage_mixture_fd_over_prior_fd"] = chosen.scores.fd / prior.prior_fd;
    m["two_stage_mixture_sweep"] = to_json(mixtures);
    m["gaussian_fit_fd"] = mixtures.results.front().scores.fd;  // K = 1
    m["aggregate_posterior_fd"] = mixtures.posterior.fd;
    m["aggregate_posterior_classes_at_least_5pct"] = mixtures.posterior.classes_at_least_5pct;
    m["aggregate_posterior_fd_over_prior_fd"] = mixtures.posterior.fd / prior.prior_fd;
    if (both) {
        m["vaegan_two_stage_fd"] = both->scores.fd;
        m["vaegan_two_stage_classes_at_least_5pct"] = both->scores.classes_at_least_5pct;
        m["vaegan_two_stage_fd_over_convvae"] = both->scores.fd / prior.prior_fd;
    }
    double mixture_seconds = 0;
    for (const auto& r : mixtures.results) mixture_seconds += r.seconds;
    m["train_seconds_latent_mixtures"] = mixture_seconds;
    m["train_seconds_latent"] = train_seconds;
    auto& s = ctx.summary;
    s.add_row({"latent", "conv VAE prior: FD", SummaryTable::Cell(prior.prior_fd, 4)});
    s.add_row({"latent", "two-stage: FD", SummaryTable::Cell(two_stage.fd, 4)});
    s.add_row({"latent", "two-stage: classes with ≥ 5%", SummaryTable::Cell(static_cast<unsigned long>(two_stage.classes_at_least_5pct))});
    s.add_row({"latent", "two-stage, Gaussian mixture (K = " + std::to_string(chosen.components) + "): FD",
               SummaryTable::Cell(chosen.scores.fd, 4)});
    s.add_row({"latent", "q(z) itself (training codes): FD", SummaryTable::Cell(mixtures.posterior.fd, 4)});
    s.add_row({"latent", "training seconds (stage 2)", SummaryTable::Cell(train_seconds, 3)});
    s.add_row({"latent", "EM seconds (all K)", SummaryTable::Cell(mixture_seconds, 3)});
}

}  // namespace chapter06
