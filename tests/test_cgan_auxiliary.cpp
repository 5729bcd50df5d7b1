// The conditional GAN's auxiliary classifier (models/cgan_auxiliary.hpp, chapter 06 §1.7): both
// losses' gradients through the head, D's and G's; with w = 0 the steps are gan.hpp's, to the
// bit; the head learns from real images only; G's step leaves D as it was; bad input refused.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include <mmgen/core/autograd.hpp>
#include <mmgen/core/ops.hpp>
#include <mmgen/io/captions.hpp>
#include <mmgen/models/cgan.hpp>
#include <mmgen/models/cgan_auxiliary.hpp>
#include <mmgen/models/gan.hpp>
#include <mmgen/nn/losses.hpp>
#include <mmgen/nn/optim.hpp>

#include "cgan_players.hpp"
#include "support.hpp"

using namespace mmgen;

namespace {
// The players of test_cgan.cpp, with a head of `classes` classes (0: none).
models::CganConfig tiny_config(std::size_t classes) {
    return test::tiny_cgan_config(models::Conditioning::projection, classes);
}

// Four captions, their token ids and their classes k(y) = 2 · class + tone.
struct Batch {
    std::vector<std::size_t> tokens, classes;
};
Batch four_captions() {
    Batch b;
    b.tokens = test::caption_ids({"dark ankle boot", "light tee", "dark trousers", "light bag"});
    b.classes = {models::caption_class(9, data::Tone::dark), models::caption_class(0, data::Tone::light),
                 models::caption_class(1, data::Tone::dark), models::caption_class(8, data::Tone::light)};
    return b;
}

std::vector<std::vector<real>> values(const std::vector<std::pair<std::string, Tensor>>& named) {
    std::vector<std::vector<real>> v;
    for (const auto& [name, t] : named) v.push_back(t.to_vector());
    return v;
}
}  // namespace

TEST_CASE("a caption's class for the head is 2 * class + tone, twenty of them", "[cgan]") {
    REQUIRE(models::caption_class(0, data::Tone::dark) == 0);
    REQUIRE(models::caption_class(0, data::Tone::light) == 1);
    REQUIRE(models::caption_class(9, data::Tone::light) == models::kCaptionClasses - 1);
}

TEST_CASE("both auxiliary losses' gradients match central differences, through the head and through D into G",
          "[cgan][gradcheck]") {
    Rng rng(21);
    const auto config = tiny_config(models::kCaptionClasses);
    models::ConditionalGenerator g(config, rng);
    models::ConditionalDiscriminator d(config, rng);
    const Tensor z = Tensor::randn({4, 3}, rng), real_images = Tensor::uniform({4, 784}, rng, -1, 1);
    const auto [y, k] = four_captions();
    const Tensor fake = g(z, y).detach();
    const real w = real(0.7);
    test::require_gradient_matches(
        "auxiliary_discriminator_loss, w = 0.7",
        [&](const std::vector<Tensor>&) { return models::auxiliary_discriminator_loss(d, real_images, fake, y, k, w); },
        d.parameters());
    test::require_gradient_matches(
        "auxiliary_generator_loss, w = 0.7",
        [&](const std::vector<Tensor>&) { return models::auxiliary_generator_loss(d, g(z, y), y, k, w); }, g.parameters());
    SECTION("must fail: G's loss with the head's logits detached loses the classifier's pull, and the check says so") {
        Rng check_rng(2024);
        const auto result = gradcheck(
            "G's auxiliary term with the head detached",
            [&](const std::vector<Tensor>&) {
                const Tensor phi = d.features(g(z, y));
                return models::generator_loss_non_saturating(d.score(phi, y)) +
                       w * cross_entropy(d.class_logits(phi).detach(), k);
            },
            g.parameters(), check_rng);
        INFO(result.message);
        REQUIRE_FALSE(result.ok);
    }
}

