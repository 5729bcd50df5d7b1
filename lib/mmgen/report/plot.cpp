// Figures: each function writes its data (.dat) and a gnuplot script (.gp) beside the PNG,
// then has gnuplot — driven through gnuplot-iostream — load the script in the PNG's folder,
// and waits for it to exit. Keeping data and script on disk means a figure can be redrawn
// (or restyled) with `gnuplot name.gp` without rerunning the training.
#include <mmgen/report/plot.hpp>

#include <gnuplot-iostream.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <limits>
#include <mutex>
#include <optional>
#include <utility>
#include <string>
#include <sstream>
#include <stdexcept>

#include <sys/wait.h>
#include <unistd.h>

namespace mmgen::plot {

namespace {

// Figure sizes in pixels.
constexpr int kWidth = 900, kHeight = 560;
constexpr int kSquareWidth = 820, kSquareHeight = 720;  // heatmaps, whose cells are square

// Matplotlib's "tab10" colours: distinct, and readable on white.
const std::vector<std::string> kColours = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                                           "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};

const std::string& colour(std::size_t k) { return kColours[k % kColours.size()]; }

// --- files and quoting -------------------------------------------------------------------------

struct Files {
    std::filesystem::path png, dat, gp, dir;
    std::string png_name() const { return png.filename().string(); }
    std::string dat_name() const { return dat.filename().string(); }
    std::string gp_name() const { return gp.filename().string(); }
};

Files files_for(const std::filesystem::path& png) {
    Files f;
    f.png = png;
    f.dat = std::filesystem::path(png).replace_extension(".dat");
    f.gp = std::filesystem::path(png).replace_extension(".gp");
    f.dir = png.has_parent_path() ? png.parent_path() : std::filesystem::path(".");
    std::filesystem::create_directories(f.dir);
    return f;
}

// A gnuplot double-quoted string: backslash escapes are interpreted inside, so \ and " are escaped.
std::string text(const std::string& s) {
    std::string out = "\"";
    for (char c : s) {
        if (c == '\\' || c == '"') out += '\\';
        if (c == '\n') {
            out += "\\n";
            continue;
        }
        out += c;
    }
    return out + "\"";
}

// A gnuplot single-quoted string (file names): nothing is interpreted, '' is a quote.
std::string literal(const std::string& s) {
    std::string out = "'";
    for (char c : s) out += (c == '\'') ? std::string("''") : std::string(1, c);
    return out + "'";
}

// A shell single-quoted word.
std::string shell_word(const std::string& s) {
    std::string out = "'";
    for (char c : s) out += (c == '\'') ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

void write_text_file(const std::filesystem::path& path, const std::string& contents, const char* who) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << contents;
    out.close();
    if (!out) throw std::runtime_error(std::string(who) + ": cannot write '" + path.string() + "'");
}

// Numbers in data files: 10 significant digits (enough for a float, readable for a double).
std::ostringstream data_stream() {
    std::ostringstream s;
    s.precision(10);
    return s;
}

// --- running gnuplot ---------------------------------------------------------------------------

std::filesystem::path find_gnuplot() {
    const char* path = std::getenv("PATH");
    if (!path) return {};
    std::string dirs = path;
    std::size_t start = 0;
    while (start <= dirs.size()) {
        std::size_t end = dirs.find(':', start);
        if (end == std::string::npos) end = dirs.size();
        const std::string dir = dirs.substr(start, end - start);
        start = end + 1;
        if (dir.empty()) continue;
        const auto candidate = std::filesystem::path(dir) / "gnuplot";
        std::error_code ec;
        if (std::filesystem::is_regular_file(candidate, ec) && ::access(candidate.c_str(), X_OK) == 0)
            return candidate;
    }
    return {};
}

void warn_once_missing(const Files& f) {
    static std::once_flag once;
    std::call_once(once, [&] {
        std::cerr << "warning: gnuplot is not on PATH, so no figures are drawn; their data and scripts are still "
                     "written (e.g. "
                  << f.dat.string() << " and " << f.gp.string()
                  << "). Install gnuplot (Debian: gnuplot-nox) to draw them.\n";
    });
}

// Writes the data and the script, then draws the PNG if gnuplot is available.
bool render(const Files& f, const std::string& data, const std::string& script, const char* who) {
    write_text_file(f.dat, data, who);
    write_text_file(f.gp, script, who);
    const auto gnuplot = find_gnuplot();
    if (gnuplot.empty()) {
        warn_once_missing(f);
        return false;
    }
    std::error_code ec;
    std::filesystem::remove(f.png, ec);  // so a stale figure is never mistaken for this one
    // gnuplot runs the script in the figure's folder, where the script names its files; the
    // Gnuplot object's destructor waits for it to exit, so the PNG is complete (or absent) after
    const std::string command = "cd " + shell_word(f.dir.string()) + " && exec " + shell_word(gnuplot.string()) +
                                " " + shell_word(f.gp_name());
    try {
        Gnuplot gp(command);  // a pipe into gnuplot's standard input
        gp << "load " << literal(f.gp_name()) << "\n";
        gp.flush();
    } catch (const std::exception& e) {  // ~Gnuplot closed the pipe and waited for gnuplot to exit
        std::cerr << "warning: " << who << ": could not run gnuplot (" << e.what() << "); the data is in "
                  << f.dat.string() << "\n";
        return false;
    }
    if (!std::filesystem::exists(f.png, ec) || std::filesystem::file_size(f.png, ec) == 0) {
        std::cerr << "warning: " << who << ": gnuplot did not draw " << f.png.string()
                  << " (see its messages above); the data is in " << f.dat.string() << "\n";
        return false;
    }
    return true;
}

// --- script pieces -------------------------------------------------------------------------------

std::string preamble(const Files& f, const char* who, const std::string& title, int width, int height) {
    std::ostringstream s;
    s << "# " << who << ": " << title << "\n"
      << "# Data: " << f.dat_name() << ". Draw again from this folder with: gnuplot " << f.gp_name() << "\n"
      << "set encoding utf8\n"
      << "if (strstrt(GPVAL_TERMINALS, ' pngcairo ') > 0) {\n"
      << "    set terminal pngcairo size " << width << "," << height << " noenhanced font 'Sans,11'\n"
      << "} else {\n"
      << "    set terminal png size " << width << "," << height << " noenhanced\n"
      << "}\n"
      << "set output " << literal(f.png_name()) << "\n"
      << "set title " << text(title) << "\n";
    return s.str();
}

// What to plot when there is nothing to plot: empty axes saying so.
std::string no_data_plot() {
    return "set label 'no data' at graph 0.5, 0.5 center\n"
           "unset key\n"
           "plot [0:1] [0:1] 2 notitle\n";
}

void require_same_length(const char* who, const std::string& what, std::size_t xs, std::size_t ys) {
    if (xs != ys)
        throw std::invalid_argument(std::string(who) + ": " + what + " has " + std::to_string(xs) + " x values but " +
                                    std::to_string(ys) + " y values");
}

// A number as the data files write it (10 significant digits).
std::string data_stream_number(double v) {
    auto s = data_stream();
    s << v;
    return s.str();
}

// The gnuplot command that puts a line plot's key where `key` says.
std::string key_command(Key key) {
    switch (key) {
        case Key::top_right: return "set key top right box opaque";
        case Key::top_left: return "set key top left box opaque";
        case Key::bottom_right: return "set key bottom right box opaque";
        case Key::bottom_left: return "set key bottom left box opaque";
        // (a taller box and the x label nudged up: pngcairo's fonts otherwise let the two touch)
        case Key::below: return "set key below center horizontal box height 1\nset xlabel offset 0, 0.2";
        case Key::outside_right: return "set key outside right top vertical box";
        case Key::hidden: return "unset key";
    }
    throw std::invalid_argument("line_plot: unknown key position");
}

// "%.0f" for whole numbers, else 3 significant digits.
std::string cell_text(double v, bool integers) {
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, integers ? "%.0f" : "%.3g", v);
    return buffer;
}

}  // namespace

