// BM_DcganStep in libtorch: one iteration of chapter 05's DCGAN (models/dcgan.hpp, the default
// DcganConfig) at batch 128 — G(z), a D step on the real batch and the detached fakes, a G step
// through D (non-saturating loss) with D's parameters held fixed and its batch-norm statistics
// put back afterwards (as models::generator_step does); Adam 2e-4, betas (0.5, 0.999) for both —
// the iteration bench/bench_dcgan.cpp times.
//
//   G  z (B, 64) → Linear, no bias → (B, 64, 7, 7) → BatchNorm → ReLU
//                → ConvT 4×4 s2 p1, 64 → 32, no bias → BatchNorm → ReLU      (B, 32, 14, 14)
//                → ConvT 4×4 s2 p1, 32 → 1 → tanh                            (B, 1, 28, 28) → (B, 784)
//   D  x (B, 784) → (B, 1, 28, 28)
//                → Conv 4×4 s2 p1, 1 → 32 → LeakyReLU(0.2)                   (B, 32, 14, 14)
//                → Conv 4×4 s2 p1, 32 → 64, no bias → BatchNorm → LeakyReLU  (B, 64, 7, 7)
//                → Flatten (B, 3136) → Linear → logit                        (B, 1)
#include "twin.hpp"

namespace {
namespace nn = torch::nn;
constexpr std::int64_t kBatch = 128, kLatent = 64, kG = 32, kD = 32;

nn::LeakyReLU leaky() { return nn::LeakyReLU(nn::LeakyReLUOptions().negative_slope(0.2)); }

// BCE(logits, target) averaged over the batch, for a constant target (1: real, 0: fake)
torch::Tensor bce_to(const torch::Tensor& logits, double target) {
    return twin::F::binary_cross_entropy_with_logits(logits, torch::full_like(logits, target));
}

struct DcganStep {
    nn::Sequential g{
        nn::Linear(nn::LinearOptions(kLatent, 2 * kG * 7 * 7).bias(false)),
        nn::Unflatten(nn::UnflattenOptions(1, {2 * kG, 7, 7})), nn::BatchNorm2d(2 * kG), nn::ReLU(),
        nn::ConvTranspose2d(nn::ConvTranspose2dOptions(2 * kG, kG, 4).stride(2).padding(1).bias(false)),
        nn::BatchNorm2d(kG), nn::ReLU(),
        nn::ConvTranspose2d(nn::ConvTranspose2dOptions(kG, 1, 4).stride(2).padding(1)), nn::Tanh(), nn::Flatten()};
    nn::Sequential d{
        nn::Unflatten(nn::UnflattenOptions(1, {1, 28, 28})),
        nn::Conv2d(nn::Conv2dOptions(1, kD, 4).stride(2).padding(1)), leaky(),
        nn::Conv2d(nn::Conv2dOptions(kD, 2 * kD, 4).stride(2).padding(1).bias(false)), nn::BatchNorm2d(2 * kD), leaky(),
        nn::Flatten(), nn::Linear(2 * kD * 7 * 7, 1)};
    torch::optim::Adam g_optimizer{g->parameters(), torch::optim::AdamOptions(2e-4).betas({0.5, 0.999})};
    torch::optim::Adam d_optimizer{d->parameters(), torch::optim::AdamOptions(2e-4).betas({0.5, 0.999})};
    torch::Tensor x = torch::rand({kBatch, 784}) * 2 - 1;  // (B, 784) stand-in images in [−1, 1]
    torch::Tensor z = torch::empty({kBatch, kLatent});     // (B, latent)

    void operator()() {
        z.normal_();
        const auto fake = g->forward(z);  // (B, 784), with G's graph
        // D step: real → 1, fake → 0; detach: no gradient reaches G
        d_optimizer.zero_grad();
        auto d_loss = bce_to(d->forward(x), 1) + bce_to(d->forward(fake.detach()), 0);
        d_loss.backward();
        d_optimizer.step();
        // G step through the updated D: −log D(G(z)); D is a constant (no gradient for its
        // parameters) and leaves with the running statistics it came with
        g_optimizer.zero_grad();
        std::vector<torch::Tensor> statistics;
        for (const auto& b : d->buffers()) statistics.push_back(b.clone());
        for (auto& p : d->parameters()) p.requires_grad_(false);
        auto g_loss = bce_to(d->forward(fake), 1);
        g_loss.backward();
        for (auto& p : d->parameters()) p.requires_grad_(true);
        {
            torch::NoGradGuard no_grad;
            auto buffers = d->buffers();
            for (std::size_t i = 0; i < buffers.size(); ++i) buffers[i].copy_(statistics[i]);
        }
        g_optimizer.step();
    }
};

void BM_DcganStep(benchmark::State& state) { twin::run_step<DcganStep>(state, kBatch); }
}  // namespace

TWIN_BENCHMARK(BM_DcganStep);
