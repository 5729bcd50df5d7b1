// Chapter 02 — a plain GAN: the 2-D toy and Fashion-MNIST.
//
// Read with README.md beside it. run() follows the README:
//   §2–§3  the minimax objective and the optimal D                       models/gan.hpp (the losses)
//   §4     why log(1 − D(G(z))) saturates: both losses' gradients         saturation_figure (figures.cpp)
//   §5     the alternating loop, step by step                             discriminator_step, generator_step
//   §6     Part A, the 2-D toy (a ring of 8 Gaussians): the same G and D   toy_part → train_toy
//          from one start, with the minimax and the non-saturating loss    (the loop, written out)
//   §7     Part B, Fashion-MNIST: MLP G 64→256→512→784, D 784→512→256→1,   fashion_part
//          scored with the chapter-01 evaluator                            (the loop, written out)
//   §8     results: figures.cpp draws them, report.cpp writes metrics.json and the summary tables
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <numeric>

#include <mmgen/core/gemm.hpp>
#include <mmgen/core/ops.hpp>
#include <mmgen/io/checkpoint.hpp>
#include <mmgen/io/data.hpp>
#include <mmgen/io/image.hpp>
#include <mmgen/nn/optim.hpp>

#include "02_gan/gan_chapter.hpp"

using namespace mmgen;
using namespace gan_chapter;
namespace fs = std::filesystem;

// --- Part A: the toy ------------------------------------------------------------------------------
// The data: a ring of 8 Gaussians, radius 2, σ 0.02 (models::RingOfGaussians).
// The size of the noise vector z fed to the toy generator: 2, a plane mapped onto the plane.
constexpr std::size_t kToyLatent = 2;
// Width of the three hidden layers of G (2 → 128 → 128 → 128 → 2, ReLU) and of D
// (2 → 128 → 128 → 128 → 1, LeakyReLU 0.2).
constexpr std::size_t kToyHidden = 128;
// Points per batch, real and generated alike.
constexpr std::size_t kToyBatch = 256;
// Alternating iterations (one D step + one G step each), and in a --quick run.
constexpr std::size_t kToySteps = 4000, kQuickToySteps = 2000;
// Adam for both players: learning rate at the start — decayed linearly to 0 at the last step,
// so that G settles onto the modes instead of circling them — and β₁ (β₂ = 0.999).
constexpr double kToyLr = 1e-3, kToyBeta1 = 0.5;
// Samples scored for modes covered and high-quality fraction, at the end and every kToyEvalEvery steps.
constexpr std::size_t kToyEvalSamples = 10000, kToyEvalEvery = 250;

// --- Part B: Fashion-MNIST ------------------------------------------------------------------------
constexpr std::size_t kEpochs = 20;
constexpr std::size_t kLatent = 64;  // size of z
// Adam: lr 2e-4, β = (0.5, 0.999) — the DCGAN settings, which the recipe uses.
constexpr double kLr = 2e-4, kBeta1 = 0.5, kBeta2 = 0.999;
// The default recipe's one departure from the plain recipe (README §7): dropout
// p = 0.5 after each hidden layer of D, which more than halves the Fréchet distance and fills
// all ten classes.
constexpr double kDropout = 0.5;
// D's target for real images; < 1 is one-sided label smoothing, measured neutral here (README).
constexpr double kRealLabel = 1.0;
// Generated images scored at the end, and per epoch while training (a cheaper, noisier FD).
constexpr std::size_t kScoredSamples = 10000, kMonitorSamples = 2000;
// A --quick run: this many training images, epochs, and scored samples.
constexpr std::size_t kQuickTrain = 5000, kQuickEpochs = 2, kQuickScored = 1000;

// --- §6 Part A: the 2-D toy -------------------------------------------------------------------

