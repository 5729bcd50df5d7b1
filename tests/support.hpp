#pragma once
// Small helpers shared by the test files: random inputs, "this op's gradient matches central
// differences", and "these two numbers agree".
#include <filesystem>
#include <string>
#include <system_error>
#include <vector>

#include <unistd.h>

#include <catch2/catch.hpp>

#include <mmgen/core/gradcheck.hpp>
#include <mmgen/core/random.hpp>
#include <mmgen/core/tensor.hpp>

namespace mmgen::test {

// A leaf with values uniform in [lo, hi) that requires a gradient.
inline Tensor random_input(const Shape& shape, Rng& rng, real lo = -2, real hi = 2) {
    return Tensor::uniform(shape, rng, lo, hi, /*requires_grad=*/true);
}

// The gradient of `f` at `inputs` matches central differences (default tolerance 1e-6); on
// failure the report names the op, the input, its shape and the index.
inline void require_gradient_matches(const std::string& name, const GradcheckFn& f, const std::vector<Tensor>& inputs,
                                     const GradcheckOptions& options = {}) {
    Rng rng(2024);  // draws the random upstream gradient
    const GradcheckResult result = gradcheck(name, f, inputs, rng, options);
    INFO(result.message);
    REQUIRE(result.checked > 0);
    REQUIRE(result.ok);
}

// |actual − expected| within a relative 1e-12, or within 1e-12 of an expected 0.
inline void require_close(double actual, double expected, double relative = 1e-12, double absolute = 1e-12) {
    REQUIRE_THAT(actual, Catch::Matchers::WithinRel(expected, relative) || Catch::Matchers::WithinAbs(expected, absolute));
}

// Elementwise require_close, naming the index on failure.
inline void require_values(const Tensor& t, const std::vector<double>& expected, double relative = 1e-12,
                           double absolute = 1e-12) {
    REQUIRE(t.numel() == expected.size());
    for (std::size_t i = 0; i < expected.size(); ++i) {
        INFO("value " << i << " of a tensor of shape " << t.shape_str());
        require_close(t.data()[i], expected[i], relative, absolute);
    }
}

}  // namespace mmgen::test

#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sys/wait.h>

namespace mmgen::test {

// A folder under the build tree for a test file's outputs (created, not emptied).
inline std::filesystem::path output_dir(const std::string& name) {
    const auto dir = std::filesystem::path(MMGEN_BINARY_DIR) / "test_output" / name;
    std::filesystem::create_directories(dir);
    return dir;
}

// A fresh, empty folder under the system temp dir, removed when the test is done with it:
// for files a test only writes to read back (scratch_dir keeps a run's outputs to look at).
struct TempDir {
    std::filesystem::path path;
    explicit TempDir(const std::string& name) {
        static int counter = 0;
        path = std::filesystem::temp_directory_path() /
               ("mmgen_test_" + name + "_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
        std::filesystem::remove_all(path);
        std::filesystem::create_directories(path);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path, ec);
    }
};

// A fresh, empty folder under the build tree for one test's outputs.
inline std::filesystem::path scratch_dir(const std::string& name) {
    const auto dir = std::filesystem::path(MMGEN_BINARY_DIR) / "test_output" / name;
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    return dir;
}

// Runs build/bin/<exe> with the arguments (stdout and stderr to <log>) and returns its exit code.
inline int run_executable(const std::string& exe, const std::string& args, const std::filesystem::path& log) {
    const std::string command =
        std::string(MMGEN_BINARY_DIR) + "/bin/" + exe + " " + args + " > '" + log.string() + "' 2>&1";
    const int status = std::system(command.c_str());
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

inline nlohmann::json read_json(const std::filesystem::path& path) {
    std::ifstream in(path);
    REQUIRE(in.good());
    return nlohmann::json::parse(in);
}

}  // namespace mmgen::test
