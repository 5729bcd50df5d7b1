#pragma once
// Chapter 07's measurements (README "Measured here"): what the README reports about speed,
// kept out of main.cpp, which teaches the training loop.
//
//   allreduce sweep   MPI_Allreduce of 1 … 2²¹ values on all ranks, median of repeats; α, β fitted
//   gradient size     the allreduce of the VAE's 652,824 gradients on N ranks and on 1
//   step time         interleaved rounds: N ranks × 1 thread with local batch B/N, then one
//                     process × N threads with batch B while the other ranks sleep
//   efficiency        the α–β model's weak and strong scaling for N = 1 … 64, with the
//                     measured point, drawn to scaling_efficiency.png
#include <cstddef>
#include <filesystem>
#include <vector>

#include <nlohmann/json.hpp>

#include <mmgen/distributed/communicator.hpp>
#include <mmgen/distributed/cost_model.hpp>
#include <mmgen/io/data.hpp>
#include <mmgen/models/vae.hpp>

namespace chapter07 {

struct Scaling {
    int ranks = 1;
    std::vector<double> sweep_values, sweep_seconds;  // per size: median allreduce time on all ranks
    mmgen::distributed::AlphaBeta link;               // fitted (ranks ≥ 2)
    std::size_t gradient_values = 0;                  // the VAE's parameter count
    double allreduce_ranks = 0, allreduce_one = 0;    // its allreduce: on all ranks, on one
    double step_ranks = 0, step_one = 0;              // median step: N ranks × 1 thread, 1 × N threads
    double compute_ranks = 0;                         // the N-rank step without its allreduce
    std::size_t global_batch = 0;
};

// Collective: every rank calls it. rounds: interleaved repetitions (median over all of them).
Scaling measure_scaling(const mmgen::distributed::Communicator& world, const mmgen::data::Dataset& train,
                        const mmgen::models::VaeConfig& config, std::size_t global_batch, int rounds,
                        std::size_t steps_per_round, std::size_t bucket_values);

// Rank 0: the allreduce sweep and the efficiency plot, and the numbers as JSON.
void plot_scaling(const Scaling& s, const std::filesystem::path& out);
nlohmann::json scaling_json(const Scaling& s);

}  // namespace chapter07
