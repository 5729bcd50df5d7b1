// The checks of chapter 07's exercises (chapters/07_data_parallel/exercises/), in one process: no
// check calls MPI. Each checker also has a "must fail" case that feeds it a wrong version.
#include <algorithm>
#include <cmath>
#include <functional>
#include <numeric>
#include <string>
#include <utility>
#include <vector>

#include <catch2/catch.hpp>

#include <mmgen/core/ops.hpp>
#include <mmgen/core/random.hpp>
#include <mmgen/distributed/sharded_batcher.hpp>

#include "exercises.hpp"

using namespace mmgen;
using Catch::Matchers::WithinAbs;
using Catch::Matchers::WithinRel;
using distributed::AlphaBeta;

namespace {

using ShardRange = std::function<std::pair<std::size_t, std::size_t>(std::size_t global_size, int rank, int ranks)>;

// "" when `range` cuts every batch of m = N … 40 examples over N = 1 … 6 ranks into contiguous,
// disjoint slices covering all m, within one example of each other, and agrees with the slices
// ShardedBatcher gives a dataset of 45 in global batches of 8 on 4 ranks (last batch: 5 examples).
std::string shard_problem(const ShardRange& range) {
    for (int ranks = 1; ranks <= 6; ++ranks)
        for (std::size_t m = std::size_t(ranks); m <= 40; ++m) {
            const std::string which = std::to_string(m) + " examples on " + std::to_string(ranks) + " ranks: ";
            std::size_t next = 0, smallest = m, largest = 0;
            for (int r = 0; r < ranks; ++r) {
                const auto [begin, end] = range(m, r, ranks);
                if (begin != next || end < begin)
                    return which + "rank " + std::to_string(r) + " takes [" + std::to_string(begin) + ", " +
                           std::to_string(end) + "), expected it to start at " + std::to_string(next);
                smallest = std::min(smallest, end - begin), largest = std::max(largest, end - begin);
                next = end;
            }
            if (next != m) return which + "the slices end at " + std::to_string(next) + ", not at " + std::to_string(m);
            if (largest - smallest > 1)
                return which + "slices of " + std::to_string(smallest) + " to " + std::to_string(largest) + " examples";
        }
    Rng rng(71);
    for (int r = 0; r < 4; ++r) {
        Rng same = rng;  // every rank holds the same Rng
        for (const distributed::Shard& shard : distributed::ShardedBatcher(45, 8, r, 4, same).epoch_shards()) {
            const auto [begin, end] = range(shard.global_size, r, 4);
            if (begin != shard.offset || end != shard.offset + shard.indices.size())
                return "a batch of " + std::to_string(shard.global_size) + " on 4 ranks: rank " + std::to_string(r) +
                       " takes [" + std::to_string(begin) + ", " + std::to_string(end) + "), ShardedBatcher [" +
                       std::to_string(shard.offset) + ", " + std::to_string(shard.offset + shard.indices.size()) + ")";
        }
    }
    return "";
}

using Combine = std::function<std::vector<real>(const std::vector<std::vector<real>>&, const std::vector<std::size_t>&)>;

// The gradient (W's, then b's) of a linear layer's mean squared error over the examples [begin, end).
std::vector<real> mean_loss_gradient(const Tensor& x, const Tensor& targets, Tensor w, Tensor b,  // w, b: handles
                                     std::size_t begin, std::size_t end) {
    w.zero_grad(), b.zero_grad();
    const Tensor residual = linear(slice_rows(x, begin, end), w, b) - slice_rows(targets, begin, end);  // (n_r, 2)
    (0.5 * mean(sum(square(residual), 1))).backward();  // L_r = (1/n_r) Σ ½ ‖W x + b − t‖²
    std::vector<real> g(w.grad().begin(), w.grad().end());
    g.insert(g.end(), b.grad().begin(), b.grad().end());
    return g;
}

// "" when `combine` turns the gradients of shards of sizes n_r into the gradient of the whole
// batch of 7, for equal and unequal shards.
std::string combine_problem(const Combine& combine) {
    Rng rng(72);
    const Tensor x = Tensor::uniform({7, 3}, rng, -2, 2), targets = Tensor::uniform({7, 2}, rng, -1, 1);  // (7, 3), (7, 2)
    const Tensor w = Tensor::uniform({2, 3}, rng, -1, 1, true), b = Tensor::uniform({2}, rng, -1, 1, true);
    const std::vector<real> whole = mean_loss_gradient(x, targets, w, b, 0, 7);
    for (const std::vector<std::size_t>& sizes : std::vector<std::vector<std::size_t>>{{7}, {4, 3}, {3, 2, 2}, {2, 2, 2, 1}}) {
        std::vector<std::vector<real>> gradients;
        std::size_t begin = 0;
        for (std::size_t n : sizes) gradients.push_back(mean_loss_gradient(x, targets, w, b, begin, begin + n)), begin += n;
        const std::vector<real> combined = combine(gradients, sizes);
        std::string split;
        for (std::size_t n : sizes) split += (split.empty() ? "" : " + ") + std::to_string(n);
        if (combined.size() != whole.size())
            return "shards " + split + ": " + std::to_string(combined.size()) + " values, expected " + std::to_string(whole.size());
        for (std::size_t k = 0; k < whole.size(); ++k)
            if (!(std::abs(combined[k] - whole[k]) < 1e-12))
                return "shards " + split + ", gradient value " + std::to_string(k) + ": " + std::to_string(combined[k]) +
                       ", the whole batch's gradient is " + std::to_string(whole[k]);
    }
    return "";
}

using Allreduce = std::function<double(const AlphaBeta&, int ranks, double bytes)>;

// "" when `ring` and `tree` give the README §6 formulas' times at a few points worked by hand.
std::string cost_problem(const Allreduce& ring, const Allreduce& tree) {
    const AlphaBeta link{1e-6, 1e-9};  // 1 µs a message, 1 GB/s
    struct Case { const char* name; const Allreduce& f; int ranks; double bytes, seconds; };
    const Case cases[] = {
        {"ring", ring, 1, 1e6, 0},        {"tree", tree, 1, 1e6, 0},         // one rank sends nothing
        {"ring", ring, 2, 1e6, 1.002e-3}, {"tree", tree, 2, 1e6, 2.002e-3},  // 2α + bβ; 2(α + bβ)
        {"ring", ring, 4, 1e6, 1.506e-3}, {"tree", tree, 4, 1e6, 4.004e-3},  // 6α + 1.5 bβ; 4(α + bβ)
        {"ring", ring, 4, 100, 6.15e-6},  {"tree", tree, 4, 100, 4.4e-6},    // small: the tree wins
        {"tree", tree, 5, 1e6, 6.006e-3},                                    // ⌈log₂ 5⌉ = 3 levels
    };
    for (const Case& c : cases) {
        const double t = c.f(link, c.ranks, c.bytes);
        if (!(std::abs(t - c.seconds) <= 1e-12 * c.seconds))
            return std::string(c.name) + " allreduce of " + std::to_string(c.bytes) + " bytes on " + std::to_string(c.ranks) +
                   " ranks: " + std::to_string(t * 1e6) + " µs, expected " + std::to_string(c.seconds * 1e6) + " µs";
    }
    return "";
}

}  // namespace

