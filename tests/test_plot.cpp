// Figures: every plot function leaves a PNG, its data and its script beside each other, and
// without gnuplot it still leaves the data and does not throw.
#include <array>
#include <cmath>
#include <cstdlib>
#include <iterator>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include <mmgen/io/image.hpp>
#include <mmgen/report/plot.hpp>
#include <mmgen/core/random.hpp>

#include "support.hpp"

using namespace mmgen;
using Catch::Matchers::Contains;

namespace {

std::filesystem::path output_dir() { return test::output_dir("plot"); }

bool is_png(const std::filesystem::path& path) {
    static constexpr std::array<unsigned char, 8> signature = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    std::ifstream in(path, std::ios::binary);
    std::array<char, 8> head{};
    if (!in.read(head.data(), head.size())) return false;
    for (std::size_t i = 0; i < 8; ++i)
        if (static_cast<unsigned char>(head[i]) != signature[i]) return false;
    return std::filesystem::file_size(path) > 100;
}

bool non_empty_file(const std::filesystem::path& path) {
    return std::filesystem::exists(path) && std::filesystem::file_size(path) > 0;
}

// PATH set to an empty folder while it lives, so no gnuplot can be found.
class PathWithoutGnuplot {
public:
    PathWithoutGnuplot() {
        if (const char* p = std::getenv("PATH")) saved_ = p;
        const auto empty = output_dir() / "empty_bin";
        std::filesystem::create_directories(empty);
        ::setenv("PATH", empty.c_str(), 1);
    }
    ~PathWithoutGnuplot() {
        if (saved_)
            ::setenv("PATH", saved_->c_str(), 1);
        else
            ::unsetenv("PATH");
    }
    PathWithoutGnuplot(const PathWithoutGnuplot&) = delete;
    PathWithoutGnuplot& operator=(const PathWithoutGnuplot&) = delete;

private:
    std::optional<std::string> saved_;
};

const std::vector<std::string> kClassNames = {"t-shirt/top", "trouser", "pullover", "dress", "coat",
                                              "sandal", "shirt", "sneaker", "bag", "ankle boot"};

// The four figures the chapters draw, each with a small but realistic data set.
bool draw_line(const std::filesystem::path& png) {
    plot::Series d{"discriminator", {}, {}}, g{"generator", {}, {}}, epoch{"epoch mean", {}, {}};
    for (int step = 0; step < 400; ++step) {
        d.xs.push_back(step);
        d.ys.push_back(1.2 * std::exp(-step / 150.0) + 0.1 * std::sin(step / 7.0) + 0.3);
        g.xs.push_back(step);
        g.ys.push_back(0.7 + 0.5 * (1 - std::exp(-step / 100.0)) + 0.1 * std::cos(step / 5.0));
    }
    for (int e = 0; e < 8; ++e) {
        epoch.xs.push_back(25 + 50 * e);
        epoch.ys.push_back(1.0 + 0.3 * std::exp(-e / 2.0));
    }
    return plot::line_plot(png, "GAN losses (ch02_gan, log scale)", "step", "loss (BCE)", {d, g, epoch}, true);
}

bool draw_scatter(const std::filesystem::path& png) {
    Rng rng(1);
    std::vector<double> xs, ys;
    std::vector<int> classes;
    for (int c = 0; c < 10; ++c)
        for (int i = 0; i < 60; ++i) {
            const double angle = c * 0.628;
            xs.push_back(2.5 * std::cos(angle) + 0.5 * rng.normal());
            ys.push_back(2.5 * std::sin(angle) + 0.5 * rng.normal());
            classes.push_back(c);
        }
    return plot::scatter_plot(png, "VAE latent means by class", xs, ys, classes, kClassNames, "z1", "z2");
}

bool draw_heatmap(const std::filesystem::path& png) {
    std::vector<double> counts(100);
    for (std::size_t r = 0; r < 10; ++r)
        for (std::size_t c = 0; c < 10; ++c) counts[r * 10 + c] = r == c ? 850 + 10 * r : (r + c) % 7 == 0 ? 40 : 3;
    return plot::heatmap(png, "Evaluator confusion matrix (test set)", counts, 10, 10, kClassNames, kClassNames, true,
                         "predicted class", "true class");
}

bool draw_panels(const std::filesystem::path& png) {
    std::vector<plot::ScatterPanel> panels;
    for (int p = 0; p < 3; ++p)
        panels.push_back({"step " + std::to_string(p), {0.0, 1.0}, {1.0, 0.0}, {0.5 * p, -0.5}, {0.2, 0.1 * p}});
    return plot::scatter_panels(png, "three panels", panels, 2, 2.0);
}

bool draw_bars(const std::filesystem::path& png) {
    return plot::bar_chart(png, "bars", {"a", "b", "c"}, {0.2, 0.5, 0.3}, "fraction", 0.05, "5%");
}

bool draw_surface(const std::filesystem::path& png) {
    plot::Grid2D grid{-3, 3, -3, 3, 61, 61, {}};
    for (std::size_t j = 0; j < grid.ny; ++j)
        for (std::size_t i = 0; i < grid.nx; ++i) {
            const double x = grid.x_at(i), y = grid.y_at(j);
            grid.values.push_back(1 / (1 + std::exp(-(2 - x * x - y * y))));  // D(x): high near the real ring's centre
        }
    Rng rng(2);
    plot::PointSet real{"real", {}, {}}, fake{"generated", {}, {}};
    for (int i = 0; i < 150; ++i) {
        const double a = rng.uniform(0, 6.283);
        real.xs.push_back(std::cos(a) + 0.1 * rng.normal());
        real.ys.push_back(std::sin(a) + 0.1 * rng.normal());
        fake.xs.push_back(1.5 + 0.4 * rng.normal());
        fake.ys.push_back(-1 + 0.4 * rng.normal());
    }
    return plot::decision_surface(png, "Discriminator D(x) at step 2000", grid, {real, fake});
}

// A GAN's loss curves read against the equilibrium, with the key under the axes.
bool draw_line_styled(const std::filesystem::path& png) {
    plot::Series d{"L_D", {}, {}};
    for (int step = 0; step < 100; ++step) d.xs.push_back(step), d.ys.push_back(1.0 + 0.3 * std::exp(-step / 30.0));
    plot::LineStyle style;
    style.key = plot::Key::below;
    style.references = {{std::log(4.0), "L_D: log 4"}, {0.5, "D = 1/2"}};
    return plot::line_plot(png, "losses against the equilibrium", "step", "loss", {d}, style);
}

// A 3 × 4 grid of 10 × 10 tiles with 2-pixel gaps and edges (50 × 38 pixels), drawn on axes ticked at the
// tiles' centres.
bool draw_image(const std::filesystem::path& png) {
    const auto tiles = std::filesystem::path(png).replace_extension("").string() + "_tiles.png";
    Tensor images = Tensor::empty({12, 100});  // (12, 10·10)
    for (std::size_t i = 0; i < 12; ++i)
        for (std::size_t p = 0; p < 100; ++p) images.at(i, p) = real((i + p % 10) / 21.0);
    write_grid_png(tiles, images, 10, 10, 3, 4, 0, 1, 1, 2);
    std::vector<plot::Tick> xs, ys;
    for (int c = 0; c < 4; ++c) xs.push_back({2 + 12.0 * c + 4.5, "z1=" + std::to_string(c)});
    for (int r = 0; r < 3; ++r) ys.push_back({2 + 12.0 * r + 4.5, "z2=" + std::to_string(r)});
    return plot::image_on_axes(png, "tiles on axes", tiles, xs, ys, "z1", "z2");
}

}  // namespace

