#include <mmgen/models/vae_eval.hpp>

#include <algorithm>

#include <mmgen/core/autograd.hpp>
#include <mmgen/nn/batched.hpp>

namespace mmgen::models {

ElboValues mean_negative_elbo(Vae& vae, const data::Dataset& d, std::size_t limit, Rng& rng, real beta) {
    NoGradGuard no_grad;
    ElboValues total;
    const std::size_t n = limit ? std::min(limit, d.n) : d.n;
    nn::for_each_batch(n, 500, [&](std::span<const std::size_t> idx) {
        const Tensor x = data::images_to_tensor(d, idx, 0, 1);                    // (B, 784)
        const Tensor eps = Tensor::randn({idx.size(), vae.config().latent}, rng);  // (B, latent)
        const auto t = vae.negative_elbo(x, eps, beta);
        const double w = double(idx.size()) / double(n);
        total.loss += w * t.loss.item(), total.reconstruction += w * t.reconstruction.item(), total.kl += w * t.kl.item();
    });
    return total;
}

}  // namespace mmgen::models
