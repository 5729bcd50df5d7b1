#pragma once
// The caption-conditioned GAN of chapter 06 (issue 14): G(z, y) draws an image for a caption y
// of chapter 04's grammar ("light ankle boot"), D(x, y) judges whether x is a real image *of
// that caption*. Chapter 05's DCGAN players, told the caption:
//
//   caption encoder  y (B · 4 token ids) → word embeddings (B, 4, E), the mean over the words
//                    that are not <pad> (B, E) → Linear → e(y) (B, C)
//   generator        [z, e_G(y)] (B, latent + C) → chapter 05's DCGAN generator → x̃ (B, 784) in [−1, 1]
//   discriminator    x (B, 784) → Conv(1 → d, k4 s2 p1) → LeakyReLU(0.2)            (B, d, 14, 14)
//                    → Conv(d → 2d, k4 s2 p1) → BatchNorm → LeakyReLU(0.2)         (B, 2d, 7, 7)
//                    → Flatten → Linear → LeakyReLU(0.2)                           φ(x) (B, F)
//                    then, by projection (Miyato & Koyama 2018),
//                        logit = ψ(φ(x)) + ⟨e_D(y), φ(x)⟩        ψ: Linear(F → 1), e_D(y) (B, F)
//                    or, by concatenation (the ablation),
//                        logit = ψ(LeakyReLU(W [φ(x), e_D(y)] + b))   W: (F, F + C)
//
// Why the mean of the word embeddings: a caption of this grammar is a bag of two facts — a tone
// word and a class named by one or two words — whose order carries nothing ("dark" always comes
// first). The mean is order-free and length-free ("boot" and "ankle boot" land near each other
// once the network learns that "ankle" says the same as "boot"); an MLP over the 4 positions
// would have to learn the same word at every position it can take (the class word is the
// second or the third token). The Linear after the mean mixes the two facts.
//
// Why projection: write the optimal discriminator's logit for the conditional game,
//   r*(x, y) = log q(x, y) / p(x, y) = log q(y|x)/p(y|x) + log q(x)/p(x)
// (q the data, p the generator). If each conditional of y given x is a softmax over a linear
// function of features, log q(y|x) = v^qᵧᵀ φ(x) − log Z^q(φ(x)) and the same for p, then
//   r*(x, y) = (v^qᵧ − v^pᵧ)ᵀ φ(x) + [a function of x alone] = e(y)ᵀ φ(x) + ψ(φ(x)).
// The caption enters through an inner product with the image features — a form D can represent
// exactly — where concatenation asks D's later layers to discover that multiplicative interaction.
//   ∂logit/∂φ = w_ψ + e(y),   ∂logit/∂e(y) = φ(x)
//
// The players are caption-conditioned (forward(x, tokens)); WithCaptions binds them to one batch
// of captions so models/gan.hpp's discriminator_step, generator_step and generate take them
// unchanged.
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include <mmgen/models/dcgan.hpp>
#include <mmgen/nn/modules.hpp>

