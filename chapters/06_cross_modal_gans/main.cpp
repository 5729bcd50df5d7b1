// Chapter 06 — GANs across modalities and stages: the conditional GAN from captions, the VAE
// with a discriminator, and the GAN in a latent space (issue 14).
//
// Read with README.md beside it. run() follows the README:
//   §1  text → image: the caption-conditioned GAN, beside chapter 04's MVAE       run_cgan (cgan_part.cpp)
//   §2  the VAE with a discriminator (VAE-GAN)                                     run_vaegan (vaegan_part.cpp)
//   §3  a GAN in the VAE's latent space: the two-stage sampler                    run_latent (latent_part.cpp)
//   §4  the comparison table, and 003 FAQ 1                                       write_comparison (comparison.cpp)
// main() parses the flags; --generate "light ankle boot" uses the trained cGAN and exits.
#include <cstdio>
#include <iostream>

#include <mmgen/models/scoring.hpp>

#include "chapter06.hpp"

using namespace mmgen;

namespace chapter06 {

int run(const Options& o) {
    const auto& c = o.common;
    if (!o.generate.empty()) return generate_from_caption(o);
    const auto train = data::load_fashion_mnist(c.data_dir, "train");
    const auto test = data::load_fashion_mnist(c.data_dir, "test");
    // the judge of every part: chapter 01's CNN (trained here, saying so, if chapter 01 has not saved it)
    auto evaluator = models::Evaluator::load_or_train(c.evaluator_dir(), c.data_dir, c.quick);
    const Moments reference = models::feature_moments(evaluator, test);

    // metrics.json holds every part: each part's keys are written over the file as it is when
    // the part ends, so a --part run keeps the other parts' keys
    MetricsJson metrics(c.out);
    metrics["quick"] = c.quick;
    metrics["seed"] = c.seed;
    models::record_evaluator(metrics, evaluator);
    SummaryTable summary({"part", "metric", "value"});
    PartContext ctx{o, train, test, evaluator, reference, metrics, summary};

    const bool all = o.part == "all";
    if (all || o.part == "cgan") {
        std::printf("\n== 1. text -> image: the caption-conditioned GAN\n");
        run_cgan(ctx);
        metrics.write_merged();
    }
    if (all || o.part == "vaegan") {
        std::printf("\n== 2. the VAE with a discriminator\n");
        run_vaegan(ctx);
        metrics.write_merged();
    }
    if (all || o.part == "latent") {
        std::printf("\n== 3. a GAN in the VAE's latent space\n");
        run_latent(ctx);
        metrics.write_merged();
    }
    // §4 with whatever the parts have written so far (this run's and earlier runs')
    metrics.read_existing();
    write_comparison(ctx);
    metrics.write();
    std::printf("\n");
    summary.print(std::cout);
    std::printf("\nfigures and metrics.json in %s; weights in %s\n", c.out.c_str(), c.checkpoint_dir.c_str());
    return 0;
}

}  // namespace chapter06

int main(int argc, char** argv) {
    chapter06::Options o;
    o.common.chapter = "06_cross_modal_gans";
    CLI::App app{"Chapter 06: GANs across modalities and stages — the conditional GAN from captions, the VAE-GAN, "
                 "and the GAN in a latent space"};
    chapter::add_common_options(app, o.common);
    app.add_option("--part", o.part, "which part to run: all, cgan (text -> image), vaegan (VAE with a discriminator), "
                                     "latent (GAN on the VAE's codes)")
        ->check(CLI::IsMember({"all", "cgan", "vaegan", "latent"}))->capture_default_str();
    app.add_option("--generate", o.generate, "write a grid of the trained cGAN's images for this caption, e.g. \"light ankle boot\"")
        ->check(CLI::Validator(
            [](std::string& text) {
                try {
                    data::Tokenizer().encode(text);  // unknown words are refused, naming them (chapter 04's message)
                    return std::string();
                } catch (const std::invalid_argument& e) {
                    return std::string(e.what());
                }
            },
            "CAPTION"));
    app.add_option("--truncation", o.truncation,
                   "with --generate: draw z with every |z_i| <= this threshold (the truncation trick, README 1.6); 0 = no truncation")
        ->check(CLI::Range(0.0, 10.0))->capture_default_str();
    app.add_option("--cgan-auxiliary", o.cgan_auxiliary,
                   "part cgan: weight w of the auxiliary classifier's cross-entropy in both players' losses (AC-GAN, README 1.7); 0 = off")
        ->check(CLI::Range(0.0, 1e4))->capture_default_str();
    app.add_option("--cgan-epochs", o.cgan_epochs, "part cgan: passes over the training pairs (the ablation's too)")
        ->check(CLI::PositiveNumber)->capture_default_str();
    app.add_option("--vaegan-beta", o.vaegan_beta,
                   "part vaegan: weight of the KL in the encoder's loss (README 2.6); 1 = the -ELBO")
        ->check(CLI::Range(0.0, 1e4))->capture_default_str();
    app.add_option("--vaegan-gamma", o.vaegan_gamma, "part vaegan: weight of the decoder's GAN loss (README 2.2)")
        ->check(CLI::Range(0.0, 1e4))->capture_default_str();
    app.add_option("--vaegan-features", o.vaegan_features,
                   "part vaegan: weight of the error in D's features, Larsen et al.'s reconstruction term (README 2.5); 0 = off")
        ->check(CLI::Range(0.0, 1e4))->capture_default_str();
    app.add_option("--vaegan-epochs", o.vaegan_epochs, "part vaegan: passes over the training set")
        ->check(CLI::PositiveNumber)->capture_default_str();
    chapter::parse_or_exit(app, argc, argv, o.common);
    return chapter::run_guarded("ch06_cross_modal_gans", [&] { return chapter06::run(o); });
}
