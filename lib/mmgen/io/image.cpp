// Images in and out through stb_image / stb_image_write (the implementations are compiled
// into Debian's libstb, so no STB_*_IMPLEMENTATION here), an area-averaging resize, and a
// tiny bitmap font for captions.
#include <mmgen/io/image.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string_view>
#include <utility>

#include <stb/stb_image.h>
#include <stb/stb_image_write.h>

namespace mmgen {

namespace {

// The models' image side; load_image_28x28 always produces kSide × kSide.
constexpr std::size_t kSide = 28;
// Grey level of the grid canvas: the padding between tiles and the caption strips.
constexpr std::uint8_t kCanvasGrey = 255;
// Grey level of caption text.
constexpr std::uint8_t kTextGrey = 0;

// A grey image, row-major: value (r, c) at r·width + c.
template <class T>
struct Grey {
    std::size_t width = 0, height = 0;
    std::vector<T> pixels;
    T& at(std::size_t r, std::size_t c) { return pixels[r * width + c]; }
    T at(std::size_t r, std::size_t c) const { return pixels[r * width + c]; }
};

// --- loading ---------------------------------------------------------------------------------

[[noreturn]] void fail_to_load(const std::filesystem::path& path) {
    const char* reason = stbi_failure_reason();
    std::string message = "load_image_28x28: cannot load '" + path.string() + "': " +
                          (reason ? reason : "unknown stb_image error");
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) message += " (the file does not exist)";
    throw std::runtime_error(message);
}

// The file as grey levels 0..255 (double), transparency composited onto white.
Grey<double> read_grey(const std::filesystem::path& path) {
    int width = 0, height = 0, channels = 0;
    if (!stbi_info(path.c_str(), &width, &height, &channels)) fail_to_load(path);
    const bool has_alpha = channels == 2 || channels == 4;
    const int wanted = has_alpha ? 2 : 1;  // stb converts colour to grey by luminance
    using Pixels = std::unique_ptr<stbi_uc, decltype(&stbi_image_free)>;
    Pixels data(stbi_load(path.c_str(), &width, &height, &channels, wanted), &stbi_image_free);
    if (!data) fail_to_load(path);

    Grey<double> image{static_cast<std::size_t>(width), static_cast<std::size_t>(height), {}};
    image.pixels.resize(image.width * image.height);
    for (std::size_t i = 0; i < image.pixels.size(); ++i) {
        if (!has_alpha) {
            image.pixels[i] = data.get()[i];
        } else {  // over white: g·α + 255·(1 − α)
            const double grey = data.get()[2 * i], alpha = data.get()[2 * i + 1] / 255.0;
            image.pixels[i] = grey * alpha + 255.0 * (1.0 - alpha);
        }
    }
    return image;
}

// Mean grey of the outermost ring of pixels.
double border_mean(const Grey<double>& image) {
    double total = 0;
    std::size_t count = 0;
    for (std::size_t r = 0; r < image.height; ++r)
        for (std::size_t c = 0; c < image.width; ++c)
            if (r == 0 || c == 0 || r + 1 == image.height || c + 1 == image.width) {
                total += image.at(r, c);
                ++count;
            }
    return count ? total / static_cast<double>(count) : 0.0;
}

// The image centred on a square of side max(width, height) filled with `background`.
Grey<double> pad_to_square(const Grey<double>& image, double background) {
    const std::size_t side = std::max(image.width, image.height);
    Grey<double> square{side, side, std::vector<double>(side * side, background)};
    const std::size_t top = (side - image.height) / 2, left = (side - image.width) / 2;
    for (std::size_t r = 0; r < image.height; ++r)
        for (std::size_t c = 0; c < image.width; ++c) square.at(top + r, left + c) = image.at(r, c);
    return square;
}

// One output sample of a 1-D box filter: which source pixels it averages, with what weights.
struct BoxTap {
    std::size_t first = 0;        // first source pixel covered
    std::vector<double> weights;  // weights of first, first + 1, …; they sum to 1
};

// Output pixel o of n_out covers the source interval [o·s, (o + 1)·s) with s = n_in / n_out;
// source pixel p (the interval [p, p + 1)) gets weight |[p, p + 1) ∩ [o·s, (o + 1)·s)| / s.
std::vector<BoxTap> box_taps(std::size_t n_in, std::size_t n_out) {
    const double s = static_cast<double>(n_in) / static_cast<double>(n_out);
    std::vector<BoxTap> taps(n_out);
    for (std::size_t o = 0; o < n_out; ++o) {
        const double lo = static_cast<double>(o) * s, hi = static_cast<double>(o + 1) * s;
        const auto first = static_cast<std::size_t>(std::floor(lo));
        const auto last = std::min(n_in, static_cast<std::size_t>(std::ceil(hi)));  // one past
        taps[o].first = first;
        for (std::size_t p = first; p < last; ++p) {
            const double overlap = std::min(hi, static_cast<double>(p + 1)) - std::max(lo, static_cast<double>(p));
            taps[o].weights.push_back(std::max(overlap, 0.0) / s);
        }
    }
    return taps;
}

// Area-averaging resize of a square image to side × side. The box filter is separable (the
// area of a rectangle's overlap is the product of the overlaps along each axis), so it runs
// as a horizontal pass then a vertical pass.
Grey<double> resize_area(const Grey<double>& image, std::size_t side) {
    const auto across = box_taps(image.width, side), down = box_taps(image.height, side);
    Grey<double> wide{side, image.height, std::vector<double>(side * image.height, 0.0)};  // (height, side)
    for (std::size_t r = 0; r < image.height; ++r)
        for (std::size_t c = 0; c < side; ++c)
            for (std::size_t k = 0; k < across[c].weights.size(); ++k)
                wide.at(r, c) += across[c].weights[k] * image.at(r, across[c].first + k);
    Grey<double> out{side, side, std::vector<double>(side * side, 0.0)};  // (side, side)
    for (std::size_t r = 0; r < side; ++r)
        for (std::size_t k = 0; k < down[r].weights.size(); ++k)
            for (std::size_t c = 0; c < side; ++c) out.at(r, c) += down[r].weights[k] * wide.at(down[r].first + k, c);
    return out;
}

// --- writing ---------------------------------------------------------------------------------

// clamp(v, lo, hi) mapped linearly to 0..255; NaN maps to 0 (lo).
std::uint8_t to_byte(real v, real lo, real hi) {
    if (std::isnan(v)) return 0;
    const double t = (static_cast<double>(std::clamp(v, lo, hi)) - lo) / (static_cast<double>(hi) - lo);
    return static_cast<std::uint8_t>(std::lround(t * 255.0));
}

void write_file(const std::filesystem::path& path, const Grey<std::uint8_t>& canvas, const char* who) {
    if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path());
    const int ok = stbi_write_png(path.c_str(), static_cast<int>(canvas.width), static_cast<int>(canvas.height), 1,
                                  canvas.pixels.data(), static_cast<int>(canvas.width));
    if (!ok) throw std::runtime_error(std::string(who) + ": cannot write '" + path.string() + "'");
}

