// nn: named parameters, nesting, train/eval, the layers, initialisation statistics.
#include <algorithm>
#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include <mmgen/core/autograd.hpp>
#include <mmgen/nn/modules.hpp>
#include <mmgen/core/ops.hpp>

#include "support.hpp"

using namespace mmgen;
using mmgen::test::random_input;
using mmgen::test::require_close;
using mmgen::test::require_gradient_matches;
using mmgen::test::require_values;

namespace {

// A module that owns two child networks and a parameter of its own, as a VAE would.
class Autoencoder : public nn::Module {
public:
    explicit Autoencoder(Rng& rng)
        : scale(register_parameter("scale", Tensor::ones({1}))),
          encoder(register_module("encoder", nn::mlp({4, 3, 2}, rng))),
          decoder(register_module("decoder", nn::mlp({2, 4}, rng))) {}
    Tensor forward(const Tensor& x) override { return (*decoder)((*encoder)(x)) * scale; }
    Tensor scale;
    std::shared_ptr<nn::Sequential> encoder, decoder;
};

std::vector<std::string> names_of(const nn::Module& m) {
    std::vector<std::string> names;
    for (const auto& [name, t] : m.named_parameters()) names.push_back(name);
    return names;
}

struct Moments {
    double mean = 0, variance = 0;
};
Moments moments_of(const Tensor& t) {
    Moments s;
    for (real v : t.data()) s.mean += v;
    s.mean /= static_cast<double>(t.numel());
    for (real v : t.data()) s.variance += (v - s.mean) * (v - s.mean);
    s.variance /= static_cast<double>(t.numel());
    return s;
}

}  // namespace

TEST_CASE("an mlp names its parameters by layer index", "[nn]") {
    Rng rng(1);
    const auto net = nn::mlp({4, 8, 3}, rng);  // Linear(4, 8), ReLU, Linear(8, 3)
    SECTION("names and shapes follow PyTorch's layout: weight (out, in), bias (out)") {
        CHECK(names_of(*net) == std::vector<std::string>{"0.weight", "0.bias", "2.weight", "2.bias"});
        const auto params = net->named_parameters();
        CHECK(params[0].second.shape() == Shape{8, 4});
        CHECK(params[1].second.shape() == Shape{8});
        CHECK(params[2].second.shape() == Shape{3, 8});
        CHECK(params[3].second.shape() == Shape{3});
    }
    SECTION("layers: Linear, activation, Linear; no activation after the last by default") {
        CHECK(net->size() == 3);
        CHECK(nn::mlp({4, 8, 3}, rng, nn::Activation::relu, nn::Activation::sigmoid)->size() == 4);
    }
    SECTION("parameter_count counts scalar values: 4·8 + 8 + 8·3 + 3 = 67") { CHECK(net->parameter_count() == 67); }
    SECTION("every parameter is a leaf that requires a gradient") {
        for (const Tensor& p : net->parameters()) {
            CHECK(p.requires_grad());
            CHECK(p.is_leaf());
        }
    }
}

TEST_CASE("nested modules join their names with dots", "[nn]") {
    Rng rng(2);
    const Autoencoder model(rng);
    CHECK(names_of(model) == std::vector<std::string>{"scale", "encoder.0.weight", "encoder.0.bias",
                                                      "encoder.2.weight", "encoder.2.bias", "decoder.0.weight",
                                                      "decoder.0.bias"});
    // scale 1; encoder 4·3 + 3 + 3·2 + 2 = 23; decoder 2·4 + 4 = 12
    CHECK(model.parameter_count() == 36);
    SECTION("the named tensors are the modules' own handles") {
        CHECK(model.named_parameters()[1].second.same_as(model.encoder->named_parameters()[0].second));
    }
}

TEST_CASE("zero_grad clears every parameter's gradient", "[nn]") {
    Rng rng(3);
    Autoencoder model(rng);
    sum(model(Tensor::uniform({5, 4}, rng, -1, 1))).backward();
    bool any_nonzero = false;
    for (const Tensor& p : model.parameters())
        for (real g : p.grad()) any_nonzero = any_nonzero || g != 0;
    REQUIRE(any_nonzero);
    model.zero_grad();
    for (const auto& [name, p] : model.named_parameters()) {
        INFO(name);
        for (real g : p.grad()) CHECK(g == 0);
    }
}

TEST_CASE("train and eval propagate to every child", "[nn]") {
    Rng rng(4);
    Autoencoder model(rng);
    CHECK(model.is_training());
    model.eval();
    CHECK_FALSE(model.is_training());
    CHECK_FALSE(model.encoder->is_training());
    CHECK_FALSE((*model.decoder)[0].is_training());
    model.train();
    CHECK(model.encoder->is_training());
    CHECK((*model.encoder)[1].is_training());
}

TEST_CASE("Linear computes x Wᵀ + b and backpropagates to its parameters", "[nn]") {
    Rng rng(5);
    nn::Linear layer(2, 3, rng);
    SECTION("the bias starts at zero") {
        for (real b : layer.bias.data()) CHECK(b == 0);
    }
    SECTION("forward") {
        // W = [[1, 0], [1, 1], [0, 2]], b = [0.5, 0, −1], x = [[1, 2]]: [1.5, 3, 3]
        std::vector<real> w{1, 0, 1, 1, 0, 2}, b{0.5, 0, -1};
        std::copy(w.begin(), w.end(), layer.weight.data().begin());
        std::copy(b.begin(), b.end(), layer.bias.data().begin());
        require_values(layer(Tensor::from_data({1, 2}, {1, 2})), {1.5, 3, 3});
    }
    SECTION("without a bias it has only a weight") {
        nn::Linear no_bias(2, 3, rng, nn::Init::he, false);
        CHECK(names_of(no_bias) == std::vector<std::string>{"weight"});
        CHECK_FALSE(no_bias.bias.defined());
    }
}

