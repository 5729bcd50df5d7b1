// BM_MvaeStep: one full training step of chapter 04's multimodal VAE at batch 128 — the MVAE's
// three ELBO terms (joint, image-only, text-only: --fusion poe), backward, Adam — beside
// BM_MvaeStepGemmOnly: exactly that step's GEMM calls, replayed on preallocated buffers.
// BM_MvaeStepMoe is the same for the chapter's default objective (--fusion moe: the mixture of
// the two unimodal experts, each decoded into both modalities).
#include <benchmark/benchmark.h>

#include <mmgen/models/mvae.hpp>
#include <mmgen/nn/optim.hpp>

#include "step_trace.hpp"

using namespace mmgen;

namespace {
constexpr std::size_t kBatch = 128, kLatent = 64, kVocabulary = 21, kLength = 4;

struct MvaeStep {
    explicit MvaeStep(models::Fusion f) : fusion(f) {
        for (std::size_t i = 0; i < kBatch * kLength; ++i) tokens[i] = rng.below(kVocabulary);
    }
    models::Fusion fusion;
    Rng rng{1};
    models::Mvae mvae{models::MvaeConfig{784, 512, kLatent, kVocabulary, kLength, 32, 512}, rng};
    optim::Adam adam{mvae.parameters(), real(1e-3)};
    Tensor x = Tensor::uniform({kBatch, 784}, rng, 0, 1);  // stand-in images in [0, 1]
    std::vector<std::size_t> tokens = std::vector<std::size_t>(kBatch * kLength);
    models::MvaeNoise noise{Tensor::empty({kBatch, kLatent}), Tensor::empty({kBatch, kLatent}),
                            Tensor::empty({kBatch, kLatent})};

    void operator()() {
        rng.fill_normal(noise.joint.data()), rng.fill_normal(noise.image.data()), rng.fill_normal(noise.text.data());
        adam.zero_grad();
        auto terms = mvae.objective(x, tokens, noise, fusion, {1, 25, 1, 1, 1});
        adam.backward_and_step(terms.loss);  // backward() then step(), fused (optim.hpp)
    }
};

void run_step(benchmark::State& state, models::Fusion fusion) {
    MvaeStep step(fusion);
    for (auto _ : state) step();
    state.counters["img/s"] = benchmark::Counter(kBatch, benchmark::Counter::kIsIterationInvariantRate);
}

void run_gemm_only(benchmark::State& state, models::Fusion fusion) {
    MvaeStep step(fusion);
    bench::GemmReplay replay(bench::trace_gemms([&] { step(); }));
    for (auto _ : state) replay.run();
    state.counters["gemm_calls"] = static_cast<double>(replay.calls());
    state.counters["GFLOP/s"] =
        benchmark::Counter(replay.flops(), benchmark::Counter::kIsIterationInvariantRate, benchmark::Counter::kIs1000);
}

void BM_MvaeStep(benchmark::State& state) { run_step(state, models::Fusion::poe); }
void BM_MvaeStepGemmOnly(benchmark::State& state) { run_gemm_only(state, models::Fusion::poe); }
void BM_MvaeStepMoe(benchmark::State& state) { run_step(state, models::Fusion::moe); }
void BM_MvaeStepMoeGemmOnly(benchmark::State& state) { run_gemm_only(state, models::Fusion::moe); }
}  // namespace

BENCHMARK(BM_MvaeStep)->Unit(benchmark::kMillisecond)->MinTime(2.0);
BENCHMARK(BM_MvaeStepGemmOnly)->Unit(benchmark::kMillisecond)->MinTime(2.0);
BENCHMARK(BM_MvaeStepMoe)->Unit(benchmark::kMillisecond)->MinTime(2.0);
BENCHMARK(BM_MvaeStepMoeGemmOnly)->Unit(benchmark::kMillisecond)->MinTime(2.0);