// How many rows·cols images `images` holds; throws unless it is a whole, non-zero number.
std::size_t image_count(const char* who, const Tensor& images, std::size_t rows, std::size_t cols) {
    const std::size_t per_image = rows * cols;
    if (per_image == 0 || images.numel() == 0 || images.numel() % per_image != 0)
        throw std::invalid_argument(std::string(who) + ": a tensor of shape " + images.shape_str() +
                                    " does not hold whole " + std::to_string(rows) + "×" + std::to_string(cols) +
                                    " images");
    return images.numel() / per_image;
}

void require_range(const char* who, real lo, real hi) {
    if (!(hi > lo))
        throw std::invalid_argument(std::string(who) + ": the value range [" + std::to_string(lo) + ", " +
                                    std::to_string(hi) + "] is empty");
}

// --- the caption font --------------------------------------------------------------------------

// 5×7 glyphs drawn as pictures: '#' is ink, '.' is paper. Lower-case letters follow the
// HD44780 LCD character ROM, whose descenders (g j p q y) fit inside the 7 rows.
struct Glyph {
    char c;
    std::array<const char*, 7> rows;
};

// clang-format off
constexpr Glyph kFont[] = {
    {' ', {".....", ".....", ".....", ".....", ".....", ".....", "....."}},
    {'a', {".....", ".....", ".###.", "....#", ".####", "#...#", ".####"}},
    {'b', {"#....", "#....", "#.##.", "##..#", "#...#", "#...#", "####."}},
    {'c', {".....", ".....", ".###.", "#....", "#....", "#...#", ".###."}},
    {'d', {"....#", "....#", ".##.#", "#..##", "#...#", "#...#", ".####"}},
    {'e', {".....", ".....", ".###.", "#...#", "#####", "#....", ".###."}},
    {'f', {"..##.", ".#..#", ".#...", "###..", ".#...", ".#...", ".#..."}},
    {'g', {".....", ".....", ".####", "#...#", ".####", "....#", ".###."}},
    {'h', {"#....", "#....", "#.##.", "##..#", "#...#", "#...#", "#...#"}},
    {'i', {"..#..", ".....", ".##..", "..#..", "..#..", "..#..", ".###."}},
    {'j', {"...#.", ".....", "..##.", "...#.", "...#.", "#..#.", ".##.."}},
    {'k', {"#....", "#....", "#..#.", "#.#..", "##...", "#.#..", "#..#."}},
    {'l', {".##..", "..#..", "..#..", "..#..", "..#..", "..#..", ".###."}},
    {'m', {".....", ".....", "##.#.", "#.#.#", "#.#.#", "#...#", "#...#"}},
    {'n', {".....", ".....", "#.##.", "##..#", "#...#", "#...#", "#...#"}},
    {'o', {".....", ".....", ".###.", "#...#", "#...#", "#...#", ".###."}},
    {'p', {".....", ".....", "####.", "#...#", "####.", "#....", "#...."}},
    {'q', {".....", ".....", ".##.#", "#..##", ".####", "....#", "....#"}},
    {'r', {".....", ".....", "#.##.", "##..#", "#....", "#....", "#...."}},
    {'s', {".....", ".....", ".###.", "#....", ".###.", "....#", "####."}},
    {'t', {".#...", ".#...", "###..", ".#...", ".#...", ".#..#", "..##."}},
    {'u', {".....", ".....", "#...#", "#...#", "#...#", "#..##", ".##.#"}},
    {'v', {".....", ".....", "#...#", "#...#", "#...#", ".#.#.", "..#.."}},
    {'w', {".....", ".....", "#...#", "#...#", "#.#.#", "#.#.#", ".#.#."}},
    {'x', {".....", ".....", "#...#", ".#.#.", "..#..", ".#.#.", "#...#"}},
    {'y', {".....", ".....", "#...#", "#...#", ".####", "....#", ".###."}},
    {'z', {".....", ".....", "#####", "...#.", "..#..", ".#...", "#####"}},
    {'0', {".###.", "#...#", "#..##", "#.#.#", "##..#", "#...#", ".###."}},
    {'1', {"..#..", ".##..", "..#..", "..#..", "..#..", "..#..", ".###."}},
    {'2', {".###.", "#...#", "....#", "...#.", "..#..", ".#...", "#####"}},
    {'3', {"#####", "...#.", "..#..", "...#.", "....#", "#...#", ".###."}},
    {'4', {"...#.", "..##.", ".#.#.", "#..#.", "#####", "...#.", "...#."}},
    {'5', {"#####", "#....", "####.", "....#", "....#", "#...#", ".###."}},
    {'6', {"..##.", ".#...", "#....", "####.", "#...#", "#...#", ".###."}},
    {'7', {"#####", "....#", "...#.", "..#..", ".#...", ".#...", ".#..."}},
    {'8', {".###.", "#...#", "#...#", ".###.", "#...#", "#...#", ".###."}},
    {'9', {".###.", "#...#", "#...#", ".####", "....#", "...#.", ".##.."}},
    {'-', {".....", ".....", ".....", "#####", ".....", ".....", "....."}},
    {'/', {".....", "....#", "...#.", "..#..", ".#...", "#....", "....."}},
    {'.', {".....", ".....", ".....", ".....", ".....", ".##..", ".##.."}},
    {',', {".....", ".....", ".....", ".....", ".##..", "..#..", ".#..."}},
    {':', {".....", ".##..", ".##..", ".....", ".##..", ".##..", "....."}},
    {'(', {"...#.", "..#..", ".#...", ".#...", ".#...", "..#..", "...#."}},
    {')', {".#...", "..#..", "...#.", "...#.", "...#.", "..#..", ".#..."}},
    {'=', {".....", ".....", "#####", ".....", "#####", ".....", "....."}},
    {'+', {".....", "..#..", "..#..", "#####", "..#..", "..#..", "....."}},
    {'_', {".....", ".....", ".....", ".....", ".....", ".....", "#####"}},
    {'\'', {".##..", "..#..", ".#...", ".....", ".....", ".....", "....."}},
    {'%', {"##...", "##..#", "...#.", "..#..", ".#...", "#..##", "...##"}},
    {'?', {".###.", "#...#", "....#", "...#.", "..#..", ".....", "..#.."}},
};
// clang-format on

