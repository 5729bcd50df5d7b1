#pragma once
// What the MPI tests share: a small synthetic dataset, a small VAE, and the data-parallel
// training step exactly as chapter 07 writes it, run on any communicator — the world (N ranks)
// or Communicator::self() (one process, the reference).
#include <cstdint>
#include <vector>

#include <mmgen/core/ops.hpp>
#include <mmgen/distributed/communicator.hpp>
#include <mmgen/distributed/gradient_averaging.hpp>
#include <mmgen/distributed/replicas.hpp>
#include <mmgen/distributed/sharded_batcher.hpp>
#include <mmgen/io/data.hpp>
#include <mmgen/models/vae.hpp>
#include <mmgen/nn/optim.hpp>

namespace mmgen::test {

// Float runs agree to reduction-order rounding; the double build to rounding of 1e-16 that
// a few Adam steps amplify only slightly.
inline constexpr double kReplicaTolerance = sizeof(real) == 4 ? 2e-5 : 1e-12;

// n random 4×4 "images" of bytes; deterministic in the seed.
inline data::Dataset tiny_dataset(std::size_t n, std::uint64_t seed = 7) {
    data::Dataset d;
    d.n = n, d.rows = 4, d.cols = 4;
    Rng rng(seed);
    for (std::size_t i = 0; i < n * 16; ++i) d.images.push_back(std::uint8_t(rng.below(256)));
    for (std::size_t i = 0; i < n; ++i) d.labels.push_back(std::uint8_t(rng.below(10)));
    return d;
}

inline constexpr models::VaeConfig kTinyVae{16, 8, 2};

// A data-parallel run of the tiny VAE: every rank builds the model from `seed`, rank 0's
// weights are broadcast, and each step averages the gradients across the ranks.
struct TinyRun {
    distributed::Communicator comm;
    Rng rng;
    models::Vae vae;
    optim::Adam adam;
    distributed::GradientAverager averager;
    distributed::ShardedBatcher batcher;
    bool average = true;  // false: the mistake of stepping on local gradients only

    TinyRun(const distributed::Communicator& c, const data::Dataset& d, std::size_t global_batch, std::uint64_t seed,
            std::size_t bucket_values = 50)
        : comm(c), rng(seed), vae(kTinyVae, rng), adam(vae.parameters(), real(1e-2)),
          averager(c, vae.parameters(), bucket_values), batcher(d.n, global_batch, c.rank(), c.size(), rng) {
        distributed::broadcast_tensors(comm, vae.parameters());
    }

    // One epoch's steps (at most max_steps); returns each step's global −ELBO.
    std::vector<double> train_epoch(const data::Dataset& d, std::size_t max_steps = 1000) {
        std::vector<double> losses;
        for (const auto& shard : batcher.epoch_shards()) {
            if (losses.size() == max_steps) break;
            losses.push_back(step(d, shard));
        }
        return losses;
    }

    double step(const data::Dataset& d, const distributed::Shard& shard) {
        const Tensor x = data::images_to_tensor(d, shard.indices, 0, 1);                      // (B/N, 16)
        const Tensor eps_global = Tensor::randn({shard.global_size, kTinyVae.latent}, rng);  // (B, 2)
        const Tensor eps = slice_rows(eps_global, shard.offset, shard.offset + shard.indices.size());
        adam.zero_grad();
        const auto terms = vae.negative_elbo(x, eps);
        terms.loss.backward();
        if (average) averager.average(shard.weight());
        adam.step();
        double loss[1] = {shard.weight() * terms.loss.item()};
        comm.allreduce_sum_double(loss);  // the global batch's mean −ELBO
        return loss[0];
    }
};

}  // namespace mmgen::test
