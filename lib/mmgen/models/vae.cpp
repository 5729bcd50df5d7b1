#include <mmgen/models/vae.hpp>

#include <cmath>

#include <mmgen/core/autograd.hpp>
#include <mmgen/core/ops.hpp>
#include <mmgen/nn/batched.hpp>
#include <mmgen/nn/losses.hpp>

namespace mmgen::models {

Vae::Vae(const VaeConfig& c, Rng& rng) : config_(c) {
    // one Linear produces μ and log σ² side by side (B, 2·latent); encode() splits them
    // PyTorch's default initialisation, as in the pytorch/examples VAE this chapter reproduces
    encoder = register_module("encoder", nn::mlp({c.input, c.hidden, 2 * c.latent}, rng, nn::Activation::relu,
                                                 nn::Activation::none, 0, nn::Init::fan_in));
    decoder = register_module("decoder", nn::mlp({c.latent, c.hidden, c.input}, rng, nn::Activation::relu,
                                                 nn::Activation::none, 0, nn::Init::fan_in));
}

Vae::Vae(const VaeConfig& c, std::shared_ptr<nn::Sequential> enc, std::shared_ptr<nn::Sequential> dec) : config_(c) {
    encoder = register_module("encoder", std::move(enc));
    decoder = register_module("decoder", std::move(dec));
}

Posterior Vae::encode(const Tensor& x) {
    auto parts = split(encoder->forward(x), {config_.latent, config_.latent}, 1);
    return {parts[0], parts[1]};
}

Tensor Vae::decode(const Tensor& z) { return decoder->forward(z); }

Tensor Vae::decode_images(const Tensor& z) {
    return nn::map_batches(z, 1000, [&](const Tensor& part) { return sigmoid(decode(part)); });  // (N, input)
}

ElboTerms Vae::negative_elbo(const Tensor& x, const Tensor& eps, real beta) {
    const Posterior q = encode(x);
    const Tensor logits = decode(reparameterize(q, eps));                            // (B, 784)
    Tensor reconstruction = bce_with_logits(logits, x, Reduction::batch_mean);       // −log p(x|z)
    Tensor kl = gaussian_kl(q.mu, q.logvar, Reduction::batch_mean);                  // KL(q ‖ p)
    Tensor loss = beta == 1 ? reconstruction + kl : reconstruction + kl * beta;
    return {loss, reconstruction, kl};
}

// log p(x|z) = −Σ_pixels bce(logits, x), one value per row
Tensor Vae::log_likelihood(const Tensor& x, const Tensor& z) {
    return -sum(bce_with_logits(decode(z), x, Reduction::none), 1);
}

Tensor Vae::importance_weighted_bound(const Tensor& x, std::size_t k, Rng& rng, std::size_t chunk) {
    NoGradGuard no_grad;
    const std::size_t batch = x.dim(0), d = config_.latent, pixels = config_.input;
    const Posterior q = encode(x);
    Tensor bound = Tensor::empty({batch});
    std::vector<real> log_w(k);  // log p(x|zₖ) + log p(zₖ) − log q(zₖ|x)
    for (std::size_t b = 0; b < batch; ++b) {
        const Tensor mu = slice_rows(q.mu, b, b + 1), logvar = slice_rows(q.logvar, b, b + 1);  // (1, d)
        const Tensor image = slice_rows(x, b, b + 1);                                         // (1, pixels)
        for (std::size_t start = 0; start < k; start += chunk) {
            const std::size_t n = std::min(chunk, k - start);
            Tensor eps = Tensor::randn({n, d}, rng);                 // (n, d)
            Tensor z = mu + exp(logvar * real(0.5)) * eps;          // (n, d), μ and σ broadcast over rows
            Tensor images = Tensor::empty({n, pixels});              // x repeated n times
            for (std::size_t r = 0; r < n; ++r)
                std::copy(image.data().begin(), image.data().end(), images.data().begin() + static_cast<std::ptrdiff_t>(r * pixels));
            Tensor lw = log_likelihood(images, z) + log_standard_normal(z) - log_normal_diag(z, mu, logvar);
            std::copy(lw.data().begin(), lw.data().end(), log_w.begin() + static_cast<std::ptrdiff_t>(start));
        }
        bound.data()[b] = log_mean_exp(Tensor::from_data({k}, log_w)).item();
    }
    return bound;
}

}  // namespace mmgen::models
