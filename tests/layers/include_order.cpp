// The layers of lib/mmgen/ include downwards only: core ← nn ← {io, report} ← {models, distributed}.
// A lower layer never includes a higher one; io and report do not include each other, nor do
// models and distributed. The scan reads every .hpp and .cpp under lib/mmgen/<layer>/ for
// #include <mmgen/<layer>/...> (or a quoted "../<layer>/..." path).
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include <unistd.h>

namespace fs = std::filesystem;

namespace {
// Each layer and the layers its files may include. A new folder under lib/mmgen/ must be added
// here, with its place in the order (DESIGN.md's layout).
const std::map<std::string, std::set<std::string>> kMayInclude = {
    {"core", {"core"}},
    {"nn", {"core", "nn"}},
    {"io", {"core", "nn", "io"}},
    {"report", {"core", "nn", "report"}},
    {"models", {"core", "nn", "io", "report", "models"}},
    {"distributed", {"core", "nn", "io", "report", "distributed"}},  // beside models, not in the umbrella
};

std::string joined(const std::set<std::string>& names) {
    std::string s;
    for (const auto& n : names) s += (s.empty() ? "" : ", ") + n;
    return s;
}

// One message per include of a layer the including file's layer may not use, and per folder
// that is not a known layer. `root` is a lib/mmgen folder.
std::vector<std::string> layering_violations(const fs::path& root) {
    static const std::regex include(R"(^\s*#\s*include\s*[<"](?:mmgen/|\.\./)(\w+)/)");
    std::vector<std::string> found;
    for (const auto& folder : fs::directory_iterator(root)) {
        if (!folder.is_directory()) continue;
        const std::string layer = folder.path().filename().string();
        const auto allowed = kMayInclude.find(layer);
        if (allowed == kMayInclude.end()) {
            found.push_back("lib/mmgen/" + layer + "/ is not a known layer: add it to kMayInclude in " __FILE__);
            continue;
        }
        for (const auto& entry : fs::recursive_directory_iterator(folder.path())) {
            const auto ext = entry.path().extension();
            if (!entry.is_regular_file() || (ext != ".hpp" && ext != ".cpp")) continue;
            std::ifstream in(entry.path());
            std::string line;
            for (std::size_t number = 1; std::getline(in, line); ++number) {
                std::smatch m;
                if (std::regex_search(line, m, include) && !allowed->second.contains(m[1].str()))
                    found.push_back(fs::relative(entry.path(), root).string() + ":" + std::to_string(number) + " includes " +
                                    m[1].str() + " (" + line + "); " + layer + " may include only " +
                                    joined(allowed->second));
            }
        }
    }
    return found;
}

// A folder under the system temp dir with the given files (path → text), removed afterwards.
using Files = std::map<std::string, std::string>;
struct FakeLib {
    fs::path root = fs::temp_directory_path() / ("mmgen_layers_" + std::to_string(::getpid()));
    explicit FakeLib(const Files& files) {
        fs::remove_all(root);
        for (const auto& [path, text] : files) {
            fs::create_directories((root / path).parent_path());
            std::ofstream(root / path) << text;
        }
    }
    FakeLib(const FakeLib&) = delete;
    FakeLib& operator=(const FakeLib&) = delete;
    ~FakeLib() { fs::remove_all(root); }
};
}  // namespace

TEST_CASE("no file in a lower layer of lib/mmgen includes a higher layer", "[layers]") {
    const fs::path root = fs::path(MMGEN_SOURCE_DIR) / "lib" / "mmgen";
    REQUIRE(fs::is_directory(root / "core"));
    const auto violations = layering_violations(root);
    for (const auto& v : violations) UNSCOPED_INFO(v);
    REQUIRE(violations.empty());
}

TEST_CASE("the layering scan finds an include that goes up, or across from io to report", "[layers]") {
    SECTION("a clean tree passes") {
        const FakeLib lib(Files{{"core/tensor.hpp", "#include <mmgen/core/real.hpp>\n"},
                           {"nn/modules.hpp", "#include <mmgen/core/tensor.hpp>\n#include <vector>\n"},
                           {"models/vae.cpp", "#include <mmgen/io/data.hpp>\n#include \"../report/plot.hpp\"\n"}});
        REQUIRE(layering_violations(lib.root).empty());
    }
    SECTION("core including nn, nn including models, io including report, report including io") {
        const FakeLib lib(Files{{"core/ops.cpp", "#include <mmgen/nn/losses.hpp>\n"},
                           {"nn/losses.hpp", "// x\n  #  include <mmgen/models/vae.hpp>\n"},
                           {"io/image.cpp", "#include \"mmgen/report/plot.hpp\"\n"},
                           {"report/plot.cpp", "#include \"../io/image.hpp\"\n"}});
        const auto v = layering_violations(lib.root);
        REQUIRE(v.size() == 4);
        CHECK_THAT(v[0] + v[1] + v[2] + v[3], Catch::Contains("core/ops.cpp:1 includes nn") &&
                                                   Catch::Contains("nn/losses.hpp:2 includes models") &&
                                                   Catch::Contains("io/image.cpp:1 includes report") &&
                                                   Catch::Contains("report/plot.cpp:1 includes io"));
    }
    SECTION("a folder that is not in the layer order") {
        const FakeLib lib(Files{{"extras/thing.hpp", "#include <mmgen/core/tensor.hpp>\n"}});
        const auto v = layering_violations(lib.root);
        REQUIRE(v.size() == 1);
        CHECK_THAT(v[0], Catch::Contains("extras/ is not a known layer"));
    }
}