constexpr std::size_t kGlyphWidth = 5, kGlyphHeight = 7;
constexpr std::size_t kAdvance = kGlyphWidth + 1;     // dots from one character to the next
constexpr std::size_t kLineHeight = kGlyphHeight + 2;  // dots from one line to the next

constexpr bool font_is_well_formed() {
    for (const auto& glyph : kFont)
        for (const char* row : glyph.rows) {
            std::size_t n = 0;
            for (; row[n] != '\0'; ++n)
                if (row[n] != '#' && row[n] != '.') return false;
            if (n != kGlyphWidth) return false;
        }
    return true;
}
static_assert(font_is_well_formed(), "every glyph row must be 5 characters of '#' and '.'");

const Glyph& glyph_for(char c) {
    static const Glyph* unknown = nullptr;
    for (const auto& g : kFont) {
        if (g.c == c) return g;
        if (g.c == '?') unknown = &g;
    }
    return *unknown;
}

// The caption as drawable characters: lower case, unknown characters as '?', and each UTF-8
// multi-byte sequence as a single '?'.
std::string normalise_caption(std::string_view text) {
    std::string out;
    for (const char ch : text) {
        const auto byte = static_cast<unsigned char>(ch);
        if (byte >= 0x80) {
            if (byte >= 0xC0) out += '?';  // a lead byte; continuation bytes (0x80–0xBF) are skipped
            continue;
        }
        const char lower = (ch >= 'A' && ch <= 'Z') ? static_cast<char>(ch - 'A' + 'a') : ch;
        out += glyph_for(lower).c;  // '?' for anything the font lacks
    }
    return out;
}

