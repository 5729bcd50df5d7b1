// What the parts share: --resume for a two-player game, chapter 05's conv VAE as the baseline
// of parts 2 and 3, the learning-rate decay of chapter 05's GAN recipe.
#include <algorithm>
#include <cstdio>
#include <stdexcept>

#include <mmgen/core/ops.hpp>
#include <mmgen/core/autograd.hpp>
#include <mmgen/models/scoring.hpp>
#include <mmgen/models/vae_eval.hpp>
#include <mmgen/models/vae_training.hpp>

#include "chapter06.hpp"

using namespace mmgen;
namespace fs = std::filesystem;

namespace chapter06 {

std::string two_digits(std::size_t n) { return (n < 10 ? "0" : "") + std::to_string(n); }

TrainingPosition resume_game(const GameFiles& files, bool resume, nn::Module& first, optim::Optimizer& first_optimizer,
                             nn::Module& second, optim::Optimizer& second_optimizer, Rng& rng, nlohmann::json& history) {
    if (!resume || !fs::exists(files.first) || !fs::exists(files.second)) return {};
    Metadata saved;
    const TrainingPosition position = resume_or_start(files.second, true, second, second_optimizer, rng);
    const TrainingPosition again = resume_or_start(files.first, true, first, first_optimizer, rng, &saved);  // same Rng state
    if (again.epoch != position.epoch)
        throw std::runtime_error("--resume: " + files.first.string() + " is at epoch " + std::to_string(again.epoch) +
                                 " but " + files.second.string() + " at epoch " + std::to_string(position.epoch));
    if (saved.contains("history")) history = nlohmann::json::parse(saved.at("history"));
    return again;
}

void save_game(const GameFiles& files, const nn::Module& first, optim::Optimizer& first_optimizer, const nn::Module& second,
               optim::Optimizer& second_optimizer, const TrainingPosition& position, const nlohmann::json& history) {
    save_training_state(files.second, second, second_optimizer, position);
    save_training_state(files.first, first, first_optimizer, position, {{"history", history.dump()}});
}

// Chapter 05's recipe for its conv VAE: 10 epochs (README §2.1 of chapter 05).
constexpr std::size_t kBaselineEpochs = 10, kQuickBaselineEpochs = 1;

ConvVaeBaseline conv_vae_baseline(models::ConvVae& vae, PartContext& ctx) {
    const auto& c = ctx.options.common;
    const std::size_t epochs = c.quick ? kQuickBaselineEpochs : kBaselineEpochs;
    const fs::path chapter05 = c.checkpoint_root() / "05_convolutional";
    const fs::path own = fs::path(c.checkpoint_dir) / (c.quick ? "conv_vae-quick.safetensors" : "conv_vae.safetensors");
    ConvVaeBaseline b;
    if (!c.quick && fs::exists(chapter05 / "conv_vae.safetensors")) {
        load_module(chapter05 / "conv_vae.safetensors", vae);
        b.source = "chapter 05's conv VAE (its saved weights)";
    } else if (fs::exists(own)) {
        load_module(own, vae);
        b.source = "chapter 05's conv VAE trained by an earlier run of this chapter";
    } else {
        std::printf("chapter 05's conv VAE is not in %s: training it here with chapter 05's recipe, %zu epoch(s)\n",
                    chapter05.string().c_str(), epochs);
        models::VaeTraining training;  // chapter 05's recipe: Adam 1e-3, batch 128
        training.epochs = epochs, training.resume = c.resume;
        if (c.quick) training.train_limit = 2000, training.test_limit = 1000;
        Rng rng(c.seed + 1);
        Stopwatch clock;
        models::train_vae(vae, ctx.train, ctx.test, training,
                          fs::path(c.checkpoint_dir) / (c.quick ? "conv_vae-training-quick.safetensors" : "conv_vae-training.safetensors"),
                          rng);
        b.seconds = clock.seconds();
        b.epochs = epochs;
        save_module(own, vae);
        b.source = "chapter 05's conv VAE, trained here for " + std::to_string(epochs) + " epoch(s) with its recipe";
    }
    vae.eval();
    std::printf("conv VAE: %s\n", b.source.c_str());
    return b;
}

}  // namespace chapter06

namespace chapter06 {

VaeScores score_vae(models::Vae& vae, PartContext& ctx, std::size_t scored, Rng& rng) {
    const bool quick = ctx.options.common.quick;
    VaeScores s;
    const auto elbo = models::mean_negative_elbo(vae, ctx.test, quick ? 1000 : 0, rng);
    NoGradGuard no_grad;
    const Tensor samples = vae.decode_images(Tensor::randn({scored, vae.config().latent}, rng));  // (scored, 784)
    const auto scores = models::score_samples(ctx.evaluator, samples, ctx.reference);
    // reconstructions σ(Dec(μ(x))) of the first n test images, classified in chunks of 1,000
    const std::size_t n = quick ? 1000 : ctx.test.n;
    std::vector<std::size_t> classes;
    for (std::size_t start = 0; start < n; start += 1000) {
        std::vector<std::size_t> idx(std::min<std::size_t>(1000, n - start));
        for (std::size_t i = 0; i < idx.size(); ++i) idx[i] = start + i;
        const Tensor x = data::images_to_tensor(ctx.test, idx, 0, 1);  // (≤ 1000, 784)
        const auto chunk = ctx.evaluator.classify(vae.decode_images(vae.encode(x).mu));
        classes.insert(classes.end(), chunk.begin(), chunk.end());
    }
    const auto agreement = class_agreement(classes, std::span(ctx.test.labels).first(n), data::kNumClasses);
    s.reconstruction_agreement = agreement.overall;
    s.reconstruction_agreement_per_class = agreement.per_class;
    s.prior_fd = scores.fd;
    s.test_neg_elbo = elbo.loss;
    s.classes_at_least_5pct = scores.classes_at_least_5pct;
    s.class_histogram = scores.class_histogram;
    return s;
}

nlohmann::json to_json(const VaeScores& s) {
    return {{"prior_fd", s.prior_fd}, {"test_neg_elbo", s.test_neg_elbo},
            {"reconstruction_agreement", s.reconstruction_agreement},
            {"reconstruction_agreement_per_class", s.reconstruction_agreement_per_class},
            {"classes_at_least_5pct", s.classes_at_least_5pct}, {"class_histogram", s.class_histogram}};
}

Tensor side_by_side(const std::vector<Tensor>& sets, std::size_t rows, std::size_t cols) {
    const std::size_t k = sets.size(), width = k * cols + k - 1, pixels = 784;
    Tensor grid = Tensor::ones({rows * width, pixels});  // white tiles between the sets
    for (std::size_t s = 0; s < k; ++s)
        for (std::size_t r = 0; r < rows; ++r)
            for (std::size_t c = 0; c < cols; ++c) {
                const auto from = sets[s].data().begin() + std::ptrdiff_t((r * cols + c) * pixels);
                std::copy(from, from + std::ptrdiff_t(pixels),
                          grid.data().begin() + std::ptrdiff_t((r * width + s * (cols + 1) + c) * pixels));
            }
    return grid;
}

}  // namespace chapter06
