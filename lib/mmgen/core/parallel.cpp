// parallel::for_range over OpenMP, the same thread pool as OpenBLAS's GEMMs.
//
// The library links OpenBLAS's OpenMP build, so one set of OpenMP worker threads runs both the
// GEMMs and these loops. After a parallel region a worker spins for a while before it sleeps;
// the next region, GEMM or loop, finds it awake. With two pools (OpenBLAS's own pthreads and a
// pool of ours), each pool's spinning workers held the cores the other pool's work was waiting
// for (bench/README.md, "One pool of threads").
#include <mmgen/core/parallel.hpp>

#include <omp.h>

namespace mmgen::parallel {

namespace {
int g_threads = 1;
}  // namespace

void set_threads(int threads) { g_threads = threads < 1 ? 1 : threads; }
int threads() { return g_threads; }

void detail::run(std::size_t n, std::size_t parts, RangeFn fn, void* body) {
    if (omp_in_parallel() || parts <= 1) {  // nested, or nothing to share
        fn(body, 0, n);
        return;
    }
    // a few chunks per thread, handed out one at a time (dynamic): a thread that started late
    // takes fewer
    const auto chunks = static_cast<long>(std::min<std::size_t>(n, 4 * parts));
#pragma omp parallel for num_threads(static_cast<int>(parts)) schedule(dynamic, 1)
    for (long c = 0; c < chunks; ++c) {
        const auto k = static_cast<std::size_t>(c);
        fn(body, n * k / static_cast<std::size_t>(chunks), n * (k + 1) / static_cast<std::size_t>(chunks));
    }
}

}  // namespace mmgen::parallel