ToyRun train_toy(GeneratorLoss loss, const Options& o) {
    Stopwatch clock;
    const std::size_t steps = o.common.quick ? kQuickToySteps : o.toy_steps, latent = o.toy_latent;
    ToyRun run{loss, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, 0};
    const models::RingOfGaussians ring;
    Rng rng(o.common.seed);  // the same seed for both losses: the same initial G and D, the same data
    models::GanConfig config;
    config.data = 2, config.latent = latent, config.tanh_output = false;
    config.generator_hidden = config.discriminator_hidden = {kToyHidden, kToyHidden, kToyHidden};
    config.generator_activation = o.toy_g_activation == "relu" ? nn::Activation::relu : nn::Activation::leaky_relu;
    models::Generator g(config, rng);
    models::Discriminator d(config, rng);
    optim::Adam g_optimizer(g.parameters(), real(kToyLr), real(kToyBeta1), real(0.999));
    optim::Adam d_optimizer(d.parameters(), real(kToyLr), real(kToyBeta1), real(0.999));

    // snapshots at 0, 1/32, 1/8, 1/4, 1/2 and all of the run
    const std::vector<std::size_t> snapshot_at = {0, steps / 32, steps / 8, steps / 4, steps / 2, steps};
    const std::size_t window = std::max<std::size_t>(1, steps / 160);
    double sums[4] = {0, 0, 0, 0};
    Rng sample_rng(o.common.seed + 1);  // draws for the figures, apart from the training stream
    for (std::size_t step = 0; step <= steps; ++step) {
        if (std::find(snapshot_at.begin(), snapshot_at.end(), step) != snapshot_at.end())
            run.snapshots.emplace_back(step, models::generate(g, 1000, latent, sample_rng));
        if (step % kToyEvalEvery == 0) {
            const auto c = models::mode_coverage(models::generate(g, 2000, latent, sample_rng), ring);
            run.eval_step.push_back(double(step)), run.modes.push_back(double(c.modes_covered));
            run.high_quality.push_back(c.high_quality_fraction);
        }
        if (step == steps) break;
        if (!o.toy_constant_lr)  // linear decay to 0
            g_optimizer.lr = d_optimizer.lr = real(kToyLr * (1 - double(step) / double(steps)));
        const Tensor real_points = ring.sample(o.toy_batch, rng);     // (B, 2)
        const Tensor z = Tensor::randn({o.toy_batch, latent}, rng);   // (B, latent)
        const Tensor fake = g(z);                                     // (B, 2), with G's graph
        const auto ds = models::discriminator_step(d, d_optimizer, real_points, fake);  // 1. D on real and fake
        const auto gs = models::generator_step(d, g_optimizer, fake, loss);             // 2. G through D
        check_finite(step + 1, {{"d_loss", ds.loss}, {"g_loss", gs.loss}});
        sums[0] += ds.loss, sums[1] += gs.loss, sums[2] += ds.d_real, sums[3] += ds.d_fake;
        if ((step + 1) % window == 0) {
            run.step.push_back(double(step + 1));
            run.d_loss.push_back(sums[0] / double(window)), run.g_loss.push_back(sums[1] / double(window));
            run.d_real.push_back(sums[2] / double(window)), run.d_fake.push_back(sums[3] / double(window));
            std::fill(std::begin(sums), std::end(sums), 0.0);
        }
    }
    run.final_samples = models::generate(g, kToyEvalSamples, latent, sample_rng);
    run.final_coverage = models::mode_coverage(run.final_samples, ring);
    run.surface = models::decision_surface(d);
    run.seconds = clock.seconds();
    return run;
}