bool gnuplot_available() { return !find_gnuplot().empty(); }

bool line_plot(const std::filesystem::path& png, const std::string& title, const std::string& xlabel,
               const std::string& ylabel, const std::vector<Series>& series, bool log_y) {
    LineStyle style;
    style.log_y = log_y;
    return line_plot(png, title, xlabel, ylabel, series, style);
}

bool line_plot(const std::filesystem::path& png, const std::string& title, const std::string& xlabel,
               const std::string& ylabel, const std::vector<Series>& series, const LineStyle& style) {
    constexpr const char* who = "line_plot";
    for (const auto& s : series) require_same_length(who, "series '" + s.name + "'", s.xs.size(), s.ys.size());
    for (const auto& r : style.references)
        if (!std::isfinite(r.y) || (style.log_y && r.y <= 0))
            throw std::invalid_argument(std::string(who) + ": reference line '" + r.label + "' at y = " +
                                        std::to_string(r.y) + " cannot be drawn" +
                                        (style.log_y ? " on a log axis" : ""));
    const Files f = files_for(png);

    auto data = data_stream();
    data << "# " << title << "\n# columns: " << xlabel << " | " << ylabel << "\n";
    for (const Series& s : series)
        if (s.xs.empty()) data << "# series '" << s.name << "': no points\n";
    std::vector<std::string> clauses;
    std::size_t block = 0;
    for (std::size_t k = 0; k < series.size(); ++k) {
        const Series& s = series[k];
        if (s.xs.empty()) continue;
        if (block > 0) data << "\n\n";  // two blank lines end a gnuplot data block (index)
        data << "# series " << block << ": " << s.name << "\n";
        for (std::size_t i = 0; i < s.xs.size(); ++i) data << s.xs[i] << ' ' << s.ys[i] << '\n';
        // short series (e.g. one value per epoch) also mark their points
        const std::string line = s.xs.size() <= 30 ? "linespoints pt 7 ps 0.7" : "lines";
        clauses.push_back("'' index " + std::to_string(block) + " using 1:2 with " + line + " lw 2 lc rgb '" +
                          colour(k) + "' title " + text(s.name));
        ++block;
    }
    for (const auto& r : style.references) data << "# reference line: y = " << r.y << " (" << r.label << ")\n";

    std::ostringstream script;
    script << preamble(f, who, title, kWidth, kHeight) << "set xlabel " << text(xlabel) << "\n"
           << "set ylabel " << text(ylabel) << "\n"
           << "set grid\n"
           << key_command(style.key) << "\n";
    if (style.log_y) script << "set logscale y\n";
    if (clauses.empty()) {
        script << no_data_plot();
    } else {
        // reference lines: a dashed grey constant (in the y range's autoscale), labelled in the right
        // margin at its height, where no curve runs; the margin widens to the longest label, and the
        // y range gets a little room so that a line at its edge stays inside the axes
        if (!style.references.empty()) {
            std::size_t longest = 0;
            for (const auto& r : style.references) longest = std::max(longest, r.label.size());
            script << "set offsets 0, 0, graph 0.05, graph 0.05\nset rmargin " << longest + 3 << "\n";
        }
        for (const auto& r : style.references) {
            script << "set label " << text(r.label) << " at graph 1, first " << data_stream_number(r.y)
                   << " left offset character 0.8, 0 tc rgb '#404040'\n";
            clauses.push_back(data_stream_number(r.y) + " with lines dt 2 lw 1.5 lc rgb '#606060' notitle");
        }
        clauses[0].replace(0, 2, literal(f.dat_name()));  // the first clause names the file, the rest reuse it
        script << "plot ";
        for (std::size_t k = 0; k < clauses.size(); ++k) script << (k ? ", \\\n     " : "") << clauses[k];
        script << "\n";
    }
    return render(f, data.str(), script.str(), who);
}

