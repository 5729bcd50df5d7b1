// The convolutional modules: shapes and names, batch norm obeying train/eval mode, and
// checkpoints that carry batch norm's running statistics so that a resumed run continues exactly.
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include <mmgen/core/autograd.hpp>
#include <mmgen/core/ops.hpp>
#include <mmgen/io/checkpoint.hpp>
#include <mmgen/nn/conv.hpp>
#include <mmgen/nn/losses.hpp>
#include <mmgen/nn/optim.hpp>

#include "support.hpp"

using namespace mmgen;
using Catch::Matchers::Contains;

namespace {

// conv → batch norm → ReLU → pool → flatten → linear: (N, 1, 6, 6) → (N, 3)
std::shared_ptr<nn::Sequential> small_cnn(Rng& rng) {
    auto net = std::make_shared<nn::Sequential>();
    net->add(std::make_shared<nn::Conv2d>(1, 4, 3, rng, 1, 1))
        .add(std::make_shared<nn::BatchNorm>(4))
        .add(std::make_shared<nn::ReLU>())
        .add(std::make_shared<nn::MaxPool2d>(2))
        .add(std::make_shared<nn::Flatten>())
        .add(std::make_shared<nn::Linear>(4 * 3 * 3, 3, rng));
    return net;
}

// One Adam step of cross-entropy on a fixed batch drawn from `data_rng`.
void train_step(nn::Module& net, optim::Adam& adam, Rng& data_rng) {
    const Tensor x = Tensor::randn({8, 1, 6, 6}, data_rng);
    std::vector<std::size_t> labels(8);
    for (auto& l : labels) l = data_rng.below(3);
    adam.zero_grad();
    cross_entropy(net.forward(x), labels).backward();
    adam.step();
}

void require_same_state(const nn::Module& a, const nn::Module& b) {
    const auto sa = a.named_state(), sb = b.named_state();
    REQUIRE(sa.size() == sb.size());
    for (std::size_t i = 0; i < sa.size(); ++i) {
        INFO(sa[i].first);
        REQUIRE(sa[i].first == sb[i].first);
        CHECK(sa[i].second.to_vector() == sb[i].second.to_vector());  // bit for bit
    }
}

}  // namespace

TEST_CASE("convolutional modules map shapes as their ops do and name their tensors as PyTorch does", "[conv][nn]") {
    Rng rng(1);
    SECTION("Conv2d with padding 1 keeps the size; stride 2 halves it") {
        CHECK(nn::Conv2d(3, 8, 3, rng, 1, 1)(Tensor::zeros({2, 3, 28, 28})).shape() == Shape{2, 8, 28, 28});
        CHECK(nn::Conv2d(3, 8, 4, rng, 2, 1)(Tensor::zeros({2, 3, 28, 28})).shape() == Shape{2, 8, 14, 14});
    }
    SECTION("ConvTranspose2d with kernel 4, stride 2, padding 1 doubles it") {
        CHECK(nn::ConvTranspose2d(8, 3, 4, rng, 2, 1)(Tensor::zeros({2, 8, 7, 7})).shape() == Shape{2, 3, 14, 14});
    }
    SECTION("MaxPool2d(2) halves it, Flatten and Unflatten reshape around the batch axis") {
        const Tensor pooled = nn::MaxPool2d(2)(Tensor::zeros({2, 3, 28, 28}));
        CHECK(pooled.shape() == Shape{2, 3, 14, 14});
        CHECK(nn::Flatten()(pooled).shape() == Shape{2, 588});
        CHECK(nn::Unflatten({3, 14, 14})(nn::Flatten()(pooled)).shape() == Shape{2, 3, 14, 14});
    }
    SECTION("parameters, then buffers") {
        auto net = small_cnn(rng);
        std::vector<std::string> names;
        for (const auto& [name, t] : net->named_state()) names.push_back(name + " " + t.shape_str());
        CHECK(names == std::vector<std::string>{"0.weight (4, 1, 3, 3)", "0.bias (4)", "1.weight (4)", "1.bias (4)",
                                                "5.weight (3, 36)", "5.bias (3)", "1.running_mean (4)",
                                                "1.running_var (4)"});
        CHECK(net->parameters().size() == 6);  // what the optimizer updates: no buffers
        for (const auto& [name, t] : net->named_buffers()) CHECK_FALSE(t.requires_grad());
    }
}

