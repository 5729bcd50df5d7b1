// The plain GAN of chapter 02: its losses and their gradients, the alternating update, the
// optimal discriminator, the ring-of-Gaussians metrics, and the chapter executable itself.
#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <numbers>
#include <string>

#include <nlohmann/json.hpp>

#include <mmgen/core/autograd.hpp>
#include <mmgen/core/gradcheck.hpp>
#include <mmgen/nn/losses.hpp>
#include <mmgen/models/gan.hpp>
#include <mmgen/core/ops.hpp>
#include <mmgen/nn/optim.hpp>

#include "support.hpp"

using namespace mmgen;
using Catch::Matchers::WithinAbs;
namespace fs = std::filesystem;

namespace {
// A GAN small enough for central differences: G 3 → 5 → 2 (tanh), D 2 → 4 → 3 → 1.
struct TinyGan {
    Rng rng{17};
    models::GanConfig config = [] {
        models::GanConfig c;
        c.data = 2, c.latent = 3, c.generator_hidden = {5}, c.discriminator_hidden = {4, 3};
        return c;
    }();
    models::Generator g{config, rng};
    models::Discriminator d{config, rng};
    Tensor z = Tensor::randn({6, 3}, rng);              // fixed noise (B, latent)
    Tensor real_points = Tensor::randn({6, 2}, rng);    // (B, data)
};

double log_sigmoid(double x) { return -std::log1p(std::exp(-x)); }

const fs::path kBinary = fs::path(MMGEN_BINARY_DIR) / "bin" / "ch02_gan";
}  // namespace

TEST_CASE("the GAN losses are the binary cross-entropies of the value function", "[gan][losses]") {
    const Tensor real_logits = Tensor::from_data({3, 1}, {2.0, -0.5, 0.1});
    const Tensor fake_logits = Tensor::from_data({3, 1}, {-1.0, 0.3, -4.0});
    double log_d_real = 0, log_one_minus_d_fake = 0, log_d_fake = 0;
    for (double v : real_logits.data()) log_d_real += log_sigmoid(v) / 3;
    for (double v : fake_logits.data()) log_one_minus_d_fake += log_sigmoid(-v) / 3, log_d_fake += log_sigmoid(v) / 3;

    SECTION("L_D = −E[log D(x)] − E[log(1 − D(G(z)))], i.e. −V(D, G)") {
        test::require_close(models::discriminator_loss(real_logits, fake_logits).item(),
                            -log_d_real - log_one_minus_d_fake);
    }
    SECTION("label smoothing moves only the real target: −E[0.9 log D(x) + 0.1 log(1 − D(x))] − E[log(1 − D(G(z)))]") {
        double smoothed = 0;
        for (double v : real_logits.data()) smoothed -= (0.9 * log_sigmoid(v) + 0.1 * log_sigmoid(-v)) / 3;
        test::require_close(models::discriminator_loss(real_logits, fake_logits, 0.9).item(),
                            smoothed - log_one_minus_d_fake);
    }
    SECTION("the minimax generator loss is E[log(1 − D(G(z)))], G's side of V") {
        test::require_close(models::generator_loss_minimax(fake_logits).item(), log_one_minus_d_fake);
    }
    SECTION("the non-saturating generator loss is −E[log D(G(z))]") {
        test::require_close(models::generator_loss_non_saturating(fake_logits).item(), -log_d_fake);
    }
    SECTION("losses refuse anything but (B, 1) logits, naming the shape") {
        REQUIRE_THROWS_WITH(models::generator_loss_minimax(Tensor::zeros({3, 2})), Catch::Contains("(3, 2)"));
    }
}

