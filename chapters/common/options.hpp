#pragma once
// The command-line flags every chapter shares (DESIGN.md, "Conventions"), parsed with CLI11.
//
//   --epochs --batch-size --lr --seed --threads --data-dir --out --checkpoint-dir --resume --quick
//
// A bad value prints a message naming the flag and exits with code 2; --help explains each.
#include <CLI/CLI.hpp>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <string>

#include <mmgen/io/data.hpp>
#include <mmgen/core/gemm.hpp>

namespace chapter {

struct Options {
    std::size_t epochs = 10;
    std::size_t batch_size = 128;
    double lr = 1e-3;
    std::uint64_t seed = 1;
    int threads = 2;
    std::string data_dir = mmgen::data::default_data_dir().string();
    std::string out;             // default: plots/<chapter>/ in the source tree
    std::string checkpoint_dir;  // default: data/checkpoints/<chapter>/ in the source tree
    bool resume = false;
    bool quick = false;
    std::string chapter;         // "03_vae"

    std::filesystem::path checkpoint_root() const { return std::filesystem::path(checkpoint_dir).parent_path(); }
    // Chapter 01's checkpoint folder beside this chapter's: where the evaluator is kept.
    std::filesystem::path evaluator_dir() const { return checkpoint_root() / "01_tensors_autograd"; }
};

// Registers the shared flags with the chapter's defaults already in `o`.
inline void add_common_options(CLI::App& app, Options& o) {
    const std::string root = MMGEN_SOURCE_DIR;
    if (o.out.empty()) o.out = root + "/plots/" + o.chapter;
    if (o.checkpoint_dir.empty()) o.checkpoint_dir = root + "/data/checkpoints/" + o.chapter;
    app.add_option("--epochs", o.epochs, "passes over the training set")->check(CLI::PositiveNumber)->capture_default_str();
    app.add_option("--batch-size", o.batch_size, "examples per optimisation step")
        ->check(CLI::Range(std::size_t{1}, std::size_t{60000}))->capture_default_str();
    app.add_option("--lr", o.lr, "Adam learning rate")->check(CLI::PositiveNumber)->capture_default_str();
    app.add_option("--seed", o.seed, "seed of every random draw: the same seed and threads give the same losses")
        ->capture_default_str();
    app.add_option("--threads", o.threads, "threads for OpenBLAS's matrix products")
        ->check(CLI::Range(1, 64))->capture_default_str();
    app.add_option("--data-dir", o.data_dir, "folder with the Fashion-MNIST IDX files (also $MMGEN_DATA)")
        ->capture_default_str();
    app.add_option("--out", o.out, "where figures and metrics.json go")->capture_default_str();
    app.add_option("--checkpoint-dir", o.checkpoint_dir, "where weights are saved")->capture_default_str();
    app.add_flag("--resume", o.resume, "continue from the last checkpoint in --checkpoint-dir");
    app.add_flag("--quick", o.quick, "a seconds-long smoke run on a slice of the data");
}

// Parses; on --help prints it and exits 0, on a bad value prints the problem and exits 2.
inline void parse_or_exit(CLI::App& app, int argc, char** argv, const Options& o) {
    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        std::exit(app.exit(e));
    } catch (const CLI::ParseError& e) {
        std::cerr << app.get_name() << ": " << e.what() << "\n(see --help)\n";
        std::exit(2);
    }
    mmgen::set_blas_threads(o.threads);
}

// Runs the chapter body; any error is printed as one line naming the problem, exit code 1.
template <class F>
int run_guarded(const char* name, F&& body) {
    try {
        return body();
    } catch (const std::exception& e) {
        std::cerr << name << ": error: " << e.what() << "\n";
        return 1;
    }
}

}  // namespace chapter
