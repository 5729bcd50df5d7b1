// Data parallelism over MPI (chapter 07), run under `mpirun -np 2`: the replicas of a 2-rank
// run follow exactly the path of one process with the same global batch; the sharded batcher
// splits every epoch without overlap; a 2-rank checkpoint resumes in one process.
#include <algorithm>
#include <filesystem>
#include <numeric>

#include <catch2/catch.hpp>

#include <mmgen/distributed/cost_model.hpp>
#include <mmgen/io/checkpoint.hpp>

#include "support.hpp"

using namespace mmgen;
using namespace mmgen::distributed;
using Catch::Matchers::WithinAbs;
using Catch::Matchers::WithinRel;

namespace {
void require_world_of_two(const Communicator& world) {
    INFO("the MPI tests must run under mpirun -np 2: with one rank they would compare a run with itself");
    REQUIRE(world.size() == 2);
}

void require_same_parameters(const models::Vae& a, const models::Vae& b, double tolerance) {
    const auto pa = a.named_parameters(), pb = b.named_parameters();
    REQUIRE(pa.size() == pb.size());
    for (std::size_t k = 0; k < pa.size(); ++k)
        for (std::size_t i = 0; i < pa[k].second.numel(); ++i) {
            INFO("parameter " << pa[k].first << " value " << i);
            const double actual = pa[k].second.data()[i], expected = pb[k].second.data()[i];
            REQUIRE_THAT(actual, WithinRel(expected, tolerance) || WithinAbs(expected, tolerance));
        }
}
}  // namespace

TEST_CASE("k steps on 2 ranks give the parameters of k steps in one process with the same global batch", "[distributed]") {
    const auto world = Communicator::world();
    require_world_of_two(world);
    const auto d = test::tiny_dataset(44);  // batches of 8: five full, then 4 examples split 2 / 2
    const std::size_t steps = 6;      // through the end of the first epoch into the second

    test::TinyRun reference(Communicator::self(), d, 8, 11);  // one process, batch 8
    test::TinyRun parallel(world, d, 8, 11);                  // 2 ranks, 4 each
    std::vector<double> ref_losses, par_losses;
    for (int epoch = 0; epoch < 2; ++epoch) {
        const auto r = reference.train_epoch(d, steps - ref_losses.size());
        const auto p = parallel.train_epoch(d, steps - par_losses.size());
        ref_losses.insert(ref_losses.end(), r.begin(), r.end());
        par_losses.insert(par_losses.end(), p.begin(), p.end());
    }
    REQUIRE(replicas_agree(world, parallel.vae.parameters()));

    SECTION("the parameters agree") { require_same_parameters(parallel.vae, reference.vae, test::kReplicaTolerance); }
    SECTION("every step's global loss agrees") {
        REQUIRE(par_losses.size() == steps);
        for (std::size_t s = 0; s < steps; ++s) {
            INFO("step " << s);
            REQUIRE_THAT(par_losses[s], WithinRel(ref_losses[s], test::kReplicaTolerance));
        }
    }
}

TEST_CASE("stepping on local gradients without averaging lets the replicas drift apart", "[distributed]") {
    // the must-fail case of the comparison above: each rank steps on its own half of the batch
    const auto world = Communicator::world();
    require_world_of_two(world);
    const auto d = test::tiny_dataset(32);
    test::TinyRun parallel(world, d, 8, 11);
    parallel.average = false;
    parallel.train_epoch(d, 2);
    REQUIRE_FALSE(replicas_agree(world, parallel.vae.parameters()));
}