int toy_part(const Options& o, MetricsJson& metrics) {
    const auto& c = o.common;
    const std::size_t steps = c.quick ? kQuickToySteps : o.toy_steps;
    std::printf("\n== A. The 2-D toy: a ring of 8 Gaussians (radius 2, sigma 0.02)\n\n");
    std::printf("G %zu → %zu → %zu → %zu → 2 (%s), D 2 → %zu → %zu → %zu → 1 (leaky_relu); %zu steps of batch %zu; "
                "Adam lr %g%s, beta1 %g\n",
                o.toy_latent, kToyHidden, kToyHidden, kToyHidden, o.toy_g_activation.c_str(), kToyHidden, kToyHidden,
                kToyHidden, steps, o.toy_batch, kToyLr, o.toy_constant_lr ? " (constant)" : " decayed linearly to 0",
                kToyBeta1);
    // the toy's matrices are tiny (256 × 128): a second OpenBLAS thread costs more than it saves
    set_blas_threads(1);
    std::vector<ToyRun> runs;
    for (GeneratorLoss loss : {GeneratorLoss::minimax, GeneratorLoss::non_saturating}) {
        runs.push_back(train_toy(loss, o));
        const auto& r = runs.back();
        std::printf("  %-15s modes covered %zu/8, high-quality fraction %.3f  (%.1f s)\n",
                    models::generator_loss_name(loss), r.final_coverage.modes_covered,
                    r.final_coverage.high_quality_fraction, r.seconds);
    }
    set_blas_threads(c.threads);
    Rng figure_rng(c.seed + 5);
    toy_figures(runs, c.out, figure_rng);

    report_toy(runs, steps,
               {{"latent", o.toy_latent}, {"g_activation", o.toy_g_activation}, {"hidden", kToyHidden},
                {"batch", o.toy_batch}, {"lr", kToyLr}, {"lr_decay", !o.toy_constant_lr}, {"beta1", kToyBeta1},
                {"sigma", models::RingOfGaussians{}.stddev}, {"radius", models::RingOfGaussians{}.radius}},
               metrics);
    return 0;
}

// --- §7 Part B: Fashion-MNIST ------------------------------------------------------------------

