// BM_ConvVaeStep: one training step of chapter 05's convolutional VAE (forward, backward, Adam)
// at batch 128, beside BM_ConvVaeStepGemmOnly: exactly that step's GEMM calls, replayed on
// preallocated buffers. Their ratio is the step's cost beyond GEMM (im2col, col2im, the
// layout copies around each GEMM, elementwise ops, Adam); the target is ≤ 1.5.
#include <benchmark/benchmark.h>

#include <mmgen/models/conv_vae.hpp>
#include <mmgen/nn/optim.hpp>

#include "step_trace.hpp"

using namespace mmgen;

namespace {
constexpr std::size_t kBatch = 128;

struct ConvVaeStep {
    Rng rng{1};
    models::ConvVae vae{20, rng};
    optim::Adam adam{vae.parameters(), real(1e-3)};
    Tensor x = Tensor::uniform({kBatch, 784}, rng, 0, 1);  // stand-in images in [0, 1]
    Tensor eps = Tensor::empty({kBatch, 20});              // (B, latent)

    void operator()() {
        rng.fill_normal(eps.data());
        adam.zero_grad();
        auto terms = vae.negative_elbo(x, eps);
        terms.loss.backward();
        adam.step();
    }
};

void BM_ConvVaeStep(benchmark::State& state) { bench::run_step<ConvVaeStep>(state, kBatch); }
void BM_ConvVaeStepGemmOnly(benchmark::State& state) { bench::run_gemm_only<ConvVaeStep>(state); }
}  // namespace

BENCHMARK(BM_ConvVaeStep)->Unit(benchmark::kMillisecond)->MinTime(2.0);
BENCHMARK(BM_ConvVaeStepGemmOnly)->Unit(benchmark::kMillisecond)->MinTime(2.0);