bool scatter_plot(const std::filesystem::path& png, const std::string& title, const std::vector<double>& xs,
                  const std::vector<double>& ys, const std::vector<int>& classes,
                  const std::vector<std::string>& class_names, const std::string& xlabel, const std::string& ylabel) {
    constexpr const char* who = "scatter_plot";
    require_same_length(who, "the point list", xs.size(), ys.size());
    if (classes.size() != xs.size())
        throw std::invalid_argument(std::string(who) + ": " + std::to_string(xs.size()) + " points but " +
                                    std::to_string(classes.size()) + " class labels");
    int max_class = -1;
    for (int c : classes) {
        if (c < 0 || (!class_names.empty() && static_cast<std::size_t>(c) >= class_names.size()))
            throw std::invalid_argument(std::string(who) + ": class " + std::to_string(c) + " is outside [0, " +
                                        std::to_string(class_names.size()) + ")");
        max_class = std::max(max_class, c);
    }
    const std::size_t n_classes = class_names.empty() ? static_cast<std::size_t>(max_class + 1) : class_names.size();
    auto name_of = [&](std::size_t c) { return class_names.empty() ? std::to_string(c) : class_names[c]; };
    const Files f = files_for(png);

    auto data = data_stream();
    data << "# " << title << "\n# columns: " << xlabel << " | " << ylabel << " | class\n";
    std::vector<std::string> clauses;
    std::size_t block = 0;
    for (std::size_t c = 0; c < n_classes; ++c) {
        if (std::find(classes.begin(), classes.end(), static_cast<int>(c)) == classes.end()) continue;
        if (block > 0) data << "\n\n";
        data << "# class " << c << ": " << name_of(c) << "\n";
        for (std::size_t i = 0; i < xs.size(); ++i)
            if (classes[i] == static_cast<int>(c)) data << xs[i] << ' ' << ys[i] << ' ' << c << '\n';
        // past ten classes the colours repeat, so the point shape changes too
        const int point_type = c < kColours.size() ? 7 : 5 + 2 * static_cast<int>((c / kColours.size()) % 4);
        clauses.push_back("'' index " + std::to_string(block) + " using 1:2 with points pt " +
                          std::to_string(point_type) + " ps 0.6 lc rgb '" + colour(c) + "' title " +
                          text(name_of(c)));
        ++block;
    }

    std::ostringstream script;
    script << preamble(f, who, title, kWidth, kHeight) << "set xlabel " << text(xlabel) << "\n"
           << "set ylabel " << text(ylabel) << "\n"
           << "set grid\n"
           << "set key outside right top box\n";
    if (clauses.empty()) {
        script << no_data_plot();
    } else {
        clauses[0].replace(0, 2, literal(f.dat_name()));
        script << "plot ";
        for (std::size_t k = 0; k < clauses.size(); ++k) script << (k ? ", \\\n     " : "") << clauses[k];
        script << "\n";
    }
    return render(f, data.str(), script.str(), who);
}

