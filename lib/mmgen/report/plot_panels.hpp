#pragma once
// Line plots side by side: one panel per quantity, each on its own linear y axis. Curves of very
// different sizes — a pair's −ELBO near 280 nats and a caption's near 4.5 — drawn on one axis
// need a log scale, which flattens every curve into a line; in panels each keeps its own shape.
//
// Writes png, png's .dat and .gp beside it as plot.hpp's functions do (the data survive without
// gnuplot; the function then returns false). Lengths that do not match, no panels or zero
// columns throw std::invalid_argument naming line_panels and the panel.
#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

#include <mmgen/report/plot.hpp>

namespace mmgen::plot {

// One panel: its title, its y label and its lines (plot::Series), on a linear y axis scaled to them.
struct LinePanel {
    std::string title, ylabel;
    std::vector<Series> series;
};

// `columns` panels to a row under one title, every panel with the x label `xlabel`.
bool line_panels(const std::filesystem::path& png, const std::string& title, const std::string& xlabel,
                 const std::vector<LinePanel>& panels, std::size_t columns);

}  // namespace mmgen::plot
