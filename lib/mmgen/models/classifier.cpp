#include <mmgen/models/classifier.hpp>

#include <algorithm>
#include <cmath>
#include <iostream>
#include <numbers>
#include <sstream>
#include <stdexcept>

#include <mmgen/core/ops.hpp>
#include <mmgen/io/checkpoint.hpp>
#include <mmgen/models/cnn_classifier.hpp>
#include <mmgen/nn/batched.hpp>
#include <mmgen/nn/losses.hpp>
#include <mmgen/nn/optim.hpp>
#include <mmgen/report/progress.hpp>

namespace mmgen::models {

Classifier::Classifier(Rng& rng, real dropout) {
    body = register_module("body", std::make_shared<nn::Sequential>());
    body->add(std::make_shared<nn::Linear>(784, 512, rng))
        .add(std::make_shared<nn::ReLU>())
        .add(std::make_shared<nn::Dropout>(dropout, rng))
        .add(std::make_shared<nn::Linear>(512, kFeatures, rng))
        .add(std::make_shared<nn::ReLU>());
    head = register_module("head", std::make_shared<nn::Linear>(kFeatures, 10, rng, nn::Init::xavier));
}

Tensor Classifier::features(const Tensor& x) { return body->forward(x); }
Tensor Classifier::logits(const Tensor& x) { return head->forward(features(x)); }

std::vector<std::size_t> argmax_rows(const Tensor& scores) {
    const std::size_t rows = scores.dim(0), cols = scores.dim(1);
    std::vector<std::size_t> out(rows);
    for (std::size_t r = 0; r < rows; ++r) {
        const real* row = scores.data().data() + r * cols;
        out[r] = static_cast<std::size_t>(std::max_element(row, row + cols) - row);
    }
    return out;
}

Tensor random_shift(const Tensor& x, std::size_t max_shift, Rng& rng) {
    if (x.rank() != 2 || x.dim(1) != 784)
        throw std::invalid_argument("random_shift: expects images (B, 784), got shape " + x.shape_str());
    const auto s = static_cast<std::ptrdiff_t>(max_shift);
    Tensor out = Tensor::zeros(x.shape());  // (B, 784)
    for (std::size_t b = 0; b < x.dim(0); ++b) {
        const std::ptrdiff_t dy = static_cast<std::ptrdiff_t>(rng.below(2 * max_shift + 1)) - s;
        const std::ptrdiff_t dx = static_cast<std::ptrdiff_t>(rng.below(2 * max_shift + 1)) - s;
        const real* in = x.data().data() + b * 784;
        real* to = out.data().data() + b * 784;
        for (std::ptrdiff_t r = std::max<std::ptrdiff_t>(0, dy); r < std::min<std::ptrdiff_t>(28, 28 + dy); ++r)
            for (std::ptrdiff_t c = std::max<std::ptrdiff_t>(0, dx); c < std::min<std::ptrdiff_t>(28, 28 + dx); ++c)
                to[r * 28 + c] = in[(r - dy) * 28 + (c - dx)];  // out(r, c) = in(r − dy, c − dx)
    }
    return out;
}

double accuracy(ImageClassifier& model, const data::Dataset& dataset, std::size_t limit,
                std::vector<std::vector<std::size_t>>* confusion) {
    const bool was_training = model.is_training();
    model.eval();
    std::size_t correct = 0, total = 0;
    if (confusion) confusion->assign(data::kNumClasses, std::vector<std::size_t>(data::kNumClasses, 0));
    const std::size_t n = limit ? std::min(limit, dataset.n) : dataset.n;
    nn::for_each_batch(n, 1000, [&](std::span<const std::size_t> idx) {
        const auto predicted = argmax_rows(model.logits(data::images_to_tensor(dataset, idx, 0, 1)));  // (B, 784) → B
        for (std::size_t i = 0; i < idx.size(); ++i) {
            const std::size_t truth = dataset.labels[idx[i]];
            correct += predicted[i] == truth;
            if (confusion) ++(*confusion)[truth][predicted[i]];
        }
        total += idx.size();
    });
    model.train(was_training);
    return total ? static_cast<double>(correct) / static_cast<double>(total) : 0.0;
}

ClassifierHistory train_classifier(ImageClassifier& model, const data::Dataset& train, const data::Dataset& test,
                                   const ClassifierTraining& o, Rng& rng) {
    ClassifierHistory history;
    optim::Adam adam(model.parameters(), o.lr);
    data::Batcher batcher(train.n, o.batch_size, rng, false,
                          o.train_limit ? std::optional<std::size_t>(o.train_limit) : std::nullopt);
    TrainingPosition position = resume_or_start(o.state_path, o.resume && !o.state_path.empty(), model, adam, rng);
    history.first_epoch = static_cast<std::size_t>(position.epoch) + 1;
    std::ostringstream discard;
    std::ostream& log = o.log ? *o.log : discard;
    ProgressLine progress(o.epochs, batcher.batches_per_epoch(), log, {});
    for (std::size_t epoch = history.first_epoch; epoch <= o.epochs; ++epoch) {
        Stopwatch clock;
        model.train();
        // cosine decay of the learning rate over the run: large steps early, fine ones at the end,
        // which settles the test accuracy instead of letting it wander by ±0.5% between epochs
        adam.lr = static_cast<real>(o.lr * 0.5 * (1 + std::cos(std::numbers::pi * double(epoch - 1) / double(o.epochs))));
        progress.begin_epoch(epoch);
        for (const auto& idx : batcher.epoch_batches()) {
            Tensor x = data::images_to_tensor(train, idx, 0, 1);  // (B, 784)
            if (o.max_shift) x = random_shift(x, o.max_shift, rng);
            adam.zero_grad();
            Tensor loss = cross_entropy(model.logits(x), data::labels_of(train, idx));
            adam.backward_and_step(loss);  // backward() then step(), fused (optim.hpp)
            check_finite(static_cast<std::size_t>(++position.step), {{"cross_entropy", loss.item()}});
            progress.step(idx.size(), {{"loss", loss.item()}});
        }
        const Terms means = progress.end_epoch();
        history.train_seconds += clock.seconds();
        history.train_loss.push_back(means.at(0).second);
        history.test_accuracy.push_back(accuracy(model, test, o.test_limit));
        log << "  test accuracy " << history.test_accuracy.back() << "\n";
        position.epoch = static_cast<std::int64_t>(epoch);
        position.rng_state = rng.state();
        if (!o.state_path.empty()) save_training_state(o.state_path, model, adam, position);
    }
    model.eval();
    return history;
}

std::filesystem::path evaluator_path(const std::filesystem::path& folder, bool quick) {
    return folder / (quick ? "evaluator-quick.safetensors" : "evaluator.safetensors");
}

Evaluator Evaluator::load_or_train(const std::filesystem::path& folder, const std::filesystem::path& data_dir, bool quick) {
    Rng rng(1);
    auto model = std::make_unique<CnnClassifier>(rng);
    const auto full = evaluator_path(folder, false), rough = evaluator_path(folder, true);
    // A file saved before the evaluator became the CNN holds the MLP's weights: it is refused by
    // the strict load (other names and shapes), said so, and replaced.
    auto try_load = [&](const std::filesystem::path& path, Metadata& metadata) {
        if (!std::filesystem::exists(path)) return false;
        try {
            metadata = load_module(path, *model);
            return true;
        } catch (const CheckpointError& e) {
            std::cerr << "evaluator: " << path.string() << " is not the CNN evaluator (" << e.what() << ")\n";
            return false;
        }
    };
    Metadata metadata;
    const bool loaded = try_load(full, metadata) || (quick && try_load(rough, metadata));
    if (!loaded) {
        std::cerr << "evaluator: no CNN classifier at " << full.string() << "; training "
                  << (quick ? "a rough one for this --quick run" : "one now with chapter 01's CNN recipe")
                  << " (run ch01_tensors_autograd to keep the full one)\n";
        const auto train = data::load_fashion_mnist(data_dir, "train");
        const auto test = data::load_fashion_mnist(data_dir, "test");
        ClassifierTraining recipe = cnn_recipe();
        if (quick) recipe.epochs = 1, recipe.train_limit = 3000, recipe.test_limit = 1000;
        const auto history = train_classifier(*model, train, test, recipe, rng);
        metadata = {{"test_accuracy", std::to_string(history.test_accuracy.back())}, {"evaluator", "cnn"}};
        save_module(quick ? rough : full, *model, metadata);
    }
    model->eval();
    const auto it = metadata.find("test_accuracy");
    const double test_accuracy = it == metadata.end() ? std::nan("") : std::stod(it->second);
    return Evaluator(std::move(model), "cnn", test_accuracy);
}

std::vector<std::size_t> Evaluator::classify(const Tensor& images) {
    return argmax_rows(nn::map_batches(images, 1000, [&](const Tensor& x) { return model_->logits(x); }));  // (N, 10)
}

Tensor Evaluator::features(const Tensor& images) {
    return nn::map_batches(images, 1000, [&](const Tensor& x) { return model_->features(x); });  // (N, feature_size)
}

}  // namespace mmgen::models
