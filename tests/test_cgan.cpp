// Chapter 06's caption-conditioned GAN (models/cgan.hpp): the caption encoder's mean over the
// words, the projection term of D, the gradients of both GAN losses through the conditional
// players (projection and concatenation), the caption alone moving D's output, gan.hpp's steps
// on players bound to their captions, and the chapter's --quick run.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include <mmgen/core/autograd.hpp>
#include <mmgen/core/ops.hpp>
#include <mmgen/io/captions.hpp>
#include <mmgen/models/cgan.hpp>
#include <mmgen/models/gan.hpp>
#include <mmgen/nn/optim.hpp>

#include "cgan_players.hpp"
#include "support.hpp"

using namespace mmgen;
namespace fs = std::filesystem;

namespace {
models::CganConfig tiny_config(models::Conditioning conditioning) { return test::tiny_cgan_config(conditioning); }
std::vector<std::size_t> captions(const std::vector<std::string>& texts) { return test::caption_ids(texts); }

const std::vector<std::string> kFour = {"dark ankle boot", "light tee", "dark trousers", "light bag"};
const fs::path kBinary = fs::path(MMGEN_BINARY_DIR) / "bin" / "ch06_cross_modal_gans";
}  // namespace

TEST_CASE("the caption encoder averages the embeddings of a caption's words, <pad> left out, then mixes them",
          "[cgan]") {
    Rng rng(5);
    models::CaptionEncoder enc(21, 4, 4, 3, rng);
    const data::Tokenizer tok;
    const auto ids = captions({"dark ankle boot", "light bag"});  // 3 words, then 2 words
    const Tensor e = enc.encode(ids);                               // (2, 3)
    REQUIRE(e.shape() == Shape{2, 3});
    for (std::size_t row = 0; row < 2; ++row) {
        const std::size_t words = row == 0 ? 3 : 2;
        for (std::size_t j = 0; j < 3; ++j) {
            double expected = enc.mix->bias.data()[j];
            for (std::size_t k = 0; k < 4; ++k) {
                double mean_k = 0;
                for (std::size_t t = 0; t < words; ++t) mean_k += enc.words->weight.at(ids[row * 4 + t], k);
                expected += enc.mix->weight.at(j, k) * mean_k / double(words);
            }
            INFO("row " << row << ", output " << j);
            test::require_close(e.at(row, j), expected);
        }
    }
    REQUIRE_THROWS_WITH(enc.encode({1, 2, 3}), Catch::Contains("3 token ids"));
    REQUIRE_THROWS_WITH(enc.encode({0, 0, 0, 0}), Catch::Contains("all <pad>"));
}

TEST_CASE("the projection discriminator's logit is psi(phi(x)) + <e(y), phi(x)>", "[cgan]") {
    Rng rng(7);
    models::ConditionalDiscriminator d(tiny_config(models::Conditioning::projection), rng);
    const Tensor x = Tensor::uniform({4, 784}, rng, -1, 1);
    const auto ids = captions(kFour);
    NoGradGuard no_grad;
    const Tensor logits = d(x, ids);          // (4, 1)
    const Tensor phi = d.features(x);         // (4, 5); batch norm in training mode: same batch, same φ
    const Tensor e = d.caption->encode(ids);  // (4, 5)
    REQUIRE(logits.shape() == Shape{4, 1});
    for (std::size_t b = 0; b < 4; ++b) {
        double expected = d.psi->bias.data()[0];
        for (std::size_t j = 0; j < 5; ++j) expected += (d.psi->weight.at(0, j) + e.at(b, j)) * phi.at(b, j);
        INFO("row " << b);
        test::require_close(logits.at(b, 0), expected, test::tol.loose, test::tol.abs);
    }
}