TEST_CASE("each plot function draws a PNG and keeps its data and script beside it", "[plot]") {
    INFO("gnuplot is a dependency (Debian: gnuplot-nox); scripts/setup-deps.sh installs it");
    REQUIRE(plot::gnuplot_available());
    const auto dir = output_dir();
    struct Figure {
        const char* name;
        bool (*draw)(const std::filesystem::path&);
    };
    const auto figure = GENERATE(Figure{"line", draw_line}, Figure{"scatter", draw_scatter},
                                 Figure{"heatmap", draw_heatmap}, Figure{"surface", draw_surface},
                                 Figure{"panels", draw_panels}, Figure{"bars", draw_bars},
                                 Figure{"line_styled", draw_line_styled}, Figure{"image", draw_image});
    const auto png = dir / (std::string(figure.name) + ".png");
    INFO("figure " << png);
    std::filesystem::remove(png);

    REQUIRE(figure.draw(png));
    CHECK(is_png(png));  // the PNG is complete when the call returns
    CHECK(non_empty_file(dir / (std::string(figure.name) + ".dat")));
    CHECK(non_empty_file(dir / (std::string(figure.name) + ".gp")));
}

TEST_CASE("without gnuplot on PATH a plot call does not throw and still writes the data", "[plot]") {
    const auto dir = output_dir() / "no_gnuplot";
    std::filesystem::remove_all(dir);
    PathWithoutGnuplot no_gnuplot;
    REQUIRE_FALSE(plot::gnuplot_available());

    const auto figure = GENERATE(std::string("line"), std::string("scatter"), std::string("heatmap"),
                                 std::string("surface"));
    INFO("figure " << figure);
    const auto png = dir / (figure + ".png");
    bool drawn = true;
    if (figure == "line") REQUIRE_NOTHROW(drawn = draw_line(png));
    if (figure == "scatter") REQUIRE_NOTHROW(drawn = draw_scatter(png));
    if (figure == "heatmap") REQUIRE_NOTHROW(drawn = draw_heatmap(png));
    if (figure == "surface") REQUIRE_NOTHROW(drawn = draw_surface(png));
    CHECK_FALSE(drawn);
    CHECK_FALSE(std::filesystem::exists(png));
    CHECK(non_empty_file(dir / (figure + ".dat")));
    CHECK(non_empty_file(dir / (figure + ".gp")));
}

