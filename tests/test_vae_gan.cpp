// Chapter 06's VAE-GAN (models/vae_gan.hpp) and the second stage of the two-stage sampler
// (models/latent_gan.hpp): the objective's gradient through the decoder and the frozen D, the
// GAN term reaching the decoder but not the encoder, the alternating step, and the codes the
// second stage is fitted to.
#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

#include <mmgen/core/autograd.hpp>
#include <mmgen/core/ops.hpp>
#include <mmgen/io/data.hpp>
#include <mmgen/models/conv_vae.hpp>
#include <mmgen/models/dcgan.hpp>
#include <mmgen/models/gan.hpp>
#include <mmgen/models/latent_gan.hpp>
#include <mmgen/models/module_guards.hpp>
#include <mmgen/models/vae_gan.hpp>
#include <mmgen/nn/losses.hpp>
#include <mmgen/nn/optim.hpp>

#include "support.hpp"

using namespace mmgen;

namespace {
// A conv VAE and a DCGAN discriminator of 2 channels, latent 3, 4 images a batch.
struct TinyVaeGan {
    Rng rng{17};
    models::ConvVae vae{3, rng, models::ConvWidths{2, 2}};
    models::DcganConfig d_config = [] {
        models::DcganConfig c;
        c.discriminator_channels = 2;
        return c;
    }();
    models::DcganDiscriminator d{d_config, rng};
    Tensor x = Tensor::uniform({4, 784}, rng, 0, 1);  // (B, 784), grey levels
    // The transposed convolutions' biases start at 0, and where every input of a ConvT output is
    // a dead ReLU the output is exactly that bias: 0, the next ReLU's kink, for all such outputs
    // at once. Random biases move the check point off the kink (it is then differentiable).
    TinyVaeGan() {
        for (auto& [name, p] : vae.named_parameters())
            if (p.rank() == 1) rng.fill_uniform(p.data(), real(-0.1), real(0.1));
    }
    Tensor eps = Tensor::randn({4, 3}, rng);          // (B, latent)
    Tensor z_prior = Tensor::randn({4, 3}, rng);      // (B, latent)
};

std::vector<std::vector<real>> gradients(const std::vector<Tensor>& ps) {
    std::vector<std::vector<real>> g;
    for (const auto& p : ps) g.emplace_back(p.grad().begin(), p.grad().end());
    return g;
}
}  // namespace

TEST_CASE("the VAE-GAN objective's gradient through the decoder and the frozen discriminator matches central differences",
          "[vaegan][gradcheck]") {
    TinyVaeGan t;
    const models::VaeGanWeights w{1, real(3)};
    GradcheckOptions options;
    // eps 1e-5 and tolerance 1e-5, as test_conv_vae's −ELBO check: the loss is ~500 nats, so a
    // central difference carries round-off of about 2.2e-16 · 500 / eps
    options.eps = 1e-5;
    options.tolerance = 1e-5;
    auto loss = [&](const std::vector<Tensor>&) {
        const models::FrozenModule frozen(t.d);
        return models::vae_gan_objective(models::vae_gan_forward(t.vae, t.x, t.eps, t.z_prior), t.x, t.d, w).loss;
    };
    // the decoder's parameters: every term depends on them, and the gradient is the loss's
    test::require_gradient_matches("VAE-GAN loss = rec + KL + 3 adversarial, decoder", loss, t.vae.decoder->parameters(), options);
    SECTION("must fail for the encoder: its gradient stops at z.detach(), while the loss's value still moves with z") {
        // by design (Larsen et al.): the encoder follows the −ELBO's gradient only, which is not
        // the derivative of the total loss — the next test checks it is exactly the −ELBO's
        Rng check_rng(2024);
        const auto result = gradcheck("VAE-GAN loss, encoder", loss, t.vae.encoder->parameters(), check_rng, options);
        INFO(result.message);
        REQUIRE_FALSE(result.ok);
        test::require_gradient_matches(
            "−ELBO, encoder",
            [&](const std::vector<Tensor>&) { return t.vae.negative_elbo(t.x, t.eps).loss; },
            t.vae.encoder->parameters(), options);
    }
    // D's loss on real images and both kinds of fakes, the fakes detached
    const Tensor fakes = models::vae_gan_forward(t.vae, t.x, t.eps, t.z_prior).fakes.detach();
    test::require_gradient_matches(
        "discriminator_loss on real, reconstructions and prior samples",
        [&](const std::vector<Tensor>&) { return models::discriminator_loss(t.d(t.x * real(2) - real(1)), t.d(fakes)); },
        t.d.parameters());
}

