#include <mmgen/nn/conv.hpp>

#include <cmath>
#include <stdexcept>
#include <string>

#include <mmgen/core/ops.hpp>

namespace mmgen::nn {

namespace {
void require_positive(const char* module, std::size_t in, std::size_t out, std::size_t kernel, std::size_t stride) {
    if (in == 0 || out == 0 || kernel == 0 || stride == 0)
        throw std::invalid_argument(std::string(module) + ": channels, kernel and stride must be positive, got in " +
                                    std::to_string(in) + ", out " + std::to_string(out) + ", kernel " +
                                    std::to_string(kernel) + ", stride " + std::to_string(stride));
}
// Weight (and bias) of a convolution whose one output sums `fan_in` inputs: He's N(0, 2/fan_in)
// with a zero bias, or PyTorch's U(±1/√fan_in) for both.
void initialise(Tensor& w, Tensor& b, double fan_in, Init init, Rng& rng) {
    if (init == Init::fan_in) {
        const auto bound = static_cast<real>(1.0 / std::sqrt(fan_in));
        rng.fill_uniform(w.data(), -bound, bound);
        rng.fill_uniform(b.data(), -bound, bound);
    } else if (init == Init::he) {
        rng.fill_normal(w.data(), 0, static_cast<real>(std::sqrt(2.0 / fan_in)));
    } else {
        throw std::invalid_argument("convolution: Init::xavier is not offered for convolutions (use he or fan_in)");
    }
}
}  // namespace

Conv2d::Conv2d(std::size_t in, std::size_t out, std::size_t kernel, Rng& rng, std::size_t stride_, std::size_t padding_,
               bool with_bias, Init init)
    : stride(stride_), padding(padding_) {
    require_positive("Conv2d", in, out, kernel, stride);
    Tensor w = Tensor::empty({out, in, kernel, kernel}), b = Tensor::zeros({out});
    initialise(w, b, double(in * kernel * kernel), init, rng);
    weight = register_parameter("weight", w);
    if (with_bias) bias = register_parameter("bias", b);
}

Tensor Conv2d::forward(const Tensor& x) { return conv2d(x, weight, bias, stride, padding); }

ConvTranspose2d::ConvTranspose2d(std::size_t in, std::size_t out, std::size_t kernel, Rng& rng, std::size_t stride_,
                                 std::size_t padding_, bool with_bias, Init init)
    : stride(stride_), padding(padding_) {
    require_positive("ConvTranspose2d", in, out, kernel, stride);
    const double fan_in = init == Init::fan_in ? double(out * kernel * kernel)
                                               : std::max(1.0, double(in * kernel * kernel) / double(stride * stride));
    Tensor w = Tensor::empty({in, out, kernel, kernel}), b = Tensor::zeros({out});
    initialise(w, b, fan_in, init, rng);
    weight = register_parameter("weight", w);
    if (with_bias) bias = register_parameter("bias", b);
}

Tensor ConvTranspose2d::forward(const Tensor& x) { return conv_transpose2d(x, weight, bias, stride, padding); }

Tensor MaxPool2d::forward(const Tensor& x) { return max_pool2d(x, kernel, stride); }

BatchNorm::BatchNorm(std::size_t channels, real momentum_, real eps_) : momentum(momentum_), eps(eps_) {
    if (channels == 0) throw std::invalid_argument("BatchNorm: channels must be positive");
    weight = register_parameter("weight", Tensor::ones({channels}));
    bias = register_parameter("bias", Tensor::zeros({channels}));
    running_mean = register_buffer("running_mean", Tensor::zeros({channels}));
    running_var = register_buffer("running_var", Tensor::ones({channels}));
}

Tensor BatchNorm::forward(const Tensor& x) {
    return batch_norm(x, weight, bias, running_mean, running_var, is_training(), momentum, eps);
}

Tensor Flatten::forward(const Tensor& x) {
    if (x.rank() < 1) throw std::invalid_argument("Flatten: needs a batch axis, got shape " + x.shape_str());
    const std::size_t batch = x.dim(0);
    return reshape(x, {batch, batch ? x.numel() / batch : 0});
}

Tensor Unflatten::forward(const Tensor& x) {
    if (x.rank() != 2 || x.dim(1) != numel_of(shape))
        throw std::invalid_argument("Unflatten: input " + x.shape_str() + " does not hold (N, " +
                                    std::to_string(numel_of(shape)) + ") values for shape " + shape_string(shape));
    Shape full{x.dim(0)};
    full.insert(full.end(), shape.begin(), shape.end());
    return reshape(x, full);
}

}  // namespace mmgen::nn
