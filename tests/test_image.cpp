// Images in and out: PNG round trips, the area-averaging resize, padding to a square,
// inversion, transparency, grids and captions, and errors that name the file.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include <stb/stb_image.h>
#include <stb/stb_image_write.h>

#include <mmgen/io/image.hpp>
#include <mmgen/core/ops.hpp>

#include "support.hpp"

using namespace mmgen;
using Catch::Matchers::Contains;

namespace {

std::filesystem::path output_dir() { return test::output_dir("image"); }
// Pixel values computed from 8-bit ones: exact up to a few roundings of the build's precision.
const double kPixel = std::max(1e-9, test::tol.rel);

// A PNG read back as raw grey bytes.
struct Png {
    int width = 0, height = 0;
    std::vector<std::uint8_t> pixels;
    int at(int r, int c) const { return pixels[static_cast<std::size_t>(r * width + c)]; }
};

Png read_png(const std::filesystem::path& path) {
    Png png;
    int channels = 0;
    stbi_uc* data = stbi_load(path.c_str(), &png.width, &png.height, &channels, 1);
    REQUIRE(data != nullptr);
    png.pixels.assign(data, data + png.width * png.height);
    stbi_image_free(data);
    return png;
}

// A rows × cols image with value(r, c) at r·cols + c.
template <class F>
Tensor image_of(std::size_t rows, std::size_t cols, F value) {
    Tensor t = Tensor::empty({rows * cols});
    for (std::size_t r = 0; r < rows; ++r)
        for (std::size_t c = 0; c < cols; ++c) t.data()[r * cols + c] = static_cast<real>(value(r, c));
    return t;
}

}  // namespace

TEST_CASE("an image written with write_png loads back with the same values within 1/255", "[image]") {
    // a 28×28 image loads without resizing, so only 8-bit quantisation separates the values
    const Tensor original =
        image_of(28, 28, [](std::size_t r, std::size_t c) { return std::fmod(0.013 * double(r * 28 + c), 1.0); });
    const auto path = output_dir() / "round_trip.png";
    write_png(path, original, 28, 28, 0, 1);
    const Tensor loaded = load_image_28x28(path, Invert::never);

    REQUIRE(loaded.shape() == Shape{1, 784});
    for (std::size_t i = 0; i < 784; ++i) {
        INFO("pixel " << i);
        REQUIRE_THAT(loaded.data()[i], Catch::Matchers::WithinAbs(original.data()[i], 0.5 / 255 + kPixel));
    }
}

TEST_CASE("write_png clamps values to [lo, hi] and maps that range onto 0..255", "[image]") {
    const Tensor t = Tensor::from_data({1, 4}, {-3, -1, 0, 5});
    const auto path = output_dir() / "clamped.png";
    write_png(path, t, 1, 4, -1, 1);
    const Png png = read_png(path);
    REQUIRE(png.width == 4);
    REQUIRE(png.height == 1);
    CHECK(png.at(0, 0) == 0);    // below lo
    CHECK(png.at(0, 1) == 0);    // lo
    CHECK(png.at(0, 2) == 128);  // the middle: 127.5 rounds up
    CHECK(png.at(0, 3) == 255);  // above hi
}

TEST_CASE("a 56x56 image is shrunk to 28x28 by averaging each 2x2 block", "[image]") {
    // values k/255 survive the 8-bit PNG exactly, so the expected means are exact
    const Tensor big =
        image_of(56, 56, [](std::size_t r, std::size_t c) { return double((r * 7 + c * 13) % 256) / 255; });
    const auto path = output_dir() / "big_56.png";
    write_png(path, big, 56, 56);
    const Tensor small = load_image_28x28(path, Invert::never);

    for (std::size_t r = 0; r < 28; ++r)
        for (std::size_t c = 0; c < 28; ++c) {
            const auto v = [&](std::size_t rr, std::size_t cc) { return double(big.data()[rr * 56 + cc]); };
            const double expected =
                (v(2 * r, 2 * c) + v(2 * r, 2 * c + 1) + v(2 * r + 1, 2 * c) + v(2 * r + 1, 2 * c + 1)) / 4;
            INFO("output pixel (" << r << ", " << c << ")");
            test::require_close(small.data()[r * 28 + c], expected, kPixel, kPixel);
        }
}

