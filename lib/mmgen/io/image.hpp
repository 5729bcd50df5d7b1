#pragma once
// Images in and out: any PNG/JPG/BMP into a 28×28 tensor the models accept, and tensors out
// as PNG files — one image, a tiled grid, or a grid with a caption under each tile.
//
// Values follow Fashion-MNIST: one grey channel in [0, 1], 0 = black, with a *bright object
// on a black background*. A photo of a shirt on a white table is the opposite, so
// load_image_28x28 can invert it (automatically when the image's border is bright).
//
// Pixel layout is row-major, like the data set: value (r, c) of an image is at r·cols + c.
//
//     Tensor x = load_image_28x28("my_shirt.jpg");          // (1, 784), ready for model(x)
//     write_grid_png("plots/ch03/samples.png", samples, 28, 28, 8, 8);  // samples (64, 784)
#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

#include <mmgen/core/real.hpp>
#include <mmgen/core/tensor.hpp>

namespace mmgen {

// Whether load_image_28x28 turns dark-on-light into light-on-dark.
enum class Invert {
    automatic,  // invert when the mean grey of the image's outermost pixel ring is above ½
    never,
    always,
};

// Loads a PNG, JPG, BMP, GIF (first frame), TGA, PSD, PNM or HDR file as a Fashion-MNIST-like
// image: shape (1, 784), a batch of one flattened 28×28 image with values in [0, 1].
//
// The steps, in order:
//   1. grey: colour becomes luminance (stb_image's 0.299 R + 0.587 G + 0.114 B, in integers).
//      Transparency is composited onto white, the way a viewer shows the file on a page, so a
//      dark drawing on a transparent background stays a dark drawing on white.
//   2. square: the shorter side is padded, centred, with the mean grey of the image's border,
//      so the longer side spans the whole 28 pixels — as Fashion-MNIST's own preprocessing
//      fits each product's longer edge to 28.
//   3. resize: area averaging (a box filter) — each output pixel is the mean of the source
//      area it covers, fractional source pixels weighted by the fraction covered. Shrinking by
//      an integer factor k is the plain mean of each k×k block; enlarging repeats pixels.
//   4. scale to [0, 1] and invert per `invert` (v ← 1 − v).
// Throws std::runtime_error naming the file and stb_image's reason when the file is missing
// or not an image it can decode.
Tensor load_image_28x28(const std::filesystem::path& path, Invert invert = Invert::automatic);

// Writes one grey image (rows × cols) as an 8-bit PNG at its own resolution: values are
// clamped to [lo, hi] and mapped linearly to 0..255 (NaN is drawn as lo). `image_or_batch`
// may have any shape holding rows·cols values, e.g. (784), (1, 784) or (28, 28); a batch of
// N > 1 images (N·rows·cols values) is written as a near-square grid (write_grid_png with
// scale 1). Creates the parent directories; throws std::runtime_error if the file cannot be
// written and std::invalid_argument if the values do not make whole images.
void write_png(const std::filesystem::path& path, const Tensor& image_or_batch, std::size_t rows, std::size_t cols,
               real lo = 0, real hi = 1);

// Writes images (N, rows·cols) as a grid_rows × grid_cols tiling, row by row, each tile
// enlarged `scale` times (each value drawn as a scale×scale block) with `padding` pixels of
// white between tiles and around the edge. N may be smaller than the grid (the remaining
// tiles stay white) but not larger. Values as in write_png.
void write_grid_png(const std::filesystem::path& path, const Tensor& images, std::size_t rows, std::size_t cols,
                    std::size_t grid_rows, std::size_t grid_cols, real lo = 0, real hi = 1, int scale = 2,
                    int padding = 2);

// write_grid_png with a caption under every tile, drawn in a built-in 5×7 pixel font:
// a–z (capitals are drawn as lower case), 0–9, space and - / . , : ( ) = + _ ' % ?; any other
// character is drawn as '?'. Captions wrap at spaces to the tile's width (a word longer than
// the width is broken across lines); every caption strip is as tall as the longest caption.
// The font is drawn at scale/2 pixels per dot (at least 1), black on the white canvas, and
// tiles are max(2, scale) pixels apart. labels.size() must equal the number of images.
void write_grid_png_with_labels(const std::filesystem::path& path, const Tensor& images, std::size_t rows,
                                std::size_t cols, std::size_t grid_rows, std::size_t grid_cols,
                                const std::vector<std::string>& labels, real lo = 0, real hi = 1, int scale = 2);

}  // namespace mmgen
