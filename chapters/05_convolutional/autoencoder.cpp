// Part 1 (README §1): the convolutional autoencoder of 003 §1.5.2, made to work, and the
// measurement of why its latent space cannot be sampled.
//
//   1. train: minimise −log p(x | x̂) (Bernoulli pixels) with Adam        the loop, written out
//   2. look at the codes: their mean and spread per dimension against N(0, I)
//   3. decode z ~ N(0, I), and z ~ N(m, C) fitted to the training codes; score both
//      beside the decoded codes of test images (the decoder's own best case)
#include <cmath>
#include <cstdio>

#include <mmgen/core/autograd.hpp>
#include <mmgen/core/ops.hpp>
#include <mmgen/io/checkpoint.hpp>
#include <mmgen/io/image.hpp>
#include <mmgen/models/conv_autoencoder.hpp>
#include <mmgen/models/scoring.hpp>
#include <mmgen/nn/batched.hpp>
#include <mmgen/nn/optim.hpp>
#include <mmgen/report/plot.hpp>

#include "chapter05.hpp"

using namespace mmgen;
namespace fs = std::filesystem;

namespace chapter05 {
namespace {

// The code size of 003 §1.5.2's bottleneck, as chapter 03's VAE latent.
constexpr std::size_t kLatent = 20;
// Samples decoded and scored for each FD (the issue: 10,000), and for a --quick run.
constexpr std::size_t kScored = 10000, kQuickScored = 500;
// A --quick run: this many training images and epochs.
constexpr std::size_t kQuickTrain = 2000, kQuickEpochs = 1;

// Mean reconstruction loss (nats per image) over the first `limit` test images (0: all).
double test_reconstruction(models::ConvAutoencoder& ae, const data::Dataset& test, std::size_t limit) {
    NoGradGuard no_grad;
    const std::size_t n = limit ? std::min(limit, test.n) : test.n;
    double total = 0;
    nn::for_each_batch(n, 500, [&](std::span<const std::size_t> idx) {
        const Tensor x = data::images_to_tensor(test, idx, 0, 1);  // (B, 784)
        total += ae.reconstruction_loss(x).item() * double(idx.size()) / double(n);
    });
    return total;
}

// z = m + L ε with C = L Lᵀ (Cholesky), ε ~ N(0, I): n draws from N(m, C), fitted to the codes.   → (n, d)
Tensor sample_fitted_gaussian(const Moments& codes, std::size_t n, Rng& rng) {
    const std::size_t d = codes.dim;
    std::vector<double> l(d * d, 0.0);  // lower triangular, row-major
    for (std::size_t i = 0; i < d; ++i)
        for (std::size_t j = 0; j <= i; ++j) {
            double s = codes.covariance[i * d + j];
            for (std::size_t k = 0; k < j; ++k) s -= l[i * d + k] * l[j * d + k];
            l[i * d + j] = i == j ? std::sqrt(std::max(s, 1e-12)) : s / l[j * d + j];
        }
    const Tensor eps = Tensor::randn({n, d}, rng);  // (n, d)
    Tensor z = Tensor::empty({n, d});               // (n, d)
    for (std::size_t r = 0; r < n; ++r)
        for (std::size_t i = 0; i < d; ++i) {
            double v = codes.mean[i];
            for (std::size_t k = 0; k <= i; ++k) v += l[i * d + k] * double(eps.at(r, k));
            z.at(r, i) = real(v);
        }
    return z;
}

}  // namespace

PartOutcome run_autoencoder(PartContext& ctx) {
    const auto& c = ctx.options.common;
    const fs::path out = c.out, weights = fs::path(c.checkpoint_dir) / "conv_autoencoder.safetensors";
    Rng rng(c.seed);
    models::ConvAutoencoder ae(kLatent, rng, ctx.options.widths());
    std::printf("conv autoencoder 1×28×28 → 32×14×14 → 64×7×7 → %zu → 64×7×7 → 32×14×14 → 1×28×28: %zu parameters\n",
                kLatent, ae.parameter_count());

    // 1. train: minimise −log p(x|x̂) = Σ_pixels bce(logits, x) per image
    Stopwatch clock;
    optim::Adam adam(ae.parameters(), static_cast<real>(c.lr));
    data::Batcher batcher(ctx.train.n, c.batch_size, rng, false, c.quick ? std::optional<std::size_t>(kQuickTrain) : std::nullopt);
    const std::size_t epochs = c.quick ? kQuickEpochs : ctx.options.ae_epochs;
    const fs::path state = fs::path(c.checkpoint_dir) / (c.quick ? "training-ae-quick.safetensors" : "training-ae.safetensors");
    TrainingPosition position = resume_or_start(state, c.resume, ae, adam, rng);
    std::vector<double> epoch_axis, train_loss, test_loss;
    ProgressLine progress(epochs, batcher.batches_per_epoch());
    for (std::size_t epoch = std::size_t(position.epoch) + 1; epoch <= epochs; ++epoch) {
        progress.begin_epoch(epoch);
        for (const auto& idx : batcher.epoch_batches()) {
            const Tensor x = data::images_to_tensor(ctx.train, idx, 0, 1);  // (B, 784), grey levels in [0, 1]
            adam.zero_grad();
            const Tensor loss = ae.reconstruction_loss(x);                // nats per image
            adam.backward_and_step(loss);  // backward() then step(), fused (optim.hpp)
            check_finite(std::size_t(++position.step), {{"reconstruction", loss.item()}});
            progress.step(idx.size(), {{"rec", loss.item()}});
        }
        const Terms means = progress.end_epoch();
        const double t = test_reconstruction(ae, ctx.test, c.quick ? 1000 : 0);
        std::fprintf(stderr, "  test reconstruction %.2f\n", t);
        epoch_axis.push_back(double(epoch)), train_loss.push_back(means[0].second), test_loss.push_back(t);
        position.epoch = std::int64_t(epoch);
        position.rng_state = rng.state();
        save_training_state(state, ae, adam, position);
    }
    const double train_seconds = clock.seconds();
    ae.eval();
    save_module(weights, ae);
    const double test_rec = test_reconstruction(ae, ctx.test, c.quick ? 1000 : 0);

    // 2. the codes of the training images, against the prior N(0, I) one would sample from
    ctx.evaluator.reference();  // the judge first: a --quick run without one trains it, which needs gradients
    NoGradGuard no_grad;
    const std::size_t n_codes = c.quick ? kQuickTrain : ctx.train.n;
    const Tensor codes = ae.encode_all(data::first_images(ctx.train, n_codes));  // (n_codes, latent)
    const Moments fitted = mean_and_covariance(codes);
    std::vector<double> dims, code_mean, code_std, prior_std;
    double mean_norm2 = 0, std_min = 1e300, std_max = 0;
    for (std::size_t j = 0; j < kLatent; ++j) {
        const double s = std::sqrt(fitted.covariance[j * kLatent + j]);
        dims.push_back(double(j)), code_mean.push_back(fitted.mean[j]), code_std.push_back(s), prior_std.push_back(1.0);
        mean_norm2 += fitted.mean[j] * fitted.mean[j], std_min = std::min(std_min, s), std_max = std::max(std_max, s);
    }
    plot::line_plot(out / "ae_code_statistics.png", "The autoencoder's codes per dimension, against N(0, I)",
                    "latent dimension", "value",
                    {{"mean of the codes", dims, code_mean}, {"std of the codes", dims, code_std}, {"prior std (1)", dims, prior_std}});

    // 3. decode and score: the test images' own codes, z ~ N(0, I), z ~ N(m, C) fitted to the codes
    const std::size_t scored = c.quick ? kQuickScored : kScored;
    const Tensor test_x = data::first_images(ctx.test, std::min(scored, ctx.test.n));  // (scored, 784)
    const Tensor reconstructions = ae.decode_images(ae.encode_all(test_x));
    const Tensor prior_samples = ae.decode_images(Tensor::randn({scored, kLatent}, rng));
    const Tensor fitted_samples = ae.decode_images(sample_fitted_gaussian(fitted, scored, rng));
    const auto rec_scores = models::score_samples(ctx.evaluator, reconstructions, ctx.reference);
    const auto prior_scores = models::score_samples(ctx.evaluator, prior_samples, ctx.reference);
    const auto fitted_scores = models::score_samples(ctx.evaluator, fitted_samples, ctx.reference);
    // the reconstructions the judge still reads as their source's class: what a code of 20 numbers
    // with no KL on it keeps of the class (chapter 06 §2.5 sets the VAE-GAN's beside it)
    const auto agreement = class_agreement(ctx.evaluator.get().classify(reconstructions),
                                           std::span(ctx.test.labels).first(test_x.dim(0)), data::kNumClasses);

    write_grid_png(out / "ae_reconstructions.png", concat({slice_rows(test_x, 0, 10), slice_rows(reconstructions, 0, 10)}, 0),
                   28, 28, 2, 10, 0, 1, 3);
    write_grid_png(out / "ae_prior_samples.png", slice_rows(prior_samples, 0, 100), 28, 28, 10, 10, 0, 1, 2);
    write_grid_png(out / "ae_fitted_samples.png", slice_rows(fitted_samples, 0, 100), 28, 28, 10, 10, 0, 1, 2);
    plot::line_plot(out / "ae_reconstruction_loss.png", "Autoencoder: -log p(x | x̂) per image", "epoch", "nats",
                    {{"train", epoch_axis, train_loss}, {"test", epoch_axis, test_loss}});

    draw_ae_vs_vae(ctx);

    auto& m = ctx.metrics;
    m["ae_latent"] = kLatent;
    m["ae_init"] = ctx.options.init;
    m["ae_test_reconstruction"] = test_rec;
    m["ae_reconstruction_fd"] = rec_scores.fd;
    m["ae_reconstruction_agreement"] = agreement.overall;
    m["ae_prior_fd"] = prior_scores.fd;
    m["ae_prior_classes_at_least_5pct"] = prior_scores.classes_at_least_5pct;
    m["ae_prior_class_histogram"] = prior_scores.class_histogram;
    m["ae_fitted_fd"] = fitted_scores.fd;
    m["ae_fitted_classes_at_least_5pct"] = fitted_scores.classes_at_least_5pct;
    m["ae_code_mean_norm"] = std::sqrt(mean_norm2);
    m["ae_code_std_min"] = std_min;
    m["ae_code_std_max"] = std_max;
    m["ae_scored_samples"] = scored;
    m["ae_epochs"] = epoch_axis.empty() ? 0.0 : epoch_axis.back();
    m["train_seconds_ae"] = train_seconds;
    m["ae_history"] = {{"epoch", epoch_axis}, {"train_reconstruction", train_loss}, {"test_reconstruction", test_loss}};

    ctx.summary.add_row({"ae", "test −log p(x|x̂) (nats/image)", SummaryTable::Cell(test_rec, 5)});
    ctx.summary.add_row({"ae", "FD of decoded test codes", SummaryTable::Cell(rec_scores.fd, 4)});
    ctx.summary.add_row({"ae", "FD of decoded z ~ N(0, I)", SummaryTable::Cell(prior_scores.fd, 4)});
    ctx.summary.add_row({"ae", "FD of decoded z ~ N(m, C) fitted", SummaryTable::Cell(fitted_scores.fd, 4)});
    ctx.summary.add_row({"ae", "code std per dim (min–max)",
                         SummaryTable::Cell(std::to_string(std_min).substr(0, 5) + "–" + std::to_string(std_max).substr(0, 5))});
    ctx.summary.add_row({"ae", "training seconds", SummaryTable::Cell(train_seconds, 3)});
    return {train_seconds};
}

}  // namespace chapter05
