// im2col copies window values out; col2im adds them back. The loops are the same.
//
// Both go one input channel at a time through a zero-bordered copy of that channel of the
// images a thread handles. With p zeros on every side, the window under output (oh, ow) starts at
// padded pixel (oh·s, ow·s) and never leaves the padded plane (that is how Ho and Wo are
// defined), so the inner loops need no bounds test:
//
//     im2col   cols[tap (c, i, j)][n, oh, ow]  = padded[n][oh·s + i][ow·s + j]
//     col2im   padded[n][oh·s + i][ow·s + j]  += cols[tap (c, i, j)][n, oh, ow]
//
// The loops run tap by tap and, within a tap, image by image, so each row of cols is read or
// written front to back in one stream. col2im starts the padded interior from the images (or 0
// when overwriting) and copies it back after the channel's taps; what landed in the border is
// the padding's share, which the input does not have. Every pixel receives its values tap by tap
// in the order (c, i, j), the order of the direct loops in col2im_reference, so the two agree to
// the last bit (tests/test_conv.cpp holds both maps to their references).
#include <mmgen/core/im2col.hpp>
#include <mmgen/core/parallel.hpp>

#include <algorithm>
#include <vector>

namespace mmgen {

namespace {

// One channel of a run of images, each plane with a zero border: (images, H + 2p, W + 2p), in a
// buffer per thread. load() sets a plane's interior (the border is zeroed once, at construction:
// im2col only reads it, and what col2im adds there is never read back).
class PaddedChannel {
public:
    PaddedChannel(const ConvGeometry& g, std::size_t images)
        : g_(g), wp_(g.width + 2 * g.padding), plane_size_((g.height + 2 * g.padding) * wp_), values_(scratch()) {
        values_.assign(images * plane_size_, real(0));
    }
    std::size_t width() const { return wp_; }
    real* plane(std::size_t k) { return values_.data() + k * plane_size_; }
    // interior of plane k ← one channel (H, W) of an image; with nullptr, ← 0
    void load(std::size_t k, const real* channel) {
        real* row = interior(k);
        for (std::size_t r = 0; r < g_.height; ++r, row += wp_)
            if (channel)
                std::copy_n(channel + r * g_.width, g_.width, row);
            else
                std::fill_n(row, g_.width, real(0));
    }
    void store(std::size_t k, real* channel) {
        const real* row = interior(k);
        for (std::size_t r = 0; r < g_.height; ++r, row += wp_) std::copy_n(row, g_.width, channel + r * g_.width);
    }

private:
    real* interior(std::size_t k) { return plane(k) + g_.padding * wp_ + g_.padding; }
    static std::vector<real>& scratch() {
        thread_local std::vector<real> buffer;
        return buffer;
    }
    ConvGeometry g_;
    std::size_t wp_, plane_size_;
    std::vector<real>& values_;
};

// Calls visit(window, at) for every output row (tap (c, i, j), image n, oh) of the images
// [first, end) in channel c, in cols order: `window` points at padded[n][oh·s + i][j], the first
// pixel the row's wo windows read (each s further on), `at` is the row's offset in cols.
template <class Visit>
void for_each_output_row(PaddedChannel& padded, std::size_t c, std::size_t first, std::size_t end,
                         std::size_t batch, const ConvGeometry& g, Visit&& visit) {
    const std::size_t ho = g.out_h(), wo = g.out_w(), columns = batch * ho * wo, wp = padded.width();
    for (std::size_t i = 0; i < g.kernel_h; ++i)
        for (std::size_t j = 0; j < g.kernel_w; ++j) {
            std::size_t at = ((c * g.kernel_h + i) * g.kernel_w + j) * columns + first * ho * wo;
            for (std::size_t n = first; n < end; ++n) {
                real* window = padded.plane(n - first) + i * wp + j;
                for (std::size_t oh = 0; oh < ho; ++oh, at += wo) visit(window + oh * g.stride * wp, at);
            }
        }
}

// Images per parallel range: enough that a range copies at least ~16k values.
std::size_t images_per_range(const ConvGeometry& g) {
    const std::size_t per_image = std::max<std::size_t>(g.patch_size() * g.out_h() * g.out_w(), 1);
    return std::max<std::size_t>(1, (std::size_t{1} << 14) / per_image);
}

const real* channel_of(const real* images, std::size_t n, std::size_t c, const ConvGeometry& g) {
    return images + n * g.image_size() + c * g.height * g.width;
}
real* channel_of(real* images, std::size_t n, std::size_t c, const ConvGeometry& g) {
    return images + n * g.image_size() + c * g.height * g.width;
}

}  // namespace

void im2col(const real* images, std::size_t batch, const ConvGeometry& g, real* cols) {
    const std::size_t wo = g.out_w(), s = g.stride;
    parallel::for_range(batch, images_per_range(g), [&](std::size_t first, std::size_t end) {
        PaddedChannel padded(g, end - first);
        for (std::size_t c = 0; c < g.channels; ++c) {
            for (std::size_t n = first; n < end; ++n) padded.load(n - first, channel_of(images, n, c, g));
            for_each_output_row(padded, c, first, end, batch, g, [&](const real* window, std::size_t at) {
                real* out = cols + at;
                for (std::size_t ow = 0; ow < wo; ++ow) out[ow] = window[ow * s];
            });
        }
    });
}

void col2im(const real* cols, std::size_t batch, const ConvGeometry& g, real* images, bool overwrite) {
    const std::size_t wo = g.out_w(), s = g.stride;
    // each image's pixels receive only that image's columns: any split gives the same sums
    parallel::for_range(batch, images_per_range(g), [&](std::size_t first, std::size_t end) {
        PaddedChannel padded(g, end - first);
        for (std::size_t c = 0; c < g.channels; ++c) {
            for (std::size_t n = first; n < end; ++n)
                padded.load(n - first, overwrite ? nullptr : channel_of(images, n, c, g));
            for_each_output_row(padded, c, first, end, batch, g, [&](real* window, std::size_t at) {
                const real* in = cols + at;
                for (std::size_t ow = 0; ow < wo; ++ow) window[ow * s] += in[ow];
            });
            for (std::size_t n = first; n < end; ++n) padded.store(n - first, channel_of(images, n, c, g));
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
