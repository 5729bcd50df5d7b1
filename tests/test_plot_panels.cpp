// line_panels: one figure, a panel per quantity on its own linear axis; its data and script
// beside the PNG, every series a block of the .dat file in order.
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include <mmgen/report/plot_panels.hpp>

#include "support.hpp"

using namespace mmgen;
using Catch::Matchers::Contains;

namespace {

std::string read_text(const std::filesystem::path& path) {
    std::ifstream in(path);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

// Chapter 04's three −ELBO curves: sizes 280, 260 and 4.5 nats.
std::vector<plot::LinePanel> elbo_panels() {
    const std::vector<double> epochs = {1, 2, 3, 4};
    return {{"joint", "nats", {{"joint", epochs, {297, 289, 286, 284}}}},
            {"image only", "nats", {{"image", epochs, {281, 269, 265, 263}}}},
            {"caption only", "nats", {{"caption", epochs, {11.7, 8.2, 6.2, 4.5}}, {"bound", epochs, {3.6, 3.6, 3.6, 3.6}}}}};
}

}  // namespace

TEST_CASE("line_panels draws one panel per quantity on linear axes", "[plot]") {
    const auto dir = test::output_dir("plot_panels");
    const auto png = dir / "elbo_panels.png";
    const bool drawn = plot::line_panels(png, "Test -ELBO by subset", "epoch", elbo_panels(), 3);

    SECTION("the data file holds every series as a block, panel after panel") {
        const std::string dat = read_text(dir / "elbo_panels.dat");
        REQUIRE_THAT(dat, Contains("# block 0: joint / joint"));
        REQUIRE_THAT(dat, Contains("# block 2: caption only / caption"));
        REQUIRE_THAT(dat, Contains("# block 3: caption only / bound"));
        REQUIRE_THAT(dat, Contains("4 4.5\n"));  // the caption curve's last point
    }
    SECTION("the script lays the panels out in one row, none on a log scale") {
        const std::string gp = read_text(dir / "elbo_panels.gp");
        REQUIRE_THAT(gp, Contains("set multiplot layout 1,3"));
        REQUIRE_THAT(gp, Contains("index 3 using 1:2"));
        REQUIRE_THAT(gp, !Contains("logscale"));
        REQUIRE_THAT(gp, Contains("set title \"caption only\""));
    }
    SECTION("the PNG is drawn exactly when gnuplot is on PATH, and then holds an image") {
        REQUIRE(drawn == plot::gnuplot_available());
        if (drawn) REQUIRE(std::filesystem::file_size(png) > 1000);
    }
}

TEST_CASE("line_panels refuses mismatched series and empty layouts, naming the panel", "[plot]") {
    const auto png = test::output_dir("plot_panels") / "bad.png";
    auto panels = elbo_panels();
    panels[1].series[0].ys.pop_back();
    REQUIRE_THROWS_WITH(plot::line_panels(png, "t", "epoch", panels, 3),
                        Contains("line_panels") && Contains("'image only'") && Contains("4 x values but 3 y values"));
    REQUIRE_THROWS_WITH(plot::line_panels(png, "t", "epoch", {}, 3), Contains("no panels"));
    REQUIRE_THROWS_WITH(plot::line_panels(png, "t", "epoch", elbo_panels(), 0), Contains("zero columns"));
}
