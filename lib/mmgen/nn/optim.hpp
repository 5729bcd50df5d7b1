#pragma once
// Optimizers: they read each parameter's accumulated gradient and update its values in place.
// Parameters that received no gradient are left alone. Weight decay is the L2 form, added to
// the gradient (g ← g + λθ), as in PyTorch's SGD and Adam.
#include <cstdint>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include <mmgen/core/tensor.hpp>

namespace mmgen::optim {

class Optimizer {
public:
    explicit Optimizer(std::vector<Tensor> parameters);
    virtual ~Optimizer() = default;
    // One update of every parameter that has a gradient, from the gradients accumulated so far.
    void step();
    // loss.backward() and step() in one pass, with the same result to the last bit: each
    // parameter is updated the moment its gradient is final (autograd's on_leaf_ready), while
    // that gradient is still in cache, instead of in a second sweep over every parameter, its
    // gradient and the optimizer's state once the backward pass is over. Right because no
    // closure reads a parameter after its last user's closure has run. Parameters the pass does
    // not reach are updated at the end, as step() would (a zeroed gradient still moves Adam's m).
    void backward_and_step(const Tensor& loss);
    void zero_grad();  // clears the gradients of the parameters it updates

    // Everything needed to resume: named state tensors and the step count.
    virtual std::vector<std::pair<std::string, Tensor>> state() = 0;
    std::int64_t steps() const { return steps_; }
    void set_steps(std::int64_t s) { steps_ = s; }
    const std::vector<Tensor>& parameters() const { return parameters_; }

    real lr;

protected:
    // step() is begin_step() (the step count and what depends on it only), then update(k) for
    // each parameter k with a gradient
    virtual void begin_step() { ++steps_; }
    virtual void update(std::size_t k) = 0;
    std::vector<Tensor> parameters_;
    std::int64_t steps_ = 0;

private:
    std::unordered_map<const Node*, std::size_t> index_;  // parameter k's node → k, for backward_and_step
    std::vector<bool> updated_;                           // which k backward_and_step has updated this pass
};

// SGD with momentum μ:  v ← μ v + g;  θ ← θ − lr · v   (μ = 0: plain gradient descent)
class Sgd : public Optimizer {
public:
    Sgd(std::vector<Tensor> parameters, real lr, real momentum = 0, real weight_decay = 0);
    std::vector<std::pair<std::string, Tensor>> state() override;
    real momentum, weight_decay;

private:
    void update(std::size_t k) override;
    std::vector<Tensor> velocity_;
};

// Adam (Kingma & Ba 2015), with bias correction:
//   m ← β₁ m + (1 − β₁) g;   v ← β₂ v + (1 − β₂) g²
//   m̂ = m / (1 − β₁ᵗ);       v̂ = v / (1 − β₂ᵗ);      θ ← θ − lr · m̂ / (√v̂ + ε)
class Adam : public Optimizer {
public:
    Adam(std::vector<Tensor> parameters, real lr = real(1e-3), real beta1 = real(0.9), real beta2 = real(0.999),
         real eps = real(1e-8), real weight_decay = 0);
    std::vector<std::pair<std::string, Tensor>> state() override;
    real beta1, beta2, eps, weight_decay;

private:
    void begin_step() override;
    void update(std::size_t k) override;
    std::vector<Tensor> m_, v_;
    real step_size_ = 0, inv_sqrt_c2_ = 0;  // this step's, set by begin_step
};

// A learning rate held at `lr` for the first (1 − decay_fraction) of a run's `total_steps`, then
// falling linearly to 0 at the last step (the GAN chapters' schedule: the last steps average the
// game's oscillation out instead of adding to it). `step` counts from 0.
double linear_decay(double lr, std::size_t step, std::size_t total_steps, double decay_fraction = 0.5);

}  // namespace mmgen::optim
