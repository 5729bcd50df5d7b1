#pragma once
// What chapter 04's three files share: main.cpp (the steps and the training loop), figures.cpp
// (§8's figures and the --generate / --caption tools), report.cpp (metrics.json, the summary
// table, the printed diagnostics).
#include <filesystem>
#include <string>
#include <vector>

#include <mmgen/io/captions.hpp>
#include <mmgen/models/mvae.hpp>
#include <mmgen/models/mvae_diagnostics.hpp>
#include <mmgen/models/mvae_eval.hpp>

#include "common/options.hpp"

namespace multimodal {

using mmgen::models::CaptionedImages;

// The flags; main() fills the defaults from its k-constants.
struct Options {
    chapter::Options common;
    std::string fusion;
    std::string image_network;       // "mlp" or "conv" (models::ImageNetwork)
    std::size_t conv_channels = 0;   // channels of the first convolution (conv only)
    double image_weight = 0, text_weight = 0;
    double anneal = 0, alpha = 0, beta = 0, text_kl = 0, mmd = 0;
    std::string generate;  // a caption to draw images for
    std::string caption;   // a picture to caption
};

// The per-epoch curves: test −ELBOs and coherences on kCurveImages test pairs, and the seconds the
// epochs took. The training state carries them (history_json), so --resume keeps the curves.
struct History {
    std::vector<double> epoch, train_loss, test_joint, test_image, test_text, text_to_image, caption, joint;
    double train_seconds = 0;
};

// Step 3's numbers (README §9).
struct Measurements {
    mmgen::models::NegElbos neg_elbos;
    mmgen::models::Coherence coherence;
    double probe = 0;               // linear probe on the image latents
    double evaluator_accuracy = 0;  // the ceiling of the coherences
};

// §5 and §6: why the fusion generates (or not) across modalities.
struct Diagnostics {
    mmgen::models::FusionDiagnostics fusion;
    mmgen::models::PriorCoverage coverage;
    mmgen::models::JointAgreement agreement;
};

std::string text_of(const mmgen::data::Caption& c);

// --- figures.cpp -----------------------------------------------------------------------------
void draw_figures(mmgen::models::Mvae& m, const mmgen::data::Tokenizer& tok, const CaptionedImages& test,
                  const std::vector<mmgen::data::Caption>& grammar, const History& h, const std::filesystem::path& out,
                  mmgen::Rng& rng);
int generate_from_caption(mmgen::models::Mvae& m, const mmgen::data::Tokenizer& tok, const Options& o, mmgen::Rng& rng);
int caption_picture(mmgen::models::Mvae& m, const std::vector<mmgen::data::Caption>& grammar, const Options& o);

// --- report.cpp ------------------------------------------------------------------------------
void print_diagnostics(const Diagnostics& d, const Measurements& k);
void write_metrics(const std::filesystem::path& out, const Options& o, const Measurements& k, const Diagnostics& d,
                   const History& h, double train_seconds, std::size_t test_pairs, std::size_t latent,
                   std::size_t vocabulary);
void print_summary(const Measurements& k, double train_seconds);
std::string history_json(const History& h);         // the curves as one JSON object
History history_from_json(const std::string& text);  // and back ("" gives an empty History)

}  // namespace multimodal
