// Chapter 07's measurements: allreduce sweep, step times, the α–β model's efficiency curves.
#include "scaling.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include <mmgen/core/gemm.hpp>
#include <mmgen/core/ops.hpp>
#include <mmgen/distributed/gradient_averaging.hpp>
#include <mmgen/nn/optim.hpp>
#include <mmgen/report/plot.hpp>
#include <mmgen/report/progress.hpp>

using namespace mmgen;
using namespace mmgen::distributed;

namespace chapter07 {

namespace {

double median(std::vector<double> v) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    const std::size_t m = v.size() / 2;
    return v.size() % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}

// Median seconds of one MPI_Allreduce of `values` reals on comm (every rank of comm calls it).
double time_allreduce(const Communicator& comm, std::size_t values, int repeats) {
    std::vector<real> buffer(values, real(1));
    std::vector<double> seconds;
    comm.allreduce_sum(buffer);  // warm-up: connections and buffers set up
    for (int r = 0; r < repeats; ++r) {
        comm.barrier();  // start together, so the time is the reduction and not a late rank
        Stopwatch clock;
        comm.allreduce_sum(buffer);
        seconds.push_back(clock.seconds());
    }
    double t[1] = {median(seconds)};
    comm.allreduce_sum_double(t);  // every rank's median, averaged
    return t[0] / comm.size();
}

// One data-parallel step of the VAE on comm with this rank's slice of `batch`, timed.
struct StepTimer {
    Communicator comm;
    Rng rng;
    models::Vae vae;
    optim::Adam adam;
    GradientAverager averager;
    StepTimer(const Communicator& c, const models::VaeConfig& config, std::size_t bucket_values)
        : comm(c), rng(1), vae(config, rng), adam(vae.parameters()), averager(c, vae.parameters(), bucket_values) {}

    // returns {step seconds, allreduce seconds}
    std::pair<double, double> step(const data::Dataset& train, const std::vector<std::size_t>& batch) {
        const std::size_t n = batch.size() / std::size_t(comm.size()), first = std::size_t(comm.rank()) * n;
        const std::vector<std::size_t> mine(batch.begin() + std::ptrdiff_t(first), batch.begin() + std::ptrdiff_t(first + n));
        Stopwatch clock;
        const Tensor x = data::images_to_tensor(train, mine, 0, 1);                      // (B/N, 784)
        const Tensor eps = Tensor::randn({n, vae.config().latent}, rng);                 // (B/N, latent)
        adam.zero_grad();
        vae.negative_elbo(x, eps).loss.backward();
        averager.average(1.0 / comm.size());
        adam.step();
        return {clock.seconds(), averager.last_seconds()};
    }
};

}  // namespace

Scaling measure_scaling(const Communicator& world, const data::Dataset& train, const models::VaeConfig& config,
                        std::size_t global_batch, int rounds, std::size_t steps_per_round, std::size_t bucket_values) {
    Scaling s;
    s.ranks = world.size();
    s.global_batch = global_batch;
    const int threads = blas_threads();
    set_blas_threads(1);

    // the sweep: 1, 4, 16, … 2²¹ values (8 MiB of floats) on all ranks
    for (std::size_t values = 1; values <= (std::size_t{1} << 21); values *= 4) {
        s.sweep_values.push_back(double(values));
        s.sweep_seconds.push_back(time_allreduce(world, values, values < 65536 ? 50 : 10));
    }
    if (s.ranks >= 2) {
        std::vector<double> bytes;
        for (double v : s.sweep_values) bytes.push_back(v * sizeof(real));
        s.link = fit_alpha_beta(bytes, s.sweep_seconds, s.ranks);
    }

    // the gradient-sized allreduce on N ranks, then on one (a copy: nothing to exchange)
    StepTimer on_ranks(world, config, bucket_values);
    s.gradient_values = on_ranks.vae.parameter_count();
    s.allreduce_ranks = time_allreduce(world, s.gradient_values, 20);
    if (world.is_root()) s.allreduce_one = time_allreduce(Communicator::self(), s.gradient_values, 20);
    world.sleeping_barrier();

    // step times, interleaved: N ranks × 1 thread, then 1 process × N threads (the others sleep)
    Rng pick(7);
    std::vector<std::size_t> batch(global_batch);
    std::vector<double> ranks_steps, ranks_compute, one_steps;
    std::unique_ptr<StepTimer> alone;
    if (world.is_root()) alone = std::make_unique<StepTimer>(Communicator::self(), config, bucket_values);
    for (int round = 0; round < rounds; ++round) {
        for (auto& i : batch) i = pick.below(train.n);
        set_blas_threads(1);
        world.barrier();
        for (std::size_t k = 0; k <= steps_per_round; ++k) {
            const auto [step, comm] = on_ranks.step(train, batch);
            if (k > 0) ranks_steps.push_back(step), ranks_compute.push_back(step - comm);  // k = 0 warms up
        }
        if (world.is_root()) {
            set_blas_threads(world.size());
            for (std::size_t k = 0; k <= steps_per_round; ++k) {
                const double step = alone->step(train, batch).first;
                if (k > 0) one_steps.push_back(step);
            }
        }
        world.sleeping_barrier();
    }
    s.step_ranks = median(ranks_steps);
    s.compute_ranks = median(ranks_compute);
    s.step_one = median(one_steps);
    set_blas_threads(threads);
    return s;
}

