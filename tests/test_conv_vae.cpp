// Chapter 05, parts 1-2: the convolutional autoencoder and VAE (models/conv_nets, conv_vae,
// conv_autoencoder): their shapes, the gradient of the conv VAE's −ELBO, the autoencoder's
// loss as the Bernoulli likelihood, and a --quick run of the chapter's two parts.
#include <catch2/catch.hpp>

#include <cmath>
#include <string>
#include <vector>

#include <mmgen/core/autograd.hpp>
#include <mmgen/core/gradcheck.hpp>
#include <mmgen/core/ops.hpp>
#include <mmgen/models/conv_autoencoder.hpp>
#include <mmgen/models/conv_vae.hpp>
#include <mmgen/nn/distributions.hpp>
#include <mmgen/nn/losses.hpp>

#include "support.hpp"

using namespace mmgen;
using Catch::Matchers::WithinRel;

TEST_CASE("the conv VAE has the issue's layers: two k4 s2 p1 convolutions each way around a Linear", "[conv_vae][ch05]") {
    Rng rng(1);
    models::ConvVae vae(20, rng);
    std::vector<std::string> names;
    for (auto& [name, t] : vae.named_parameters()) names.push_back(name + " " + t.shape_str());
    REQUIRE(names == std::vector<std::string>{
                         "encoder.1.weight (32, 1, 4, 4)", "encoder.1.bias (32)", "encoder.3.weight (64, 32, 4, 4)",
                         "encoder.3.bias (64)", "encoder.6.weight (40, 3136)", "encoder.6.bias (40)",
                         "decoder.0.weight (3136, 20)", "decoder.0.bias (3136)", "decoder.3.weight (64, 32, 4, 4)",
                         "decoder.3.bias (32)", "decoder.5.weight (32, 1, 4, 4)", "decoder.5.bias (1)"});

    SECTION("each layer halves (encoder) or doubles (decoder) the side") {
        const Tensor x = Tensor::uniform({3, 784}, rng, 0, 1);  // (B, 784)
        const std::vector<Shape> encoder_shapes = {{3, 1, 28, 28}, {3, 32, 14, 14}, {3, 32, 14, 14}, {3, 64, 7, 7},
                                                   {3, 64, 7, 7},  {3, 3136},       {3, 40}};
        Tensor h = x;
        for (std::size_t i = 0; i < vae.encoder->size(); ++i) {
            h = (*vae.encoder)[i].forward(h);
            INFO("encoder layer " << i);
            CHECK(h.shape() == encoder_shapes.at(i));
        }
        const auto q = vae.encode(x);
        CHECK(q.mu.shape() == Shape{3, 20});
        CHECK(q.logvar.shape() == Shape{3, 20});
        const std::vector<Shape> decoder_shapes = {{3, 3136}, {3, 3136}, {3, 64, 7, 7}, {3, 32, 14, 14},
                                                   {3, 32, 14, 14}, {3, 1, 28, 28}, {3, 784}};
        h = q.mu;
        for (std::size_t i = 0; i < vae.decoder->size(); ++i) {
            h = (*vae.decoder)[i].forward(h);
            INFO("decoder layer " << i);
            CHECK(h.shape() == decoder_shapes.at(i));
        }
    }
    SECTION("the autoencoder shares the networks with one code per image") {
        models::ConvAutoencoder ae(20, rng);
        const Tensor x = Tensor::uniform({2, 784}, rng, 0, 1);  // (B, 784)
        CHECK(ae.encode(x).shape() == Shape{2, 20});
        CHECK(ae.decode(ae.encode(x)).shape() == Shape{2, 784});
        CHECK(ae.parameter_count() + 20 * 3136 + 20 == vae.parameter_count());  // the VAE's head also gives log σ²
    }
}

TEST_CASE("the autoencoder's loss is the Bernoulli negative log-likelihood of the pixels, per image", "[conv_vae][ch05]") {
    Rng rng(3);
    models::ConvAutoencoder ae(4, rng, {2, 3});
    const Tensor x = Tensor::uniform({2, 784}, rng, 0, 1);  // (B, 784) grey levels as targets
    NoGradGuard no_grad;
    const Tensor logits = ae.decode(ae.encode(x));  // (B, 784)
    double expected = 0;                            // −Σ [x log σ(l) + (1 − x) log(1 − σ(l))] / B
    for (std::size_t i = 0; i < x.numel(); ++i) {
        const double l = logits.data()[i], t = x.data()[i], p = 1 / (1 + std::exp(-l));
        expected -= (t * std::log(p) + (1 - t) * std::log(1 - p)) / 2;
    }
    CHECK_THAT(ae.reconstruction_loss(x).item(), WithinRel(expected, test::is_double ? 1e-10 : 1e-5));
}

