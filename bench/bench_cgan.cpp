// BM_CganStep: one training iteration of chapter 06's caption-conditioned GAN at batch 128 —
// G(z, y), a D step on (real, y) and (detached fake, y), a G step through D (non-saturating
// loss), both with the auxiliary classifier's cross-entropy (w = 3, 20 caption classes: the
// chapter's default, README §1.7), Adam 2e-4 (0.5, 0.999) — on the chapter's networks: G = caption encoder (mean of word
// embeddings → Linear 32 → 32) and chapter 05's DCGAN generator on [z, e_G(y)] (96 inputs); D =
// Conv 1→32 → LeakyReLU → Conv 32→64 → BN → LeakyReLU → Linear 3136→128 → LeakyReLU = φ(x), logit
// ψ(φ) + ⟨e_D(y), φ⟩, head Linear 128→20 on φ — beside BM_CganStepGemmOnly: exactly that iteration's GEMM calls, replayed
// on preallocated buffers. What is not GEMM: im2col/col2im, the layout copies around each GEMM,
// batch norm, the activations, the embedding gathers, Adam.
#include <benchmark/benchmark.h>

#include <mmgen/io/captions.hpp>
#include <mmgen/models/cgan.hpp>
#include <mmgen/models/cgan_auxiliary.hpp>
#include <mmgen/models/gan.hpp>
#include <mmgen/nn/optim.hpp>

#include "step_trace.hpp"

using namespace mmgen;

namespace {
constexpr std::size_t kBatch = 128;

models::CganConfig chapter_config() {
    models::CganConfig c;  // the defaults are chapter 06's (cgan_part.cpp's constants)
    c.vocabulary = data::Tokenizer().size();
    c.auxiliary_classes = models::kCaptionClasses;  // the default --cgan-auxiliary 3 trains D's head
    return c;
}

// 128 captions of the grammar, cycling through all 36: their ids (B · 4) and classes k(y) (B).
struct BatchCaptions {
    std::vector<std::size_t> ids, classes;
};
BatchCaptions batch_captions() {
    const auto grammar = data::all_captions();
    BatchCaptions b;
    for (std::size_t i = 0; i < kBatch; ++i) {
        const auto& caption = grammar[i % grammar.size()];
        b.ids.insert(b.ids.end(), caption.tokens.begin(), caption.tokens.end());
        b.classes.push_back(models::caption_class(caption.label, caption.tone));
    }
    return b;
}
constexpr real kAuxiliaryWeight = 3;

struct CganStep {
    Rng rng{1};
    models::CganConfig config = chapter_config();
    models::ConditionalGenerator g{config, rng};
    models::ConditionalDiscriminator d{config, rng};
    optim::Adam g_optimizer{g.parameters(), real(2e-4), real(0.5), real(0.999)};
    optim::Adam d_optimizer{d.parameters(), real(2e-4), real(0.5), real(0.999)};
    Tensor x = Tensor::uniform({kBatch, 784}, rng, -1, 1);  // stand-in images in [−1, 1]
    Tensor z = Tensor::empty({kBatch, config.latent});      // (B, latent)
    BatchCaptions captions = batch_captions();
    std::vector<std::size_t> y = captions.ids;               // (B · 4) ids
    std::vector<std::size_t> k = captions.classes;           // (B) their classes for D's head

    void operator()() {
        rng.fill_normal(z.data());
        const Tensor fake = g(z, y);  // (B, 784)
        models::auxiliary_discriminator_step(d, d_optimizer, x, fake, y, k, kAuxiliaryWeight);  // D on (real, y), (fake.detach(), y)
        models::auxiliary_generator_step(d, g_optimizer, fake, y, k, kAuxiliaryWeight);         // G through D
    }
};

void BM_CganStep(benchmark::State& state) { bench::run_step<CganStep>(state, kBatch); }
void BM_CganStepGemmOnly(benchmark::State& state) { bench::run_gemm_only<CganStep>(state); }
}  // namespace

BENCHMARK(BM_CganStep)->Unit(benchmark::kMillisecond)->MinTime(2.0);
BENCHMARK(BM_CganStepGemmOnly)->Unit(benchmark::kMillisecond)->MinTime(2.0);
