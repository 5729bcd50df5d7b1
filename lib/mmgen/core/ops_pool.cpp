// Max pooling: each output is the largest value of its window; the gradient goes to that value.
#include <mmgen/core/autograd.hpp>
#include <mmgen/core/grad_target.hpp>
#include <mmgen/core/ops.hpp>
#include <mmgen/core/parallel.hpp>

#include <algorithm>
#include <cstdint>
#include <limits>
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
    // where each output's maximum sits in x; 32-bit and from the tensor pool, as it is rebuilt every step
    using Index = std::uint32_t;
    if (x.numel() > std::numeric_limits<Index>::max())
        throw std::invalid_argument("max_pool2d: input " + x.shape_str() + " has more values than a 32-bit index reaches");
    std::vector<Index, storage::PoolAllocator<Index>> argmax(y.numel());
    const real* xs = x.data().data();
    real* ys = y.data().data();
    // planes (n, c) are independent: split over them (a window never leaves its plane)
    const std::size_t grain = std::max<std::size_t>(1, (std::size_t{1} << 14) / std::max<std::size_t>(h * w, 1));
    if (kernel == 2 && stride == 2) {  // the common case, without inner loops or branches
        Index* const where_all = argmax.data();
        parallel::for_range(planes, grain, [&](std::size_t first, std::size_t end) {
            for (std::size_t p = first; p < end; ++p)
                for (std::size_t oh = 0; oh < ho; ++oh) {
                    // the window's two rows a b / c d; values compared, not indices, so the loop
                    // has no dependent loads and vectorises; ties go to the first (a, then c, then ab)
                    const Index top = static_cast<Index>(p * h * w + 2 * oh * w), row = static_cast<Index>(w);
                    const real* __restrict upper = xs + top;
                    const real* __restrict lower = upper + w;
                    real* __restrict out = ys + (p * ho + oh) * wo;
                    Index* __restrict where = where_all + (p * ho + oh) * wo;
                    for (std::size_t ow = 0; ow < wo; ++ow) {
                        const real a = upper[2 * ow], b = upper[2 * ow + 1], c = lower[2 * ow], d = lower[2 * ow + 1];
                        const bool b_wins = b > a, d_wins = d > c;
                        const real ab = b_wins ? b : a, cd = d_wins ? d : c;
                        const bool lower_wins = cd > ab;
                        const Index column = top + 2 * static_cast<Index>(ow);
                        out[ow] = lower_wins ? cd : ab;
                        where[ow] = lower_wins ? column + row + Index(d_wins) : column + Index(b_wins);
                    }
                }
        });
    } else {
        parallel::for_range(planes, grain, [&](std::size_t first, std::size_t end) {
            for (std::size_t p = first; p < end; ++p)
                for (std::size_t oh = 0; oh < ho; ++oh) {
                    const std::size_t top = p * h * w + oh * stride * w;  // the window row's first pixel
                    for (std::size_t ow = 0; ow < wo; ++ow) {
                        std::size_t best = top + ow * stride;
                        for (std::size_t i = 0; i < kernel; ++i) {
                            const std::size_t start = top + i * w + ow * stride;
                            for (std::size_t j = 0; j < kernel; ++j)
                                if (xs[start + j] > xs[best]) best = start + j;
                        }
                        const std::size_t o = (p * ho + oh) * wo + ow;
                        argmax[o] = static_cast<Index>(best);
                        ys[o] = xs[best];
                    }
                }
        });
    }
    const std::size_t plane_out = ho * wo;
    const std::size_t plane_in = h * w;
    return record(y, "max_pool2d", {x}, [x, argmax = std::move(argmax), planes, plane_in, plane_out, grain](Node& out) mutable {
        const auto [dx_span, fresh] = grad_target(x);
        real* dx = dx_span.data();
        const real* dy = out.grad.data();
        const Index* from = argmax.data();
        parallel::for_range(planes, grain, [=](std::size_t first, std::size_t end) {  // plane p's outputs point into plane p
            if (fresh) std::fill(dx + first * plane_in, dx + end * plane_in, real(0));  // a new gradient: zeros first
            for (std::size_t o = first * plane_out; o < end * plane_out; ++o) dx[from[o]] += dy[o];
        });
    });
}

Tensor max_pool2d(const Tensor& x, std::size_t kernel) { return max_pool2d(x, kernel, kernel); }

}  // namespace mmgen
