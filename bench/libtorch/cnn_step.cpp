// BM_CnnStep in libtorch: one training step of chapter 01's CNN evaluator
// (models/cnn_classifier.hpp) at batch 128 — forward in training mode (batch statistics,
// dropout), cross-entropy, backward, Adam 2e-3 — the step bench/bench_cnn.cpp times.
//
//   x (B, 784) → (B, 1, 28, 28)
//     → Conv 3×3, 1 → 24, pad 1, no bias → BatchNorm → ReLU → MaxPool 2     (B, 24, 14, 14)
//     → Conv 3×3, 24 → 48, pad 1, no bias → BatchNorm → ReLU → MaxPool 2    (B, 48, 7, 7)
//     → Flatten (B, 2352) → Linear, no bias → BatchNorm → ReLU              (B, 128)
//     → Dropout 0.3 → Linear                                                (B, 10) logits
#include "twin.hpp"

namespace {
namespace nn = torch::nn;
constexpr std::int64_t kBatch = 128, kConv1 = 24, kConv2 = 48, kFeatures = 128, kClasses = 10;

nn::Conv2d conv3x3(std::int64_t in, std::int64_t out) {  // bias: the batch norm's β does it
    return nn::Conv2d(nn::Conv2dOptions(in, out, 3).padding(1).bias(false));
}

struct CnnStep {
    nn::Sequential model{conv3x3(1, kConv1), nn::BatchNorm2d(kConv1), nn::ReLU(), nn::MaxPool2d(2),
                         conv3x3(kConv1, kConv2), nn::BatchNorm2d(kConv2), nn::ReLU(), nn::MaxPool2d(2),
                         nn::Flatten(), nn::Linear(nn::LinearOptions(kConv2 * 7 * 7, kFeatures).bias(false)),
                         nn::BatchNorm1d(kFeatures), nn::ReLU(),
                         nn::Dropout(0.3), nn::Linear(kFeatures, kClasses)};
    torch::optim::Adam adam{model->parameters(), torch::optim::AdamOptions(2e-3)};
    torch::Tensor x = torch::rand({kBatch, 1, 28, 28});                              // (B, 1, 28, 28) stand-in images in [0, 1]
    torch::Tensor labels = torch::arange(kBatch, torch::kLong).remainder(kClasses);  // (B) 0, 1, …, 9, 0, …

    void operator()() {
        adam.zero_grad();
        auto loss = twin::F::cross_entropy(model->forward(x), labels);  // mean over the batch
        loss.backward();
        adam.step();
    }
};

void BM_CnnStep(benchmark::State& state) { twin::run_step<CnnStep>(state, kBatch); }
}  // namespace

TWIN_BENCHMARK(BM_CnnStep);
