#include <mmgen/models/vae_gan.hpp>

#include <stdexcept>

#include <mmgen/core/ops.hpp>
#include <mmgen/models/gan.hpp>
#include <mmgen/models/module_guards.hpp>
#include <mmgen/nn/losses.hpp>

namespace mmgen::models {

VaeGanForward vae_gan_forward(Vae& vae, const Tensor& x, const Tensor& eps, const Tensor& z_prior) {
    const std::size_t b = x.dim(0);
    if (eps.shape() != z_prior.shape() || eps.dim(0) != b)
        throw std::invalid_argument("vae_gan_forward: images " + x.shape_str() + ", noise " + eps.shape_str() +
                                    " and prior codes " + z_prior.shape_str() + " must have the same rows");
    VaeGanForward f;
    f.q = vae.encode(x);
    const Tensor z = reparameterize(f.q, eps);                                  // (B, latent)
    // one decoder pass: z for the likelihood, z detached and z_p for D (the GAN loss stops at the decoder)
    const Tensor logits = vae.decode(concat({z, z.detach(), z_prior}, 0));     // (3B, 784)
    auto parts = split(logits, {b, 2 * b}, 0);
    f.logits = parts[0];                                                        // (B, 784)
    f.fakes = tanh(parts[1] * real(0.5));                                       // 2σ(ℓ) − 1 (2B, 784)
    return f;
}

VaeGanTerms vae_gan_objective(const VaeGanForward& f, const Tensor& x, DcganDiscriminator& d, const VaeGanWeights& w) {
    VaeGanTerms t;
    t.feature_error = Tensor::scalar(0);
    if (w.feature_matching > 0) {
        // φ in eval mode: batch norm with its running statistics, so φ(x) and φ(x̃) are the same
        // function of one image (in training mode each batch would be normalised by its own
        // moments). Before D(fakes) below: that forward, in training mode, moves the running
        // statistics with this batch's fakes, and φ would then depend on the decoder through them
        // — a path the gradient does not follow.
        const EvalMode eval(d);
        const Tensor phi_x = d.features(x * real(2) - real(1)).detach();  // (B, 2d·49), a target
        const Tensor phi_rec = d.features(tanh(f.logits * real(0.5)));     // x̃ = 2σ(ℓ) − 1, through z
        t.feature_error = mse(phi_rec, phi_x, Reduction::batch_mean) * real(0.5);
    }
    t.reconstruction = bce_with_logits(f.logits, x, Reduction::batch_mean);  // −log p(x|z)
    t.kl = gaussian_kl(f.q.mu, f.q.logvar, Reduction::batch_mean);           // KL(q ‖ p)
    t.adversarial = generator_loss_non_saturating(d(f.fakes));               // BCE(D(fakes), 1)
    t.loss = t.reconstruction + t.kl * w.beta + t.adversarial * w.adversarial;
    if (w.feature_matching > 0) t.loss = t.loss + t.feature_error * w.feature_matching;
    return t;
}

VaeGanStats vae_gan_step(Vae& vae, DcganDiscriminator& d, optim::Optimizer& vae_optimizer, optim::Optimizer& d_optimizer,
                         const Tensor& x, const Tensor& eps, const Tensor& z_prior, const VaeGanWeights& w) {
    const VaeGanForward f = vae_gan_forward(vae, x, eps, z_prior);
    // 1. D: real → 1, reconstructions and prior samples (detached) → 0
    const Tensor real_images = x * real(2) - real(1);  // (B, 784) in [−1, 1]
    const DiscriminatorStats ds = discriminator_step(d, d_optimizer, real_images, f.fakes);
    // 2. encoder and decoder through the updated D, D a constant of their loss
    vae_optimizer.zero_grad();
    VaeGanTerms t;
    {
        const FrozenModule frozen(d);
        t = vae_gan_objective(f, x, d, w);
        vae_optimizer.backward_and_step(t.loss);  // backward() then step(), fused (optim.hpp)
    }
    return {ds.loss, ds.d_real, ds.d_fake, t.loss.item(), t.reconstruction.item(), t.kl.item(), t.adversarial.item(),
            t.feature_error.item()};
}

}  // namespace mmgen::models