TEST_CASE("a wide image is fitted by its longer side and padded with its border colour", "[image]") {
    // 28 rows × 56 columns: a grey border of 0.2 around a white block
    const Tensor wide = image_of(28, 56, [](std::size_t r, std::size_t c) {
        return (r >= 4 && r < 24 && c >= 8 && c < 48) ? 1.0 : 51.0 / 255;
    });
    const auto path = output_dir() / "wide_28x56.png";
    write_png(path, wide, 28, 56);
    const Tensor x = load_image_28x28(path, Invert::never);

    // the 56-wide image shrinks by 2 to 28 × 14, centred: 7 padded rows above and below
    SECTION("the padding takes the border's grey") {
        for (std::size_t c = 0; c < 28; ++c) {
            test::require_close(x.data()[0 * 28 + c], 0.2, kPixel, kPixel);
            test::require_close(x.data()[27 * 28 + c], 0.2, kPixel, kPixel);
        }
    }
    SECTION("the image's content lands in the middle rows") {
        // source rows 4..23 → output rows 7 + 2..7 + 11 = 9..18, source columns 8..47 → 4..23
        test::require_close(x.data()[9 * 28 + 4], 1.0, kPixel, kPixel);
        test::require_close(x.data()[18 * 28 + 23], 1.0, kPixel, kPixel);
        test::require_close(x.data()[8 * 28 + 4], 0.2, kPixel, kPixel);
        test::require_close(x.data()[19 * 28 + 23], 0.2, kPixel, kPixel);
    }
}

TEST_CASE("a dark object on a light background is inverted to Fashion-MNIST's light on dark", "[image]") {
    // white background, black square in the middle
    const Tensor photo = image_of(28, 28, [](std::size_t r, std::size_t c) {
        return (r >= 10 && r < 18 && c >= 10 && c < 18) ? 0.0 : 1.0;
    });
    const auto path = output_dir() / "dark_on_light.png";
    write_png(path, photo, 28, 28);

    SECTION("automatic inversion looks at the bright border") {
        const Tensor x = load_image_28x28(path);  // Invert::automatic
        test::require_close(x.data()[0], 0.0);
        test::require_close(x.data()[14 * 28 + 14], 1.0);
    }
    SECTION("Invert::never keeps the file's values") {
        const Tensor x = load_image_28x28(path, Invert::never);
        test::require_close(x.data()[0], 1.0);
        test::require_close(x.data()[14 * 28 + 14], 0.0);
    }
    SECTION("a light-on-dark image is left alone by automatic inversion and flipped by Invert::always") {
        const auto dark_path = output_dir() / "light_on_dark.png";
        write_png(dark_path, 1 - photo, 28, 28);
        const Tensor automatic = load_image_28x28(dark_path);
        const Tensor always = load_image_28x28(dark_path, Invert::always);
        test::require_close(automatic.data()[0], 0.0);
        test::require_close(automatic.data()[14 * 28 + 14], 1.0);
        test::require_close(always.data()[0], 1.0);
        test::require_close(always.data()[14 * 28 + 14], 0.0);
    }
}

TEST_CASE("transparent pixels are composited onto white", "[image]") {
    // 28×28 RGBA: fully transparent black everywhere, an opaque black square in the middle,
    // one half-transparent black pixel
    std::vector<std::uint8_t> rgba(28 * 28 * 4, 0);
    for (int r = 10; r < 18; ++r)
        for (int c = 10; c < 18; ++c) rgba[static_cast<std::size_t>((r * 28 + c) * 4 + 3)] = 255;
    rgba[static_cast<std::size_t>((2 * 28 + 2) * 4 + 3)] = 102;  // α = 0.4
    const auto path = output_dir() / "transparent.png";
    REQUIRE(stbi_write_png(path.c_str(), 28, 28, 4, rgba.data(), 28 * 4) != 0);

    const Tensor x = load_image_28x28(path, Invert::never);
    test::require_close(x.data()[0], 1.0);                     // transparent → white
    test::require_close(x.data()[14 * 28 + 14], 0.0);          // opaque black stays black
    test::require_close(x.data()[2 * 28 + 2], 0.6, kPixel, kPixel);  // 0·0.4 + 1·0.6
}

