#include <mmgen/optim.hpp>

#include <cmath>
#include <stdexcept>

#include <mmgen/parallel.hpp>

namespace mmgen::optim {

namespace {
std::vector<Tensor> zeros_like_each(const std::vector<Tensor>& ps) {
    std::vector<Tensor> out;
    for (const auto& p : ps) out.push_back(Tensor::zeros(p.shape()));
    return out;
}
void require_positive_lr(const char* who, real lr) {
    if (!(lr > 0) || !std::isfinite(lr))
        throw std::invalid_argument(std::string(who) + ": learning rate must be positive and finite, got " +
                                    std::to_string(lr));
}
}  // namespace

Optimizer::Optimizer(std::vector<Tensor> parameters) : lr(0), parameters_(std::move(parameters)) {}

void Optimizer::zero_grad() {
    for (auto& p : parameters_) p.zero_grad();
}

Sgd::Sgd(std::vector<Tensor> ps, real learning_rate, real mu, real wd)
    : Optimizer(std::move(ps)), momentum(mu), weight_decay(wd), velocity_(zeros_like_each(parameters_)) {
    require_positive_lr("Sgd", learning_rate);
    lr = learning_rate;
}

void Sgd::step() {
    ++steps_;
    for (std::size_t k = 0; k < parameters_.size(); ++k) {
        Tensor& p = parameters_[k];
        if (!p.has_grad()) continue;
        auto theta = p.data();
        const auto g = p.grad();
        auto vel = velocity_[k].data();
        for (std::size_t i = 0; i < theta.size(); ++i) {
            const real gi = g[i] + weight_decay * theta[i];
            vel[i] = momentum * vel[i] + gi;
            theta[i] -= lr * vel[i];
        }
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

void Adam::step() {
    ++steps_;
    const auto t = static_cast<double>(steps_);
    // fold both bias corrections into one step size: lr · √(1 − β₂ᵗ) / (1 − β₁ᵗ), and ε scaled to match
    const double c1 = 1 - std::pow(static_cast<double>(beta1), t);
    const double c2 = 1 - std::pow(static_cast<double>(beta2), t);
    const auto step_size = static_cast<real>(lr / c1);
    const auto inv_sqrt_c2 = static_cast<real>(1 / std::sqrt(c2));
    for (std::size_t k = 0; k < parameters_.size(); ++k) {
        Tensor& p = parameters_[k];
        if (!p.has_grad()) continue;
        real* __restrict theta = p.data().data();
        const real* __restrict g = p.grad().data();
        real* __restrict m = m_[k].data().data();
        real* __restrict v = v_[k].data().data();
        const real b1 = beta1, b2 = beta2, wd = weight_decay, e = eps;
        // a memory-bound stream over four arrays: split between the cores
        parallel_for(p.numel(), [=](std::size_t begin, std::size_t end) {
            for (std::size_t i = begin; i < end; ++i) {
                const real gi = g[i] + wd * theta[i];
                m[i] = b1 * m[i] + (1 - b1) * gi;
                v[i] = b2 * v[i] + (1 - b2) * gi * gi;
                // θ −= lr · (m / c1) / (√(v / c2) + ε)
                theta[i] -= step_size * m[i] / (std::sqrt(v[i]) * inv_sqrt_c2 + e);
            }
        });
    }
}

std::vector<std::pair<std::string, Tensor>> Adam::state() {
    std::vector<std::pair<std::string, Tensor>> out;
    for (std::size_t k = 0; k < m_.size(); ++k) out.emplace_back("m." + std::to_string(k), m_[k]);
    for (std::size_t k = 0; k < v_.size(); ++k) out.emplace_back("v." + std::to_string(k), v_[k]);
    return out;
}

}  // namespace mmgen::optim
