// The α–β model: ring and tree allreduce times, the least-squares fit, scaling efficiency.
#include <mmgen/distributed/cost_model.hpp>

#include <cmath>
#include <stdexcept>
#include <string>

namespace mmgen::distributed {

namespace {
void check_ranks(const char* who, int ranks) {
    if (ranks < 1) throw std::invalid_argument(std::string(who) + ": ranks must be ≥ 1, got " + std::to_string(ranks));
}
}  // namespace

double ring_allreduce_seconds(const AlphaBeta& link, int ranks, double bytes) {
    check_ranks("ring_allreduce_seconds", ranks);
    const double n = ranks;
    return 2 * (n - 1) * link.alpha + 2 * (n - 1) / n * bytes * link.beta;
}

double tree_allreduce_seconds(const AlphaBeta& link, int ranks, double bytes) {
    check_ranks("tree_allreduce_seconds", ranks);
    const double depth = std::ceil(std::log2(double(ranks)));
    return 2 * depth * (link.alpha + bytes * link.beta);
}

AlphaBeta fit_alpha_beta(std::span<const double> bytes, std::span<const double> seconds, int ranks) {
    if (ranks < 2) throw std::invalid_argument("fit_alpha_beta: an allreduce over " + std::to_string(ranks) +
                                               " rank sends nothing; measure with at least 2");
    if (bytes.size() != seconds.size() || bytes.size() < 2)
        throw std::invalid_argument("fit_alpha_beta: need ≥ 2 (bytes, seconds) pairs of equal length, got " +
                                    std::to_string(bytes.size()) + " and " + std::to_string(seconds.size()));
    // T = α·x0 + β·x1 with x0 = 2(N−1), x1 = 2(N−1)/N · b, fitted by least squares on the
    // relative error (each row divided by its measured T): the small messages, whose time is
    // almost all α, then weigh as much as the large ones, whose time is almost all β·b
    const double n = ranks;
    double s00 = 0, s01 = 0, s11 = 0, t0 = 0, t1 = 0;
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        if (!(seconds[i] > 0)) throw std::invalid_argument("fit_alpha_beta: a measured time is not positive");
        const double x0 = 2 * (n - 1) / seconds[i], x1 = 2 * (n - 1) / n * bytes[i] / seconds[i];
        s00 += x0 * x0, s01 += x0 * x1, s11 += x1 * x1, t0 += x0, t1 += x1;
    }
    const double det = s00 * s11 - s01 * s01;
    if (!(std::abs(det) > 0)) throw std::invalid_argument("fit_alpha_beta: the sizes must not all be equal");
    return {(t0 * s11 - t1 * s01) / det, (s00 * t1 - s01 * t0) / det};
}

double weak_scaling_efficiency(double compute_seconds, double comm_seconds) {
    return compute_seconds / (compute_seconds + comm_seconds);
}

double strong_scaling_efficiency(double compute_one_seconds, int ranks, double comm_seconds) {
    check_ranks("strong_scaling_efficiency", ranks);
    return compute_one_seconds / (compute_one_seconds + double(ranks) * comm_seconds);
}

}  // namespace mmgen::distributed