TEST_CASE("when D rejects the fakes confidently the minimax loss's gradient vanishes and the non-saturating one's does not",
          "[gan][losses]") {
    // D(G(z)) = σ(−8) ≈ 3.4e-4 for each of 4 fakes
    Tensor logits_mm = Tensor::full({4, 1}, -8.0, true), logits_ns = Tensor::full({4, 1}, -8.0, true);
    models::generator_loss_minimax(logits_mm).backward();
    models::generator_loss_non_saturating(logits_ns).backward();
    const double d = 1 / (1 + std::exp(8.0));
    for (std::size_t i = 0; i < 4; ++i) {
        INFO("fake " << i);
        test::require_close(logits_mm.grad()[i], -d / 4);        // ∂/∂ℓ log(1 − σ(ℓ)) = −σ(ℓ)
        test::require_close(logits_ns.grad()[i], -(1 - d) / 4);  // ∂/∂ℓ −log σ(ℓ) = σ(ℓ) − 1
    }
    REQUIRE(std::abs(logits_ns.grad()[0]) > 1000 * std::abs(logits_mm.grad()[0]));
}

TEST_CASE("the gradient of the discriminator loss matches central differences for every parameter of D",
          "[gan][gradcheck]") {
    TinyGan t;
    const Tensor fake = t.g(t.z).detach();  // the fakes are data to D: computed once, without a graph
    for (double real_label : {1.0, 0.9}) {
        INFO("real label " << real_label);
        test::require_gradient_matches(
            "discriminator_loss",
            [&](const std::vector<Tensor>&) {
                return models::discriminator_loss(t.d(t.real_points), t.d(fake), real(real_label));
            },
            t.d.parameters());
    }
}

TEST_CASE("the gradient of the generator loss through D matches central differences for every parameter of G",
          "[gan][gradcheck]") {
    TinyGan t;
    for (auto kind : {models::GeneratorLoss::non_saturating, models::GeneratorLoss::minimax}) {
        INFO(models::generator_loss_name(kind));
        test::require_gradient_matches(
            std::string("generator loss ") + models::generator_loss_name(kind),
            [&](const std::vector<Tensor>&) { return models::generator_loss(t.d(t.g(t.z)), kind); }, t.g.parameters());
    }
}

TEST_CASE("a discriminator step updates D and leaves G's gradients untouched, and a generator step updates only G",
          "[gan]") {
    TinyGan t;
    optim::Adam d_optimizer(t.d.parameters(), 0.01), g_optimizer(t.g.parameters(), 0.01);
    auto values = [](const nn::Module& m) {
        std::vector<std::vector<real>> v;
        for (const auto& p : m.parameters()) v.push_back(p.to_vector());
        return v;
    };
    const auto g_before = values(t.g), d_before = values(t.d);
    const Tensor fake = t.g(t.z);  // (B, 2), with G's graph

    SECTION("discriminator_step: D on real and on the detached fakes") {
        // what D says before its update, which the step reports
        const Tensor real_logits = t.d(t.real_points).detach(), fake_logits = t.d(fake).detach();  // (B, 1) each
        auto mean_sigmoid = [](const Tensor& logits) {
            double s = 0;
            for (double v : logits.data()) s += 1 / (1 + std::exp(-v));
            return s / double(logits.numel());
        };
        const double loss_before = models::discriminator_loss(real_logits, fake_logits).item();
        const auto stats = models::discriminator_step(t.d, d_optimizer, t.real_points, fake);
        test::require_close(stats.loss, loss_before);
        test::require_close(stats.d_real, mean_sigmoid(real_logits));
        test::require_close(stats.d_fake, mean_sigmoid(fake_logits));
        // one small Adam step (lr 0.01) goes downhill on the batch it was taken on
        REQUIRE(models::discriminator_loss(t.d(t.real_points), t.d(fake.detach())).item() < loss_before);
        REQUIRE(values(t.d) != d_before);
        REQUIRE(values(t.g) == g_before);
        for (const auto& [name, p] : t.g.named_parameters()) {
            INFO("generator parameter " << name);
            REQUIRE_FALSE(p.has_grad());  // no gradient reached G: the fakes were detached
        }
    }
    SECTION("generator_step: G through D, with D held fixed") {
        models::discriminator_step(t.d, d_optimizer, t.real_points, fake);
        const auto d_after_its_step = values(t.d);
        models::generator_step(t.d, g_optimizer, fake);
        REQUIRE(values(t.g) != g_before);
        REQUIRE(values(t.d) == d_after_its_step);
        for (const auto& [name, p] : t.d.named_parameters()) {
            INFO("discriminator parameter " << name);
            REQUIRE(p.requires_grad());  // unfrozen again after the step
        }
    }
    SECTION("generator_step refuses fakes without a graph back to G") {
        REQUIRE_THROWS_WITH(models::generator_step(t.d, g_optimizer, fake.detach()), Catch::Contains("no graph"));
    }
}

