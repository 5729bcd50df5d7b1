#pragma once
// Chapter 01, step 5: convolution as one GEMM (im2col drawn), and the CNN classifier that
// becomes the evaluator of every later chapter (README, "Convolution").
#include <cstddef>
#include <filesystem>
#include <vector>

#include <mmgen/io/data.hpp>

#include "common/options.hpp"

struct CnnOutcome {
    double test_accuracy = 0;
    double train_seconds = 0;  // optimisation only, evaluation excluded
    std::size_t epochs = 0, parameters = 0;
    std::vector<double> train_loss, test_accuracy_per_epoch;
    std::filesystem::path saved;  // the evaluator file
};

// Draws im2col on a small numbered image (im2col_image.png, im2col_columns.png in `out`).
void draw_im2col(const std::filesystem::path& out);

// Trains the CNN with models::cnn_recipe() (--cnn-epochs overrides its epochs; --quick shrinks it),
// saves it as the evaluator, and draws its accuracy per epoch beside the MLP's.
CnnOutcome cnn_classifier_section(const chapter::Options& opt, std::size_t epochs, const mmgen::data::Dataset& train,
                                  const mmgen::data::Dataset& test, const std::vector<double>& mlp_test_accuracy);
