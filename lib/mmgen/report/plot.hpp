#pragma once
// Figures as PNG files, drawn by gnuplot (run as a child process on a script file).
//
// Every function writes three files side by side:
//     loss.png   the figure
//     loss.dat   the data, as whitespace-separated columns with '#' comment headers (one
//                block per series, blocks separated by two blank lines: gnuplot's `index`)
//     loss.gp    the gnuplot script that drew it; `cd` into the folder and run
//                `gnuplot loss.gp` to draw it again, or edit it to restyle the figure
// so the numbers survive even where the picture cannot be drawn.
//
// Calls are synchronous: gnuplot has exited and the PNG is complete when a function returns.
// gnuplot is looked up on PATH at every call. Without it, a warning goes to stderr (once per
// process), the .dat and .gp files are still written, and the function returns false — a
// missing plotting tool never stops a training run. Invalid arguments (mismatched lengths)
// throw std::invalid_argument naming the function; a file that cannot be written throws
// std::runtime_error.
//
// The terminal is pngcairo when gnuplot has it, else the libgd png terminal (chosen inside
// the script, so a .gp file works on either). Text is not "enhanced": an underscore in a
// title is an underscore, not a subscript.
#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

namespace mmgen::plot {

// One line of a line plot.
struct Series {
    std::string name;             // legend entry
    std::vector<double> xs, ys;  // same length
};

// A named set of 2-D points, drawn over a decision surface.
struct PointSet {
    std::string name;
    std::vector<double> xs, ys;
};

// Values on a regular grid over [x_min, x_max] × [y_min, y_max]: value (j, i) — row j,
// column i — belongs to the point (x_at(i), y_at(j)), stored at values[j·nx + i].
struct Grid2D {
    double x_min = -1, x_max = 1, y_min = -1, y_max = 1;
    std::size_t nx = 0, ny = 0;
    std::vector<double> values;  // (ny, nx) row-major

    double x_at(std::size_t i) const { return nx < 2 ? x_min : x_min + (x_max - x_min) * double(i) / double(nx - 1); }
    double y_at(std::size_t j) const { return ny < 2 ? y_min : y_min + (y_max - y_min) * double(j) / double(ny - 1); }
};

// Whether a gnuplot executable is on PATH now.
bool gnuplot_available();

// Where a line plot's key (legend) goes. A key inside the axes hides whatever curve runs
// under it; `below` (under the x label) and `outside_right` put it beside the axes, where it
// covers nothing.
enum class Key { top_right, top_left, bottom_right, bottom_left, below, outside_right, hidden };

// A horizontal line across a line plot at a value the curves are read against — log 4, the
// discriminator's loss at the game's equilibrium; ½, its output there — drawn dashed in grey,
// its label in the right margin at its height (where no curve runs, so keep it short: "log 4").
// It takes part in the y range, so it is always seen.
struct ReferenceLine {
    double y = 0;
    std::string label;
};

// How a line plot looks, beyond its data. log_y draws the y axis on a log scale (non-positive
// values are then skipped by gnuplot; a reference line must then be positive).
struct LineStyle {
    bool log_y = false;
    Key key = Key::top_right;
    std::vector<ReferenceLine> references;
};

// Lines y(x), one per series, with a key naming them, styled by `style`. Returns whether the
// PNG was drawn. A reference line that is not finite (or not positive on a log axis) throws
// std::invalid_argument.
bool line_plot(const std::filesystem::path& png, const std::string& title, const std::string& xlabel,
               const std::string& ylabel, const std::vector<Series>& series, const LineStyle& style);

// The same with the key at the top right and no reference lines; log_y as in LineStyle.
bool line_plot(const std::filesystem::path& png, const std::string& title, const std::string& xlabel,
               const std::string& ylabel, const std::vector<Series>& series, bool log_y = false);

// Points coloured by class, with a legend naming each class that has points:
// classes[k] in [0, class_names.size()) is the class of point (xs[k], ys[k]).
bool scatter_plot(const std::filesystem::path& png, const std::string& title, const std::vector<double>& xs,
                  const std::vector<double>& ys, const std::vector<int>& classes,
                  const std::vector<std::string>& class_names, const std::string& xlabel = "x",
                  const std::string& ylabel = "y");

// A matrix as coloured cells, row 0 at the top, rows labelled down the left and columns along
// the bottom; `annotate` writes each cell's value in it (integers as integers), as a
// confusion matrix is read. The colour scale spans [min(0, smallest), largest] value.
// values is (rows, cols) row-major; label vectors may be empty (then cells are numbered) or
// must have rows / cols entries.
bool heatmap(const std::filesystem::path& png, const std::string& title, const std::vector<double>& values,
             std::size_t rows, std::size_t cols, const std::vector<std::string>& row_labels,
             const std::vector<std::string>& col_labels, bool annotate = false, const std::string& xlabel = "",
             const std::string& ylabel = "");

// A function of the plane drawn as a colour map, with point sets on top — for the toy GAN,
// the discriminator's D(x) over a grid with the real and the generated points. When every
// value lies in [0, 1] the colour scale is fixed to [0, 1] (red near 0, white at ½, blue
// near 1); otherwise it spans the values.
bool decision_surface(const std::filesystem::path& png, const std::string& title, const Grid2D& grid,
                      const std::vector<PointSet>& overlays, const std::string& value_label = "D(x)");

// One panel of scatter_panels: generated points (orange) over real points (black).
struct ScatterPanel {
    std::string title;
    std::vector<double> real_x, real_y, fake_x, fake_y;
};

// Panels laid out `columns` to a row, every axis spanning [−limit, limit] — e.g. a 2-D
// generator's samples at several points of training, one panel each.
bool scatter_panels(const std::filesystem::path& png, const std::string& title, const std::vector<ScatterPanel>& panels,
                    std::size_t columns, double limit);

// A tick on an image's axis: `label` at `pixel`, counted from the image's left edge (x axis)
// or its top edge (y axis), pixel k covering [k − ½, k + ½].
struct Tick {
    double pixel = 0;
    std::string label;
};

// An existing PNG file (e.g. a grid of decoded images, with gaps between the cells) drawn pixel
// for pixel on axes with labelled ticks, so the picture's own coordinates — the latent z at the
// centre of each cell — can be read off it. The script names the image by its path relative to
// the figure's folder (keep the two together); the .dat file lists the ticks. Throws
// std::invalid_argument if `image` is not a readable PNG or a tick lies outside it.
bool image_on_axes(const std::filesystem::path& png, const std::string& title, const std::filesystem::path& image,
                   const std::vector<Tick>& x_ticks, const std::vector<Tick>& y_ticks, const std::string& xlabel,
                   const std::string& ylabel);

// One bar per label, with a dashed horizontal line at `reference` (e.g. a 5% threshold) if > 0.
bool bar_chart(const std::filesystem::path& png, const std::string& title, const std::vector<std::string>& labels,
               const std::vector<double>& values, const std::string& ylabel, double reference = 0,
               const std::string& reference_name = "");

}  // namespace mmgen::plot
