#include <mmgen/models/mvae.hpp>

#include <algorithm>
#include <cmath>
#include <memory>
#include <stdexcept>

#include <mmgen/core/autograd.hpp>
#include <mmgen/core/ops.hpp>
#include <mmgen/nn/batched.hpp>
#include <mmgen/nn/conv.hpp>
#include <mmgen/nn/distributions.hpp>
#include <mmgen/nn/losses.hpp>

namespace mmgen::models {

// --- variants --------------------------------------------------------------------------------

Fusion parse_fusion(const std::string& name) {
    if (name == "poe") return Fusion::poe;
    if (name == "mopoe") return Fusion::mopoe;
    if (name == "moe") return Fusion::moe;
    if (name == "jmvae") return Fusion::jmvae;
    throw std::invalid_argument("unknown fusion '" + name + "'; choose poe, mopoe, moe or jmvae");
}

const char* fusion_name(Fusion fusion) {
    switch (fusion) {
        case Fusion::poe: return "poe";
        case Fusion::mopoe: return "mopoe";
        case Fusion::moe: return "moe";
        case Fusion::jmvae: return "jmvae";
    }
    return "?";
}

ImageNetwork parse_image_network(const std::string& name) {
    if (name == "mlp") return ImageNetwork::mlp;
    if (name == "conv") return ImageNetwork::conv;
    throw std::invalid_argument("unknown image network '" + name + "'; choose mlp or conv");
}

const char* image_network_name(ImageNetwork network) { return network == ImageNetwork::conv ? "conv" : "mlp"; }

// --- the model -------------------------------------------------------------------------------

namespace {
// x (B, 784) → (B, 2·latent): two stride-2 convolutions halve 28 → 14 → 7, then one Linear.
std::shared_ptr<nn::Sequential> conv_image_encoder(std::size_t c, std::size_t latent, Rng& rng) {
    auto net = std::make_shared<nn::Sequential>();
    net->add(std::make_shared<nn::Unflatten>(Shape{1, 28, 28}))             // (B, 1, 28, 28)
        .add(std::make_shared<nn::Conv2d>(1, c, 4, rng, 2, 1))
        .add(std::make_shared<nn::ReLU>())                                   // (B, c, 14, 14)
        .add(std::make_shared<nn::Conv2d>(c, 2 * c, 4, rng, 2, 1))
        .add(std::make_shared<nn::ReLU>())                                   // (B, 2c, 7, 7)
        .add(std::make_shared<nn::Flatten>())                                // (B, 2c·49)
        .add(std::make_shared<nn::Linear>(2 * c * 49, 2 * latent, rng, nn::Init::xavier));
    return net;
}

// z (B, latent) → logits (B, 784): one Linear to a 7 × 7 map, two stride-2 transposed convolutions.
std::shared_ptr<nn::Sequential> conv_image_decoder(std::size_t c, std::size_t latent, Rng& rng) {
    auto net = std::make_shared<nn::Sequential>();
    net->add(std::make_shared<nn::Linear>(latent, 2 * c * 49, rng, nn::Init::he))
        .add(std::make_shared<nn::ReLU>())
        .add(std::make_shared<nn::Unflatten>(Shape{2 * c, 7, 7}))           // (B, 2c, 7, 7)
        .add(std::make_shared<nn::ConvTranspose2d>(2 * c, c, 4, rng, 2, 1))
        .add(std::make_shared<nn::ReLU>())                                   // (B, c, 14, 14)
        .add(std::make_shared<nn::ConvTranspose2d>(c, 1, 4, rng, 2, 1))     // (B, 1, 28, 28)
        .add(std::make_shared<nn::Flatten>());                               // (B, 784) logits
    return net;
}
}  // namespace

Mvae::Mvae(const MvaeConfig& c, Rng& rng) : config_(c) {
    // each encoder's last Linear produces μ and log σ² side by side (B, 2·latent)
    if (c.image_network == ImageNetwork::conv) {
        if (c.image != 784 || c.conv_channels == 0)
            throw std::invalid_argument("Mvae: the convolutional image networks take 28 × 28 images (784 pixels) and "
                                        "at least one channel; got " + std::to_string(c.image) + " pixels, " +
                                        std::to_string(c.conv_channels) + " channels");
        image_encoder = register_module("image_encoder", conv_image_encoder(c.conv_channels, c.latent, rng));
        image_decoder = register_module("image_decoder", conv_image_decoder(c.conv_channels, c.latent, rng));
    } else {
        image_encoder = register_module("image_encoder", nn::mlp({c.image, c.hidden, c.hidden, 2 * c.latent}, rng));
        image_decoder = register_module("image_decoder", nn::mlp({c.latent, c.hidden, c.hidden, c.image}, rng));
    }
    word_embedding = register_module("word_embedding",
                                     std::make_shared<nn::Embedding>(c.caption_length * c.vocabulary, c.embedding, rng));
    text_encoder = register_module("text_encoder",
                                   nn::mlp({c.caption_length * c.embedding, c.text_hidden, 2 * c.latent}, rng));
    text_decoder = register_module("text_decoder",
                                   nn::mlp({c.latent, c.text_hidden, c.caption_length * c.vocabulary}, rng));
}

namespace {
Posterior split_gaussian(const Tensor& params, std::size_t latent) {  // (B, 2·latent) → μ, log σ²
    auto parts = split(params, {latent, latent}, 1);
    return {parts[0], parts[1]};
}
}  // namespace

Posterior Mvae::image_expert(const Tensor& x) {
    if (x.rank() != 2 || x.dim(1) != config_.image)
        throw std::invalid_argument("Mvae::image_expert: images " + x.shape_str() + ", expected (batch, " +
                                    std::to_string(config_.image) + ")");
    return split_gaussian(image_encoder->forward(x), config_.latent);
}

Posterior Mvae::text_expert(const std::vector<std::size_t>& tokens) {
    const std::size_t L = config_.caption_length, V = config_.vocabulary;
    if (tokens.empty() || tokens.size() % L != 0)
        throw std::invalid_argument("Mvae::text_expert: " + std::to_string(tokens.size()) +
                                    " token ids do not make whole captions of " + std::to_string(L));
    const std::size_t batch = tokens.size() / L;
    std::vector<std::size_t> rows(tokens.size());  // position p's table starts at row p·V
    for (std::size_t i = 0; i < tokens.size(); ++i) {
        if (tokens[i] >= V)
            throw std::invalid_argument("Mvae::text_expert: token id " + std::to_string(tokens[i]) +
                                        " outside a vocabulary of " + std::to_string(V));
        rows[i] = (i % L) * V + tokens[i];
    }
    const Tensor embedded = reshape(word_embedding->forward(rows), {batch, L * config_.embedding});  // (B, L·E)
    return split_gaussian(text_encoder->forward(embedded), config_.latent);
}

Posterior Mvae::posterior_image(const Tensor& x) { return product_of_experts({image_expert(x)}); }
Posterior Mvae::posterior_text(const std::vector<std::size_t>& tokens) { return product_of_experts({text_expert(tokens)}); }
Posterior Mvae::posterior_joint(const Tensor& x, const std::vector<std::size_t>& tokens) {
    return product_of_experts({image_expert(x), text_expert(tokens)});
}

Tensor Mvae::decode_image(const Tensor& z) { return image_decoder->forward(z); }
Tensor Mvae::decode_text(const Tensor& z) { return text_decoder->forward(z); }
Tensor Mvae::decode_images(const Tensor& z) {
    return nn::map_batches(z, 1000, [&](const Tensor& part) { return sigmoid(decode_image(part)); });  // (N, 784)
}

Tensor Mvae::image_reconstruction(const Tensor& logits, const Tensor& x) {
    return bce_with_logits(logits, x, Reduction::batch_mean);  // Σ_pixels, averaged over the batch
}

Tensor Mvae::text_reconstruction(const Tensor& logits, const std::vector<std::size_t>& tokens) {
    const std::size_t batch = logits.dim(0);
    // (B, L·V) seen as (B·L, V): one categorical per position, every position scored
    const Tensor per_position = reshape(logits, {batch * config_.caption_length, config_.vocabulary});
    return cross_entropy(per_position, tokens, Reduction::sum) / static_cast<real>(batch);
}

Tensor Mvae::caption_log_likelihoods(const Tensor& logits, const std::vector<std::size_t>& captions) {
    NoGradGuard no_grad;
    const std::size_t n = logits.dim(0), L = config_.caption_length, V = config_.vocabulary;
    if (logits.rank() != 2 || logits.dim(1) != L * V || captions.empty() || captions.size() % L != 0)
        throw std::invalid_argument("Mvae::caption_log_likelihoods: logits " + logits.shape_str() + " and " +
                                    std::to_string(captions.size()) + " ids: expected (N, " + std::to_string(L * V) +
                                    ") and whole captions of " + std::to_string(L));
    const std::size_t count = captions.size() / L;
    const Tensor log_p = log_softmax(reshape(logits, {n * L, V}));  // (N·L, V)
    Tensor out = Tensor::zeros({n, count});
    for (std::size_t r = 0; r < n; ++r)
        for (std::size_t c = 0; c < count; ++c)
            for (std::size_t p = 0; p < L; ++p) {
                const std::size_t word = captions[c * L + p];
                if (word >= V) throw std::invalid_argument("Mvae::caption_log_likelihoods: word id " + std::to_string(word) +
                                                           " outside a vocabulary of " + std::to_string(V));
                out.data()[r * count + c] += log_p.data()[(r * L + p) * V + word];
            }
    return out;
}

MvaeTerms Mvae::objective(const Tensor& x, const std::vector<std::size_t>& tokens, const MvaeNoise& noise,
                          Fusion fusion, const MvaeWeights& w) {
    const std::size_t batch = x.dim(0);
    const Posterior ex = image_expert(x);  // (B, latent) each
    const Posterior ey = text_expert(tokens);
    auto kl = [](const Posterior& q) { return gaussian_kl(q.mu, q.logvar, Reduction::batch_mean); };
    MvaeTerms t;
    Tensor samples;  // the posterior samples z the decoders saw, for the MMD term
    switch (fusion) {
        case Fusion::poe: {
            const Posterior qxy = product_of_experts({ex, ey}), qx = product_of_experts({ex}), qy = product_of_experts({ey});
            const Tensor zxy = reparameterize(qxy, noise.joint);   // (B, latent)
            const Tensor zx = reparameterize(qx, noise.image);
            const Tensor zy = reparameterize(qy, noise.text);
            t.rec_image = image_reconstruction(decode_image(zxy), x) + image_reconstruction(decode_image(zx), x);
            samples = concat({zxy, zx, zy}, 0);
            t.rec_text = text_reconstruction(decode_text(zxy), tokens) + text_reconstruction(decode_text(zy), tokens);
            t.kl = kl(qxy) + kl(qx) + kl(qy) * w.text_kl;
            break;
        }
        case Fusion::mopoe:
        case Fusion::moe: {
            std::vector<Posterior> subsets;  // the mixture's components, each with its own noise
            std::vector<Tensor> eps;
            if (fusion == Fusion::mopoe) subsets.push_back(product_of_experts({ex, ey})), eps.push_back(noise.joint);
            subsets.push_back(product_of_experts({ex})), eps.push_back(noise.image);
            subsets.push_back(product_of_experts({ey})), eps.push_back(noise.text);
            // z from the mixture, stratified: rows [s·B/S, (s+1)·B/S) take their z from subset s
            const std::size_t S = subsets.size();
            std::vector<Tensor> parts;
            for (std::size_t s = 0; s < S; ++s) {
                const std::size_t begin = s * batch / S, end = (s + 1) * batch / S;
                if (begin == end) continue;
                const Posterior q{slice_rows(subsets[s].mu, begin, end), slice_rows(subsets[s].logvar, begin, end)};
                parts.push_back(reparameterize(q, slice_rows(eps[s], begin, end)));
            }
            const Tensor z = concat(parts, 0);  // (B, latent), row i drawn from its subset's posterior
            samples = z;
            t.rec_image = image_reconstruction(decode_image(z), x);
            t.rec_text = text_reconstruction(decode_text(z), tokens);
            Tensor total = kl(subsets.back()) * w.text_kl;  // the text-only subset is last
            for (std::size_t s = 0; s + 1 < S; ++s) total = total + kl(subsets[s]);
            t.kl = total * (real(1) / static_cast<real>(S));
            break;
        }
        case Fusion::jmvae: {
            const Posterior qxy = product_of_experts({ex, ey}), qx = product_of_experts({ex}), qy = product_of_experts({ey});
            const Tensor zxy = reparameterize(qxy, noise.joint);
            samples = zxy;
            t.rec_image = image_reconstruction(decode_image(zxy), x);
            t.rec_text = text_reconstruction(decode_text(zxy), tokens);
            t.kl = kl(qxy);
            t.jmvae_kl = mean(gaussian_kl_between(qxy, qx) + gaussian_kl_between(qxy, qy));
            break;
        }
    }
    t.loss = t.rec_image * w.image + t.rec_text * w.text + t.kl * w.beta;
    if (t.jmvae_kl.defined()) t.loss = t.loss + t.jmvae_kl * w.alpha;
    if (w.mmd > 0) {
        if (!noise.prior.defined())
            throw std::invalid_argument("Mvae::objective: an MMD weight needs prior samples in MvaeNoise::prior");
        t.mmd = mmd_imq(samples, noise.prior);
        t.loss = t.loss + t.mmd * w.mmd;
    }
    return t;
}

}  // namespace mmgen::models
