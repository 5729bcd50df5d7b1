#pragma once
// parallel::for_range: the loops around the GEMMs (im2col, col2im, pooling, batch norm, ReLU),
// split over the machine's cores.
//
// A convolutional step spends as long in those memory-bound loops as in its GEMMs. for_range
// cuts [0, n) into a few contiguous chunks per thread and runs them on OpenMP's threads — the
// same threads OpenBLAS's OpenMP build runs its GEMMs on, so the loops and the GEMMs take turns
// on one pool instead of two pools contending for the cores (parallel.cpp).
//
// Exactness: every caller splits over an axis whose elements are computed independently
// (images of the batch, channels, planes), so each output value is produced by the same
// operations in the same order as on one thread — results do not depend on the thread count.
#include <algorithm>
#include <cstddef>
#include <type_traits>

namespace mmgen::parallel {

// Threads for_range uses (the caller included); 1 runs every loop on the calling thread.
// set_blas_threads() sets this too. Default: 1.
void set_threads(int threads);
int threads();

namespace detail {
using RangeFn = void (*)(void* body, std::size_t begin, std::size_t end);
void run(std::size_t n, std::size_t parts, RangeFn fn, void* body);
}  // namespace detail

// Calls body(begin, end) on disjoint ranges covering [0, n) (up to four per thread), in
// parallel; returns when all have run. Ranges of fewer than `grain` items are not split off
// (a loop of n < 2·grain runs on the calling thread). A for_range called from inside a body
// runs on its calling thread.
template <class Body>
void for_range(std::size_t n, std::size_t grain, Body&& body) {
    const std::size_t most = grain ? n / grain : n;
    const std::size_t parts = std::min<std::size_t>(static_cast<std::size_t>(threads()), most);
    if (parts <= 1) {
        if (n) body(std::size_t{0}, n);
        return;
    }
    detail::run(n, parts,
                [](void* b, std::size_t begin, std::size_t end) { (*static_cast<std::remove_reference_t<Body>*>(b))(begin, end); },
                const_cast<void*>(static_cast<const void*>(&body)));
}

}  // namespace mmgen::parallel
