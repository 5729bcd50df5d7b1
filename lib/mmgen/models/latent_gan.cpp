#include <mmgen/models/latent_gan.hpp>

#include <algorithm>
#include <cmath>

#include <mmgen/core/autograd.hpp>
#include <mmgen/core/ops.hpp>
#include <mmgen/nn/batched.hpp>

namespace mmgen::models {

GanConfig latent_gan_config(std::size_t latent, std::size_t hidden) {
    GanConfig c;
    c.data = latent;
    c.latent = latent;
    c.generator_hidden = {hidden, hidden};
    c.discriminator_hidden = {hidden, hidden};
    c.tanh_output = false;
    return c;
}

Posterior encode_dataset(Vae& vae, const data::Dataset& dataset, std::size_t n) {
    NoGradGuard no_grad;
    std::vector<Tensor> mu, logvar;  // (≤ 1000, latent) each
    nn::for_each_batch(n, 1000, [&](std::span<const std::size_t> idx) {
        const Posterior q = vae.encode(data::images_to_tensor(dataset, idx, 0, 1));
        mu.push_back(q.mu), logvar.push_back(q.logvar);
    });
    return {concat(mu, 0), concat(logvar, 0)};
}

Tensor sample_codes(const Posterior& codes, std::span<const std::size_t> idx, Rng& rng) {
    const std::size_t d = codes.mu.dim(1);
    Tensor z = Tensor::randn({idx.size(), d}, rng);  // ε, then z = μ + σ ε in place
    for (std::size_t r = 0; r < idx.size(); ++r)
        for (std::size_t j = 0; j < d; ++j)
            z.at(r, j) = codes.mu.at(idx[r], j) + std::exp(real(0.5) * codes.logvar.at(idx[r], j)) * z.at(r, j);
    return z;
}

Tensor two_stage_images(Vae& vae, nn::Module& latent_generator, std::size_t n, Rng& rng) {
    const std::size_t d = vae.config().latent;
    return vae.decode_images(generate(latent_generator, n, d, rng));  // (n, latent) → (n, 784)
}

}  // namespace mmgen::models