TEST_CASE("the gradient average weights each rank by its share of the batch", "[distributed]") {
    const auto world = Communicator::world();
    require_world_of_two(world);
    // rank 0 holds 1 of 4 examples with gradient 1, rank 1 holds 3 with gradient 2 per value
    const double weight = world.rank() == 0 ? 0.25 : 0.75, local = world.rank() == 0 ? 1.0 : 2.0;
    std::vector<Tensor> params{Tensor::zeros({3, 5}, true), Tensor::zeros({7}, true), Tensor::zeros({2, 2}, true)};
    for (auto& p : params) std::ranges::fill(p.grad_buffer(), real(local));
    GradientAverager averager(world, params, 8);  // 4 + 7 + 15 values: three buckets
    REQUIRE(averager.buckets() == 3);
    REQUIRE(averager.values() == 26);
    averager.average(weight);
    for (const auto& p : params)
        for (real g : p.grad()) REQUIRE_THAT(g, WithinRel(0.25 * 1.0 + 0.75 * 2.0, 1e-7));

    SECTION("the chapter's VAE: 652,824 gradients in 4 buckets of at most 2^18 values, a larger tensor alone") {
        Rng rng(1);
        const models::Vae vae({784, 400, 20}, rng);
        const GradientAverager vae_averager(world, vae.parameters());
        REQUIRE(vae_averager.values() == 652824);
        REQUIRE(vae_averager.buckets() == 4);  // 784 | 313,600 | 24,840 | 313,600, last layer first
    }
    SECTION("a weight outside [0, 1] is refused") {
        REQUIRE_THROWS_WITH(averager.average(1.5), Catch::Contains("not in [0, 1]"));
    }
}

TEST_CASE("the sharded batcher covers each example once per epoch, with no overlap between ranks", "[distributed]") {
    const auto world = Communicator::world();
    require_world_of_two(world);
    const auto n = GENERATE(std::size_t{48}, std::size_t{45}, std::size_t{41});  // 6 × 8; 5 left; 1 left
    INFO("dataset of " << n << ", global batch 8, 2 ranks");
    Rng rng(3), single_rng(3);
    ShardedBatcher sharded(n, 8, world.rank(), 2, rng);
    data::Batcher single(n, 8, single_rng);
    for (int epoch = 0; epoch < 2; ++epoch) {
        const auto shards = sharded.epoch_shards();
        const auto batches = single.epoch_batches();
        REQUIRE(shards.size() == sharded.batches_per_epoch());
        std::vector<double> seen(n, 0.0);
        for (std::size_t b = 0; b < shards.size(); ++b) {
            const auto& s = shards[b];
            REQUIRE(s.global_size == batches[b].size());
            // this rank's slice is the same part of the batch one process would see
            REQUIRE(std::equal(s.indices.begin(), s.indices.end(), batches[b].begin() + std::ptrdiff_t(s.offset)));
            for (auto i : s.indices) seen[i] += 1;
        }
        world.allreduce_sum_double(seen);  // how many ranks saw each example
        const auto once = std::count(seen.begin(), seen.end(), 1.0);
        const auto never = std::count(seen.begin(), seen.end(), 0.0);
        REQUIRE(std::ranges::all_of(seen, [](double c) { return c <= 1; }));
        if (n == 41) {
            // the final batch of one example cannot give both ranks one: it is left out on both
            REQUIRE(never == 1);
            REQUIRE(seen[batches.back().front()] == 0.0);
        } else {
            REQUIRE(once == std::ptrdiff_t(n));
        }
    }
}

TEST_CASE("a global batch that the ranks do not divide is refused, naming the nearest multiples", "[distributed]") {
    Rng rng(1);
    REQUIRE_THROWS_WITH(ShardedBatcher(100, 129, 0, 2, rng),
                        Catch::Contains("global batch 129 is not divisible by 2 ranks") && Catch::Contains("128 or 130"));
    REQUIRE_THROWS_WITH(ShardedBatcher(100, 8, 2, 2, rng), Catch::Contains("rank 2 of 2"));
    REQUIRE(local_batch_size(128, 2) == 64);
    REQUIRE_THROWS_WITH(local_batch_size(128, 3, "--batch-size"),
                        Catch::StartsWith("--batch-size: the global batch 128 is not divisible by 3 ranks") &&
                            Catch::Contains("126 or 129"));
}

