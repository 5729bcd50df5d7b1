// im2col / col2im: the loops are the same; one copies window values out, the other adds them back.
#include <mmgen/core/im2col.hpp>
#include <mmgen/core/parallel.hpp>

#include <algorithm>

namespace mmgen {

namespace {

// One row segment of the patch matrix: the output columns [col0, col0 + wo) of kernel tap (i, j)
// for output row oh of image n. Output column ow reads input pixel image_row[ow·stride + offset];
// only the columns in [begin, end) fall inside the image, the others read the zero padding.
struct Segment {
    std::size_t image_row;  // offset of input row ih = oh·s − p + i in the images (unused if none)
    std::size_t col0;       // offset of the segment in cols
    std::size_t begin, end; // output columns that read the image
    std::ptrdiff_t offset;  // j − p: input column = ow·stride + offset
};

// Calls visit(segment) for every (tap row, image, output row) of the patch matrix with the image
// in [first_image, end_image), so that the inner loops run over contiguous output columns.
template <class Visit>
void for_each_segment(std::size_t batch, std::size_t first_image, std::size_t end_image, const ConvGeometry& g,
                      Visit&& visit) {
    const std::size_t ho = g.out_h(), wo = g.out_w(), columns = batch * ho * wo;
    const auto pad = static_cast<std::ptrdiff_t>(g.padding), s = static_cast<std::ptrdiff_t>(g.stride);
    const auto h = static_cast<std::ptrdiff_t>(g.height), w = static_cast<std::ptrdiff_t>(g.width);
    const auto wo_signed = static_cast<std::ptrdiff_t>(wo);
    for (std::size_t c = 0; c < g.channels; ++c)
        for (std::size_t i = 0; i < g.kernel_h; ++i)
            for (std::size_t j = 0; j < g.kernel_w; ++j) {
                const std::size_t row = (c * g.kernel_h + i) * g.kernel_w + j;
                const std::ptrdiff_t offset = static_cast<std::ptrdiff_t>(j) - pad;
                // 0 ≤ ow·s + offset < W  ⇔  ⌈−offset / s⌉ ≤ ow < ⌈(W − offset) / s⌉
                const std::ptrdiff_t first = std::clamp<std::ptrdiff_t>(offset >= 0 ? 0 : (-offset + s - 1) / s, 0, wo_signed);
                const std::ptrdiff_t last = std::clamp<std::ptrdiff_t>(w - offset > 0 ? (w - offset + s - 1) / s : 0, first, wo_signed);
                for (std::size_t n = first_image; n < end_image; ++n)
                    for (std::size_t oh = 0; oh < ho; ++oh) {
                        const std::ptrdiff_t ih = static_cast<std::ptrdiff_t>(oh * g.stride + i) - pad;
                        const bool inside = ih >= 0 && ih < h;  // otherwise the whole segment is padding
                        visit(Segment{n * g.image_size() + (c * g.height + static_cast<std::size_t>(inside ? ih : 0)) * g.width,
                                      row * columns + (n * ho + oh) * wo,
                                      inside ? static_cast<std::size_t>(first) : 0, inside ? static_cast<std::size_t>(last) : 0,
                                      offset});
                    }
            }
}

// Images per parallel range: enough that a range copies at least ~16k values.
std::size_t images_per_range(const ConvGeometry& g) {
    const std::size_t per_image = std::max<std::size_t>(g.patch_size() * g.out_h() * g.out_w(), 1);
    return std::max<std::size_t>(1, (std::size_t{1} << 14) / per_image);
}

}  // namespace

void im2col(const real* images, std::size_t batch, const ConvGeometry& g, real* cols) {
    const std::size_t wo = g.out_w();
    const auto s = static_cast<std::ptrdiff_t>(g.stride);
    parallel::for_range(batch, images_per_range(g), [&](std::size_t first, std::size_t end) {
        for_each_segment(batch, first, end, g, [&](const Segment& seg) {
            real* out = cols + seg.col0;
            const real* in = images + seg.image_row;
            std::fill(out, out + seg.begin, real(0));
            for (std::size_t ow = seg.begin; ow < seg.end; ++ow) out[ow] = in[static_cast<std::ptrdiff_t>(ow) * s + seg.offset];
            std::fill(out + seg.end, out + wo, real(0));
        });
    });
}

void col2im(const real* cols, std::size_t batch, const ConvGeometry& g, real* images, bool overwrite) {
    const auto s = static_cast<std::ptrdiff_t>(g.stride);
    // each image's pixels receive only that image's columns, in the same order on any split
    parallel::for_range(batch, images_per_range(g), [&](std::size_t first, std::size_t end) {
        if (overwrite) std::fill(images + first * g.image_size(), images + end * g.image_size(), real(0));
        for_each_segment(batch, first, end, g, [&](const Segment& seg) {
            const real* in = cols + seg.col0;
            real* out = images + seg.image_row;
            for (std::size_t ow = seg.begin; ow < seg.end; ++ow) out[static_cast<std::ptrdiff_t>(ow) * s + seg.offset] += in[ow];
        });
    });
}

}  // namespace mmgen