int fashion_part(const Options& o, MetricsJson& metrics) {
    const auto& c = o.common;
    const fs::path out = c.out;
    std::printf("\n== B. Fashion-MNIST\n\n");
    const auto train = data::load_fashion_mnist(c.data_dir, "train");  // 60000 × 28 × 28
    const auto test = data::load_fashion_mnist(c.data_dir, "test");    // 10000 × 28 × 28
    auto evaluator = models::Evaluator::load_or_train(c.evaluator_dir(), c.data_dir, c.quick);
    const auto reference = models::feature_moments(evaluator, test);  // the test set's features
    models::record_evaluator(metrics, evaluator);

    Rng rng(c.seed);
    models::GanConfig config;  // G 64→256→512→784 (tanh), D 784→512→256→1 (logits)
    config.latent = kLatent;
    config.discriminator_dropout = real(o.dropout);
    models::Generator g(config, rng);
    models::Discriminator d(config, rng);
    const double d_lr = o.d_lr > 0 ? o.d_lr : c.lr;
    const GeneratorLoss g_loss = o.g_loss == "minimax" ? GeneratorLoss::minimax : GeneratorLoss::non_saturating;
    optim::Adam g_optimizer(g.parameters(), real(c.lr), real(kBeta1), real(kBeta2));
    optim::Adam d_optimizer(d.parameters(), real(d_lr), real(kBeta1), real(kBeta2));
    const std::size_t epochs = c.quick ? kQuickEpochs : c.epochs;
    std::printf("G %zu → 256 → 512 → 784 (%zu parameters), D 784 → 512 → 256 → 1 (%zu parameters)\n", kLatent,
                g.parameter_count(), d.parameter_count());
    std::printf("recipe: %zu epochs, batch %zu, Adam lr G %g D %g, betas (%g, %g), real label %g, D dropout %g, "
                "%s generator loss\n",
                epochs, c.batch_size, c.lr, d_lr, kBeta1, kBeta2, o.real_label, o.dropout, o.g_loss.c_str());

    data::Batcher batcher(train.n, c.batch_size, rng, /*drop_last=*/true,
                          c.quick ? std::optional<std::size_t>(kQuickTrain) : std::nullopt);
    Rng fixed_rng(c.seed + 1000);
    const Tensor fixed_z = Tensor::randn({100, kLatent}, fixed_rng);  // the same 100 codes every epoch

    // resume: both players' weights and Adam states, the position and the history so far
    const std::string suffix = c.quick ? "-quick.safetensors" : ".safetensors";
    const fs::path g_state = fs::path(c.checkpoint_dir) / ("generator-training" + suffix);
    const fs::path d_state = fs::path(c.checkpoint_dir) / ("discriminator-training" + suffix);
    Metadata meta;
    TrainingPosition position = resume_or_start(g_state, c.resume && fs::exists(d_state), g, g_optimizer, rng, &meta);
    FashionHistory h;
    if (position.epoch > 0) {
        load_training_state(d_state, d, d_optimizer);
        h = history_from_json(nlohmann::json::parse(meta.at("history")));
    }

    ProgressLine progress(epochs, batcher.batches_per_epoch());
    double train_seconds = std::accumulate(h.seconds.begin(), h.seconds.end(), 0.0);
    for (std::size_t epoch = std::size_t(position.epoch) + 1; epoch <= epochs; ++epoch) {
        Stopwatch epoch_clock;
        progress.begin_epoch(epoch);
        for (const auto& idx : batcher.epoch_batches()) {
            const Tensor real_images = data::images_to_tensor(train, idx, -1, 1);  // (B, 784), in [−1, 1] like tanh
            const Tensor z = Tensor::randn({idx.size(), kLatent}, rng);           // (B, 64), z ~ N(0, I)
            const Tensor fake = g(z);                                              // (B, 784), with G's graph
            // 1. D: real → real_label, fake.detach() → 0
            const auto ds = models::discriminator_step(d, d_optimizer, real_images, fake, real(o.real_label));
            // 2. G: D(G(z)) → 1 through the just-updated D
            const auto gs = models::generator_step(d, g_optimizer, fake, g_loss);
            check_finite(std::size_t(++position.step), {{"d_loss", ds.loss}, {"g_loss", gs.loss}});
            progress.step(idx.size(), {{"L_D", ds.loss}, {"L_G", gs.loss}, {"D(x)", ds.d_real}, {"D(G(z))", ds.d_fake}});
        }
        const Terms means = progress.end_epoch();
        const double seconds = epoch_clock.seconds();
        train_seconds += seconds;

        // this epoch's grid from the fixed codes, and a quick score of 2000 samples
        write_grid_png(out / ("samples_epoch_" + std::string(epoch < 10 ? "0" : "") + std::to_string(epoch) + ".png"),
                       models::to_unit_range(models::generate(g, fixed_z)), 28, 28, 10, 10, 0, 1, 2);
        Rng monitor_rng(c.seed + 2000 + epoch);
        const auto monitor = models::score_samples(evaluator, models::sample_images(g, kMonitorSamples, kLatent, monitor_rng), reference);
        std::fprintf(stderr, "  FD (2000 samples) %.2f, classes with >= 5%%: %zu\n", monitor.fd,
                     monitor.classes_at_least_5pct);
        h.epoch.push_back(double(epoch));
        h.d_loss.push_back(means[0].second), h.g_loss.push_back(means[1].second);
        h.d_real.push_back(means[2].second), h.d_fake.push_back(means[3].second);
        h.fd_monitor.push_back(monitor.fd), h.classes_monitor.push_back(double(monitor.classes_at_least_5pct));
        h.seconds.push_back(seconds);

        position.epoch = std::int64_t(epoch);
        position.rng_state = rng.state();
        save_training_state(g_state, g, g_optimizer, position, {{"history", to_json(h).dump()}});
        save_training_state(d_state, d, d_optimizer, position);
    }
    save_module(fs::path(c.checkpoint_dir) / "generator.safetensors", g);
    save_module(fs::path(c.checkpoint_dir) / "discriminator.safetensors", d);

    // score: 10,000 samples against the test set, and 10,000 real training images as the floor
    const std::size_t scored = c.quick ? kQuickScored : kScoredSamples;
    Rng score_rng(c.seed + 3000);
    const auto scores = models::score_samples(evaluator, models::sample_images(g, scored, kLatent, score_rng), reference);
    const double fd_floor =
        frechet_distance(models::feature_moments(evaluator, train, std::min<std::size_t>(scored, train.n)), reference);

    fashion_figures(g, h, scores, scored, fixed_z, o, kLatent);
    report_fashion(h, scores, fd_floor, scored, train_seconds,
                   {{"batch_size", c.batch_size}, {"g_lr", c.lr},      {"d_lr", d_lr},
                    {"beta1", kBeta1},            {"beta2", kBeta2},   {"real_label", o.real_label},
                    {"d_dropout", o.dropout},     {"latent", kLatent}, {"seed", c.seed},
                    {"g_loss", o.g_loss}},
                   metrics);
    return 0;
}