// Greedy word wrap to at most `width` characters per line; longer words are broken.
std::vector<std::string> wrap(const std::string& text, std::size_t width) {
    std::vector<std::string> lines;
    std::string line;
    std::size_t start = 0;
    while (start < text.size()) {
        std::size_t end = text.find(' ', start);
        if (end == std::string::npos) end = text.size();
        std::string word = text.substr(start, end - start);
        start = end + 1;
        if (word.empty()) continue;
        while (word.size() > width) {  // a word wider than the tile: cut it into pieces
            if (!line.empty()) lines.push_back(std::exchange(line, {}));
            lines.push_back(word.substr(0, width));
            word.erase(0, width);
        }
        if (line.empty())
            line = word;
        else if (line.size() + 1 + word.size() <= width)
            line += ' ' + word;
        else
            lines.push_back(std::exchange(line, word));
    }
    if (!line.empty()) lines.push_back(line);
    return lines;
}

// Draws `text` with its top-left corner at (top, left), each font dot a d × d block.
void draw_text(Grey<std::uint8_t>& canvas, const std::string& text, std::size_t top, std::size_t left, std::size_t d) {
    for (std::size_t k = 0; k < text.size(); ++k) {
        const Glyph& g = glyph_for(text[k]);
        for (std::size_t gy = 0; gy < kGlyphHeight; ++gy)
            for (std::size_t gx = 0; gx < kGlyphWidth; ++gx) {
                if (g.rows[gy][gx] != '#') continue;
                for (std::size_t y = 0; y < d; ++y)
                    for (std::size_t x = 0; x < d; ++x) {
                        const std::size_t r = top + gy * d + y, c = left + (k * kAdvance + gx) * d + x;
                        if (r < canvas.height && c < canvas.width) canvas.at(r, c) = kTextGrey;
                    }
            }
    }
}

// --- grids -----------------------------------------------------------------------------------

