// Chapter 05's DCGAN (models/dcgan.hpp): the players' shapes and sizes, both GAN losses'
// gradients through the convolutional networks, the alternating update with batch norm in D,
// sampling in eval mode, and the chapter's --part dcgan run.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include <mmgen/core/ops.hpp>
#include <mmgen/models/dcgan.hpp>
#include <mmgen/models/gan.hpp>
#include <mmgen/nn/optim.hpp>

#include "support.hpp"

using namespace mmgen;
namespace fs = std::filesystem;

namespace {
// A DCGAN small enough for central differences: 2 channels where the chapter has 32, latent 3,
// 4 images a batch; the 28 × 28 shapes are the chapter's.
struct TinyDcgan {
    Rng rng{11};
    models::DcganConfig config = [] {
        models::DcganConfig c;
        c.latent = 3, c.generator_channels = 2, c.discriminator_channels = 2;
        return c;
    }();
    models::DcganGenerator g{config, rng};
    models::DcganDiscriminator d{config, rng};
    Tensor z = Tensor::randn({4, 3}, rng);                    // (B, latent)
    Tensor real_images = Tensor::uniform({4, 784}, rng, -1, 1);  // (B, 784), stand-ins in [−1, 1]
};

using Values = std::vector<std::vector<real>>;
Values parameter_values(const nn::Module& m) {
    Values v;
    for (const auto& p : m.parameters()) v.push_back(p.to_vector());
    return v;
}
Values buffer_values(const nn::Module& m) {
    Values v;
    for (const auto& [name, b] : m.named_buffers()) v.push_back(b.to_vector());
    return v;
}

const fs::path kBinary = fs::path(MMGEN_BINARY_DIR) / "bin" / "ch05_convolutional";
}  // namespace

TEST_CASE("the DCGAN's generator maps codes to 28 x 28 images in [-1, 1] and its discriminator images to one logit",
          "[dcgan]") {
    Rng rng(3);
    SECTION("the default networks are the issue's: G 64 -> (64, 7, 7) -> 32 -> 1, D 1 -> 32 -> 64 -> 1") {
        const models::DcganConfig config;
        models::DcganGenerator g(config, rng);
        models::DcganDiscriminator d(config, rng);
        // G: Linear 64·3136 (no bias before BN), BN 2·64, ConvT 64·32·16, BN 2·32, ConvT 32·1·16 + 1
        REQUIRE(g.parameter_count() == 64 * 3136 + 128 + 64 * 32 * 16 + 64 + 32 * 16 + 1);
        // D: Conv 1·32·16 + 32, Conv 32·64·16 (no bias before BN), BN 2·64, Linear 3136 + 1
        REQUIRE(d.parameter_count() == 32 * 16 + 32 + 32 * 64 * 16 + 128 + 3136 + 1);
        const Tensor x = g(Tensor::randn({5, 64}, rng));  // (5, 784)
        REQUIRE(x.shape() == Shape{5, 784});
        for (real v : x.data()) REQUIRE((v >= -1 && v <= 1));
        REQUIRE(d(x).shape() == Shape{5, 1});
        REQUIRE(d(reshape(x, {5, 1, 28, 28})).shape() == Shape{5, 1});
    }
    SECTION("without batch norm the layers get their biases back") {
        models::DcganConfig config;
        config.batch_norm = false;
        models::DcganGenerator g(config, rng);
        models::DcganDiscriminator d(config, rng);
        REQUIRE(g.parameter_count() == 64 * 3136 + 3136 + 64 * 32 * 16 + 32 + 32 * 16 + 1);
        REQUIRE(d.parameter_count() == 32 * 16 + 32 + 32 * 64 * 16 + 64 + 3136 + 1);
        REQUIRE(g.named_buffers().empty());
        REQUIRE(d.named_buffers().empty());
    }
    SECTION("with pooling, D's convolutions are 3 x 3 at stride 1 and max pooling halves the resolution") {
        models::DcganConfig config;
        config.downsampling = models::Downsampling::pooling;
        models::DcganDiscriminator d(config, rng);
        REQUIRE(d.parameter_count() == 32 * 9 + 32 + 32 * 64 * 9 + 128 + 3136 + 1);
        REQUIRE(d(Tensor::uniform({3, 784}, rng, -1, 1)).shape() == Shape{3, 1});
    }
    SECTION("wrong shapes are refused, naming the shape") {
        models::DcganGenerator g(models::DcganConfig{}, rng);
        models::DcganDiscriminator d(models::DcganConfig{}, rng);
        REQUIRE_THROWS_WITH(d(Tensor::zeros({2, 783})), Catch::Contains("(2, 783)"));
        REQUIRE_THROWS_WITH(d(Tensor::zeros({2, 3, 28, 28})), Catch::Contains("(2, 3, 28, 28)"));
        REQUIRE_THROWS_WITH(g(Tensor::zeros({2, 8, 8})), Catch::Contains("(2, 8, 8)"));
        models::DcganConfig empty;
        empty.generator_channels = 0;
        REQUIRE_THROWS_WITH(models::DcganGenerator(empty, rng), Catch::Contains("generator channels 0"));
    }
}