TEST_CASE("trained on samples, the discriminator approaches D*(x) = p_data(x) / (p_data(x) + p_g(x))", "[gan]") {
    // 1-D: p_data = N(−0.5, 1), p_g = N(1, 1). D is as flexible as the samples allow: one logit per
    // bin of width 0.1625 over [−3, 3.5], trained by minimising discriminator_loss.
    constexpr std::size_t bins = 40, n = 100000;
    constexpr double lo = -3, hi = 3.5, width = (hi - lo) / bins;
    auto normal_pdf = [](double x, double mu) { return std::exp(-0.5 * (x - mu) * (x - mu)) / std::sqrt(2 * std::numbers::pi); };
    Rng rng(5);
    std::vector<std::size_t> real_bins, fake_bins;
    std::vector<double> real_count(bins, 0), fake_count(bins, 0);
    for (std::size_t i = 0; i < n; ++i) {
        const double xr = -0.5 + rng.normal(), xf = 1.0 + rng.normal();
        if (xr >= lo && xr < hi) real_bins.push_back(std::size_t((xr - lo) / width)), ++real_count[real_bins.back()];
        if (xf >= lo && xf < hi) fake_bins.push_back(std::size_t((xf - lo) / width)), ++fake_count[fake_bins.back()];
    }
    Tensor theta = Tensor::zeros({bins, 1}, true);  // D(x) = σ(θ[bin(x)])
    optim::Adam adam({theta}, 0.1);
    for (int step = 0; step < 400; ++step) {
        adam.zero_grad();
        models::discriminator_loss(embedding(theta, real_bins), embedding(theta, fake_bins)).backward();
        adam.step();
    }
    std::size_t compared = 0;
    for (std::size_t b = 0; b < bins; ++b) {
        if (real_count[b] + fake_count[b] < 2000) continue;  // too few samples to pin the ratio down
        const double x = lo + (double(b) + 0.5) * width;
        const double d = 1 / (1 + std::exp(-double(theta.at(b))));
        const double d_star = normal_pdf(x, -0.5) / (normal_pdf(x, -0.5) + normal_pdf(x, 1.0));
        const double empirical = real_count[b] / (real_count[b] + fake_count[b]);
        INFO("bin " << b << " at x = " << x << ": D = " << d << ", empirical optimum " << empirical << ", D* = " << d_star);
        REQUIRE_THAT(d, WithinAbs(empirical, 2e-3));  // training reached the minimiser of the loss ...
        REQUIRE_THAT(d, WithinAbs(d_star, 0.03));     // ... which is D* up to sampling noise
        ++compared;
    }
    REQUIRE(compared >= 20);
}

