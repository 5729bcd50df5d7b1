#include <mmgen/models/gan.hpp>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <stdexcept>
#include <string>

#include <mmgen/core/autograd.hpp>
#include <mmgen/models/module_guards.hpp>
#include <mmgen/nn/losses.hpp>
#include <mmgen/core/ops.hpp>
#include <mmgen/core/scalar_math.hpp>

namespace mmgen::models {

namespace {
std::vector<std::size_t> layer_sizes(std::size_t in, const std::vector<std::size_t>& hidden, std::size_t out) {
    std::vector<std::size_t> sizes{in};
    sizes.insert(sizes.end(), hidden.begin(), hidden.end());
    sizes.push_back(out);
    return sizes;
}

void require_logits(const char* who, const Tensor& logits) {
    if (logits.rank() != 2 || logits.dim(1) != 1)
        throw std::invalid_argument(std::string(who) + ": expected discriminator logits of shape (B, 1), got " +
                                    logits.shape_str());
}
}  // namespace

Generator::Generator(const GanConfig& c, Rng& rng) {
    net = register_module("net", nn::mlp(layer_sizes(c.latent, c.generator_hidden, c.data), rng, c.generator_activation,
                                         nn::Activation::none, c.leaky_slope));
    if (c.tanh_output) net->add(std::make_shared<nn::Tanh>());
}

Tensor Generator::forward(const Tensor& z) { return net->forward(z); }

Discriminator::Discriminator(const GanConfig& c, Rng& rng) {
    net = register_module("net", nn::mlp(layer_sizes(c.data, c.discriminator_hidden, 1), rng, c.discriminator_activation,
                                         nn::Activation::none, c.leaky_slope, std::nullopt, c.discriminator_dropout));
}

Tensor Discriminator::forward(const Tensor& x) { return net->forward(x); }

// --- losses ----------------------------------------------------------------------------------------

// L_D = BCE(ℓ_real, 1) + BCE(ℓ_fake, 0) = −mean log σ(ℓ_real) − mean log(1 − σ(ℓ_fake))
Tensor discriminator_loss(const Tensor& d_real_logits, const Tensor& d_fake_logits, real real_label) {
    require_logits("discriminator_loss", d_real_logits);
    require_logits("discriminator_loss", d_fake_logits);
    const Tensor real_targets = Tensor::full(d_real_logits.shape(), real_label);  // (B, 1)
    const Tensor fake_targets = Tensor::zeros(d_fake_logits.shape());            // (B, 1)
    return bce_with_logits(d_real_logits, real_targets) + bce_with_logits(d_fake_logits, fake_targets);
}

// mean log(1 − σ(ℓ)) = −BCE(ℓ, 0);   ∂/∂ℓ = −σ(ℓ)
Tensor generator_loss_minimax(const Tensor& d_fake_logits) {
    require_logits("generator_loss_minimax", d_fake_logits);
    return -bce_with_logits(d_fake_logits, Tensor::zeros(d_fake_logits.shape()));
}

// −mean log σ(ℓ) = BCE(ℓ, 1);   ∂/∂ℓ = σ(ℓ) − 1
Tensor generator_loss_non_saturating(const Tensor& d_fake_logits) {
    require_logits("generator_loss_non_saturating", d_fake_logits);
    return bce_with_logits(d_fake_logits, Tensor::ones(d_fake_logits.shape()));
}

Tensor generator_loss(const Tensor& d_fake_logits, GeneratorLoss kind) {
    return kind == GeneratorLoss::minimax ? generator_loss_minimax(d_fake_logits)
                                          : generator_loss_non_saturating(d_fake_logits);
}

const char* generator_loss_name(GeneratorLoss kind) {
    return kind == GeneratorLoss::minimax ? "minimax" : "non-saturating";
}

double mean_probability(const Tensor& logits) {
    double total = 0;
    for (real v : logits.data()) total += logistic(static_cast<double>(v));
    return logits.numel() ? total / static_cast<double>(logits.numel()) : 0.0;
}

// --- the alternating update ------------------------------------------------------------------------

DiscriminatorStats discriminator_step(nn::Module& discriminator, optim::Optimizer& d_optimizer,
                                      const Tensor& real_batch, const Tensor& fake_batch, real real_label) {
    d_optimizer.zero_grad();
    const Tensor real_logits = discriminator(real_batch);           // (B, 1)
    const Tensor fake_logits = discriminator(fake_batch.detach());  // (B, 1); detach: this step must not touch G
    Tensor loss = discriminator_loss(real_logits, fake_logits, real_label);
    d_optimizer.backward_and_step(loss);  // backward() then step(), fused (optim.hpp)
    return {loss.item(), mean_probability(real_logits), mean_probability(fake_logits)};
}

GeneratorStats generator_step(nn::Module& discriminator, optim::Optimizer& g_optimizer, const Tensor& fake,
                              GeneratorLoss kind) {
    if (!fake.requires_grad())
        throw std::invalid_argument("generator_step: the fake batch " + fake.shape_str() +
                                    " carries no graph back to G (was it detached, or made under NoGradGuard?)");
    g_optimizer.zero_grad();
    const FrozenModule frozen(discriminator);  // D is a constant of G's loss
    const Tensor fake_logits = discriminator(fake);  // (B, 1), graph through D into G
    Tensor loss = generator_loss(fake_logits, kind);
    g_optimizer.backward_and_step(loss);  // backward() then step(), fused (optim.hpp)
    return {loss.item(), mean_probability(fake_logits)};
}

// --- the ring of Gaussians -----------------------------------------------------------------------

std::array<double, 2> RingOfGaussians::center(std::size_t k) const {
    const double angle = 2 * std::numbers::pi * static_cast<double>(k) / static_cast<double>(modes);
    return {radius * std::cos(angle), radius * std::sin(angle)};
}

Tensor RingOfGaussians::sample(std::size_t n, Rng& rng) const {
    Tensor x = Tensor::empty({n, 2});  // (n, 2)
    for (std::size_t i = 0; i < n; ++i) {
        const auto mu = center(rng.below(modes));
        x.at(i, 0) = static_cast<real>(mu[0] + stddev * rng.normal());
        x.at(i, 1) = static_cast<real>(mu[1] + stddev * rng.normal());
    }
    return x;
}

double RingOfGaussians::density(double x, double y) const {
    double p = 0;
    for (std::size_t k = 0; k < modes; ++k) {
        const auto mu = center(k);
        const double d2 = (x - mu[0]) * (x - mu[0]) + (y - mu[1]) * (y - mu[1]);
        p += std::exp(-d2 / (2 * stddev * stddev)) / (2 * std::numbers::pi * stddev * stddev);
    }
    return p / static_cast<double>(modes);
}

ModeCoverage mode_coverage(const Tensor& samples, const RingOfGaussians& ring) {
    if (samples.rank() != 2 || samples.dim(1) != 2)
        throw std::invalid_argument("mode_coverage: expected samples of shape (N, 2), got " + samples.shape_str());
    ModeCoverage c;
    c.per_mode.assign(ring.modes, 0);
    const std::size_t n = samples.dim(0);
    const double within = 3 * ring.stddev;
    std::size_t good = 0;
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t k = 0; k < ring.modes; ++k) {
            const auto mu = ring.center(k);
            if (std::hypot(samples.at(i, 0) - mu[0], samples.at(i, 1) - mu[1]) <= within) {
                ++c.per_mode[k], ++good;
                break;  // the modes are ≫ 3σ apart, so at most one can match
            }
        }
    for (std::size_t count : c.per_mode) c.modes_covered += static_cast<double>(count) >= 0.01 * static_cast<double>(n);
    c.high_quality_fraction = n ? static_cast<double>(good) / static_cast<double>(n) : 0.0;
    return c;
}