void plot_scaling(const Scaling& s, const std::filesystem::path& out) {
    std::vector<double> log_values, measured_ms, fitted_ms;
    for (std::size_t i = 0; i < s.sweep_values.size(); ++i) {
        log_values.push_back(std::log2(s.sweep_values[i]));
        measured_ms.push_back(1e3 * s.sweep_seconds[i]);
        fitted_ms.push_back(1e3 * ring_allreduce_seconds(s.link, s.ranks, s.sweep_values[i] * sizeof(real)));
    }
    if (s.ranks >= 2)
        plot::line_plot(out / "allreduce_time.png",
                        "MPI_Allreduce on " + std::to_string(s.ranks) + " ranks of this machine, and the fitted alpha-beta model",
                        "log2(values summed)", "milliseconds",
                        {{"measured (median)", log_values, measured_ms}, {"ring model, fitted alpha and beta", log_values, fitted_ms}},
                        true);

    // The model: each machine computes one step, then the ring allreduce of the gradients.
    // c = the measured compute of a step with local batch B/N on one thread (N = this run's ranks).
    const double bytes = double(s.gradient_values) * sizeof(real);
    const double c = s.compute_ranks, c_global = c * s.ranks;  // c_global: the global batch on one machine
    const AlphaBeta ethernet{30e-6, 1.0 / 1.25e9};              // an assumed 10 Gb/s Ethernet: 30 µs, 1.25 GB/s
    plot::Series weak_here{"weak scaling, this machine's alpha-beta", {}, {}}, strong_here{"strong scaling (global batch fixed), this machine's alpha-beta", {}, {}};
    plot::Series weak_eth{"weak scaling, 10 Gb/s Ethernet (assumed)", {}, {}}, strong_eth{"strong scaling, 10 Gb/s Ethernet (assumed)", {}, {}};
    for (int n = 1; n <= 64; n *= 2) {
        const double x = n;
        weak_here.xs.push_back(x), weak_here.ys.push_back(weak_scaling_efficiency(c, ring_allreduce_seconds(s.link, n, bytes)));
        strong_here.xs.push_back(x), strong_here.ys.push_back(strong_scaling_efficiency(c_global, n, ring_allreduce_seconds(s.link, n, bytes)));
        weak_eth.xs.push_back(x), weak_eth.ys.push_back(weak_scaling_efficiency(c, ring_allreduce_seconds(ethernet, n, bytes)));
        strong_eth.xs.push_back(x), strong_eth.ys.push_back(strong_scaling_efficiency(c_global, n, ring_allreduce_seconds(ethernet, n, bytes)));
    }
    plot::LineStyle key_below;  // five long names: under the axes, where they cover no curve
    key_below.key = plot::Key::below;
    plot::Series measured{"measured here: compute / step", {1, double(s.ranks)}, {1, s.compute_ranks / s.step_ranks}};
    plot::line_plot(out / "scaling_efficiency.png",
                    "Predicted scaling efficiency of the VAE (" + std::to_string(s.gradient_values) + " gradients)",
                    "machines N (1 rank each)", "efficiency = speed-up / N",
                    {weak_here, strong_here, weak_eth, strong_eth, measured}, key_below);
}

nlohmann::json scaling_json(const Scaling& s) {
    const double bytes = double(s.gradient_values) * sizeof(real), c = s.compute_ranks;
    const AlphaBeta ethernet{30e-6, 1.0 / 1.25e9};
    std::vector<double> sweep_ms;
    for (double t : s.sweep_seconds) sweep_ms.push_back(1e3 * t);
    return {{"ranks", s.ranks},
            {"global_batch", s.global_batch},
            {"gradient_values", s.gradient_values},
            {"allreduce_sweep", {{"values", s.sweep_values}, {"ms", sweep_ms}}},
            {"alpha_us", 1e6 * s.link.alpha},
            {"bandwidth_gb_per_s", s.link.beta > 0 ? 1e-9 / s.link.beta : 0.0},
            {"gradient_allreduce_ms", {{"ranks", 1e3 * s.allreduce_ranks}, {"one", 1e3 * s.allreduce_one}}},
            {"step_ms", {{"ranks_1_thread_each", 1e3 * s.step_ranks}, {"one_process_n_threads", 1e3 * s.step_one}}},
            {"compute_ms_ranks", 1e3 * c},
            {"measured_efficiency", c / s.step_ranks},
            {"images_per_second", {{"ranks_1_thread_each", double(s.global_batch) / s.step_ranks},
                                   {"one_process_n_threads", double(s.global_batch) / s.step_one}}},
            {"predicted_efficiency_64",
             {{"weak_here", weak_scaling_efficiency(c, ring_allreduce_seconds(s.link, 64, bytes))},
              {"strong_here", strong_scaling_efficiency(c * s.ranks, 64, ring_allreduce_seconds(s.link, 64, bytes))},
              {"weak_ethernet", weak_scaling_efficiency(c, ring_allreduce_seconds(ethernet, 64, bytes))},
              {"strong_ethernet", strong_scaling_efficiency(c * s.ranks, 64, ring_allreduce_seconds(ethernet, 64, bytes))}}}};
}

}  // namespace chapter07
