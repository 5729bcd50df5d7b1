// line_panels: one gnuplot multiplot, a panel per LinePanel, its data in one .dat file (a block
// per series, panel after panel) and its script in a .gp file beside the PNG.
#include <mmgen/report/plot_panels.hpp>

#include <gnuplot-iostream.h>

#include <fstream>
#include <iostream>
#include <sstream>
#include <stdexcept>

namespace mmgen::plot {

namespace {

// Matplotlib's "tab10" colours, as plot.cpp's line plots use them.
const char* const kColours[] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                                "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};

// A gnuplot double-quoted string (\ and " escaped) and a single-quoted file name ('' is a quote).
std::string quoted(const std::string& s) {
    std::string out = "\"";
    for (char c : s) out += (c == '\\' || c == '"') ? std::string("\\") + c : std::string(1, c);
    return out + "\"";
}
std::string file_name(const std::string& s) {
    std::string out = "'";
    for (char c : s) out += (c == '\'') ? std::string("''") : std::string(1, c);
    return out + "'";
}

void write_file(const std::filesystem::path& path, const std::string& contents) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << contents;
    out.close();
    if (!out) throw std::runtime_error("line_panels: cannot write '" + path.string() + "'");
}

}  // namespace

bool line_panels(const std::filesystem::path& png, const std::string& title, const std::string& xlabel,
                 const std::vector<LinePanel>& panels, std::size_t columns) {
    if (panels.empty() || columns == 0) throw std::invalid_argument("line_panels: no panels, or zero columns");
    const std::size_t rows = (panels.size() + columns - 1) / columns;
    const auto dat = std::filesystem::path(png).replace_extension(".dat");
    const auto gp = std::filesystem::path(png).replace_extension(".gp");
    const auto dir = png.has_parent_path() ? png.parent_path() : std::filesystem::path(".");
    std::filesystem::create_directories(dir);

    std::ostringstream data, script;
    data.precision(10);
    data << "# " << title << "\n# columns: " << xlabel << " | y; one block per series, panel after panel\n";
    script << "# line_panels: " << title << "\n# Data: " << dat.filename().string()
           << ". Draw again from this folder with: gnuplot " << gp.filename().string() << "\n"
           << "set encoding utf8\n"
           << "if (strstrt(GPVAL_TERMINALS, ' pngcairo ') > 0) {\n"
           << "    set terminal pngcairo size " << 440 * columns << "," << 380 * rows + 40 << " noenhanced font 'Sans,10'\n"
           << "} else {\n"
           << "    set terminal png size " << 440 * columns << "," << 380 * rows + 40 << " noenhanced\n"
           << "}\n"
           << "set output " << file_name(png.filename().string()) << "\n"
           << "set multiplot layout " << rows << "," << columns << " title " << quoted(title) << "\n"
           << "set grid\nset xlabel " << quoted(xlabel) << "\n";
    std::size_t block = 0;
    for (const LinePanel& panel : panels) {
        std::vector<std::string> clauses;
        for (std::size_t k = 0; k < panel.series.size(); ++k) {
            const Series& s = panel.series[k];
            if (s.xs.size() != s.ys.size())
                throw std::invalid_argument("line_panels: panel '" + panel.title + "', series '" + s.name + "' has " +
                                            std::to_string(s.xs.size()) + " x values but " +
                                            std::to_string(s.ys.size()) + " y values");
            data << (block ? "\n\n" : "") << "# block " << block << ": " << panel.title << " / " << s.name << "\n";
            for (std::size_t i = 0; i < s.xs.size(); ++i) data << s.xs[i] << ' ' << s.ys[i] << '\n';
            if (s.xs.empty()) data << "NaN NaN\n";  // keeps the block count, draws nothing
            clauses.push_back(file_name(dat.filename().string()) + " index " + std::to_string(block) +
                              " using 1:2 with linespoints pt 7 ps 0.6 lw 2 lc rgb '" + kColours[k % 10] +
                              "' title " + quoted(s.name));
            ++block;
        }
        script << "set title " << quoted(panel.title) << "\nset ylabel " << quoted(panel.ylabel) << "\n"
               << (panel.series.size() > 1 ? "set key top right box opaque\n" : "unset key\n");  // one line needs no key
        if (clauses.empty()) {
            script << "plot [0:1] [0:1] NaN notitle\n";
            continue;
        }
        script << "plot ";
        for (std::size_t k = 0; k < clauses.size(); ++k) script << (k ? ", \\\n     " : "") << clauses[k];
        script << "\n";
    }
    script << "unset multiplot\n";
    write_file(dat, data.str());
    write_file(gp, script.str());
    if (!gnuplot_available()) {
        std::cerr << "warning: line_panels: gnuplot is not on PATH; the data is in " << dat.string() << "\n";
        return false;
    }
    std::error_code ec;
    std::filesystem::remove(png, ec);  // a stale figure is never mistaken for this one
    try {
        Gnuplot run("cd '" + dir.string() + "' && exec gnuplot " + gp.filename().string());
        run.flush();
    } catch (const std::exception& e) {
        std::cerr << "warning: line_panels: could not run gnuplot (" << e.what() << "); the data is in " << dat.string()
                  << "\n";
        return false;
    }
    return std::filesystem::exists(png, ec) && std::filesystem::file_size(png, ec) > 0;
}

}  // namespace mmgen::plot
