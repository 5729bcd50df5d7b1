// The VAE of chapter 03: its KL term, the ELBO as a lower bound, the importance-weighted
// bound, and the gradient of −ELBO.
#include <catch2/catch.hpp>

#include <cmath>
#include <numbers>
#include <numeric>

#include <mmgen/core/autograd.hpp>
#include <mmgen/core/gradcheck.hpp>
#include <mmgen/io/checkpoint.hpp>
#include <mmgen/io/data.hpp>
#include <mmgen/nn/losses.hpp>
#include <mmgen/models/vae.hpp>
#include <mmgen/core/ops.hpp>

#include "support.hpp"

using namespace mmgen;
using Catch::Matchers::WithinAbs;

namespace {
// A 1-D latent VAE on 3 "pixels", small enough to integrate over z numerically.
struct TinyVae {
    Rng rng{7};
    models::Vae vae{models::VaeConfig{3, 4, 1}, rng};
    Tensor x = Tensor::from_data({1, 3}, {1, 0, 1});

    // log p(x|z) + log p(z) on a grid of z, with the grid step
    static constexpr double lo = -12, hi = 12;
    static constexpr std::size_t points = 24001;
    double step() const { return (hi - lo) / (points - 1); }
    Tensor grid() const {
        Tensor z = Tensor::empty({points, 1});
        for (std::size_t i = 0; i < points; ++i) z.data()[i] = lo + static_cast<double>(i) * step();
        return z;
    }
    Tensor repeated_x() const {
        Tensor xs = Tensor::empty({points, 3});
        for (std::size_t i = 0; i < points; ++i)
            for (std::size_t j = 0; j < 3; ++j) xs.data()[i * 3 + j] = x.data()[j];
        return xs;
    }
    // trapezoid rule of exp(f) in log space
    double log_integral_exp(const std::vector<double>& f) const {
        const double m = *std::max_element(f.begin(), f.end());
        double s = 0;
        for (std::size_t i = 0; i < f.size(); ++i) s += (i == 0 || i + 1 == f.size() ? 0.5 : 1.0) * std::exp(f[i] - m);
        return m + std::log(s * step());
    }
};
}  // namespace

TEST_CASE("the closed-form Gaussian KL is zero at the prior and matches a Monte-Carlo estimate", "[vae][losses]") {
    SECTION("KL(N(0, I) || N(0, I)) = 0") {
        Tensor mu = Tensor::zeros({3, 5}), logvar = Tensor::zeros({3, 5});
        REQUIRE_THAT(gaussian_kl(mu, logvar, Reduction::sum).item(), WithinAbs(0, 1e-15));
    }
    SECTION("closed form within 4 standard errors of E_q[log q(z) − log p(z)]") {
        Rng rng(3);
        Tensor mu = Tensor::randn({1, 3}, rng), logvar = Tensor::randn({1, 3}, rng, 0.5);
        const double closed = gaussian_kl(mu, logvar, Reduction::sum).item();
        const std::size_t n = 200000;
        Tensor eps = Tensor::randn({n, 3}, rng);
        Tensor z = mu + exp(logvar * 0.5) * eps;
        Tensor log_ratio = log_normal_diag(z, mu, logvar) - log_standard_normal(z);  // (n)
        double mean = 0, sq = 0;
        for (double v : log_ratio.data()) mean += v, sq += v * v;
        mean /= n;
        const double standard_error = std::sqrt((sq / n - mean * mean) / n);
        INFO("closed form " << closed << ", Monte Carlo " << mean << " ± " << standard_error);
        REQUIRE(std::abs(closed - mean) < 4 * standard_error);
        REQUIRE(closed > 0);
    }
}

