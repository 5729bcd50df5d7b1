// Chapter 03 — the variational autoencoder and its ELBO.
//
// Read with README.md beside it. run() follows the README:
//   §2–§6  the ELBO, its KL in closed form, Bernoulli pixels, reparameterisation, β
//          (models/vae.cpp, nn/distributions.cpp)
//   §8     the model and the algorithm: minimise −ELBO                  models::train_vae (models/vae_training.cpp)
//   §7     estimating log p(x): the importance-weighted bound           step 2 of run()
//   §9     results: curves; reconstructions, samples, an interpolation;
//          the blurry-samples challenge scored by the evaluator          draw_samples, step 3 of run()
//   §9     a 2-D latent space: posterior means by class, the decoded manifold   draw_latent_2d
#include <cmath>
#include <cstdio>
#include <iostream>

#include <mmgen/core/autograd.hpp>
#include <mmgen/io/checkpoint.hpp>
#include <mmgen/io/data.hpp>
#include <mmgen/io/image.hpp>
#include <mmgen/models/scoring.hpp>
#include <mmgen/models/vae.hpp>
#include <mmgen/models/vae_eval.hpp>
#include <mmgen/models/vae_training.hpp>
#include <mmgen/core/ops.hpp>
#include <mmgen/nn/batched.hpp>
#include <mmgen/nn/optim.hpp>
#include <mmgen/report/plot.hpp>
#include <mmgen/report/progress.hpp>

#include "common/options.hpp"

using namespace mmgen;
namespace fs = std::filesystem;

// The pytorch/examples configuration: 10 epochs, batch 128, Adam 1e-3, latent 20.
constexpr std::size_t kEpochs = 10;
constexpr std::size_t kLatent = 20;
// The likelihood estimate: K importance samples for each of the first kIwImages test images.
constexpr std::size_t kIwSamples = 1000, kIwImages = 1000;
// −ELBO on those same images, averaged over this many draws of ε per image.
constexpr std::size_t kElboDraws = 10;
// Prior samples scored by the evaluator.
constexpr std::size_t kScoredSamples = 10000;
// A --quick run: this many training images, epochs, and smaller estimates.
constexpr std::size_t kQuickTrain = 6000, kQuickEpochs = 2, kQuickIwSamples = 50, kQuickIwImages = 100,
                      kQuickScored = 1000;

struct VaeOptions {
    chapter::Options common;
    std::size_t latent = kLatent;
    double beta = 1.0;
    std::string reconstruct;  // a user's picture to reconstruct
};

// −ELBO and its terms over the first `limit` images of a dataset (0: all), one ε per image.
models::ElboValues evaluate(models::Vae& vae, const data::Dataset& d, std::size_t limit, Rng& rng, double beta) {
    return models::mean_negative_elbo(vae, d, limit, rng, static_cast<real>(beta));
}

// Step 3's figures: reconstructions, prior samples, an interpolation.
void draw_samples(models::Vae& vae, const data::Dataset& test, const fs::path& out, Rng& rng) {
    NoGradGuard no_grad;
    // 10 test images (top row) over their reconstructions from the posterior mean (bottom row)
    const Tensor x = data::first_images(test, 10);
    const Tensor rec = vae.decode_images(vae.encode(x).mu);
    write_grid_png(out / "reconstructions.png", concat({x, rec}, 0), 28, 28, 2, 10, 0, 1, 3);
    // 100 draws z ~ N(0, I), decoded
    write_grid_png(out / "prior_samples.png", vae.decode_images(Tensor::randn({100, vae.config().latent}, rng)), 28, 28,
                   10, 10, 0, 1, 2);
    // the straight line between the posterior means of two test images (a sneaker and a trouser)
    const auto q = vae.encode(data::first_images(test, 3));
    const Tensor z0 = slice_rows(q.mu, 0, 1), z1 = slice_rows(q.mu, 2, 3);  // (1, latent) each
    std::vector<Tensor> steps;
    for (int i = 0; i <= 9; ++i) steps.push_back(z0 * real(1 - i / 9.0) + z1 * real(i / 9.0));
    write_grid_png(out / "interpolation.png", vae.decode_images(concat(steps, 0)), 28, 28, 1, 10, 0, 1, 3);
}

