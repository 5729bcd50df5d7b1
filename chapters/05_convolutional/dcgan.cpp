// Part 3: the DCGAN of 003 §1.5.3–1.5.4, corrected (README §3). The same game as chapter 02 —
// models/gan's losses, discriminator_step, generator_step and sampling — with convolutional
// players (models/dcgan.hpp):
//
//   G  z (64) → Linear → (64, 7, 7) → BN → ReLU → ConvT k4 s2 → (32, 14, 14) → BN → ReLU
//             → ConvT k4 s2 → (1, 28, 28) → tanh
//   D  (1, 28, 28) → Conv k4 s2 → (32, 14, 14) → LeakyReLU 0.2 → Conv k4 s2 → (64, 7, 7) → BN
//             → LeakyReLU 0.2 → Linear → logit
//
// run_dcgan: §3.1 the recipe, §3.2 the training loop (train_gan), §3.3 sampling and the scores
// beside chapter 02's MLP GAN, §3.4 the ablations; --generate N is §3.3's sampling on its own.
#include <algorithm>
#include <cstdio>

#include <mmgen/core/ops.hpp>
#include <mmgen/io/checkpoint.hpp>
#include <mmgen/io/data.hpp>
#include <mmgen/io/image.hpp>
#include <mmgen/nn/optim.hpp>

#include "dcgan_part.hpp"

using namespace mmgen;
namespace fs = std::filesystem;

