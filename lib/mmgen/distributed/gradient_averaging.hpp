#pragma once
// Averaging gradients across ranks after backward: the one communication step of synchronous
// data parallelism (PyTorch's DistributedDataParallel, Horovod).
//
// Rank r computed g_r = ∇ L_r, the gradient of the mean loss over its n_r examples. The
// gradient of the mean loss over all n = Σ n_r examples is
//
//     g = Σ_r (n_r / n) · g_r          (= (1/N) Σ_r g_r when every rank has n/N examples)
//
// so each rank scales its gradient by its weight n_r / n and one MPI_Allreduce(SUM) leaves
// g on every rank; the replicas then take the same optimizer step and stay identical.
//
// Buckets: one MPI call per parameter would pay the latency α once per tensor (8 tensors for
// the VAE, hundreds for a large network); one call for everything cannot start before the
// last gradient exists. GradientAverager packs the gradients into buckets of about
// `bucket_values` values — parameters in reverse order, as backward produces them, the
// order DDP uses so a bucket can be reduced while backward still runs (overlap: not done
// here, see the chapter README) — and makes one MPI_Allreduce per bucket.
#include <cstddef>
#include <vector>

#include <mmgen/core/tensor.hpp>
#include <mmgen/distributed/communicator.hpp>

namespace mmgen::distributed {

// About 1 MiB of floats. A bucket holds at most this many values unless one tensor alone is
// larger: the VAE's 8 tensors, last layer first, travel in 4 buckets of 784 | 313,600 |
// 24,840 | 313,600 values.
inline constexpr std::size_t kDefaultBucketValues = std::size_t{1} << 18;

class GradientAverager {
public:
    GradientAverager(const Communicator& comm, std::vector<Tensor> parameters,
                     std::size_t bucket_values = kDefaultBucketValues);

    // Every parameter's gradient becomes Σ_r weight_r · g_r, on every rank. weight is this
    // rank's share of the global batch, n_r / n. A parameter without a gradient counts as 0.
    void average(double weight);

    std::size_t buckets() const { return buckets_.size(); }
    std::size_t values() const { return values_; }  // gradient values per call
    double last_seconds() const { return last_seconds_; }  // time inside MPI in the last call

private:
    struct Bucket {
        std::vector<Tensor> parameters;  // in the order they are packed
        std::vector<real> buffer;        // their gradients, end to end
    };
    Communicator comm_;
    std::vector<Bucket> buckets_;
    std::size_t values_ = 0;
    double last_seconds_ = 0;
};

}  // namespace mmgen::distributed