TEST_CASE("the VAE-GAN objective with Larsen et al.'s error in D's features: its gradient reaches encoder and decoder",
          "[vaegan][gradcheck]") {
    TinyVaeGan t;
    const models::VaeGanWeights w{1, real(3), real(2)};
    GradcheckOptions options;
    options.eps = 1e-5;
    options.tolerance = 1e-5;
    // D has trained a little, so its running statistics (which φ uses in eval mode) are not the
    // initial 0 and 1 and its features are not those of a fresh network
    optim::Adam d_optimizer(t.d.parameters(), real(1e-2));
    for (int i = 0; i < 3; ++i)
        models::discriminator_step(t.d, d_optimizer, t.x * real(2) - real(1),
                                   models::vae_gan_forward(t.vae, t.x, t.eps, t.z_prior).fakes.detach());
    auto terms = [&] {
        const models::FrozenModule frozen(t.d);
        return models::vae_gan_objective(models::vae_gan_forward(t.vae, t.x, t.eps, t.z_prior), t.x, t.d, w);
    };
    auto loss = [&](const std::vector<Tensor>&) { return terms().loss; };
    REQUIRE(terms().feature_error.item() > 0);
    test::require_gradient_matches("VAE-GAN loss + 2 feature error, decoder", loss, t.vae.decoder->parameters(), options);
    SECTION("the encoder's gradient is the −ELBO's plus λ times the feature error's, both through z") {
        auto elbo_plus_features = [&](const std::vector<Tensor>&) {
            const models::FrozenModule frozen(t.d);
            const auto f = models::vae_gan_forward(t.vae, t.x, t.eps, t.z_prior);
            const auto terms = models::vae_gan_objective(f, t.x, t.d, w);
            return terms.reconstruction + terms.kl + terms.feature_error * w.feature_matching;
        };
        test::require_gradient_matches("−ELBO + 2 feature error, encoder", elbo_plus_features, t.vae.encoder->parameters(),
                                       options);
    }
}

TEST_CASE("the VAE-GAN's feature error is computed in eval mode and vanishes for an exact reconstruction", "[vaegan]") {
    TinyVaeGan t;
    const models::VaeGanWeights w{1, real(3), real(2)};
    SECTION("φ is computed in eval mode: the feature error of one image does not depend on the rest of its batch") {
        auto feature_error = [&](const Tensor& x, const Tensor& eps, const Tensor& z_prior) {
            const models::FrozenModule frozen(t.d);  // puts back the running statistics D(fakes) moves
            return models::vae_gan_objective(models::vae_gan_forward(t.vae, x, eps, z_prior), x, t.d, w).feature_error.item();
        };
        double per_image = 0;
        for (std::size_t i = 0; i < 4; ++i)
            per_image += feature_error(slice_rows(t.x, i, i + 1), slice_rows(t.eps, i, i + 1), slice_rows(t.z_prior, i, i + 1));
        test::require_close(feature_error(t.x, t.eps, t.z_prior), per_image / 4, test::tol.loose);
    }
    SECTION("an image reconstructed as itself has no feature error") {
        // the error compares φ(2σ(ℓ) − 1) with φ(2x − 1): targets σ(ℓ) exactly give 0
        const models::FrozenModule frozen(t.d);
        auto f = models::vae_gan_forward(t.vae, t.x, t.eps, t.z_prior);
        const Tensor own = sigmoid(f.logits).detach();
        REQUIRE(models::vae_gan_objective(f, own, t.d, w).feature_error.item() == Approx(0).margin(1e-6));
    }
}

