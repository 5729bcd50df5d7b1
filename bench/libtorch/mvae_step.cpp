// BM_MvaeStep and BM_MvaeStepMoe in libtorch: one training step of chapter 04's multimodal VAE
// (models/mvae.hpp) at batch 128 — the three ELBO terms with the product of experts (poe), or
// the chapter's default objective, the mixture of the two unimodal experts (moe) — backward,
// Adam 1e-3; weights λ_image 1, λ_text 25, β 1: the steps bench/bench_mvae.cpp times.
//
//   image encoder  x (B, 784) → Linear → ReLU (B, 512) → Linear → ReLU (B, 512) → Linear → (μ, log σ²) (B, 64) each
//   image decoder  z (B, 64)  → Linear → ReLU (B, 512) → Linear → ReLU (B, 512) → Linear → logits (B, 784)
//   text encoder   tokens (B, 4) → one embedding table per position (B, 4 × 32)
//                                → Linear → ReLU (B, 512) → Linear → (μ, log σ²) (B, 64) each
//   text decoder   z (B, 64) → Linear → ReLU (B, 512) → Linear → logits (B, 4 × 21), a categorical per position
//
//   q_s   the prior N(0, I) times the experts in s:  1/σ² = 1 + Σₖ 1/σₖ²,  μ = σ² Σₖ μₖ/σₖ²
#include "twin.hpp"

namespace {
namespace nn = torch::nn;
constexpr std::int64_t kBatch = 128, kPixels = 784, kHidden = 512, kLatent = 64;
constexpr std::int64_t kVocabulary = 21, kLength = 4, kEmbedding = 32, kTextHidden = 512;
constexpr double kImageWeight = 1, kTextWeight = 25, kBeta = 1;

enum class Fusion { poe, moe };

struct Gaussian {
    torch::Tensor mu, logvar;  // (B, latent) each
};

Gaussian split_gaussian(const torch::Tensor& params) {  // (B, 2·latent) → μ, log σ²
    const auto parts = params.chunk(2, 1);
    return {parts[0], parts[1]};
}

// The prior expert N(0, I) times the given experts, in closed form.
Gaussian product_of_experts(const std::vector<Gaussian>& experts) {
    auto precision = torch::ones_like(experts[0].mu);  // the prior's 1/σ² = 1
    auto weighted_mean = torch::zeros_like(experts[0].mu);
    for (const auto& e : experts) {
        const auto p = torch::exp(-e.logvar);  // 1/σₖ²
        precision = precision + p;
        weighted_mean = weighted_mean + e.mu * p;
    }
    return {weighted_mean / precision, -torch::log(precision)};
}

torch::Tensor reparameterize(const Gaussian& q, const torch::Tensor& eps) { return q.mu + torch::exp(0.5 * q.logvar) * eps; }

struct MvaeStep {
    explicit MvaeStep(Fusion f) : fusion(f) {}
    Fusion fusion;
    nn::Sequential image_encoder{nn::Linear(kPixels, kHidden), nn::ReLU(), nn::Linear(kHidden, kHidden), nn::ReLU(),
                                 nn::Linear(kHidden, 2 * kLatent)};
    nn::Sequential image_decoder{nn::Linear(kLatent, kHidden), nn::ReLU(), nn::Linear(kHidden, kHidden), nn::ReLU(),
                                 nn::Linear(kHidden, kPixels)};
    nn::Embedding word_embedding{kLength * kVocabulary, kEmbedding};  // position p's table starts at row p·V
    nn::Sequential text_encoder{nn::Linear(kLength * kEmbedding, kTextHidden), nn::ReLU(), nn::Linear(kTextHidden, 2 * kLatent)};
    nn::Sequential text_decoder{nn::Linear(kLatent, kTextHidden), nn::ReLU(), nn::Linear(kTextHidden, kLength * kVocabulary)};
    torch::optim::Adam adam{twin::parameters_of(image_encoder, image_decoder, word_embedding, text_encoder, text_decoder),
                            torch::optim::AdamOptions(1e-3)};
    torch::Tensor x = torch::rand({kBatch, kPixels});                                // (B, 784) stand-in images in [0, 1]
    torch::Tensor tokens = torch::randint(0, kVocabulary, {kBatch * kLength}, torch::kLong);  // (B·L) caption ids
    torch::Tensor noise_joint = torch::empty({kBatch, kLatent}), noise_image = torch::empty({kBatch, kLatent}),
                  noise_text = torch::empty({kBatch, kLatent});  // ε per subset, (B, latent) each

