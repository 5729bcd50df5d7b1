// BM_DcganStep: one DCGAN training iteration of chapter 05 at batch 128 — G(z), a D step (real
// and detached fake), a G step through D (non-saturating loss), Adam 2e-4 (0.5, 0.999), on the
// default models::DcganConfig: G z(64) → Linear → (64, 7, 7) → BN → ReLU → ConvT 64→32 → BN →
// ReLU → ConvT 32→1 → tanh, D Conv 1→32 → LeakyReLU → Conv 32→64 → BN → LeakyReLU → Linear —
// beside BM_DcganStepGemmOnly: exactly that iteration's GEMM calls, replayed on preallocated
// buffers. What is not GEMM: im2col/col2im, the layout copies around each GEMM, batch norm,
// the activations, Adam.
#include <benchmark/benchmark.h>

#include <mmgen/models/dcgan.hpp>
#include <mmgen/models/gan.hpp>
#include <mmgen/nn/optim.hpp>

#include "step_trace.hpp"

using namespace mmgen;

namespace {
constexpr std::size_t kBatch = 128;

struct DcganStep {
    Rng rng{1};
    models::DcganConfig config;  // the defaults are chapter 05's networks
    models::DcganGenerator g{config, rng};
    models::DcganDiscriminator d{config, rng};
    optim::Adam g_optimizer{g.parameters(), real(2e-4), real(0.5), real(0.999)};
    optim::Adam d_optimizer{d.parameters(), real(2e-4), real(0.5), real(0.999)};
    Tensor x = Tensor::uniform({kBatch, 784}, rng, -1, 1);  // stand-in images in [−1, 1]
    Tensor z = Tensor::empty({kBatch, config.latent});      // (B, latent)

    void operator()() {
        rng.fill_normal(z.data());
        const Tensor fake = g(z);                             // (B, 784)
        models::discriminator_step(d, d_optimizer, x, fake);  // D on real, on fake.detach()
        models::generator_step(d, g_optimizer, fake);         // G through D
    }
};

void BM_DcganStep(benchmark::State& state) { bench::run_step<DcganStep>(state, kBatch); }
void BM_DcganStepGemmOnly(benchmark::State& state) { bench::run_gemm_only<DcganStep>(state); }
}  // namespace

BENCHMARK(BM_DcganStep)->Unit(benchmark::kMillisecond)->MinTime(2.0);
BENCHMARK(BM_DcganStepGemmOnly)->Unit(benchmark::kMillisecond)->MinTime(2.0);
