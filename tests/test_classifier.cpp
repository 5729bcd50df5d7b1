// Chapter 01's classifier: its loss's gradient, resuming training exactly, and the chapter run.
#include <catch2/catch.hpp>

#include <fstream>

#include <mmgen/io/checkpoint.hpp>
#include <mmgen/io/data.hpp>
#include <mmgen/core/gradcheck.hpp>
#include <mmgen/nn/losses.hpp>
#include <mmgen/models/classifier.hpp>

#include "support.hpp"

using namespace mmgen;

TEST_CASE("the classifier's cross-entropy gradient matches central differences in every layer", "[classifier][gradcheck]") {
    Rng rng(8);
    models::Classifier model(rng);
    model.eval();  // dropout off: the loss must be a deterministic function of the weights
    Tensor x = Tensor::uniform({2, 784}, rng, 0, 1);
    const std::vector<std::size_t> labels = {3, 7};
    // every bias (the gradient of a bias runs through the whole chain above it) and the head's
    // weights; the large weight matrices would take minutes of central differences
    std::vector<Tensor> checked;
    for (auto& [name, t] : model.named_parameters())
        if (name.ends_with("bias") || name.starts_with("head.")) checked.push_back(t);
    auto result = gradcheck("classifier cross_entropy", [&](const std::vector<Tensor>&) {
        return cross_entropy(model.logits(x), labels);
    }, checked, rng);
    INFO(result.message);
    REQUIRE(result.checked > 3000);
    REQUIRE(result.ok);
}

TEST_CASE("training stopped after an epoch and resumed gives the same losses as an uninterrupted run", "[classifier][checkpoint]") {
    const auto train = data::load_fashion_mnist(data::default_data_dir(), "test");  // small and real
    const auto dir = test::scratch_dir("classifier_resume");
    models::ClassifierTraining recipe;
    recipe.epochs = 3;
    recipe.batch_size = 64;
    recipe.train_limit = 640;
    recipe.test_limit = 200;

    Rng rng_a(42);
    models::Classifier a(rng_a);
    recipe.state_path = dir / "uninterrupted.safetensors";
    const auto full = models::train_classifier(a, train, train, recipe, rng_a);

    Rng rng_b(42);
    models::Classifier b(rng_b);
    recipe.state_path = dir / "interrupted.safetensors";
    recipe.epochs = 1;  // "stop" after epoch 1 …
    models::train_classifier(b, train, train, recipe, rng_b);

    Rng rng_c(999);  // … and resume in a fresh process-like state: new model, other seed
    models::Classifier c(rng_c);
    recipe.epochs = 3;
    recipe.resume = true;
    const auto resumed = models::train_classifier(c, train, train, recipe, rng_c);

    REQUIRE(resumed.first_epoch == 2);
    REQUIRE(resumed.train_loss.size() == 2);
    for (std::size_t e = 0; e < 2; ++e) {
        INFO("epoch " << e + 2);
        REQUIRE(resumed.train_loss[e] == full.train_loss[e + 1]);  // bit-for-bit
        REQUIRE(resumed.test_accuracy[e] == full.test_accuracy[e + 1]);
    }
}

TEST_CASE("a quick chapter 01 run writes its metrics and figures", "[chapter01][executable]") {
    const auto dir = test::scratch_dir("ch01_quick");
    const int code = test::run_executable("ch01_tensors_autograd",
                                          "--quick --out " + (dir / "plots").string() + " --checkpoint-dir " +
                                              (dir / "checkpoints" / "01_tensors_autograd").string(),
                                          dir / "log.txt");
    INFO("see " << (dir / "log.txt").string());
    REQUIRE(code == 0);
    const auto metrics = test::read_json(dir / "plots" / "metrics.json");
    for (const char* key : {"test_accuracy", "epochs", "train_seconds", "parameters"}) {
        INFO(key);
        REQUIRE(metrics.contains(key));
    }
    REQUIRE(metrics["test_accuracy"].get<double>() > 0.6);  // 2 epochs on 5,000 images
    REQUIRE(metrics["parameters"].get<int>() == 535818);
    for (const char* png : {"training_loss.png", "test_accuracy.png", "confusion_matrix.png", "test_predictions.png"}) {
        INFO(png);
        REQUIRE(std::filesystem::file_size(dir / "plots" / png) > 1000);
    }
    REQUIRE(std::filesystem::exists(dir / "checkpoints" / "01_tensors_autograd" / "evaluator-quick.safetensors"));
}

TEST_CASE("chapter 01 refuses bad flag values with exit code 2", "[chapter01][executable]") {
    const auto dir = test::scratch_dir("ch01_flags");
    for (const char* args : {"--epochs 0", "--lr -1", "--batch-size abc", "--no-such-flag"}) {
        INFO(args);
        REQUIRE(test::run_executable("ch01_tensors_autograd", args, dir / "log.txt") == 2);
    }
}