namespace chapter05 {

namespace {
// The size of the noise vector z fed to the generator.
constexpr std::size_t kLatent = 64;
// A --quick run makes one pass over kQuickTrain images (the default's epochs: Options::dcgan_epochs).
constexpr std::size_t kQuickEpochs = 1, kQuickTrain = 5000;
// Adam for both players: the DCGAN paper's lr 2e-4 and β₁ = 0.5 (β₂ = 0.999).
constexpr double kLr = 2e-4, kBeta1 = 0.5, kBeta2 = 0.999;
// D's target for real images: 1, no label smoothing.
constexpr double kRealLabel = 1.0;
// The learning rate falls linearly to 0 over the last half of the steps (README §3.1).
constexpr bool kLrDecay = true;
constexpr double kDecayFraction = 0.5;
// Generated images scored at the end (every FD of the chapter uses 10,000), and per epoch.
constexpr std::size_t kScoredSamples = 10000, kMonitorSamples = 2000, kQuickScored = 1000;
// Each ablation (and the default recipe beside them) makes one pass over the first
// kAblationImages training images: 78 steps of batch 128.
constexpr std::size_t kAblationEpochs = 1, kAblationImages = 10000;
// --generate N draws its codes from this seed offset, apart from training's and scoring's.
constexpr std::uint64_t kGenerateSeedOffset = 7000;

const char* kGeneratorFile = "dcgan_generator.safetensors";
const char* kDiscriminatorFile = "dcgan_discriminator.safetensors";

std::string two_digits(std::size_t n) { return (n < 10 ? "0" : "") + std::to_string(n); }
}  // namespace

nlohmann::json to_json(const GanRecipe& r) {
    return {{"epochs", r.epochs},       {"batch_size", r.batch_size}, {"lr", r.lr},
            {"beta1", r.beta1},         {"beta2", r.beta2},           {"real_label", r.real_label},
            {"lr_decay", r.lr_decay},   {"decay_fraction", r.decay_fraction},
            {"train_images", r.train_images}, {"g_loss", "non-saturating"}};
}

nlohmann::json to_json(const GanHistory& h) {
    return {{"epoch", h.epoch},   {"d_loss", h.d_loss},         {"g_loss", h.g_loss},
            {"d_real", h.d_real}, {"d_fake", h.d_fake},         {"fd_2000_samples", h.fd_monitor},
            {"classes_at_least_5pct_2000_samples", h.classes_monitor}, {"epoch_seconds", h.seconds}};
}

// --- §3.2 the training loop ------------------------------------------------------------------

GanHistory train_gan(nn::Module& g, nn::Module& d, std::size_t latent, const GanRecipe& r,
                     const data::Dataset& train, Rng& rng, const AfterEpoch& after_epoch) {
    optim::Adam g_optimizer(g.parameters(), real(r.lr), real(r.beta1), real(r.beta2));
    optim::Adam d_optimizer(d.parameters(), real(r.lr), real(r.beta1), real(r.beta2));
    data::Batcher batcher(train.n, r.batch_size, rng, /*drop_last=*/true,
                          r.train_images ? std::optional<std::size_t>(r.train_images) : std::nullopt);
    const std::size_t total_steps = r.epochs * batcher.batches_per_epoch();
    g.train(), d.train();
    GanHistory h;
    ProgressLine progress(r.epochs, batcher.batches_per_epoch());
    std::size_t step = 0;
    for (std::size_t epoch = 1; epoch <= r.epochs; ++epoch) {
        Stopwatch clock;
        progress.begin_epoch(epoch);
        for (const auto& idx : batcher.epoch_batches()) {
            if (r.lr_decay)  // held, then linear to 0 at the last step
                g_optimizer.lr = d_optimizer.lr = real(optim::linear_decay(r.lr, step, total_steps, r.decay_fraction));
            const Tensor real_images = data::images_to_tensor(train, idx, -1, 1);  // (B, 784), in [−1, 1] like tanh
            const Tensor z = Tensor::randn({idx.size(), latent}, rng);            // (B, latent), z ~ N(0, I)
            const Tensor fake = g(z);                                              // (B, 784), with G's graph
            // 1. D: real → real_label, fake.detach() → 0 (each batch through D's batch norm on its own)
            const auto ds = models::discriminator_step(d, d_optimizer, real_images, fake, real(r.real_label));
            // 2. G: D(G(z)) → 1 through the just-updated D, which the step leaves unchanged
            const auto gs = models::generator_step(d, g_optimizer, fake, models::GeneratorLoss::non_saturating);
            check_finite(++step, {{"d_loss", ds.loss}, {"g_loss", gs.loss}});
            progress.step(idx.size(), {{"L_D", ds.loss}, {"L_G", gs.loss}, {"D(x)", ds.d_real}, {"D(G(z))", ds.d_fake}});
        }
        const Terms means = progress.end_epoch();
        h.seconds.push_back(clock.seconds());
        h.epoch.push_back(double(epoch));
        h.d_loss.push_back(means[0].second), h.g_loss.push_back(means[1].second);
        h.d_real.push_back(means[2].second), h.d_fake.push_back(means[3].second);
        if (after_epoch) after_epoch(epoch, h);
    }
    return h;
}

// --- the part, in the README's order -----------------------------------------------------------

PartOutcome run_dcgan(PartContext& ctx) {
    const auto& c = ctx.options.common;
    const fs::path out = c.out;

    // §3.1 the networks and the recipe
    models::DcganConfig config;  // the defaults are the networks
    config.init = ctx.options.layer_init();
    GanRecipe recipe;
    recipe.epochs = c.quick ? kQuickEpochs : ctx.options.dcgan_epochs;
    recipe.batch_size = c.batch_size;
    recipe.lr = kLr, recipe.beta1 = kBeta1, recipe.beta2 = kBeta2, recipe.real_label = kRealLabel;
    recipe.lr_decay = kLrDecay, recipe.decay_fraction = kDecayFraction;
    recipe.train_images = c.quick ? kQuickTrain : 0;
    Rng rng(c.seed);
    models::DcganGenerator g(config, rng);
    models::DcganDiscriminator d(config, rng);
    std::printf("G %zu -> Linear -> (%zu, 7, 7) -> ConvT -> (%zu, 14, 14) -> ConvT -> (1, 28, 28): %zu parameters\n",
                config.latent, 2 * config.generator_channels, config.generator_channels, g.parameter_count());
    std::printf("D (1, 28, 28) -> Conv -> (%zu, 14, 14) -> Conv -> (%zu, 7, 7) -> Linear -> logit: %zu parameters\n",
                config.discriminator_channels, 2 * config.discriminator_channels, d.parameter_count());
    std::printf("recipe: %s\n", to_json(recipe).dump().c_str());

    // §3.2 train, with a grid from the same 100 codes and a 2000-sample FD after each epoch
    Rng fixed_rng(c.seed + 1000);
    const Tensor fixed_z = Tensor::randn({100, kLatent}, fixed_rng);  // (100, latent)
    auto after_epoch = [&](std::size_t epoch, GanHistory& h) {
        write_grid_png(out / ("dcgan_samples_epoch_" + two_digits(epoch) + ".png"),
                       models::to_unit_range(models::generate(g, fixed_z)), 28, 28, 10, 10, 0, 1, 2);
        Rng monitor_rng(c.seed + 2000 + epoch);
        const auto monitor = models::score_samples(
            ctx.evaluator, models::sample_images(g, kMonitorSamples, kLatent, monitor_rng), ctx.reference);
        std::fprintf(stderr, "  FD (%zu samples) %.2f, classes with >= 5%%: %zu\n", kMonitorSamples, monitor.fd,
                     monitor.classes_at_least_5pct);
        h.fd_monitor.push_back(monitor.fd), h.classes_monitor.push_back(double(monitor.classes_at_least_5pct));
    };
    const GanHistory history = train_gan(g, d, kLatent, recipe, ctx.train, rng, after_epoch);
    double train_seconds = 0;
    for (double s : history.seconds) train_seconds += s;
    save_module(fs::path(c.checkpoint_dir) / kGeneratorFile, g);
    save_module(fs::path(c.checkpoint_dir) / kDiscriminatorFile, d);

    // §3.3 sample (G in eval mode: batch norm on its running statistics) and score
    const std::size_t scored = c.quick ? kQuickScored : kScoredSamples;
    Rng score_rng(c.seed + 3000);
    const auto scores =
        models::score_samples(ctx.evaluator, models::sample_images(g, scored, kLatent, score_rng), ctx.reference);
    const MlpGanBaseline mlp = mlp_gan_baseline(ctx, fixed_z, scored);

    // §3.4 what each DCGAN choice does: one short run without it, beside the recipe's own short run
    GanRecipe short_recipe = recipe;
    short_recipe.epochs = c.quick ? kQuickEpochs : kAblationEpochs;
    short_recipe.train_images = c.quick ? kQuickTrain : kAblationImages;
    const auto ablations = run_ablations(ctx, config, short_recipe, fixed_z, scored);

    const DcganResults results{recipe, config, history, scores, scored, train_seconds, mlp, ablations};
    dcgan_figures(out, g, fixed_z, results);
    dcgan_report(ctx, results);
    return {train_seconds};
}

// --- --generate N ------------------------------------------------------------------------------

int generate_dcgan(const Options& o) {
    const auto& c = o.common;
    const fs::path file = fs::path(c.checkpoint_dir) / kGeneratorFile;
    if (!fs::exists(file)) {
        std::fprintf(stderr, "ch05_convolutional: --generate needs a trained DCGAN at %s; run --part dcgan first\n",
                     file.string().c_str());
        return 1;
    }
    Rng init(c.seed);
    models::DcganGenerator g(models::DcganConfig{}, init);
    load_module(file, g);
    Rng rng(c.seed + kGenerateSeedOffset);
    const Tensor images = models::sample_images(g, o.generate, kLatent, rng);  // (N, 784) in [0, 1]
    const fs::path png = fs::path(c.out) / "generated.png";
    write_png(png, images, 28, 28);
    std::printf("%zu DCGAN samples in %s\n", o.generate, png.string().c_str());
    return 0;
}

}  // namespace chapter05