    Gaussian image_expert() { return split_gaussian(image_encoder->forward(x)); }
    Gaussian text_expert() {
        const auto rows = torch::arange(kBatch * kLength, torch::kLong).remainder(kLength) * kVocabulary + tokens;  // (B·L)
        const auto embedded = word_embedding->forward(rows).reshape({kBatch, kLength * kEmbedding});             // (B, L·E)
        return split_gaussian(text_encoder->forward(embedded));
    }
    torch::Tensor image_reconstruction(const torch::Tensor& z) { return twin::bce_per_example(image_decoder->forward(z), x); }
    torch::Tensor text_reconstruction(const torch::Tensor& z) {
        const auto logits = text_decoder->forward(z).reshape({kBatch * kLength, kVocabulary});  // (B·L, V)
        return twin::F::cross_entropy(logits, tokens, twin::F::CrossEntropyFuncOptions().reduction(torch::kSum)) / kBatch;
    }

    void operator()() {
        noise_joint.normal_(), noise_image.normal_(), noise_text.normal_();
        adam.zero_grad();
        const Gaussian ex = image_expert(), ey = text_expert();
        torch::Tensor rec_image, rec_text, kl;
        if (fusion == Fusion::poe) {  // the joint ELBO and both unimodal ones
            const Gaussian qxy = product_of_experts({ex, ey}), qx = product_of_experts({ex}), qy = product_of_experts({ey});
            const auto zxy = reparameterize(qxy, noise_joint), zx = reparameterize(qx, noise_image),
                       zy = reparameterize(qy, noise_text);  // (B, latent) each
            rec_image = image_reconstruction(zxy) + image_reconstruction(zx);
            rec_text = text_reconstruction(zxy) + text_reconstruction(zy);
            kl = twin::kl_to_prior(qxy.mu, qxy.logvar) + twin::kl_to_prior(qx.mu, qx.logvar) + twin::kl_to_prior(qy.mu, qy.logvar);
        } else {  // z from ½ (q_x + q_y), stratified: the first half of the batch from q_x, the second from q_y
            const Gaussian qx = product_of_experts({ex}), qy = product_of_experts({ey});
            constexpr std::int64_t half = kBatch / 2;
            const auto z = torch::cat({reparameterize({qx.mu.slice(0, 0, half), qx.logvar.slice(0, 0, half)},
                                                      noise_image.slice(0, 0, half)),
                                       reparameterize({qy.mu.slice(0, half), qy.logvar.slice(0, half)},
                                                      noise_text.slice(0, half))});  // (B, latent)
            rec_image = image_reconstruction(z);
            rec_text = text_reconstruction(z);
            kl = (twin::kl_to_prior(qx.mu, qx.logvar) + twin::kl_to_prior(qy.mu, qy.logvar)) / 2;
        }
        auto loss = kImageWeight * rec_image + kTextWeight * rec_text + kBeta * kl;
        loss.backward();
        adam.step();
    }
};

void BM_MvaeStep(benchmark::State& state) { twin::run_step<MvaeStep>(state, kBatch, Fusion::poe); }
void BM_MvaeStepMoe(benchmark::State& state) { twin::run_step<MvaeStep>(state, kBatch, Fusion::moe); }
}  // namespace

TWIN_BENCHMARK(BM_MvaeStep);
TWIN_BENCHMARK(BM_MvaeStepMoe);
