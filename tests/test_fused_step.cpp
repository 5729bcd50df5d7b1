// Optimizer::backward_and_step: each parameter updated inside the backward pass, the moment its
// gradient is final (autograd's on_leaf_ready), with the same result to the last bit as
// loss.backward() followed by step() — on the networks whose training steps use it.
#include <catch2/catch.hpp>

#include <cstring>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include <mmgen/core/autograd.hpp>
#include <mmgen/core/ops.hpp>
#include <mmgen/models/cnn_classifier.hpp>
#include <mmgen/models/conv_vae.hpp>
#include <mmgen/models/dcgan.hpp>
#include <mmgen/models/gan.hpp>
#include <mmgen/models/vae.hpp>
#include <mmgen/nn/losses.hpp>
#include <mmgen/nn/optim.hpp>

using namespace mmgen;

namespace {
// Every value of every tensor, as bytes: equal means bit-identical (−0 ≠ +0, NaN = same NaN).
std::vector<unsigned char> bytes_of(const std::vector<Tensor>& ts) {
    std::vector<unsigned char> out;
    for (const auto& t : ts) {
        const auto d = t.data();
        const auto* p = reinterpret_cast<const unsigned char*>(d.data());
        out.insert(out.end(), p, p + d.size() * sizeof(real));
    }
    return out;
}

// Runs `steps` training steps twice from the same start — once with backward() then step(), once
// with backward_and_step() — and requires the parameters and the optimizer's state to agree bit
// for bit. make(rng) builds the model and returns (its parameters, a loss of the current batch).
struct Trial {
    std::vector<Tensor> parameters;
    std::function<Tensor(Rng&)> loss;  // a fresh batch's loss, drawn from the rng
};
void require_fused_equals_separate(const std::function<Trial(Rng&)>& make, int steps = 3) {
    std::vector<unsigned char> after[2], state[2];
    for (int fused = 0; fused < 2; ++fused) {
        Rng rng(7);
        Trial t = make(rng);
        optim::Adam adam(t.parameters, real(1e-2), real(0.5), real(0.999), real(1e-8), real(1e-4));
        for (int s = 0; s < steps; ++s) {
            adam.zero_grad();
            const Tensor loss = t.loss(rng);
            if (fused) {
                adam.backward_and_step(loss);
            } else {
                loss.backward();
                adam.step();
            }
        }
        after[fused] = bytes_of(t.parameters);
        std::vector<Tensor> st;
        for (auto& [name, tensor] : adam.state()) st.push_back(tensor);
        state[fused] = bytes_of(st);
    }
    REQUIRE(after[0].size() > 0);
    REQUIRE(after[0] == after[1]);
    REQUIRE(state[0] == state[1]);
}
}  // namespace

TEST_CASE("on_leaf_ready calls each leaf once, when its gradient is final", "[autograd][fused]") {
    Rng rng(3);
    Tensor a = Tensor::randn({2, 3}, rng, 1, true), b = Tensor::randn({2, 3}, rng, 1, true);
    Tensor c = Tensor::randn({3, 2}, rng, 1, true), unused = Tensor::randn({2}, rng, 1, true);
    // a is used three times (twice by one node, a·a, and once by the matmul), b once, c once
    const Tensor loss = sum(a * a) + sum(matmul(a, c)) + sum(b * real(2));
    // the full gradients, from a pass without the hook
    loss.backward();
    const std::map<const Node*, std::vector<real>> full = {
        {&a.node(), std::vector<real>(a.grad().begin(), a.grad().end())},
        {&b.node(), std::vector<real>(b.grad().begin(), b.grad().end())},
        {&c.node(), std::vector<real>(c.grad().begin(), c.grad().end())}};
    for (Tensor* t : {&a, &b, &c}) t->zero_grad();
    std::map<const Node*, int> calls;
    const real one = 1;
    backward(loss, std::span<const real>(&one, 1), [&](Node& leaf) {
        ++calls[&leaf];
        // at the call the gradient is already the whole one: no closure adds to it after
        REQUIRE(full.count(&leaf) == 1);
        REQUIRE(std::vector<real>(leaf.grad.begin(), leaf.grad.end()) == full.at(&leaf));
    });
    REQUIRE(calls.size() == 3);
    for (const auto& [node, n] : calls) REQUIRE(n == 1);
    REQUIRE(calls.count(&unused.node()) == 0);
}

TEST_CASE("backward_and_step gives the same parameters as backward() then step(), to the last bit", "[optim][fused]") {
    SECTION("chapter 03's MLP VAE") {
        require_fused_equals_separate([](Rng& rng) {
            auto vae = std::make_shared<models::Vae>(models::VaeConfig{784, 64, 8}, rng);
            return Trial{vae->parameters(), [vae](Rng& r) {
                             const Tensor x = Tensor::uniform({16, 784}, r, 0, 1), eps = Tensor::randn({16, 8}, r);
                             return vae->negative_elbo(x, eps).loss;
                         }};
        });
    }
    SECTION("chapter 05's conv VAE") {
        require_fused_equals_separate([](Rng& rng) {
            auto vae = std::make_shared<models::ConvVae>(4, rng, models::ConvWidths{2, 3});
            return Trial{vae->parameters(), [vae](Rng& r) {
                             const Tensor x = Tensor::uniform({4, 784}, r, 0, 1), eps = Tensor::randn({4, 4}, r);
                             return vae->negative_elbo(x, eps).loss;
                         }};
        });
    }
    SECTION("the CNN classifier (batch norm, dropout, pooling)") {
        require_fused_equals_separate([](Rng& rng) {
            auto cnn = std::make_shared<models::CnnClassifier>(rng, real(0.3), models::CnnWidths{2, 3, 8});
            return Trial{cnn->parameters(), [cnn](Rng& r) {
                             const Tensor x = Tensor::uniform({4, 784}, r, 0, 1);
                             std::vector<std::size_t> labels(4);
                             for (auto& l : labels) l = r.below(10);
                             return cross_entropy(cnn->logits(x), labels);
                         }};
        });
    }
    SECTION("a DCGAN discriminator's step: D used twice, on real and on fake images") {
        require_fused_equals_separate([](Rng& rng) {
            models::DcganConfig config;
            config.discriminator_channels = 2;
            auto d = std::make_shared<models::DcganDiscriminator>(config, rng);
            return Trial{d->parameters(), [d](Rng& r) {
                             const Tensor real_images = Tensor::uniform({4, 784}, r, -1, 1);
                             const Tensor fakes = Tensor::uniform({4, 784}, r, -1, 1);
                             return models::discriminator_loss((*d)(real_images), (*d)(fakes));
                         }};
        });
    }
}

TEST_CASE("backward_and_step updates parameters the pass does not reach, as step() does", "[optim][fused]") {
    // Adam's m keeps moving θ after the gradient is zeroed: step() updates every parameter with a
    // gradient buffer, reached by this pass or not, and so must backward_and_step
    Rng rng(5);
    Tensor used = Tensor::randn({3}, rng, 1, true), idle = Tensor::randn({3}, rng, 1, true);
    std::vector<real> idle_before;
    optim::Adam adam({used, idle}, real(0.1));
    sum(used * idle).backward();  // both get a gradient
    adam.step();
    idle_before = idle.to_vector();
    adam.zero_grad();
    adam.backward_and_step(sum(used * used));  // idle is not in this graph; its m is not 0
    REQUIRE(idle.to_vector() != idle_before);
    REQUIRE_THROWS_WITH(adam.backward_and_step(used * real(2)), Catch::Contains("one value") && Catch::Contains("(3)"));
}
