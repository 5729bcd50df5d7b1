// Max pooling: each output is the largest value of its window; the gradient goes to that value.
#include <mmgen/core/autograd.hpp>
#include <mmgen/core/ops.hpp>

#include <stdexcept>
#include <string>
#include <vector>

namespace mmgen {

// y[n, c, oh, ow] = max_{i, j < k} x[n, c, oh·s + i, ow·s + j]
// ∂y/∂x = 1 at the window's (first) maximum, 0 elsewhere: dx[argmax] += dy
Tensor max_pool2d(const Tensor& x, std::size_t kernel, std::size_t stride) {
    if (x.rank() != 4)
        throw std::invalid_argument("max_pool2d: input must be (N, C, H, W), got shape " + x.shape_str());
    if (kernel == 0 || stride == 0)
        throw std::invalid_argument("max_pool2d: input " + x.shape_str() + ": kernel and stride must be positive, got kernel " +
                                    std::to_string(kernel) + ", stride " + std::to_string(stride));
    const std::size_t planes = x.dim(0) * x.dim(1), h = x.dim(2), w = x.dim(3);
    if (kernel > h || kernel > w)
        throw std::invalid_argument("max_pool2d: input " + x.shape_str() + ": kernel " + std::to_string(kernel) +
                                    " is larger than the image");
    const std::size_t ho = (h - kernel) / stride + 1, wo = (w - kernel) / stride + 1;
    Tensor y = Tensor::empty({x.dim(0), x.dim(1), ho, wo});
    std::vector<std::size_t> argmax(y.numel());  // index into x of each output's maximum
    const auto xs = x.data();
    auto ys = y.data();
    for (std::size_t p = 0; p < planes; ++p)
        for (std::size_t oh = 0; oh < ho; ++oh)
            for (std::size_t ow = 0; ow < wo; ++ow) {
                std::size_t best = p * h * w + oh * stride * w + ow * stride;
                for (std::size_t i = 0; i < kernel; ++i)
                    for (std::size_t j = 0; j < kernel; ++j) {
                        const std::size_t at = p * h * w + (oh * stride + i) * w + ow * stride + j;
                        if (xs[at] > xs[best]) best = at;
                    }
                const std::size_t o = (p * ho + oh) * wo + ow;
                argmax[o] = best;
                ys[o] = xs[best];
            }
    return record(y, "max_pool2d", {x}, [x, argmax = std::move(argmax)](Node& out) mutable {
        auto dx = x.grad_buffer();
        for (std::size_t o = 0; o < argmax.size(); ++o) dx[argmax[o]] += out.grad[o];
    });
}

Tensor max_pool2d(const Tensor& x, std::size_t kernel) { return max_pool2d(x, kernel, kernel); }

}  // namespace mmgen
