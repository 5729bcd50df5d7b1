// BM_CganStep: one training iteration of chapter 06's caption-conditioned GAN at batch 128 —
// G(z, y), a D step on (real, y) and (detached fake, y), a G step through D (non-saturating
// loss), Adam 2e-4 (0.5, 0.999) — on the chapter's networks: G = caption encoder (mean of word
// embeddings → Linear 32 → 32) and chapter 05's DCGAN generator on [z, e_G(y)] (96 inputs); D =
// Conv 1→32 → LeakyReLU → Conv 32→64 → BN → LeakyReLU → Linear 3136→128 → LeakyReLU = φ(x), logit
// ψ(φ) + ⟨e_D(y), φ⟩ — beside BM_CganStepGemmOnly: exactly that iteration's GEMM calls, replayed
// on preallocated buffers. What is not GEMM: im2col/col2im, the layout copies around each GEMM,
// batch norm, the activations, the embedding gathers, Adam.
#include <benchmark/benchmark.h>

#include <mmgen/io/captions.hpp>
#include <mmgen/models/cgan.hpp>
#include <mmgen/models/gan.hpp>
#include <mmgen/nn/optim.hpp>

#include "step_trace.hpp"

using namespace mmgen;

namespace {
constexpr std::size_t kBatch = 128;

models::CganConfig chapter_config() {
    models::CganConfig c;  // the defaults are chapter 06's (cgan_part.cpp's constants)
    c.vocabulary = data::Tokenizer().size();
    return c;
}

// 128 captions of the grammar, cycling through all 36.
std::vector<std::size_t> batch_captions() {
    const auto grammar = data::all_captions();
    std::vector<std::size_t> ids;
    for (std::size_t i = 0; i < kBatch; ++i)
        ids.insert(ids.end(), grammar[i % grammar.size()].tokens.begin(), grammar[i % grammar.size()].tokens.end());
    return ids;
}

struct CganStep {
    Rng rng{1};
    models::CganConfig config = chapter_config();
    models::ConditionalGenerator g{config, rng};
    models::ConditionalDiscriminator d{config, rng};
    optim::Adam g_optimizer{g.parameters(), real(2e-4), real(0.5), real(0.999)};
    optim::Adam d_optimizer{d.parameters(), real(2e-4), real(0.5), real(0.999)};
    Tensor x = Tensor::uniform({kBatch, 784}, rng, -1, 1);  // stand-in images in [−1, 1]
    Tensor z = Tensor::empty({kBatch, config.latent});      // (B, latent)
    std::vector<std::size_t> y = batch_captions();           // (B · 4) ids

    void operator()() {
        rng.fill_normal(z.data());
        models::WithCaptions d_y(d, y);
        const Tensor fake = g(z, y);                            // (B, 784)
        models::discriminator_step(d_y, d_optimizer, x, fake);  // D on (real, y), on (fake.detach(), y)
        models::generator_step(d_y, g_optimizer, fake);         // G through D
    }
};

void BM_CganStep(benchmark::State& state) { bench::run_step<CganStep>(state, kBatch); }
void BM_CganStepGemmOnly(benchmark::State& state) { bench::run_gemm_only<CganStep>(state); }
}  // namespace

BENCHMARK(BM_CganStep)->Unit(benchmark::kMillisecond)->MinTime(2.0);
BENCHMARK(BM_CganStepGemmOnly)->Unit(benchmark::kMillisecond)->MinTime(2.0);
