#include <mmgen/models/mvae.hpp>

#include <algorithm>
#include <cmath>
#include <memory>
#include <stdexcept>

#include <mmgen/core/autograd.hpp>
#include <mmgen/nn/losses.hpp>
#include <mmgen/core/ops.hpp>

namespace mmgen::models {

// --- the product of experts ------------------------------------------------------------------

Posterior prior_expert(std::size_t batch, std::size_t latent) {
    return {Tensor::zeros({batch, latent}), Tensor::zeros({batch, latent})};
}

// One op, forward and backward together. Per value (row, dimension), with aₖ = −log σₖ² the
// log precision of expert k (aₖ = 0 for the prior expert, μₖ = 0):
//   forward    log σ² = −lse_k(aₖ)                 (precisions add: 1/σ² = Σₖ e^aₖ)
//              wₖ = e^(aₖ + log σ²) = softmax_k(a)  (expert k's share of the precision)
//              μ = Σₖ wₖ μₖ                         (means weighted by precision)
//   backward   ∂μ/∂μₖ = wₖ,  ∂μ/∂log σₖ² = wₖ (μ − μₖ),  ∂log σ²/∂log σₖ² = wₖ
// The log-sum-exp is shifted by its largest term, so no precision overflows.
Posterior product_of_experts(const std::vector<Posterior>& experts, bool include_prior) {
    if (experts.empty()) throw std::invalid_argument("product_of_experts: give at least one expert (the prior is added with include_prior)");
    const Shape shape = experts[0].mu.shape();
    for (const auto& e : experts)
        if (e.mu.rank() != 2 || e.mu.shape() != shape || e.logvar.shape() != shape)
            throw std::invalid_argument("product_of_experts: expert mu " + e.mu.shape_str() + " and logvar " +
                                        e.logvar.shape_str() + ": expected (batch, latent) tensors all of shape " +
                                        shape_string(shape));
    const std::size_t n = numel_of(shape), experts_count = experts.size();
    Tensor mu = Tensor::empty(shape), logvar = Tensor::empty(shape);  // (B, d) each
    // wₖ of the non-prior experts (K, B·d), kept for the backward pass of both outputs
    auto shared_weights = std::make_shared<Buffer>(n * experts_count);
    Buffer& weights = *shared_weights;
    {
        std::vector<const real*> mus, logvars;
        for (const auto& e : experts) mus.push_back(e.mu.data().data()), logvars.push_back(e.logvar.data().data());
        real* out_mu = mu.data().data();
        real* out_lv = logvar.data().data();
        for (std::size_t i = 0; i < n; ++i) {
            real top = include_prior ? real(0) : -logvars[0][i];  // the largest aₖ
            for (std::size_t k = 0; k < experts_count; ++k) top = std::max(top, -logvars[k][i]);
            real total = include_prior ? std::exp(-top) : real(0);  // Σₖ e^(aₖ − top)
            for (std::size_t k = 0; k < experts_count; ++k) total += std::exp(-logvars[k][i] - top);
            const real lv = -(top + std::log(total));
            real m = 0;
            for (std::size_t k = 0; k < experts_count; ++k) {
                const real w = std::exp(-logvars[k][i] + lv);
                weights[k * n + i] = w;
                m += w * mus[k][i];
            }
            out_mu[i] = m, out_lv[i] = lv;
        }
    }
    std::vector<Tensor> inputs;
    for (const auto& e : experts) inputs.push_back(e.mu), inputs.push_back(e.logvar);
    // Both outputs share one backward: the product's gradient arrives at μ and at log σ², and
    // each output's node adds its own part into the experts (so either may be used alone).
    mu = record(mu, "product_of_experts.mu", inputs, [experts, shared_weights, n](Node& out) mutable {
        const Buffer& weights = *shared_weights;
        const real* mean = out.data.data();
        for (std::size_t k = 0; k < experts.size(); ++k) {
            const real* w = weights.data() + k * n;
            if (experts[k].mu.requires_grad()) {
                real* d = experts[k].mu.grad_buffer().data();
                for (std::size_t i = 0; i < n; ++i) d[i] += out.grad[i] * w[i];  // ∂μ/∂μₖ = wₖ
            }
            if (experts[k].logvar.requires_grad()) {
                const real* mk = experts[k].mu.data().data();
                real* d = experts[k].logvar.grad_buffer().data();
                for (std::size_t i = 0; i < n; ++i) d[i] += out.grad[i] * w[i] * (mean[i] - mk[i]);  // wₖ (μ − μₖ)
            }
        }
    });
    logvar = record(logvar, "product_of_experts.logvar", inputs, [experts, shared_weights, n](Node& out) mutable {
        const Buffer& weights = *shared_weights;
        for (std::size_t k = 0; k < experts.size(); ++k) {
            if (!experts[k].logvar.requires_grad()) continue;
            const real* w = weights.data() + k * n;
            real* d = experts[k].logvar.grad_buffer().data();
            for (std::size_t i = 0; i < n; ++i) d[i] += out.grad[i] * w[i];  // ∂log σ²/∂log σₖ² = wₖ
        }
    });
    return {mu, logvar};
}

// ‖aᵢ − bⱼ‖² = ‖aᵢ‖² + ‖bⱼ‖² − 2 aᵢ·bⱼ, all pairs as one product of augmented matrices:
//   [−2a, ‖a‖², 1] (N, d+2) · [b, 1, ‖b‖²]ᵀ (d+2, M)
// then k = C / (C + ‖aᵢ − bⱼ‖²); every piece is a primitive, so the gradient comes from theirs.
Tensor mmd_imq(const Tensor& a, const Tensor& b) {
    if (a.rank() != 2 || b.rank() != 2 || a.dim(1) != b.dim(1))
        throw std::invalid_argument("mmd_imq: samples " + a.shape_str() + " and " + b.shape_str() +
                                    ": expected (N, d) and (M, d)");
    const real c = real(2) * static_cast<real>(a.dim(1));
    auto kernel_mean = [c](const Tensor& u, const Tensor& v) {
        const Tensor lhs = concat({u * real(-2), sum(square(u), 1, true), Tensor::ones({u.dim(0), 1})}, 1);  // (N, d+2)
        const Tensor rhs = concat({v, Tensor::ones({v.dim(0), 1}), sum(square(v), 1, true)}, 1);         // (M, d+2)
        const Tensor sq_dist = matmul(lhs, rhs, false, true);                                           // (N, M)
        return mean(pow(sq_dist + c, real(-1))) * c;
    };
    return kernel_mean(a, a) + kernel_mean(b, b) - kernel_mean(a, b) * real(2);
}

// ½ Σⱼ (log σ₂² − log σ₁² + (σ₁² + (μ₁ − μ₂)²)/σ₂² − 1), composed from primitives
Tensor gaussian_kl_between(const Posterior& q1, const Posterior& q2) {
    if (q1.mu.shape() != q2.mu.shape() || q1.logvar.shape() != q2.logvar.shape() || q1.mu.shape() != q1.logvar.shape())
        throw std::invalid_argument("gaussian_kl_between: q1 " + q1.mu.shape_str() + " and q2 " + q2.mu.shape_str() +
                                    ": expected (batch, latent) tensors of one shape");
    const Tensor inv_var2 = exp(-q2.logvar);  // (B, d)
    const Tensor terms = q2.logvar - q1.logvar + (exp(q1.logvar) + square(q1.mu - q2.mu)) * inv_var2 - real(1);
    return sum(terms, 1) * real(0.5);  // (B)
}

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

// --- the model -------------------------------------------------------------------------------

Mvae::Mvae(const MvaeConfig& c, Rng& rng) : config_(c) {
    // each encoder's last Linear produces μ and log σ² side by side (B, 2·latent)
    image_encoder = register_module("image_encoder", nn::mlp({c.image, c.hidden, c.hidden, 2 * c.latent}, rng));
    image_decoder = register_module("image_decoder", nn::mlp({c.latent, c.hidden, c.hidden, c.image}, rng));
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
            const Tensor zxy = Vae::reparameterize(qxy, noise.joint);   // (B, latent)
            const Tensor zx = Vae::reparameterize(qx, noise.image);
            const Tensor zy = Vae::reparameterize(qy, noise.text);
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
                parts.push_back(Vae::reparameterize(q, slice_rows(eps[s], begin, end)));
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
            const Tensor zxy = Vae::reparameterize(qxy, noise.joint);
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
