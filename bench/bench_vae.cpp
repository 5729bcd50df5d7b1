// BM_VaeStep: one full VAE training step (forward, backward, Adam) at batch 128, beside
// BM_VaeStepGemmOnly: exactly that step's GEMM calls, replayed on preallocated buffers.
// BM_ConvVaeStep / BM_ConvVaeStepGemmOnly: the same for chapter 05's convolutional VAE; its
// ratio is the step's cost beyond GEMM (im2col, col2im, the layout copies around each GEMM,
// elementwise ops, Adam); the target is ≤ 1.5.
#include <benchmark/benchmark.h>

#include <mmgen/models/conv_vae.hpp>
#include <mmgen/models/vae.hpp>
#include <mmgen/nn/optim.hpp>

#include "step_trace.hpp"

using namespace mmgen;

namespace {
constexpr std::size_t kBatch = 128;

models::Vae make_vae(models::Vae*, Rng& rng) { return models::Vae(models::VaeConfig{}, rng); }
models::ConvVae make_vae(models::ConvVae*, Rng& rng) { return models::ConvVae(20, rng); }

// One step of either VAE (latent 20): the same loop, other networks.
template <class Model>
struct VaeStepOf {
    Rng rng{1};
    Model vae = make_vae(static_cast<Model*>(nullptr), rng);
    optim::Adam adam{vae.parameters(), real(1e-3)};
    Tensor x = Tensor::uniform({kBatch, 784}, rng, 0, 1);  // stand-in images in [0, 1]
    Tensor eps = Tensor::empty({kBatch, 20});

    void operator()() {
        rng.fill_normal(eps.data());
        adam.zero_grad();
        auto terms = vae.negative_elbo(x, eps);
        adam.backward_and_step(terms.loss);  // backward() then step(), fused (optim.hpp)
    }
};

using VaeStep = VaeStepOf<models::Vae>;
using ConvVaeStep = VaeStepOf<models::ConvVae>;
void BM_VaeStep(benchmark::State& state) { bench::run_step<VaeStep>(state, kBatch); }
void BM_VaeStepGemmOnly(benchmark::State& state) { bench::run_gemm_only<VaeStep>(state); }
void BM_ConvVaeStep(benchmark::State& state) { bench::run_step<ConvVaeStep>(state, kBatch); }
void BM_ConvVaeStepGemmOnly(benchmark::State& state) { bench::run_gemm_only<ConvVaeStep>(state); }
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
BENCHMARK(BM_ConvVaeStep)->Unit(benchmark::kMillisecond)->MinTime(2.0);
BENCHMARK(BM_ConvVaeStepGemmOnly)->Unit(benchmark::kMillisecond)->MinTime(2.0);
