#pragma once
// The Fashion-MNIST classifiers of chapter 01, and the evaluator built on them.
//
// Two classifiers share one interface (ImageClassifier: features, logits) and one training loop:
//
//   Classifier (MLP)   x (B, 784) → Linear → ReLU (B, 512) → Dropout → Linear → ReLU (B, 256) → Linear (B, 10)
//   CnnClassifier      two 3×3 convolutions with batch norm and pooling, then (B, 128) → (B, 10)
//                      (cnn_classifier.hpp)
//
// The evaluator is the CNN. Later chapters score generated images with it: which class each
// image looks like, and how far the distribution of its features (the penultimate layer) is from
// that of real images. A weak judge flatters blurry samples: the MLP (≈ 90%) did.
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include <mmgen/io/data.hpp>
#include <mmgen/nn/modules.hpp>

namespace mmgen::models {

// What the training loop and the evaluator need of a Fashion-MNIST classifier.
class ImageClassifier : public nn::Module {
public:
    virtual Tensor features(const Tensor& x) = 0;  // (B, 784) → (B, feature_size()), the penultimate layer
    virtual Tensor logits(const Tensor& x) = 0;    // (B, 784) → (B, 10)
    virtual std::size_t feature_size() const = 0;
    Tensor forward(const Tensor& x) override { return logits(x); }
};

// The MLP of chapter 01's first classifier section.
class Classifier : public ImageClassifier {
public:
    static constexpr std::size_t kFeatures = 256;  // width of the penultimate layer
    explicit Classifier(Rng& rng, real dropout = real(0.2));

    Tensor features(const Tensor& x) override;  // (B, 784) → (B, 256), after the last ReLU
    Tensor logits(const Tensor& x) override;    // (B, 784) → (B, 10)
    std::size_t feature_size() const override { return kFeatures; }

    std::shared_ptr<nn::Sequential> body;  // everything up to the features
    std::shared_ptr<nn::Linear> head;      // features → logits
};

// The index of the largest value in each row of a (B, C) tensor.
std::vector<std::size_t> argmax_rows(const Tensor& scores);

// Each image of x (B, 784) moved by its own random (dy, dx) ∈ [−max_shift, max_shift]², the pixels
// moved in from outside 0 (background): the augmentation of the CNN's recipe.
Tensor random_shift(const Tensor& x, std::size_t max_shift, Rng& rng);

struct ClassifierTraining {
    std::size_t epochs = 20;
    std::size_t batch_size = 128;
    real lr = real(1e-3);  // at the first epoch; cosine-decayed towards 0 over the run
    std::size_t max_shift = 0;    // augmentation: random shifts of up to this many pixels (0: none)
    std::size_t train_limit = 0;  // use only the first N training images (0: all), for --quick
    std::size_t test_limit = 0;   // likewise for evaluation
    // After every epoch the model, Adam's state and the position (epoch, step, rng) are saved
    // here (if not empty); with resume, training continues from that file when it exists.
    std::filesystem::path state_path;
    bool resume = false;
    // Where the per-epoch progress line and test accuracy go; nullptr: train silently.
    std::ostream* log = &std::cerr;
};

struct ClassifierHistory {
    std::vector<double> train_loss;     // mean cross-entropy per epoch (this run's epochs)
    std::vector<double> test_accuracy;  // after each epoch
    std::size_t first_epoch = 1;        // > 1 when resumed
    double train_seconds = 0;           // optimisation only, evaluation excluded
};

// Trains with Adam and cross-entropy, a ProgressLine per epoch on options.log; evaluates after each.
ClassifierHistory train_classifier(ImageClassifier& model, const data::Dataset& train, const data::Dataset& test,
                                   const ClassifierTraining& options, Rng& rng);

// Accuracy on the first `limit` images (0: all); fills confusion[true][predicted] if given.
double accuracy(ImageClassifier& model, const data::Dataset& dataset, std::size_t limit = 0,
                std::vector<std::vector<std::size_t>>* confusion = nullptr);

// The scorer later chapters use: chapter 01's CNN (CnnClassifier). It takes images with values in
// [0, 1] (map a tanh generator's [−1, 1] first) and runs the classifier in eval mode without
// recording a graph.
class Evaluator {
public:
    // Loads the classifier saved in `folder` (evaluator_path(folder)); if there is none, says so
    // and trains one with chapter 01's default recipe (cnn_recipe(): a few minutes here) and saves
    // it there. With quick, a missing evaluator is replaced by a seconds-long one saved beside it
    // (for smoke runs; its scores are rough).
    static Evaluator load_or_train(const std::filesystem::path& folder, const std::filesystem::path& data_dir,
                                   bool quick = false);

    std::vector<std::size_t> classify(const Tensor& images);  // (N, 784) → N labels
    Tensor features(const Tensor& images);                    // (N, 784) → (N, feature_size)
    ImageClassifier& model() { return *model_; }

    // What each chapter's metrics.json records beside its scores: "cnn", and the test accuracy
    // saved with the checkpoint (NaN if the file does not say).
    const std::string& name() const { return name_; }
    double test_accuracy() const { return test_accuracy_; }

private:
    Evaluator(std::unique_ptr<ImageClassifier> model, std::string name, double test_accuracy)
        : model_(std::move(model)), name_(std::move(name)), test_accuracy_(test_accuracy) {}
    std::unique_ptr<ImageClassifier> model_;
    std::string name_;
    double test_accuracy_;
};

// The evaluator's file in `folder` (chapter 01's checkpoint folder), and the rough one a --quick
// run keeps beside it.
std::filesystem::path evaluator_path(const std::filesystem::path& folder, bool quick = false);

}  // namespace mmgen::models
