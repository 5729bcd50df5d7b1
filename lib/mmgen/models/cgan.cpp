#include <mmgen/models/cgan.hpp>

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include <mmgen/core/ops.hpp>
#include <mmgen/models/gan.hpp>
#include <mmgen/nn/conv.hpp>

namespace mmgen::models {

namespace {
constexpr std::size_t kSide = 28, kQuarter = 7;  // image side, and after two halvings

// The averaging matrix of the non-<pad> words: A (B, B·L), A[b, b·L + t] = 1/n_b for each of
// row b's n_b words, so A · E[tokens] (B·L, E) is each caption's mean word embedding (B, E).
Tensor word_mean_matrix(const std::vector<std::size_t>& tokens, std::size_t length) {
    if (tokens.empty() || tokens.size() % length != 0)
        throw std::invalid_argument("CaptionEncoder: " + std::to_string(tokens.size()) +
                                    " token ids are not a whole number of captions of " + std::to_string(length));
    const std::size_t b = tokens.size() / length;
    Tensor a = Tensor::zeros({b, b * length});
    for (std::size_t row = 0; row < b; ++row) {
        std::size_t words = 0;
        for (std::size_t t = 0; t < length; ++t) words += tokens[row * length + t] != 0;
        if (words == 0) throw std::invalid_argument("CaptionEncoder: caption " + std::to_string(row) + " is all <pad>");
        for (std::size_t t = 0; t < length; ++t)
            if (tokens[row * length + t] != 0) a.at(row, row * length + t) = real(1) / real(words);
    }
    return a;
}

// The linear layers that are not followed by a ReLU (the caption's mix, ψ): xavier, or PyTorch's default.
nn::Init head_init(const CganConfig& c) { return c.init == nn::Init::fan_in ? nn::Init::fan_in : nn::Init::xavier; }

DcganConfig generator_body(const CganConfig& c) {
    DcganConfig d;
    d.latent = c.latent + c.condition;
    d.generator_channels = c.generator_channels;
    d.discriminator_channels = c.discriminator_channels;
    d.init = c.init;
    return d;
}
}  // namespace

Conditioning parse_conditioning(const std::string& name) {
    if (name == "projection") return Conditioning::projection;
    if (name == "concatenation") return Conditioning::concatenation;
    throw std::invalid_argument("unknown conditioning '" + name + "'; the choices are projection, concatenation");
}

const char* conditioning_name(Conditioning c) { return c == Conditioning::projection ? "projection" : "concatenation"; }

// --- the caption encoder ------------------------------------------------------------------------

CaptionEncoder::CaptionEncoder(std::size_t vocabulary, std::size_t length, std::size_t embedding, std::size_t out, Rng& rng,
                               nn::Init init)
    : caption_length_(length) {
    words = register_module("words", std::make_shared<nn::Embedding>(vocabulary, embedding, rng));
    mix = register_module("mix", std::make_shared<nn::Linear>(embedding, out, rng, init));
}

Tensor CaptionEncoder::encode(const std::vector<std::size_t>& tokens) {
    const Tensor a = word_mean_matrix(tokens, caption_length_);  // (B, B·L), a constant
    const Tensor e = words->forward(tokens);                     // (B·L, E)
    return mix->forward(matmul(a, e));                           // (B, E) → (B, out)
}

// --- G(z, y) ------------------------------------------------------------------------------------

ConditionalGenerator::ConditionalGenerator(const CganConfig& c, Rng& rng) {
    caption = register_module("caption", std::make_shared<CaptionEncoder>(c.vocabulary, c.caption_length, c.embedding,
                                                                           c.condition, rng, head_init(c)));
    body = register_module("body", std::make_shared<DcganGenerator>(generator_body(c), rng));
}

Tensor ConditionalGenerator::forward(const Tensor& z, const std::vector<std::size_t>& tokens) {
    const Tensor e = caption->encode(tokens);  // (B, C)
    if (z.rank() != 2 || z.dim(0) != e.dim(0))
        throw std::invalid_argument("ConditionalGenerator: codes " + z.shape_str() + " and " +
                                    std::to_string(e.dim(0)) + " captions");
    return body->forward(concat({z, e}, 1));   // [z, e_G(y)] (B, latent + C) → (B, 784)
}

// --- D(x, y) ------------------------------------------------------------------------------------

ConditionalDiscriminator::ConditionalDiscriminator(const CganConfig& c, Rng& rng) : conditioning(c.conditioning) {
    const std::size_t narrow = c.discriminator_channels, wide = 2 * narrow;
    body = register_module("body", std::make_shared<nn::Sequential>());
    body->add(std::make_shared<nn::Unflatten>(Shape{1, kSide, kSide}))                       // (B, 1, 28, 28)
        .add(std::make_shared<nn::Conv2d>(1, narrow, 4, rng, 2, 1, true, c.init))            // (B, d, 14, 14)
        .add(std::make_shared<nn::LeakyReLU>(real(0.2)))
        .add(std::make_shared<nn::Conv2d>(narrow, wide, 4, rng, 2, 1, /*bias=*/false, c.init))  // (B, 2d, 7, 7)
        .add(std::make_shared<nn::BatchNorm>(wide))
        .add(std::make_shared<nn::LeakyReLU>(real(0.2)))
        .add(std::make_shared<nn::Flatten>())                                                // (B, 2d·49)
        .add(std::make_shared<nn::Linear>(wide * kQuarter * kQuarter, c.features, rng, c.init))  // (B, F)
        .add(std::make_shared<nn::LeakyReLU>(real(0.2)));
    const bool projection = c.conditioning == Conditioning::projection;
    caption = register_module("caption", std::make_shared<CaptionEncoder>(c.vocabulary, c.caption_length, c.embedding,
                                                                           projection ? c.features : c.condition, rng,
                                                                           head_init(c)));
    if (!projection) {
        joint = register_module("joint", std::make_shared<nn::Sequential>());
        joint->add(std::make_shared<nn::Linear>(c.features + c.condition, c.features, rng, c.init))
            .add(std::make_shared<nn::LeakyReLU>(real(0.2)));
    }
    psi = register_module("psi", std::make_shared<nn::Linear>(c.features, 1, rng, head_init(c)));
    if (c.auxiliary_classes > 0)
        classify = register_module("classify", std::make_shared<nn::Linear>(c.features, c.auxiliary_classes, rng, head_init(c)));
}

Tensor ConditionalDiscriminator::features(const Tensor& x) {
    if (x.rank() != 2 || x.dim(1) != kSide * kSide)
        throw std::invalid_argument("ConditionalDiscriminator: expects images (B, 784), got " + x.shape_str());
    return body->forward(x);
}

Tensor ConditionalDiscriminator::forward(const Tensor& x, const std::vector<std::size_t>& tokens) {
    return score(features(x), tokens);
}

Tensor ConditionalDiscriminator::class_logits(const Tensor& phi) {
    if (!classify) throw std::invalid_argument("ConditionalDiscriminator: no auxiliary classifier (CganConfig::auxiliary_classes is 0)");
    return classify->forward(phi);  // (B, K)
}

Tensor ConditionalDiscriminator::score(const Tensor& phi, const std::vector<std::size_t>& tokens) {
    const Tensor e = caption->encode(tokens);  // e_D(y) (B, F) or (B, C)
    if (e.dim(0) != phi.dim(0))
        throw std::invalid_argument("ConditionalDiscriminator: " + std::to_string(phi.dim(0)) + " images and " +
                                    std::to_string(e.dim(0)) + " captions");
    if (conditioning == Conditioning::projection)
        return psi->forward(phi) + sum(phi * e, 1, /*keepdim=*/true);  // ψ(φ) + ⟨e(y), φ⟩  (B, 1)
    return psi->forward(joint->forward(concat({phi, e}, 1)));          // ψ(h), h (B, F)
}

// --- binding captions -----------------------------------------------------------------------------

WithCaptions::WithCaptions(CaptionConditioned& module, std::vector<std::size_t> tokens)
    : module_(module), tokens_(std::move(tokens)) {
    // a non-owning child (the aliasing constructor with an empty owner): the module's
    // parameters, buffers and mode are reached through this one
    register_module("module", std::shared_ptr<CaptionConditioned>(std::shared_ptr<void>(), &module));
}

Tensor WithCaptions::forward(const Tensor& x) { return module_.forward(x, tokens_); }

std::vector<std::size_t> repeat_caption(const std::vector<std::size_t>& caption, std::size_t n) {
    std::vector<std::size_t> ids;
    ids.reserve(n * caption.size());
    for (std::size_t i = 0; i < n; ++i) ids.insert(ids.end(), caption.begin(), caption.end());
    return ids;
}

Tensor truncated_normal(const Shape& shape, real t, Rng& rng) {
    if (!(t > 0)) throw std::invalid_argument("truncated_normal: the threshold t must be positive, got " + std::to_string(t));
    Tensor z = Tensor::empty(shape);
    for (real& v : z.data()) {
        double draw = rng.normal();
        while (std::abs(draw) > double(t)) draw = rng.normal();  // P(|z| ≤ t) ≥ 0.38 for t ≥ 0.5
        v = static_cast<real>(draw);
    }
    return z;
}

Tensor sample_for_caption(ConditionalGenerator& g, const std::vector<std::size_t>& caption, std::size_t n,
                          std::size_t latent, Rng& rng, real truncation) {
    std::vector<Tensor> parts;  // (≤ 1000, 784) each
    for (std::size_t start = 0; start < n; start += 1000) {
        const std::size_t count = std::min<std::size_t>(1000, n - start);
        WithCaptions bound(g, repeat_caption(caption, count));
        parts.push_back(to_unit_range(truncation > 0 ? generate(bound, truncated_normal({count, latent}, truncation, rng))
                                                     : generate(bound, count, latent, rng)));
    }
    return concat(parts, 0);  // (n, 784)
}

}  // namespace mmgen::models
