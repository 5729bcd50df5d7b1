// BM_VaeStep in libtorch: one training step of chapter 03's VAE (models/vae.hpp) at batch 128 —
// forward, the negative ELBO, backward, Adam 1e-3 — the step bench/bench_vae.cpp times.
//
//   encoder  x (B, 784) → Linear → ReLU (B, 400) → Linear → (μ, log σ²), each (B, 20)
//   z        μ + σ ⊙ ε,  ε ~ N(0, I) drawn every step                          (B, 20)
//   decoder  z → Linear → ReLU (B, 400) → Linear → logits (B, 784)
//   loss     Σ_pixels BCE(logits, x) / B + KL(q(z|x) ‖ N(0, I)) / B
#include "twin.hpp"

namespace {
namespace nn = torch::nn;
constexpr std::int64_t kBatch = 128, kPixels = 784, kHidden = 400, kLatent = 20;

struct VaeStep {
    nn::Sequential encoder{nn::Linear(kPixels, kHidden), nn::ReLU(), nn::Linear(kHidden, 2 * kLatent)};
    nn::Sequential decoder{nn::Linear(kLatent, kHidden), nn::ReLU(), nn::Linear(kHidden, kPixels)};
    torch::optim::Adam adam{twin::parameters_of(encoder, decoder), torch::optim::AdamOptions(1e-3)};
    torch::Tensor x = torch::rand({kBatch, kPixels});     // (B, 784) stand-in images in [0, 1]
    torch::Tensor eps = torch::empty({kBatch, kLatent});  // (B, latent)

    void operator()() {
        eps.normal_();
        adam.zero_grad();
        const auto q = encoder->forward(x).chunk(2, 1);  // μ, log σ²: (B, latent) each
        const auto& mu = q[0];
        const auto& logvar = q[1];
        const auto z = mu + torch::exp(0.5 * logvar) * eps;  // (B, latent)
        const auto logits = decoder->forward(z);              // (B, 784)
        auto loss = twin::bce_per_example(logits, x) + twin::kl_to_prior(mu, logvar);
        loss.backward();
        adam.step();
    }
};

void BM_VaeStep(benchmark::State& state) { twin::run_step<VaeStep>(state, kBatch); }
}  // namespace

TWIN_BENCHMARK(BM_VaeStep);
