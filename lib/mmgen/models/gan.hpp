#pragma once
// The plain GAN of chapter 02 (Goodfellow et al. 2014): a generator G that maps noise to data
// and a discriminator D that scores how "real" a point looks, trained against each other on
//
//     min_G max_D V(D, G) = E_x~p_data[log D(x)] + E_z~p_z[log(1 − D(G(z)))]
//
//   generator      z (B, latent) → Linear → LeakyReLU(0.2) → … → Linear → [tanh] → x̃ (B, data)
//   discriminator  x (B, data)   → Linear → LeakyReLU(0.2) [→ Dropout] → … → Linear → logit (B, 1)
//
// (the hidden activation is configurable; Fashion-MNIST uses LeakyReLU(0.2) in both)
//
// D outputs a logit ℓ, and D(x) = σ(ℓ) is the probability that x is real; every loss below
// takes logits and goes through bce_with_logits, which never evaluates log 0.
//
// One training iteration, in this order (chapter README, "the alternating loop"):
//
//     z ~ N(0, I);  fake = G(z)                                  // (B, data), with G's graph
//     discriminator_step(D, d_optimizer, real, fake)              // D on real, on fake.detach()
//     generator_step(D, g_optimizer, fake, loss)                  // G through the updated D
#include <array>
#include <cstddef>
#include <memory>
#include <vector>

#include <mmgen/nn/modules.hpp>
#include <mmgen/nn/optim.hpp>
#include <mmgen/report/plot.hpp>

