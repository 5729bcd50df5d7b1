#include "convolution.hpp"

#include <cstdio>
#include <string>

#include <mmgen/core/im2col.hpp>
#include <mmgen/io/checkpoint.hpp>
#include <mmgen/models/classifier.hpp>
#include <mmgen/models/cnn_classifier.hpp>
#include <mmgen/report/plot.hpp>

using namespace mmgen;
namespace fs = std::filesystem;

// A 4 × 5 image whose pixels hold their own numbers 1…20, a 3 × 3 kernel, stride 1, no padding:
// six windows, so im2col gives a 9 × 6 matrix whose column k lists the pixels window k covers.
void draw_im2col(const fs::path& out) {
    const ConvGeometry g{1, 4, 5, 3, 3, 1, 0};
    std::vector<real> image(g.image_size());
    for (std::size_t i = 0; i < image.size(); ++i) image[i] = real(i + 1);
    std::vector<real> cols(g.patch_size() * g.out_h() * g.out_w());  // (9, 6)
    im2col(image.data(), 1, g, cols.data());

    std::vector<std::string> rows, columns, image_rows, image_cols;
    for (std::size_t i = 0; i < 3; ++i)
        for (std::size_t j = 0; j < 3; ++j) rows.push_back("tap (" + std::to_string(i) + "," + std::to_string(j) + ")");
    for (std::size_t oh = 0; oh < g.out_h(); ++oh)
        for (std::size_t ow = 0; ow < g.out_w(); ++ow)
            columns.push_back("(" + std::to_string(oh) + "," + std::to_string(ow) + ")");
    for (std::size_t r = 0; r < 4; ++r) image_rows.push_back("row " + std::to_string(r));
    for (std::size_t c = 0; c < 5; ++c) image_cols.push_back("col " + std::to_string(c));
    plot::heatmap(out / "im2col_image.png", "A 4 x 5 image, pixels numbered", {image.begin(), image.end()}, 4, 5,
                  image_rows, image_cols, true);
    plot::heatmap(out / "im2col_columns.png", "im2col: one column per 3 x 3 window, one row per kernel tap",
                  {cols.begin(), cols.end()}, 9, 6, rows, columns, true, "window (output position)", "kernel tap");
    std::printf("im2col of a 4 × 5 image with a 3 × 3 kernel: a 9 × 6 matrix; Y (F, 6) = W (F, 9) · cols\n");
}

CnnOutcome cnn_classifier_section(const chapter::Options& opt, std::size_t epochs, const data::Dataset& train,
                                  const data::Dataset& test, const std::vector<double>& mlp_test_accuracy) {
    Rng rng(opt.seed);
    models::CnnClassifier model(rng);
    models::ClassifierTraining recipe = models::cnn_recipe();
    recipe.epochs = opt.quick ? 1 : epochs;
    if (opt.quick) recipe.train_limit = 3000, recipe.test_limit = 1000;
    recipe.state_path = fs::path(opt.checkpoint_dir) / (opt.quick ? "cnn-training-quick.safetensors" : "cnn-training.safetensors");
    recipe.resume = opt.resume;
    std::printf("CNN (conv 3×3 ×2 with batch norm and pooling, then 128 features), %zu parameters; %zu epochs of "
                "%zu images, shifts up to %zu pixels, Adam from %.0e with cosine decay\n",
                model.parameter_count(), recipe.epochs, recipe.train_limit ? recipe.train_limit : train.n,
                recipe.max_shift, double(recipe.lr));

    const auto history = models::train_classifier(model, train, test, recipe, rng);
    CnnOutcome o;
    o.test_accuracy = models::accuracy(model, test, recipe.test_limit);
    o.train_seconds = history.train_seconds;
    o.epochs = recipe.epochs;
    o.parameters = model.parameter_count();
    o.train_loss = history.train_loss;
    o.test_accuracy_per_epoch = history.test_accuracy;
    o.saved = models::evaluator_path(opt.evaluator_dir(), opt.quick);
    save_module(o.saved, model, {{"test_accuracy", std::to_string(o.test_accuracy)}, {"evaluator", "cnn"}});

    std::vector<double> cnn_epochs, mlp_epochs;
    for (std::size_t e = 0; e < history.test_accuracy.size(); ++e) cnn_epochs.push_back(double(history.first_epoch + e));
    for (std::size_t e = 0; e < mlp_test_accuracy.size(); ++e) mlp_epochs.push_back(double(e + 1));
    plot::line_plot(fs::path(opt.out) / "cnn_vs_mlp_accuracy.png", "Test accuracy: the CNN beside the MLP", "epoch",
                    "accuracy", {{"CNN", cnn_epochs, history.test_accuracy}, {"MLP", mlp_epochs, mlp_test_accuracy}},
                    plot::LineStyle{.key = plot::Key::bottom_right});  // both curves rise to the top: the key goes low
    return o;
}