TEST_CASE("with a 1-D latent the ELBO is below log p(x) by exactly KL(q || p(z|x))", "[vae]") {
    TinyVae t;
    NoGradGuard no_grad;
    const Tensor z = t.grid();
    std::vector<double> log_joint(TinyVae::points), log_lik(TinyVae::points);
    const Tensor ll = t.vae.log_likelihood(t.repeated_x(), z), lp = log_standard_normal(z);
    for (std::size_t i = 0; i < TinyVae::points; ++i) log_lik[i] = ll.data()[i], log_joint[i] = ll.data()[i] + lp.data()[i];
    const double log_px = t.log_integral_exp(log_joint);

    const auto q = t.vae.encode(t.x);
    const double mu = q.mu.item(), var = std::exp(q.logvar.item());
    auto log_q = [&](double v) { return -0.5 * (std::log(2 * std::numbers::pi * var) + (v - mu) * (v - mu) / var); };
    double expected_log_lik = 0, kl_to_posterior = 0;  // E_q[log p(x|z)] and KL(q || p(z|x)) by quadrature
    for (std::size_t i = 0; i < TinyVae::points; ++i) {
        const double zi = z.data()[i], w = (i == 0 || i + 1 == TinyVae::points ? 0.5 : 1.0) * t.step();
        const double qz = std::exp(log_q(zi));
        expected_log_lik += w * qz * log_lik[i];
        kl_to_posterior += w * qz * (log_q(zi) - (log_joint[i] - log_px));
    }
    const double elbo = expected_log_lik - gaussian_kl(q.mu, q.logvar, Reduction::sum).item();
    INFO("log p(x) = " << log_px << ", ELBO = " << elbo << ", KL(q || p(z|x)) = " << kl_to_posterior);
    REQUIRE(elbo <= log_px);
    REQUIRE(kl_to_posterior > 1e-4);  // the bound is not tight at a random initialisation
    REQUIRE_THAT(log_px - elbo, WithinAbs(kl_to_posterior, 1e-6));
}

TEST_CASE("the importance-weighted bound grows with K towards log p(x)", "[vae]") {
    TinyVae t;
    NoGradGuard no_grad;
    const Tensor z = t.grid();
    const Tensor ll = t.vae.log_likelihood(t.repeated_x(), z), lp = log_standard_normal(z);
    std::vector<double> log_joint(TinyVae::points);
    for (std::size_t i = 0; i < TinyVae::points; ++i) log_joint[i] = ll.data()[i] + lp.data()[i];
    const double log_px = t.log_integral_exp(log_joint);

    Rng rng(11);
    const std::size_t repeats = 400;  // average the random bound to see its expectation
    std::vector<double> bounds;
    for (std::size_t k : {1, 4, 32, 512}) {
        double total = 0;
        for (std::size_t r = 0; r < repeats; ++r) total += t.vae.importance_weighted_bound(t.x, k, rng).item();
        bounds.push_back(total / repeats);
    }
    INFO("log p(x) = " << log_px << "; L_1, L_4, L_32, L_512 = " << bounds[0] << ", " << bounds[1] << ", "
                       << bounds[2] << ", " << bounds[3]);
    for (std::size_t i = 1; i < bounds.size(); ++i) REQUIRE(bounds[i] >= bounds[i - 1]);
    REQUIRE(bounds.back() <= log_px + 1e-3);
    REQUIRE(log_px - bounds.back() < 0.1 * (log_px - bounds.front()));  // closes 90% of the ELBO's gap
}

TEST_CASE("the gradient of −ELBO matches central differences for every parameter", "[vae][gradcheck]") {
    Rng rng(5);
    models::Vae vae(models::VaeConfig{6, 5, 2}, rng);
    Tensor x = Tensor::uniform({3, 6}, rng, 0, 1);
    Tensor eps = Tensor::randn({3, 2}, rng);  // the noise is held fixed
    for (real beta : {1.0, 4.0}) {
        auto result = gradcheck(
            "vae negative elbo", [&](const std::vector<Tensor>&) { return vae.negative_elbo(x, eps, beta).loss; },
            vae.parameters(), rng);
        INFO("beta " << beta << ": " << result.message);
        REQUIRE(result.ok);
    }
}

TEST_CASE("the VAE names its parameters like the PyTorch example", "[vae][nn]") {
    Rng rng(1);
    models::Vae vae(models::VaeConfig{}, rng);
    std::vector<std::string> names;
    for (auto& [name, t] : vae.named_parameters()) names.push_back(name + " " + t.shape_str());
    REQUIRE(names == std::vector<std::string>{"encoder.0.weight (400, 784)", "encoder.0.bias (400)",
                                              "encoder.2.weight (40, 400)", "encoder.2.bias (40)",
                                              "decoder.0.weight (400, 20)", "decoder.0.bias (400)",
                                              "decoder.2.weight (784, 400)", "decoder.2.bias (784)"});
}

