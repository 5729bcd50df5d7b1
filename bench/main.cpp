// mmgen_bench: Google Benchmark's runner, plus a closing table of step / GEMM-only ratios
// (BM_XStep against BM_XStepGemmOnly measured in the same run).
#include <benchmark/benchmark.h>

#include <cstdio>
#include <map>
#include <string>

#include <mmgen/core/gemm.hpp>

namespace {
class RatioReporter : public benchmark::ConsoleReporter {
public:
    void ReportRuns(const std::vector<Run>& runs) override {
        // the single run, or with --benchmark_repetitions the median, which Google Benchmark
        // reports after the repetitions it summarises and so overwrites them
        for (const auto& run : runs) {
            const bool median = run.run_type == Run::RT_Aggregate && run.aggregate_name == "median";
            if (!run.error_occurred && (run.run_type == Run::RT_Iteration || median))
                times_[run.run_name.function_name] = run.GetAdjustedRealTime();  // name without "/min_time:…"
        }
        ConsoleReporter::ReportRuns(runs);
    }
    void print_ratios() const {
        bool header = false;
        for (const auto& [name, step_time] : times_) {
            const auto it = times_.find(name + "GemmOnly");
            if (it == times_.end()) continue;
            if (!header) std::printf("\n%-16s %12s %12s %8s   (ms, wall clock)\n", "step", "step", "gemm only", "ratio");
            header = true;
            std::printf("%-16s %12.3f %12.3f %8.2f\n", name.c_str(), step_time, it->second, step_time / it->second);
        }
    }

private:
    std::map<std::string, double> times_;
};
}  // namespace

int main(int argc, char** argv) {
    mmgen::set_blas_threads(2);  // this machine's two cores
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    RatioReporter reporter;
    benchmark::RunSpecifiedBenchmarks(&reporter);
    reporter.print_ratios();
    benchmark::Shutdown();
    return 0;
}
