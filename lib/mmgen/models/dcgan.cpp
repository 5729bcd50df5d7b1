#include <mmgen/models/dcgan.hpp>

#include <stdexcept>
#include <string>

#include <mmgen/core/ops.hpp>

namespace mmgen::models {

namespace {
constexpr std::size_t kSide = 28, kQuarter = 7;  // image side, and after two halvings

void require_positive(const DcganConfig& c) {
    if (c.latent == 0 || c.generator_channels == 0 || c.discriminator_channels == 0)
        throw std::invalid_argument("DcganConfig: latent " + std::to_string(c.latent) + ", generator channels " +
                                    std::to_string(c.generator_channels) + " and discriminator channels " +
                                    std::to_string(c.discriminator_channels) + " must be positive");
}
}  // namespace

DcganGenerator::DcganGenerator(const DcganConfig& c, Rng& rng) {
    require_positive(c);
    const std::size_t wide = 2 * c.generator_channels, narrow = c.generator_channels;
    const bool bias = !c.batch_norm;  // before a batch norm, its β is the bias
    net = register_module("net", std::make_shared<nn::Sequential>());
    net->add(std::make_shared<nn::Linear>(c.latent, wide * kQuarter * kQuarter, rng, c.init, bias))
        .add(std::make_shared<nn::Unflatten>(Shape{wide, kQuarter, kQuarter}));  // (B, 2c, 7, 7)
    if (c.batch_norm) net->add(std::make_shared<nn::BatchNorm>(wide));
    net->add(std::make_shared<nn::ReLU>())
        .add(std::make_shared<nn::ConvTranspose2d>(wide, narrow, 4, rng, 2, 1, bias, c.init));  // (B, c, 14, 14)
    if (c.batch_norm) net->add(std::make_shared<nn::BatchNorm>(narrow));
    net->add(std::make_shared<nn::ReLU>())
        .add(std::make_shared<nn::ConvTranspose2d>(narrow, 1, 4, rng, 2, 1, true, c.init))  // (B, 1, 28, 28)
        .add(std::make_shared<nn::Tanh>())
        .add(std::make_shared<nn::Flatten>());  // (B, 784)
}

Tensor DcganGenerator::forward(const Tensor& z) {
    if (z.rank() != 2) throw std::invalid_argument("DcganGenerator: expects codes (B, latent), got " + z.shape_str());
    return net->forward(z);
}

DcganDiscriminator::DcganDiscriminator(const DcganConfig& c, Rng& rng) {
    require_positive(c);
    const std::size_t narrow = c.discriminator_channels, wide = 2 * c.discriminator_channels;
    const bool pooling = c.downsampling == Downsampling::pooling;
    // one halving of the resolution: Conv k4 s2 p1, or Conv k3 s1 p1 then (after the activation) MaxPool 2
    auto convolution = [&](std::size_t in, std::size_t out, bool bias) {
        return pooling ? std::make_shared<nn::Conv2d>(in, out, 3, rng, 1, 1, bias, c.init)
                       : std::make_shared<nn::Conv2d>(in, out, 4, rng, 2, 1, bias, c.init);
    };
    net = register_module("net", std::make_shared<nn::Sequential>());
    net->add(convolution(1, narrow, true)).add(std::make_shared<nn::LeakyReLU>(c.leaky_slope));
    if (pooling) net->add(std::make_shared<nn::MaxPool2d>(2));  // (B, d, 14, 14)
    net->add(convolution(narrow, wide, !c.batch_norm));
    if (c.batch_norm) net->add(std::make_shared<nn::BatchNorm>(wide));
    net->add(std::make_shared<nn::LeakyReLU>(c.leaky_slope));
    if (pooling) net->add(std::make_shared<nn::MaxPool2d>(2));  // (B, 2d, 7, 7)
    net->add(std::make_shared<nn::Flatten>())
        .add(std::make_shared<nn::Linear>(wide * kQuarter * kQuarter, 1, rng, c.init == nn::Init::fan_in ? nn::Init::fan_in : nn::Init::xavier));  // (B, 1)
}

Tensor DcganDiscriminator::as_image(const Tensor& x) const {
    if (x.rank() == 2 && x.dim(1) == kSide * kSide) return reshape(x, {x.dim(0), 1, kSide, kSide});
    if (x.rank() == 4 && x.dim(1) == 1 && x.dim(2) == kSide && x.dim(3) == kSide) return x;
    throw std::invalid_argument("DcganDiscriminator: expects images (B, 784) or (B, 1, 28, 28), got " + x.shape_str());
}

Tensor DcganDiscriminator::forward(const Tensor& x) { return net->forward(as_image(x)); }

Tensor DcganDiscriminator::features(const Tensor& x) {
    Tensor h = as_image(x);
    for (std::size_t i = 0; i + 1 < net->size(); ++i) h = (*net)[i](h);
    return h;  // (B, 2d · 7 · 7), after Flatten
}

}  // namespace mmgen::models