TEST_CASE("a quick chapter 03 run writes its metrics and images", "[vae][chapter03][executable]") {
    const auto dir = mmgen::test::scratch_dir("ch03_quick");
    const int code = mmgen::test::run_executable(
        "ch03_vae", "--quick --out " + (dir / "plots").string() + " --checkpoint-dir " + (dir / "checkpoints" / "03_vae").string(),
        dir / "log.txt");
    INFO("see " << (dir / "log.txt").string());
    REQUIRE(code == 0);
    const auto metrics = mmgen::test::read_json(dir / "plots" / "metrics.json");
    for (const char* key : {"test_neg_elbo", "test_reconstruction", "test_kl", "test_nll_iw", "test_neg_elbo_iw_images", "iw_samples", "iw_images", "fd",
                            "class_histogram", "epochs", "train_seconds"}) {
        INFO(key);
        REQUIRE(metrics.contains(key));
    }
    {  // the IW estimate of −log p(x) is below the −ELBO of the same images, beyond Monte-Carlo error
        // (a block, not a SECTION: each SECTION would run the chapter again).
        // L_K ≥ L_1 = ELBO in expectation, so −L_K ≤ −ELBO. The run's test_nll_iw is one draw of
        // −L_K over the first iw_images test images; here the trained weights give, on those same
        // images, the spread of −L_K over repeated draws and −ELBO averaged over many draws of ε.
        Rng init(0);
        models::Vae vae(models::VaeConfig{}, init);
        load_module(dir / "checkpoints" / "03_vae" / "vae-latent20.safetensors", vae);
        vae.eval();
        const auto test_split = data::load_fashion_mnist(data::default_data_dir(), "test");
        std::vector<std::size_t> first(metrics["iw_images"].get<std::size_t>());
        std::iota(first.begin(), first.end(), 0);
        const Tensor x = data::images_to_tensor(test_split, first, 0, 1);  // (n, 784)
        const std::size_t k = metrics["iw_samples"].get<std::size_t>(), draws = 10;
        NoGradGuard no_grad;
        Rng rng(123);
        std::vector<double> nll_iw, neg_elbo;  // per draw, the mean over the images
        for (std::size_t d = 0; d < draws; ++d) nll_iw.push_back(-mean(vae.importance_weighted_bound(x, k, rng)).item());
        for (std::size_t d = 0; d < 10 * draws; ++d)
            neg_elbo.push_back(vae.negative_elbo(x, Tensor::randn({x.dim(0), 20}, rng)).loss.item());
        auto mean_and_sd = [](const std::vector<double>& v) {
            const double m = std::accumulate(v.begin(), v.end(), 0.0) / double(v.size());
            double ss = 0;
            for (double e : v) ss += (e - m) * (e - m);
            return std::pair{m, std::sqrt(ss / double(v.size() - 1))};
        };
        const auto [iw_mean, iw_sd] = mean_and_sd(nll_iw);          // iw_sd: the spread of one draw
        const auto [elbo_mean, elbo_sd] = mean_and_sd(neg_elbo);
        const double elbo_se = elbo_sd / std::sqrt(double(neg_elbo.size()));
        const double reported = metrics["test_nll_iw"].get<double>();
        INFO("reported −L_" << k << " " << reported << "; recomputed " << iw_mean << " ± " << iw_sd << " per draw; −ELBO "
                            << elbo_mean << " ± " << elbo_se);
        REQUIRE(std::abs(reported - iw_mean) <= 4 * iw_sd + 1e-3);            // the run's estimate is of these images
        REQUIRE(reported <= elbo_mean + 4 * std::hypot(iw_sd, elbo_se));      // and not above their −ELBO
        REQUIRE(iw_mean < elbo_mean - 4 * std::hypot(iw_sd / std::sqrt(double(draws)), elbo_se));  // strictly tighter
        // the −ELBO the run reports on the same images (10 draws of ε) is these images' −ELBO
        const double reported_elbo = metrics["test_neg_elbo_iw_images"].get<double>();
        INFO("reported −ELBO on the IW images " << reported_elbo);
        REQUIRE(std::abs(reported_elbo - elbo_mean) <= 4 * std::hypot(elbo_sd / std::sqrt(10.0), elbo_se));
    }
    for (const char* png : {"reconstructions.png", "prior_samples.png", "interpolation.png", "neg_elbo.png",
                            "latent_2d_scatter.png", "latent_2d_manifold.png", "latent_2d_manifold_tiles.png"}) {
        INFO(png);
        REQUIRE(std::filesystem::file_size(dir / "plots" / png) > 500);
    }
}
