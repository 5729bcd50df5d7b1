#pragma once
// The multimodal VAE of chapter 04 (Wu & Goodman 2018, "Multimodal Generative Models for
// Scalable Weakly-Supervised Learning"): one latent z shared by an image x and its caption y.
//
//   image encoder   x (B, 784) → Linear → ReLU (B, 512) → Linear → ReLU (B, 512) → Linear → (μ, log σ²)
//   image decoder   z (B, 64)  → Linear → ReLU (B, 512) → Linear → ReLU (B, 512) → Linear → logits (B, 784)
//   or, with ImageNetwork::conv (c = conv_channels; 28 × 28 images only):
//   image encoder   x (B, 784) → (B, 1, 28, 28) → Conv 4×4 s2 p1 → ReLU (B, c, 14, 14)
//                     → Conv 4×4 s2 p1 → ReLU (B, 2c, 7, 7) → Flatten (B, 2c·49) → Linear → (μ, log σ²)
//   image decoder   z (B, 64) → Linear → ReLU (B, 2c·49) → (B, 2c, 7, 7) → ConvT 4×4 s2 p1 → ReLU (B, c, 14, 14)
//                     → ConvT 4×4 s2 p1 (B, 1, 28, 28) → Flatten → logits (B, 784)
//   text encoder    y (B, 4) token ids → an embedding per position (B, 4 × 32), concatenated
//                                      → Linear → ReLU (B, 512) → Linear → (μ, log σ²)
//   text decoder    z (B, 64) → Linear → ReLU (B, 512) → Linear → logits (B, 4 × V), a categorical per position
//
// Each encoder is an *expert*: a diagonal Gaussian opinion about z. The posterior given any
// subset of the modalities is the product of the prior expert N(0, I) and the experts present
// (product_of_experts), so one model infers z from the image, from the caption, or from both:
//
//   q(z | x, y) ∝ p(z) q̃(z | x) q̃(z | y),   q(z | x) ∝ p(z) q̃(z | x),   q(z | y) ∝ p(z) q̃(z | y).
//
// p(x|z) is Bernoulli(σ(logits)) per pixel; p(y|z) is a categorical per caption position,
// <pad> included (see Mvae::text_reconstruction).
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include <mmgen/models/vae.hpp>
#include <mmgen/nn/modules.hpp>

