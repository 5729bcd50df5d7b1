// im2col / col2im: the loops are the same; one copies window values out, the other adds them back.
#include <mmgen/core/im2col.hpp>

#include <algorithm>

namespace mmgen {

namespace {

// Calls visit(pixel, column) for every (row, output position) of the patch matrix, where pixel is
// the input offset within an image (or −1 in the padding) — one row of cols at a time so that the
// inner loop runs over contiguous output columns.
template <class Visit>
void for_each_patch_value(std::size_t batch, const ConvGeometry& g, Visit&& visit) {
    const std::size_t ho = g.out_h(), wo = g.out_w(), positions = ho * wo;
    const std::size_t columns = batch * positions;
    const auto pad = static_cast<std::ptrdiff_t>(g.padding);
    const auto h = static_cast<std::ptrdiff_t>(g.height), w = static_cast<std::ptrdiff_t>(g.width);
    for (std::size_t c = 0; c < g.channels; ++c)
        for (std::size_t i = 0; i < g.kernel_h; ++i)
            for (std::size_t j = 0; j < g.kernel_w; ++j) {
                const std::size_t row = (c * g.kernel_h + i) * g.kernel_w + j;
                for (std::size_t n = 0; n < batch; ++n) {
                    const std::size_t image = n * g.image_size() + c * g.height * g.width;
                    for (std::size_t oh = 0; oh < ho; ++oh) {
                        const std::ptrdiff_t ih = static_cast<std::ptrdiff_t>(oh * g.stride + i) - pad;
                        const std::size_t col0 = row * columns + n * positions + oh * wo;
                        // the output columns whose input column iw = ow·s − p + j lies inside [0, W)
                        const std::ptrdiff_t jj = static_cast<std::ptrdiff_t>(j) - pad;
                        const auto s = static_cast<std::ptrdiff_t>(g.stride);
                        std::ptrdiff_t ow_begin = jj >= 0 ? 0 : (-jj + s - 1) / s;
                        std::ptrdiff_t ow_end = std::clamp<std::ptrdiff_t>((w - jj + s - 1) / s, 0,
                                                                           static_cast<std::ptrdiff_t>(wo));
                        if (ih < 0 || ih >= h) ow_begin = ow_end = 0;  // the whole row is padding
                        visit(image + static_cast<std::size_t>(std::max<std::ptrdiff_t>(ih, 0)) * g.width, col0,
                              static_cast<std::size_t>(std::min<std::ptrdiff_t>(ow_begin, static_cast<std::ptrdiff_t>(wo))),
                              static_cast<std::size_t>(std::max(ow_end, ow_begin)), wo, jj, s);
                    }
                }
            }
}

}  // namespace

void im2col(const real* images, std::size_t batch, const ConvGeometry& g, real* cols) {
    for_each_patch_value(batch, g, [&](std::size_t image_row, std::size_t col0, std::size_t ow_begin,
                                       std::size_t ow_end, std::size_t wo, std::ptrdiff_t jj, std::ptrdiff_t s) {
        real* out = cols + col0;
        std::fill(out, out + ow_begin, real(0));
        const real* in = images + image_row;
        for (std::size_t ow = ow_begin; ow < ow_end; ++ow)
            out[ow] = in[static_cast<std::ptrdiff_t>(ow) * s + jj];
        std::fill(out + ow_end, out + wo, real(0));
    });
}

void col2im(const real* cols, std::size_t batch, const ConvGeometry& g, real* images) {
    for_each_patch_value(batch, g, [&](std::size_t image_row, std::size_t col0, std::size_t ow_begin,
                                       std::size_t ow_end, std::size_t, std::ptrdiff_t jj, std::ptrdiff_t s) {
        const real* in = cols + col0;
        real* out = images + image_row;
        for (std::size_t ow = ow_begin; ow < ow_end; ++ow) out[static_cast<std::ptrdiff_t>(ow) * s + jj] += in[ow];
    });
}

}  // namespace mmgen
