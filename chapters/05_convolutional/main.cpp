// Chapter 05 — convolutional generative models: the autoencoder, the VAE and the DCGAN of
// 003 §1.5, corrected.
//
// Read with README.md beside it. run() follows the README:
//   §1  the convolutional autoencoder, and why its latent space cannot be sampled   run_autoencoder (autoencoder.cpp)
//   §2  the convolutional VAE, beside chapter 03's MLP VAE                          run_vae (vae_part.cpp)
//   §3  the DCGAN, beside chapter 02's MLP GAN                                      run_dcgan (dcgan.cpp)
// main() parses the flags; --generate and --reconstruct use the trained models and exit.
#include <cstdio>
#include <iostream>

#include <mmgen/models/scoring.hpp>

#include "chapter05.hpp"
#include "dcgan_part.hpp"

using namespace mmgen;
namespace fs = std::filesystem;

// The default run: 10 epochs for the VAE (the recipe).
constexpr std::size_t kEpochs = 10;

namespace chapter05 {

// The part's keys and the evaluator that scored them, over the metrics.json in --out.
void write_part_metrics(MetricsJson& metrics, LazyEvaluator& evaluator) {
    if (evaluator.loaded()) models::record_evaluator(metrics, evaluator.get());
    metrics.write_merged();
}

int run(const Options& o) {
    const auto& c = o.common;
    if (!o.reconstruct.empty()) return reconstruct_file(o);
    if (o.generate > 0) {
        return generate_dcgan(o);
    }
    const auto train = data::load_fashion_mnist(c.data_dir, "train");
    const auto test = data::load_fashion_mnist(c.data_dir, "test");
    LazyEvaluator evaluator(c, test);  // loaded when a part first scores its samples

    // metrics.json holds every part: each part's keys are written over the file as it is when
    // the part ends, so a --part run (or another part running at the same time) keeps the others
    MetricsJson metrics(c.out);
    metrics["quick"] = c.quick;
    metrics["seed"] = c.seed;
    SummaryTable summary({"part", "metric", "value"});
    PartContext ctx{o, train, test, evaluator, LazyReference{evaluator}, metrics, summary};

    const bool all = o.part == "all";
    if (all || o.part == "ae") {
        std::printf("\n== 1. the convolutional autoencoder\n");
        run_autoencoder(ctx);
        write_part_metrics(metrics, evaluator);
    }
    if (all || o.part == "vae") {
        std::printf("\n== 2. the convolutional VAE\n");
        run_vae(ctx);
        write_part_metrics(metrics, evaluator);
    }
    if (all || o.part == "dcgan") {
        std::printf("\n== 3. the DCGAN\n");
        run_dcgan(ctx);
        write_part_metrics(metrics, evaluator);
    }
    std::printf("\n");
    summary.print(std::cout);
    std::printf("\nfigures and metrics.json in %s; weights in %s\n", c.out.c_str(), c.checkpoint_dir.c_str());
    return 0;
}

}  // namespace chapter05

int main(int argc, char** argv) {
    chapter05::Options o;
    o.common.chapter = "05_convolutional";
    o.common.epochs = kEpochs;
    CLI::App app{"Chapter 05: convolutional generative models — the autoencoder, the VAE and the DCGAN"};
    chapter::add_common_options(app, o.common);
    app.add_option("--part", o.part, "which part to run: all, ae (autoencoder), vae, dcgan")
        ->check(CLI::IsMember({"all", "ae", "vae", "dcgan"}))->capture_default_str();
    app.add_option("--ae-epochs", o.ae_epochs, "passes over the training set for part ae (--epochs is the VAE's)")
        ->check(CLI::PositiveNumber)->capture_default_str();
    app.add_option("--dcgan-epochs", o.dcgan_epochs, "passes over the training set for part dcgan (README §3.2: what 10 minutes allow)")
        ->check(CLI::PositiveNumber)->capture_default_str();
    app.add_option("--init", o.init,
                   "initialisation of every layer of the three parts: pytorch (U(+-1/sqrt(fan-in)), "
                   "PyTorch's default) or he (N(0, 2/fan-in), the library's default elsewhere)")
        ->check(CLI::IsMember({"he", "pytorch"}))->capture_default_str();
    app.add_option("--generate", o.generate, "write N samples of the trained DCGAN as a grid, then exit")
        ->check(CLI::Range(std::size_t{1}, std::size_t{10000}));
    app.add_option("--reconstruct", o.reconstruct, "write the trained conv VAE's reconstruction of this PNG/JPG/BMP")
        ->check(CLI::ExistingFile);
    chapter::parse_or_exit(app, argc, argv, o.common);
    return chapter::run_guarded("ch05_convolutional", [&] { return chapter05::run(o); });
}
