// Chapter 01 — tensors and autograd, and the Fashion-MNIST evaluator.
//
// Read with README.md beside it. The program runs the chapter's four steps in order:
//   1. GEMM: the naive triple loop against OpenBLAS at the chapters' shapes
//   2. reverse-mode autograd on a small expression, beside the hand-derived gradients
//   3. gradient checking: central differences against backward()
//   4. a Fashion-MNIST MLP classifier
//   5. convolution as one GEMM (im2col), and the CNN classifier later chapters use as their
//      evaluator (convolution.cpp)
#include <chrono>
#include <cmath>
#include <cstdio>
#include <iostream>

#include <mmgen/core/autograd.hpp>
#include <mmgen/io/checkpoint.hpp>
#include <mmgen/io/data.hpp>
#include <mmgen/core/gemm.hpp>
#include <mmgen/core/gradcheck.hpp>
#include <mmgen/io/image.hpp>
#include <mmgen/nn/losses.hpp>
#include <mmgen/models/classifier.hpp>
#include <mmgen/models/cnn_classifier.hpp>
#include <mmgen/nn/modules.hpp>
#include <mmgen/core/ops.hpp>
#include <mmgen/report/plot.hpp>
#include <mmgen/report/progress.hpp>

#include "common/options.hpp"
#include "convolution.hpp"
#include "graphs.hpp"

using namespace mmgen;
namespace fs = std::filesystem;

// Classifier recipe (README, step 4): Adam from 1e-3 with cosine decay, batch 128, 20 epochs.
constexpr std::size_t kEpochs = 20;
// A --quick run trains on this many images for this many epochs, and tests on kQuickTest.
constexpr std::size_t kQuickTrain = 5000, kQuickEpochs = 2, kQuickTest = 1000;

// --- step 1 -----------------------------------------------------------------------------------
// C (M, N) = A (M, K) · Bᵀ, the product a Linear layer computes, by both routes.
void gemm_tour(bool quick) {
    std::printf("\n== 1. GEMM: naive loops against OpenBLAS\n\n");
    std::printf("| M × N × K | max |naive − blas| | naive GFLOP/s | OpenBLAS GFLOP/s |\n|---|---:|---:|---:|\n");
    Rng rng(0);
    const std::vector<std::array<std::size_t, 3>> shapes = {{128, 400, 784}, {128, 784, 400}, {128, 512, 784}};
    for (const auto& [m, n, k] : shapes) {
        Tensor a = Tensor::randn({m, k}, rng), b = Tensor::randn({n, k}, rng);
        std::vector<real> c_naive(m * n), c_blas(m * n);
        auto time_it = [&](auto&& f) {  // best of a few runs, in seconds
            double best = 1e9;
            for (int rep = 0; rep < (quick ? 1 : 3); ++rep) {
                const auto t0 = std::chrono::steady_clock::now();
                f();
                best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
            }
            return best;
        };
        const GemmShape s{m, n, k, false, true};
        const double t_naive = time_it([&] { gemm_reference(s, real(1), a.data().data(), b.data().data(), real(0), c_naive.data()); });
        const double t_blas = time_it([&] { gemm(s, real(1), a.data().data(), b.data().data(), real(0), c_blas.data()); });
        double max_diff = 0;
        for (std::size_t i = 0; i < c_naive.size(); ++i) max_diff = std::max(max_diff, double(std::abs(c_naive[i] - c_blas[i])));
        const double flops = 2.0 * double(m * n * k);
        std::printf("| %zu × %zu × %zu | %.2e | %.2f | %.1f |\n", m, n, k, max_diff, flops / t_naive * 1e-9,
                    flops / t_blas * 1e-9);
    }
}