// Step 4: a 2-D latent space, drawn directly.
void draw_latent_2d(models::Vae& vae, const data::Dataset& test, const fs::path& out) {
    NoGradGuard no_grad;
    const std::size_t n = std::min<std::size_t>(test.n, 5000);
    const Tensor mu = vae.encode(data::first_images(test, n)).mu;  // (n, 2)
    std::vector<double> xs, ys;
    std::vector<int> classes;
    for (std::size_t i = 0; i < n; ++i) xs.push_back(mu.at(i, 0)), ys.push_back(mu.at(i, 1)), classes.push_back(test.labels[i]);
    plot::scatter_plot(out / "latent_2d_scatter.png", "Posterior means of 5000 test images (latent 2)", xs, ys, classes,
                       {data::kClassNames.begin(), data::kClassNames.end()}, "z1", "z2");
    // decode a 20 × 20 grid of z placed at normal quantiles, so each cell covers equal prior mass
    const std::size_t side = 20;
    Tensor z = Tensor::empty({side * side, 2});
    auto quantile = [](double p) {  // Φ⁻¹(p) by bisection on erf — accurate enough for a picture
        double lo = -6, hi = 6;
        for (int it = 0; it < 60; ++it) {
            const double mid = (lo + hi) / 2;
            (0.5 * std::erfc(-mid / std::sqrt(2.0)) < p ? lo : hi) = mid;
        }
        return (lo + hi) / 2;
    };
    for (std::size_t r = 0; r < side; ++r)
        for (std::size_t c = 0; c < side; ++c) {
            z.at(r * side + c, 0) = real(quantile((c + 0.5) / side));
            z.at(r * side + c, 1) = real(quantile(1 - (r + 0.5) / side));  // z2 grows upwards
        }
    // the decoded cells, 2 pixels apart, then the same picture on axes ticked with each cell's z
    constexpr int kGap = 2;
    constexpr double kCell = 28 + kGap;
    const fs::path tiles = out / "latent_2d_manifold_tiles.png";
    write_grid_png(tiles, vae.decode_images(z), 28, 28, side, side, 0, 1, 1, kGap);
    std::vector<plot::Tick> z1_ticks, z2_ticks;
    auto label = [](double v) {
        char buffer[16];
        std::snprintf(buffer, sizeof buffer, "%.2f", v);
        return std::string(buffer);
    };
    for (std::size_t k = 0; k < side; ++k) {
        const double centre = kGap + kCell * double(k) + 13.5;  // pixel at the middle of cell k
        z1_ticks.push_back({centre, label(z.at(k, 0))});          // column k of row 0
        z2_ticks.push_back({centre, label(z.at(k * side, 1))});   // row k of column 0, counted from the top
    }
    plot::image_on_axes(out / "latent_2d_manifold.png",
                        "The decoder over the 2-D latent plane: each cell decodes the z on its axes (normal quantiles)",
                        tiles, z1_ticks, z2_ticks, "z1", "z2");
}

int reconstruct_file(models::Vae& vae, const fs::path& weights, const VaeOptions& o) {
    if (!fs::exists(weights))
        throw std::runtime_error("no trained VAE at " + weights.string() + "; run ch03_vae (with --latent " +
                                 std::to_string(o.latent) + ") first");
    load_module(weights, vae);
    vae.eval();
    const Tensor x = reshape(load_image_28x28(o.reconstruct), {1, 784});
    const Tensor rec = vae.decode_images(vae.encode(x).mu);
    const fs::path png = fs::path(o.common.out) / ("reconstruct_" + fs::path(o.reconstruct).stem().string() + ".png");
    write_grid_png(png, concat({x, rec}, 0), 28, 28, 1, 2, 0, 1, 6);
    std::printf("wrote %s: your picture as the model sees it (28×28, left) and its reconstruction (right)\n",
                png.string().c_str());
    return 0;
}

