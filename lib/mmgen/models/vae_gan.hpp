#pragma once
// The VAE with a discriminator (VAE-GAN, Larsen, Sønderby, Larochelle & Winther 2016), the first
// of 002 §3.2's two ways to complete a VAE's generation: chapter 05's convolutional VAE whose
// decoder is also trained against a discriminator D that sees three kinds of images —
//
//   real             x                       (B, 784), scaled to [−1, 1]
//   reconstructions  x̃ = Dec(z),  z ~ q(z|x)
//   prior samples    x_p = Dec(z_p), z_p ~ N(0, I)
//
// (decoded images are the Bernoulli means σ(logits), scaled to [−1, 1]: 2σ(ℓ) − 1 = tanh(ℓ/2)).
// D is chapter 05's DCGAN discriminator. The three losses, each minimised by its own players:
//
//   L_D   = BCE(D(x), 1) + BCE(D([x̃; x_p]), 0)          D: real vs both kinds of fakes
//   L_enc = −E_q[log p(x|z)] + β KL(q(z|x) ‖ p(z))     the −ELBO (β = 1): the encoder's only loss
//   L_dec = −E_q[log p(x|z)] + γ · BCE(D([x̃; x_p]), 1)  likelihood plus the non-saturating GAN loss
//
// What each term does. The reconstruction term pulls Dec(z) to the *mean* of the images that
// q sends near z — the blur of chapters 03 and 05. The KL keeps q's codes where the prior puts
// its mass, so prior samples decode to something. The adversarial term pushes both decoded
// reconstructions and decoded prior samples towards what D cannot tell from real images: a sharp
// image that is not the pixel mean. Prior samples get *only* that gradient — they have no target
// image. As in Larsen et al., the GAN loss does not reach the encoder (the fakes are decoded from
// a detached z): the encoder's job is inference, not fooling D. Unlike Larsen et al., the pixel
// likelihood is kept (they replace it by an error in D's features), so −ELBO stays a bound on
// −log p(x) the chapter can report beside FD — what the adversarial term costs in likelihood.
//
// The encoder and decoder are trained on L_enc + L_dec in one backward pass: loss = rec + β KL + γ adv,
// the adversarial term reaching only the decoder. With λ > 0 (VaeGanWeights::feature_matching) the
// loss gains Larsen et al.'s error in D's features, λ · ½‖φ(x̃) − φ(x)‖², which reaches both: the
// encoder's loss is then no longer the −ELBO alone (the reported −ELBO still is one).
#include <mmgen/models/dcgan.hpp>
#include <mmgen/models/vae.hpp>
#include <mmgen/nn/optim.hpp>

namespace mmgen::models {

struct VaeGanWeights {
    real beta = 1;         // β on the KL (1: the ELBO)
    real adversarial = 1;  // γ on the decoder's GAN loss
    // λ on Larsen et al.'s feature-wise reconstruction error ½‖φ(x̃) − φ(x)‖², φ = D's last hidden
    // layer (DcganDiscriminator::features, in eval mode). Unlike the GAN term it goes through z to
    // the encoder too: it asks the code to carry what D's features see. 0: the term is left out.
    real feature_matching = 0;
};

// One forward pass of the VAE for a step: the posterior, the reconstruction logits (with the
// graph through the encoder) and the fakes D sees (with the decoder's graph only).
struct VaeGanForward {
    Posterior q;           // q(z|x): μ, log σ² (B, latent)
    Tensor logits;         // Dec(z), z = μ + σ ε (B, 784): the likelihood term's
    Tensor fakes;          // [tanh(Dec(z.detach())/2); tanh(Dec(z_p)/2)] (2B, 784) in [−1, 1]
};
// x (B, 784) in [0, 1], eps and z_prior (B, latent) ~ N(0, I). One decoder pass over the 3B codes.
VaeGanForward vae_gan_forward(Vae& vae, const Tensor& x, const Tensor& eps, const Tensor& z_prior);

struct VaeGanTerms {
    Tensor loss;            // reconstruction + β kl + γ adversarial
    Tensor reconstruction;  // −log p(x|z), nats per image
    Tensor kl;              // KL(q(z|x) ‖ p(z)), nats per image
    Tensor adversarial;     // BCE(D(fakes), 1): the non-saturating generator loss
    Tensor feature_error;   // ½‖φ(x̃) − φ(x)‖² per image (0 when λ = 0: not computed)
};
// The VAE's objective for one forward pass against the discriminator `d` (images (N, 784) in
// [−1, 1] → logits (N, 1)). The caller decides whether d's parameters are frozen.
VaeGanTerms vae_gan_objective(const VaeGanForward& f, const Tensor& x, DcganDiscriminator& d, const VaeGanWeights& w);

struct VaeGanStats {
    double d_loss = 0, d_real = 0, d_fake = 0;            // D's step (gan.hpp's DiscriminatorStats)
    double loss = 0, reconstruction = 0, kl = 0, adversarial = 0, feature_error = 0;  // the VAE's step
};
// One alternating update, in the order of chapter 02's loop: the VAE's forward pass; a step of D
// on the real images and the detached fakes; then a step of the encoder and decoder on their
// objective through the just-updated D, which is held fixed (frozen) and left as it was.
VaeGanStats vae_gan_step(Vae& vae, DcganDiscriminator& d, optim::Optimizer& vae_optimizer, optim::Optimizer& d_optimizer,
                         const Tensor& x, const Tensor& eps, const Tensor& z_prior, const VaeGanWeights& w);

}  // namespace mmgen::models
