#pragma once
// The convolutional Fashion-MNIST classifier of chapter 01, the evaluator every later chapter
// scores its samples with:
//
//   x (B, 784) → (B, 1, 28, 28)
//     → Conv 3×3, 1 → 24, pad 1 → BatchNorm → ReLU → MaxPool 2    (B, 24, 14, 14)
//     → Conv 3×3, 24 → 48, pad 1 → BatchNorm → ReLU → MaxPool 2   (B, 48, 7, 7)
//     → Flatten (B, 2352) → Linear → BatchNorm → ReLU              (B, 128)  ← features
//     → Dropout → Linear                                           (B, 10)   logits
//
// The features are what the Fréchet distance of later chapters compares (the FID recipe, with
// this network in place of Inception).
#include <cstddef>
#include <memory>

#include <mmgen/models/classifier.hpp>
#include <mmgen/nn/conv.hpp>
#include <mmgen/nn/modules.hpp>

namespace mmgen::models {

// Channels of the two convolutions and width of the feature layer. 24 and 48 channels, not the
// usual 32 and 64: 32/64 costs 1.75× the compute per image (≈ 82 vs 47 CPU-seconds an epoch here)
// and would not finish ten epochs in the six-minute budget on this two-core machine.
struct CnnWidths {
    std::size_t conv1 = 24, conv2 = 48, features = 128;
};

class CnnClassifier : public ImageClassifier {
public:
    explicit CnnClassifier(Rng& rng, real dropout = real(0.3), CnnWidths widths = {});

    Tensor features(const Tensor& x) override;  // (B, 784) or (B, 1, 28, 28) → (B, features), after the last ReLU
    Tensor logits(const Tensor& x) override;    // → (B, 10)
    std::size_t feature_size() const override { return widths_.features; }

    std::shared_ptr<nn::Sequential> body;  // everything up to the features
    std::shared_ptr<nn::Sequential> head;  // dropout, features → logits

private:
    CnnWidths widths_;
};

// The evaluator's training recipe (chapter 01's defaults): Adam with cosine decay, random shifts.
ClassifierTraining cnn_recipe();

}  // namespace mmgen::models