// --- sampling ------------------------------------------------------------------------------------

Tensor generate(nn::Module& generator, const Tensor& z) {
    NoGradGuard no_grad;
    const EvalMode eval(generator);
    return generator(z);  // (n, data)
}

Tensor generate(nn::Module& generator, std::size_t n, std::size_t latent, Rng& rng) {
    NoGradGuard no_grad;
    const EvalMode eval(generator);
    return generator(Tensor::randn({n, latent}, rng));  // (n, data)
}

Tensor to_unit_range(const Tensor& x) {
    NoGradGuard no_grad;
    return (x + real(1)) * real(0.5);
}

Tensor sample_images(nn::Module& generator, std::size_t n, std::size_t latent, Rng& rng) {
    std::vector<Tensor> parts;  // (≤ 1000, data) each
    for (std::size_t start = 0; start < n; start += 1000)
        parts.push_back(to_unit_range(generate(generator, std::min<std::size_t>(1000, n - start), latent, rng)));
    return concat(parts, 0);  // (n, data)
}

Tensor slerp(const Tensor& a, const Tensor& b, double t) {
    Tensor out = Tensor::empty(a.shape());
    const std::size_t rows = a.dim(0), d = a.dim(1);
    for (std::size_t r = 0; r < rows; ++r) {
        double dot = 0, na = 0, nb = 0;
        for (std::size_t j = 0; j < d; ++j)
            dot += a.at(r, j) * b.at(r, j), na += a.at(r, j) * a.at(r, j), nb += b.at(r, j) * b.at(r, j);
        const double omega = std::acos(std::clamp(dot / std::sqrt(na * nb), -1.0, 1.0));
        const double wa = omega < 1e-6 ? 1 - t : std::sin((1 - t) * omega) / std::sin(omega);
        const double wb = omega < 1e-6 ? t : std::sin(t * omega) / std::sin(omega);
        for (std::size_t j = 0; j < d; ++j) out.at(r, j) = real(wa * a.at(r, j) + wb * b.at(r, j));
    }
    return out;
}

// D(x) = σ(D's logit) on a grid over [−3, 3]²
plot::Grid2D decision_surface(Discriminator& d) {
    NoGradGuard no_grad;
    plot::Grid2D grid{-3, 3, -3, 3, 121, 121, {}};
    Tensor points = Tensor::empty({grid.nx * grid.ny, 2});  // (nx·ny, 2)
    for (std::size_t j = 0; j < grid.ny; ++j)
        for (std::size_t i = 0; i < grid.nx; ++i)
            points.at(j * grid.nx + i, 0) = real(grid.x_at(i)), points.at(j * grid.nx + i, 1) = real(grid.y_at(j));
    const Tensor p = sigmoid(d(points));  // (nx·ny, 1)
    grid.values.assign(p.data().begin(), p.data().end());
    return grid;
}

}  // namespace mmgen::models
