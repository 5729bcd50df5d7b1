#pragma once
// The sharded batcher: N ranks with local batch B/N see exactly the batches that one process
// with batch B sees.
//
// Every rank holds the same Rng (same seed, or broadcast on resume), so every rank draws the
// same permutation of the dataset each epoch — the one a single process's Batcher with batch
// B would draw — and cuts the same global batches from it. Rank r keeps the r-th contiguous
// slice of each global batch:
//
//     global batch  [ i0 i1 i2 i3 | i4 i5 i6 i7 ]   B = 8
//     rank 0        [ i0 i1 i2 i3 ]                 offset 0
//     rank 1                      [ i4 i5 i6 i7 ]   offset 4
//
// So over an epoch the ranks together cover every example exactly once, with no overlap,
// and no communication is needed to agree on the order. The final, smaller batch of an epoch
// (when B does not divide the dataset) is cut as evenly as possible, some ranks taking one
// more example; the gradient weights n_r / n (GradientAverager) keep the average exact. If
// that final batch has fewer examples than there are ranks, it is left out on every rank.
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include <mmgen/core/random.hpp>
#include <mmgen/io/data.hpp>

namespace mmgen::distributed {

// This rank's part of one global batch.
struct Shard {
    std::vector<std::size_t> indices;  // this rank's examples
    std::size_t offset = 0;            // where they start within the global batch
    std::size_t global_size = 0;       // examples in the whole global batch (all ranks)
    // n_r / n: this rank's share of the batch, the weight of its gradient in the average
    double weight() const { return double(indices.size()) / double(global_size); }
};

// B / N, the batch of one rank; throws std::invalid_argument, naming `who` and the nearest
// multiples of N, if N does not divide B (a chapter checks its flags with it before any work).
std::size_t local_batch_size(std::size_t global_batch, int ranks, const std::string& who = "ShardedBatcher");

class ShardedBatcher {
public:
    // global_batch must be a multiple of ranks (std::invalid_argument otherwise, with the
    // nearest multiples in the message). limit: use only the first `limit` examples.
    ShardedBatcher(std::size_t dataset_size, std::size_t global_batch, int rank, int ranks, Rng& rng,
                   std::optional<std::size_t> limit = std::nullopt);

    // One epoch: this rank's shard of every global batch, in order.
    std::vector<Shard> epoch_shards();

    std::size_t batches_per_epoch() const;
    std::size_t global_batch() const { return global_batch_; }
    std::size_t local_batch() const { return global_batch_ / std::size_t(ranks_); }

private:
    data::Batcher batcher_;
    std::size_t global_batch_;
    int rank_, ranks_;
};

}  // namespace mmgen::distributed