TEST_CASE("the data file holds every series as a gnuplot index block", "[plot]") {
    const auto png = output_dir() / "blocks.png";
    PathWithoutGnuplot no_gnuplot;  // only the data matters here
    plot::line_plot(png, "two series", "x", "y", {{"a", {0, 1}, {2, 3}}, {"empty", {}, {}}, {"b", {5}, {7}}});
    const std::string data = test::read_text(std::filesystem::path(png).replace_extension(".dat"));
    CHECK_THAT(data, Contains("# series 0: a\n0 2\n1 3\n\n\n# series 1: b\n5 7\n"));
    CHECK_THAT(data, Contains("# series 'empty': no points"));
}

TEST_CASE("plot functions reject inconsistent data", "[plot]") {
    const auto png = output_dir() / "rejected.png";
    REQUIRE_THROWS_WITH(plot::line_plot(png, "t", "x", "y", {{"bad", {1, 2}, {1}}}), Contains("series 'bad'"));
    REQUIRE_THROWS_WITH(plot::scatter_plot(png, "t", {1}, {1}, {3}, {"a", "b"}), Contains("class 3"));
    REQUIRE_THROWS_WITH(plot::heatmap(png, "t", {1, 2, 3}, 2, 2, {}, {}), Contains("2×2"));
    REQUIRE_THROWS_WITH(plot::decision_surface(png, "t", plot::Grid2D{-1, 1, -1, 1, 2, 2, {0, 1, 0}}, {}),
                        Contains("decision_surface"));
}

TEST_CASE("a line plot's script puts the key where the style says", "[plot]") {
    const auto dir = output_dir() / "keys";
    PathWithoutGnuplot no_gnuplot;  // the script is the behaviour here
    const std::vector<plot::Series> series = {{"a", {0, 1}, {2, 3}}};
    const std::vector<std::pair<plot::Key, std::string>> cases = {
        {plot::Key::top_right, "set key top right"},       {plot::Key::top_left, "set key top left"},
        {plot::Key::bottom_right, "set key bottom right"}, {plot::Key::bottom_left, "set key bottom left"},
        {plot::Key::below, "set key below"},               {plot::Key::outside_right, "set key outside right"},
        {plot::Key::hidden, "unset key"}};
    for (const auto& [key, command] : cases) {
        INFO("expected: " << command);
        plot::LineStyle style;
        style.key = key;
        plot::line_plot(dir / "key.png", "t", "x", "y", series, style);
        const std::string script = test::read_text(dir / "key.gp");
        CHECK_THAT(script, Contains(command + (key == plot::Key::hidden ? "" : " ")));
        for (const auto& [other, other_command] : cases)  // and no other placement
            if (other != key) CHECK_THAT(script, !Contains(other_command + (other == plot::Key::hidden ? "" : " ")));
    }
    SECTION("the log_y signature keeps the key at the top right") {
        plot::line_plot(dir / "old.png", "t", "x", "y", series, true);
        const std::string script = test::read_text(dir / "old.gp");
        CHECK_THAT(script, Contains("set key top right"));
        CHECK_THAT(script, Contains("set logscale y"));
    }
}