bool heatmap(const std::filesystem::path& png, const std::string& title, const std::vector<double>& values,
             std::size_t rows, std::size_t cols, const std::vector<std::string>& row_labels,
             const std::vector<std::string>& col_labels, bool annotate, const std::string& xlabel,
             const std::string& ylabel) {
    constexpr const char* who = "heatmap";
    if (rows == 0 || cols == 0 || values.size() != rows * cols)
        throw std::invalid_argument(std::string(who) + ": " + std::to_string(values.size()) +
                                    " values do not fill a " + std::to_string(rows) + "×" + std::to_string(cols) +
                                    " matrix");
    if ((!row_labels.empty() && row_labels.size() != rows) || (!col_labels.empty() && col_labels.size() != cols))
        throw std::invalid_argument(std::string(who) + ": " + std::to_string(row_labels.size()) + " row labels and " +
                                    std::to_string(col_labels.size()) + " column labels for a " +
                                    std::to_string(rows) + "×" + std::to_string(cols) + " matrix");
    const Files f = files_for(png);

    // cell (r, c) is the pixel at x = c, y = r; rows are separated by a blank line
    auto data = data_stream();
    data << "# " << title << "\n# columns: column | row | value\n";
    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    bool integers = true;
    for (std::size_t r = 0; r < rows; ++r) {
        for (std::size_t c = 0; c < cols; ++c) {
            const double v = values[r * cols + c];
            data << c << ' ' << r << ' ' << v << '\n';
            if (std::isfinite(v)) {
                lo = std::min(lo, v);
                hi = std::max(hi, v);
                integers = integers && v == std::round(v) && std::abs(v) < 1e9;
            }
        }
        data << '\n';
    }
    if (!(lo <= hi)) lo = 0, hi = 1;  // no finite value
    if (lo > 0) lo = 0;               // counts and probabilities: the colour scale starts at 0
    if (lo == hi) hi = lo + 1;        // one value everywhere: still a valid colour range

    auto tics = [](const std::vector<std::string>& labels, std::size_t n) {
        std::string s = "(";
        for (std::size_t k = 0; k < n; ++k)
            s += (k ? ", " : "") + text(labels.empty() ? std::to_string(k) : labels[k]) + " " + std::to_string(k);
        return s + ")";
    };
    std::size_t longest_col_label = 0;
    for (const auto& l : col_labels) longest_col_label = std::max(longest_col_label, l.size());

    std::ostringstream script;
    script << preamble(f, who, title, kSquareWidth, kSquareHeight) << "set xlabel " << text(xlabel) << "\n"
           << "set ylabel " << text(ylabel) << "\n"
           << "set size ratio -1\n"  // square cells
           << "set xrange [-0.5:" << cols - 0.5 << "]\n"
           << "set yrange [" << rows - 0.5 << ":-0.5]\n"  // row 0 at the top
           << "set xtics " << tics(col_labels, cols) << (longest_col_label > 3 ? " rotate by 40 right" : "")
           << " nomirror scale 0\n"
           << "set ytics " << tics(row_labels, rows) << " nomirror scale 0\n"
           << "set palette defined (0 '#f7fbff', 0.5 '#6baed6', 1 '#08306b')\n"
           << "set cbrange [" << lo << ":" << hi << "]\n"
           << "unset key\n";
    if (annotate) {
        // dark text on light cells, white text on dark ones
        for (std::size_t r = 0; r < rows; ++r)
            for (std::size_t c = 0; c < cols; ++c) {
                const double v = values[r * cols + c];
                const bool dark_cell = std::isfinite(v) && (v - lo) / (hi - lo) > 0.55;
                script << "set label " << text(cell_text(v, integers)) << " at " << c << "," << r
                       << " center front tc rgb '" << (dark_cell ? "#ffffff" : "#000000") << "'\n";
            }
    }
    script << "plot " << literal(f.dat_name()) << " using 1:2:3 with image\n";
    return render(f, data.str(), script.str(), who);
}