// The largest |w| / (1/√fan-in) over the weights (rank ≥ 2) of a module: ≤ 1 when every weight
// is drawn from PyTorch's U(±1/√fan-in). The fan-in is the weight's second axis times its kernel —
// Linear (out, in): in; Conv2d (F, C, k, k): C·k²; ConvTranspose2d (C_in, C_out, k, k): C_out·k²,
// PyTorch's convention for both.
double largest_weight_over_bound(const nn::Module& m) {
    double largest = 0;
    for (const auto& p : m.parameters()) {
        if (p.rank() < 2) continue;  // biases and batch norm's γ, β
        const double fan_in = double(p.numel() / p.dim(0));
        for (real v : p.data()) largest = std::max(largest, std::abs(double(v)) * std::sqrt(fan_in));
    }
    return largest;
}

TEST_CASE("DcganConfig::init reaches every layer of both players: fan_in draws each weight from U(+-1/sqrt(fan-in))",
          "[dcgan]") {
    Rng rng(5);
    models::DcganConfig config;
    config.init = nn::Init::fan_in;
    for (const auto downsampling : {models::Downsampling::strided_conv, models::Downsampling::pooling}) {
        config.downsampling = downsampling;
        models::DcganGenerator g(config, rng);
        models::DcganDiscriminator d(config, rng);
        CHECK(largest_weight_over_bound(g) <= 1);
        CHECK(largest_weight_over_bound(d) <= 1);
        CHECK(largest_weight_over_bound(d) > 0.5);  // spread over the interval, not stuck near 0
    }
    // He's N(0, 2/fan-in) has a spread √2 times the bound's: its thousands of weights cross it
    models::DcganGenerator he(models::DcganConfig{}, rng);
    CHECK(largest_weight_over_bound(he) > 2);
}

TEST_CASE("the discriminator loss's gradient through the convolutional D matches central differences",
          "[dcgan][gradcheck]") {
    TinyDcgan t;
    const Tensor fake = t.g(t.z).detach();  // the fakes are data to D
    for (auto downsampling : {models::Downsampling::strided_conv, models::Downsampling::pooling}) {
        models::DcganConfig config = t.config;
        config.downsampling = downsampling;
        models::DcganDiscriminator d(config, t.rng);
        for (double real_label : {1.0, 0.9}) {
            INFO((downsampling == models::Downsampling::pooling ? "pooling" : "strided") << " D, real label "
                                                                                        << real_label);
            test::require_gradient_matches(
                "discriminator_loss through the DCGAN discriminator",
                [&](const std::vector<Tensor>&) {
                    return models::discriminator_loss(d(t.real_images), d(fake), real(real_label));
                },
                d.parameters());
        }
    }
}

TEST_CASE("both generator losses' gradients through D and the convolutional G match central differences",
          "[dcgan][gradcheck]") {
    TinyDcgan t;
    for (auto kind : {models::GeneratorLoss::non_saturating, models::GeneratorLoss::minimax}) {
        INFO(models::generator_loss_name(kind));
        test::require_gradient_matches(
            std::string("generator loss ") + models::generator_loss_name(kind) + " through the DCGAN",
            [&](const std::vector<Tensor>&) { return models::generator_loss(t.d(t.g(t.z)), kind); }, t.g.parameters());
    }
    SECTION("must fail: a generator loss cut off from G (its fakes detached) has gradient 0, and the check says so") {
        Rng rng(2024);
        const auto result = gradcheck(
            "generator loss on detached fakes",
            [&](const std::vector<Tensor>&) {
                return models::generator_loss_non_saturating(t.d(t.g(t.z).detach()));
            },
            t.g.parameters(), rng);
        INFO(result.message);
        REQUIRE_FALSE(result.ok);
    }
}

