#pragma once
// Chapter 05's three parts and what they share. main.cpp parses the flags, loads the data and
// the evaluator once, and calls the parts the --part flag names, in the README's order:
//
//   1. run_autoencoder   the convolutional autoencoder of 003 §1.5.2, made to work   (autoencoder.cpp)
//   2. run_vae           the same network as a VAE                                    (vae_part.cpp)
//   3. run_dcgan         the DCGAN of 003 §1.5.3, corrected                           (dcgan.cpp, dcgan_part.hpp)
//
// Each part writes its own keys into ctx.metrics (which holds the metrics.json already in --out,
// so a `--part X` run replaces only X's keys), adds its rows to ctx.summary, and returns.
#include <cstddef>
#include <filesystem>
#include <string>

#include <mmgen/io/data.hpp>
#include <mmgen/models/classifier.hpp>
#include <mmgen/report/metrics.hpp>
#include <mmgen/report/progress.hpp>

#include "common/options.hpp"

namespace chapter05 {

struct Options {
    chapter::Options common;
    std::string part = "all";  // all | ae | vae | dcgan
    std::size_t generate = 0;  // --generate N: N samples of the trained DCGAN as a grid, then exit
    std::string reconstruct;   // --reconstruct FILE: the conv VAE's reconstruction of a picture, then exit
};

// What every part reads and where it writes.
struct PartContext {
    const Options& options;
    const mmgen::data::Dataset& train;
    const mmgen::data::Dataset& test;
    mmgen::models::Evaluator& evaluator;  // the CNN of chapter 01: FD features and classes
    const mmgen::Moments& reference;      // the evaluator's feature moments of the 10,000 test images
    mmgen::MetricsJson& metrics;          // the part sets its own keys (prefixed ae_, vae_, dcgan_, ...)
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

// --reconstruct FILE with the trained conv VAE (vae_part.cpp); returns the exit code.
int reconstruct_file(const Options& o);
// --generate N with the trained DCGAN (dcgan.cpp): writes <out>/generated.png; returns the exit code.
int generate_dcgan(const Options& o);

}  // namespace chapter05