// --- step 2 -----------------------------------------------------------------------------------
// f(a, b) = (a·b + eᵃ) · log b at a = 2, b = 3, its graph, and its gradient beside the hand-derived
//   ∂f/∂a = (b + eᵃ) log b,   ∂f/∂b = a log b + (a·b + eᵃ) / b
void autograd_tour() {
    std::printf("\n== 2. Reverse-mode autograd on f(a, b) = (a*b + exp(a)) * log(b)\n\n");
    Tensor a = Tensor::scalar(2, true), b = Tensor::scalar(3, true);
    Tensor f = (a * b + exp(a)) * log(b);
    std::printf("graph in topological order (backward runs it from the bottom up):\n");
    for (Node* node : topological_order(f))
        std::printf("  %-10s value %9.5f  (%zu parents)\n", node->op, double(node->data[0]), node->parents.size());
    f.backward();
    const double ea = std::exp(2.0), lb = std::log(3.0);
    std::printf("\n| | autograd | by hand |\n|---|---:|---:|\n");
    std::printf("| ∂f/∂a | %.6f | %.6f |\n", double(a.grad()[0]), (3 + ea) * lb);
    std::printf("| ∂f/∂b | %.6f | %.6f |\n", double(b.grad()[0]), 2 * lb + (6 + ea) / 3);

    // a tensor used twice: y = x·x + x, dy/dx = 2x + 1 — the two paths' gradients add up
    Tensor x = Tensor::scalar(5, true);
    Tensor y = x * x + x;
    y.backward();
    std::printf("\ny = x*x + x at x = 5: dy/dx = %.1f (2x + 1 = 11: both uses of x contribute)\n", double(x.grad()[0]));
}

// --- step 3 -----------------------------------------------------------------------------------
// Every check has an expected verdict (the last one must fail: it proves the checker can);
// returns the number of verdicts that came out otherwise, and main() exits 1 if there is any.
int gradcheck_tour() {
    std::printf("\n== 3. Gradient checking (float build: eps 1e-2; the tests run the double build at eps 1e-6, tolerance 1e-6)\n\n");
    Rng rng(3);
    GradcheckOptions o;
    o.eps = 1e-2;  // in float, round-off in f(x ± eps) is ~1e-7·|f| / eps: a larger eps trades truncation for it
    o.tolerance = 5e-2;
    o.floor = 1e-2;
    std::printf("| function | inputs | max relative error | verdict |\n|---|---|---:|---|\n");
    int wrong_verdicts = 0;
    auto report = [&](const std::string& name, const GradcheckFn& fn, const std::vector<Tensor>& inputs,
                      GradcheckOptions opts, bool expect_ok = true) {
        const auto r = gradcheck(name, fn, inputs, rng, opts);
        std::string shapes;
        for (const auto& t : inputs) shapes += (shapes.empty() ? "" : ", ") + t.shape_str();
        const bool as_expected = r.ok == expect_ok;
        wrong_verdicts += !as_expected;
        std::printf("| %s | %s | %.2e | %s%s |\n", name.c_str(), shapes.c_str(), r.max_relative_error, r.ok ? "ok" : "FAIL",
                    as_expected ? (expect_ok ? "" : " (expected)") : " — UNEXPECTED");
    };
    report("tanh", [](const auto& in) { return tanh(in[0]); }, {Tensor::randn({4, 5}, rng, 1, true)}, o);
    report("log_softmax", [](const auto& in) { return log_softmax(in[0]); }, {Tensor::randn({3, 7}, rng, 1, true)}, o);
    report("matmul", [](const auto& in) { return matmul(in[0], in[1]); },
           {Tensor::randn({3, 4}, rng, 1, true), Tensor::randn({4, 2}, rng, 1, true)}, o);
    GradcheckOptions relu_o = o;
    relu_o.kinks = {0};
    relu_o.kink_margin = 2 * o.eps;  // skip inputs whose ±eps straddles relu's kink
    report("relu", [](const auto& in) { return relu(in[0]); }, {Tensor::randn({5, 5}, rng, 1, true)}, relu_o);

    // a small MLP's cross-entropy w.r.t. every weight
    auto net = nn::mlp({6, 5, 3}, rng, nn::Activation::tanh);
    Tensor x = Tensor::randn({4, 6}, rng);
    const std::vector<std::size_t> labels = {0, 2, 1, 2};
    report("MLP cross-entropy", [&](const auto&) { return cross_entropy(net->forward(x), labels); }, net->parameters(), o);

    // and the checker catching a wrong backward: d/dx x² claimed to be x instead of 2x
    auto wrong_square = [](const std::vector<Tensor>& in) {
        const Tensor x = in[0];
        Tensor y = Tensor::empty(x.shape());
        for (std::size_t i = 0; i < x.numel(); ++i) y.data()[i] = x.data()[i] * x.data()[i];
        return record(y, "wrong_square", {x}, [x](Node& out) {
            auto dx = x.grad_buffer();
            for (std::size_t i = 0; i < dx.size(); ++i) dx[i] += out.grad[i] * x.data()[i];  // bug: should be 2x
        });
    };
    report("square with a wrong backward", wrong_square, {Tensor::randn({3, 3}, rng, 1, true)}, o, /*expect_ok=*/false);
    return wrong_verdicts;
}

