#pragma once
// The α–β cost model of collective communication, and what it predicts for data parallelism.
//
// Sending a message of b bytes between two processes takes α + β·b: a latency α (seconds)
// and an inverse bandwidth β (seconds per byte). An allreduce of b bytes over N ranks:
//
//   ring  (reduce-scatter, then all-gather, each N−1 steps of b/N bytes)
//           T = 2(N−1)·α + 2(N−1)/N · b · β        — each rank sends 2(N−1)/N of the data,
//                                                     under 2b however large N grows
//   tree  (reduce up a binary tree, broadcast down it, whole message per hop)
//           T = 2⌈log₂N⌉ · (α + b · β)             — fewer latencies, but b per hop
//
// The ring is bandwidth-optimal (large gradients); the tree wins for small messages where
// α dominates. MPI libraries pick between such algorithms by message size and N.
#include <cstddef>
#include <span>

namespace mmgen::distributed {

struct AlphaBeta {
    double alpha = 0;  // seconds per message
    double beta = 0;   // seconds per byte
};

double ring_allreduce_seconds(const AlphaBeta& link, int ranks, double bytes);
double tree_allreduce_seconds(const AlphaBeta& link, int ranks, double bytes);

// Least-squares fit of T = 2(N−1)·α + 2(N−1)/N·b·β to measured allreduce times over N ≥ 2
// ranks (bytes[i], seconds[i] > 0), on relative errors; needs at least two distinct sizes.
AlphaBeta fit_alpha_beta(std::span<const double> bytes, std::span<const double> seconds, int ranks);

// Synchronous data parallelism without overlap: a step is compute, then the allreduce.
// Weak scaling (each of N machines keeps its local batch): the step takes
// compute + comm(N), so the efficiency (speed-up / N) is compute / (compute + comm(N)).
double weak_scaling_efficiency(double compute_seconds, double comm_seconds);
// Strong scaling (a fixed global batch split N ways): compute shrinks to compute₁ / N, so the
// efficiency is compute₁ / (N · (compute₁ / N + comm(N))) = compute₁ / (compute₁ + N·comm(N)).
double strong_scaling_efficiency(double compute_one_seconds, int ranks, double comm_seconds);

}  // namespace mmgen::distributed
