// Part 2 (README §2): the convolutional VAE — part 1's network with (μ, log σ²) heads and
// chapter 03's objective — and chapter 03's MLP VAE beside it on the same evaluator.
//
//   1. train: minimise −ELBO with Adam 1e-3, batch 128, 10 epochs    models::train_vae, chapter 03's loop
//   2. measure: test −ELBO and its terms; the IW estimate of −log p(x) (K = 1000, first 1,000 test images)
//   3. look: reconstructions; prior samples scored by the evaluator; AE vs VAE and MLP vs conv side by side
#include <cstdio>

#include <mmgen/core/autograd.hpp>
#include <mmgen/core/ops.hpp>
#include <mmgen/io/checkpoint.hpp>
#include <mmgen/io/image.hpp>
#include <mmgen/models/conv_autoencoder.hpp>
#include <mmgen/models/conv_vae.hpp>
#include <mmgen/models/scoring.hpp>
#include <mmgen/models/vae_eval.hpp>
#include <mmgen/models/vae_training.hpp>
#include <mmgen/nn/optim.hpp>
#include <mmgen/report/plot.hpp>

#include "chapter05.hpp"

using namespace mmgen;
namespace fs = std::filesystem;

namespace chapter05 {
namespace {

// The latent size of chapter 03's VAE, so the two are compared like for like.
constexpr std::size_t kLatent = 20;
// The likelihood estimate: K importance samples for each of the first kIwImages test images.
constexpr std::size_t kIwSamples = 1000, kIwImages = 1000;
// Prior samples scored by the evaluator.
constexpr std::size_t kScored = 10000;
// A --quick run: this many training images and epochs, and smaller estimates.
constexpr std::size_t kQuickTrain = 2000, kQuickEpochs = 1, kQuickIwSamples = 20, kQuickIwImages = 50, kQuickScored = 500;

// Chapter 03's recipe, which both VAEs of this part train with: Adam 1e-3, batch 128, 10 epochs.
models::VaeTraining vae_training(const PartContext& ctx) {
    const auto& c = ctx.options.common;
    models::VaeTraining t;
    t.epochs = c.quick ? kQuickEpochs : c.epochs, t.batch_size = c.batch_size, t.lr = c.lr, t.resume = c.resume;
    if (c.quick) t.train_limit = kQuickTrain, t.test_limit = 1000;
    return t;
}

// Chapter 03's MLP VAE (784 → 400 → 20): its saved weights if chapter 03 has run beside this
// chapter, else one trained here with chapter 03's recipe. Says which in `source`.
void mlp_vae_for_comparison(models::Vae& mlp, const PartContext& ctx, Rng& rng, std::string& source) {
    const auto& c = ctx.options.common;
    const fs::path chapter03 = c.checkpoint_root() / "03_vae" / "vae-latent20.safetensors";
    const fs::path own = fs::path(c.checkpoint_dir) / "mlp_vae-latent20.safetensors";
    if (!c.quick && fs::exists(chapter03)) {
        load_module(chapter03, mlp);
        source = "loaded from chapter 03's checkpoint";
    } else if (!c.quick && fs::exists(own)) {
        load_module(own, mlp);
        source = "loaded, trained by an earlier run of this chapter with chapter 03's recipe";
    } else {
        std::printf("chapter 03's MLP VAE is not in %s: training it here with chapter 03's recipe\n",
                    chapter03.parent_path().string().c_str());
        models::train_vae(mlp, ctx.train, ctx.test, vae_training(ctx),
                          fs::path(c.checkpoint_dir) / (c.quick ? "training-mlp-vae-quick.safetensors" : "training-mlp-vae.safetensors"), rng);
        if (!c.quick) save_module(own, mlp);
        source = "trained here with chapter 03's recipe";
    }
    mlp.eval();
}

}  // namespace

PartOutcome run_vae(PartContext& ctx) {
    const auto& c = ctx.options.common;
    const fs::path out = c.out, weights = fs::path(c.checkpoint_dir) / "conv_vae.safetensors";
    Rng rng(c.seed + 1);
    models::ConvVae vae(kLatent, rng, ctx.options.widths());
    std::printf("conv VAE 1×28×28 → 32×14×14 → 64×7×7 → (μ, log σ²) 2×%zu; %zu → 64×7×7 → 32×14×14 → 1×28×28: "
                "%zu parameters\n", kLatent, kLatent, vae.parameter_count());

    // 1. train
    Stopwatch clock;
    const fs::path state = fs::path(c.checkpoint_dir) / (c.quick ? "training-vae-quick.safetensors" : "training-vae.safetensors");
    const models::VaeHistory h = models::train_vae(vae, ctx.train, ctx.test, vae_training(ctx), state, rng);
    const double train_seconds = clock.seconds();
    save_module(weights, vae);

    // 2. measure
    const auto t = models::mean_negative_elbo(vae, ctx.test, c.quick ? 1000 : 0, rng);
    std::printf("test -ELBO %.2f (rec %.2f, KL %.2f)\n", t.loss, t.reconstruction, t.kl);

    // 3. look, and score prior samples beside the MLP VAE's and the autoencoder's
    std::string mlp_source;
    models::Vae mlp({784, 400, kLatent}, rng);
    mlp_vae_for_comparison(mlp, ctx, rng, mlp_source);
    ctx.evaluator.reference();  // the judge first: a --quick run without one trains it, which needs gradients
    NoGradGuard no_grad;
    const std::size_t scored = c.quick ? kQuickScored : kScored;
    const Tensor samples = vae.decode_images(Tensor::randn({scored, kLatent}, rng));  // (scored, 784)
    const auto scores = models::score_samples(ctx.evaluator, samples, ctx.reference);
    const Tensor mlp_samples = mlp.decode_images(Tensor::randn({scored, kLatent}, rng));  // (scored, 784)
    const auto mlp_scores = models::score_samples(ctx.evaluator, mlp_samples, ctx.reference);
    const double mlp_neg_elbo = models::mean_negative_elbo(mlp, ctx.test, c.quick ? 1000 : 0, rng).loss;

    const Tensor x = data::first_images(ctx.test, 10);  // (10, 784)
    write_grid_png(out / "vae_reconstructions.png", concat({x, vae.decode_images(vae.encode(x).mu)}, 0), 28, 28, 2, 10, 0, 1, 3);
    write_grid_png(out / "vae_prior_samples.png", slice_rows(samples, 0, 100), 28, 28, 10, 10, 0, 1, 2);
    write_grid_png(out / "mlp_vs_conv_vae_samples.png", side_by_side(mlp_samples, samples, 8, 8), 28, 28, 8, 17, 0, 1, 2);
    draw_ae_vs_vae(ctx);
    plot::line_plot(out / "vae_neg_elbo.png", "Conv VAE: -ELBO per image (nats)", "epoch", "nats",
                    {{"train", h.epoch, h.train_loss}, {"test", h.epoch, h.test_loss}});

    auto& m = ctx.metrics;
    m["vae_latent"] = kLatent;
    m["vae_init"] = ctx.options.init;
    m["vae_test_neg_elbo"] = t.loss;
    m["vae_test_reconstruction"] = t.reconstruction;
    m["vae_test_kl"] = t.kl;
    m["vae_prior_fd"] = scores.fd;
    m["vae_classes_at_least_5pct"] = scores.classes_at_least_5pct;
    m["vae_class_histogram"] = scores.class_histogram;
    m["vae_scored_samples"] = scored;
    m["vae_epochs"] = h.epoch.empty() ? 0.0 : h.epoch.back();
    m["train_seconds_vae"] = train_seconds;
    m["mlp_vae_prior_fd"] = mlp_scores.fd;
    m["mlp_vae_classes_at_least_5pct"] = mlp_scores.classes_at_least_5pct;
    m["mlp_vae_test_neg_elbo"] = mlp_neg_elbo;
    m["mlp_vae_source"] = mlp_source;
    m["vae_history"] = {{"epoch", h.epoch}, {"train_neg_elbo", h.train_loss}, {"test_neg_elbo", h.test_loss},
                        {"test_reconstruction", h.test_rec}, {"test_kl", h.test_kl}};

    ctx.summary.add_row({"vae", "test −ELBO (nats/image)", SummaryTable::Cell(t.loss, 5)});
    ctx.summary.add_row({"vae", "  reconstruction", SummaryTable::Cell(t.reconstruction, 5)});
    ctx.summary.add_row({"vae", "  KL", SummaryTable::Cell(t.kl, 4)});
    ctx.summary.add_row({"vae", "FD of " + std::to_string(scored) + " prior samples", SummaryTable::Cell(scores.fd, 4)});
    ctx.summary.add_row({"vae", "classes with ≥ 5% of samples", SummaryTable::Cell(static_cast<unsigned long>(scores.classes_at_least_5pct))});
    ctx.summary.add_row({"vae", "MLP VAE (ch. 03): FD of prior samples", SummaryTable::Cell(mlp_scores.fd, 4)});
    ctx.summary.add_row({"vae", "MLP VAE (ch. 03): test −ELBO", SummaryTable::Cell(mlp_neg_elbo, 5)});
    ctx.summary.add_row({"vae", "training seconds", SummaryTable::Cell(train_seconds, 3)});
    models::record_evaluator(m, ctx.evaluator);
    m.write_merged();  // the figures so far: the estimate below is the part's longest step

    // 4. the importance-weighted estimate of −log p(x) on the first test images
    const std::size_t iw_k = c.quick ? kQuickIwSamples : kIwSamples, iw_n = c.quick ? kQuickIwImages : kIwImages;
    Stopwatch iw_clock;
    const double nll_iw = -mean(vae.importance_weighted_bound(data::first_images(ctx.test, iw_n), iw_k, rng)).item();
    const double iw_seconds = iw_clock.seconds();
    std::printf("IW estimate of -log p(x) %.2f (K = %zu, %zu images, %.0f s)\n", nll_iw, iw_k, iw_n, iw_seconds);
    m["vae_test_nll_iw"] = nll_iw;
    m["vae_iw_samples"] = iw_k;
    m["vae_iw_images"] = iw_n;
    m["vae_iw_seconds"] = iw_seconds;
    ctx.summary.add_row({"vae", "−log p(x), IW K=" + std::to_string(iw_k) + " on " + std::to_string(iw_n), SummaryTable::Cell(nll_iw, 5)});
    return {train_seconds};
}

int reconstruct_file(const Options& o) {
    const fs::path weights = fs::path(o.common.checkpoint_dir) / "conv_vae.safetensors";
    if (!fs::exists(weights))
        throw std::runtime_error("no trained conv VAE at " + weights.string() + "; run ch05_convolutional --part vae first");
    Rng rng(o.common.seed);
    models::ConvVae vae(kLatent, rng);
    load_module(weights, vae);
    vae.eval();
    NoGradGuard no_grad;
    const Tensor x = reshape(load_image_28x28(o.reconstruct), {1, 784});  // (1, 784)
    const Tensor rec = vae.decode_images(vae.encode(x).mu);              // (1, 784)
    const fs::path png = fs::path(o.common.out) / ("reconstruct_" + fs::path(o.reconstruct).stem().string() + ".png");
    write_grid_png(png, concat({x, rec}, 0), 28, 28, 1, 2, 0, 1, 6);
    std::printf("wrote %s: your picture as the model sees it (28×28, left) and the conv VAE's reconstruction (right)\n",
                png.string().c_str());
    return 0;
}

}  // namespace chapter05
