#pragma once
// Chapter 05's three parts and what they share. main.cpp parses the flags, loads the data and
// the evaluator once, and calls the parts the --part flag names, in the README's order:
//
//   1. run_autoencoder   the convolutional autoencoder of 003 §1.5.2, made to work   (autoencoder.cpp)
//   2. run_vae           the same network as a VAE                                    (vae_part.cpp)
//   3. run_dcgan         the DCGAN of 003 §1.5.3, corrected                           (dcgan.cpp, dcgan_part.hpp)
//
// Each part sets its own keys in ctx.metrics (main writes them over the metrics.json in --out,
// so a `--part X` run replaces only X's keys), adds its rows to ctx.summary, and returns.
#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>

#include <mmgen/io/data.hpp>
#include <mmgen/models/classifier.hpp>
#include <mmgen/models/conv_nets.hpp>
#include <mmgen/report/metrics.hpp>
#include <mmgen/report/progress.hpp>

#include "common/options.hpp"

namespace chapter05 {

struct Options {
    chapter::Options common;
    std::string part = "all";  // all | ae | vae | dcgan
    // Part ae's epochs: its codes are the lesson, not a target; 5 make the point in half the
    // VAE's time.
    std::size_t ae_epochs = 5;
    // --init: pytorch | he, every layer's initialisation (README §2: PyTorch's U(±1/√fan-in) trains
    // the VAE about 2 nats further in the same 10 epochs than He's N(0, 2/fan-in); §3.1: the DCGAN's FD)
    std::string init = "pytorch";
    mmgen::nn::Init layer_init() const { return init == "pytorch" ? mmgen::nn::Init::fan_in : mmgen::nn::Init::he; }
    mmgen::models::ConvWidths widths() const {
        mmgen::models::ConvWidths w;
        w.init = layer_init();
        return w;
    }
    // --dcgan-epochs: 8 passes take about 540 s here, inside the 10 minutes (README §3.2)
    std::size_t dcgan_epochs = 8;
    std::size_t generate = 0;  // --generate N: N samples of the trained DCGAN as a grid, then exit
    std::string reconstruct;   // --reconstruct FILE: the conv VAE's reconstruction of a picture, then exit
};

// Chapter 01's CNN evaluator and its feature moments of the 10,000 test images, loaded when a
// part first scores samples (after it has trained), so a long run may start before the
// evaluator is saved. Passes where a models::Evaluator& or the reference Moments are expected.
class LazyEvaluator {
public:
    LazyEvaluator(const chapter::Options& options, const mmgen::data::Dataset& test) : options_(options), test_(test) {}
    mmgen::models::Evaluator& get();
    const mmgen::Moments& reference();
    bool loaded() const { return evaluator_.has_value(); }
    operator mmgen::models::Evaluator&() { return get(); }

private:
    const chapter::Options& options_;
    const mmgen::data::Dataset& test_;
    std::optional<mmgen::models::Evaluator> evaluator_;
    std::optional<mmgen::Moments> reference_;
};

// LazyEvaluator::reference() where a const Moments& is expected.
struct LazyReference {
    LazyEvaluator& evaluator;
    operator const mmgen::Moments&() const { return evaluator.reference(); }
};

// What every part reads and where it writes.
struct PartContext {
    const Options& options;
    const mmgen::data::Dataset& train;
    const mmgen::data::Dataset& test;
    LazyEvaluator& evaluator;   // the CNN of chapter 01: FD features and classes
    LazyReference reference;    // the evaluator's feature moments of the 10,000 test images
    mmgen::MetricsJson& metrics;          // the part sets its own keys (ae_, vae_, dcgan_, ...); main merges them
    mmgen::SummaryTable& summary;         // columns: part, metric, value
};

// What a part hands back to main: how long it trained (also in metrics as train_seconds_<part>).
struct PartOutcome {
    double train_seconds = 0;
};

PartOutcome run_autoencoder(PartContext& ctx);
PartOutcome run_vae(PartContext& ctx);
// Declared again in dcgan_part.hpp (the DCGAN helper's), defined in dcgan.cpp.
PartOutcome run_dcgan(PartContext& ctx);

// Two sets of images (rows·cols, 784) each as one grid of rows × (2·cols + 1) tiles: `left`
// in the first cols columns, a white column, `right` in the last cols — for write_grid_png.
mmgen::Tensor side_by_side(const mmgen::Tensor& left, const mmgen::Tensor& right, std::size_t rows, std::size_t cols);

// ae_vs_vae_prior_samples.png: the same 64 codes z ~ N(0, I) through the trained autoencoder's
// decoder (left) and the conv VAE's (right), when both are saved in --checkpoint-dir (parts ae
// and vae call it, so whichever runs second draws it). Returns whether it drew.
bool draw_ae_vs_vae(const PartContext& ctx);

// --reconstruct FILE with the trained conv VAE (vae_part.cpp); returns the exit code.
int reconstruct_file(const Options& o);
// --generate N with the trained DCGAN (dcgan.cpp): writes <out>/generated.png; returns the exit code.
int generate_dcgan(const Options& o);

}  // namespace chapter05
