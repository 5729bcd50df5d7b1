// The solutions of chapter 07's exercises are the library's own functions: the checks in
// exercise_ch07.cpp pass on these (exercise_ch07_solution, part of ctest when MPI is built).
#include "exercises.hpp"

#include <numeric>

#include <mmgen/core/random.hpp>
#include <mmgen/distributed/sharded_batcher.hpp>

namespace mmgen::exercises {

// ShardedBatcher's own cut: a dataset of m examples whose global batch exceeds m is one final,
// smaller batch of m, which the batcher cuts as evenly as it cuts the last batch of an epoch.
std::pair<std::size_t, std::size_t> shard_range(std::size_t global_size, int rank, int ranks) {
    Rng rng(0);
    const std::size_t batch = (global_size / std::size_t(ranks) + 1) * std::size_t(ranks);  // > m, a multiple of N
    const distributed::Shard shard = distributed::ShardedBatcher(global_size, batch, rank, ranks, rng).epoch_shards().at(0);
    return {shard.offset, shard.offset + shard.indices.size()};
}

// GradientAverager::average's arithmetic in one process: each rank scales its gradient by its
// Shard::weight() = n_r / n, and the allreduce (SUM) adds the scaled gradients up.
std::vector<real> combine_gradients(const std::vector<std::vector<real>>& gradients,
                                    const std::vector<std::size_t>& shard_sizes) {
    const std::size_t n = std::accumulate(shard_sizes.begin(), shard_sizes.end(), std::size_t{0});
    std::vector<real> sum(gradients.at(0).size(), real(0));
    for (std::size_t r = 0; r < gradients.size(); ++r) {
        const distributed::Shard shard{std::vector<std::size_t>(shard_sizes[r]), 0, n};
        for (std::size_t k = 0; k < sum.size(); ++k) sum[k] += real(shard.weight()) * gradients[r][k];
    }
    return sum;
}

double ring_allreduce_seconds(const distributed::AlphaBeta& link, int ranks, double bytes) {
    return distributed::ring_allreduce_seconds(link, ranks, bytes);
}
double tree_allreduce_seconds(const distributed::AlphaBeta& link, int ranks, double bytes) {
    return distributed::tree_allreduce_seconds(link, ranks, bytes);
}

}  // namespace mmgen::exercises
