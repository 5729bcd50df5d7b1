// README figures cannot go stale: every number marked <!-- metrics: key --> in README.md and
// chapters/*/README.md must equal its metrics.json value rounded to the digits shown.
// scripts/sync-readme-figures.py does the checking (--check) and the rewriting; this test runs
// it on the repository, and on a small made-up tree to show that it notices a stale figure, a
// missing key, and that rewriting fixes both kinds of number it keeps (decimals, thousands).
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <string>

#include <sys/wait.h>

#include "support.hpp"

namespace fs = std::filesystem;

namespace {

// Runs the script with `arguments`; returns its exit code.
int sync_readme_figures(const std::string& arguments) {
    const std::string command = std::string("python3 '") + MMGEN_SOURCE_DIR + "/scripts/sync-readme-figures.py' " + arguments;
    const int status = std::system(command.c_str());
    REQUIRE(WIFEXITED(status));
    return WEXITSTATUS(status);
}

void write(const fs::path& path, const std::string& text) {
    fs::create_directories(path.parent_path());
    std::ofstream(path) << text;
}

}  // namespace

TEST_CASE("every marked figure in the READMEs equals its metrics.json value", "[readme]") {
    CHECK(sync_readme_figures(std::string("--check --root '") + MMGEN_SOURCE_DIR + "'") == 0);
}

TEST_CASE("the README figure check notices stale and unresolvable figures, and the sync fixes them", "[readme]") {
    const mmgen::test::TempDir root("readme_figures");
    write(root.path / "plots/01_demo/metrics.json",
          R"({"accuracy": 0.90283, "images": 10000, "toy": {"minimax": {"modes": 7}}, "loss": [3.0, 2.51]})");
    write(root.path / "README.md", "| 01 | **0.9028**<!-- metrics: 01_demo:accuracy --> |\n");
    const std::string chapter = "accuracy **0.9028**<!-- metrics: accuracy --> on 10,000<!-- metrics: images --> images; "
                                "7<!-- metrics: toy.minimax.modes --> modes; last loss 2.51<!-- metrics: loss[-1] -->\n";
    const fs::path readme = root.path / "chapters/01_demo/README.md";
    const std::string check = "--check --root '" + root.path.string() + "'";
    SECTION("figures that agree pass") {
        write(readme, chapter);
        CHECK(sync_readme_figures(check) == 0);
    }
    SECTION("must fail: a figure one unit off in its last digit") {
        write(readme, "accuracy **0.9029**<!-- metrics: accuracy -->\n");
        CHECK(sync_readme_figures(check) == 1);
    }
    SECTION("must fail: a marker naming a key the metrics do not have") {
        write(readme, "accuracy **0.9028**<!-- metrics: test_accuracy -->\n");
        CHECK(sync_readme_figures(check) == 1);
    }
    SECTION("the sync rewrites stale figures with the digits shown, and the check then passes") {
        write(readme, "accuracy **0.8**<!-- metrics: accuracy --> on 9,999<!-- metrics: images --> images\n");
        CHECK(sync_readme_figures("--root '" + root.path.string() + "' > /dev/null") == 0);
        CHECK(mmgen::test::read_text(readme) == "accuracy **0.9**<!-- metrics: accuracy --> on 10,000<!-- metrics: images --> images\n");
        CHECK(sync_readme_figures(check) == 0);
    }
}
