// Chapter 02's figures: §4 the saturating gradient, §6 the toy over training, §7 Fashion-MNIST.
#include <cmath>
#include <cstdio>
#include <utility>

#include <mmgen/io/data.hpp>
#include <mmgen/io/image.hpp>
#include <mmgen/core/ops.hpp>

#include "02_gan/gan_chapter.hpp"

namespace gan_chapter {

using namespace mmgen;
namespace fs = std::filesystem;

void saturation_figure(const fs::path& out) {
    std::printf("\n== 0. Why log(1 - D(G(z))) saturates\n\n");
    std::printf("| D(G(z)) | minimax dL/dlogit | non-saturating dL/dlogit |\n|---:|---:|---:|\n");
    plot::Series minimax{"minimax  log(1 - D(G(z)))", {}, {}}, non_saturating{"non-saturating  -log D(G(z))", {}, {}};
    for (int i = 1; i < 200; ++i) {
        const double p = i / 200.0, logit = std::log(p / (1 - p));
        double grads[2];
        for (GeneratorLoss kind : {GeneratorLoss::minimax, GeneratorLoss::non_saturating}) {
            Tensor l = Tensor::full({1, 1}, static_cast<real>(logit), true);  // one fake's logit
            models::generator_loss(l, kind).backward();
            grads[kind == GeneratorLoss::non_saturating] = std::abs(double(l.grad()[0]));
        }
        minimax.xs.push_back(p), minimax.ys.push_back(grads[0]);
        non_saturating.xs.push_back(p), non_saturating.ys.push_back(grads[1]);
        if (i == 2 || i == 20 || i == 100 || i == 180)
            std::printf("| %.2f | %.3f | %.3f |\n", p, -grads[0], -grads[1]);
    }
    plot::line_plot(out / "generator_gradients.png",
                    "Generator's gradient w.r.t. D's logit: |dL_G/dl| against D(G(z)) (autograd through the losses)",
                    "D(G(z))  (0: D is sure the sample is fake)", "|dL_G / dlogit|", {minimax, non_saturating});
}

namespace {

// The values the curves settle at if the game reaches its equilibrium, p_g = p_data: there
// D*(x) = ½ everywhere, so L_D = −log ½ − log(1 − ½) = log 4, the non-saturating
// L_G = −log ½ = log 2 and the minimax L_G = log(1 − ½) = −log 2 (README §3).
const plot::ReferenceLine kHalf{0.5, "1/2"};
const plot::ReferenceLine kLogFour{std::log(4.0), "L_D: log 4"};
plot::ReferenceLine generator_equilibrium(GeneratorLoss loss) {
    return loss == GeneratorLoss::minimax
               ? plot::ReferenceLine{-std::log(2.0), "L_G: -log 2"}
               : plot::ReferenceLine{std::log(2.0), "L_G: log 2"};
}

// Curves against their equilibrium values, the key under the axes so that it covers none of them.
plot::LineStyle against(std::vector<plot::ReferenceLine> references) {
    plot::LineStyle style;
    style.key = plot::Key::below;
    style.references = std::move(references);
    return style;
}

}  // namespace

void toy_figures(const std::vector<ToyRun>& runs, const fs::path& out, Rng& rng) {
    const models::RingOfGaussians ring;
    const Tensor real_points = ring.sample(1000, rng);  // (1000, 2)
    auto column = [](const Tensor& t, std::size_t c, std::size_t limit) {
        std::vector<double> v;
        for (std::size_t i = 0; i < std::min(limit, t.dim(0)); ++i) v.push_back(t.at(i, c));
        return v;
    };
    // samples over training: one row per loss
    std::vector<plot::ScatterPanel> panels;
    for (const auto& run : runs)
        for (const auto& [step, samples] : run.snapshots)
            panels.push_back({std::string(models::generator_loss_name(run.loss)) + ", step " + std::to_string(step),
                              column(real_points, 0, 1000), column(real_points, 1, 1000), column(samples, 0, 1000),
                              column(samples, 1, 1000)});
    plot::scatter_panels(out / "toy_samples.png",
                              "Generated points (orange) over the data (black) during training: minimax loss (top), "
                              "non-saturating loss (bottom)",
                              panels, runs.front().snapshots.size(), 3.0);
    // D's decision surface at the end, with data and samples
    for (const auto& run : runs) {
        const std::string name = run.loss == GeneratorLoss::minimax ? "minimax" : "non_saturating";
        plot::decision_surface(out / ("toy_decision_surface_" + name + ".png"),
                               std::string("D(x) after training, ") + models::generator_loss_name(run.loss) +
                                   " generator loss",
                               run.surface,
                               {{"data", column(real_points, 0, 500), column(real_points, 1, 500)},
                                {"G(z)", column(run.final_samples, 0, 500), column(run.final_samples, 1, 500)}});
    }
    std::vector<plot::Series> losses, outputs, modes;
    for (const auto& run : runs) {
        const std::string n = models::generator_loss_name(run.loss);
        losses.push_back({n + ": L_D", run.step, run.d_loss});
        losses.push_back({n + ": L_G", run.step, run.g_loss});
        outputs.push_back({n + ": D(x)", run.step, run.d_real});
        outputs.push_back({n + ": D(G(z))", run.step, run.d_fake});
        modes.push_back({n, run.eval_step, run.modes});
    }
    std::vector<plot::ReferenceLine> loss_references = {kLogFour};
    for (const auto& run : runs) loss_references.push_back(generator_equilibrium(run.loss));
    plot::line_plot(out / "toy_losses.png", "Toy: discriminator and generator losses (means over windows of steps; dashed: at the equilibrium)",
                    "step", "loss", losses, against(loss_references));
    plot::line_plot(out / "toy_d_outputs.png", "Toy: mean D(x) on real points and D(G(z)) on generated points (dashed: both at the equilibrium)",
                    "step", "probability of 'real'", outputs, against({kHalf}));
    plot::line_plot(out / "toy_modes.png", "Toy: modes covered (>= 1% of 2000 samples within 3 sigma)", "step",
                    "modes covered (of 8)", modes, against({}));
}

void fashion_figures(models::Generator& g, const FashionHistory& h, const models::SampleScores& scores,
                     std::size_t scored, const Tensor& fixed_z, const Options& o, std::size_t latent) {
    const fs::path out = o.common.out;
    write_grid_png(out / "samples.png", models::to_unit_range(models::generate(g, fixed_z)), 28, 28, 10, 10, 0, 1, 2);
    std::vector<Tensor> rows;  // 8 interpolations between random pairs of codes, 10 steps each
    Rng interp_rng(o.common.seed + 4000);
    const Tensor za = Tensor::randn({8, latent}, interp_rng), zb = Tensor::randn({8, latent}, interp_rng);
    std::vector<Tensor> columns;
    for (int i = 0; i < 10; ++i) columns.push_back(models::slerp(za, zb, i / 9.0));  // each (8, latent)
    for (std::size_t r = 0; r < 8; ++r)
        for (int i = 0; i < 10; ++i) rows.push_back(slice_rows(columns[std::size_t(i)], r, r + 1));
    write_grid_png(out / "interpolation.png", models::to_unit_range(models::generate(g, concat(rows, 0))), 28, 28, 8, 10, 0, 1, 2);
    const GeneratorLoss g_loss = o.g_loss == "minimax" ? GeneratorLoss::minimax : GeneratorLoss::non_saturating;
    plot::line_plot(out / "fashion_losses.png", "Fashion-MNIST: mean losses per epoch (dashed: at the equilibrium)", "epoch", "loss",
                    {{"L_D (real + fake)", h.epoch, h.d_loss}, {"L_G (" + o.g_loss + ")", h.epoch, h.g_loss}},
                    against({kLogFour, generator_equilibrium(g_loss)}));
    plot::line_plot(out / "fashion_d_outputs.png", "Fashion-MNIST: mean D(x) and D(G(z)) per epoch, D's view before its step (dashed: the equilibrium)",
                    "epoch", "probability of 'real'", {{"D(x), real images", h.epoch, h.d_real},
                                                       {"D(G(z)), generated", h.epoch, h.d_fake}},
                    against({kHalf}));
    plot::line_plot(out / "fashion_fd.png", "Fashion-MNIST: Frechet distance of 2000 samples to the test set, per epoch",
                    "epoch", "FD (evaluator features)", {{"FD, 2000 samples", h.epoch, h.fd_monitor}});
    std::vector<std::string> class_labels(data::kClassNames.begin(), data::kClassNames.end());
    std::vector<double> percent;
    for (std::size_t k : scores.class_histogram) percent.push_back(100.0 * double(k) / double(scored));
    plot::bar_chart(out / "class_histogram.png",
                         "Classes the evaluator assigns to " + std::to_string(scored) + " generated images",
                         class_labels, percent, "% of samples", 5.0, "5% threshold");
}

}  // namespace gan_chapter
