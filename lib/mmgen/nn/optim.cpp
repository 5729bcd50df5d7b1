#include <mmgen/nn/optim.hpp>

#include <cmath>
#include <stdexcept>

#include <mmgen/core/autograd.hpp>
#include <mmgen/core/simd_clones.hpp>

namespace mmgen::optim {

namespace {
std::vector<Tensor> zeros_like_each(const std::vector<Tensor>& ps) {
    std::vector<Tensor> out;
    for (const auto& p : ps) out.push_back(Tensor::zeros(p.shape()));
    return out;
}
// One Adam update over n values (the loop Adam::step runs for each parameter), compiled for
// the widest vector unit the CPU has.
struct AdamConstants {
    real b1, b2, weight_decay, eps, step_size, inv_sqrt_c2;
};
MMGEN_SIMD_CLONES void adam_update(std::size_t n, const AdamConstants c, real* __restrict theta,
                                   const real* __restrict g, real* __restrict m, real* __restrict v) {
    for (std::size_t i = 0; i < n; ++i) {
        const real gi = g[i] + c.weight_decay * theta[i];
        m[i] = c.b1 * m[i] + (1 - c.b1) * gi;
        v[i] = c.b2 * v[i] + (1 - c.b2) * gi * gi;
        // θ −= lr · (m / c1) / (√(v / c2) + ε)
        theta[i] -= c.step_size * m[i] / (std::sqrt(v[i]) * c.inv_sqrt_c2 + c.eps);
    }
}

void require_positive_lr(const char* who, real lr) {
    if (!(lr > 0) || !std::isfinite(lr))
        throw std::invalid_argument(std::string(who) + ": learning rate must be positive and finite, got " +
                                    std::to_string(lr));
}
}  // namespace

Optimizer::Optimizer(std::vector<Tensor> parameters) : lr(0), parameters_(std::move(parameters)) {
    for (std::size_t k = 0; k < parameters_.size(); ++k) index_.emplace(&parameters_[k].node(), k);
}

void Optimizer::step() {
    begin_step();
    for (std::size_t k = 0; k < parameters_.size(); ++k)
        if (parameters_[k].has_grad()) update(k);
}

void Optimizer::backward_and_step(const Tensor& loss) {
    if (loss.numel() != 1)
        throw std::invalid_argument("backward_and_step: the loss must have one value, but it has shape " +
                                    loss.shape_str());
    begin_step();
    updated_.assign(parameters_.size(), false);
    const real one = 1;
    backward(loss, std::span<const real>(&one, 1), [&](Node& leaf) {
        const auto found = index_.find(&leaf);
        if (found == index_.end()) return;  // a leaf of the graph this optimizer does not update
        updated_[found->second] = true;
        update(found->second);
    });
    for (std::size_t k = 0; k < parameters_.size(); ++k)
        if (!updated_[k] && parameters_[k].has_grad()) update(k);
}

void Optimizer::zero_grad() {
    for (auto& p : parameters_) p.zero_grad();
}

Sgd::Sgd(std::vector<Tensor> ps, real learning_rate, real mu, real wd)
    : Optimizer(std::move(ps)), momentum(mu), weight_decay(wd), velocity_(zeros_like_each(parameters_)) {
    require_positive_lr("Sgd", learning_rate);
    lr = learning_rate;
}

void Sgd::update(std::size_t k) {
    Tensor& p = parameters_[k];
    auto theta = p.data();
    const auto g = p.grad();
    auto vel = velocity_[k].data();
    for (std::size_t i = 0; i < theta.size(); ++i) {
        const real gi = g[i] + weight_decay * theta[i];
        vel[i] = momentum * vel[i] + gi;
        theta[i] -= lr * vel[i];
    }
}

std::vector<std::pair<std::string, Tensor>> Sgd::state() {
    std::vector<std::pair<std::string, Tensor>> out;
    for (std::size_t k = 0; k < velocity_.size(); ++k) out.emplace_back("velocity." + std::to_string(k), velocity_[k]);
    return out;
}

Adam::Adam(std::vector<Tensor> ps, real learning_rate, real b1, real b2, real epsilon, real wd)
    : Optimizer(std::move(ps)), beta1(b1), beta2(b2), eps(epsilon), weight_decay(wd),
      m_(zeros_like_each(parameters_)), v_(zeros_like_each(parameters_)) {
    require_positive_lr("Adam", learning_rate);
    if (!(b1 >= 0 && b1 < 1 && b2 >= 0 && b2 < 1))
        throw std::invalid_argument("Adam: betas must lie in [0, 1), got (" + std::to_string(b1) + ", " +
                                    std::to_string(b2) + ")");
    lr = learning_rate;
}

void Adam::begin_step() {
    ++steps_;
    const auto t = static_cast<double>(steps_);
    // fold both bias corrections into one step size: lr · √(1 − β₂ᵗ) / (1 − β₁ᵗ), and ε scaled to match
    const double c1 = 1 - std::pow(static_cast<double>(beta1), t);
    const double c2 = 1 - std::pow(static_cast<double>(beta2), t);
    step_size_ = static_cast<real>(lr / c1);
    inv_sqrt_c2_ = static_cast<real>(1 / std::sqrt(c2));
}

void Adam::update(std::size_t k) {
    Tensor& p = parameters_[k];
    // Compiled wide, the update is a memory-bound stream over four arrays; it runs on the
    // calling thread. Splitting it with a second thread of our own made the step slower
    // here: both cores are held by OpenBLAS's threads, which spin for a while after every
    // GEMM (bench/README.md).
    adam_update(p.numel(), {beta1, beta2, weight_decay, eps, step_size_, inv_sqrt_c2_}, p.data().data(), p.grad().data(),
                m_[k].data().data(), v_[k].data().data());
}

std::vector<std::pair<std::string, Tensor>> Adam::state() {
    std::vector<std::pair<std::string, Tensor>> out;
    for (std::size_t k = 0; k < m_.size(); ++k) out.emplace_back("m." + std::to_string(k), m_[k]);
    for (std::size_t k = 0; k < v_.size(); ++k) out.emplace_back("v." + std::to_string(k), v_[k]);
    return out;
}

double linear_decay(double lr, std::size_t step, std::size_t total_steps, double decay_fraction) {
    const auto from = std::size_t(double(total_steps) * (1 - decay_fraction));
    return step < from ? lr : lr * double(total_steps - step) / double(total_steps - from);
}

}  // namespace mmgen::optim
