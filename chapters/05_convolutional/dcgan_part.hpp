#pragma once
// Part 3, the DCGAN: what its three files share.
//   dcgan.cpp            run_dcgan (the recipe, the training loop, the scores) and generate_dcgan
//   dcgan_ablations.cpp  the three ablations, and chapter 02's MLP GAN under the same evaluator
//   dcgan_figures.cpp    the figures and the metrics.json keys of the part
#include <cstddef>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include <mmgen/models/dcgan.hpp>
#include <mmgen/models/gan.hpp>
#include <mmgen/models/scoring.hpp>

#include "chapter05.hpp"

namespace chapter05 {

// How a GAN is trained here: Adam for both players, the non-saturating generator loss.
struct GanRecipe {
    std::size_t epochs = 0;
    std::size_t batch_size = 128;
    double lr = 2e-4, beta1 = 0.5, beta2 = 0.999;
    double real_label = 1;          // D's target for real images (< 1: one-sided label smoothing)
    bool lr_decay = false;          // lr falls linearly to 0 over the last `decay_fraction` of the steps
    double decay_fraction = 0.5;
    std::size_t train_images = 0;   // the first this many training images (0: all 60,000)
};
nlohmann::json to_json(const GanRecipe& r);

// Per-epoch means of the alternating loop, and the monitor's scores.
struct GanHistory {
    std::vector<double> epoch, d_loss, g_loss, d_real, d_fake, fd_monitor, classes_monitor, seconds;
};
nlohmann::json to_json(const GanHistory& h);

// The alternating loop (dcgan.cpp): for each batch, z ~ N(0, I), fake = G(z), a D step on the
// real images (in [−1, 1]) and the detached fakes, a G step through the updated D.
// after_epoch(epoch, history) runs after each epoch, outside the training clock.
using AfterEpoch = std::function<void(std::size_t epoch, GanHistory& history)>;
GanHistory train_gan(mmgen::nn::Module& g, mmgen::nn::Module& d, std::size_t latent, const GanRecipe& recipe,
                     const mmgen::data::Dataset& train, mmgen::Rng& rng, const AfterEpoch& after_epoch = {});

// A short run of one variant of the recipe, scored (dcgan_ablations.cpp).
struct AblationResult {
    std::string name, change;                // "pooling", "D: Conv k3 s1 + MaxPool 2 instead of Conv k4 s2"
    mmgen::models::SampleScores scores;      // on `scored` samples
    GanHistory history;
    double seconds = 0;                      // training seconds
    mmgen::Tensor samples;                   // (100, 784) in [0, 1], from the chapter's fixed codes
};
// The default recipe and the three ablations for recipe.epochs each, in that order.
std::vector<AblationResult> run_ablations(PartContext& ctx, const mmgen::models::DcganConfig& config,
                                          const GanRecipe& recipe, const mmgen::Tensor& fixed_z, std::size_t scored);

// Chapter 02's MLP GAN scored by this chapter's evaluator: loaded from chapter 02's checkpoint
// folder if it holds a trained generator, otherwise trained here with chapter 02's default recipe.
struct MlpGanBaseline {
    mmgen::models::SampleScores scores;
    std::string source;  // where the generator came from
    std::size_t epochs = 0;  // chapter 02's recipe, trained this many epochs
    double seconds = 0;      // training seconds here (0 if loaded)
    mmgen::Tensor fixed_samples;  // (100, 784) in [0, 1], from the chapter's fixed codes
};
MlpGanBaseline mlp_gan_baseline(PartContext& ctx, const mmgen::Tensor& fixed_z, std::size_t scored);

// The figures and metrics of part 3 (dcgan_figures.cpp).
struct DcganResults {
    const GanRecipe& recipe;
    const mmgen::models::DcganConfig& config;
    const GanHistory& history;
    const mmgen::models::SampleScores& scores;
    std::size_t scored;
    double train_seconds;
    const MlpGanBaseline& mlp;
    const std::vector<AblationResult>& ablations;
};
void dcgan_figures(const std::filesystem::path& out, mmgen::models::DcganGenerator& g, const mmgen::Tensor& fixed_z,
                   const DcganResults& r);
void dcgan_report(PartContext& ctx, const DcganResults& r);

}  // namespace chapter05
