// im2col copies window values out; col2im adds them back, one image plane at a time.
//
// im2col walks the patch matrix row segment by row segment (one kernel tap, one output row of
// one image), with the columns that fall in the padding found once per segment: each value is
// written once, and the pass is as fast as memory takes the writes.
//
// col2im goes through a zero-bordered copy of each (image, channel) plane: with p zeros on every
// side the window under output (oh, ow) starts at padded pixel (oh·s, ow·s) and never leaves the
// padded plane (that is how Ho and Wo are defined), so the adds need no bounds test and the plane
// stays in the L1 cache while all its taps land:
//
//     padded[oh·s + i][ow·s + j] += cols[tap (c, i, j)][n, oh, ow]
//
// The interior starts as the image (or 0 when overwriting) and is copied back at the end; what
// landed in the border is the padding's share, which the input does not have. Every pixel
// receives its values tap by tap in the order (c, i, j), the order of the direct loops in
// col2im_reference, so the two agree to the last bit (tests/test_conv.cpp holds both maps to
// their references).
#include <mmgen/core/im2col.hpp>
#include <mmgen/core/parallel.hpp>

#include <algorithm>
#include <vector>

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

// One (image, channel) plane with its zero border: (H + 2p) × (W + 2p), a buffer per thread.
class PaddedPlane {
public:
    PaddedPlane(const ConvGeometry& g)
        : p_(g.padding), h_(g.height), w_(g.width), wp_(g.width + 2 * g.padding), values_(scratch()) {
        values_.assign((g.height + 2 * g.padding) * wp_, real(0));
    }
    std::size_t width() const { return wp_; }
    real* data() { return values_.data(); }
    // border ← 0 and interior ← plane (H, W); with plane = nullptr, all ← 0
    void load(const real* plane) {
        if (p_ > 0 || !plane) std::fill(values_.begin(), values_.end(), real(0));  // the border, or all of it
        if (!plane) return;
        for (std::size_t r = 0; r < h_; ++r) std::copy_n(plane + r * w_, w_, interior_row(r));
    }
    void store(real* plane) const {
        for (std::size_t r = 0; r < h_; ++r) std::copy_n(interior_row(r), w_, plane + r * w_);
    }

private:
    real* interior_row(std::size_t r) { return values_.data() + (r + p_) * wp_ + p_; }
    const real* interior_row(std::size_t r) const { return values_.data() + (r + p_) * wp_ + p_; }
    static std::vector<real>& scratch() {
        thread_local std::vector<real> buffer;
        return buffer;
    }
    std::size_t p_, h_, w_, wp_;
    std::vector<real>& values_;
};

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
    const std::size_t ho = g.out_h(), wo = g.out_w(), s = g.stride, columns = batch * ho * wo;
    // each image's pixels receive only that image's columns: any split gives the same sums
    parallel::for_range(batch, images_per_range(g), [&](std::size_t first, std::size_t end) {
        PaddedPlane padded(g);
        const std::size_t wp = padded.width();
        for (std::size_t n = first; n < end; ++n)
            for (std::size_t c = 0; c < g.channels; ++c) {
                real* plane = images + n * g.image_size() + c * g.height * g.width;
                padded.load(overwrite ? nullptr : plane);
                for (std::size_t i = 0; i < g.kernel_h; ++i)
                    for (std::size_t j = 0; j < g.kernel_w; ++j) {
                        const std::size_t tap = (c * g.kernel_h + i) * g.kernel_w + j;
                        const real* in = cols + tap * columns + n * ho * wo;
                        for (std::size_t oh = 0; oh < ho; ++oh, in += wo) {
                            real* out = padded.data() + (oh * s + i) * wp + j;
                            for (std::size_t ow = 0; ow < wo; ++ow) out[ow * s] += in[ow];
                        }
                    }
                padded.store(plane);
            }
    });
}

// --- the definitions as loops, for the tests ------------------------------------------------

namespace {
// The pixel of image n that tap (c, i, j) of output (oh, ow) reads, or nullptr in the padding.
template <class T>
T* window_pixel(T* images, std::size_t n, std::size_t c, std::size_t i, std::size_t j, std::size_t oh, std::size_t ow,
                const ConvGeometry& g) {
    const std::size_t ih = oh * g.stride + i, iw = ow * g.stride + j;  // in padded coordinates
    if (ih < g.padding || iw < g.padding || ih - g.padding >= g.height || iw - g.padding >= g.width) return nullptr;
    return images + n * g.image_size() + (c * g.height + ih - g.padding) * g.width + (iw - g.padding);
}
}  // namespace

void im2col_reference(const real* images, std::size_t batch, const ConvGeometry& g, real* cols) {
    const std::size_t ho = g.out_h(), wo = g.out_w(), columns = batch * ho * wo;
    for (std::size_t c = 0; c < g.channels; ++c)
        for (std::size_t i = 0; i < g.kernel_h; ++i)
            for (std::size_t j = 0; j < g.kernel_w; ++j)
                for (std::size_t n = 0; n < batch; ++n)
                    for (std::size_t oh = 0; oh < ho; ++oh)
                        for (std::size_t ow = 0; ow < wo; ++ow) {
                            const real* pixel = window_pixel(images, n, c, i, j, oh, ow, g);
                            cols[((c * g.kernel_h + i) * g.kernel_w + j) * columns + (n * ho + oh) * wo + ow] =
                                pixel ? *pixel : real(0);
                        }
}

void col2im_reference(const real* cols, std::size_t batch, const ConvGeometry& g, real* images, bool overwrite) {
    const std::size_t ho = g.out_h(), wo = g.out_w(), columns = batch * ho * wo;
    if (overwrite) std::fill(images, images + batch * g.image_size(), real(0));
    for (std::size_t c = 0; c < g.channels; ++c)
        for (std::size_t i = 0; i < g.kernel_h; ++i)
            for (std::size_t j = 0; j < g.kernel_w; ++j)
                for (std::size_t n = 0; n < batch; ++n)
                    for (std::size_t oh = 0; oh < ho; ++oh)
                        for (std::size_t ow = 0; ow < wo; ++ow)
                            if (real* pixel = window_pixel(images, n, c, i, j, oh, ow, g))
                                *pixel += cols[((c * g.kernel_h + i) * g.kernel_w + j) * columns + (n * ho + oh) * wo + ow];
}

}  // namespace mmgen