TEST_CASE("mode coverage counts modes holding 1% of samples and the fraction within 3 sigma", "[gan]") {
    const models::RingOfGaussians ring;  // 8 modes, radius 2, σ 0.02
    Rng rng(3);
    SECTION("samples of the data itself cover every mode, 1 − e^(−9/2) of them within 3σ") {
        const auto c = models::mode_coverage(ring.sample(40000, rng), ring);
        REQUIRE(c.modes_covered == 8);
        REQUIRE_THAT(c.high_quality_fraction, WithinAbs(1 - std::exp(-4.5), 3e-3));  // P(|N(0, σ²I₂)| ≤ 3σ)
    }
    SECTION("a generator collapsed onto one mode covers one") {
        Tensor x = Tensor::full({500, 2}, 0.0);
        for (std::size_t i = 0; i < 500; ++i) x.at(i, 0) = ring.center(3)[0], x.at(i, 1) = ring.center(3)[1];
        const auto c = models::mode_coverage(x, ring);
        REQUIRE(c.modes_covered == 1);
        REQUIRE(c.per_mode[3] == 500);
        REQUIRE(c.high_quality_fraction == 1.0);
    }
    SECTION("points between the modes are neither covered nor high quality") {
        const auto c = models::mode_coverage(Tensor::zeros({100, 2}), ring);
        REQUIRE(c.modes_covered == 0);
        REQUIRE(c.high_quality_fraction == 0.0);
    }
    SECTION("a mode needs at least 1% of the samples") {
        Tensor x = Tensor::zeros({1000, 2});  // 990 at the centre of the ring, 10 at mode 0
        for (std::size_t i = 0; i < 10; ++i) x.at(i, 0) = ring.center(0)[0], x.at(i, 1) = ring.center(0)[1];
        REQUIRE(models::mode_coverage(x, ring).modes_covered == 1);
        x.at(9, 0) = 0;  // now 9 of 1000
        REQUIRE(models::mode_coverage(x, ring).modes_covered == 0);
    }
}

// One test case for the whole --quick run (both parts), so parallel ctest never runs two
// copies into the same folder.
TEST_CASE("ch02_gan --quick: the toy covers at least 6 of 8 modes, and Fashion-MNIST writes its metrics and grids",
          "[gan][chapter][executable]") {
    REQUIRE(fs::exists(kBinary));
    const fs::path dir = test::scratch_dir("ch02_quick"), out = dir / "plots";
    const int exit_code = test::run_executable(
        "ch02_gan", "--quick --out " + out.string() + " --checkpoint-dir " + (dir / "checkpoints" / "02_gan").string(),
        dir / "log.txt");
    INFO("log: " << (dir / "log.txt").string());
    REQUIRE(exit_code == 0);
    const nlohmann::json metrics = test::read_json(out / "metrics.json");
    for (const char* key : {"toy_modes_covered", "toy_high_quality_fraction", "fd", "fd_real_floor", "class_histogram",
                            "classes_at_least_5pct", "epochs", "train_seconds"}) {
        INFO("metrics.json key " << key);
        REQUIRE(metrics.contains(key));
    }
    // part A
    REQUIRE(metrics.at("toy_modes_covered").get<int>() >= 6);
    REQUIRE(metrics.at("toy_high_quality_fraction").get<double>() > 0.3);
    // part B
    std::size_t total = 0;
    for (const auto& count : metrics.at("class_histogram")) total += count.get<std::size_t>();
    REQUIRE(total == metrics.at("scored_samples").get<std::size_t>());
    // FD of 1000 samples to the test set. Real training images sit at the floor (0.16 here, 2026-11-30);
    // the quick G, 2 epochs on 5000 images, at 33 (35.7 after its first epoch); a G that did not
    // learn, or whose tanh output reached the evaluator unmapped from [−1, 1], lies far above.
    const double fd = metrics.at("fd").get<double>(), floor = metrics.at("fd_real_floor").get<double>();
    INFO("FD " << fd << ", real floor " << floor);
    REQUIRE(floor < 1);
    REQUIRE(fd > 10 * floor);
    REQUIRE(fd < 60);
    for (const char* png : {"toy_samples.png", "samples.png", "samples_epoch_01.png", "samples_epoch_02.png",
                            "interpolation.png"}) {
        INFO(png);
        REQUIRE(fs::exists(out / png));
        REQUIRE(fs::file_size(out / png) > 0);
    }
}

TEST_CASE("ch02_gan rejects bad flags with exit code 2", "[gan][chapter][executable]") {
    REQUIRE(fs::exists(kBinary));
    for (const char* flags : {"--epochs -3", "--part nonsense", "--real-label 2", "--d-dropout 1.5", "--no-such-flag",
                              "--g-loss hinge"}) {
        INFO("ch02_gan " << flags);
        REQUIRE(test::run_executable("ch02_gan", flags, test::output_dir("ch02_flags") / "log.txt") == 2);
    }
}