TEST_CASE("the conditional discriminator's output changes when only the caption changes", "[cgan]") {
    for (auto conditioning : {models::Conditioning::projection, models::Conditioning::concatenation}) {
        INFO(models::conditioning_name(conditioning));
        Rng rng(9);
        const auto config = tiny_config(conditioning);
        models::ConditionalDiscriminator d(config, rng);
        models::ConditionalGenerator g(config, rng);
        d.eval(), g.eval();  // batch norm on running statistics: a row's output depends on its row only
        NoGradGuard no_grad;
        const Tensor x = Tensor::uniform({4, 784}, rng, -1, 1), z = Tensor::randn({4, 3}, rng);
        const auto y = captions(kFour);
        const auto other = captions({"light ankle boot", "dark tee", "light trousers", "dark bag"});  // tone flipped
        const Tensor a = d(x, y), b = d(x, other), again = d(x, y);
        const Tensor ga = g(z, y), gb = g(z, other);
        for (std::size_t r = 0; r < 4; ++r) {
            INFO("row " << r);
            REQUIRE(a.at(r, 0) == again.at(r, 0));  // the same pair, the same score
            REQUIRE(std::abs(a.at(r, 0) - b.at(r, 0)) > 1e-6);
        }
        double moved = 0;
        for (std::size_t i = 0; i < ga.numel(); ++i) moved = std::max(moved, double(std::abs(ga.data()[i] - gb.data()[i])));
        REQUIRE(moved > 1e-4);  // G draws another image for another caption from the same z
    }
}

TEST_CASE("both GAN losses' gradients through the caption-conditioned players match central differences",
          "[cgan][gradcheck]") {
    for (auto conditioning : {models::Conditioning::projection, models::Conditioning::concatenation}) {
        INFO(models::conditioning_name(conditioning));
        Rng rng(11);
        const auto config = tiny_config(conditioning);
        models::ConditionalGenerator g(config, rng);
        models::ConditionalDiscriminator d(config, rng);
        const Tensor z = Tensor::randn({4, 3}, rng);
        const Tensor real_images = Tensor::uniform({4, 784}, rng, -1, 1);
        const auto y = captions(kFour);
        const Tensor fake = g(z, y).detach();
        // D's loss: through φ, ψ and the caption embedding of the projection (or the joint layer)
        test::require_gradient_matches(
            std::string("discriminator_loss through the ") + models::conditioning_name(conditioning) + " D",
            [&](const std::vector<Tensor>&) { return models::discriminator_loss(d(real_images, y), d(fake, y)); },
            d.parameters());
        // G's non-saturating loss: through D's projection into G and G's own caption encoder
        test::require_gradient_matches(
            std::string("generator loss through the ") + models::conditioning_name(conditioning) + " D",
            [&](const std::vector<Tensor>&) { return models::generator_loss_non_saturating(d(g(z, y), y)); },
            g.parameters());
    }
    SECTION("must fail: a projection term whose caption code is detached has a zero gradient for e_D, and the check says so") {
        Rng rng(11);
        models::ConditionalDiscriminator d(tiny_config(models::Conditioning::projection), rng);
        const Tensor x = Tensor::uniform({4, 784}, rng, -1, 1);
        const auto y = captions(kFour);
        Rng check_rng(2024);
        const auto result = gradcheck(
            "projection with e(y) detached",
            [&](const std::vector<Tensor>&) {
                const Tensor phi = d.features(x);
                return d.psi->forward(phi) + sum(phi * d.caption->encode(y).detach(), 1, true);
            },
            d.caption->parameters(), check_rng);
        INFO(result.message);
        REQUIRE_FALSE(result.ok);
    }
}

