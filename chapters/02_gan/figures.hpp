#pragma once
// Two figures chapter 02 needs that lib/mmgen/plot.hpp does not draw: a grid of scatter panels
// (the toy generator's samples at several points of training, one panel each) and a bar chart
// (the class histogram of generated images). Same conventions as plot.hpp: the .png, its data
// (.dat) and the gnuplot script (.gp) side by side; without gnuplot the data and script are
// still written and the function returns false.
#include <filesystem>
#include <string>
#include <vector>

namespace chapter02 {

// One panel: generated points (orange) over real points (black).
struct ScatterPanel {
    std::string title;
    std::vector<double> real_x, real_y, fake_x, fake_y;
};

// Panels laid out `columns` to a row, every axis spanning [−limit, limit].
bool scatter_panels(const std::filesystem::path& png, const std::string& title, const std::vector<ScatterPanel>& panels,
                    std::size_t columns, double limit);

// One bar per label, with a dashed horizontal line at `reference` (e.g. the 5% threshold) if > 0.
bool bar_chart(const std::filesystem::path& png, const std::string& title, const std::vector<std::string>& labels,
               const std::vector<double>& values, const std::string& ylabel, double reference,
               const std::string& reference_name);

}  // namespace chapter02