TEST_CASE("with w = 0 the auxiliary steps are gan.hpp's steps on the players bound to their captions, to the bit",
          "[cgan]") {
    const auto config = tiny_config(0);
    const auto [y, k] = four_captions();
    // two copies of the same players and optimizers, trained one way and the other
    auto run = [&](bool auxiliary) {
        Rng rng(31);
        models::ConditionalGenerator g(config, rng);
        models::ConditionalDiscriminator d(config, rng);
        optim::Adam g_opt(g.parameters(), real(0.01), real(0.5)), d_opt(d.parameters(), real(0.01), real(0.5));
        for (int step = 0; step < 3; ++step) {
            const Tensor x = Tensor::uniform({4, 784}, rng, -1, 1), z = Tensor::randn({4, 3}, rng);
            const Tensor fake = g(z, y);
            if (auxiliary) {
                models::auxiliary_discriminator_step(d, d_opt, x, fake, y, k, 0);
                models::auxiliary_generator_step(d, g_opt, fake, y, k, 0);
            } else {
                models::WithCaptions d_y(d, y);
                models::discriminator_step(d_y, d_opt, x, fake);
                models::generator_step(d_y, g_opt, fake);
            }
        }
        auto state = values(g.named_state());
        for (auto& v : values(d.named_state())) state.push_back(v);
        return state;
    };
    const auto plain = run(false), auxiliary = run(true);
    REQUIRE(plain.size() == auxiliary.size());
    for (std::size_t i = 0; i < plain.size(); ++i) {
        INFO("state tensor " << i);
        REQUIRE(plain[i] == auxiliary[i]);
    }
}

TEST_CASE("the head learns from real images only, and G's auxiliary step trains G and leaves D as it was", "[cgan]") {
    Rng rng(41);
    const auto config = tiny_config(models::kCaptionClasses);
    models::ConditionalGenerator g(config, rng);
    models::ConditionalDiscriminator d(config, rng);
    const auto [y, k] = four_captions();
    const Tensor x = Tensor::uniform({4, 784}, rng, -1, 1), z = Tensor::randn({4, 3}, rng);
    const real w = 2;
    {
        NoGradGuard no_grad;
        // L_D(w) − L_D(0) is w · CE on the real images: the same whatever the fakes are
        const Tensor fake_a = Tensor::uniform({4, 784}, rng, -1, 1), fake_b = Tensor::uniform({4, 784}, rng, -1, 1);
        const double term_a = models::auxiliary_discriminator_loss(d, x, fake_a, y, k, w).item() -
                              models::auxiliary_discriminator_loss(d, x, fake_a, y, k, 0).item();
        const double term_b = models::auxiliary_discriminator_loss(d, x, fake_b, y, k, w).item() -
                              models::auxiliary_discriminator_loss(d, x, fake_b, y, k, 0).item();
        const double ce = cross_entropy(d.class_logits(d.features(x)), k).item();
        REQUIRE(term_a > 0);
        test::require_close(term_a, w * ce, test::tol.loose, test::tol.abs);
        test::require_close(term_b, term_a, test::tol.loose, test::tol.abs);
    }
    optim::Adam d_opt(d.parameters(), real(0.01)), g_opt(g.parameters(), real(0.01));
    const Tensor fake = g(z, y);
    const auto head_before = d.classify->weight.to_vector();
    const auto ds = models::auxiliary_discriminator_step(d, d_opt, x, fake, y, k, w);
    REQUIRE(ds.classifier > 0);
    REQUIRE(d.classify->weight.to_vector() != head_before);  // the head was trained
    const auto d_state = values(d.named_state());
    const auto g_before = values(g.named_state());
    const auto gs = models::auxiliary_generator_step(d, g_opt, fake, y, k, w);
    REQUIRE(gs.classifier > 0);
    REQUIRE(values(d.named_state()) == d_state);  // D's parameters and batch-norm statistics as they were
    REQUIRE(values(g.named_state()) != g_before);
}

TEST_CASE("the auxiliary steps refuse a weight without a head, a negative weight and a wrong number of classes",
          "[cgan]") {
    Rng rng(51);
    models::ConditionalDiscriminator plain(tiny_config(0), rng), headed(tiny_config(models::kCaptionClasses), rng);
    const auto [y, k] = four_captions();
    const Tensor x = Tensor::uniform({4, 784}, rng, -1, 1);
    NoGradGuard no_grad;
    REQUIRE_THROWS_WITH(models::auxiliary_discriminator_loss(plain, x, x, y, k, 1), Catch::Contains("no auxiliary head"));
    REQUIRE_THROWS_WITH(models::auxiliary_generator_loss(headed, x, y, k, -1), Catch::Contains("must be ≥ 0"));
    REQUIRE_THROWS_WITH(models::auxiliary_discriminator_loss(headed, x, x, y, {1, 2}, 1),
                        Catch::Contains("2 classes for a batch of 4"));
    REQUIRE_THROWS_WITH(plain.class_logits(plain.features(x)), Catch::Contains("auxiliary_classes is 0"));
}