TEST_CASE("a checkpoint written by a 2-rank run resumes in one process to the same next loss", "[distributed]") {
    const auto world = Communicator::world();
    require_world_of_two(world);
    const auto d = test::tiny_dataset(40);
    const auto dir = std::filesystem::path(MMGEN_BINARY_DIR) / "test_output" / (sizeof(real) == 4 ? "float" : "double");
    const auto path = dir / "distributed-resume.safetensors";

    // 2 ranks: one epoch, checkpoint (rank 0 writes), then the first step of epoch 2
    test::TinyRun two(world, d, 8, 5);
    two.train_epoch(d);
    TrainingPosition position{1, std::int64_t(two.adam.steps()), two.rng.state()};
    if (world.is_root()) save_training_state(path, two.vae, two.adam, position);
    world.barrier();
    const double next_loss_two_ranks = two.train_epoch(d, 1).at(0);

    // one process (a 1-rank communicator), from a different initialisation, resumed from the file
    if (world.is_root()) {
        test::TinyRun one(Communicator::self(), d, 8, 999);
        TrainingPosition resumed = load_training_state(path, one.vae, one.adam);
        broadcast_training_state(one.comm, one.adam, one.rng, resumed);  // a no-op broadcast: sets the Rng
        REQUIRE(resumed.epoch == 1);
        REQUIRE(one.adam.steps() == two.adam.steps() - 1);
        const double next_loss_one_rank = one.train_epoch(d, 1).at(0);
        REQUIRE_THAT(next_loss_one_rank, WithinRel(next_loss_two_ranks, test::kReplicaTolerance));
        require_same_parameters(one.vae, two.vae, test::kReplicaTolerance);
    }
    world.sleeping_barrier();
}

TEST_CASE("the α–β model: the ring sends 2(N−1)/N of the data, the fit recovers α and β", "[distributed]") {
    const AlphaBeta link{2e-6, 1e-9};
    SECTION("one rank communicates nothing") { REQUIRE(ring_allreduce_seconds(link, 1, 1e6) == 0.0); }
    SECTION("two ranks: 2 latencies and the whole message once") {
        REQUIRE_THAT(ring_allreduce_seconds(link, 2, 1e6), WithinRel(2 * 2e-6 + 1e6 * 1e-9, 1e-12));
    }
    SECTION("the ring's bandwidth term approaches 2b as N grows; the tree's grows with log N") {
        const AlphaBeta bandwidth_only{0, 1e-9};
        REQUIRE_THAT(ring_allreduce_seconds(bandwidth_only, 64, 1e6), WithinRel(2 * 63.0 / 64 * 1e-3, 1e-12));
        REQUIRE_THAT(tree_allreduce_seconds(bandwidth_only, 64, 1e6), WithinRel(12 * 1e-3, 1e-12));
    }
    SECTION("fitting exact model times recovers α and β") {
        const std::vector<double> bytes{4, 4096, 65536, 1 << 20, 1 << 22};
        std::vector<double> seconds;
        for (double b : bytes) seconds.push_back(ring_allreduce_seconds(link, 4, b));
        const AlphaBeta fit = fit_alpha_beta(bytes, seconds, 4);
        REQUIRE_THAT(fit.alpha, WithinRel(link.alpha, 1e-6));
        REQUIRE_THAT(fit.beta, WithinRel(link.beta, 1e-6));
    }
    SECTION("efficiency: weak scaling pays comm once per step, strong scaling N times") {
        REQUIRE_THAT(weak_scaling_efficiency(3.0, 1.0), WithinRel(0.75, 1e-12));
        REQUIRE_THAT(strong_scaling_efficiency(3.0, 3, 1.0), WithinRel(0.5, 1e-12));
    }
    SECTION("a fit from one size, or over one rank, is refused") {
        REQUIRE_THROWS_WITH(fit_alpha_beta(std::vector<double>{8, 8}, std::vector<double>{1, 1}, 2),
                            Catch::Contains("must not all be equal"));
        REQUIRE_THROWS_WITH(fit_alpha_beta(std::vector<double>{8, 16}, std::vector<double>{1, 1}, 1),
                            Catch::Contains("at least 2"));
    }
}
