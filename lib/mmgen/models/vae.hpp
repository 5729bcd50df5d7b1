#pragma once
// The variational autoencoder of chapter 03 (Kingma & Welling 2014), in the configuration of
// the pytorch/examples VAE:
//
//   encoder  x (B, 784) → Linear → ReLU (B, 400) → Linear → (μ, log σ²), each (B, latent)
//   decoder  z (B, latent) → Linear → ReLU (B, 400) → Linear → logits (B, 784)
//
// with q(z|x) = N(μ, diag σ²), p(z) = N(0, I), p(x|z) = Bernoulli(σ(logits)).
#include <memory>

#include <mmgen/nn/modules.hpp>

namespace mmgen::models {

struct VaeConfig {
    std::size_t input = 784;   // pixels per image
    std::size_t hidden = 400;  // width of the hidden layer in encoder and decoder
    std::size_t latent = 20;   // dimension of z
};

// The parameters of the diagonal Gaussian q(z|x).
struct Posterior {
    Tensor mu;      // (B, latent)
    Tensor logvar;  // (B, latent), log σ²
};

// The terms of the negative ELBO, each in nats per image (averaged over the batch).
struct ElboTerms {
    Tensor loss;            // reconstruction + β · kl, what training minimises
    Tensor reconstruction;  // −E_q[log p(x|z)], one sample of z
    Tensor kl;              // KL(q(z|x) ‖ p(z)), closed form
};

// log N(z; μ, diag e^logvar) per row: −½ Σⱼ (log 2π + logvarⱼ + (zⱼ − μⱼ)² e^−logvarⱼ)   (B)
Tensor log_normal_diag(const Tensor& z, const Tensor& mu, const Tensor& logvar);
// log N(z; 0, I) per row   (B)
Tensor log_standard_normal(const Tensor& z);

class Vae : public nn::Module {
public:
    Vae(const VaeConfig& config, Rng& rng);

    Posterior encode(const Tensor& x);  // x (B, input) in [0, 1]
    Tensor decode(const Tensor& z);     // → logits (B, input)

    // z = μ + σ ⊙ ε with σ = exp(½ log σ²): the randomness ε ~ N(0, I) is an input, so the
    // gradient flows to μ and log σ² (the reparameterisation trick).
    static Tensor reparameterize(const Posterior& q, const Tensor& eps);

    // −ELBO(x) = −E_q[log p(x|z)] + β KL(q(z|x) ‖ p(z)), estimated with the given noise ε.
    ElboTerms negative_elbo(const Tensor& x, const Tensor& eps, real beta = 1);

    // log p(x|z) per row for Bernoulli pixels: −Σ_pixels bce_with_logits(decode(z), x)  (B)
    Tensor log_likelihood(const Tensor& x, const Tensor& z);

    // The importance-weighted bound (Burda et al. 2016) for each image, with q as proposal:
    //   log p(x) ≥ L_K = E[ log (1/K) Σₖ p(x|zₖ) p(zₖ) / q(zₖ|x) ],  zₖ ~ q(z|x)
    // L_1 is the ELBO; L_K grows with K towards log p(x). One draw of the K samples per image,
    // decoded `chunk` samples at a time. Returns (B) in nats; no graph is recorded.
    Tensor importance_weighted_bound(const Tensor& x, std::size_t k, Rng& rng, std::size_t chunk = 1000);

    const VaeConfig& config() const { return config_; }

    std::shared_ptr<nn::Sequential> encoder, decoder;

private:
    VaeConfig config_;
};

}  // namespace mmgen::models
