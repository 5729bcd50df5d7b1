// Part 3's figures (README §3) and its metrics.json keys (dcgan_*, mlp_gan_*, train_seconds_dcgan).
#include <cmath>
#include <cstdio>
#include <numbers>

#include <mmgen/io/data.hpp>
#include <mmgen/io/image.hpp>
#include <mmgen/core/ops.hpp>
#include <mmgen/report/plot.hpp>

#include "dcgan_part.hpp"

using namespace mmgen;
namespace fs = std::filesystem;

namespace chapter05 {

namespace {
std::vector<double> percent_of(const std::vector<std::size_t>& histogram, std::size_t total) {
    std::vector<double> p;
    for (std::size_t k : histogram) p.push_back(100.0 * double(k) / double(total));
    return p;
}
}  // namespace

void dcgan_figures(const fs::path& out, models::DcganGenerator& g, const Tensor& fixed_z, const DcganResults& r) {
    const auto& h = r.history;
    // the last epoch's samples, and chapter 02's MLP GAN from the same 100 codes
    write_grid_png(out / "dcgan_samples.png", models::to_unit_range(models::generate(g, fixed_z)), 28, 28, 10, 10, 0, 1, 2);
    write_grid_png(out / "mlp_gan_samples.png", r.mlp.fixed_samples, 28, 28, 10, 10, 0, 1, 2);
    for (const auto& a : r.ablations)
        write_grid_png(out / ("dcgan_ablation_" + a.name + ".png"), slice_rows(a.samples, 0, 50), 28, 28, 5, 10, 0, 1, 2);

    // at the game's equilibrium D(x) = D(G(z)) = ½, so L_D = 2 log 2 and L_G = −log ½ = log 2
    const double log2 = std::numbers::ln2;
    plot::line_plot(out / "dcgan_losses.png", "DCGAN: mean losses per epoch", "epoch", "loss",
                    {{"L_D (real + fake)", h.epoch, h.d_loss}, {"L_G (non-saturating)", h.epoch, h.g_loss}},
                    {false, plot::Key::below, {{2 * log2, "2 log 2: L_D at equilibrium"}, {log2, "log 2: L_G at equilibrium"}}});
    plot::line_plot(out / "dcgan_d_outputs.png", "DCGAN: mean D(x) and D(G(z)) per epoch (D's view, before its step)",
                    "epoch", "probability of 'real'",
                    {{"D(x), real images", h.epoch, h.d_real}, {"D(G(z)), generated", h.epoch, h.d_fake}},
                    {false, plot::Key::below, {{0.5, "1/2: equilibrium"}}});
    plot::line_plot(out / "dcgan_fd.png", "DCGAN: Frechet distance of 2000 samples to the test set, per epoch", "epoch",
                    "FD (evaluator features)", {{"DCGAN, FD of 2000 samples", h.epoch, h.fd_monitor}},
                    {false, plot::Key::below,
                     {{r.mlp.scores.fd, "chapter 02's MLP GAN (10,000 samples)"},
                      {0.5 * r.mlp.scores.fd, "the target: half the MLP GAN's"}}});
    std::vector<std::string> class_labels(data::kClassNames.begin(), data::kClassNames.end());
    plot::bar_chart(out / "dcgan_class_histogram.png",
                    "Classes the evaluator assigns to " + std::to_string(r.scored) + " DCGAN samples", class_labels,
                    percent_of(r.scores.class_histogram, r.scored), "% of samples", 5.0, "5% threshold");
}

void dcgan_report(PartContext& ctx, const DcganResults& r) {
    auto& m = ctx.metrics;
    m["dcgan_fd"] = r.scores.fd;
    m["dcgan_classes_at_least_5pct"] = r.scores.classes_at_least_5pct;
    m["dcgan_class_histogram"] = r.scores.class_histogram;
    m["mlp_gan_fd"] = r.mlp.scores.fd;
    m["mlp_gan_classes_at_least_5pct"] = r.mlp.scores.classes_at_least_5pct;
    m["mlp_gan_class_histogram"] = r.mlp.scores.class_histogram;
    m["mlp_gan_source"] = r.mlp.source;
    m["mlp_gan_epochs"] = r.mlp.epochs;
    m["dcgan_fd_over_mlp_gan_fd"] = r.scores.fd / r.mlp.scores.fd;
    m["train_seconds_dcgan"] = r.train_seconds;
    m["dcgan_epochs"] = r.recipe.epochs;
    m["dcgan_scored_samples"] = r.scored;
    m["dcgan_recipe"] = to_json(r.recipe);
    m["dcgan_network"] = {{"latent", r.config.latent},
                          {"generator_channels", {2 * r.config.generator_channels, r.config.generator_channels, 1}},
                          {"discriminator_channels",
                           {1, r.config.discriminator_channels, 2 * r.config.discriminator_channels}}};
    m["dcgan_history"] = to_json(r.history);
    nlohmann::json ablations = nlohmann::json::object();
    for (const auto& a : r.ablations)
        ablations[a.name] = {{"change", a.change},
                             {"fd", a.scores.fd},
                             {"classes_at_least_5pct", a.scores.classes_at_least_5pct},
                             {"class_histogram", a.scores.class_histogram},
                             {"train_seconds", a.seconds},
                             {"d_real", a.history.d_real.back()},
                             {"d_fake", a.history.d_fake.back()}};
    m["dcgan_ablations"] = ablations;
    m["dcgan_ablation_epochs"] = r.ablations.empty() ? 0.0 : r.ablations.front().history.epoch.back();

    auto& s = ctx.summary;
    s.add_row({"dcgan", "epochs", SummaryTable::Cell(double(r.recipe.epochs), 3)});
    s.add_row({"dcgan", "training seconds", SummaryTable::Cell(r.train_seconds, 4)});
    s.add_row({"dcgan", "FD, " + std::to_string(r.scored) + " samples", SummaryTable::Cell(r.scores.fd, 4)});
    s.add_row({"dcgan", "classes >= 5%", SummaryTable::Cell(double(r.scores.classes_at_least_5pct), 3)});
    s.add_row({"dcgan", "MLP GAN (ch. 02) FD", SummaryTable::Cell(r.mlp.scores.fd, 4)});
    s.add_row({"dcgan", "FD / MLP GAN FD", SummaryTable::Cell(r.scores.fd / r.mlp.scores.fd, 3)});
    for (const auto& a : r.ablations)
        s.add_row({"dcgan", "ablation " + a.name + ": FD / classes",
                   SummaryTable::Cell(std::to_string(a.scores.fd).substr(0, 6) + " / " +
                                      std::to_string(a.scores.classes_at_least_5pct))});
}

}  // namespace chapter05
