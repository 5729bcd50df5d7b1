#include <mmgen/nn/modules.hpp>

#include <cmath>
#include <stdexcept>

#include <mmgen/core/ops.hpp>

namespace mmgen::nn {

Tensor Module::forward(const Tensor&) {
    throw std::logic_error("Module::forward: this module does not map one tensor to one tensor");
}

Tensor Module::register_parameter(std::string name, Tensor value) {
    value.set_requires_grad(true);
    parameters_.emplace_back(std::move(name), value);
    return value;
}

Tensor Module::register_buffer(std::string name, Tensor value) {
    value.set_requires_grad(false);
    buffers_.emplace_back(std::move(name), value);
    return value;
}

void Module::collect(const std::string& prefix, Named Module::*which, Named& out) const {
    for (const auto& [name, t] : this->*which) out.emplace_back(prefix + name, t);
    for (const auto& [name, child] : children_) child->collect(prefix + name + ".", which, out);
}

std::vector<std::pair<std::string, Tensor>> Module::named_parameters() const {
    Named out;
    collect("", &Module::parameters_, out);
    return out;
}

std::vector<std::pair<std::string, Tensor>> Module::named_buffers() const {
    Named out;
    collect("", &Module::buffers_, out);
    return out;
}

std::vector<std::pair<std::string, Tensor>> Module::named_state() const {
    Named out = named_parameters();
    for (auto& named : named_buffers()) out.push_back(std::move(named));
    return out;
}

std::vector<Tensor> Module::parameters() const {
    std::vector<Tensor> out;
    for (auto& [name, t] : named_parameters()) out.push_back(t);
    return out;
}

std::size_t Module::parameter_count() const {
    std::size_t n = 0;
    for (const auto& [name, t] : named_parameters()) n += t.numel();
    return n;
}

void Module::zero_grad() {
    for (auto& [name, t] : named_parameters()) t.zero_grad();
}

void Module::train(bool on) {
    training_ = on;
    for (auto& [name, child] : children_) child->train(on);
}

Linear::Linear(std::size_t in, std::size_t out, Rng& rng, Init init, bool with_bias) {
    if (in == 0 || out == 0)
        throw std::invalid_argument("Linear: in_features and out_features must be positive, got (" +
                                    std::to_string(in) + ", " + std::to_string(out) + ")");
    Tensor w = Tensor::empty({out, in});
    Tensor b = Tensor::zeros({out});
    if (init == Init::he) {
        rng.fill_normal(w.data(), 0, static_cast<real>(std::sqrt(2.0 / static_cast<double>(in))));
    } else if (init == Init::xavier) {
        const auto bound = static_cast<real>(std::sqrt(6.0 / static_cast<double>(in + out)));
        rng.fill_uniform(w.data(), -bound, bound);
    } else {
        const auto bound = static_cast<real>(1.0 / std::sqrt(static_cast<double>(in)));
        rng.fill_uniform(w.data(), -bound, bound);
        rng.fill_uniform(b.data(), -bound, bound);
    }
    weight = register_parameter("weight", w);
    if (with_bias) bias = register_parameter("bias", b);
}

Tensor Linear::forward(const Tensor& x) { return linear(x, weight, bias); }

Embedding::Embedding(std::size_t count, std::size_t dim, Rng& rng) {
    weight = register_parameter("weight", Tensor::randn({count, dim}, rng));
}

Tensor Embedding::forward(const std::vector<std::size_t>& indices) { return embedding(weight, indices); }

Tensor ReLU::forward(const Tensor& x) { return relu(x); }
Tensor LeakyReLU::forward(const Tensor& x) { return leaky_relu(x, slope); }
Tensor Tanh::forward(const Tensor& x) { return tanh(x); }
Tensor Sigmoid::forward(const Tensor& x) { return sigmoid(x); }

Dropout::Dropout(real probability, Rng& rng) : p(probability), rng_(&rng) {
    if (!(p >= 0 && p < 1)) throw std::invalid_argument("Dropout: p must lie in [0, 1), got " + std::to_string(p));
}

Tensor Dropout::forward(const Tensor& x) {
    if (!is_training() || p == 0) return x;
    Tensor mask = Tensor::empty(x.shape());  // 0 or 1/(1 − p)
    for (auto& m : mask.data()) m = rng_->uniform() < p ? real(0) : real(1) / (1 - p);
    return x * mask;
}

Tensor Sequential::forward(const Tensor& x) {
    Tensor h = x;
    for (auto& layer : layers_) h = layer->forward(h);
    return h;
}

namespace {
void add_activation(Sequential& net, Activation a, real slope) {
    switch (a) {
        case Activation::relu: net.add(std::make_shared<ReLU>()); break;
        case Activation::leaky_relu: net.add(std::make_shared<LeakyReLU>(slope)); break;
        case Activation::tanh: net.add(std::make_shared<Tanh>()); break;
        case Activation::sigmoid: net.add(std::make_shared<Sigmoid>()); break;
        case Activation::none: break;
    }
}
}  // namespace

std::shared_ptr<Sequential> mlp(const std::vector<std::size_t>& sizes, Rng& rng, Activation hidden,
                                Activation output, real slope, std::optional<Init> init_override, real dropout) {
    if (sizes.size() < 2) throw std::invalid_argument("mlp: needs at least an input and an output size");
    auto net = std::make_shared<Sequential>();
    for (std::size_t i = 0; i + 1 < sizes.size(); ++i) {
        const bool last = i + 2 == sizes.size();
        const Activation a = last ? output : hidden;
        const Init init = init_override ? *init_override
                          : (a == Activation::relu || a == Activation::leaky_relu) ? Init::he : Init::xavier;
        net->add(std::make_shared<Linear>(sizes[i], sizes[i + 1], rng, init));
        add_activation(*net, a, slope);
        if (!last && dropout > 0) net->add(std::make_shared<Dropout>(dropout, rng));
    }
    return net;
}

}  // namespace mmgen::nn
