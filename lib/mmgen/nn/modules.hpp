#pragma once
// Neural-network modules: parameters with names, nested modules, train/eval mode.
//
// A Module owns named parameters (leaf Tensors that require a gradient) and named child
// modules; named_parameters() walks the tree and joins the names with dots, so a weight reads
// "encoder.0.weight" — the same names a checkpoint stores.
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <mmgen/core/random.hpp>
#include <mmgen/core/tensor.hpp>

namespace mmgen::nn {

class Module {
public:
    virtual ~Module() = default;
    Module() = default;
    Module(const Module&) = delete;
    Module& operator=(const Module&) = delete;

    // Modules used in a Sequential map one tensor to one tensor.
    virtual Tensor forward(const Tensor& x);
    Tensor operator()(const Tensor& x) { return forward(x); }

    std::vector<std::pair<std::string, Tensor>> named_parameters() const;
    std::vector<Tensor> parameters() const;
    // Buffers: state that gradients do not train but a checkpoint must keep (batch norm's
    // running statistics), named like parameters ("features.1.running_mean").
    std::vector<std::pair<std::string, Tensor>> named_buffers() const;
    // Parameters, then buffers: everything a checkpoint of the module holds (PyTorch's state_dict).
    std::vector<std::pair<std::string, Tensor>> named_state() const;
    std::size_t parameter_count() const;  // number of scalar values
    void zero_grad();                     // clears every parameter's gradient

    void train(bool on = true);  // also sets every child
    void eval() { train(false); }
    bool is_training() const { return training_; }

protected:
    Tensor register_parameter(std::string name, Tensor value);  // marks it requires_grad
    Tensor register_buffer(std::string name, Tensor value);     // a leaf without a gradient
    template <class M>
    std::shared_ptr<M> register_module(std::string name, std::shared_ptr<M> child) {
        children_.emplace_back(std::move(name), child);
        return child;
    }

private:
    using Named = std::vector<std::pair<std::string, Tensor>>;
    void collect(const std::string& prefix, Named Module::*which, Named& out) const;
    std::vector<std::pair<std::string, Tensor>> parameters_;
    std::vector<std::pair<std::string, Tensor>> buffers_;
    std::vector<std::pair<std::string, std::shared_ptr<Module>>> children_;
    bool training_ = true;
};

enum class Init {
    he,      // N(0, 2/in): keeps activation variance through ReLU layers (He et al. 2015)
    xavier,  // U(±√(6/(in + out))): keeps variance for tanh/linear layers (Glorot & Bengio 2010)
    fan_in,  // U(±1/√in) for weight and bias: PyTorch's default for nn.Linear (kaiming_uniform, a = √5)
};

// y = x Wᵀ + b with W (out, in) and b (out) — PyTorch's layout, so checkpoints line up.
class Linear : public Module {
public:
    Linear(std::size_t in_features, std::size_t out_features, Rng& rng, Init init = Init::he, bool bias = true);
    Tensor forward(const Tensor& x) override;  // (B, in) → (B, out)
    Tensor weight, bias;
};

// A table of `count` vectors of size `dim`; forward picks rows by index.
class Embedding : public Module {
public:
    Embedding(std::size_t count, std::size_t dim, Rng& rng);
    Tensor forward(const std::vector<std::size_t>& indices);  // → (indices.size(), dim)
    Tensor weight;
};

class ReLU : public Module {
public:
    Tensor forward(const Tensor& x) override;
};
class LeakyReLU : public Module {
public:
    explicit LeakyReLU(real negative_slope = real(0.2)) : slope(negative_slope) {}
    Tensor forward(const Tensor& x) override;
    real slope;
};
class Tanh : public Module {
public:
    Tensor forward(const Tensor& x) override;
};
class Sigmoid : public Module {
public:
    Tensor forward(const Tensor& x) override;
};

// Inverted dropout: in training, zeroes each value with probability p and scales the rest by
// 1/(1 − p) so the expectation is unchanged; the identity in eval mode.
class Dropout : public Module {
public:
    Dropout(real p, Rng& rng);
    Tensor forward(const Tensor& x) override;
    real p;

private:
    Rng* rng_;
};

// Children applied in order, named "0", "1", …
class Sequential : public Module {
public:
    Sequential() = default;
    template <class M>
    Sequential& add(std::shared_ptr<M> layer) {
        layers_.push_back(register_module(std::to_string(layers_.size()), std::move(layer)));
        return *this;
    }
    Tensor forward(const Tensor& x) override;
    std::size_t size() const { return layers_.size(); }
    Module& operator[](std::size_t i) { return *layers_.at(i); }

private:
    std::vector<std::shared_ptr<Module>> layers_;
};

enum class Activation { relu, leaky_relu, tanh, sigmoid, none };

// A multilayer perceptron: Linear layers of the given sizes with `hidden` between them and
// `output` after the last (none: logits). mlp({784, 400, 10}, …) = Linear, act, Linear.
// init: nullopt picks He for layers followed by (leaky) ReLU and Xavier otherwise.
// dropout > 0: Dropout(dropout) after each hidden activation (a GAN discriminator's), drawing from rng.
std::shared_ptr<Sequential> mlp(const std::vector<std::size_t>& sizes, Rng& rng, Activation hidden = Activation::relu,
                                Activation output = Activation::none, real leaky_slope = real(0.2),
                                std::optional<Init> init = std::nullopt, real dropout = 0);

}  // namespace mmgen::nn