TEST_CASE("exercise 7.1: the ranks' slices of a global batch are contiguous, disjoint, even and cover it",
          "[exercise][ch07]") {
    const std::string problem = shard_problem(exercises::shard_range);
    INFO(problem);
    CHECK(problem.empty());
}

TEST_CASE("exercise 7.1's check fails on slices of ⌊m/N⌋ that leave the remainder out", "[exercise][ch07]") {
    const std::string problem = shard_problem([](std::size_t m, int r, int ranks) {
        const std::size_t each = m / std::size_t(ranks);
        return std::pair{std::size_t(r) * each, std::size_t(r + 1) * each};
    });
    INFO(problem);
    CHECK_FALSE(problem.empty());
}

TEST_CASE("exercise 7.2: the shards' gradients, weighted by n_r/n, are the whole batch's gradient", "[exercise][ch07]") {
    const std::string problem = combine_problem(exercises::combine_gradients);
    INFO(problem);
    CHECK(problem.empty());
}

TEST_CASE("exercise 7.2's check fails on the plain mean of the shards' gradients when the shards are unequal",
          "[exercise][ch07]") {
    const std::string problem = combine_problem([](const std::vector<std::vector<real>>& gradients, const std::vector<std::size_t>&) {
        std::vector<real> mean(gradients[0].size(), real(0));
        for (const auto& g : gradients)
            for (std::size_t k = 0; k < g.size(); ++k) mean[k] += g[k] / real(gradients.size());
        return mean;
    });
    INFO(problem);
    CHECK_FALSE(problem.empty());
}

TEST_CASE("exercise 7.3: the α–β model's ring and tree allreduce times", "[exercise][ch07]") {
    SECTION("the formulas at points worked by hand") {
        const std::string problem = cost_problem(exercises::ring_allreduce_seconds, exercises::tree_allreduce_seconds);
        INFO(problem);
        CHECK(problem.empty());
    }
    SECTION("the README's question: the VAE's 2,611,296 bytes of gradients in 1, 4 or 8 allreduce calls") {
        const double bytes = 652'824.0 * 4;  // the VAE's gradients in float
        const AlphaBeta here{0.371e-6, 1 / 2.61e9}, ethernet{30e-6, 1 / 1.25e9};
        // calls of about bytes/calls each: the α term once per call, the β term once for all the bytes
        auto in_calls = [bytes](const AlphaBeta& link, int ranks, int calls) {
            return calls * exercises::ring_allreduce_seconds(link, ranks, bytes / calls);
        };
        CHECK_THAT(in_calls(here, 2, 1) * 1e6, WithinAbs(1001.238552, 5e-7));
        CHECK_THAT(in_calls(here, 2, 4) * 1e6, WithinAbs(1003.464552, 5e-7));
        CHECK_THAT(in_calls(here, 2, 8) * 1e6, WithinAbs(1006.432552, 5e-7));
        CHECK_THAT(in_calls(ethernet, 64, 1) * 1e6, WithinAbs(7892.7912, 5e-7));
        CHECK_THAT(in_calls(ethernet, 64, 4) * 1e6, WithinAbs(19232.7912, 5e-7));
        CHECK_THAT(in_calls(ethernet, 64, 8) * 1e6, WithinAbs(34352.7912, 5e-7));
    }
}

TEST_CASE("exercise 7.3's check fails on a ring that sends the whole message at every step", "[exercise][ch07]") {
    const std::string problem = cost_problem(
        [](const AlphaBeta& link, int ranks, double bytes) { return 2 * (ranks - 1) * (link.alpha + bytes * link.beta); },
        distributed::tree_allreduce_seconds);
    INFO(problem);
    CHECK_FALSE(problem.empty());
}
