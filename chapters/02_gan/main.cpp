// Chapter 02 — a plain GAN: the 2-D toy and Fashion-MNIST.
//
// Read with README.md beside it. The program follows the README's order:
//   0. why the minimax generator loss saturates: its gradient against the non-saturating one's
//   A. the 2-D toy, a ring of 8 Gaussians: the same G and D trained twice from the same start,
//      with the minimax and with the non-saturating generator loss; samples over training,
//      D's decision surface, losses, D(x) and D(G(z)), modes covered
//   B. Fashion-MNIST: MLP G 64→256→512→784 and D 784→512→256→1, scored with the chapter-01
//      evaluator (Fréchet distance, class histogram); sample grids per epoch, an interpolation
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <numeric>

#include <mmgen/core/autograd.hpp>
#include <mmgen/io/checkpoint.hpp>
#include <mmgen/io/data.hpp>
#include <mmgen/core/gemm.hpp>
#include <mmgen/io/image.hpp>
#include <mmgen/models/gan.hpp>
#include <mmgen/models/scoring.hpp>
#include <mmgen/core/ops.hpp>
#include <mmgen/nn/optim.hpp>
#include <mmgen/report/plot.hpp>
#include <mmgen/report/progress.hpp>

#include "common/options.hpp"

using namespace mmgen;
using models::GeneratorLoss;
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

struct GanOptions {
    chapter::Options common;
    std::string part = "all";  // all, toy, fashion
    // Part A
    std::size_t toy_steps = kToySteps;
    std::size_t toy_latent = kToyLatent;
    std::size_t toy_batch = kToyBatch;
    std::string toy_g_activation = "relu";  // or leaky_relu
    bool toy_constant_lr = false;
    // Part B
    std::string g_loss = "non-saturating";
    double d_lr = 0;  // 0: the same as --lr
    double real_label = kRealLabel;
    double dropout = kDropout;
};

// ================================================================================================
// 0. The two generator losses as functions of D(G(z)), and their gradients w.r.t. D's logit.
// ================================================================================================
void saturation_figure(const fs::path& out) {
    std::printf("\n== 0. Why log(1 - D(G(z))) saturates\n\n");
    std::printf("| D(G(z)) | minimax dL/dlogit | non-saturating dL/dlogit |\n|---:|---:|---:|\n");
    plot::Series minimax{"minimax  log(1 - D(G(z)))", {}, {}}, non_saturating{"non-saturating  -log D(G(z))", {}, {}};
    for (int i = 1; i < 200; ++i) {
        const double p = i / 200.0, logit = std::log(p / (1 - p));
        double grads[2];
        for (GeneratorLoss kind : {GeneratorLoss::minimax, GeneratorLoss::non_saturating}) {
            Tensor l = Tensor::full({1, 1}, static_cast<real>(logit), true);  // one fake's logit
            models::generator_loss(l, kind).backward();
            grads[kind == GeneratorLoss::non_saturating] = std::abs(double(l.grad()[0]));
        }
        minimax.xs.push_back(p), minimax.ys.push_back(grads[0]);
        non_saturating.xs.push_back(p), non_saturating.ys.push_back(grads[1]);
        if (i == 2 || i == 20 || i == 100 || i == 180)
            std::printf("| %.2f | %.3f | %.3f |\n", p, -grads[0], -grads[1]);
    }
    plot::line_plot(out / "generator_gradients.png",
                    "Generator's gradient w.r.t. D's logit: |dL_G/dl| against D(G(z)) (autograd through the losses)",
                    "D(G(z))  (0: D is sure the sample is fake)", "|dL_G / dlogit|", {minimax, non_saturating});
}

// ================================================================================================
// Part A — the 2-D toy
// ================================================================================================

struct ToyRun {
    GeneratorLoss loss;
    // window means of the per-step values, for the figures
    std::vector<double> step, d_loss, g_loss, d_real, d_fake;
    // mode coverage every kToyEvalEvery steps
    std::vector<double> eval_step, modes, high_quality;
    std::vector<std::pair<std::size_t, Tensor>> snapshots;  // (step, samples (1000, 2))
    models::ModeCoverage final_coverage;
    plot::Grid2D surface;  // D(x) over the plane at the end
    Tensor final_samples;  // (kToyEvalSamples, 2)
    double seconds = 0;
};

Tensor generate(models::Generator& g, std::size_t n, std::size_t latent, Rng& rng) {
    NoGradGuard no_grad;
    return g(Tensor::randn({n, latent}, rng));  // (n, data)
}

Tensor generate_from(models::Generator& g, const Tensor& z) {
    NoGradGuard no_grad;
    return g(z);  // (n, data)
}