TEST_CASE("a DCGAN discriminator step trains D on real and fake images, and a generator step leaves D as it was",
          "[dcgan]") {
    TinyDcgan t;
    optim::Adam d_optimizer(t.d.parameters(), real(0.01)), g_optimizer(t.g.parameters(), real(0.01));
    const Values g_before = parameter_values(t.g), d_before = parameter_values(t.d);
    const Values d_buffers_before = buffer_values(t.d);
    const Tensor fake = t.g(t.z);  // (B, 784), with G's graph

    SECTION("discriminator_step: D's statistics are those of the real and of the fake batch, and its loss falls") {
        const Tensor real_logits = t.d(t.real_images).detach(), fake_logits = t.d(fake).detach();  // (B, 1) each
        const double loss_before = models::discriminator_loss(real_logits, fake_logits).item();
        const auto stats = models::discriminator_step(t.d, d_optimizer, t.real_images, fake);
        test::require_close(stats.loss, loss_before, test::tol.loose);
        test::require_close(stats.d_real, models::mean_probability(real_logits), test::tol.loose);
        test::require_close(stats.d_fake, models::mean_probability(fake_logits), test::tol.loose);
        REQUIRE(stats.d_real != stats.d_fake);
        REQUIRE(models::discriminator_loss(t.d(t.real_images), t.d(fake.detach())).item() < loss_before);
        REQUIRE(parameter_values(t.d) != d_before);
        REQUIRE(buffer_values(t.d) != d_buffers_before);  // D's batch norm saw the batches
        REQUIRE(parameter_values(t.g) == g_before);
        for (const auto& [name, p] : t.g.named_parameters()) {
            INFO("generator parameter " << name);
            REQUIRE_FALSE(p.has_grad());
        }
    }
    SECTION("generator_step: G moves; D's parameters and running statistics do not") {
        models::discriminator_step(t.d, d_optimizer, t.real_images, fake);
        const Values d_after_its_step = parameter_values(t.d), d_buffers_after_its_step = buffer_values(t.d);
        const auto stats = models::generator_step(t.d, g_optimizer, fake);
        REQUIRE(std::isfinite(stats.loss));
        REQUIRE(parameter_values(t.g) != g_before);
        REQUIRE(parameter_values(t.d) == d_after_its_step);
        REQUIRE(buffer_values(t.d) == d_buffers_after_its_step);  // the forward in training mode moved them back
        for (const auto& [name, p] : t.d.named_parameters()) {
            INFO("discriminator parameter " << name);
            REQUIRE(p.requires_grad());
        }
    }
}

TEST_CASE("sampling runs G's batch norm on its running statistics and puts G back in training mode", "[dcgan]") {
    TinyDcgan t;
    // move G's running statistics off their initial (0, 1) with a few forwards in training mode
    for (int i = 0; i < 3; ++i) t.g(Tensor::randn({8, 3}, t.rng));
    const Values running = buffer_values(t.g);
    const Tensor z = Tensor::randn({6, 3}, t.rng);  // (6, latent)
    const Tensor sampled = models::generate(t.g, z);  // (6, 784)

    SECTION("G is in training mode afterwards, and sampling did not move the running statistics") {
        REQUIRE(t.g.is_training());
        REQUIRE(buffer_values(t.g) == running);
    }
    SECTION("one code gives one image, whatever else is in its batch") {
        const Tensor alone = models::generate(t.g, slice_rows(z, 2, 3));                     // (1, 784)
        const Tensor with_others = models::generate(t.g, concat({slice_rows(z, 2, 3), z}, 0));  // (7, 784)
        for (std::size_t j = 0; j < 784; ++j) {
            INFO("pixel " << j);
            test::require_close(alone.at(0, j), sampled.at(2, j), test::reordered_sum_tol, test::reordered_sum_tol);
            test::require_close(with_others.at(0, j), sampled.at(2, j), test::reordered_sum_tol,
                                test::reordered_sum_tol);
        }
    }
    SECTION("it is the eval-mode forward, not the training one (batch statistics)") {
        t.g.eval();
        const Tensor eval_forward = t.g(z);
        t.g.train();
        const Tensor train_forward = t.g(z);
        test::require_values(sampled, std::vector<double>(eval_forward.data().begin(), eval_forward.data().end()));
        double largest_difference = 0;
        for (std::size_t i = 0; i < sampled.numel(); ++i)
            largest_difference = std::max(largest_difference, double(std::abs(sampled.data()[i] - train_forward.data()[i])));
        REQUIRE(largest_difference > 1e-3);
    }
    SECTION("sample_images maps the samples to [0, 1]") {
        Rng a(9), b(9);
        const Tensor images = models::sample_images(t.g, 5, 3, a);  // (5, 784)
        const Tensor expected = models::to_unit_range(models::generate(t.g, Tensor::randn({5, 3}, b)));
        test::require_values(images, std::vector<double>(expected.data().begin(), expected.data().end()));
        for (real v : images.data()) REQUIRE((v >= 0 && v <= 1));
    }
}