TEST_CASE("Init::fan_in draws a convolution's weight and bias from PyTorch's U(±1/√fan-in), and He's default leaves the bias 0",
          "[conv][nn]") {
    Rng rng(7);
    // Conv2d: one output sums C_in·k² = 3·3² = 27 inputs
    nn::Conv2d conv(3, 8, 3, rng, 1, 1, true, nn::Init::fan_in);
    // ConvTranspose2d: PyTorch takes the fan-in from the weight's second axis, C_out·k² = 2·4² = 32
    nn::ConvTranspose2d deconv(5, 2, 4, rng, 2, 1, true, nn::Init::fan_in);
    for (auto [module, fan_in] : {std::pair<nn::Module*, double>{&conv, 27.0}, {&deconv, 32.0}}) {
        const double bound = 1 / std::sqrt(fan_in);
        for (const auto& [name, p] : module->named_parameters()) {
            INFO(name << " of a module with fan-in " << fan_in);
            double largest = 0;
            for (real v : p.data()) largest = std::max(largest, std::abs(double(v)));
            CHECK(largest <= bound);
            CHECK(largest > 0.5 * bound);  // spread over the interval, not stuck near 0
        }
    }
    nn::Conv2d he(3, 8, 3, rng, 1, 1);
    CHECK(std::all_of(he.bias.data().begin(), he.bias.data().end(), [](real b) { return b == 0; }));
    CHECK_THROWS_WITH(nn::Conv2d(3, 8, 3, rng, 1, 1, true, nn::Init::xavier), Contains("xavier"));
}

TEST_CASE("BatchNorm uses batch statistics in training and running statistics in eval mode", "[conv][nn]") {
    Rng rng(2);
    nn::BatchNorm bn(2);
    const Tensor x = Tensor::uniform({16, 2, 3, 3}, rng, 3, 5);  // mean ≈ 4, far from the initial 0
    SECTION("training: the output is centred and the running mean moves by momentum × batch mean") {
        const Tensor y = bn(x);
        CHECK(std::abs(double(mean(y).item())) < 1e-5);
        CHECK(bn.running_mean.data()[0] > real(0.35));
        CHECK(bn.running_mean.data()[0] < real(0.45));
    }
    SECTION("eval: the output is x through the running statistics (0, 1), and they do not move") {
        bn.eval();
        const Tensor y = bn(x);
        CHECK_THAT(double(y.data()[0]), Catch::Matchers::WithinRel(double(x.data()[0]) / std::sqrt(1 + 1e-5), 1e-6));
        CHECK(bn.running_mean.data()[0] == 0);
        CHECK(bn.running_var.data()[0] == 1);
    }
}

TEST_CASE("a checkpoint carries batch norm's running statistics", "[conv][checkpoint]") {
    test::TempDir tmp("conv_modules");
    Rng rng(3), data_rng(4);
    auto net = small_cnn(rng);
    optim::Adam adam(net->parameters(), real(1e-2));
    for (int i = 0; i < 3; ++i) train_step(*net, adam, data_rng);
    REQUIRE(net->named_buffers()[0].second.data()[0] != 0);  // the running mean has moved

    SECTION("save_module and load_module") {
        save_module(tmp.path / "cnn.safetensors", *net);
        const auto file = load_checkpoint(tmp.path / "cnn.safetensors");
        std::vector<std::string> names;
        for (const auto& [name, t] : file.tensors) names.push_back(name);
        CHECK(std::find(names.begin(), names.end(), "1.running_var") != names.end());
        Rng other(99);
        auto copy = small_cnn(other);
        load_module(tmp.path / "cnn.safetensors", *copy);
        require_same_state(*net, *copy);
        net->eval();
        copy->eval();
        const Tensor x = Tensor::randn({2, 1, 6, 6}, data_rng);
        CHECK(net->forward(x).to_vector() == copy->forward(x).to_vector());
    }
    SECTION("a module saved without buffers is refused, naming the missing one") {
        save_checkpoint(tmp.path / "params_only.safetensors", net->named_parameters());
        REQUIRE_THROWS_WITH(load_module(tmp.path / "params_only.safetensors", *net), Contains("running_mean"));
    }
}

TEST_CASE("a CNN with batch norm resumed from a training state continues exactly", "[conv][checkpoint]") {
    test::TempDir tmp("conv_resume");
    // straight through: 5 steps
    Rng rng_a(5), data_a(6);
    auto straight = small_cnn(rng_a);
    optim::Adam adam_a(straight->parameters(), real(1e-2));
    for (int i = 0; i < 5; ++i) train_step(*straight, adam_a, data_a);

    // 2 steps, save, a fresh model (other initial weights) loads the state, 3 more steps
    Rng rng_b(5), data_b(6);
    {
        auto first = small_cnn(rng_b);
        optim::Adam adam(first->parameters(), real(1e-2));
        for (int i = 0; i < 2; ++i) train_step(*first, adam, data_b);
        save_training_state(tmp.path / "state.safetensors", *first, adam, {1, 2, data_b.state()});
    }
    Rng init(77);
    auto resumed = small_cnn(init);
    optim::Adam adam_b(resumed->parameters(), real(1e-2));
    const auto position = load_training_state(tmp.path / "state.safetensors", *resumed, adam_b);
    Rng data_c(0);
    data_c.set_state(position.rng_state);
    for (int i = 0; i < 3; ++i) train_step(*resumed, adam_b, data_c);
    require_same_state(*straight, *resumed);
}
