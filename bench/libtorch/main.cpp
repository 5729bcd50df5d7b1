// mmgen_libtorch_bench: Google Benchmark's runner over the libtorch twins of mmgen_bench's
// training steps (one file per step, twin.hpp for what they share). Flags are Google
// Benchmark's: --benchmark_filter=BM_VaeStep, --benchmark_repetitions=5, --benchmark_out=….
// scripts/compare-libtorch.sh runs it interleaved with mmgen_bench and prints both side by side.
#include <benchmark/benchmark.h>

BENCHMARK_MAIN();
