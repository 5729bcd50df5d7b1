#pragma once
// Helpers to compare a whole training step with just its GEMM calls.
//
// trace_gemms() runs a step once with the gemm trace switched on and returns the shapes of
// every GEMM it made; GemmReplay owns buffers for those shapes and replays exactly those
// calls. BM_XStep / BM_XStepGemmOnly then measure, in the same run, the step and the floor
// that the BLAS work alone sets.
#include <benchmark/benchmark.h>

#include <functional>
#include <vector>

#include <mmgen/core/gemm.hpp>
#include <mmgen/core/real.hpp>

namespace mmgen::bench {

inline std::vector<GemmShape> trace_gemms(const std::function<void()>& step) {
    std::vector<GemmShape> trace;
    set_gemm_trace(&trace);
    step();
    set_gemm_trace(nullptr);
    return trace;
}

class GemmReplay {
public:
    explicit GemmReplay(std::vector<GemmShape> shapes) : shapes_(std::move(shapes)) {
        for (const auto& s : shapes_) {
            a_.emplace_back(s.m * s.k, real(0.01));
            b_.emplace_back(s.k * s.n, real(0.01));
            c_.emplace_back(s.m * s.n, real(0));
        }
    }
    void run() {
        for (std::size_t i = 0; i < shapes_.size(); ++i)
            gemm(shapes_[i], real(1), a_[i].data(), b_[i].data(), real(1), c_[i].data());
    }
    std::size_t calls() const { return shapes_.size(); }
    double flops() const {
        double f = 0;
        for (const auto& s : shapes_) f += 2.0 * static_cast<double>(s.m * s.n * s.k);
        return f;
    }

private:
    std::vector<GemmShape> shapes_;
    std::vector<std::vector<real>> a_, b_, c_;
};

// The two halves of a pair: `Step` is a default-constructible callable doing one training step
// on `batch` images.
template <class Step>
void run_step(benchmark::State& state, std::size_t batch) {
    Step step;
    for (auto _ : state) step();
    state.counters["img/s"] = benchmark::Counter(double(batch), benchmark::Counter::kIsIterationInvariantRate);
}

template <class Step>
void run_gemm_only(benchmark::State& state) {
    Step step;
    GemmReplay replay(trace_gemms([&] { step(); }));
    for (auto _ : state) replay.run();
    state.counters["gemm_calls"] = static_cast<double>(replay.calls());
    state.counters["GFLOP/s"] =
        benchmark::Counter(replay.flops(), benchmark::Counter::kIsIterationInvariantRate, benchmark::Counter::kIs1000);
}

}  // namespace mmgen::bench