int run(VaeOptions& o) {
    const auto& c = o.common;
    const fs::path out = c.out;
    const fs::path weights = fs::path(c.checkpoint_dir) / ("vae-latent" + std::to_string(o.latent) + ".safetensors");
    Rng rng(c.seed);
    models::Vae vae({784, 400, o.latent}, rng);
    if (!o.reconstruct.empty()) return reconstruct_file(vae, weights, o);

    const auto train = data::load_fashion_mnist(c.data_dir, "train");
    const auto test = data::load_fashion_mnist(c.data_dir, "test");
    std::printf("VAE 784 → 400 → (%zu, %zu), %zu → 400 → 784: %zu parameters; β = %g\n", o.latent, o.latent, o.latent,
                vae.parameter_count(), o.beta);

    // 1. train
    Stopwatch clock;
    const fs::path state = fs::path(c.checkpoint_dir) / ("training-latent" + std::to_string(o.latent) +
                                                          (c.quick ? "-quick" : "") + ".safetensors");
    models::VaeTraining training;
    training.epochs = c.quick ? kQuickEpochs : c.epochs, training.batch_size = c.batch_size, training.lr = c.lr;
    training.beta = o.beta, training.resume = c.resume;
    if (c.quick) training.train_limit = kQuickTrain, training.test_limit = 2000;
    const models::VaeHistory h = models::train_vae(vae, train, test, training, state, rng);
    const double train_seconds = clock.seconds();
    save_module(weights, vae);

    // 2. measure
    const models::ElboValues t = evaluate(vae, test, c.quick ? 2000 : 0, rng, o.beta);
    const std::size_t iw_k = c.quick ? kQuickIwSamples : kIwSamples, iw_n = c.quick ? kQuickIwImages : kIwImages;
    Stopwatch iw_clock;
    const Tensor iw = vae.importance_weighted_bound(data::first_images(test, iw_n), iw_k, rng);
    const double nll_iw = -mean(iw).item();
    const double iw_seconds = iw_clock.seconds();
    // −ELBO on the same images as the IW estimate, averaged over kElboDraws draws of ε per image
    // (its own random stream, so the rest of the run draws what it drew before)
    Rng elbo_rng(c.seed + 7);
    double neg_elbo_iw_images = 0;
    for (std::size_t k = 0; k < kElboDraws; ++k)
        neg_elbo_iw_images += evaluate(vae, test, iw_n, elbo_rng, 1.0).loss / double(kElboDraws);

    // 3. look, and score prior samples with the evaluator
    draw_samples(vae, test, out, rng);
    auto evaluator = models::Evaluator::load_or_train(c.evaluator_dir(), c.data_dir, c.quick);
    const std::size_t scored = c.quick ? kQuickScored : kScoredSamples;
    const auto reference = models::feature_moments(evaluator, test);
    const auto scores = models::score_samples(evaluator, vae.decode_images(Tensor::randn({scored, o.latent}, rng)), reference);

    plot::line_plot(out / "neg_elbo.png", "-ELBO per image (nats)", "epoch", "nats",
                    {{"train", h.epoch, h.train_loss}, {"test", h.epoch, h.test_loss}});
    plot::line_plot(out / "reconstruction_term.png", "Reconstruction term -E_q[log p(x|z)] per image", "epoch", "nats",
                    {{"train", h.epoch, h.train_rec}, {"test", h.epoch, h.test_rec}});
    plot::line_plot(out / "kl_term.png", "KL(q(z|x) || p(z)) per image", "epoch", "nats",
                    {{"train", h.epoch, h.train_kl}, {"test", h.epoch, h.test_kl}});

    // 4. a 2-D latent space: this model's if it is 2-D, else a second model trained with latent 2
    double latent2_neg_elbo = t.loss;
    if (o.latent == 2) {
        draw_latent_2d(vae, test, out);
    } else {
        std::printf("\n== 4. the same VAE with a 2-D latent space, to draw it\n");
        models::Vae vae2({784, 400, 2}, rng);
        const fs::path state2 = fs::path(c.checkpoint_dir) / (c.quick ? "training-latent2-quick.safetensors" : "training-latent2.safetensors");
        models::train_vae(vae2, train, test, training, state2, rng);
        save_module(fs::path(c.checkpoint_dir) / "vae-latent2.safetensors", vae2);
        latent2_neg_elbo = evaluate(vae2, test, c.quick ? 2000 : 0, rng, o.beta).loss;
        draw_latent_2d(vae2, test, out);
    }

    MetricsJson metrics(out);
    models::record_evaluator(metrics, evaluator);
    metrics["test_neg_elbo"] = t.loss;
    metrics["test_reconstruction"] = t.reconstruction;
    metrics["test_kl"] = t.kl;
    metrics["test_nll_iw"] = nll_iw;
    metrics["test_neg_elbo_iw_images"] = neg_elbo_iw_images;
    metrics["iw_samples"] = iw_k;
    metrics["iw_images"] = iw_n;
    metrics["iw_seconds"] = iw_seconds;
    metrics["fd"] = scores.fd;
    metrics["class_histogram"] = scores.class_histogram;
    metrics["scored_samples"] = scored;
    metrics["epochs"] = h.epoch.empty() ? 0.0 : h.epoch.back();
    metrics["train_seconds"] = train_seconds;
    metrics["latent"] = o.latent;
    metrics["latent2_test_neg_elbo"] = latent2_neg_elbo;
    metrics["beta"] = o.beta;
    metrics["quick"] = c.quick;
    metrics["history"] = {{"epoch", h.epoch},         {"train_neg_elbo", h.train_loss}, {"test_neg_elbo", h.test_loss},
                          {"test_reconstruction", h.test_rec}, {"test_kl", h.test_kl}};
    metrics.write();

    SummaryTable summary({"metric", "value"});
    summary.add_row({"test −ELBO (nats/image)", SummaryTable::Cell(t.loss, 5)});
    summary.add_row({"  reconstruction", SummaryTable::Cell(t.reconstruction, 5)});
    summary.add_row({"  KL", SummaryTable::Cell(t.kl, 4)});
    summary.add_row({"test −log p(x), IW K=" + std::to_string(iw_k) + " on " + std::to_string(iw_n),
                     SummaryTable::Cell(nll_iw, 5)});
    summary.add_row({"test −ELBO on those " + std::to_string(iw_n) + " images", SummaryTable::Cell(neg_elbo_iw_images, 5)});
    summary.add_row({"Fréchet distance of " + std::to_string(scored) + " prior samples", SummaryTable::Cell(scores.fd, 4)});
    summary.add_row({"classes with ≥ 5% of samples", SummaryTable::Cell(static_cast<unsigned long>(scores.classes_at_least_5pct))});
    summary.add_row({"training seconds", SummaryTable::Cell(train_seconds, 3)});
    summary.add_row({"test −ELBO with a 2-D latent", SummaryTable::Cell(latent2_neg_elbo, 5)});
    std::printf("\n");
    summary.print(std::cout);
    std::printf("\nfigures and metrics.json in %s; weights in %s\n", out.string().c_str(), weights.string().c_str());
    return 0;
}

int main(int argc, char** argv) {
    VaeOptions o;
    o.common.chapter = "03_vae";
    o.common.epochs = kEpochs;
    CLI::App app{"Chapter 03: the variational autoencoder, its ELBO, and the importance-weighted likelihood"};
    chapter::add_common_options(app, o.common);
    app.add_option("--latent", o.latent, "dimension of z (2 draws the latent space)")
        ->check(CLI::Range(std::size_t{1}, std::size_t{512}))->capture_default_str();
    app.add_option("--beta", o.beta, "weight β of the KL term (1: the ELBO)")->check(CLI::NonNegativeNumber)->capture_default_str();
    app.add_option("--reconstruct", o.reconstruct, "write the reconstruction of this PNG/JPG/BMP with the trained model")
        ->check(CLI::ExistingFile);
    chapter::parse_or_exit(app, argc, argv, o.common);
    return chapter::run_guarded("ch03_vae", [&] { return run(o); });
}
