#pragma once
// Chapter 06's three parts and what they share. main.cpp parses the flags, loads the data and
// the evaluator once, and calls the parts the --part flag names, in the README's order:
//
//   1. run_cgan     the caption-conditioned GAN, and chapter 04's MVAE under its measures   (cgan_part.cpp)
//   2. run_vaegan   the conv VAE with a discriminator, beside the plain conv VAE            (vaegan_part.cpp)
//   3. run_latent   a GAN on the conv VAE's codes: the two-stage sampler                    (latent_part.cpp)
//                   and Gaussian mixtures on the same codes, by EM                          (latent_mixtures.cpp)
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
#include <mmgen/models/gaussian_mixture.hpp>
#include <mmgen/models/scoring.hpp>
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
    // part cgan (README §1.7): w on the auxiliary classifier's cross-entropy, 0 = the plain projection cGAN
    double cgan_auxiliary = 3;
    std::size_t cgan_epochs = 12;  // passes over the 60,000 pairs, for the default model and for the ablation
    // part vaegan (README §2.2): β on the KL, γ on the GAN loss, λ on the error in D's features, passes over the data
    double vaegan_beta = 1, vaegan_gamma = 20, vaegan_features = 0;
    std::size_t vaegan_epochs = 2;
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

// §3.4 (latent_mixtures.cpp): mixtures of K Gaussians fitted by EM to one z ~ q(z|x) per training
// image (five in six of them; the sixth held out), K from a short list, the one with the best
// held-out log-likelihood chosen; each scored by the FD of `scored` decoded samples. Beside them
// the floor: `scored` codes of training images themselves, decoded.
struct MixtureResult {
    std::size_t components = 0, iterations = 0;
    double seconds = 0, fit_log_likelihood = 0, held_out_log_likelihood = 0;  // nats per code
    mmgen::models::SampleScores scores;
};
struct MixtureStudy {
    std::vector<MixtureResult> results;  // one per K tried, in the order tried
    std::size_t chosen = 0;              // index of the best held-out log-likelihood
    mmgen::models::GaussianMixture mixture;  // that K's mixture
    mmgen::models::SampleScores posterior;   // q(z) itself
};
// One z ~ q(z|x) per row of `codes`: the first five sixths to fit, the last sixth held out.
struct CodeSplit {
    mmgen::Tensor fit, held_out;  // (N − N/6, latent), (N/6, latent)
};
CodeSplit split_codes(const mmgen::models::Posterior& codes, std::uint64_t seed);
// Fits a mixture of k Gaussians to codes.fit (into `mixture`), its log-likelihood of both
// halves, and the FD of `scored` of its samples decoded by `vae`.
MixtureResult fit_and_score_mixture(mmgen::models::Vae& vae, const CodeSplit& codes, std::size_t k, PartContext& ctx,
                                    std::size_t scored, mmgen::models::GaussianMixture& mixture);
MixtureStudy study_mixtures(mmgen::models::Vae& vae, const mmgen::models::Posterior& codes, PartContext& ctx,
                            std::size_t scored);
nlohmann::json to_json(const MixtureStudy& s);
// FD against K, with the prior's, the GAN stage's and q(z)'s own FD as reference lines.
void plot_mixtures(const std::filesystem::path& png, const MixtureStudy& s, double prior_fd, double gan_fd);
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
    std::vector<double> reconstruction_agreement_per_class;  // the same, over the test images of each class
    std::size_t classes_at_least_5pct = 0;
    std::vector<std::size_t> class_histogram;
};
VaeScores score_vae(mmgen::models::Vae& vae, PartContext& ctx, std::size_t scored, mmgen::Rng& rng);
nlohmann::json to_json(const VaeScores& s);

// Sets of images (rows·cols, 784) each, side by side as one grid of rows × (k·cols + k − 1)
// tiles, a white column between sets — for write_grid_png.
mmgen::Tensor side_by_side(const std::vector<mmgen::Tensor>& sets, std::size_t rows, std::size_t cols);

}  // namespace chapter06
