// ShardedBatcher: one seeded permutation, cut into global batches, each cut into rank slices.
#include <mmgen/distributed/sharded_batcher.hpp>

#include <stdexcept>
#include <string>

namespace mmgen::distributed {

std::size_t local_batch_size(std::size_t global_batch, int ranks, const std::string& who) {
    if (ranks < 1) throw std::invalid_argument(who + ": " + std::to_string(ranks) + " ranks");
    const auto n = std::size_t(ranks);
    if (global_batch == 0 || global_batch % n != 0) {
        const std::size_t below = global_batch / n * n, above = below + n;
        throw std::invalid_argument(who + ": the global batch " + std::to_string(global_batch) +
                                    " is not divisible by " + std::to_string(ranks) + " ranks; use a multiple of " +
                                    std::to_string(ranks) + (below ? " such as " + std::to_string(below) + " or " : " such as ") +
                                    std::to_string(above));
    }
    return global_batch / n;
}

namespace {
std::size_t checked_batch(std::size_t global_batch, int rank, int ranks) {
    if (ranks < 1 || rank < 0 || rank >= ranks)
        throw std::invalid_argument("ShardedBatcher: rank " + std::to_string(rank) + " of " + std::to_string(ranks) +
                                    " ranks does not exist");
    local_batch_size(global_batch, ranks);
    return global_batch;
}
}  // namespace

ShardedBatcher::ShardedBatcher(std::size_t dataset_size, std::size_t global_batch, int rank, int ranks, Rng& rng,
                               std::optional<std::size_t> limit)
    : batcher_(dataset_size, checked_batch(global_batch, rank, ranks), rng, false, limit), global_batch_(global_batch),
      rank_(rank), ranks_(ranks) {}

std::size_t ShardedBatcher::batches_per_epoch() const {
    const std::size_t full = batcher_.size() / global_batch_, rest = batcher_.size() % global_batch_;
    return full + (rest >= std::size_t(ranks_) ? 1 : 0);
}

std::vector<Shard> ShardedBatcher::epoch_shards() {
    const auto n = std::size_t(ranks_), r = std::size_t(rank_);
    std::vector<Shard> shards;
    for (auto& batch : batcher_.epoch_batches()) {  // every rank draws the same permutation
        const std::size_t m = batch.size();
        if (m < n) break;  // the final batch is too small to give every rank an example
        // rank r takes [r·m/N, (r+1)·m/N): B/N each for a full batch, within one of it for the last
        const std::size_t begin = r * m / n, end = (r + 1) * m / n;
        Shard s;
        s.indices.assign(batch.begin() + std::ptrdiff_t(begin), batch.begin() + std::ptrdiff_t(end));
        s.offset = begin;
        s.global_size = m;
        shards.push_back(std::move(s));
    }
    return shards;
}

}  // namespace mmgen::distributed
