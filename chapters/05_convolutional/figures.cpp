// Figures shared by the parts.
#include <algorithm>
#include <cstdio>
#include <stdexcept>

#include <mmgen/core/autograd.hpp>
#include <mmgen/io/checkpoint.hpp>
#include <mmgen/io/image.hpp>
#include <mmgen/models/conv_autoencoder.hpp>
#include <mmgen/models/conv_vae.hpp>
#include <mmgen/models/scoring.hpp>

#include "chapter05.hpp"

namespace chapter05 {

using mmgen::Tensor;

mmgen::models::Evaluator& LazyEvaluator::get() {
    if (!evaluator_)
        evaluator_.emplace(mmgen::models::Evaluator::load_or_train(options_.evaluator_dir(), options_.data_dir, options_.quick));
    return *evaluator_;
}

const mmgen::Moments& LazyEvaluator::reference() {
    if (!reference_) reference_ = mmgen::models::feature_moments(get(), test_);
    return *reference_;
}

Tensor side_by_side(const Tensor& left, const Tensor& right, std::size_t rows, std::size_t cols) {
    const std::size_t pixels = 784, n = rows * cols;
    if (left.dim(0) < n || right.dim(0) < n || left.numel() < n * pixels || right.numel() < n * pixels)
        throw std::invalid_argument("side_by_side: needs " + std::to_string(n) + " images of 784 pixels on each side, got " +
                                    mmgen::shape_string(left.shape()) + " and " + mmgen::shape_string(right.shape()));
    const std::size_t width = 2 * cols + 1;
    Tensor grid = Tensor::full({rows * width, pixels}, mmgen::real(1));  // white tiles: the separator column
    auto copy_tile = [&](const Tensor& from, std::size_t index, std::size_t tile) {
        const auto src = from.data().begin() + static_cast<std::ptrdiff_t>(index * pixels);
        std::copy(src, src + static_cast<std::ptrdiff_t>(pixels), grid.data().begin() + static_cast<std::ptrdiff_t>(tile * pixels));
    };
    for (std::size_t r = 0; r < rows; ++r)
        for (std::size_t c = 0; c < cols; ++c) {
            copy_tile(left, r * cols + c, r * width + c);
            copy_tile(right, r * cols + c, r * width + cols + 1 + c);
        }
    return grid;
}

bool draw_ae_vs_vae(const PartContext& ctx) {
    namespace fs = std::filesystem;
    const auto& c = ctx.options.common;
    const fs::path ae_weights = fs::path(c.checkpoint_dir) / "conv_autoencoder.safetensors";
    const fs::path vae_weights = fs::path(c.checkpoint_dir) / "conv_vae.safetensors";
    if (!fs::exists(ae_weights) || !fs::exists(vae_weights)) {
        std::printf("ae_vs_vae_prior_samples.png waits for both parts' weights in %s\n", c.checkpoint_dir.c_str());
        return false;
    }
    const std::size_t latent = 20;  // both parts' code size
    mmgen::Rng rng(c.seed + 2);
    mmgen::models::ConvAutoencoder ae(latent, rng);
    mmgen::models::ConvVae vae(latent, rng);
    mmgen::load_module(ae_weights, ae);
    mmgen::load_module(vae_weights, vae);
    ae.eval(), vae.eval();
    mmgen::NoGradGuard no_grad;
    const Tensor z = Tensor::randn({64, latent}, rng);  // (64, latent): the same codes through both decoders
    mmgen::write_grid_png(fs::path(c.out) / "ae_vs_vae_prior_samples.png",
                          side_by_side(ae.decode_images(z), vae.decode_images(z), 8, 8), 28, 28, 8, 17, 0, 1, 2);
    return true;
}

}  // namespace chapter05
