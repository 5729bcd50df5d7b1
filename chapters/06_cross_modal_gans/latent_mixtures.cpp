// Part 3, §3.4: a second stage without an adversary — mixtures of Gaussians fitted to the conv
// VAE's codes by EM (models/gaussian_mixture.hpp) — and the two references every second stage
// is read against:
//
//   K = 1          one Gaussian N(m, C) fitted to q(z): what the prior N(0, I) would be if it
//                  were fitted instead of fixed
//   K = 5 … 50     the number of components chosen by the log-likelihood of held-out codes
//   q(z) itself    z ~ q(z|x) of training images, decoded: the best FD any second stage can
//                  reach with this decoder — but a replay of the training set, not a sampler
#include <cstdio>
#include <numeric>

#include <mmgen/core/autograd.hpp>
#include <mmgen/models/gaussian_mixture.hpp>
#include <mmgen/models/latent_gan.hpp>
#include <mmgen/models/scoring.hpp>
#include <mmgen/report/plot.hpp>

#include "chapter06.hpp"

using namespace mmgen;
namespace fs = std::filesystem;

namespace chapter06 {
namespace {

// Components tried; the held-out log-likelihood picks one.
const std::vector<std::size_t> kComponents = {1, 5, 10, 25, 50}, kQuickComponents = {1, 2};
// EM: at most this many iterations, stopping when the mean log-likelihood gains less than
// kTolerance nats per code.
constexpr std::size_t kIterations = 100;
constexpr double kTolerance = 1e-4;
// One code in six (10,000 of the 60,000) is held out to choose K.
constexpr std::size_t kHeldOutShare = 6;

std::vector<std::size_t> range(std::size_t from, std::size_t to) {
    std::vector<std::size_t> r(to - from);
    std::iota(r.begin(), r.end(), from);
    return r;
}

}  // namespace

CodeSplit split_codes(const models::Posterior& codes, std::uint64_t seed) {
    const std::size_t n = codes.mu.dim(0), held_out = n / kHeldOutShare;
    Rng rng(seed);
    return {models::sample_codes(codes, range(0, n - held_out), rng),   // (50,000, 20)
            models::sample_codes(codes, range(n - held_out, n), rng)};  // (10,000, 20)
}

MixtureResult fit_and_score_mixture(models::Vae& vae, const CodeSplit& codes, std::size_t k, PartContext& ctx,
                                    std::size_t scored, models::GaussianMixture& mixture) {
    const auto& c = ctx.options.common;
    NoGradGuard no_grad;
    MixtureResult r;
    r.components = k;
    Rng fit_rng(c.seed + 5000);
    Stopwatch clock;
    std::vector<double> history;
    mixture = models::fit_gaussian_mixture(codes.fit, {k, kIterations, kTolerance, 1e-6}, fit_rng, &history);
    r.seconds = clock.seconds();
    r.iterations = history.size();
    r.fit_log_likelihood = history.back();
    r.held_out_log_likelihood = models::mean_log_likelihood(mixture, codes.held_out);
    Rng sample_rng(c.seed + 3000);
    r.scores = models::score_samples(ctx.evaluator, vae.decode_images(models::sample_mixture(mixture, scored, sample_rng)),
                                     ctx.reference);
    std::printf("Gaussian mixture, K = %2zu: EM %3zu iterations, %5.1f s; log-likelihood %.3f (fit) %.3f (held out); "
                "FD %.2f, %zu classes >= 5%%\n",
                k, r.iterations, r.seconds, r.fit_log_likelihood, r.held_out_log_likelihood, r.scores.fd,
                r.scores.classes_at_least_5pct);
    return r;
}

MixtureStudy study_mixtures(models::Vae& vae, const models::Posterior& codes, PartContext& ctx, std::size_t scored) {
    const auto& c = ctx.options.common;
    const CodeSplit split = split_codes(codes, c.seed + 4000);  // one z ~ q(z|x) per training image
    MixtureStudy study;
    {  // the floor: q(z) itself, z ~ q(z|x) of the first `scored` training images, decoded
        NoGradGuard no_grad;
        Rng rng(c.seed + 4001);
        const std::size_t n = std::min(scored, codes.mu.dim(0));
        study.posterior = models::score_samples(ctx.evaluator, vae.decode_images(models::sample_codes(codes, range(0, n), rng)),
                                                ctx.reference);
    }
    std::printf("q(z) itself (training images' codes, decoded): FD %.2f\n", study.posterior.fd);
    double best = -INFINITY;
    for (std::size_t k : c.quick ? kQuickComponents : kComponents) {
        models::GaussianMixture mixture;
        const MixtureResult r = fit_and_score_mixture(vae, split, k, ctx, scored, mixture);
        if (r.held_out_log_likelihood > best) {
            best = r.held_out_log_likelihood;
            study.chosen = study.results.size();
            study.mixture = mixture;
        }
        study.results.push_back(r);
    }
    return study;
}

nlohmann::json to_json(const MixtureStudy& s) {
    nlohmann::json rows = nlohmann::json::array();
    for (const auto& r : s.results)
        rows.push_back({{"components", r.components}, {"iterations", r.iterations}, {"seconds", r.seconds},
                        {"fit_log_likelihood", r.fit_log_likelihood}, {"held_out_log_likelihood", r.held_out_log_likelihood},
                        {"fd", r.scores.fd}, {"classes_at_least_5pct", r.scores.classes_at_least_5pct}});
    return rows;
}

void plot_mixtures(const fs::path& png, const MixtureStudy& s, double prior_fd, double gan_fd) {
    std::vector<double> k, fd;
    for (const auto& r : s.results) k.push_back(double(r.components)), fd.push_back(r.scores.fd);
    plot::LineStyle style;
    style.key = plot::Key::below;
    style.references = {{prior_fd, "prior"}, {gan_fd, "GAN stage 2"}, {s.posterior.fd, "q(z) itself"}};
    plot::line_plot(png, "Stage 2 = a mixture of K Gaussians fitted by EM: FD of its decoded samples", "components K", "FD",
                    {{"mixture of K Gaussians (EM)", k, fd}}, style);
}

}  // namespace chapter06
