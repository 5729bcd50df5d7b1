// Convolutions at chapter 01's shapes, forward + backward, and one training step of the CNN
// evaluator beside its GEMM-only replay:
//
//   BM_Conv2d/1           (128, 1, 28, 28)  → 24 channels, 3×3, padding 1   (the first layer)
//   BM_Conv2d/2           (128, 24, 14, 14) → 48 channels, 3×3, padding 1   (the second layer)
//   BM_ConvTranspose2d/1  (128, 48, 7, 7)   → 24 channels, 4×4, stride 2, padding 1 (7 → 14)
//   BM_ConvTranspose2d/2  (128, 24, 14, 14) → 1 channel,   4×4, stride 2, padding 1 (14 → 28)
//                         (the same layers run backwards: a convolutional decoder's upsampling)
//   BM_CnnStep / BM_CnnStepGemmOnly   models::CnnClassifier, cross-entropy, Adam, batch 128
//
// im2col, col2im and the (N, F) ↔ (F, N) copies around each GEMM count as not-GEMM.
#include <benchmark/benchmark.h>

#include <mmgen/core/ops.hpp>
#include <mmgen/models/cnn_classifier.hpp>
#include <mmgen/nn/losses.hpp>
#include <mmgen/nn/optim.hpp>

#include "step_trace.hpp"

using namespace mmgen;

namespace {
constexpr std::size_t kBatch = 128;

struct ConvShape {
    std::size_t in_channels, out_channels, size, kernel, stride, padding;
};
constexpr ConvShape kConvLayers[] = {{1, 24, 28, 3, 1, 1}, {24, 48, 14, 3, 1, 1}};
constexpr ConvShape kConvTransposeLayers[] = {{48, 24, 7, 4, 2, 1}, {24, 1, 14, 4, 2, 1}};

// y = op(x, W, b); backward of Σ y·u: gradients for x, W and b.
template <class Op>
void run_conv(benchmark::State& state, const ConvShape& s, bool transpose, Op op) {
    Rng rng(1);
    const Tensor x = Tensor::uniform({kBatch, s.in_channels, s.size, s.size}, rng, -1, 1, true);
    const Tensor w = transpose ? Tensor::randn({s.in_channels, s.out_channels, s.kernel, s.kernel}, rng, 0.1f, true)
                               : Tensor::randn({s.out_channels, s.in_channels, s.kernel, s.kernel}, rng, 0.1f, true);
    const Tensor b = Tensor::zeros({s.out_channels}, true);
    const Tensor probe = op(x, w, b, s.stride, s.padding);
    const Tensor upstream = Tensor::uniform(probe.shape(), rng, -1, 1);
    for (auto _ : state) {
        Tensor y = op(x, w, b, s.stride, s.padding);
        y.backward(upstream);
        benchmark::DoNotOptimize(x.grad().data());
    }
    state.counters["img/s"] = benchmark::Counter(double(kBatch), benchmark::Counter::kIsIterationInvariantRate);
}

void BM_Conv2d(benchmark::State& state) {
    run_conv(state, kConvLayers[state.range(0) - 1], false,
             [](const Tensor& x, const Tensor& w, const Tensor& b, std::size_t s, std::size_t p) { return conv2d(x, w, b, s, p); });
}
void BM_ConvTranspose2d(benchmark::State& state) {
    run_conv(state, kConvTransposeLayers[state.range(0) - 1], true,
             [](const Tensor& x, const Tensor& w, const Tensor& b, std::size_t s, std::size_t p) {
                 return conv_transpose2d(x, w, b, s, p);
             });
}

struct CnnStep {
    Rng rng{1};
    models::CnnClassifier model{rng};
    optim::Adam adam{model.parameters(), real(2e-3)};
    Tensor x = Tensor::uniform({kBatch, 784}, rng, 0, 1);  // stand-in images in [0, 1]
    std::vector<std::size_t> labels = [] {
        std::vector<std::size_t> l(kBatch);
        for (std::size_t i = 0; i < kBatch; ++i) l[i] = i % 10;
        return l;
    }();

    void operator()() {
        adam.zero_grad();
        Tensor loss = cross_entropy(model.logits(x), labels);
        adam.backward_and_step(loss);  // backward() then step(), fused (optim.hpp)
    }
};

void BM_CnnStep(benchmark::State& state) { bench::run_step<CnnStep>(state, kBatch); }
void BM_CnnStepGemmOnly(benchmark::State& state) { bench::run_gemm_only<CnnStep>(state); }
}  // namespace

BENCHMARK(BM_Conv2d)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->MinTime(1.0);
BENCHMARK(BM_ConvTranspose2d)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->MinTime(1.0);
BENCHMARK(BM_CnnStep)->Unit(benchmark::kMillisecond)->MinTime(2.0);
BENCHMARK(BM_CnnStepGemmOnly)->Unit(benchmark::kMillisecond)->MinTime(2.0);
