#include "figures.hpp"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <stdexcept>

#include <mmgen/plot.hpp>

namespace chapter02 {

namespace {
namespace fs = std::filesystem;

// A gnuplot double-quoted string.
std::string quoted(const std::string& s) {
    std::string out = "\"";
    for (char c : s) {
        if (c == '\\' || c == '"') out += '\\';
        out += c;
    }
    return out + "\"";
}

std::string shell_word(const std::string& s) {
    std::string out = "'";
    for (char c : s) out += (c == '\'') ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

std::string preamble(const std::string& png_name, const std::string& dat_name, int width, int height) {
    std::ostringstream s;
    s << "# Data: " << dat_name << ". Draw again from this folder with: gnuplot "
      << fs::path(png_name).replace_extension(".gp").string() << "\n"
      << "set encoding utf8\n"
      << "if (strstrt(GPVAL_TERMINALS, ' pngcairo ') > 0) {\n"
      << "    set terminal pngcairo size " << width << "," << height << " noenhanced font 'Sans,10'\n"
      << "} else {\n"
      << "    set terminal png size " << width << "," << height << " noenhanced\n"
      << "}\n"
      << "set output '" << png_name << "'\n";
    return s.str();
}

// Writes png's .dat and .gp, and runs gnuplot in png's folder when it is available.
bool render(const fs::path& png, const std::string& data, const std::string& script) {
    const fs::path dir = png.has_parent_path() ? png.parent_path() : fs::path(".");
    fs::create_directories(dir);
    const fs::path dat = fs::path(png).replace_extension(".dat"), gp = fs::path(png).replace_extension(".gp");
    for (const auto& [path, text] : {std::pair{dat, data}, std::pair{gp, script}}) {
        std::ofstream out(path, std::ios::binary | std::ios::trunc);
        out << text;
        if (!out) throw std::runtime_error("chapter 02 figures: cannot write '" + path.string() + "'");
    }
    if (!mmgen::plot::gnuplot_available()) return false;  // plot.hpp has already warned, or will
    std::error_code ec;
    fs::remove(png, ec);
    const std::string command = "cd " + shell_word(dir.string()) + " && gnuplot " + shell_word(gp.filename().string());
    if (std::system(command.c_str()) != 0) std::cerr << "warning: gnuplot failed on " << gp.string() << "\n";
    return fs::exists(png, ec) && fs::file_size(png, ec) > 0;
}
}  // namespace

bool scatter_panels(const fs::path& png, const std::string& title, const std::vector<ScatterPanel>& panels,
                    std::size_t columns, double limit) {
    if (panels.empty() || columns == 0) throw std::invalid_argument("scatter_panels: no panels, or zero columns");
    const std::size_t rows = (panels.size() + columns - 1) / columns;
    std::ostringstream data;
    data.precision(7);
    data << "# " << title << "\n# per panel two blocks (index 2p: real x y, index 2p+1: generated x y)\n";
    for (std::size_t p = 0; p < panels.size(); ++p) {
        const auto& panel = panels[p];
        if (panel.real_x.size() != panel.real_y.size() || panel.fake_x.size() != panel.fake_y.size())
            throw std::invalid_argument("scatter_panels: panel '" + panel.title + "' has x and y of different lengths");
        data << (p ? "\n\n" : "") << "# panel " << p << " real: " << panel.title << "\n";
        for (std::size_t i = 0; i < panel.real_x.size(); ++i) data << panel.real_x[i] << ' ' << panel.real_y[i] << '\n';
        if (panel.real_x.empty()) data << "NaN NaN\n";
        data << "\n\n# panel " << p << " generated: " << panel.title << "\n";
        for (std::size_t i = 0; i < panel.fake_x.size(); ++i) data << panel.fake_x[i] << ' ' << panel.fake_y[i] << '\n';
        if (panel.fake_x.empty()) data << "NaN NaN\n";
    }
    const std::string png_name = png.filename().string(), dat_name = fs::path(png).replace_extension(".dat").filename().string();
    std::ostringstream script;
    script << preamble(png_name, dat_name, int(260 * columns), int(260 * rows + 40))
           << "set multiplot layout " << rows << "," << columns << " title " << quoted(title) << "\n"
           << "set size ratio -1\nunset key\nset tics font ',7'\n"
           << "set xrange [" << -limit << ":" << limit << "]\nset yrange [" << -limit << ":" << limit << "]\n";
    for (std::size_t p = 0; p < panels.size(); ++p)
        script << "set title " << quoted(panels[p].title) << "\n"
               << "plot '" << dat_name << "' index " << 2 * p << " using 1:2 with points pt 7 ps 0.25 lc rgb '#000000', \\\n"
               << "     '' index " << 2 * p + 1 << " using 1:2 with points pt 7 ps 0.25 lc rgb '#ff7f0e'\n";
    script << "unset multiplot\n";
    return render(png, data.str(), script.str());
}

bool bar_chart(const fs::path& png, const std::string& title, const std::vector<std::string>& labels,
               const std::vector<double>& values, const std::string& ylabel, double reference,
               const std::string& reference_name) {
    if (labels.size() != values.size()) throw std::invalid_argument("bar_chart: labels and values differ in length");
    std::ostringstream data;
    data << "# " << title << "\n# columns: index | value | label\n";
    double top = reference;
    for (std::size_t i = 0; i < values.size(); ++i) {
        data << i << ' ' << values[i] << ' ' << quoted(labels[i]) << '\n';
        top = std::max(top, values[i]);
    }
    const std::string png_name = png.filename().string(), dat_name = fs::path(png).replace_extension(".dat").filename().string();
    std::ostringstream script;
    script << preamble(png_name, dat_name, 900, 520) << "set title " << quoted(title) << "\n"
           << "set ylabel " << quoted(ylabel) << "\n"
           << "set style fill solid 0.8 border -1\nset boxwidth 0.7\nset grid ytics\n"
           << "set xrange [-0.6:" << double(values.size()) - 0.4 << "]\nset yrange [0:" << top * 1.15 << "]\n"
           << "set xtics rotate by 30 right scale 0\nset key top right\n"
           << "plot '" << dat_name << "' using 1:2:xtic(3) with boxes lc rgb '#1f77b4' title 'samples'";
    if (reference > 0)
        script << ", \\\n     " << reference << " with lines dt 2 lw 2 lc rgb '#d62728' title " << quoted(reference_name);
    script << "\n";
    return render(png, data.str(), script.str());
}

}  // namespace chapter02
