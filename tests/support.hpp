#pragma once
// Small helpers shared by the test files: random inputs, "this op's gradient matches central
// differences", "these two numbers agree" within the tolerance of the build's precision, and
// folders for a test's files.
//
// Every test file is compiled twice (tests/CMakeLists.txt): against the float library, which is
// what the chapters run, and against the double one. Gradient checks ([gradcheck]) run in the
// double build only; tests that run a chapter executable ([executable]) in the float build only.
#include <filesystem>
#include <string>
#include <system_error>
#include <type_traits>
#include <vector>

#include <unistd.h>

#include <catch2/catch.hpp>

#include <mmgen/core/gradcheck.hpp>
#include <mmgen/core/random.hpp>
#include <mmgen/core/tensor.hpp>

namespace mmgen::test {

// Which library this test program links: "float" (mmgen) or "double" (mmgen_f64).
inline constexpr bool is_double = std::is_same_v<real, double>;
inline constexpr const char* precision = is_double ? "double" : "float";

// Tolerances per precision. Unit roundoff is 6e-8 in float and 1.1e-16 in double.
//   rel, abs  a value a few roundings from exact: one op, a short sum, a closed form
//   loose     the end of a long computation: a training step, a sum over thousands of terms
// A kernel wrong by 1e-4 relative fails `rel` in both builds.
struct Tolerances {
    double rel, abs, loose;
};
inline constexpr Tolerances tol = is_double ? Tolerances{1e-12, 1e-12, 1e-9} : Tolerances{2e-6, 1e-6, 1e-4};
// A sum over a convolution window or a channel's batch (tens to hundreds of terms), compared
// with the same sum taken in another order: fast vs naive kernels, adjoint identities.
inline constexpr double reordered_sum_tol = is_double ? 1e-12 : 1e-5;

// A leaf with values uniform in [lo, hi) that requires a gradient.
inline Tensor random_input(const Shape& shape, Rng& rng, real lo = -2, real hi = 2) {
    return Tensor::uniform(shape, rng, lo, hi, /*requires_grad=*/true);
}

// The gradient of `f` at `inputs` matches central differences (default tolerance 1e-6); on
// failure the report names the op, the input, its shape and the index. Double build only: in
// float, round-off swamps central differences, so a test case that calls this must be tagged
// [gradcheck], which the float build skips.
inline void require_gradient_matches(const std::string& name, const GradcheckFn& f, const std::vector<Tensor>& inputs,
                                     const GradcheckOptions& options = {}) {
    if constexpr (!is_double) FAIL("gradient check '" << name << "' in the float build: tag its test case [gradcheck]");
    Rng rng(2024);  // draws the random upstream gradient
    const GradcheckResult result = gradcheck(name, f, inputs, rng, options);
    INFO(result.message);
    REQUIRE(result.checked > 0);
    REQUIRE(result.ok);
}

// |actual − expected| within `relative` of |expected|, or within `absolute` (for an expected 0);
// by default the build's tol.rel and tol.abs.
inline void require_close(double actual, double expected, double relative = tol.rel, double absolute = tol.abs) {
    REQUIRE_THAT(actual, Catch::Matchers::WithinRel(expected, relative) || Catch::Matchers::WithinAbs(expected, absolute));
}

// Elementwise require_close, naming the index on failure.
inline void require_values(const Tensor& t, const std::vector<double>& expected, double relative = tol.rel,
                           double absolute = tol.abs) {
    REQUIRE(t.numel() == expected.size());
    for (std::size_t i = 0; i < expected.size(); ++i) {
        INFO("value " << i << " of a tensor of shape " << t.shape_str());
        require_close(t.data()[i], expected[i], relative, absolute);
    }
}

}  // namespace mmgen::test

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <sys/wait.h>

namespace mmgen::test {

// The build tree's folder for test outputs, one per precision, so that the float and the double
// program of a test file can run at the same time.
inline std::filesystem::path output_root() { return std::filesystem::path(MMGEN_BINARY_DIR) / "test_output" / precision; }

// A folder under the build tree for a test file's outputs (created, not emptied).
inline std::filesystem::path output_dir(const std::string& name) {
    const auto dir = output_root() / name;
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
    const auto dir = output_root() / name;
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

// A text file's whole contents ("" when it cannot be read).
inline std::string read_text(const std::filesystem::path& path) {
    std::ifstream in(path);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

inline nlohmann::json read_json(const std::filesystem::path& path) {
    std::ifstream in(path);
    REQUIRE(in.good());
    return nlohmann::json::parse(in);
}

}  // namespace mmgen::test
