#pragma once
// The VAE's training loop, shared by chapter 03 (the MLP VAE) and chapter 05 (the conv VAE):
// nothing in it depends on what the encoder and decoder are.
//
//   for each epoch, for each batch x (B, 784) in [0, 1]:
//       ε ~ N(0, I) (B, latent);  loss = −ELBO_β(x; ε);  adam.backward_and_step(loss)
//   then the test −ELBO and its two terms, and the training state saved (resumable per epoch).
#include <cstddef>
#include <filesystem>
#include <optional>
#include <vector>

#include <mmgen/core/random.hpp>
#include <mmgen/io/data.hpp>
#include <mmgen/models/vae.hpp>

namespace mmgen::models {

struct VaeTraining {
    std::size_t epochs = 10;
    std::size_t batch_size = 128;
    double lr = 1e-3;                          // Adam
    double beta = 1.0;                         // the KL weight (1: the ELBO itself)
    std::optional<std::size_t> train_limit;    // only the first this many training images (--quick)
    std::size_t test_limit = 0;                // test −ELBO on the first this many images (0: all)
    bool resume = false;                       // continue from the state file if it exists
};

// Per-epoch means over the training batches, and the test set's terms after each epoch.
struct VaeHistory {
    std::vector<double> epoch, train_loss, train_rec, train_kl, test_loss, test_rec, test_kl;
};

// Trains `vae` in place (progress lines with ETA on stderr; stops at the first non-finite loss
// term); saves the model, Adam and `rng` to `state` after every epoch. Leaves `vae` in eval mode.
VaeHistory train_vae(Vae& vae, const data::Dataset& train, const data::Dataset& test, const VaeTraining& settings,
                     const std::filesystem::path& state, Rng& rng);

}  // namespace mmgen::models