TEST_CASE("gan.hpp's steps train players bound to their captions: D's caption embedding learns, G's step leaves D as it was",
          "[cgan]") {
    Rng rng(13);
    const auto config = tiny_config(models::Conditioning::projection);
    models::ConditionalGenerator g(config, rng);
    models::ConditionalDiscriminator d(config, rng);
    optim::Adam d_optimizer(d.parameters(), real(0.01)), g_optimizer(g.parameters(), real(0.01));
    const auto y = captions(kFour);
    models::WithCaptions d_y(d, y), g_y(g, y);
    REQUIRE(d_y.parameters().size() == d.parameters().size());
    REQUIRE(d_y.named_buffers().size() == d.named_buffers().size());
    const Tensor real_images = Tensor::uniform({4, 784}, rng, -1, 1);
    const Tensor fake = g_y(Tensor::randn({4, 3}, rng));  // (4, 784), with G's graph
    const auto e_before = d.caption->words->weight.to_vector();
    models::discriminator_step(d_y, d_optimizer, real_images, fake);
    REQUIRE(d.caption->words->weight.to_vector() != e_before);  // the projection's caption code was trained
    std::vector<std::vector<real>> d_state, g_before;
    for (const auto& [name, t] : d.named_state()) d_state.push_back(t.to_vector());
    for (const auto& p : g.parameters()) g_before.push_back(p.to_vector());
    models::generator_step(d_y, g_optimizer, fake);
    std::size_t i = 0;
    for (const auto& [name, t] : d.named_state()) {
        INFO("D's " << name);
        REQUIRE(t.to_vector() == d_state[i++]);
    }
    REQUIRE(g.caption->words->weight.to_vector() != g_before[0]);  // G's caption encoder was trained too
    SECTION("sampling for one caption runs G in eval mode and gives images in [0, 1]") {
        Rng sample_rng(1);
        const Tensor images = models::sample_for_caption(g, data::Tokenizer().encode("light ankle boot"), 6, 3, sample_rng);
        REQUIRE(images.shape() == Shape{6, 784});
        for (real v : images.data()) REQUIRE((v >= 0 && v <= 1));
        REQUIRE(g.is_training());  // put back in the mode it was in
    }
}

// One test case for the whole --quick run, so parallel ctest never runs two copies into the same folder.
TEST_CASE("truncated_normal keeps every draw within the threshold, with the truncated normal's variance", "[cgan]") {
    Rng rng(4);
    const Tensor z = models::truncated_normal({20000, 5}, real(1), rng);
    double sum = 0, squares = 0, largest = 0;
    for (const real v : z.data()) {
        largest = std::max(largest, double(std::abs(v)));
        sum += v, squares += double(v) * v;
    }
    REQUIRE(largest <= 1.0);
    CHECK(largest > 0.99);  // and it does reach the threshold
    const double n = double(z.numel()), mean = sum / n;
    // N(0, 1) conditioned on |z| ≤ 1: mean 0, variance 1 − 2φ(1) / (2Φ(1) − 1) = 0.2911
    CHECK(std::abs(mean) < 0.01);
    CHECK(std::abs(squares / n - mean * mean - 0.2911) < 0.01);
    REQUIRE_THROWS_WITH(models::truncated_normal({2, 2}, real(0), rng), Catch::Contains("threshold t must be positive"));
}