bool decision_surface(const std::filesystem::path& png, const std::string& title, const Grid2D& grid,
                      const std::vector<PointSet>& overlays, const std::string& value_label) {
    constexpr const char* who = "decision_surface";
    if (grid.nx < 2 || grid.ny < 2 || grid.values.size() != grid.nx * grid.ny || !(grid.x_max > grid.x_min) ||
        !(grid.y_max > grid.y_min))
        throw std::invalid_argument(std::string(who) + ": the grid needs nx, ny >= 2, nx·ny values and a non-empty "
                                    "range; got " + std::to_string(grid.nx) + "×" + std::to_string(grid.ny) +
                                    " with " + std::to_string(grid.values.size()) + " values");
    for (const auto& p : overlays) require_same_length(who, "point set '" + p.name + "'", p.xs.size(), p.ys.size());
    const Files f = files_for(png);

    auto data = data_stream();
    data << "# " << title << "\n# block 0, the grid: x | y | " << value_label << "\n";
    bool unit_range = true;
    for (std::size_t j = 0; j < grid.ny; ++j) {
        for (std::size_t i = 0; i < grid.nx; ++i) {
            const double v = grid.values[j * grid.nx + i];
            unit_range = unit_range && v >= 0 && v <= 1;
            data << grid.x_at(i) << ' ' << grid.y_at(j) << ' ' << v << '\n';
        }
        data << '\n';
    }
    // black discs for the first set (the data), then bright shapes that stand out on red and blue
    const std::vector<std::string> point_styles = {"pt 7 ps 0.7 lc rgb '#000000'", "pt 9 ps 0.9 lc rgb '#ffd700'",
                                                   "pt 5 ps 0.7 lc rgb '#00c000'", "pt 13 ps 0.9 lc rgb '#ff00ff'"};
    std::vector<std::string> clauses;
    std::size_t block = 1;
    for (std::size_t k = 0; k < overlays.size(); ++k) {
        const PointSet& p = overlays[k];
        if (p.xs.empty()) continue;
        data << "\n\n# block " << block << ", points: " << p.name << " (x | y)\n";
        for (std::size_t i = 0; i < p.xs.size(); ++i) data << p.xs[i] << ' ' << p.ys[i] << '\n';
        clauses.push_back("'' index " + std::to_string(block) + " using 1:2 with points " +
                          point_styles[k % point_styles.size()] + " title " + text(p.name));
        ++block;
    }

    const double dx = (grid.x_max - grid.x_min) / double(grid.nx - 1);  // one grid cell
    const double dy = (grid.y_max - grid.y_min) / double(grid.ny - 1);
    std::ostringstream script;
    script << preamble(f, who, title, kWidth, kHeight + 80) << "set xlabel 'x1'\nset ylabel 'x2'\n"
           << "set xrange [" << grid.x_min - dx / 2 << ":" << grid.x_max + dx / 2 << "]\n"
           << "set yrange [" << grid.y_min - dy / 2 << ":" << grid.y_max + dy / 2 << "]\n"
           << "set cblabel " << text(value_label) << "\n"
           << "set palette defined (0 '#b2182b', 0.25 '#ef8a62', 0.5 '#f7f7f7', 0.75 '#67a9cf', 1 '#2166ac')\n"
           << (unit_range ? "set cbrange [0:1]\n" : "")
           << "set size ratio -1\n"  // equal units: a circle looks round
           << "set bmargin 6\nset key at screen 0.5, 0.015 center bottom horizontal box opaque\n"  // below the x label
           << "plot " << literal(f.dat_name()) << " index 0 using 1:2:3 with image notitle";
    for (const auto& c : clauses) script << ", \\\n     " << c;
    script << "\n";
    return render(f, data.str(), script.str(), who);
}

