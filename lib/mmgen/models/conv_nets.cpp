#include <mmgen/models/conv_nets.hpp>

#include <mmgen/nn/conv.hpp>

namespace mmgen::models {

std::shared_ptr<nn::Sequential> conv_encoder(std::size_t outputs, Rng& rng) {
    auto net = std::make_shared<nn::Sequential>();
    net->add(std::make_shared<nn::Unflatten>(Shape{1, kConvSide, kConvSide}))    // (B, 1, 28, 28)
        .add(std::make_shared<nn::Conv2d>(1, 32, 4, rng, 2, 1))                  // (B, 32, 14, 14)
        .add(std::make_shared<nn::ReLU>())
        .add(std::make_shared<nn::Conv2d>(32, 64, 4, rng, 2, 1))                 // (B, 64, 7, 7)
        .add(std::make_shared<nn::ReLU>())
        .add(std::make_shared<nn::Flatten>())                                    // (B, 3136)
        .add(std::make_shared<nn::Linear>(kConvCode, outputs, rng, nn::Init::fan_in));  // (B, outputs)
    return net;
}

std::shared_ptr<nn::Sequential> conv_decoder(std::size_t latent, Rng& rng) {
    auto net = std::make_shared<nn::Sequential>();
    net->add(std::make_shared<nn::Linear>(latent, kConvCode, rng, nn::Init::he))  // (B, 3136)
        .add(std::make_shared<nn::ReLU>())
        .add(std::make_shared<nn::Unflatten>(Shape{64, 7, 7}))                   // (B, 64, 7, 7)
        .add(std::make_shared<nn::ConvTranspose2d>(64, 32, 4, rng, 2, 1))        // (B, 32, 14, 14)
        .add(std::make_shared<nn::ReLU>())
        .add(std::make_shared<nn::ConvTranspose2d>(32, 1, 4, rng, 2, 1))         // (B, 1, 28, 28) logits
        .add(std::make_shared<nn::Flatten>());                                   // (B, 784)
    return net;
}

}  // namespace mmgen::models