TEST_CASE("loading a file that is not an image throws an error naming the file", "[image]") {
    SECTION("a text file") {
        const auto path = output_dir() / "not_an_image.png";
        std::ofstream(path) << "this is text, not a PNG\n";
        REQUIRE_THROWS_WITH(load_image_28x28(path), Contains("not_an_image.png") && Contains("load_image_28x28"));
    }
    SECTION("a missing file") {
        const auto path = output_dir() / "no_such_file.jpg";
        std::filesystem::remove(path);
        REQUIRE_THROWS_WITH(load_image_28x28(path), Contains("no_such_file.jpg") && Contains("does not exist"));
    }
}

TEST_CASE("write_grid_png tiles images with padding and enlarges each value to a block", "[image]") {
    // 5 images of 3×2, image n filled with n/4, in a 2×3 grid at scale 2 with padding 1
    Tensor images = Tensor::empty({5, 6});
    for (std::size_t n = 0; n < 5; ++n)
        for (std::size_t i = 0; i < 6; ++i) images.data()[n * 6 + i] = static_cast<real>(n) / 4;
    const auto path = output_dir() / "grid.png";
    write_grid_png(path, images, 3, 2, 2, 3, 0, 1, 2, 1);
    const Png png = read_png(path);

    REQUIRE(png.width == 1 + 3 * (2 * 2 + 1));   // padding + grid_cols · (tile + padding)
    REQUIRE(png.height == 1 + 2 * (3 * 2 + 1));
    CHECK(png.at(0, 0) == 255);                  // padding is white
    CHECK(png.at(1, 1) == 0);                    // image 0, top-left
    CHECK(png.at(6, 4) == 0);                    // image 0, bottom-right of its 6×4 tile
    CHECK(png.at(1, 6) == 64);                   // image 1 = 0.25
    CHECK(png.at(8, 1 + 2 * 5) == 255);          // image 5 does not exist: its tile stays white
    CHECK(png.at(8, 6) == 255 * 4 / 4);          // image 4 = 1.0 (second row, middle)
}

TEST_CASE("write_png of a batch writes a near-square grid", "[image]") {
    const Tensor batch = Tensor::full({5, 4}, 0.5);  // five 2×2 images
    const auto path = output_dir() / "batch.png";
    write_png(path, batch, 2, 2);
    const Png png = read_png(path);
    CHECK(png.width == 2 + 3 * (2 + 2));   // 3 columns
    CHECK(png.height == 2 + 2 * (2 + 2));  // 2 rows
}

TEST_CASE("grid writers reject tensors that do not hold whole images or do not fit", "[image]") {
    const auto path = output_dir() / "rejected.png";
    REQUIRE_THROWS_WITH(write_png(path, Tensor::zeros({1, 783}), 28, 28), Contains("(1, 783)"));
    REQUIRE_THROWS_WITH(write_grid_png(path, Tensor::zeros({5, 4}), 2, 2, 2, 2), Contains("do not fit"));
    REQUIRE_THROWS_WITH(write_png(path, Tensor::zeros({4}), 2, 2, 1, 1), Contains("empty"));
}

TEST_CASE("captions are drawn in dark pixels under their tiles, wrapped to the tile width", "[image]") {
    const Tensor images = Tensor::zeros({3, 28 * 28});
    const std::vector<std::string> labels = {"a dark trouser", "", "Sneaker 9 ünïcode"};
    const auto path = output_dir() / "labelled_grid.png";
    write_grid_png_with_labels(path, images, 28, 28, 1, 3, labels, 0, 1, 2);
    const Png png = read_png(path);

    // tiles are 56 px wide; at scale 2 the font dot is 1 px and a line holds 9 characters, so
    // "a dark trouser" takes two lines: the strip is 2 + 2·9 = 20 px tall
    const int pad = 2, tile = 56, strip = 20;
    REQUIRE(png.width == pad + 3 * (tile + pad));
    REQUIRE(png.height == pad + tile + strip + pad);

    auto dark_pixels_under = [&](int tile_index) {
        int count = 0;
        const int left = pad + tile_index * (tile + pad);
        for (int r = pad + tile; r < pad + tile + strip; ++r)
            for (int c = left; c < left + tile; ++c) count += png.at(r, c) < 128;
        return count;
    };
    CHECK(dark_pixels_under(0) > 20);
    CHECK(dark_pixels_under(1) == 0);  // an empty caption draws nothing
    CHECK(dark_pixels_under(2) > 20);

    SECTION("a caption must be given for every image") {
        REQUIRE_THROWS_WITH(write_grid_png_with_labels(path, images, 28, 28, 1, 3, {"one"}, 0, 1, 2),
                            Contains("1 labels for 3 images"));
    }
}