TEST_CASE("the VAE-GAN's adversarial term trains the decoder and not the encoder", "[vaegan]") {
    TinyVaeGan t;
    const models::FrozenModule frozen(t.d);
    auto run = [&](real gamma) {
        t.vae.zero_grad();
        models::vae_gan_objective(models::vae_gan_forward(t.vae, t.x, t.eps, t.z_prior), t.x, t.d,
                                  {1, gamma}).loss.backward();
        return std::pair{gradients(t.vae.encoder->parameters()), gradients(t.vae.decoder->parameters())};
    };
    const auto [enc_elbo, dec_elbo] = run(0);
    const auto [enc_gan, dec_gan] = run(10);
    // the encoder's gradient is the −ELBO's, to the last bit: the fakes come from a detached z
    REQUIRE(enc_gan == enc_elbo);
    // the decoder's is not: D's verdict on reconstructions and prior samples reaches it
    REQUIRE(dec_gan != dec_elbo);
    SECTION("with γ = 0 the objective is chapter 05's −ELBO with the same noise") {
        const auto f = models::vae_gan_forward(t.vae, t.x, t.eps, t.z_prior);
        const auto terms = models::vae_gan_objective(f, t.x, t.d, {1, 0});
        const auto elbo = t.vae.negative_elbo(t.x, t.eps);
        test::require_close(terms.loss.item(), elbo.loss.item(), test::tol.loose);
        test::require_close(terms.kl.item(), elbo.kl.item());
    }
}

TEST_CASE("a VAE-GAN step moves D towards telling real from decoded images, and leaves D's statistics to D's own step",
          "[vaegan]") {
    TinyVaeGan t;
    optim::Adam vae_optimizer(t.vae.parameters(), real(1e-3)), d_optimizer(t.d.parameters(), real(1e-2));
    std::vector<std::vector<real>> vae_before;
    for (const auto& p : t.vae.parameters()) vae_before.push_back(p.to_vector());
    double first_d_loss = 0, last_d_loss = 0;
    for (int step = 0; step < 20; ++step) {
        const auto s = models::vae_gan_step(t.vae, t.d, vae_optimizer, d_optimizer, t.x, t.eps, t.z_prior, {1, 1});
        REQUIRE(std::isfinite(s.loss));
        REQUIRE(s.reconstruction > 0);
        (step == 0 ? first_d_loss : last_d_loss) = s.d_loss;
    }
    // D sees the same real batch 20 times: it learns to separate it from the decoded ones
    REQUIRE(last_d_loss < first_d_loss);
    std::size_t changed = 0, i = 0;
    for (const auto& p : t.vae.parameters()) changed += p.to_vector() != vae_before[i++];
    REQUIRE(changed == vae_before.size());
}

TEST_CASE("the second stage is fitted to codes drawn from q(z|x) and decodes its samples through the VAE", "[vaegan][latent]") {
    Rng rng(19);
    models::ConvVae vae(3, rng, models::ConvWidths{2, 2});
    data::Dataset images;
    images.n = 5, images.rows = 28, images.cols = 28;
    images.images.resize(5 * 784);
    for (std::size_t i = 0; i < images.images.size(); ++i) images.images[i] = std::uint8_t((i * 37) % 256);
    images.labels.assign(5, 0);
    const auto codes = models::encode_dataset(vae, images, 5);
    REQUIRE(codes.mu.shape() == Shape{5, 3});
    SECTION("a code is μ + σ ε of its row") {
        const std::vector<std::size_t> idx{4, 1};
        Rng a(3), b(3);
        const Tensor z = models::sample_codes(codes, idx, a);
        const Tensor eps = Tensor::randn({2, 3}, b);
        for (std::size_t r = 0; r < 2; ++r)
            for (std::size_t j = 0; j < 3; ++j)
                test::require_close(z.at(r, j),
                                    codes.mu.at(idx[r], j) + std::exp(0.5 * codes.logvar.at(idx[r], j)) * eps.at(r, j),
                                    test::tol.loose);
    }
    SECTION("two-stage samples are the decoder's images of the latent generator's codes") {
        models::Generator g(models::latent_gan_config(3, 8), rng);
        Rng a(4), b(4);
        const Tensor images_two_stage = models::two_stage_images(vae, g, 3, a);  // (3, 784)
        const Tensor expected = vae.decode_images(models::generate(g, 3, 3, b));
        REQUIRE(images_two_stage.to_vector() == expected.to_vector());
    }
}