// One test case for the whole --quick run of the part, so parallel ctest never runs two copies
// into the same folder.
TEST_CASE("ch05_convolutional --part dcgan --quick writes its metrics beside the other parts' and --generate draws a grid",
          "[dcgan][chapter][executable]") {
    REQUIRE(fs::exists(kBinary));
    const fs::path dir = test::scratch_dir("ch05_dcgan_quick"), out = dir / "plots";
    const std::string folders = " --out " + out.string() + " --checkpoint-dir " + (dir / "checkpoints" / "05_convolutional").string();
    // another part's key, already in metrics.json: a --part dcgan run must keep it
    fs::create_directories(out);
    std::ofstream(out / "metrics.json") << R"({"ae_prior_fd": 12.5})";
    const int exit_code = test::run_executable("ch05_convolutional", "--quick --part dcgan" + folders, dir / "log.txt");
    INFO("log: " << (dir / "log.txt").string());
    REQUIRE(exit_code == 0);
    const nlohmann::json metrics = test::read_json(out / "metrics.json");
    for (const char* key : {"dcgan_fd", "dcgan_classes_at_least_5pct", "dcgan_class_histogram", "mlp_gan_fd",
                            "train_seconds_dcgan", "dcgan_ablations", "dcgan_history"}) {
        INFO("metrics.json key " << key);
        REQUIRE(metrics.contains(key));
    }
    REQUIRE(metrics.at("ae_prior_fd").get<double>() == 12.5);
    std::size_t total = 0;
    for (const auto& count : metrics.at("dcgan_class_histogram")) total += count.get<std::size_t>();
    REQUIRE(total == metrics.at("dcgan_scored_samples").get<std::size_t>());
    for (const char* ablation : {"recipe", "pooling", "no_batch_norm", "beta1_0.9"}) {
        INFO("ablation " << ablation);
        REQUIRE(metrics.at("dcgan_ablations").contains(ablation));
        REQUIRE(std::isfinite(metrics.at("dcgan_ablations").at(ablation).at("fd").get<double>()));
    }
    // one pass over 5000 images (39 steps): D has learned to tell real from generated (labels
    // swapped, or fakes scored as real, would not give this), and the scores are finite
    const auto& history = metrics.at("dcgan_history");
    REQUIRE(history.at("d_real").back().get<double>() > history.at("d_fake").back().get<double>());
    const double fd = metrics.at("dcgan_fd").get<double>();
    INFO("quick DCGAN FD " << fd);
    REQUIRE(std::isfinite(fd));
    REQUIRE(fd > 0);
    for (const char* png : {"dcgan_samples.png", "dcgan_samples_epoch_01.png", "mlp_gan_samples.png",
                            "dcgan_ablation_pooling.png"}) {
        INFO(png);
        REQUIRE(fs::exists(out / png));
        REQUIRE(fs::file_size(out / png) > 0);
    }
    SECTION("--generate N writes N samples of the trained DCGAN as one grid") {
        REQUIRE(test::run_executable("ch05_convolutional", "--quick --generate 12" + folders, dir / "generate.txt") == 0);
        REQUIRE(fs::exists(out / "generated.png"));
    }
}
