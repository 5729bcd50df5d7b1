#pragma once
// Two scoped guards over a module, used wherever one player of a game is trained through
// another that must stay as it is (gan.cpp's generator_step, vae_gan.cpp's VAE step) or a model
// must be sampled in eval mode:
//
//   FrozenModule  while it lives, the module's parameters are constants of the graph (no
//                 gradient is computed for them, so backward() skips the GEMMs that would), and
//                 at the end its buffers (batch norm's running statistics, which a forward in
//                 training mode moves) are put back as they were
//   EvalMode      while it lives, the module is in eval mode; at the end, back in the mode it was in
#include <algorithm>
#include <utility>
#include <vector>

#include <mmgen/nn/modules.hpp>

namespace mmgen::models {

class FrozenModule {
public:
    explicit FrozenModule(const nn::Module& module) : parameters_(module.parameters()) {
        for (auto& p : parameters_) p.set_requires_grad(false);
        for (auto& [name, b] : module.named_buffers()) buffers_.emplace_back(b, b.to_vector());
    }
    ~FrozenModule() {
        for (auto& p : parameters_) p.set_requires_grad(true);
        for (auto& [b, values] : buffers_) std::copy(values.begin(), values.end(), b.data().begin());
    }
    FrozenModule(const FrozenModule&) = delete;
    FrozenModule& operator=(const FrozenModule&) = delete;

private:
    std::vector<Tensor> parameters_;
    std::vector<std::pair<Tensor, std::vector<real>>> buffers_;  // (buffer, its values at the start)
};

class EvalMode {
public:
    explicit EvalMode(nn::Module& module) : module_(module), was_training_(module.is_training()) { module_.eval(); }
    ~EvalMode() { module_.train(was_training_); }
    EvalMode(const EvalMode&) = delete;
    EvalMode& operator=(const EvalMode&) = delete;

private:
    nn::Module& module_;
    bool was_training_;
};

}  // namespace mmgen::models
