// The CNN classifier (the evaluator): its shapes, its augmentation, and one training step that
// lowers the loss.
#include <vector>

#include <catch2/catch.hpp>

#include <mmgen/core/autograd.hpp>
#include <mmgen/core/ops.hpp>
#include <mmgen/io/checkpoint.hpp>
#include <mmgen/models/cnn_classifier.hpp>
#include <mmgen/nn/losses.hpp>
#include <mmgen/nn/optim.hpp>

#include "support.hpp"

using namespace mmgen;
using Catch::Matchers::Contains;

TEST_CASE("the CNN classifier maps images to features and logits", "[classifier][conv]") {
    Rng rng(1);
    models::CnnClassifier model(rng, real(0.3), {4, 8, 16});
    const Tensor x = Tensor::uniform({3, 784}, rng, 0, 1);  // (B, 784)
    CHECK(model.features(x).shape() == Shape{3, 16});
    CHECK(model.logits(x).shape() == Shape{3, 10});
    CHECK(model.logits(reshape(x, {3, 1, 28, 28})).shape() == Shape{3, 10});
    CHECK(model.feature_size() == 16);
    CHECK(model.named_buffers().size() == 6);  // three batch norms, two running statistics each
    REQUIRE_THROWS_WITH(model.logits(Tensor::zeros({3, 100})), Contains("CnnClassifier") && Contains("(3, 100)"));
}

TEST_CASE("a few Adam steps on one batch lower the CNN's cross-entropy", "[classifier][conv]") {
    Rng rng(2);
    models::CnnClassifier model(rng, real(0), {4, 8, 16});
    optim::Adam adam(model.parameters(), real(1e-2));
    const Tensor x = Tensor::uniform({16, 784}, rng, 0, 1);
    std::vector<std::size_t> labels(16);
    for (std::size_t i = 0; i < labels.size(); ++i) labels[i] = i % 10;
    double first = 0, last = 0;
    for (int step = 0; step < 10; ++step) {
        adam.zero_grad();
        Tensor loss = cross_entropy(model.logits(x), labels);
        loss.backward();
        adam.step();
        (step == 0 ? first : last) = loss.item();
    }
    CHECK(last < 0.5 * first);
}

TEST_CASE("random_shift moves each image by at most the given number of pixels, filling with 0", "[classifier]") {
    Rng rng(3);
    Tensor x = Tensor::zeros({50, 784});
    for (std::size_t b = 0; b < 50; ++b) x.data()[b * 784 + 14 * 28 + 14] = 1;  // one lit pixel at (14, 14)
    SECTION("max_shift 0 is the identity") {
        CHECK(models::random_shift(x, 0, rng).to_vector() == x.to_vector());
    }
    SECTION("max_shift 2: the pixel lands within 2 rows and columns, and every offset occurs") {
        const Tensor y = models::random_shift(x, 2, rng);
        std::vector<int> seen(25, 0);
        for (std::size_t b = 0; b < 50; ++b) {
            std::size_t lit = 0, where = 0;
            for (std::size_t i = 0; i < 784; ++i)
                if (y.data()[b * 784 + i] == 1) ++lit, where = i;
            REQUIRE(lit == 1);
            const int dy = int(where / 28) - 14, dx = int(where % 28) - 14;
            REQUIRE(std::abs(dy) <= 2);
            REQUIRE(std::abs(dx) <= 2);
            seen[std::size_t((dy + 2) * 5 + dx + 2)] = 1;
        }
        CHECK(std::count(seen.begin(), seen.end(), 1) >= 15);  // 50 draws over 25 offsets
    }
}

TEST_CASE("the evaluator is the CNN, and an old MLP evaluator file is refused rather than loaded",
          "[classifier][conv]") {
    test::TempDir tmp("cnn_evaluator");
    Rng rng(4);
    // what chapter 01 saved before the CNN: the MLP's weights under the evaluator's name
    models::Classifier mlp(rng);
    save_module(models::evaluator_path(tmp.path), mlp, {{"test_accuracy", "0.9028"}});
    // and a CNN as the rough --quick evaluator beside it
    models::CnnClassifier cnn(rng);
    save_module(models::evaluator_path(tmp.path, true), cnn, {{"test_accuracy", "0.8125"}, {"evaluator", "cnn"}});

    auto evaluator = models::Evaluator::load_or_train(tmp.path, tmp.path / "no-data-needed", true);
    CHECK(evaluator.name() == "cnn");
    CHECK(evaluator.test_accuracy() == 0.8125);
    CHECK(dynamic_cast<models::CnnClassifier*>(&evaluator.model()) != nullptr);
    const Tensor images = Tensor::uniform({5, 784}, rng, 0, 1);
    CHECK(evaluator.features(images).shape() == Shape{5, 128});
    CHECK(evaluator.classify(images).size() == 5);
}
