#pragma once
// The Fashion-MNIST classifier of chapter 01, and the evaluator built on it.
//
//   x (B, 784) in [0, 1] → Linear → ReLU (B, 512) → Dropout → Linear → ReLU (B, 256) → Linear → logits (B, 10)
//                                                                        └ features: what the
//                                                      Fréchet distance of later chapters compares
//
// Later chapters score generated images with it: which class each image looks like, and how far
// the distribution of their features is from that of real images.
#include <filesystem>
#include <iostream>
#include <memory>
#include <vector>

#include <mmgen/io/data.hpp>
#include <mmgen/nn/modules.hpp>

namespace mmgen::models {

class Classifier : public nn::Module {
public:
    static constexpr std::size_t kFeatures = 256;  // width of the penultimate layer
    explicit Classifier(Rng& rng, real dropout = real(0.2));

    Tensor features(const Tensor& x);  // (B, 784) → (B, 256), after the last ReLU
    Tensor logits(const Tensor& x);    // (B, 784) → (B, 10)
    Tensor forward(const Tensor& x) override { return logits(x); }

    std::shared_ptr<nn::Sequential> body;  // everything up to the features
    std::shared_ptr<nn::Linear> head;      // features → logits
};

// The index of the largest value in each row of a (B, C) tensor.
std::vector<std::size_t> argmax_rows(const Tensor& scores);

struct ClassifierTraining {
    std::size_t epochs = 20;
    std::size_t batch_size = 128;
    real lr = real(1e-3);  // at the first epoch; cosine-decayed towards 0 over the run
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
ClassifierHistory train_classifier(Classifier& model, const data::Dataset& train, const data::Dataset& test,
                                   const ClassifierTraining& options, Rng& rng);

// Accuracy on the first `limit` images (0: all); fills confusion[true][predicted] if given.
double accuracy(Classifier& model, const data::Dataset& dataset, std::size_t limit = 0,
                std::vector<std::vector<std::size_t>>* confusion = nullptr);

// The scorer later chapters use. It takes images with values in [0, 1] (map a tanh generator's
// [−1, 1] first) and runs the classifier in eval mode without recording a graph.
class Evaluator {
public:
    // Loads the classifier saved in `folder` (evaluator_path(folder)); if there is none, says so
    // and trains one with chapter 01's default recipe (about a minute here) and saves it there.
    // With quick, a missing evaluator is replaced by a seconds-long one saved beside it (for
    // smoke runs; its scores are rough).
    static Evaluator load_or_train(const std::filesystem::path& folder, const std::filesystem::path& data_dir,
                                   bool quick = false);

    std::vector<std::size_t> classify(const Tensor& images);  // (N, 784) → N labels
    Tensor features(const Tensor& images);                    // (N, 784) → (N, 256)
    Classifier& model() { return *model_; }

private:
    explicit Evaluator(std::unique_ptr<Classifier> model) : model_(std::move(model)) {}
    std::unique_ptr<Classifier> model_;
};

// The evaluator's file in `folder` (chapter 01's checkpoint folder), and the rough one a --quick
// run keeps beside it.
std::filesystem::path evaluator_path(const std::filesystem::path& folder, bool quick = false);

}  // namespace mmgen::models
