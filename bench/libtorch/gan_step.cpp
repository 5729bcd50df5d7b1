// BM_GanStep in libtorch: one iteration of chapter 02's GAN (models/gan.hpp) at batch 128 —
// G(z), a D step on the real batch and the detached fakes, a G step through D (non-saturating
// loss) with D's parameters held fixed; Adam 2e-4, betas (0.5, 0.999) for both — the iteration
// bench/bench_gan.cpp times.
//
//   G  z (B, 64) → Linear → LeakyReLU(0.2) (B, 256) → Linear → LeakyReLU (B, 512) → Linear → tanh (B, 784)
//   D  x (B, 784) → Linear → LeakyReLU(0.2) (B, 512) → Linear → LeakyReLU (B, 256) → Linear → logit (B, 1)
#include "twin.hpp"

namespace {
namespace nn = torch::nn;
constexpr std::int64_t kBatch = 128, kLatent = 64, kPixels = 784;

nn::LeakyReLU leaky() { return nn::LeakyReLU(nn::LeakyReLUOptions().negative_slope(0.2)); }

// BCE(logits, target) averaged over the batch, for a constant target (1: real, 0: fake)
torch::Tensor bce_to(const torch::Tensor& logits, double target) {
    return twin::F::binary_cross_entropy_with_logits(logits, torch::full_like(logits, target));
}

struct GanStep {
    nn::Sequential g{nn::Linear(kLatent, 256), leaky(), nn::Linear(256, 512), leaky(), nn::Linear(512, kPixels), nn::Tanh()};
    nn::Sequential d{nn::Linear(kPixels, 512), leaky(), nn::Linear(512, 256), leaky(), nn::Linear(256, 1)};
    torch::optim::Adam g_optimizer{g->parameters(), torch::optim::AdamOptions(2e-4).betas({0.5, 0.999})};
    torch::optim::Adam d_optimizer{d->parameters(), torch::optim::AdamOptions(2e-4).betas({0.5, 0.999})};
    torch::Tensor x = torch::rand({kBatch, kPixels}) * 2 - 1;  // (B, 784) stand-in images in [−1, 1]
    torch::Tensor z = torch::empty({kBatch, kLatent});         // (B, latent)

    void operator()() {
        z.normal_();
        const auto fake = g->forward(z);  // (B, 784), with G's graph
        // D step: real → 1, fake → 0; detach: no gradient reaches G
        d_optimizer.zero_grad();
        auto d_loss = bce_to(d->forward(x), 1) + bce_to(d->forward(fake.detach()), 0);
        d_loss.backward();
        d_optimizer.step();
        // G step through the updated D: −log D(G(z)); D is a constant (no gradient for its parameters)
        g_optimizer.zero_grad();
        for (auto& p : d->parameters()) p.requires_grad_(false);
        auto g_loss = bce_to(d->forward(fake), 1);
        g_loss.backward();
        for (auto& p : d->parameters()) p.requires_grad_(true);
        g_optimizer.step();
    }
};

void BM_GanStep(benchmark::State& state) { twin::run_step<GanStep>(state, kBatch); }
}  // namespace

TWIN_BENCHMARK(BM_GanStep);
