// The multimodal VAE of chapter 04: the product of Gaussian experts, the KL between two
// Gaussians, the gradient of every variant of the objective, and the chapter's executable.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <numbers>
#include <sstream>

#include <nlohmann/json.hpp>

#include <mmgen/core/autograd.hpp>
#include <mmgen/core/gradcheck.hpp>
#include <mmgen/nn/losses.hpp>
#include <mmgen/models/mvae.hpp>
#include <mmgen/core/ops.hpp>

#include "support.hpp"

using namespace mmgen;
using Catch::Matchers::WithinAbs;
using Catch::Matchers::WithinRel;
namespace fs = std::filesystem;

namespace {
double log_normal(double z, double mu, double var) {
    return -0.5 * (std::log(2 * std::numbers::pi * var) + (z - mu) * (z - mu) / var);
}

// The product of 1-D Gaussian densities ∏ₖ N(z; μₖ, σₖ²), normalised by quadrature on a grid:
// its mean and variance, and its log density at z0.
struct NumericProduct {
    double mean = 0, variance = 0, log_density_at_z0 = 0;
};
NumericProduct numeric_product(const std::vector<std::pair<double, double>>& experts, double z0) {
    const double lo = -20, hi = 20;
    const std::size_t points = 400001;
    const double h = (hi - lo) / double(points - 1);
    auto log_product = [&](double z) {
        double s = 0;
        for (auto [mu, var] : experts) s += log_normal(z, mu, var);
        return s;
    };
    double peak = -1e300;
    for (std::size_t i = 0; i < points; ++i) peak = std::max(peak, log_product(lo + double(i) * h));
    double mass = 0, first = 0, second = 0;
    for (std::size_t i = 0; i < points; ++i) {
        const double z = lo + double(i) * h, w = (i == 0 || i + 1 == points ? 0.5 : 1.0) * h;
        const double p = std::exp(log_product(z) - peak);
        mass += w * p, first += w * p * z, second += w * p * z * z;
    }
    NumericProduct r;
    r.mean = first / mass;
    r.variance = second / mass - r.mean * r.mean;
    r.log_density_at_z0 = log_product(z0) - peak - std::log(mass);
    return r;
}

models::Posterior gaussian(const Shape& shape, const std::vector<double>& mu, const std::vector<double>& logvar) {
    return {Tensor::from_data(shape, std::vector<real>(mu.begin(), mu.end())),
            Tensor::from_data(shape, std::vector<real>(logvar.begin(), logvar.end()))};
}

int exit_code(const std::string& command) {
    const int status = std::system((command + " > /dev/null 2>&1").c_str());
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string chapter_binary() { return std::string(MMGEN_BINARY_DIR) + "/bin/ch04_multimodal"; }

// The quadrature below is exact to about 1e-9; the closed form in float to a few roundings.
const double kQuadrature = std::max(1e-9, test::tol.abs);
}  // namespace

TEST_CASE("the product of Gaussian experts is the normalised product of their densities", "[mvae]") {
    SECTION("one dimension: the prior and two experts") {
        const double mu1 = 1.5, var1 = 0.5, mu2 = -0.7, var2 = 2.0;
        const auto q = product_of_experts(
            {gaussian({1, 1}, {mu1}, {std::log(var1)}), gaussian({1, 1}, {mu2}, {std::log(var2)})});
        const NumericProduct numeric = numeric_product({{0, 1}, {mu1, var1}, {mu2, var2}}, 0.3);
        const double mu = q.mu.item(), var = std::exp(q.logvar.item());
        INFO("closed form N(" << mu << ", " << var << "), quadrature N(" << numeric.mean << ", " << numeric.variance << ")");
        REQUIRE_THAT(mu, WithinAbs(numeric.mean, kQuadrature));
        REQUIRE_THAT(var, WithinAbs(numeric.variance, kQuadrature));
        REQUIRE_THAT(log_normal(0.3, mu, var), WithinAbs(numeric.log_density_at_z0, kQuadrature));
        // precisions add; means are precision-weighted
        REQUIRE_THAT(1 / var, WithinRel(1 + 1 / var1 + 1 / var2, test::tol.rel));
        REQUIRE_THAT(mu, WithinRel((mu1 / var1 + mu2 / var2) * var, test::tol.rel));
    }
    SECTION("diagonal: every (row, dimension) is its own one-dimensional product") {
        Rng rng(3);
        const Shape shape{2, 3};
        const auto e1 = models::Posterior{Tensor::randn(shape, rng), Tensor::randn(shape, rng)};
        const auto e2 = models::Posterior{Tensor::randn(shape, rng, 2), Tensor::randn(shape, rng)};
        for (bool prior : {true, false}) {
            const auto q = product_of_experts({e1, e2}, prior);
            for (std::size_t i = 0; i < 6; ++i) {
                std::vector<std::pair<double, double>> experts = {{e1.mu.at(i), std::exp(e1.logvar.at(i))},
                                                                  {e2.mu.at(i), std::exp(e2.logvar.at(i))}};
                if (prior) experts.emplace_back(0, 1);
                const NumericProduct numeric = numeric_product(experts, 0.1);
                INFO("value " << i << (prior ? " with" : " without") << " the prior");
                REQUIRE_THAT(q.mu.at(i), WithinAbs(numeric.mean, 10 * kQuadrature));
                REQUIRE_THAT(std::exp(q.logvar.at(i)), WithinAbs(numeric.variance, 10 * kQuadrature));
                REQUIRE_THAT(log_normal(0.1, q.mu.at(i), std::exp(q.logvar.at(i))),
                             WithinAbs(numeric.log_density_at_z0, 10 * kQuadrature));
            }
        }
    }
    SECTION("two dimensions at once: the joint density on a grid matches the diagonal Gaussian") {
        const auto e1 = gaussian({1, 2}, {0.5, -1.0}, {std::log(0.3), std::log(1.7)});
        const auto e2 = gaussian({1, 2}, {-0.2, 2.0}, {std::log(0.8), std::log(0.6)});
        const auto q = product_of_experts({e1, e2});
        const double lo = -8, hi = 8, h = 0.01;
        const auto n = static_cast<std::size_t>((hi - lo) / h) + 1;
        auto log_product = [&](double a, double b) {
            return log_normal(a, 0, 1) + log_normal(b, 0, 1) + log_normal(a, 0.5, 0.3) + log_normal(b, -1.0, 1.7) +
                   log_normal(a, -0.2, 0.8) + log_normal(b, 2.0, 0.6);
        };
        double mass = 0;
        for (std::size_t i = 0; i < n; ++i)
            for (std::size_t j = 0; j < n; ++j) mass += std::exp(log_product(lo + double(i) * h, lo + double(j) * h)) * h * h;
        for (auto [a, b] : std::vector<std::pair<double, double>>{{0.0, 0.0}, {0.3, 0.9}, {-0.5, 1.5}}) {
            const double expected = log_product(a, b) - std::log(mass);
            const double closed = log_normal(a, q.mu.at(0), std::exp(q.logvar.at(0))) +
                                  log_normal(b, q.mu.at(1), std::exp(q.logvar.at(1)));
            INFO("at (" << a << ", " << b << ")");
            REQUIRE_THAT(closed, WithinAbs(expected, std::max(1e-6, 10 * test::tol.abs)));
        }
    }
}

TEST_CASE("with only the prior expert the product is N(0, I)", "[mvae]") {
    SECTION("the prior expert alone") {
        const auto q = product_of_experts({prior_expert(3, 4)}, /*include_prior=*/false);
        test::require_values(q.mu, std::vector<double>(12, 0.0));
        test::require_values(q.logvar, std::vector<double>(12, 0.0));
    }
    SECTION("the prior with an expert that knows nothing (variance e^60)") {
        const auto q = product_of_experts({gaussian({1, 2}, {5.0, -3.0}, {60.0, 60.0})});
        // the expert's weight is e^−60 ≈ 1e-26 of the prior's
        test::require_values(q.mu, {0, 0}, test::tol.rel, 1e-20);
        test::require_values(q.logvar, {0, 0}, test::tol.rel, 1e-20);
    }
    SECTION("the prior twice halves the variance") {
        const auto q = product_of_experts({prior_expert(1, 2)});
        test::require_values(q.logvar, {-std::log(2.0), -std::log(2.0)});
    }
}

TEST_CASE("the product of experts stays finite for extreme variances", "[mvae]") {
    const auto q = product_of_experts(
        {gaussian({1, 3}, {1.0, 2.0, 3.0}, {-300.0, 300.0, -300.0}), gaussian({1, 3}, {-1.0, 0.5, 4.0}, {300.0, -300.0, -299.0})});
    for (std::size_t i = 0; i < 3; ++i) {
        INFO("dimension " << i);
        REQUIRE(std::isfinite(q.mu.at(i)));
        REQUIRE(std::isfinite(q.logvar.at(i)));
    }
    test::require_close(q.mu.at(0), 1.0);  // the confident expert decides
    test::require_close(q.mu.at(1), 0.5);
    test::require_close(q.logvar.at(0), -300.0);
    // two confident experts, precisions e^300 and e^299: weights 1/(1 + e^−1) and e^−1/(1 + e^−1)
    const double w = 1 / (1 + std::exp(-1.0));
    test::require_close(q.mu.at(2), w * 3.0 + (1 - w) * 4.0);
}

TEST_CASE("the KL between two diagonal Gaussians is zero for equal ones and reduces to the prior KL", "[mvae]") {
    Rng rng(4);
    const models::Posterior q{Tensor::randn({3, 5}, rng), Tensor::randn({3, 5}, rng)};
    test::require_values(gaussian_kl_between(q, q), {0, 0, 0});
    const Tensor to_prior = gaussian_kl_between(q, prior_expert(3, 5));
    const Tensor reference = gaussian_kl(q.mu, q.logvar, Reduction::none);
    for (std::size_t r = 0; r < 3; ++r) test::require_close(to_prior.at(r), reference.at(r));
}

TEST_CASE("the MMD between two samples is zero for one sample and grows as they part", "[mvae]") {
    Rng rng(10);
    const Tensor a = Tensor::randn({50, 4}, rng), b = Tensor::randn({50, 4}, rng);
    REQUIRE_THAT(mmd_imq(a, a).item(), WithinAbs(0, test::tol.abs));
    const double same = mmd_imq(a, b).item();
    const double shifted = mmd_imq(a, b + 1.0).item(), further = mmd_imq(a, b + 3.0).item();
    INFO("MMD² same distribution " << same << ", shifted by 1: " << shifted << ", by 3: " << further);
    REQUIRE(same >= 0);
    REQUIRE(shifted > 3 * same);
    REQUIRE(further > shifted);
    SECTION("it is the mean kernel value formula") {
        const Tensor u = Tensor::from_data({2, 1}, {0.0, 1.0}), v = Tensor::from_data({1, 1}, {3.0});
        // C = 2: k(0,0) = k(1,1) = 1, k(0,1) = 2/3; k(3,3) = 1; k(0,3) = 2/11, k(1,3) = 2/6
        const double expected = (1 + 1 + 2 * (2.0 / 3)) / 4 + 1 - 2 * (2.0 / 11 + 2.0 / 6) / 2;
        test::require_close(mmd_imq(u, v).item(), expected);
    }
}

TEST_CASE("the MMD has the gradient of its formula", "[mvae][gradcheck]") {
    Rng rng(10);
    Tensor x = test::random_input({5, 3}, rng), y = test::random_input({4, 3}, rng);
    test::require_gradient_matches("mmd_imq", [](const std::vector<Tensor>& in) { return mmd_imq(in[0], in[1]); },
                                   {x, y});
}

TEST_CASE("the product of experts has the gradient of its formula", "[mvae][gradcheck]") {
    Rng rng(6);
    std::vector<Tensor> inputs;
    for (int i = 0; i < 4; ++i) inputs.push_back(test::random_input({2, 3}, rng));
    test::require_gradient_matches(
        "product_of_experts",
        [](const std::vector<Tensor>& in) {
            const auto q = product_of_experts({{in[0], in[1]}, {in[2], in[3]}});
            return concat({q.mu, q.logvar}, 1);
        },
        inputs);
}

TEST_CASE("the gradient of every variant of the multimodal objective matches central differences", "[mvae][gradcheck]") {
    Rng rng(5);
    const models::MvaeConfig config{6, 5, 3, 5, 3, 2, 4};  // image, hidden, latent, V, length, embedding, text hidden
    models::Mvae mvae(config, rng);
    const std::size_t batch = 3;
    const Tensor x = Tensor::uniform({batch, 6}, rng, 0, 1);
    std::vector<std::size_t> tokens(batch * 3);
    for (auto& t : tokens) t = rng.below(5);
    const models::MvaeNoise noise{Tensor::randn({batch, 3}, rng), Tensor::randn({batch, 3}, rng),
                                  Tensor::randn({batch, 3}, rng), Tensor::randn({batch, 3}, rng)};  // held fixed
    // λx, λy, β, α, γ, δ: every optional term switched on
    const models::MvaeWeights weights{real(1.3), real(2.0), real(0.6), real(0.7), real(1.5), real(3.0)};
    // ε = 1e-5: the loss is a sum of terms of size ~10, so with ε = 1e-6 round-off in
    // L(θ ± ε) reaches ~1e-9 absolute, above the 1e-6 × floor the checker allows.
    GradcheckOptions options;
    options.eps = 1e-5;
    const auto fusion = GENERATE(models::Fusion::poe, models::Fusion::mopoe, models::Fusion::moe, models::Fusion::jmvae);
    auto result = gradcheck(
        std::string("mvae objective, fusion ") + models::fusion_name(fusion),
        [&](const std::vector<Tensor>&) { return mvae.objective(x, tokens, noise, fusion, weights).loss; },
        mvae.parameters(), rng, options);
    INFO(result.message);
    REQUIRE(result.checked == mvae.parameter_count());
    REQUIRE(result.ok);
}

TEST_CASE("the objective's terms are what each variant says", "[mvae]") {
    Rng rng(8);
    models::Mvae mvae(models::MvaeConfig{6, 5, 3, 5, 3, 2, 4}, rng);
    const Tensor x = Tensor::uniform({3, 6}, rng, 0, 1);
    const std::vector<std::size_t> tokens = {1, 2, 0, 3, 4, 0, 2, 2, 1};
    const models::MvaeNoise noise{Tensor::randn({3, 3}, rng), Tensor::randn({3, 3}, rng), Tensor::randn({3, 3}, rng)};
    auto image_rec = [&](const models::Posterior& q, const Tensor& eps) {
        return mvae.image_reconstruction(mvae.decode_image(reparameterize(q, eps)), x).item();
    };
    auto text_rec = [&](const models::Posterior& q, const Tensor& eps) {
        return mvae.text_reconstruction(mvae.decode_text(reparameterize(q, eps)), tokens).item();
    };
    auto kl = [](const models::Posterior& q) { return gaussian_kl(q.mu, q.logvar, Reduction::batch_mean).item(); };
    const auto qxy = mvae.posterior_joint(x, tokens), qx = mvae.posterior_image(x), qy = mvae.posterior_text(tokens);
    SECTION("poe with weights 1 and β = 1 minimises the sum of the joint, image-only and text-only −ELBOs") {
        const auto t = mvae.objective(x, tokens, noise, models::Fusion::poe, {1, 1, 1, 1, 1});
        const double joint = image_rec(qxy, noise.joint) + text_rec(qxy, noise.joint) + kl(qxy);
        const double image = image_rec(qx, noise.image) + kl(qx), text = text_rec(qy, noise.text) + kl(qy);
        test::require_close(t.loss.item(), joint + image + text);
    }
    SECTION("the weights multiply their terms") {
        const auto t = mvae.objective(x, tokens, noise, models::Fusion::poe, {2, 30, real(0.5), 1, 3});
        test::require_close(t.loss.item(), 2 * t.rec_image.item() + 30 * t.rec_text.item() + 0.5 * t.kl.item());
        test::require_close(t.kl.item(), kl(qxy) + kl(qx) + 3 * kl(qy));
    }
    SECTION("mopoe decodes both modalities from a z drawn from each subset in turn") {
        // batch 3, three subsets: row 0 from q(z|x,y), row 1 from q(z|x), row 2 from q(z|y)
        const auto t = mvae.objective(x, tokens, noise, models::Fusion::mopoe, {1, 1, 1, 1, 1});
        auto row = [](const models::Posterior& q, std::size_t r) {
            return models::Posterior{slice_rows(q.mu, r, r + 1), slice_rows(q.logvar, r, r + 1)};
        };
        const Tensor z = concat({reparameterize(row(qxy, 0), slice_rows(noise.joint, 0, 1)),
                                 reparameterize(row(qx, 1), slice_rows(noise.image, 1, 2)),
                                 reparameterize(row(qy, 2), slice_rows(noise.text, 2, 3))}, 0);
        test::require_close(t.rec_image.item(), mvae.image_reconstruction(mvae.decode_image(z), x).item());
        test::require_close(t.rec_text.item(), mvae.text_reconstruction(mvae.decode_text(z), tokens).item());
        test::require_close(t.kl.item(), (kl(qxy) + kl(qx) + kl(qy)) / 3);
    }
    SECTION("moe decodes both modalities from a z drawn from q(z|x) or q(z|y), the text KL weighted by γ") {
        // batch 3, two subsets: row 0 from q(z|x), rows 1 and 2 from q(z|y); λx = 2, λy = 30, β = ½, γ = 3
        const auto t = mvae.objective(x, tokens, noise, models::Fusion::moe, {2, 30, real(0.5), 1, 3});
        auto rows = [](const models::Posterior& q, std::size_t begin, std::size_t end) {
            return models::Posterior{slice_rows(q.mu, begin, end), slice_rows(q.logvar, begin, end)};
        };
        const Tensor z = concat({reparameterize(rows(qx, 0, 1), slice_rows(noise.image, 0, 1)),
                                 reparameterize(rows(qy, 1, 3), slice_rows(noise.text, 1, 3))}, 0);
        const double rec_image = mvae.image_reconstruction(mvae.decode_image(z), x).item();
        const double rec_text = mvae.text_reconstruction(mvae.decode_text(z), tokens).item();
        const double kl_mixture = (kl(qx) + 3 * kl(qy)) / 2;
        test::require_close(t.rec_image.item(), rec_image);
        test::require_close(t.rec_text.item(), rec_text);
        test::require_close(t.kl.item(), kl_mixture);
        test::require_close(t.loss.item(), 2 * rec_image + 30 * rec_text + 0.5 * kl_mixture);
    }
    SECTION("jmvae adds its KL pull to the joint ELBO") {
        const auto jm = mvae.objective(x, tokens, noise, models::Fusion::jmvae, {1, 1, 1, 2, 1});
        const double joint = image_rec(qxy, noise.joint) + text_rec(qxy, noise.joint) + kl(qxy);
        const double pull = mean(gaussian_kl_between(qxy, qx) + gaussian_kl_between(qxy, qy)).item();
        REQUIRE(pull > 0);
        test::require_close(jm.loss.item(), joint + 2 * pull);
    }
    SECTION("an unknown fusion name lists the choices") {
        REQUIRE_THROWS_WITH(models::parse_fusion("gan"), Catch::Matchers::Contains("poe, mopoe, moe or jmvae"));
    }
}

TEST_CASE("the convolutional image networks map 28 x 28 images to the latent and back", "[mvae]") {
    Rng rng(21);
    const std::size_t c = 2, latent = 3;  // channels of the first convolution; the second has 2c
    models::MvaeConfig config{784, 5, latent, 5, 3, 2, 4, models::ImageNetwork::conv, c};
    models::Mvae mvae(config, rng);
    SECTION("shapes: (B, 784) to μ, log σ² (B, latent), and z (B, latent) to logits (B, 784)") {
        const Tensor x = Tensor::uniform({2, 784}, rng, 0, 1);
        const auto q = mvae.image_expert(x);
        REQUIRE(q.mu.shape() == Shape{2, latent});
        REQUIRE(q.logvar.shape() == Shape{2, latent});
        REQUIRE(mvae.decode_image(Tensor::randn({2, latent}, rng)).shape() == Shape{2, 784});
    }
    SECTION("the parameters are the layout's: two convolutions, a Linear, and their mirror image") {
        const std::size_t encoder = (1 * c * 16 + c) + (c * 2 * c * 16 + 2 * c) + (2 * c * 49 * 2 * latent + 2 * latent);
        const std::size_t decoder = (latent * 2 * c * 49 + 2 * c * 49) + (2 * c * c * 16 + c) + (c * 16 + 1);
        std::size_t counted = 0;
        for (const auto& [name, t] : mvae.named_parameters())
            if (name.rfind("image_", 0) == 0) counted += t.numel();
        REQUIRE(counted == encoder + decoder);
    }
    SECTION("every convolution receives a gradient from the objective") {
        const Tensor x = Tensor::uniform({2, 784}, rng, 0, 1);
        const models::MvaeNoise noise{Tensor::randn({2, latent}, rng), Tensor::randn({2, latent}, rng),
                                      Tensor::randn({2, latent}, rng)};
        mvae.objective(x, {1, 2, 0, 3, 4, 0}, noise, models::Fusion::moe, {}).loss.backward();
        for (const auto& [name, t] : mvae.named_parameters()) {
            if (name.rfind("image_", 0) != 0) continue;
            INFO(name);
            REQUIRE(t.has_grad());
            double norm = 0;
            for (real g : t.grad()) norm += double(g) * double(g);
            REQUIRE(norm > 0);
        }
    }
    SECTION("other image sizes are refused, naming the sizes") {
        REQUIRE_THROWS_WITH(models::Mvae(models::MvaeConfig{6, 5, 3, 5, 3, 2, 4, models::ImageNetwork::conv, 2}, rng),
                            Catch::Matchers::Contains("28 × 28") && Catch::Matchers::Contains("got 6 pixels"));
        REQUIRE_THROWS_WITH(models::parse_image_network("cnn"), Catch::Matchers::Contains("choose mlp or conv"));
    }
}

TEST_CASE("caption scores are log-probabilities of whole captions", "[mvae]") {
    Rng rng(9);
    models::Mvae mvae(models::MvaeConfig{6, 5, 3, 5, 3, 2, 4}, rng);  // V = 5, L = 3: 125 possible captions
    const Tensor logits = mvae.decode_text(Tensor::randn({2, 3}, rng));
    std::vector<std::size_t> every;
    for (std::size_t a = 0; a < 5; ++a)
        for (std::size_t b = 0; b < 5; ++b)
            for (std::size_t c = 0; c < 5; ++c) every.insert(every.end(), {a, b, c});
    const Tensor ll = mvae.caption_log_likelihoods(logits, every);  // (2, 125)
    for (std::size_t r = 0; r < 2; ++r) {
        double total = 0;
        for (std::size_t k = 0; k < 125; ++k) total += std::exp(ll.at(r, k));
        INFO("row " << r);
        test::require_close(total, 1.0);
    }
    // and one caption's score is minus its cross-entropy
    const std::vector<std::size_t> one = {4, 0, 2};
    const Tensor first = slice_rows(logits, 0, 1);
    test::require_close(mvae.caption_log_likelihoods(first, one).item(), -mvae.text_reconstruction(first, one).item());
}

TEST_CASE("a --quick run of ch04_multimodal writes metrics.json and its figures", "[mvae][chapter][executable]") {
    const std::string binary = chapter_binary();
    INFO("the chapter executable " << binary << " (build the ch04_multimodal target)");
    REQUIRE(fs::exists(binary));
    const fs::path dir = test::scratch_dir("ch04_quick_run");  // fresh, under the build tree
    const std::string flags = " --quick --out " + (dir / "out").string() + " --checkpoint-dir " + (dir / "ck" / "04_multimodal").string();
    REQUIRE(exit_code(binary + flags) == 0);

    std::ifstream in(dir / "out" / "metrics.json");
    REQUIRE(in);
    const auto metrics = nlohmann::json::parse(in);
    for (const char* key : {"coherence_text_to_image", "tone_coherence", "caption_accuracy", "tone_accuracy", "joint_coherence",
                            "latent_probe_accuracy", "test_neg_elbo_joint", "test_neg_elbo_image", "test_neg_elbo_text",
                            "evaluator_accuracy", "epochs", "train_seconds"}) {
        INFO(key);
        REQUIRE(metrics.contains(key));
        REQUIRE(metrics[key].is_number());
    }
    // The quick model (2 epochs on 6000 pairs) is judged where 2 epochs already teach something;
    // on 2026-11-30 it read (chance in brackets): caption accuracy 0.564 (0.1), latent probe 0.734
    // (0.1), tone accuracy 0.648 (0.5). Its text → image and joint coherences, 0.111 and 0.114,
    // are still at chance (0.1) after 2 epochs: this run cannot hold them to a threshold.
    REQUIRE(metrics["caption_accuracy"].get<double>() > 0.35);
    REQUIRE(metrics["latent_probe_accuracy"].get<double>() > 0.5);
    REQUIRE(metrics["tone_accuracy"].get<double>() > 0.55);
    // each coherence is a count over the test pairs (or the joint samples, as many here)
    const double pairs = metrics["test_pairs"].get<double>();
    for (const char* key : {"coherence_text_to_image", "tone_coherence", "caption_accuracy", "joint_coherence"}) {
        const double fraction = metrics[key].get<double>();
        INFO(key << " = " << fraction << " of " << pairs);
        REQUIRE(fraction >= 0);
        REQUIRE(fraction <= 1);
        REQUIRE_THAT(fraction * pairs, WithinAbs(std::round(fraction * pairs), 1e-6));
    }
    // −ELBO of 784 Bernoulli pixels: between a perfect model (0) and one that ignores the image,
    // 784 log 2 = 543 nats; the joint bound adds the caption's nats
    const double image = metrics["test_neg_elbo_image"].get<double>(), joint = metrics["test_neg_elbo_joint"].get<double>();
    REQUIRE(image > 0);
    REQUIRE(image < 784 * std::log(2.0));
    REQUIRE(joint > image);
    for (const char* png : {"text_to_image.png", "test_captions.png", "joint_samples.png"}) {
        INFO(png);
        REQUIRE(fs::file_size(dir / "out" / png) > 1000);
    }

    // (no SECTIONs: each would train the quick model again)
    INFO("--generate draws a caption's images with the trained weights");
    REQUIRE(exit_code(binary + flags + " --generate 'light ankle boot'") == 0);
    const fs::path picture = dir / "out" / "generate_light_ankle_boot.png";
    REQUIRE(fs::exists(picture));

    INFO("--caption prints a grammatical caption for a picture");
    const fs::path printed = dir / "caption.txt";
    REQUIRE(std::system((binary + flags + " --caption " + picture.string() + " > " + printed.string() + " 2>/dev/null").c_str()) == 0);
    std::ifstream text(printed);
    std::string line;
    std::getline(text, line);
    INFO("printed: " << line);
    REQUIRE((line.rfind("dark ", 0) == 0 || line.rfind("light ", 0) == 0));
}

TEST_CASE("ch04_multimodal refuses bad flags with exit code 2", "[mvae][chapter][executable]") {
    const std::string binary = chapter_binary();
    REQUIRE(fs::exists(binary));
    for (const char* flags : {"--fusion gan", "--epochs 0", "--text-weight -1", "--anneal 2", "--generate 'purple hat'",
                              "--caption /no/such/file.png", "--no-such-flag", "--image-net cnn", "--conv-channels 0"}) {
        INFO(flags);
        REQUIRE(exit_code(binary + " " + flags) == 2);
    }
}