// --- step 4 -----------------------------------------------------------------------------------
int classifier_chapter(const chapter::Options& opt, std::size_t cnn_epochs) {
    std::printf("\n== 4. A Fashion-MNIST classifier: the MLP\n\n");
    const auto train = data::load_fashion_mnist(opt.data_dir, "train");  // 60000 × 28 × 28
    const auto test = data::load_fashion_mnist(opt.data_dir, "test");    // 10000 × 28 × 28
    Rng rng(opt.seed);
    models::Classifier model(rng);
    models::ClassifierTraining recipe;
    recipe.epochs = opt.quick ? kQuickEpochs : opt.epochs;
    recipe.batch_size = opt.batch_size;
    recipe.lr = static_cast<real>(opt.lr);
    if (opt.quick) recipe.train_limit = kQuickTrain, recipe.test_limit = kQuickTest;
    recipe.state_path = fs::path(opt.checkpoint_dir) / (opt.quick ? "training-quick.safetensors" : "training.safetensors");
    recipe.resume = opt.resume;
    std::printf("MLP 784 → 512 → 256 → 10, %zu parameters; %zu epochs of %zu images\n", model.parameter_count(),
                recipe.epochs, recipe.train_limit ? recipe.train_limit : train.n);

    const auto history = models::train_classifier(model, train, test, recipe, rng);
    std::vector<std::vector<std::size_t>> confusion;
    const double test_accuracy = accuracy(model, test, recipe.test_limit, &confusion);

    save_module(fs::path(opt.checkpoint_dir) / (opt.quick ? "mlp-quick.safetensors" : "mlp.safetensors"), model,
                {{"test_accuracy", std::to_string(test_accuracy)}});

    // figures
    const fs::path out = opt.out;
    std::vector<double> epochs;
    for (std::size_t e = 0; e < history.train_loss.size(); ++e) epochs.push_back(double(history.first_epoch + e));
    plot::line_plot(out / "training_loss.png", "Classifier: training cross-entropy", "epoch", "nats",
                    {{"train loss", epochs, history.train_loss}});
    plot::line_plot(out / "test_accuracy.png", "Classifier: test accuracy", "epoch", "accuracy",
                    {{"test accuracy", epochs, history.test_accuracy}});
    std::vector<double> cells;
    for (const auto& row : confusion)
        for (auto c : row) cells.push_back(double(c));
    std::vector<std::string> names(data::kClassNames.begin(), data::kClassNames.end());
    plot::heatmap(out / "confusion_matrix.png", "Confusion matrix on the test set (rows: truth)", cells, 10, 10, names,
                  names, true, "predicted", "true class");
    {  // 40 test images with their predicted labels; a wrong one is marked with its truth
        NoGradGuard no_grad;
        const Tensor x = data::first_images(test, 40);  // (40, 784)
        const auto predicted = models::argmax_rows(model.logits(x));
        std::vector<std::string> labels;
        for (std::size_t i = 0; i < predicted.size(); ++i) {
            std::string label = data::kClassNames[predicted[i]];
            if (predicted[i] != test.labels[i]) label = "x " + label + " (" + data::kClassNames[test.labels[i]] + ")";
            labels.push_back(label);
        }
        write_grid_png_with_labels(out / "test_predictions.png", x, 28, 28, 5, 8, labels, 0, 1, 3);
    }

    std::printf("\n== 5. Convolution as one GEMM, and the CNN classifier (the evaluator of chapters 02–04)\n\n");
    draw_im2col(out);
    const CnnOutcome cnn = cnn_classifier_section(opt, cnn_epochs, train, test, history.test_accuracy);

    MetricsJson metrics(out);
    metrics["test_accuracy"] = test_accuracy;
    metrics["epochs"] = recipe.epochs;
    metrics["train_seconds"] = history.train_seconds;
    metrics["parameters"] = model.parameter_count();
    metrics["train_loss_per_epoch"] = history.train_loss;
    metrics["test_accuracy_per_epoch"] = history.test_accuracy;
    metrics["cnn_test_accuracy"] = cnn.test_accuracy;
    metrics["cnn_train_seconds"] = cnn.train_seconds;
    metrics["cnn_epochs"] = cnn.epochs;
    metrics["cnn_parameters"] = cnn.parameters;
    metrics["cnn_train_loss_per_epoch"] = cnn.train_loss;
    metrics["cnn_test_accuracy_per_epoch"] = cnn.test_accuracy_per_epoch;
    metrics["evaluator"] = "cnn";
    metrics["evaluator_accuracy"] = cnn.test_accuracy;
    metrics["quick"] = opt.quick;
    metrics.write();

    SummaryTable summary({"metric", "value"});
    summary.add_row({"MLP test accuracy", SummaryTable::Cell(test_accuracy, 4)});
    summary.add_row({"epochs", SummaryTable::Cell(static_cast<unsigned long>(recipe.epochs))});
    summary.add_row({"MLP train seconds", SummaryTable::Cell(history.train_seconds, 3)});
    summary.add_row({"MLP parameters", SummaryTable::Cell(static_cast<unsigned long>(model.parameter_count()))});
    summary.add_row({"CNN test accuracy", SummaryTable::Cell(cnn.test_accuracy, 4)});
    summary.add_row({"CNN epochs", SummaryTable::Cell(static_cast<unsigned long>(cnn.epochs))});
    summary.add_row({"CNN train seconds", SummaryTable::Cell(cnn.train_seconds, 3)});
    summary.add_row({"CNN parameters", SummaryTable::Cell(static_cast<unsigned long>(cnn.parameters))});
    std::printf("\n");
    summary.print(std::cout);
    std::printf("\nevaluator saved to %s; figures and metrics.json in %s\n", cnn.saved.string().c_str(), out.string().c_str());
    return 0;
}