// D(x) = σ(D's logit) on a grid over [−3, 3]²
plot::Grid2D decision_surface(models::Discriminator& d) {
    NoGradGuard no_grad;
    plot::Grid2D grid{-3, 3, -3, 3, 121, 121, {}};
    Tensor points = Tensor::empty({grid.nx * grid.ny, 2});  // (nx·ny, 2)
    for (std::size_t j = 0; j < grid.ny; ++j)
        for (std::size_t i = 0; i < grid.nx; ++i)
            points.at(j * grid.nx + i, 0) = real(grid.x_at(i)), points.at(j * grid.nx + i, 1) = real(grid.y_at(j));
    const Tensor p = sigmoid(d(points));  // (nx·ny, 1)
    grid.values.assign(p.data().begin(), p.data().end());
    return grid;
}

ToyRun train_toy(GeneratorLoss loss, const GanOptions& o) {
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
            run.snapshots.emplace_back(step, generate(g, 1000, latent, sample_rng));
        if (step % kToyEvalEvery == 0) {
            const auto c = models::mode_coverage(generate(g, 2000, latent, sample_rng), ring);
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
    run.final_samples = generate(g, kToyEvalSamples, latent, sample_rng);
    run.final_coverage = models::mode_coverage(run.final_samples, ring);
    run.surface = decision_surface(d);
    run.seconds = clock.seconds();
    return run;
}

void toy_figures(const std::vector<ToyRun>& runs, const fs::path& out, Rng& rng) {
    const models::RingOfGaussians ring;
    const Tensor real_points = ring.sample(1000, rng);  // (1000, 2)
    auto column = [](const Tensor& t, std::size_t c, std::size_t limit) {
        std::vector<double> v;
        for (std::size_t i = 0; i < std::min(limit, t.dim(0)); ++i) v.push_back(t.at(i, c));
        return v;
    };
    // samples over training: one row per loss
    std::vector<plot::ScatterPanel> panels;
    for (const auto& run : runs)
        for (const auto& [step, samples] : run.snapshots)
            panels.push_back({std::string(models::generator_loss_name(run.loss)) + ", step " + std::to_string(step),
                              column(real_points, 0, 1000), column(real_points, 1, 1000), column(samples, 0, 1000),
                              column(samples, 1, 1000)});
    plot::scatter_panels(out / "toy_samples.png",
                              "Generated points (orange) over the data (black) during training: minimax loss (top), "
                              "non-saturating loss (bottom)",
                              panels, runs.front().snapshots.size(), 3.0);
    // D's decision surface at the end, with data and samples
    for (const auto& run : runs) {
        const std::string name = run.loss == GeneratorLoss::minimax ? "minimax" : "non_saturating";
        plot::decision_surface(out / ("toy_decision_surface_" + name + ".png"),
                               std::string("D(x) after training, ") + models::generator_loss_name(run.loss) +
                                   " generator loss",
                               run.surface,
                               {{"data", column(real_points, 0, 500), column(real_points, 1, 500)},
                                {"G(z)", column(run.final_samples, 0, 500), column(run.final_samples, 1, 500)}});
    }
    std::vector<plot::Series> losses, outputs, modes;
    for (const auto& run : runs) {
        const std::string n = models::generator_loss_name(run.loss);
        losses.push_back({n + ": L_D", run.step, run.d_loss});
        losses.push_back({n + ": L_G", run.step, run.g_loss});
        outputs.push_back({n + ": D(x)", run.step, run.d_real});
        outputs.push_back({n + ": D(G(z))", run.step, run.d_fake});
        modes.push_back({n, run.eval_step, run.modes});
    }
    plot::line_plot(out / "toy_losses.png", "Toy: discriminator and generator losses (means over windows of steps)",
                    "step", "loss", losses);
    plot::line_plot(out / "toy_d_outputs.png", "Toy: mean D(x) on real points and D(G(z)) on generated points",
                    "step", "probability of 'real'", outputs);
    plot::line_plot(out / "toy_modes.png", "Toy: modes covered (>= 1% of 2000 samples within 3 sigma)", "step",
                    "modes covered (of 8)", modes);
}

// ================================================================================================
// Part B — Fashion-MNIST
// ================================================================================================

struct FashionHistory {
    std::vector<double> epoch, d_loss, g_loss, d_real, d_fake, fd_monitor, classes_monitor, seconds;
};

nlohmann::json to_json(const FashionHistory& h) {
    return {{"epoch", h.epoch},   {"d_loss", h.d_loss},         {"g_loss", h.g_loss},
            {"d_real", h.d_real}, {"d_fake", h.d_fake},         {"fd_2000_samples", h.fd_monitor},
            {"classes_at_least_5pct_2000_samples", h.classes_monitor}, {"epoch_seconds", h.seconds}};
}

FashionHistory history_from_json(const nlohmann::json& j) {
    FashionHistory h;
    j.at("epoch").get_to(h.epoch), j.at("d_loss").get_to(h.d_loss), j.at("g_loss").get_to(h.g_loss);
    j.at("d_real").get_to(h.d_real), j.at("d_fake").get_to(h.d_fake);
    j.at("fd_2000_samples").get_to(h.fd_monitor), j.at("classes_at_least_5pct_2000_samples").get_to(h.classes_monitor);
    j.at("epoch_seconds").get_to(h.seconds);
    return h;
}

// G's output in [−1, 1] as images in [0, 1], for the PNGs and the evaluator.
Tensor to_unit_range(const Tensor& x) {
    NoGradGuard no_grad;
    return (x + real(1)) * real(0.5);
}

// n generated images in [0, 1], drawn in chunks without a graph.
Tensor sample_images(models::Generator& g, std::size_t n, Rng& rng) {
    std::vector<Tensor> parts;
    for (std::size_t start = 0; start < n; start += 1000)
        parts.push_back(to_unit_range(generate(g, std::min<std::size_t>(1000, n - start), kLatent, rng)));
    return concat(parts, 0);  // (n, 784)
}

// Spherical interpolation between two latent codes (n, latent) at t ∈ [0, 1]: stays on the shell
// where N(0, I) puts its mass, where a straight line would pass through unusually short z.
Tensor slerp(const Tensor& a, const Tensor& b, double t) {
    Tensor out = Tensor::empty(a.shape());
    const std::size_t rows = a.dim(0), d = a.dim(1);
    for (std::size_t r = 0; r < rows; ++r) {
        double dot = 0, na = 0, nb = 0;
        for (std::size_t j = 0; j < d; ++j)
            dot += a.at(r, j) * b.at(r, j), na += a.at(r, j) * a.at(r, j), nb += b.at(r, j) * b.at(r, j);
        const double omega = std::acos(std::clamp(dot / std::sqrt(na * nb), -1.0, 1.0));
        const double wa = omega < 1e-6 ? 1 - t : std::sin((1 - t) * omega) / std::sin(omega);
        const double wb = omega < 1e-6 ? t : std::sin(t * omega) / std::sin(omega);
        for (std::size_t j = 0; j < d; ++j) out.at(r, j) = real(wa * a.at(r, j) + wb * b.at(r, j));
    }
    return out;
}

int fashion_part(const GanOptions& o, MetricsJson& metrics) {
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
    TrainingPosition position;
    FashionHistory h;
    if (c.resume && fs::exists(g_state) && fs::exists(d_state)) {
        Metadata meta;
        position = load_training_state(g_state, g, g_optimizer, &meta);
        load_training_state(d_state, d, d_optimizer);
        rng.set_state(position.rng_state);
        h = history_from_json(nlohmann::json::parse(meta.at("history")));
        std::cerr << "resumed from " << g_state.string() << " after epoch " << position.epoch << "\n";
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
                       to_unit_range(generate_from(g, fixed_z)), 28, 28, 10, 10, 0, 1, 2);
        Rng monitor_rng(c.seed + 2000 + epoch);
        const auto monitor = models::score_samples(evaluator, sample_images(g, kMonitorSamples, monitor_rng), reference);
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
    const auto scores = models::score_samples(evaluator, sample_images(g, scored, score_rng), reference);
    const double fd_floor =
        frechet_distance(models::feature_moments(evaluator, train, std::min<std::size_t>(scored, train.n)), reference);

    // figures
    write_grid_png(out / "samples.png", to_unit_range(generate_from(g, fixed_z)), 28, 28, 10, 10, 0, 1, 2);
    std::vector<Tensor> rows;  // 8 interpolations between random pairs of codes, 10 steps each
    Rng interp_rng(c.seed + 4000);
    const Tensor za = Tensor::randn({8, kLatent}, interp_rng), zb = Tensor::randn({8, kLatent}, interp_rng);
    std::vector<Tensor> columns;
    for (int i = 0; i < 10; ++i) columns.push_back(slerp(za, zb, i / 9.0));  // each (8, latent)
    for (std::size_t r = 0; r < 8; ++r)
        for (int i = 0; i < 10; ++i) rows.push_back(slice_rows(columns[std::size_t(i)], r, r + 1));
    write_grid_png(out / "interpolation.png", to_unit_range(generate_from(g, concat(rows, 0))), 28, 28, 8, 10, 0, 1, 2);
    plot::line_plot(out / "fashion_losses.png", "Fashion-MNIST: mean losses per epoch", "epoch", "loss",
                    {{"L_D (real + fake)", h.epoch, h.d_loss}, {"L_G (" + o.g_loss + ")", h.epoch, h.g_loss}});
    plot::line_plot(out / "fashion_d_outputs.png", "Fashion-MNIST: mean D(x) and D(G(z)) per epoch (D's view, before its step)",
                    "epoch", "probability of 'real'", {{"D(x), real images", h.epoch, h.d_real},
                                                       {"D(G(z)), generated", h.epoch, h.d_fake}});
    plot::line_plot(out / "fashion_fd.png", "Fashion-MNIST: Frechet distance of 2000 samples to the test set, per epoch",
                    "epoch", "FD (evaluator features)", {{"FD, 2000 samples", h.epoch, h.fd_monitor}});
    std::vector<std::string> class_labels(data::kClassNames.begin(), data::kClassNames.end());
    std::vector<double> percent;
    for (std::size_t k : scores.class_histogram) percent.push_back(100.0 * double(k) / double(scored));
    plot::bar_chart(out / "class_histogram.png",
                         "Classes the evaluator assigns to " + std::to_string(scored) + " generated images",
                         class_labels, percent, "% of samples", 5.0, "5% threshold");

    metrics["fd"] = scores.fd;
    metrics["fd_real_floor"] = fd_floor;
    metrics["class_histogram"] = scores.class_histogram;
    metrics["classes_at_least_5pct"] = scores.classes_at_least_5pct;
    metrics["epochs"] = h.epoch.empty() ? 0.0 : h.epoch.back();
    metrics["train_seconds"] = train_seconds;
    metrics["scored_samples"] = scored;
    metrics["recipe"] = {{"batch_size", c.batch_size}, {"g_lr", c.lr},          {"d_lr", d_lr},
                         {"beta1", kBeta1},            {"beta2", kBeta2},       {"real_label", o.real_label},
                         {"d_dropout", o.dropout},     {"latent", kLatent},     {"seed", c.seed},
                         {"g_loss", o.g_loss}};
    metrics["history"] = to_json(h);

    SummaryTable summary({"Fashion-MNIST", "value"});
    summary.add_row({"epochs", SummaryTable::Cell(h.epoch.empty() ? 0.0 : h.epoch.back(), 3)});
    summary.add_row({"training seconds", SummaryTable::Cell(train_seconds, 3)});
    summary.add_row({"FD, " + std::to_string(scored) + " samples vs test", SummaryTable::Cell(scores.fd, 4)});
    summary.add_row({"FD, " + std::to_string(scored) + " real train images vs test (floor)",
                     SummaryTable::Cell(fd_floor, 4)});
    summary.add_row({"classes with >= 5% of samples",
                     SummaryTable::Cell(static_cast<unsigned long>(scores.classes_at_least_5pct))});
    for (std::size_t k = 0; k < data::kNumClasses; ++k)
        summary.add_row({std::string("  ") + data::kClassNames[k] + " %", SummaryTable::Cell(percent[k], 3)});
    std::printf("\n");
    summary.print(std::cout);
    return 0;
}

// ================================================================================================

int toy_part(const GanOptions& o, MetricsJson& metrics) {
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

    SummaryTable summary({"toy, generator loss", "modes covered (of 8)", "high-quality fraction", "seconds"});
    nlohmann::json toy;
    for (const auto& r : runs) {
        summary.add_row({models::generator_loss_name(r.loss),
                         SummaryTable::Cell(static_cast<unsigned long>(r.final_coverage.modes_covered)),
                         SummaryTable::Cell(r.final_coverage.high_quality_fraction, 3), SummaryTable::Cell(r.seconds, 3)});
        toy[r.loss == GeneratorLoss::minimax ? "minimax" : "non_saturating"] = {
            {"modes_covered", r.final_coverage.modes_covered},
            {"high_quality_fraction", r.final_coverage.high_quality_fraction},
            {"samples_per_mode", r.final_coverage.per_mode},
            {"history", {{"step", r.eval_step}, {"modes_covered", r.modes}, {"high_quality_fraction", r.high_quality}}}};
    }
    std::printf("\n");
    summary.print(std::cout);
    const auto& ns = runs.back().final_coverage;  // the non-saturating default
    metrics["toy_modes_covered"] = ns.modes_covered;
    metrics["toy_high_quality_fraction"] = ns.high_quality_fraction;
    metrics["toy_steps"] = steps;
    metrics["toy_recipe"] = {{"latent", o.toy_latent}, {"g_activation", o.toy_g_activation}, {"hidden", kToyHidden},
                             {"batch", o.toy_batch}, {"lr", kToyLr}, {"lr_decay", !o.toy_constant_lr}, {"beta1", kToyBeta1},
                             {"sigma", models::RingOfGaussians{}.stddev}, {"radius", models::RingOfGaussians{}.radius}};
    metrics["toy"] = toy;
    return 0;
}

int run(const GanOptions& o) {
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
    GanOptions o;
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