bool scatter_panels(const std::filesystem::path& png, const std::string& title, const std::vector<ScatterPanel>& panels,
                    std::size_t columns, double limit) {
    constexpr const char* who = "scatter_panels";
    if (panels.empty() || columns == 0) throw std::invalid_argument("scatter_panels: no panels, or zero columns");
    const std::size_t rows = (panels.size() + columns - 1) / columns;
    const Files f = files_for(png);
    auto data = data_stream();
    data << "# " << title << "\n# per panel two blocks (index 2p: real x y, index 2p+1: generated x y)\n";
    for (std::size_t p = 0; p < panels.size(); ++p) {
        const auto& panel = panels[p];
        require_same_length(who, "panel '" + panel.title + "' (real)", panel.real_x.size(), panel.real_y.size());
        require_same_length(who, "panel '" + panel.title + "' (generated)", panel.fake_x.size(), panel.fake_y.size());
        data << (p ? "\n\n" : "") << "# panel " << p << " real: " << panel.title << "\n";
        for (std::size_t i = 0; i < panel.real_x.size(); ++i) data << panel.real_x[i] << ' ' << panel.real_y[i] << '\n';
        if (panel.real_x.empty()) data << "NaN NaN\n";
        data << "\n\n# panel " << p << " generated: " << panel.title << "\n";
        for (std::size_t i = 0; i < panel.fake_x.size(); ++i) data << panel.fake_x[i] << ' ' << panel.fake_y[i] << '\n';
        if (panel.fake_x.empty()) data << "NaN NaN\n";
    }
    std::ostringstream script;
    script << preamble(f, who, title, int(260 * columns), int(260 * rows + 40)) << "unset title\n"
           << "set multiplot layout " << rows << "," << columns << " title " << text(title) << "\n"
           << "set size ratio -1\nunset key\nset tics font ',7'\n"
           << "set xrange [" << -limit << ":" << limit << "]\nset yrange [" << -limit << ":" << limit << "]\n";
    for (std::size_t p = 0; p < panels.size(); ++p)
        script << "set title " << text(panels[p].title) << "\n"
               << "plot " << literal(f.dat_name()) << " index " << 2 * p
               << " using 1:2 with points pt 7 ps 0.25 lc rgb '#000000', \\\n"
               << "     '' index " << 2 * p + 1 << " using 1:2 with points pt 7 ps 0.25 lc rgb '" << colour(1) << "'\n";
    script << "unset multiplot\n";
    return render(f, data.str(), script.str(), who);
}

