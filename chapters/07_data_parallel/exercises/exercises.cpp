// Chapter 07's exercises — your code goes where it says TODO. See exercises.hpp for the tasks and
// chapters/07_data_parallel/README.md ("Exercises") for the derivations.
#include "exercises.hpp"

#include <stdexcept>

namespace mmgen::exercises {

std::pair<std::size_t, std::size_t> shard_range(std::size_t global_size, int rank, int ranks) {
    // TODO (exercise 7.1)
    (void)global_size, (void)rank, (void)ranks;
    throw std::logic_error("exercise 7.1: shard_range is not written yet");
}

std::vector<real> combine_gradients(const std::vector<std::vector<real>>& gradients,
                                    const std::vector<std::size_t>& shard_sizes) {
    // TODO (exercise 7.2)
    (void)gradients, (void)shard_sizes;
    throw std::logic_error("exercise 7.2: combine_gradients is not written yet");
}

double ring_allreduce_seconds(const distributed::AlphaBeta& link, int ranks, double bytes) {
    // TODO (exercise 7.3)
    (void)link, (void)ranks, (void)bytes;
    throw std::logic_error("exercise 7.3: ring_allreduce_seconds is not written yet");
}

double tree_allreduce_seconds(const distributed::AlphaBeta& link, int ranks, double bytes) {
    // TODO (exercise 7.3)
    (void)link, (void)ranks, (void)bytes;
    throw std::logic_error("exercise 7.3: tree_allreduce_seconds is not written yet");
}

}  // namespace mmgen::exercises
