#pragma once
// im2col and col2im: how a convolution becomes one matrix product.
//
// A 2-D convolution slides a kh × kw window over every channel of an image. Writing each
// window's C·kh·kw values as one column of a matrix ("image to columns") turns all the
// dot products of the convolution into a single GEMM:
//
//     cols (C·kh·kw, N·Ho·Wo)      column n·Ho·Wo + oh·Wo + ow: the patch under output (oh, ow)
//     Y′   (F, N·Ho·Wo) = W (F, C·kh·kw) · cols
//
// col2im is im2col's adjoint: it adds every column value back onto the pixel it was read
// from (a pixel covered by several windows receives the sum). That is exactly what the
// backward pass of a convolution needs, and what the forward pass of a transposed
// convolution is.
#include <cstddef>

#include <mmgen/core/real.hpp>

namespace mmgen {

// A convolution's geometry over images (C, H, W) with a kh × kw kernel.
//   Ho = ⌊(H + 2·padding − kh) / stride⌋ + 1,   Wo likewise
struct ConvGeometry {
    std::size_t channels = 1, height = 1, width = 1;  // of the (unpadded) input image
    std::size_t kernel_h = 1, kernel_w = 1;
    std::size_t stride = 1, padding = 0;

    std::size_t out_h() const { return (height + 2 * padding - kernel_h) / stride + 1; }
    std::size_t out_w() const { return (width + 2 * padding - kernel_w) / stride + 1; }
    std::size_t patch_size() const { return channels * kernel_h * kernel_w; }  // rows of cols
    std::size_t image_size() const { return channels * height * width; }
};

// images (N, C, H, W) → cols (C·kh·kw, N·Ho·Wo); row (c·kh + i)·kw + j of column (n, oh, ow) holds
// x[n, c, oh·stride − padding + i, ow·stride − padding + j], or 0 where that falls in the padding.
void im2col(const real* images, std::size_t batch, const ConvGeometry& g, real* cols);

// The adjoint: images (N, C, H, W) += the column values, each added to the pixel im2col read it from
// (padding positions are dropped). With overwrite, images = the sums instead (each image is zeroed
// just before its columns are added, which saves a separate zero-fill of the whole batch).
void col2im(const real* cols, std::size_t batch, const ConvGeometry& g, real* images, bool overwrite = false);

// The same two maps as direct loops over (tap, image, oh, ow) with a bounds test per value: the
// definitions above, kept for the tests, which hold the fast versions to them bit for bit.
void im2col_reference(const real* images, std::size_t batch, const ConvGeometry& g, real* cols);
void col2im_reference(const real* cols, std::size_t batch, const ConvGeometry& g, real* images, bool overwrite = false);

}  // namespace mmgen
