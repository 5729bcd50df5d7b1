// BM_VaeStep: one full VAE training step (forward, backward, Adam) at batch 128, beside
// BM_VaeStepGemmOnly: exactly that step's GEMM calls, replayed on preallocated buffers.
#include <benchmark/benchmark.h>

#include <mmgen/models/vae.hpp>
#include <mmgen/nn/optim.hpp>

#include "step_trace.hpp"

using namespace mmgen;

namespace {
constexpr std::size_t kBatch = 128;

struct VaeStep {
    Rng rng{1};
    models::Vae vae{models::VaeConfig{}, rng};
    optim::Adam adam{vae.parameters(), real(1e-3)};
    Tensor x = Tensor::uniform({kBatch, 784}, rng, 0, 1);  // stand-in images in [0, 1]
    Tensor eps = Tensor::empty({kBatch, 20});

    void operator()() {
        rng.fill_normal(eps.data());
        adam.zero_grad();
        auto terms = vae.negative_elbo(x, eps);
        terms.loss.backward();
        adam.step();
    }
};

void BM_VaeStep(benchmark::State& state) { bench::run_step<VaeStep>(state, kBatch); }
void BM_VaeStepGemmOnly(benchmark::State& state) { bench::run_gemm_only<VaeStep>(state); }
// The likelihood estimate of chapter 03: the importance-weighted bound with K = 1000 samples
// for a batch of 8 images (8,000 decoder passes); images/s is the figure to scale from.
void BM_VaeIwEstimate(benchmark::State& state) {
    Rng rng(2);
    models::Vae vae(models::VaeConfig{}, rng);
    const Tensor x = Tensor::uniform({8, 784}, rng, 0, 1);
    for (auto _ : state) benchmark::DoNotOptimize(vae.importance_weighted_bound(x, 1000, rng).data().data());
    state.counters["img/s"] = benchmark::Counter(8, benchmark::Counter::kIsIterationInvariantRate);
    state.counters["samples/s"] = benchmark::Counter(8000, benchmark::Counter::kIsIterationInvariantRate);
}
}  // namespace

BENCHMARK(BM_VaeIwEstimate)->Unit(benchmark::kMillisecond)->MinTime(1.0);
BENCHMARK(BM_VaeStep)->Unit(benchmark::kMillisecond)->MinTime(2.0);
BENCHMARK(BM_VaeStepGemmOnly)->Unit(benchmark::kMillisecond)->MinTime(2.0);
