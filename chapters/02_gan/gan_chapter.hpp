#pragma once
// What chapter 02's three files share: main.cpp (the steps and both training loops), figures.cpp
// (the figures of §4, §6 and §7), report.cpp (metrics.json and the summary tables).
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include <mmgen/models/gan.hpp>
#include <mmgen/models/scoring.hpp>
#include <mmgen/report/plot.hpp>
#include <mmgen/report/progress.hpp>

#include "common/options.hpp"

namespace gan_chapter {

using mmgen::models::GeneratorLoss;

// The flags; main() fills the defaults from its k-constants.
struct Options {
    chapter::Options common;
    std::string part = "all";  // all, toy, fashion
    // Part A
    std::size_t toy_steps = 0, toy_latent = 0, toy_batch = 0;
    std::string toy_g_activation = "relu";  // or leaky_relu
    bool toy_constant_lr = false;
    // Part B
    std::string g_loss = "non-saturating";
    double d_lr = 0;  // 0: the same as --lr
    double real_label = 1, dropout = 0;
};

// One toy run (one generator loss), for the figures and the report.
struct ToyRun {
    GeneratorLoss loss;
    // window means of the per-step values, for the figures
    std::vector<double> step, d_loss, g_loss, d_real, d_fake;
    // mode coverage every kToyEvalEvery steps
    std::vector<double> eval_step, modes, high_quality;
    std::vector<std::pair<std::size_t, mmgen::Tensor>> snapshots;  // (step, samples (1000, 2))
    mmgen::models::ModeCoverage final_coverage;
    mmgen::plot::Grid2D surface;  // D(x) over the plane at the end
    mmgen::Tensor final_samples;  // (kToyEvalSamples, 2)
    double seconds = 0;
};

// Part B's per-epoch history (also saved in the training state, for --resume).
struct FashionHistory {
    std::vector<double> epoch, d_loss, g_loss, d_real, d_fake, fd_monitor, classes_monitor, seconds;
};

nlohmann::json to_json(const FashionHistory& h);
FashionHistory history_from_json(const nlohmann::json& j);

// --- figures.cpp -----------------------------------------------------------------------------
// §4: |dL_G/dlogit| of both generator losses against D(G(z)), by autograd through the losses.
void saturation_figure(const std::filesystem::path& out);
void toy_figures(const std::vector<ToyRun>& runs, const std::filesystem::path& out, mmgen::Rng& rng);
void fashion_figures(mmgen::models::Generator& g, const FashionHistory& h, const mmgen::models::SampleScores& scores,
                     std::size_t scored, const mmgen::Tensor& fixed_z, const Options& o, std::size_t latent);

// --- report.cpp ------------------------------------------------------------------------------
void report_toy(const std::vector<ToyRun>& runs, std::size_t steps, const nlohmann::json& recipe,
                mmgen::MetricsJson& metrics);
void report_fashion(const FashionHistory& h, const mmgen::models::SampleScores& scores, double fd_floor,
                    std::size_t scored, double train_seconds, const nlohmann::json& recipe, mmgen::MetricsJson& metrics);

}  // namespace gan_chapter