namespace {

// A PNG's width and height, from its IHDR chunk (bytes 16–23, big-endian), or nothing if the
// file is not a PNG.
std::optional<std::pair<std::size_t, std::size_t>> png_size(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    unsigned char head[24] = {};
    if (!in.read(reinterpret_cast<char*>(head), sizeof head)) return std::nullopt;
    static constexpr unsigned char signature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    if (!std::equal(std::begin(signature), std::end(signature), head) || std::string(head + 12, head + 16) != "IHDR")
        return std::nullopt;
    auto be32 = [&](int at) {
        return (std::size_t(head[at]) << 24) | (std::size_t(head[at + 1]) << 16) | (std::size_t(head[at + 2]) << 8) |
               std::size_t(head[at + 3]);
    };
    return std::make_pair(be32(16), be32(20));
}

}  // namespace

bool image_on_axes(const std::filesystem::path& png, const std::string& title, const std::filesystem::path& image,
                   const std::vector<Tick>& x_ticks, const std::vector<Tick>& y_ticks, const std::string& xlabel,
                   const std::string& ylabel) {
    constexpr const char* who = "image_on_axes";
    const auto size = png_size(image);
    if (!size || size->first == 0 || size->second == 0)
        throw std::invalid_argument(std::string(who) + ": '" + image.string() + "' is not a readable PNG");
    const auto [width, height] = *size;
    auto check = [&](const std::vector<Tick>& ticks, std::size_t extent, const char* axis) {
        for (const auto& t : ticks)
            if (!(t.pixel >= -0.5 && t.pixel <= double(extent) - 0.5))
                throw std::invalid_argument(std::string(who) + ": the " + axis + " tick '" + t.label + "' at pixel " +
                                            std::to_string(t.pixel) + " lies outside the " + std::to_string(width) +
                                            "×" + std::to_string(height) + " image");
    };
    check(x_ticks, width, "x");
    check(y_ticks, height, "y");
    const Files f = files_for(png);
    const std::string image_name =
        std::filesystem::absolute(image).lexically_relative(std::filesystem::absolute(f.dir)).string();

    // gnuplot puts the image's top row at y = height − 1: a tick `pixel` rows from the top is there
    auto data = data_stream();
    data << "# " << title << "\n# the image: " << image_name << " (" << width << "×" << height << " pixels)\n"
         << "# x ticks: pixel from the left | label\n";
    for (const auto& t : x_ticks) data << t.pixel << ' ' << text(t.label) << '\n';
    data << "\n\n# y ticks: pixel from the top | label\n";
    for (const auto& t : y_ticks) data << t.pixel << ' ' << text(t.label) << '\n';
    auto tics = [](const std::vector<Tick>& ticks, auto position) {
        std::string s = "(";
        for (std::size_t k = 0; k < ticks.size(); ++k)
            s += (k ? ", " : "") + text(ticks[k].label) + " " + data_stream_number(position(ticks[k].pixel));
        return s + ")";
    };
    // x labels turn upright when they would run into each other (about 8 pixels per character)
    std::size_t longest = 0;
    double closest = std::numeric_limits<double>::infinity();
    for (std::size_t k = 0; k < x_ticks.size(); ++k) {
        longest = std::max(longest, x_ticks[k].label.size());
        if (k > 0) closest = std::min(closest, std::abs(x_ticks[k].pixel - x_ticks[k - 1].pixel));
    }
    const bool rotate = closest < 8.0 * double(longest + 1);

    std::ostringstream script;
    script << preamble(f, who, title, int(width) + 200, int(height) + 170) << "set xlabel " << text(xlabel) << "\n"
           << "set ylabel " << text(ylabel) << "\n"
           << "set size ratio -1\n"  // square pixels
           << "set xrange [-0.5:" << double(width) - 0.5 << "]\n"
           << "set yrange [-0.5:" << double(height) - 0.5 << "]\n"
           << "set xtics " << tics(x_ticks, [](double p) { return p; }) << (rotate ? " rotate by 90 right" : "")
           << " out nomirror\n"
           << "set ytics " << tics(y_ticks, [&](double p) { return double(height) - 1 - p; }) << " out nomirror\n"
           << "unset key\n"
           << "plot " << literal(image_name) << " binary filetype=png with rgbimage notitle\n";
    return render(f, data.str(), script.str(), who);
}