TEST_CASE("an mlp backpropagates to every parameter", "[nn][gradcheck]") {
    Rng rng(6);
    auto net = nn::mlp({3, 5, 2}, rng, nn::Activation::tanh, nn::Activation::sigmoid);
    const Tensor x = random_input({4, 3}, rng);
    std::vector<Tensor> params = net->parameters();
    // gradcheck perturbs the parameters in place; the network reads them through its own handles
    require_gradient_matches("mlp", [&](const std::vector<Tensor>&) { return (*net)(x); }, params);
}

TEST_CASE("Embedding picks rows of its table", "[nn]") {
    Rng rng(7);
    nn::Embedding table(5, 3, rng);
    CHECK(names_of(table) == std::vector<std::string>{"weight"});
    CHECK(table.weight.shape() == Shape{5, 3});
    const Tensor y = table.forward({4, 0, 4});
    CHECK(y.shape() == Shape{3, 3});
    for (std::size_t j = 0; j < 3; ++j) {
        CHECK(y.at(0, j) == table.weight.at(4, j));
        CHECK(y.at(1, j) == table.weight.at(0, j));
        CHECK(y.at(2, j) == table.weight.at(4, j));
    }
}

TEST_CASE("activation modules apply their functions", "[nn]") {
    const Tensor x = Tensor::from_data({3}, {-2, 0, 1});
    require_values(nn::ReLU()(x), {0, 0, 1});
    require_values(nn::LeakyReLU(0.2)(x), {-0.4, 0, 1});
    require_values(nn::Tanh()(x), {std::tanh(-2.0), 0, std::tanh(1.0)});
    require_values(nn::Sigmoid()(x), {1 / (1 + std::exp(2.0)), 0.5, 1 / (1 + std::exp(-1.0))});
}

TEST_CASE("Dropout is the identity in eval and keeps the mean in training", "[nn]") {
    Rng rng(8);
    const real p = 0.3;
    nn::Dropout dropout(p, rng);
    const Tensor x = Tensor::full({200, 100}, 2);
    SECTION("eval: the identity") {
        dropout.eval();
        CHECK(dropout(x).to_vector() == x.to_vector());
    }
    SECTION("training: about p of the values are zeroed, the rest scaled by 1/(1 − p)") {
        const Tensor y = dropout(x);
        std::size_t zeros = 0, scaled = 0;
        for (real v : y.data()) {
            if (v == 0) ++zeros;
            if (std::abs(v - 2 / (1 - p)) <= mmgen::test::tol.rel * 2 / (1 - p)) ++scaled;
        }
        CHECK(zeros + scaled == y.numel());
        // 20 000 Bernoulli(0.3) draws: the fraction's standard deviation is 0.003
        CHECK_THAT(static_cast<double>(zeros) / static_cast<double>(y.numel()), Catch::Matchers::WithinAbs(p, 0.015));
        CHECK_THAT(moments_of(y).mean, Catch::Matchers::WithinRel(2.0, 0.03));
    }
    SECTION("training: the gradient flows only through the kept values") {
        const Tensor input = Tensor::ones({10, 10}, true);
        const Tensor y = dropout(input);
        sum(y).backward();
        for (std::size_t i = 0; i < y.numel(); ++i) CHECK(input.grad()[i] == y.data()[i]);
    }
    SECTION("p outside [0, 1) is rejected") {
        CHECK_THROWS_AS(nn::Dropout(1, rng), std::invalid_argument);
        CHECK_THROWS_AS(nn::Dropout(-0.1, rng), std::invalid_argument);
    }
}

TEST_CASE("He and Xavier initialisation have the intended statistics", "[nn]") {
    Rng rng(9);
    const std::size_t in = 400, out = 300;  // 120 000 weights
    SECTION("He: N(0, 2/in)") {
        const nn::Linear layer(in, out, rng, nn::Init::he);
        const Moments m = moments_of(layer.weight);
        CHECK_THAT(m.mean, Catch::Matchers::WithinAbs(0, 0.01 * std::sqrt(2.0 / in)));
        CHECK_THAT(m.variance, Catch::Matchers::WithinRel(2.0 / in, 0.02));
    }
    SECTION("Xavier: U(±√(6/(in + out))), variance 2/(in + out)") {
        const nn::Linear layer(in, out, rng, nn::Init::xavier);
        const double bound = std::sqrt(6.0 / (in + out));
        const Moments m = moments_of(layer.weight);
        CHECK_THAT(m.variance, Catch::Matchers::WithinRel(2.0 / (in + out), 0.02));
        double largest = 0;
        for (real w : layer.weight.data()) largest = std::max(largest, std::abs(static_cast<double>(w)));
        CHECK(largest <= bound);
        CHECK(largest > 0.99 * bound);
    }
    SECTION("an mlp uses He before ReLU and Xavier before a linear output") {
        const auto net = nn::mlp({in, out, 10}, rng);
        const auto params = net->named_parameters();
        CHECK_THAT(moments_of(params[0].second).variance, Catch::Matchers::WithinRel(2.0 / in, 0.02));
        CHECK_THAT(moments_of(params[2].second).variance, Catch::Matchers::WithinRel(2.0 / (out + 10), 0.05));
    }
}

TEST_CASE("the same seed builds the same network", "[nn]") {
    Rng first(42), second(42);
    const auto a = nn::mlp({6, 5, 4}, first), b = nn::mlp({6, 5, 4}, second);
    const auto pa = a->parameters(), pb = b->parameters();
    REQUIRE(pa.size() == pb.size());
    for (std::size_t i = 0; i < pa.size(); ++i) CHECK(pa[i].to_vector() == pb[i].to_vector());
}