namespace mmgen::models {

enum class Conditioning {
    projection,     // logit = ψ(φ(x)) + ⟨e(y), φ(x)⟩ (Miyato & Koyama 2018)
    concatenation,  // logit = ψ(LeakyReLU(W [φ(x), e(y)] + b))
};
Conditioning parse_conditioning(const std::string& name);  // "projection", "concatenation"; throws naming them
const char* conditioning_name(Conditioning c);

struct CganConfig {
    std::size_t latent = 64;                  // size of the noise z
    std::size_t vocabulary = 21;              // V, with <pad> = 0 (chapter 04's Tokenizer)
    std::size_t caption_length = 4;          // token ids per caption
    std::size_t embedding = 32;               // E: size of a word embedding
    std::size_t condition = 32;               // C: size of G's caption code e_G(y)
    std::size_t features = 128;               // F: size of D's image features φ(x) (and of e_D(y))
    std::size_t generator_channels = 32;      // c of chapter 05's DCGAN generator
    std::size_t discriminator_channels = 32;  // d of its discriminator
    Conditioning conditioning = Conditioning::projection;
    // K > 0 gives D an auxiliary classifier head, Linear(F → K) on φ(x) (AC-GAN, Odena et al.
    // 2017; models/cgan_auxiliary.hpp trains it): chapter 06 uses K = 20, one class per caption
    // (class × tone). 0: no head, D as above.
    std::size_t auxiliary_classes = 0;
    // Every Linear and convolution: he (N(0, 2/fan-in), xavier for the linear heads) or fan_in
    // (PyTorch's U(±1/√fan-in) everywhere).
    nn::Init init = nn::Init::he;
};

// A module that takes a batch and its captions: x (B, …) and tokens (B · caption_length).
class CaptionConditioned : public nn::Module {
public:
    using nn::Module::forward;
    using nn::Module::operator();
    virtual Tensor forward(const Tensor& x, const std::vector<std::size_t>& tokens) = 0;
    Tensor operator()(const Tensor& x, const std::vector<std::size_t>& tokens) { return forward(x, tokens); }
};

// y (B · L ids) → e(y) (B, out): the mean of the embeddings of the non-<pad> words, then a Linear.
class CaptionEncoder : public nn::Module {
public:
    CaptionEncoder(std::size_t vocabulary, std::size_t caption_length, std::size_t embedding, std::size_t out, Rng& rng,
                   nn::Init init = nn::Init::xavier);
    Tensor encode(const std::vector<std::size_t>& tokens);  // → (B, out)
    std::shared_ptr<nn::Embedding> words;                   // (V, E)
    std::shared_ptr<nn::Linear> mix;                        // E → out

private:
    std::size_t caption_length_;
};

// G(z, y): z (B, latent), tokens (B · L) → x̃ (B, 784) in [−1, 1].
class ConditionalGenerator : public CaptionConditioned {
public:
    ConditionalGenerator(const CganConfig& config, Rng& rng);
    Tensor forward(const Tensor& z, const std::vector<std::size_t>& tokens) override;
    std::shared_ptr<CaptionEncoder> caption;   // e_G
    std::shared_ptr<DcganGenerator> body;      // chapter 05's G on (B, latent + C)
};

// D(x, y): x (B, 784) in [−1, 1], tokens (B · L) → logits (B, 1).
class ConditionalDiscriminator : public CaptionConditioned {
public:
    ConditionalDiscriminator(const CganConfig& config, Rng& rng);
    Tensor forward(const Tensor& x, const std::vector<std::size_t>& tokens) override;
    Tensor features(const Tensor& x);  // φ(x) (B, F)
    // The logit from features already computed: forward(x, y) = score(features(x), y). (B, 1)
    Tensor score(const Tensor& phi, const std::vector<std::size_t>& tokens);
    // The auxiliary head's logits over the K caption classes, from φ(x): (B, K); throws without a head.
    Tensor class_logits(const Tensor& phi);
    Conditioning conditioning;
    std::shared_ptr<nn::Sequential> body;     // x → φ(x)
    std::shared_ptr<CaptionEncoder> caption;  // e_D: F outputs for projection, C for concatenation
    std::shared_ptr<nn::Sequential> joint;    // concatenation only: [φ, e] (B, F + C) → (B, F)
    std::shared_ptr<nn::Linear> psi;          // ψ: F → 1
    std::shared_ptr<nn::Linear> classify;     // the auxiliary head F → K, when auxiliary_classes > 0
};

// A caption-conditioned module with its captions fixed: forward(x) = module.forward(x, tokens).
// Its parameters, buffers and train/eval mode are the module's (it does not own the module,
// which must outlive it), so gan.hpp's steps freeze, step and sample it as they do any player.
class WithCaptions : public nn::Module {
public:
    WithCaptions(CaptionConditioned& module, std::vector<std::size_t> tokens);
    Tensor forward(const Tensor& x) override;

private:
    CaptionConditioned& module_;
    std::vector<std::size_t> tokens_;
};

// One caption's ids repeated n times: (n · L) ids.
std::vector<std::size_t> repeat_caption(const std::vector<std::size_t>& caption, std::size_t n);

// z ~ N(0, I) truncated to |z_i| ≤ t: every coordinate outside is drawn again until it falls
// inside. The truncation trick (Brock et al. 2019): codes nearer the mode of the prior give
// samples G renders best and most typically, at the price of variety. t must be positive.
Tensor truncated_normal(const Shape& shape, real t, Rng& rng);

// n images of G for one caption, in [0, 1], drawn in chunks of 1000 with G in eval mode: (n, 784).
// z ~ N(0, I), or truncated to |z_i| ≤ truncation when truncation > 0.
Tensor sample_for_caption(ConditionalGenerator& g, const std::vector<std::size_t>& caption, std::size_t n,
                          std::size_t latent, Rng& rng, real truncation = 0);

}  // namespace mmgen::models
