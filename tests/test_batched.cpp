// Evaluation in batches without a graph (nn/batched.hpp), and resuming a training run
// (resume_or_start in io/checkpoint.hpp): the helpers every chapter's loops share.
#include <cstddef>
#include <vector>

#include <catch2/catch.hpp>

#include <mmgen/core/autograd.hpp>
#include <mmgen/core/ops.hpp>
#include <mmgen/io/checkpoint.hpp>
#include <mmgen/nn/batched.hpp>
#include <mmgen/nn/modules.hpp>
#include <mmgen/nn/optim.hpp>

#include "support.hpp"

using namespace mmgen;

TEST_CASE("map_batches gives f of the whole input, row for row, and records no graph", "[nn][batched]") {
    Rng rng(5);
    const Tensor x = Tensor::randn({2500, 3}, rng, 1, /*requires_grad=*/true);  // (2500, 3)
    // exact in any order and any vector width, so every batching must give the same bits
    const auto f = [](const Tensor& part) { return part * real(2) + real(1); };
    Tensor whole;
    {
        NoGradGuard no_grad;
        whole = f(x);  // (2500, 3)
    }
    for (std::size_t batch : {std::size_t{1000}, std::size_t{7}, std::size_t{2500}, std::size_t{10000}}) {
        INFO("batch " << batch);
        const Tensor y = nn::map_batches(x, batch, f);
        REQUIRE(y.shape() == whole.shape());
        CHECK_FALSE(y.requires_grad());
        for (std::size_t i = 0; i < y.numel(); ++i) REQUIRE(y.data()[i] == whole.data()[i]);
    }
    SECTION("a batch of 0 is refused, naming the op") {
        REQUIRE_THROWS_WITH(nn::map_batches(x, 0, f), Catch::Contains("map_batches"));
    }
}

TEST_CASE("for_each_batch visits 0 … n − 1 once, in order, in batches of at most `batch`, without a graph", "[nn][batched]") {
    std::vector<std::size_t> seen, sizes;
    bool graph_recorded = false;
    nn::for_each_batch(2500, 1000, [&](std::span<const std::size_t> idx) {
        sizes.push_back(idx.size());
        seen.insert(seen.end(), idx.begin(), idx.end());
        graph_recorded = graph_recorded || grad_enabled();
    });
    CHECK(sizes == std::vector<std::size_t>{1000, 1000, 500});
    REQUIRE(seen.size() == 2500);
    for (std::size_t i = 0; i < seen.size(); ++i) REQUIRE(seen[i] == i);
    CHECK_FALSE(graph_recorded);
    CHECK(grad_enabled());  // restored afterwards

    SECTION("nothing to visit: f is never called") {
        int calls = 0;
        nn::for_each_batch(0, 10, [&](std::span<const std::size_t>) { ++calls; });
        CHECK(calls == 0);
    }
}

TEST_CASE("resume_or_start starts afresh without --resume or without a file, and otherwise restores model, optimizer and Rng",
          "[checkpoint][resume]") {
    const test::TempDir dir("resume_or_start");
    const auto path = dir.path / "training.safetensors";
    Rng rng(11);
    nn::Linear saved(3, 2, rng);
    optim::Adam adam(saved.parameters(), real(0.1));
    adam.zero_grad();
    sum(saved(Tensor::randn({4, 3}, rng))).backward();
    adam.step();
    TrainingPosition position;
    position.epoch = 3, position.step = 7, position.rng_state = rng.state();
    save_training_state(path, saved, adam, position);

    Rng fresh_rng(99);
    nn::Linear fresh(3, 2, fresh_rng);
    optim::Adam fresh_adam(fresh.parameters(), real(0.1));
    const auto weights_before = std::vector<real>(fresh.weight.data().begin(), fresh.weight.data().end());
    const auto rng_before = fresh_rng.state();

    SECTION("without --resume: position 0, nothing loaded") {
        const auto p = resume_or_start(path, false, fresh, fresh_adam, fresh_rng);
        CHECK(p.epoch == 0);
        CHECK(p.step == 0);
        CHECK(fresh_rng.state() == rng_before);
        CHECK(std::vector<real>(fresh.weight.data().begin(), fresh.weight.data().end()) == weights_before);
    }
    SECTION("with --resume but no file: position 0, nothing loaded") {
        const auto p = resume_or_start(dir.path / "missing.safetensors", true, fresh, fresh_adam, fresh_rng);
        CHECK(p.epoch == 0);
        CHECK(fresh_rng.state() == rng_before);
    }
    SECTION("with --resume and a file: the saved position, weights, optimizer steps and Rng") {
        Metadata metadata;
        const auto p = resume_or_start(path, true, fresh, fresh_adam, fresh_rng, &metadata);
        CHECK(p.epoch == 3);
        CHECK(p.step == 7);
        CHECK(fresh_rng.state() == rng.state());
        CHECK(fresh_adam.steps() == 1);
        CHECK(metadata.count("position.epoch") == 1);
        for (std::size_t i = 0; i < fresh.weight.numel(); ++i) REQUIRE(fresh.weight.data()[i] == saved.weight.data()[i]);
    }
}