namespace mmgen::models {

struct GanConfig {
    std::size_t data = 784;   // size of one data point: 784 pixels, or 2 for the toy
    std::size_t latent = 64;  // size of the noise z
    std::vector<std::size_t> generator_hidden = {256, 512};
    std::vector<std::size_t> discriminator_hidden = {512, 256};
    bool tanh_output = true;  // G ends in tanh (images in [−1, 1]); false: a linear output (the toy)
    // The hidden units: LeakyReLU(0.2) in both by default. The toy's generator uses ReLU, whose
    // flat half lets G map whole regions of z to (nearly) one point: tight clusters.
    nn::Activation generator_activation = nn::Activation::leaky_relu;
    nn::Activation discriminator_activation = nn::Activation::leaky_relu;
    real leaky_slope = real(0.2);
    real discriminator_dropout = 0;  // dropout after each hidden activation of D (0: none)
};

// G: z (B, latent) → x̃ (B, data).
class Generator : public nn::Module {
public:
    Generator(const GanConfig& config, Rng& rng);
    Tensor forward(const Tensor& z) override;
    std::shared_ptr<nn::Sequential> net;
};

// D: x (B, data) → logits (B, 1); D(x) = σ(logit). With dropout, `rng` draws the masks and must
// outlive the module.
class Discriminator : public nn::Module {
public:
    Discriminator(const GanConfig& config, Rng& rng);
    Tensor forward(const Tensor& x) override;
    std::shared_ptr<nn::Sequential> net;
};

// --- the losses, from the value function V(D, G) ----------------------------------------------
// All take D's logits (B, 1) and return the mean over the batch.

// D maximises V; as a loss to minimise, −V, which is the binary cross-entropy of "real → 1"
// on real data plus "fake → 0" on generated data:
//     L_D = −E_x[log D(x)] − E_z[log(1 − D(G(z)))] = BCE(D(x), 1) + BCE(D(G(z)), 0)
// `real_label` < 1 is one-sided label smoothing: the real target becomes e.g. 0.9.
Tensor discriminator_loss(const Tensor& d_real_logits, const Tensor& d_fake_logits, real real_label = 1);

// G's side of V, as the minimax game has it: minimise E_z[log(1 − D(G(z)))] = −BCE(D(G(z)), 0).
// ∂/∂ℓ = −σ(ℓ) = −D(G(z)): when D confidently rejects the fakes (D(G(z)) → 0, early in
// training) the gradient vanishes — the loss saturates.
Tensor generator_loss_minimax(const Tensor& d_fake_logits);

// The non-saturating alternative (Goodfellow et al. 2014, §3): minimise −E_z[log D(G(z))]
// = BCE(D(G(z)), 1). Same fixed point, but ∂/∂ℓ = −(1 − D(G(z))): largest when G is worst.
Tensor generator_loss_non_saturating(const Tensor& d_fake_logits);

enum class GeneratorLoss { minimax, non_saturating };
Tensor generator_loss(const Tensor& d_fake_logits, GeneratorLoss kind);
const char* generator_loss_name(GeneratorLoss kind);  // "minimax", "non-saturating"

// --- one alternating update ---------------------------------------------------------------------

struct DiscriminatorStats {
    double loss = 0;    // L_D on this batch
    double d_real = 0;  // mean D(x) over the real batch, before the update
    double d_fake = 0;  // mean D(G(z)) over the fake batch, before the update
};

struct GeneratorStats {
    double loss = 0;    // the generator loss on this batch
    double d_fake = 0;  // mean D(G(z)) under the just-updated D
};

// One gradient step of D on L_D: zero D's gradients, score the real batch, score the fake batch
// *detached* from G's graph (so no gradient reaches G), backward, step. Both batches are
// (B, data); fake_batch may carry G's graph, which is left untouched for generator_step.
// `discriminator` is any module mapping (B, data) to logits (B, 1): chapter 02's MLP or
// chapter 05's DCGAN discriminator. With batch norm, the real and the fake batch are
// normalised each with its own statistics (two forward calls).
DiscriminatorStats discriminator_step(nn::Module& discriminator, optim::Optimizer& d_optimizer,
                                      const Tensor& real_batch, const Tensor& fake_batch, real real_label = 1);

// One gradient step of G: zero G's gradients, score fake = G(z) — which must carry G's graph —
// with the current D, backward through D into G, step G. D's parameters are held fixed (they
// get no gradient: D is a constant of G's loss), so only g_optimizer's parameters change; D's
// buffers (batch norm's running statistics, which its forward in training mode moves) are put
// back as they were, so the step leaves D exactly as it found it.
GeneratorStats generator_step(nn::Module& discriminator, optim::Optimizer& g_optimizer, const Tensor& fake,
                              GeneratorLoss loss = GeneratorLoss::non_saturating);

// Mean of σ(ℓ) over logits (B, 1): the average probability D assigns to "real".
double mean_probability(const Tensor& logits);

// --- sampling, without a graph ------------------------------------------------------------------

// G(z) for codes z (n, latent): (n, data). G runs in eval mode (batch norm with its running
// statistics, so one code gives one image whatever else is in the batch) and is put back in the
// mode it was in.
Tensor generate(nn::Module& generator, const Tensor& z);
// G(z) for n fresh codes z ~ N(0, I) drawn from rng: (n, data).
Tensor generate(nn::Module& generator, std::size_t n, std::size_t latent, Rng& rng);
// n images of a tanh generator mapped from [−1, 1] to [0, 1] (for PNGs and the evaluator),
// drawn 1000 codes at a time: (n, data).
Tensor sample_images(nn::Module& generator, std::size_t n, std::size_t latent, Rng& rng);
// A tanh generator's output x ∈ [−1, 1] as (x + 1) / 2 ∈ [0, 1].
Tensor to_unit_range(const Tensor& x);

// Spherical interpolation between two sets of latent codes (n, latent) at t ∈ [0, 1]: stays on
// the shell where N(0, I) puts its mass, where a straight line would pass through unusually
// short z. (n, latent)
Tensor slerp(const Tensor& a, const Tensor& b, double t);

// D(x) = σ(D's logit) on a 121 × 121 grid over [−3, 3]² (the toy's decision surface).
plot::Grid2D decision_surface(Discriminator& discriminator);

// --- the 2-D toy: a mixture of Gaussians on a ring ------------------------------------------------
//
//     p_data(x) = (1/K) Σₖ N(x; μₖ, σ² I),   μₖ = r (cos 2πk/K, sin 2πk/K)
//
// With K = 8, r = 2, σ = 0.02 (the benchmark of Metz et al. 2017 and Srivastava et al. 2017)
// the modes are far apart relative to their width, so a generator that collapses onto a few of
// them is easy to see and to count.
struct RingOfGaussians {
    std::size_t modes = 8;
    double radius = 2;
    double stddev = 0.02;

    std::array<double, 2> center(std::size_t k) const;
    Tensor sample(std::size_t n, Rng& rng) const;  // (n, 2)
    double density(double x, double y) const;      // p_data(x, y)
};

// How well samples (N, 2) cover the ring.
struct ModeCoverage {
    std::vector<std::size_t> per_mode;  // samples within 3σ of each centre
    std::size_t modes_covered = 0;      // modes holding at least 1% of the samples
    double high_quality_fraction = 0;   // samples within 3σ of some centre, over N
};
ModeCoverage mode_coverage(const Tensor& samples, const RingOfGaussians& ring);

}  // namespace mmgen::models
