// BM_GanStep: one GAN training iteration on the recipe at batch 128 — G(z), a D step
// (real and detached fake), a G step through D (non-saturating loss), Adam 2e-4 (0.5, 0.999),
// G 64→256→512→784 (LeakyReLU 0.2, tanh), D 784→512→256→1 (LeakyReLU 0.2, logits) — beside
// BM_GanStepGemmOnly: exactly that iteration's GEMM calls, replayed on preallocated buffers.
#include <benchmark/benchmark.h>

#include <mmgen/models/gan.hpp>
#include <mmgen/nn/optim.hpp>

#include "step_trace.hpp"

using namespace mmgen;

namespace {
constexpr std::size_t kBatch = 128, kLatent = 64;

struct GanStep {
    Rng rng{1};
    models::GanConfig config = [] {
        models::GanConfig c;  // the defaults are the Fashion-MNIST networks
        c.latent = kLatent;
        return c;
    }();
    models::Generator g{config, rng};
    models::Discriminator d{config, rng};
    optim::Adam g_optimizer{g.parameters(), real(2e-4), real(0.5), real(0.999)};
    optim::Adam d_optimizer{d.parameters(), real(2e-4), real(0.5), real(0.999)};
    Tensor x = Tensor::uniform({kBatch, 784}, rng, -1, 1);  // stand-in images in [−1, 1]
    Tensor z = Tensor::empty({kBatch, kLatent});

    void operator()() {
        rng.fill_normal(z.data());
        const Tensor fake = g(z);                                  // (B, 784)
        models::discriminator_step(d, d_optimizer, x, fake);       // D on real, on fake.detach()
        models::generator_step(d, g_optimizer, fake);              // G through D
    }
};

void BM_GanStep(benchmark::State& state) { bench::run_step<GanStep>(state, kBatch); }
void BM_GanStepGemmOnly(benchmark::State& state) { bench::run_gemm_only<GanStep>(state); }
}  // namespace

BENCHMARK(BM_GanStep)->Unit(benchmark::kMillisecond)->MinTime(2.0);
BENCHMARK(BM_GanStepGemmOnly)->Unit(benchmark::kMillisecond)->MinTime(2.0);