void write_grid(const char* who, const std::filesystem::path& path, const Tensor& images, std::size_t rows,
                std::size_t cols, std::size_t grid_rows, std::size_t grid_cols,
                const std::vector<std::string>* labels, real lo, real hi, int scale, int padding) {
    require_range(who, lo, hi);
    if (scale < 1 || padding < 0)
        throw std::invalid_argument(std::string(who) + ": scale must be at least 1 and padding non-negative, got " +
                                    std::to_string(scale) + " and " + std::to_string(padding));
    const std::size_t count = image_count(who, images, rows, cols);
    if (count > grid_rows * grid_cols)
        throw std::invalid_argument(std::string(who) + ": " + std::to_string(count) + " images do not fit a " +
                                    std::to_string(grid_rows) + "×" + std::to_string(grid_cols) + " grid");
    if (labels && labels->size() != count)
        throw std::invalid_argument(std::string(who) + ": " + std::to_string(labels->size()) + " labels for " +
                                    std::to_string(count) + " images");

    const auto s = static_cast<std::size_t>(scale), pad = static_cast<std::size_t>(padding);
    const std::size_t tile_h = rows * s, tile_w = cols * s;

    // captions: wrapped to the tile width; the strip is as tall as the longest caption
    const std::size_t dot = std::max<std::size_t>(1, s / 2);  // font dot size in pixels
    const std::size_t chars_per_line = std::max<std::size_t>(1, (tile_w + dot) / (kAdvance * dot));
    std::vector<std::vector<std::string>> captions;
    std::size_t strip_h = 0;
    if (labels) {
        std::size_t max_lines = 1;
        for (const auto& label : *labels) {
            captions.push_back(wrap(normalise_caption(label), chars_per_line));
            max_lines = std::max(max_lines, captions.back().size());
        }
        strip_h = dot * (2 + max_lines * kLineHeight);  // 2 dots above the text
    }

    const std::size_t cell_h = tile_h + strip_h;
    Grey<std::uint8_t> canvas{pad + grid_cols * (tile_w + pad), pad + grid_rows * (cell_h + pad), {}};
    canvas.pixels.assign(canvas.width * canvas.height, kCanvasGrey);
    const auto values = images.data();
    for (std::size_t n = 0; n < count; ++n) {
        const std::size_t top = pad + (n / grid_cols) * (cell_h + pad), left = pad + (n % grid_cols) * (tile_w + pad);
        for (std::size_t r = 0; r < tile_h; ++r)
            for (std::size_t c = 0; c < tile_w; ++c)
                canvas.at(top + r, left + c) = to_byte(values[n * rows * cols + (r / s) * cols + c / s], lo, hi);
        if (!labels) continue;
        for (std::size_t line = 0; line < captions[n].size(); ++line) {
            const std::string& text = captions[n][line];
            const std::size_t text_w = (text.size() * kAdvance - 1) * dot;
            const std::size_t indent = text_w < tile_w ? (tile_w - text_w) / 2 : 0;  // centred under the tile
            draw_text(canvas, text, top + tile_h + dot * (2 + line * kLineHeight), left + indent, dot);
        }
    }
    write_file(path, canvas, who);
}

}  // namespace

Tensor load_image_28x28(const std::filesystem::path& path, Invert invert) {
    const Grey<double> image = read_grey(path);  // grey levels 0..255
    const double border = border_mean(image);
    const Grey<double> small = resize_area(pad_to_square(image, border), kSide);
    const bool flip = invert == Invert::always || (invert == Invert::automatic && border > 127.5);
    Tensor x = Tensor::empty({1, kSide * kSide});  // (1, 784)
    auto xs = x.data();
    for (std::size_t i = 0; i < xs.size(); ++i) {
        const double v = std::clamp(small.pixels[i] / 255.0, 0.0, 1.0);
        xs[i] = static_cast<real>(flip ? 1.0 - v : v);
    }
    return x;
}

void write_png(const std::filesystem::path& path, const Tensor& image_or_batch, std::size_t rows, std::size_t cols,
               real lo, real hi) {
    const std::size_t count = image_count("write_png", image_or_batch, rows, cols);
    if (count > 1) {  // a batch: a near-square grid at scale 1
        const auto grid_cols = static_cast<std::size_t>(std::ceil(std::sqrt(static_cast<double>(count))));
        const std::size_t grid_rows = (count + grid_cols - 1) / grid_cols;
        write_grid("write_png", path, image_or_batch, rows, cols, grid_rows, grid_cols, nullptr, lo, hi, 1, 2);
        return;
    }
    require_range("write_png", lo, hi);
    Grey<std::uint8_t> canvas{cols, rows, std::vector<std::uint8_t>(rows * cols)};
    const auto values = image_or_batch.data();
    for (std::size_t i = 0; i < values.size(); ++i) canvas.pixels[i] = to_byte(values[i], lo, hi);
    write_file(path, canvas, "write_png");
}

void write_grid_png(const std::filesystem::path& path, const Tensor& images, std::size_t rows, std::size_t cols,
                    std::size_t grid_rows, std::size_t grid_cols, real lo, real hi, int scale, int padding) {
    write_grid("write_grid_png", path, images, rows, cols, grid_rows, grid_cols, nullptr, lo, hi, scale, padding);
}

void write_grid_png_with_labels(const std::filesystem::path& path, const Tensor& images, std::size_t rows,
                                std::size_t cols, std::size_t grid_rows, std::size_t grid_cols,
                                const std::vector<std::string>& labels, real lo, real hi, int scale) {
    write_grid("write_grid_png_with_labels", path, images, rows, cols, grid_rows, grid_cols, &labels, lo, hi, scale,
               /*padding=*/std::max(2, scale));
}

}  // namespace mmgen
