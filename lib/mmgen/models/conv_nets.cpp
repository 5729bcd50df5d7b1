#include <mmgen/models/conv_nets.hpp>

#include <mmgen/nn/conv.hpp>

namespace mmgen::models {

std::shared_ptr<nn::Sequential> conv_encoder(std::size_t outputs, Rng& rng, ConvWidths w) {
    auto net = std::make_shared<nn::Sequential>();
    net->add(std::make_shared<nn::Unflatten>(Shape{1, kConvSide, kConvSide}))    // (B, 1, 28, 28)
        .add(std::make_shared<nn::Conv2d>(1, w.first, 4, rng, 2, 1, true, w.init))  // (B, 32, 14, 14)
        .add(std::make_shared<nn::ReLU>())
        .add(std::make_shared<nn::Conv2d>(w.first, w.second, 4, rng, 2, 1, true, w.init))  // (B, 64, 7, 7)
        .add(std::make_shared<nn::ReLU>())
        .add(std::make_shared<nn::Flatten>())                                    // (B, 3136)
        .add(std::make_shared<nn::Linear>(w.code(), outputs, rng, nn::Init::fan_in));  // (B, outputs)
    return net;
}

std::shared_ptr<nn::Sequential> conv_decoder(std::size_t latent, Rng& rng, ConvWidths w) {
    auto net = std::make_shared<nn::Sequential>();
    net->add(std::make_shared<nn::Linear>(latent, w.code(), rng, w.init))  // (B, 3136)
        .add(std::make_shared<nn::ReLU>())
        .add(std::make_shared<nn::Unflatten>(Shape{w.second, 7, 7}))             // (B, 64, 7, 7)
        .add(std::make_shared<nn::ConvTranspose2d>(w.second, w.first, 4, rng, 2, 1, true, w.init))  // (B, 32, 14, 14)
        .add(std::make_shared<nn::ReLU>())
        .add(std::make_shared<nn::ConvTranspose2d>(w.first, 1, 4, rng, 2, 1, true, w.init))  // (B, 1, 28, 28) logits
        .add(std::make_shared<nn::Flatten>());                                   // (B, 784)
    return net;
}

}  // namespace mmgen::models