TEST_CASE("ch06_cross_modal_gans --quick runs every part, writes the issue's metrics, and --generate draws a caption's grid",
          "[cgan][chapter][executable]") {
    REQUIRE(fs::exists(kBinary));
    const fs::path dir = test::scratch_dir("ch06_quick"), out = dir / "plots";
    const std::string folders = " --out " + out.string() + " --checkpoint-dir " + (dir / "checkpoints" / "06_cross_modal_gans").string();
    const int exit_code = test::run_executable("ch06_cross_modal_gans", "--quick" + folders, dir / "log.txt");
    INFO("log: " << (dir / "log.txt").string());
    REQUIRE(exit_code == 0);
    const nlohmann::json m = test::read_json(out / "metrics.json");
    for (const char* key : {"cgan_class_coherence", "cgan_tone_coherence", "cgan_fd", "cgan_diversity",
                            "vaegan_prior_fd", "vaegan_test_neg_elbo", "vaegan_reconstruction_agreement",
                            "convvae_prior_fd", "two_stage_fd", "train_seconds_cgan", "train_seconds_vaegan",
                            "train_seconds_latent", "cgan_concatenation", "two_stage_mixture_fd",
                            "two_stage_mixture_components", "aggregate_posterior_fd", "gaussian_fit_fd",
                            "vaegan_two_stage_fd"}) {
        INFO("metrics.json key " << key);
        REQUIRE(m.contains(key));
    }
    for (const char* key : {"cgan_class_coherence", "cgan_tone_coherence", "vaegan_reconstruction_agreement"}) {
        INFO(key);
        const double v = m.at(key).get<double>();
        REQUIRE((v >= 0 && v <= 1));
    }
    for (const char* key : {"cgan_fd", "cgan_diversity", "vaegan_prior_fd", "convvae_prior_fd", "two_stage_fd",
                            "two_stage_mixture_fd", "aggregate_posterior_fd", "vaegan_two_stage_fd"}) {
        INFO(key);
        const double v = m.at(key).get<double>();
        REQUIRE(std::isfinite(v));
        REQUIRE(v > 0);
    }
    // a VAE's −ELBO per image is hundreds of nats, not a mean per pixel
    REQUIRE(m.at("vaegan_test_neg_elbo").get<double>() > 100);
    // per class: ten fractions, and the overall agreement is their average weighted by class size,
    // so it lies between the smallest and the largest
    for (const char* key : {"convvae_reconstruction_agreement_per_class", "vaegan_reconstruction_agreement_per_class"}) {
        INFO(key);
        const auto per_class = m.at(key).get<std::vector<double>>();
        REQUIRE(per_class.size() == 10);
        for (double v : per_class) REQUIRE((v >= 0 && v <= 1));
        const std::string overall = std::string(key).substr(0, std::string(key).size() - std::string("_per_class").size());
        const double a = m.at(overall).get<double>();
        REQUIRE(a >= *std::min_element(per_class.begin(), per_class.end()));
        REQUIRE(a <= *std::max_element(per_class.begin(), per_class.end()));
    }
    // the default run leaves the feature term out and weighs the KL by 1 (the −ELBO), and says so
    REQUIRE(m.at("vaegan_feature_weight").get<double>() == 0);
    REQUIRE(m.at("vaegan_kl_weight").get<double>() == 1);
    // §1.7: the default cGAN trains D's auxiliary head (w = 3), whose cross-entropy on real images
    // is recorded every epoch, for the ablation's D too (0 would mean the head was not trained)
    REQUIRE(m.at("cgan_auxiliary_weight").get<double>() == 3);
    for (const char* history : {"cgan_history", "cgan_concatenation_history"})
        for (double ce : m.at(history).at("classifier_loss_real").get<std::vector<double>>()) {
            INFO(history << ": classifier loss " << ce);
            REQUIRE(std::isfinite(ce));
            REQUIRE(ce > 0);
        }
    // §1.6: the same G measured at each truncation threshold (which threshold is most coherent is not
    // asserted: a --quick G is barely trained)
    REQUIRE(m.at("cgan_truncation").size() == 5);
    for (const auto& row : m.at("cgan_truncation")) {
        REQUIRE(row.at("threshold").get<double>() > 0);
        REQUIRE(std::isfinite(row.at("fd").get<double>()));
    }
    // §3.4: every K tried is in the sweep, and the chosen one has the best held-out log-likelihood
    const auto& sweep = m.at("two_stage_mixture_sweep");
    REQUIRE(sweep.size() == 2);  // --quick tries K = 1, 2
    double best = -INFINITY;
    std::size_t best_k = 0;
    for (const auto& row : sweep)
        if (row.at("held_out_log_likelihood").get<double>() > best)
            best = row.at("held_out_log_likelihood").get<double>(), best_k = row.at("components").get<std::size_t>();
    REQUIRE(m.at("two_stage_mixture_components").get<std::size_t>() == best_k);
    REQUIRE(m.at("gaussian_fit_fd").get<double>() == sweep.at(0).at("fd").get<double>());  // K = 1
    for (const char* png : {"cgan_samples.png", "cgan_losses.png", "vaegan_samples.png", "two_stage_samples.png",
                            "cgan_truncation.png", "cgan_samples_truncated.png", "latent_mixtures.png"}) {
        INFO(png);
        REQUIRE(fs::exists(out / png));
    }
    SECTION("--vaegan-features adds the error in D's features to part vaegan, --vaegan-beta sets the KL's weight; "
            "a negative weight is refused") {
        const fs::path out2 = dir / "plots_features";
        const std::string folders2 = " --out " + out2.string() + " --checkpoint-dir " + (dir / "checkpoints" / "06_cross_modal_gans").string();
        REQUIRE(test::run_executable("ch06_cross_modal_gans", "--quick --part vaegan --vaegan-features 1 --vaegan-gamma 5 --vaegan-beta 0.5" + folders2,
                                     dir / "features.txt") == 0);
        const nlohmann::json f = test::read_json(out2 / "metrics.json");
        REQUIRE(f.at("vaegan_feature_weight").get<double>() == 1);
        REQUIRE(f.at("vaegan_adversarial_weight").get<double>() == 5);
        REQUIRE(f.at("vaegan_kl_weight").get<double>() == 0.5);
        // its own training files, beside the default run's: --resume never continues a run of other weights
        const fs::path checkpoints = dir / "checkpoints" / "06_cross_modal_gans";
        REQUIRE(fs::exists(checkpoints / "training-vaegan-vae-beta0.5-gamma5-features1-quick.safetensors"));
        REQUIRE(fs::exists(checkpoints / "training-vaegan-vae-quick.safetensors"));
        for (double e : f.at("vaegan_history").at("feature_error").get<std::vector<double>>()) REQUIRE(e > 0);
        REQUIRE(test::run_executable("ch06_cross_modal_gans", "--quick --part vaegan --vaegan-features -1" + folders2,
                                     dir / "negative.txt") == 2);
        const std::string text = test::read_text(dir / "negative.txt");
        REQUIRE_THAT(text, Catch::Contains("--vaegan-features"));
        REQUIRE(test::run_executable("ch06_cross_modal_gans", "--quick --part vaegan --vaegan-beta -0.5" + folders2,
                                     dir / "negative_beta.txt") == 2);
        const std::string beta_text = test::read_text(dir / "negative_beta.txt");
        REQUIRE_THAT(beta_text, Catch::Contains("--vaegan-beta"));
    }
    SECTION("--cgan-auxiliary 0 trains the plain projection cGAN: no head, no classifier term; a negative weight is refused") {
        const fs::path out2 = dir / "plots_plain";
        const std::string folders2 = " --out " + out2.string() + " --checkpoint-dir " + (dir / "checkpoints" / "06_cross_modal_gans").string();
        REQUIRE(test::run_executable("ch06_cross_modal_gans", "--quick --part cgan --cgan-auxiliary 0" + folders2, dir / "plain.txt") == 0);
        const nlohmann::json p = test::read_json(out2 / "metrics.json");
        REQUIRE(p.at("cgan_auxiliary_weight").get<double>() == 0);
        for (double ce : p.at("cgan_history").at("classifier_loss_real").get<std::vector<double>>()) REQUIRE(ce == 0);
        REQUIRE(test::run_executable("ch06_cross_modal_gans", "--quick --part cgan --cgan-auxiliary -1" + folders2,
                                     dir / "negative_auxiliary.txt") == 2);
        const std::string text = test::read_text(dir / "negative_auxiliary.txt");
        REQUIRE_THAT(text, Catch::Contains("--cgan-auxiliary"));
    }
    SECTION("--generate draws a grid for a caption; an unknown word is refused with chapter 04's message") {
        REQUIRE(test::run_executable("ch06_cross_modal_gans", "--quick --generate 'light ankle boot'" + folders,
                                     dir / "generate.txt") == 0);
        REQUIRE(fs::exists(out / "generate_light_ankle_boot.png"));
        REQUIRE(test::run_executable("ch06_cross_modal_gans", "--quick --generate 'light ankle boot' --truncation 0.5" + folders,
                                     dir / "generate_truncated.txt") == 0);
        REQUIRE(fs::exists(out / "generate_light_ankle_boot_t0.50.png"));
        REQUIRE(test::run_executable("ch06_cross_modal_gans", "--generate 'purple boot'" + folders, dir / "refused.txt") == 2);
        const std::string text = test::read_text(dir / "refused.txt");
        REQUIRE_THAT(text, Catch::Contains("unknown word 'purple'"));
    }
}
