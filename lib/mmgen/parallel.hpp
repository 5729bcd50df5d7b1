#pragma once
// parallel_for: split a loop over [0, n) between the calling thread and a small pool of
// worker threads. Used for the optimizer's update, a memory-bound loop over every parameter
// that one core cannot stream fast enough. The split never changes results: each index is
// computed exactly as in the serial loop.
//
// On this 2-core machine the pool has one worker; OpenBLAS has its own threads for GEMM, and
// the two never run at the same time (ops call GEMM from the calling thread only).
#include <cstddef>
#include <functional>

namespace mmgen {

// Runs body(begin, end) over chunks covering [0, n); serial when n < min_parallel.
void parallel_for(std::size_t n, const std::function<void(std::size_t, std::size_t)>& body,
                  std::size_t min_parallel = 1 << 15);

// Threads parallel_for uses, the caller included (default: the hardware threads, at most 8).
void set_num_threads(int threads);
int num_threads();

}  // namespace mmgen
