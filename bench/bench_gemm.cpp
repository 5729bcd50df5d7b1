// BM_Gemm: OpenBLAS at the shapes the chapters multiply, beside BM_GemmReference, the naive
// triple loop that the tests hold it equal to.
#include <benchmark/benchmark.h>

#include <vector>

#include <mmgen/core/gemm.hpp>
#include <mmgen/core/real.hpp>

using namespace mmgen;

namespace {
template <void (*Gemm)(const GemmShape&, real, const real*, const real*, real, real*)>
void run_gemm(benchmark::State& state) {
    const auto m = static_cast<std::size_t>(state.range(0));
    const auto n = static_cast<std::size_t>(state.range(1));
    const auto k = static_cast<std::size_t>(state.range(2));
    std::vector<real> a(m * k, real(0.5)), b(k * n, real(0.25)), c(m * n);
    for (auto _ : state) {
        Gemm({m, n, k, false, true}, real(1), a.data(), b.data(), real(0), c.data());
        benchmark::DoNotOptimize(c.data());
    }
    state.counters["GFLOP/s"] = benchmark::Counter(2.0 * static_cast<double>(m * n * k),
                                                   benchmark::Counter::kIsIterationInvariantRate,
                                                   benchmark::Counter::kIs1000);
}
void gemm_blas(const GemmShape& s, real alpha, const real* a, const real* b, real beta, real* c) {
    gemm(s, alpha, a, b, beta, c);
}
void gemm_naive(const GemmShape& s, real alpha, const real* a, const real* b, real beta, real* c) {
    gemm_reference(s, alpha, a, b, beta, c);
}
// (batch, out, in) of the chapters' Linear layers: classifier, VAE, GAN, multimodal VAE
void chapter_shapes(benchmark::internal::Benchmark* b) {
    b->Args({128, 400, 784})->Args({128, 784, 400})->Args({128, 40, 400})->Args({128, 512, 784})
        ->Args({128, 784, 512})->Args({128, 512, 512})->Args({128, 256, 512});
}
}  // namespace

BENCHMARK(run_gemm<gemm_blas>)->Name("BM_Gemm")->Apply(chapter_shapes)->Unit(benchmark::kMicrosecond);
BENCHMARK(run_gemm<gemm_naive>)->Name("BM_GemmReference")->Apply(chapter_shapes)->Unit(benchmark::kMicrosecond);
