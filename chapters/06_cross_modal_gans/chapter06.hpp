#pragma once
// Chapter 06's three parts and what they share. main.cpp parses the flags, loads the data and
// the evaluator once, and calls the parts the --part flag names, in the README's order:
//
//   1. run_cgan     the caption-conditioned GAN, and chapter 04's MVAE under its measures   (cgan_part.cpp)
//   2. run_vaegan   the conv VAE with a discriminator, beside the plain conv VAE            (vaegan_part.cpp)
//   3. run_latent   a GAN on the conv VAE's codes: the two-stage sampler                    (latent_part.cpp)
//   then            the comparison table and figure, from metrics.json                      (comparison.cpp)
//
// Each part sets its own keys in ctx.metrics (main writes them over the metrics.json in --out,
// so a `--part X` run replaces only X's keys) and adds its rows to ctx.summary.
#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include <mmgen/io/captions.hpp>
#include <mmgen/io/checkpoint.hpp>
#include <mmgen/io/data.hpp>
#include <mmgen/models/classifier.hpp>
#include <mmgen/models/conv_vae.hpp>
#include <mmgen/models/conv_nets.hpp>
#include <mmgen/nn/optim.hpp>
#include <mmgen/report/metrics.hpp>
#include <mmgen/report/progress.hpp>

#include "common/options.hpp"

namespace chapter06 {

struct Options {
    chapter::Options common;
    std::string part = "all";  // all | cgan | vaegan | latent
    std::string generate;      // --generate "light ankle boot": a grid of the trained cGAN's images, then exit
    double truncation = 0;     // --truncation t: --generate draws z with |z_i| ≤ t (0: z ~ N(0, I))
};

// What every part reads and where it writes.
struct PartContext {
    const Options& options;
    const mmgen::data::Dataset& train;
    const mmgen::data::Dataset& test;
    mmgen::models::Evaluator& evaluator;  // chapter 01's CNN: FD features and classes
    const mmgen::Moments& reference;      // its feature moments of the 10,000 test images
    mmgen::MetricsJson& metrics;
    mmgen::SummaryTable& summary;         // columns: part, metric, value
};

void run_cgan(PartContext& ctx);
void run_vaegan(PartContext& ctx);
void run_latent(PartContext& ctx);
// The comparison table (printed) and comparison_samples.png, from what metrics.json and the
// checkpoints hold: written after any part, complete once all three have run.
void write_comparison(PartContext& ctx);
// --generate "caption" with the trained cGAN (cgan_part.cpp): writes <out>/generate_<caption>.png.
int generate_from_caption(const Options& o);

// --- shared by the parts (common.cpp) ------------------------------------------------------------

// A two-player game's training state, for --resume: each player's weights and Adam state in its
// own file, both at the same position; the per-epoch curves ride along in the metadata.
struct GameFiles {
    std::filesystem::path first, second;
};
mmgen::TrainingPosition resume_game(const GameFiles& files, bool resume, mmgen::nn::Module& first,
                                    mmgen::optim::Optimizer& first_optimizer, mmgen::nn::Module& second,
                                    mmgen::optim::Optimizer& second_optimizer, mmgen::Rng& rng, nlohmann::json& history);
void save_game(const GameFiles& files, const mmgen::nn::Module& first, mmgen::optim::Optimizer& first_optimizer,
               const mmgen::nn::Module& second, mmgen::optim::Optimizer& second_optimizer,
               const mmgen::TrainingPosition& position, const nlohmann::json& history);

// Chapter 05's conv VAE (latent 20), the baseline of parts 2 and 3: chapter 05's weights when
// that chapter has saved them (conv_vae.safetensors, after its whole default run), else this
// chapter's own from an earlier run, else trained here with chapter 05's recipe (Adam 1e-3,
// batch 128, 10 epochs; 1 epoch on 2,000 images with --quick) and saved. Says which, on
// stdout and in `source`, and the training seconds in `seconds` (0 when loaded).
constexpr std::size_t kVaeLatent = 20;
struct ConvVaeBaseline {
    std::string source;
    double seconds = 0;
    std::size_t epochs = 0;
};
ConvVaeBaseline conv_vae_baseline(mmgen::models::ConvVae& vae, PartContext& ctx);

// Chapter 05's conv VAE networks, started as chapter 05 starts them (PyTorch's initialisation,
// chapter 05 §2), so the VAE trained here and the one loaded from chapter 05 are the same model.
inline mmgen::models::ConvWidths chapter05_widths() {
    mmgen::models::ConvWidths w;
    w.init = mmgen::nn::Init::fan_in;
    return w;
}

std::string two_digits(std::size_t n);

}  // namespace chapter06

namespace chapter06 {

// A VAE's scores under the chapter's evaluator: prior samples σ(Dec(z)), z ~ N(0, I), against the
// test set; −ELBO on the test set; how often the evaluator gives a test image's reconstruction
// σ(Dec(μ(x))) the image's own class.
struct VaeScores {
    double prior_fd = 0, test_neg_elbo = 0, reconstruction_agreement = 0;
    std::size_t classes_at_least_5pct = 0;
    std::vector<std::size_t> class_histogram;
};
VaeScores score_vae(mmgen::models::Vae& vae, PartContext& ctx, std::size_t scored, mmgen::Rng& rng);
nlohmann::json to_json(const VaeScores& s);

// Sets of images (rows·cols, 784) each, side by side as one grid of rows × (k·cols + k − 1)
// tiles, a white column between sets — for write_grid_png.
mmgen::Tensor side_by_side(const std::vector<mmgen::Tensor>& sets, std::size_t rows, std::size_t cols);

}  // namespace chapter06