// The README's steps in order; a gradient-check verdict other than the expected one stops the
// run with exit code 1 (a broken autograd must not go on to train the evaluator).
int run(const chapter::Options& opt, std::size_t cnn_epochs) {
    gemm_tour(opt.quick);                                  // §1 tensors and GEMM
    autograd_tour();                                       // §2 reverse-mode automatic differentiation
    draw_graphs(opt.out);                                  //    (its graphs, graphs.cpp)
    if (const int wrong = gradcheck_tour(); wrong > 0) {  // §3 gradient checking
        std::fprintf(stderr, "ch01_tensors_autograd: %d gradient check verdict(s) not as expected; stopping\n", wrong);
        return 1;
    }
    return classifier_chapter(opt, cnn_epochs);            // §4 the MLP classifier, §5 the CNN evaluator
}

int main(int argc, char** argv) {
    chapter::Options opt;
    opt.chapter = "01_tensors_autograd";
    opt.epochs = kEpochs;
    CLI::App app{"Chapter 01: tensors, reverse-mode autograd, gradient checks, and the Fashion-MNIST evaluator"};
    chapter::add_common_options(app, opt);
    std::size_t cnn_epochs = models::cnn_recipe().epochs;
    app.add_option("--cnn-epochs", cnn_epochs, "passes of the CNN classifier (the evaluator) over the training set; "
                   "--epochs sets the MLP's")->check(CLI::PositiveNumber)->capture_default_str();
    chapter::parse_or_exit(app, argc, argv, opt);
    return chapter::run_guarded("ch01_tensors_autograd", [&] { return run(opt, cnn_epochs); });
}