TEST_CASE("reference lines are drawn as labelled dashed constants and listed in the data", "[plot]") {
    const auto dir = output_dir() / "references";
    PathWithoutGnuplot no_gnuplot;
    const auto png = dir / "gan.png";
    plot::LineStyle style;
    style.references = {{std::log(4.0), "L_D at equilibrium: log 4"}, {0.5, "D = 1/2"}};
    plot::line_plot(png, "t", "x", "y", {{"L_D", {0, 1, 2}, {1.2, 1.3, 1.35}}}, style);
    const std::string script = test::read_text(dir / "gan.gp"), data = test::read_text(dir / "gan.dat");
    SECTION("each line is a constant in the plot command, dashed, without a key entry") {
        CHECK_THAT(script, Contains("1.386294361 with lines dt 2"));
        CHECK_THAT(script, Contains("0.5 with lines dt 2"));
        CHECK_THAT(script, Contains("notitle"));
    }
    SECTION("each line's label sits at its height, in the right margin, which fits the longest label") {
        CHECK_THAT(script, Contains("set label \"L_D at equilibrium: log 4\" at graph 1, first 1.386294361 left"));
        CHECK_THAT(script, Contains("set label \"D = 1/2\" at graph 1, first 0.5 left"));
        CHECK_THAT(script, Contains("set rmargin 28\n"));  // 25 characters and 3 to spare
    }
    SECTION("the data file records them") {
        CHECK_THAT(data, Contains("# reference line: y = 1.386294361 (L_D at equilibrium: log 4)"));
    }
    SECTION("without reference lines there is neither a label nor a constant") {
        plot::line_plot(dir / "plain.png", "t", "x", "y", {{"L_D", {0, 1}, {1, 2}}}, plot::LineStyle{});
        const std::string plain = test::read_text(dir / "plain.gp");
        CHECK_THAT(plain, !Contains("set label"));
        CHECK_THAT(plain, !Contains("set rmargin"));
        CHECK_THAT(plain, !Contains("dt 2"));
    }
}

TEST_CASE("an image on axes is placed pixel for pixel with its ticks counted from the top", "[plot]") {
    const auto dir = output_dir() / "image";
    std::filesystem::create_directories(dir);
    PathWithoutGnuplot no_gnuplot;
    const auto png = dir / "grid.png";
    draw_image(png);  // a 50 × 38 image, ticks at the centres of the 10 × 10 tiles
    const std::string script = test::read_text(dir / "grid.gp");
    CHECK_THAT(script, Contains("plot 'grid_tiles.png' binary filetype=png with rgbimage"));  // named beside the figure
    CHECK_THAT(script, Contains("set xrange [-0.5:49.5]"));
    CHECK_THAT(script, Contains("set yrange [-0.5:37.5]"));
    CHECK_THAT(script, Contains("\"z1=0\" 6.5"));
    CHECK_THAT(script, Contains("\"z1=3\" 42.5"));
    // the top row of tiles (r = 0, centre 6.5 pixels from the top) is at y = 38 − 1 − 6.5
    CHECK_THAT(script, Contains("\"z2=0\" 30.5"));
    CHECK_THAT(script, Contains("\"z2=2\" 6.5"));
}

TEST_CASE("plot functions reject reference lines and images they cannot draw", "[plot]") {
    const auto dir = output_dir() / "rejected_styles";
    std::filesystem::create_directories(dir);
    const std::vector<plot::Series> series = {{"a", {0, 1}, {2, 3}}};
    plot::LineStyle nan_line;
    nan_line.references = {{std::nan(""), "nowhere"}};
    REQUIRE_THROWS_WITH(plot::line_plot(dir / "r.png", "t", "x", "y", series, nan_line),
                        Contains("line_plot") && Contains("'nowhere'"));
    plot::LineStyle log_axis;
    log_axis.log_y = true;
    log_axis.references = {{-1.0, "log(1 - 1/2)"}};
    REQUIRE_THROWS_WITH(plot::line_plot(dir / "r.png", "t", "x", "y", series, log_axis), Contains("log axis"));
    log_axis.references = {{0.5, "positive"}};
    REQUIRE_NOTHROW(plot::line_plot(dir / "r.png", "t", "x", "y", series, log_axis));

    std::ofstream(dir / "not_a.png") << "text, not a PNG";
    REQUIRE_THROWS_WITH(plot::image_on_axes(dir / "i.png", "t", dir / "not_a.png", {}, {}, "x", "y"),
                        Contains("image_on_axes") && Contains("not a readable PNG"));
    REQUIRE_THROWS_WITH(plot::image_on_axes(dir / "i.png", "t", dir / "missing.png", {}, {}, "x", "y"),
                        Contains("not a readable PNG"));
    draw_image(dir / "grid.png");  // writes grid_tiles.png, 50 × 38
    REQUIRE_THROWS_WITH(plot::image_on_axes(dir / "i.png", "t", dir / "grid_tiles.png", {{50.0, "past the edge"}}, {}, "x", "y"),
                        Contains("'past the edge'") && Contains("50×38"));
    REQUIRE_THROWS_WITH(plot::image_on_axes(dir / "i.png", "t", dir / "grid_tiles.png", {}, {{-1.0, "above"}}, "x", "y"),
                        Contains("y tick 'above'"));
}