namespace {
// A conv VAE with a few channels (2 and 3) on full 28×28 images: every layer of the chapter's,
// small enough for central differences over every parameter.
struct TinyConvVae {
    Rng rng{5};
    models::ConvVae vae{2, rng, models::ConvWidths{2, 3}};
    Tensor x = Tensor::uniform({2, 784}, rng, 0, 1);  // (B, 784)
    Tensor eps = Tensor::randn({2, 2}, rng);          // (B, latent), held fixed
};
}  // namespace

TEST_CASE("the gradient of the conv VAE's −ELBO matches central differences for every parameter", "[conv_vae][ch05][gradcheck]") {
    TinyConvVae t;
    for (real beta : {real(1), real(4)}) {
        INFO("beta " << beta);
        test::require_gradient_matches(
            "conv vae negative elbo", [&](const std::vector<Tensor>&) { return t.vae.negative_elbo(t.x, t.eps, beta).loss; },
            // eps 1e-5, not 1e-6: the loss is ~500 nats, so a central difference carries round-off of
            // about 2.2e-16 · 500 / eps — 1e-7 at eps 1e-6, which is 1e-4 of the 1e-3 floor and failed
            // the ASan build's arithmetic; 1e-8 at eps 1e-5 (the must-fail case below errs by > 1e-2).
            t.vae.parameters(), {.eps = 1e-5, .tolerance = 1e-5});
    }
}

TEST_CASE("the gradient check fails a conv VAE whose σ passes no gradient through z", "[conv_vae][ch05][gradcheck]") {
    // A plausible bug: z = μ + σ·ε with σ detached, so the reconstruction term's pull on log σ²
    // is lost (only the KL term's remains).
    TinyConvVae t;
    auto wrong = [&](const std::vector<Tensor>&) {
        const auto q = t.vae.encode(t.x);
        const Tensor z = q.mu + exp(q.logvar.detach() * real(0.5)) * t.eps;  // (B, latent)
        return bce_with_logits(t.vae.decode(z), t.x, Reduction::batch_mean) + gaussian_kl(q.mu, q.logvar);
    };
    Rng rng(2024);
    const auto result = gradcheck("conv vae with σ detached", wrong, t.vae.parameters(), rng, {.eps = 1e-6, .tolerance = 1e-5});
    INFO(result.message);
    CHECK_FALSE(result.ok);
    CHECK(result.max_relative_error > 1e-2);
}

TEST_CASE("a quick chapter 05 run of parts ae and vae writes both parts' metrics into one metrics.json", "[conv_vae][ch05][executable]") {
    const auto dir = test::scratch_dir("ch05_quick_ae_vae");
    const std::string args = " --quick --out " + (dir / "plots").string() + " --checkpoint-dir " +
                             (dir / "checkpoints" / "05_convolutional").string();
    REQUIRE(test::run_executable("ch05_convolutional", "--part ae" + args, dir / "ae.log") == 0);
    REQUIRE(test::run_executable("ch05_convolutional", "--part vae" + args, dir / "vae.log") == 0);
    INFO("see " << (dir / "ae.log").string() << " and vae.log");
    const auto metrics = test::read_json(dir / "plots" / "metrics.json");
    for (const char* key : {"ae_prior_fd", "ae_fitted_fd", "ae_reconstruction_fd", "ae_reconstruction_agreement",
                            "ae_test_reconstruction", "train_seconds_ae",
                            "vae_test_neg_elbo", "vae_test_nll_iw", "vae_prior_fd", "vae_classes_at_least_5pct",
                            "mlp_vae_prior_fd", "train_seconds_vae", "evaluator"}) {
        INFO(key);
        REQUIRE(metrics.contains(key));  // the vae run kept the ae run's keys
    }
    for (const char* key : {"ae_prior_fd", "ae_test_reconstruction", "vae_test_neg_elbo", "vae_test_nll_iw", "vae_prior_fd"}) {
        INFO(key);
        CHECK(std::isfinite(metrics[key].get<double>()));
        CHECK(metrics[key].get<double>() > 0);
    }
    // a fraction of the scored reconstructions: what the judge reads as their source's class
    CHECK(metrics["ae_reconstruction_agreement"].get<double>() >= 0);
    CHECK(metrics["ae_reconstruction_agreement"].get<double>() <= 1);
    // −ELBO is the reconstruction term plus the KL, both positive
    CHECK_THAT(metrics["vae_test_neg_elbo"].get<double>(),
               WithinRel(metrics["vae_test_reconstruction"].get<double>() + metrics["vae_test_kl"].get<double>(), 1e-6));
    for (const char* png : {"ae_reconstructions.png", "ae_prior_samples.png", "ae_fitted_samples.png", "vae_reconstructions.png",
                            "vae_prior_samples.png", "ae_vs_vae_prior_samples.png", "mlp_vs_conv_vae_samples.png"}) {
        INFO(png);
        CHECK(std::filesystem::exists(dir / "plots" / png));
    }
    SECTION("an unknown part is refused with exit code 2") {
        CHECK(test::run_executable("ch05_convolutional", "--part gan" + args, dir / "bad.log") == 2);
    }
}