bool bar_chart(const std::filesystem::path& png, const std::string& title, const std::vector<std::string>& labels,
               const std::vector<double>& values, const std::string& ylabel, double reference,
               const std::string& reference_name) {
    constexpr const char* who = "bar_chart";
    require_same_length(who, "labels and values", labels.size(), values.size());
    const Files f = files_for(png);
    auto data = data_stream();
    data << "# " << title << "\n# columns: index | value | label\n";
    double top = reference;
    for (std::size_t i = 0; i < values.size(); ++i) {
        data << i << ' ' << values[i] << ' ' << text(labels[i]) << '\n';
        top = std::max(top, values[i]);
    }
    std::ostringstream script;
    script << preamble(f, who, title, kWidth, kHeight) << "set ylabel " << text(ylabel) << "\n"
           << "set style fill solid 0.8 border -1\nset boxwidth 0.7\nset grid ytics\n"
           << "set xrange [-0.6:" << double(values.size()) - 0.4 << "]\nset yrange [0:" << (top > 0 ? top * 1.15 : 1) << "]\n"
           << "set xtics rotate by 30 right scale 0\nset key top right\n"
           << "plot " << literal(f.dat_name()) << " using 1:2:xtic(3) with boxes lc rgb '" << colour(0) << "' title 'samples'";
    if (reference > 0)
        script << ", \\\n     " << reference << " with lines dt 2 lw 2 lc rgb '" << colour(3) << "' title "
               << text(reference_name);
    script << "\n";
    return render(f, data.str(), script.str(), who);
}

}  // namespace mmgen::plot
