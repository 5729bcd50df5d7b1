#pragma once
// What the libtorch twins share: the thread setting, the timing loop, the registration.
//
// Each twin (vae_step.cpp, gan_step.cpp, …) is the step of the mmgen_bench benchmark of the same
// name written in libtorch — same layers, shapes, batch, loss and optimizer — and is timed the
// way bench/step_trace.hpp's run_step times mmgen's: a `Step` built once, called once
// per Google Benchmark iteration, wall clock, milliseconds, at least 2 s of iterations.
//
// libtorch runs with 1 and with 2 threads (the benchmark's argument, `/threads:N`):
// torch::set_num_threads(N), its own pool (OpenMP: the elementwise ops, reductions, oneDNN's
// convolutions). Its GEMMs go to the system BLAS — OpenBLAS here, which Debian's libtorch calls and
// torch::set_num_threads does not reach — and run, as mmgen_bench's do, on OpenBLAS with 2 threads
// (this machine's two cores). So `threads:1` is mmgen's own arrangement: GEMM on two threads,
// everything else on the calling thread.
#include <benchmark/benchmark.h>
#include <cblas.h>  // openblas_set_num_threads
#include <torch/torch.h>

#include <cstdint>
#include <vector>

namespace twin {

namespace F = torch::nn::functional;

constexpr int kBlasThreads = 2;  // as bench/main.cpp sets for mmgen_bench

inline void set_threads(int n) {
    torch::set_num_threads(n);
    openblas_set_num_threads(kBlasThreads);
}

// The parameters of several modules, in one list for one optimizer.
template <class... Modules>
std::vector<torch::Tensor> parameters_of(const Modules&... modules) {
    std::vector<torch::Tensor> all;
    for (const auto& list : {modules->parameters()...}) all.insert(all.end(), list.begin(), list.end());
    return all;
}

// Σ BCE(logits, targets) over everything, divided by the batch: −log p(x|z) per image for
// Bernoulli pixels (mmgen's bce_with_logits with Reduction::batch_mean).
inline torch::Tensor bce_per_example(const torch::Tensor& logits, const torch::Tensor& targets) {
    return F::binary_cross_entropy_with_logits(logits, targets,
                                               F::BinaryCrossEntropyWithLogitsFuncOptions().reduction(torch::kSum)) /
           logits.size(0);
}

// KL(N(μ, σ²) ‖ N(0, I)) summed over the latent, averaged over the batch: μ, log σ² (B, latent).
inline torch::Tensor kl_to_prior(const torch::Tensor& mu, const torch::Tensor& logvar) {
    return 0.5 * (mu.square() + logvar.exp() - logvar - 1).sum() / mu.size(0);
}

// The timing loop; `threads` comes from the benchmark's argument, `args` go to Step's
// constructor. The weights are drawn after torch::manual_seed(1), so every run steps the same
// network.
template <class Step, class... Args>
void run_step(benchmark::State& state, std::int64_t batch, const Args&... args) {
    set_threads(static_cast<int>(state.range(0)));
    torch::manual_seed(1);
    Step step(args...);
    for (auto _ : state) step();
    state.counters["img/s"] = benchmark::Counter(double(batch), benchmark::Counter::kIsIterationInvariantRate);
}

}  // namespace twin

// BM_XStep/threads:1 and BM_XStep/threads:2, timed like mmgen_bench's BM_XStep.
#define TWIN_BENCHMARK(name) \
    BENCHMARK(name)->ArgName("threads")->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->MinTime(2.0)
