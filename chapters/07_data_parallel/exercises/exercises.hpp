#pragma once
// Chapter 07's exercises: write these functions in exercises.cpp (beside this file), then
//
//     cmake --build build --target exercise_ch07 && build/bin/exercise_ch07
//
// runs tests/exercises/exercise_ch07.cpp against your code — in one process, without mpirun: none
// of the checks calls MPI. They link lib/mmgen/distributed, so they are built only with
// MMGEN_WITH_MPI=ON (the default); without it ctest lists them as skipped, saying why. The
// solutions are the library's: `ShardedBatcher`'s cut (lib/mmgen/distributed/sharded_batcher.cpp),
// the weights n_r/n of `Shard::weight` that `GradientAverager::average` applies before its
// allreduce, and `ring_allreduce_seconds`, `tree_allreduce_seconds` (cost_model.cpp);
// build/bin/exercise_ch07_solution runs the same checks on them (tests/exercises/solution_ch07.cpp).
#include <cstddef>
#include <utility>
#include <vector>

#include <mmgen/core/real.hpp>
#include <mmgen/distributed/cost_model.hpp>  // AlphaBeta {alpha, beta}

namespace mmgen::exercises {

// Exercise 7.1 — rank r's slice of a global batch of m examples over N ranks (README §4):
// [begin, end) within the batch, contiguous, the N slices disjoint and covering all m, their
// sizes differing by at most one (m / N each when N divides m). Needs m ≥ N.
std::pair<std::size_t, std::size_t> shard_range(std::size_t global_size, int rank, int ranks);

// Exercise 7.2 — the full batch's gradient from the ranks' gradients (README §2): rank r computed
// g_r, the gradient of the mean loss over its n_r examples; return Σ_r (n_r / n) · g_r, n = Σ n_r.
// `gradients[r]` is g_r, every one of the same length; `shard_sizes[r]` is n_r.
std::vector<real> combine_gradients(const std::vector<std::vector<real>>& gradients,
                                    const std::vector<std::size_t>& shard_sizes);

// Exercise 7.3 — the α–β model's time of one allreduce of `bytes` bytes over N ranks (README §6):
//   ring  T = 2(N−1)·α + 2(N−1)/N · b · β          tree  T = 2⌈log₂N⌉ · (α + b · β)
double ring_allreduce_seconds(const distributed::AlphaBeta& link, int ranks, double bytes);
double tree_allreduce_seconds(const distributed::AlphaBeta& link, int ranks, double bytes);

}  // namespace mmgen::exercises