int run(const Options& o) {
    Stopwatch total;
    const fs::path out = o.common.out;
    fs::create_directories(out);
    MetricsJson metrics(out);
    metrics["quick"] = o.common.quick;
    saturation_figure(out);
    if (o.part == "all" || o.part == "toy") toy_part(o, metrics);
    metrics.write();  // the toy's figures are in even if part B fails
    if (o.part == "all" || o.part == "fashion") fashion_part(o, metrics);
    metrics["total_seconds"] = total.seconds();
    metrics.write();
    std::printf("\nwhole run %.1f s; figures and metrics.json in %s\n", total.seconds(), out.string().c_str());
    return 0;
}

int main(int argc, char** argv) {
    Options o;
    o.toy_steps = kToySteps, o.toy_latent = kToyLatent, o.toy_batch = kToyBatch;
    o.real_label = kRealLabel, o.dropout = kDropout;
    o.common.chapter = "02_gan";
    o.common.epochs = kEpochs;
    o.common.lr = kLr;
    CLI::App app{"Chapter 02: a plain GAN — the 2-D ring of Gaussians and Fashion-MNIST"};
    chapter::add_common_options(app, o.common);
    app.add_option("--part", o.part, "which part to run: all, toy (part A) or fashion (part B)")
        ->check(CLI::IsMember({"all", "toy", "fashion"}))->capture_default_str();
    app.add_option("--toy-steps", o.toy_steps, "alternating D/G iterations of each toy run")
        ->check(CLI::Range(std::size_t{1}, std::size_t{10'000'000}))->capture_default_str();
    app.add_option("--toy-latent", o.toy_latent, "size of the toy generator's noise z")
        ->check(CLI::Range(std::size_t{1}, std::size_t{1024}))->capture_default_str();
    app.add_option("--toy-batch", o.toy_batch, "points per toy batch, real and generated alike")
        ->check(CLI::Range(std::size_t{1}, std::size_t{65536}))->capture_default_str();
    app.add_option("--toy-g-activation", o.toy_g_activation, "hidden units of the toy generator: relu or leaky_relu")
        ->check(CLI::IsMember({"relu", "leaky_relu"}))->capture_default_str();
    app.add_flag("--toy-constant-lr", o.toy_constant_lr, "keep the toy's learning rate constant instead of decaying it to 0");
    app.add_option("--g-loss", o.g_loss, "Fashion-MNIST: the generator loss, non-saturating or minimax")
        ->check(CLI::IsMember({"non-saturating", "minimax"}))->capture_default_str();
    app.add_option("--d-lr", o.d_lr, "Fashion-MNIST: D's Adam learning rate (0: the same as --lr, which G uses)")
        ->check(CLI::NonNegativeNumber)->capture_default_str();
    app.add_option("--real-label", o.real_label, "Fashion-MNIST: D's target for real images (1: no label smoothing)")
        ->check(CLI::Range(0.5, 1.0))->capture_default_str();
    app.add_option("--d-dropout", o.dropout, "Fashion-MNIST: dropout probability after D's hidden layers (0: none)")
        ->check(CLI::Range(0.0, 0.9))->capture_default_str();
    chapter::parse_or_exit(app, argc, argv, o.common);
    return chapter::run_guarded("ch02_gan", [&] { return run(o); });
}