namespace mmgen::models {

// The image encoder and decoder: multilayer perceptrons, or convolutions (the layout above).
enum class ImageNetwork { mlp, conv };
ImageNetwork parse_image_network(const std::string& name);  // "mlp", "conv"; throws naming the choices
const char* image_network_name(ImageNetwork network);

struct MvaeConfig {
    std::size_t image = 784;          // pixels per image
    std::size_t hidden = 512;         // width of the image networks' two hidden layers
    std::size_t latent = 64;          // dimension of z
    std::size_t vocabulary = 21;      // V, with <pad> = 0
    std::size_t caption_length = 4;   // tokens per caption
    std::size_t embedding = 32;       // size of each position's word embedding
    std::size_t text_hidden = 512;    // width of the text networks' hidden layer
    ImageNetwork image_network = ImageNetwork::mlp;
    std::size_t conv_channels = 32;   // c: channels of the first convolution (the second has 2c); conv only
};

// The product of experts, prior_expert, gaussian_kl_between and mmd_imq are in
// nn/distributions.hpp (included through vae.hpp).

// --- the objective and its variants ----------------------------------------------------------
//
// Every variant is built from the posteriors of the *subsets* of modalities s ∈ {xy, x, y},
// each q_s = product_of_experts(prior, the experts in s), sampled by reparameterisation
// z_s = μ_s + σ_s ⊙ ε_s, and from three kinds of terms, in nats per pair (averaged over the batch):
//
//   rec_x(z) = −log p(x|z)   Σ of 784 Bernoulli cross-entropies
//   rec_y(z) = −log p(y|z)   Σ of caption_length categorical cross-entropies
//   KL(q_s)  = KL(q_s ‖ N(0, I))
//
//   poe     MVAE (Wu & Goodman 2018): the joint ELBO plus the two unimodal ELBOs; every subset
//           reconstructs only the modalities it saw
//              rec_image = rec_x(z_xy) + rec_x(z_x)      rec_text = rec_y(z_xy) + rec_y(z_y)
//              kl        = KL(q_xy) + KL(q_x) + γ KL(q_y)
//   mopoe   mixture of products of experts (Sutter et al. 2021): the posterior is the mixture
//           ⅓ (q_xy + q_x + q_y), and its z reconstructs *both* modalities — so z inferred from
//           one modality alone is trained to generate the other. z is drawn from the mixture
//           stratified: the batch is cut into three consecutive slices, slice s takes z_s.
//              rec_image = rec_x(z_mix)   rec_text = rec_y(z_mix)   kl = ⅓ (KL(q_xy) + KL(q_x) + γ KL(q_y))
//   moe     mixture of experts (MMVAE, Shi et al. 2019): the same with the unimodal subsets
//           only, the mixture ½ (q_x + q_y); KL(mixture ‖ p) is bounded by the mean of the KLs
//              rec_image = rec_x(z_mix)   rec_text = rec_y(z_mix)   kl = ½ (KL(q_x) + γ KL(q_y))
//   jmvae   the joint ELBO plus JMVAE-KL terms (Suzuki et al. 2017) that pull each unimodal
//           posterior over the joint one
//              rec_image = rec_x(z_xy)   rec_text = rec_y(z_xy)   kl = KL(q_xy)
//              jmvae_kl  = KL(q_xy ‖ q_x) + KL(q_xy ‖ q_y)
//
// and every variant minimises
//
//   loss = λx · rec_image + λy · rec_text + β · kl  (+ α · jmvae_kl)  (+ δ · MMD²(z, z_prior))
//
// with λx, λy the documents' per-modality weights α_j, β the KL annealing factor (ramped by the
// caller), γ an extra weight on the text-only posterior's KL (1: the ELBO).
enum class Fusion { poe, mopoe, moe, jmvae };
Fusion parse_fusion(const std::string& name);  // "poe", "mopoe", "moe", "jmvae"; throws naming the choices
const char* fusion_name(Fusion fusion);

struct MvaeWeights {
    real image = 1;   // λx
    real text = 1;    // λy
    real beta = 1;    // KL annealing factor
    real alpha = 1;   // weight of the JMVAE-KL terms (jmvae only)
    // γ: an extra factor on the text-only posterior's KL(q(z|y) ‖ p). Since
    // E_y KL(q(z|y) ‖ p) = I(y; z) + KL(q_agg(z) ‖ p(z)), and the caption's information I(y; z)
    // is pinned by its reconstruction, γ > 1 presses on the second part: the holes the text
    // posteriors leave in the prior.
    real text_kl = 1;
    // δ: weight of MMD²(z, prior samples), z the batch's posterior samples (InfoVAE, Zhao et al.
    // 2019): matches the *aggregate* posterior to N(0, I) directly — the holes joint samples
    // fall into — without squeezing each example's KL. 0: off.
    real mmd = 0;
};

// The noise of one step, held outside the model so a step is a deterministic function of its
// inputs (what the gradient check needs). Each (B, latent), ε ~ N(0, I); a variant uses the
// ones of its subsets.
struct MvaeNoise {
    Tensor joint, image, text;
    Tensor prior;  // samples of N(0, I) for the MMD term, (B, latent); only when weights.mmd > 0
};

// The terms of one step (see above), unweighted, in nats per pair.
struct MvaeTerms {
    Tensor loss;
    Tensor rec_image, rec_text, kl;
    Tensor jmvae_kl;  // jmvae only
    Tensor mmd;       // MMD²(posterior samples, prior samples), when weights.mmd > 0
};

class Mvae : public nn::Module {
public:
    Mvae(const MvaeConfig& config, Rng& rng);

    // The experts (before the product): each (B, latent).
    Posterior image_expert(const Tensor& x);                              // x (B, 784) in [0, 1]
    Posterior text_expert(const std::vector<std::size_t>& tokens);       // B × caption_length ids, row-major
    // Posteriors of a subset of modalities: the prior expert times the experts present.
    Posterior posterior_image(const Tensor& x);
    Posterior posterior_text(const std::vector<std::size_t>& tokens);
    Posterior posterior_joint(const Tensor& x, const std::vector<std::size_t>& tokens);

    Tensor decode_image(const Tensor& z);  // → logits (B, 784)
    // The images the model shows for codes z (N, latent): σ(decode_image(z)), 1000 at a time,
    // without a graph.   → (N, 784)
    Tensor decode_images(const Tensor& z);
    Tensor decode_text(const Tensor& z);   // → logits (B, caption_length · V)

    // −log p(x|z) per example, averaged over the batch: Σ_pixels bce_with_logits
    Tensor image_reconstruction(const Tensor& logits, const Tensor& x);
    // −log p(y|z) per example, averaged over the batch: Σ_positions cross_entropy, <pad> scored
    // like any other token (the caption's length is part of what the decoder must say)
    Tensor text_reconstruction(const Tensor& logits, const std::vector<std::size_t>& tokens);
    // log p(y|z) = Σ_positions log softmax(logits)[word] for every row of `logits` (N, L·V)
    // and every candidate caption (C captions of L ids, row-major): (N, C), no graph recorded.
    // How the chapter picks the most likely caption.
    Tensor caption_log_likelihoods(const Tensor& logits, const std::vector<std::size_t>& captions);

    // The variant's loss for a batch: x (B, 784), tokens (B · caption_length), noise per subset.
    MvaeTerms objective(const Tensor& x, const std::vector<std::size_t>& tokens, const MvaeNoise& noise,
                        Fusion fusion, const MvaeWeights& weights);

    const MvaeConfig& config() const { return config_; }

    std::shared_ptr<nn::Sequential> image_encoder, image_decoder, text_encoder, text_decoder;
    std::shared_ptr<nn::Embedding> word_embedding;  // (caption_length · V, embedding): one table per position

private:
    MvaeConfig config_;
};

}  // namespace mmgen::models
