// GradientAverager: weight, pack into buckets, one MPI_Allreduce(SUM) per bucket, unpack.
#include <mmgen/distributed/gradient_averaging.hpp>

#include <algorithm>
#include <cmath>

#include <mmgen/report/progress.hpp>

namespace mmgen::distributed {

GradientAverager::GradientAverager(const Communicator& comm, std::vector<Tensor> parameters, std::size_t bucket_values)
    : comm_(comm) {
    if (bucket_values == 0) throw std::invalid_argument("GradientAverager: the bucket size must be positive");
    std::reverse(parameters.begin(), parameters.end());  // backward produces the last layer's gradient first
    for (auto& p : parameters) {
        if (buckets_.empty() || (buckets_.back().buffer.size() + p.numel() > bucket_values && !buckets_.back().parameters.empty()))
            buckets_.emplace_back();
        buckets_.back().parameters.push_back(p);
        buckets_.back().buffer.resize(buckets_.back().buffer.size() + p.numel());
        values_ += p.numel();
    }
}

void GradientAverager::average(double weight) {
    if (!std::isfinite(weight) || weight < 0 || weight > 1)
        throw std::invalid_argument("GradientAverager::average: the weight n_r / n is " + std::to_string(weight) +
                                    ", not in [0, 1]");
    const real w = static_cast<real>(weight);
    last_seconds_ = 0;
    for (auto& bucket : buckets_) {
        std::size_t at = 0;
        for (const auto& p : bucket.parameters) {  // pack: buffer ← w · g_r
            const auto g = p.grad();
            if (g.empty()) std::fill_n(bucket.buffer.begin() + std::ptrdiff_t(at), p.numel(), real(0));
            else std::transform(g.begin(), g.end(), bucket.buffer.begin() + std::ptrdiff_t(at), [w](real v) { return w * v; });
            at += p.numel();
        }
        Stopwatch clock;
        comm_.allreduce_sum(bucket.buffer);  // buffer ← Σ_r w_r · g_r
        last_seconds_ += clock.seconds();
        at = 0;
        for (const auto& p : bucket.parameters) {  // unpack
            const auto g = p.grad_buffer();
            std::copy_n(bucket.buffer.begin() + std::ptrdiff_t(at), p.numel(), g.begin());
            at += p.numel();
        }
    }
}

}  // namespace mmgen::distributed
