// The comparison the chapter ends with (README §4), from metrics.json and the checkpoints: the
// text → image table (chapter 04's MVAE vs the conditional GAN), the unconditional table (the
// conv VAE's prior, the VAE-GAN's prior, the two-stage sampler, chapter 05's DCGAN), and the
// figures comparison_fd.png and comparison_samples.png. Rows whose model has not run say so.
#include <cstdio>
#include <iostream>

#include <mmgen/core/autograd.hpp>
#include <mmgen/core/ops.hpp>
#include <mmgen/io/image.hpp>
#include <mmgen/models/dcgan.hpp>
#include <mmgen/models/gan.hpp>
#include <mmgen/models/latent_gan.hpp>
#include <mmgen/models/scoring.hpp>
#include <mmgen/report/plot.hpp>

#include "chapter06.hpp"

using namespace mmgen;
namespace fs = std::filesystem;

namespace chapter06 {
namespace {

SummaryTable::Cell cell(const nlohmann::json& m, const char* key, int digits = 4) {
    if (!m.contains(key) || m.at(key).is_null()) return SummaryTable::Cell("–");
    return SummaryTable::Cell(m.at(key).get<double>(), digits);
}

}  // namespace

void write_comparison(PartContext& ctx) {
    const auto& c = ctx.options.common;
    auto& m = ctx.metrics;

    // chapter 05's DCGAN under this chapter's evaluator and draws, when chapter 05 has saved it
    const fs::path dcgan_file = c.checkpoint_root() / "05_convolutional" / "dcgan_generator.safetensors";
    std::optional<models::DcganGenerator> dcgan;
    if (!c.quick && fs::exists(dcgan_file)) {
        Rng init(c.seed);
        dcgan.emplace(models::DcganConfig{}, init);
        load_module(dcgan_file, *dcgan);
        Rng rng(c.seed + 3000);
        const auto s = models::score_samples(ctx.evaluator, models::sample_images(*dcgan, 10000, 64, rng), ctx.reference);
        m["dcgan_fd"] = s.fd;
        m["dcgan_classes_at_least_5pct"] = s.classes_at_least_5pct;
    }
    const nlohmann::json& j = m.json();

    SummaryTable text({"text → image", "class coherence", "tone coherence", "FD", "diversity"});
    text.add_row({"MVAE (chapter 04, moe)", cell(j, "mvae_class_coherence", 3), cell(j, "mvae_tone_coherence", 3),
                  cell(j, "mvae_caption_fd"), cell(j, "mvae_diversity", 3)});
    text.add_row({"conditional GAN (projection D)", cell(j, "cgan_class_coherence", 3), cell(j, "cgan_tone_coherence", 3),
                  cell(j, "cgan_fd"), cell(j, "cgan_diversity", 3)});
    SummaryTable images({"unconditional images", "FD", "classes ≥ 5%", "test −ELBO"});
    images.add_row({"conv VAE, prior samples", cell(j, "convvae_prior_fd"), cell(j, "convvae_classes_at_least_5pct", 2),
                    cell(j, "convvae_test_neg_elbo", 5)});
    images.add_row({"VAE-GAN, prior samples", cell(j, "vaegan_prior_fd"), cell(j, "vaegan_classes_at_least_5pct", 2),
                    cell(j, "vaegan_test_neg_elbo", 5)});
    images.add_row({"two-stage (GAN on the conv VAE's codes)", cell(j, "two_stage_fd"),
                    cell(j, "two_stage_classes_at_least_5pct", 2), SummaryTable::Cell("–")});
    images.add_row({"two-stage (mixture of Gaussians on the codes, EM)", cell(j, "two_stage_mixture_fd"),
                    cell(j, "two_stage_mixture_classes_at_least_5pct", 2), SummaryTable::Cell("–")});
    images.add_row({"VAE-GAN decoder, mixture on its codes", cell(j, "vaegan_two_stage_fd"),
                    cell(j, "vaegan_two_stage_classes_at_least_5pct", 2), SummaryTable::Cell("–")});
    images.add_row({"DCGAN (chapter 05)", cell(j, "dcgan_fd"), cell(j, "dcgan_classes_at_least_5pct", 2), SummaryTable::Cell("–")});
    std::printf("\n== the comparison (same evaluator, same test set)\n");
    text.print(std::cout);
    std::printf("\n");
    images.print(std::cout);

    // the FDs as bars
    std::vector<std::string> labels;
    std::vector<double> fds;
    for (auto [label, key] : {std::pair{"conv VAE", "convvae_prior_fd"}, {"VAE-GAN", "vaegan_prior_fd"},
                              {"two-stage (GAN)", "two_stage_fd"}, {"two-stage (mixture)", "two_stage_mixture_fd"},
                              {"VAE-GAN + mixture", "vaegan_two_stage_fd"},
                              {"DCGAN", "dcgan_fd"}, {"MVAE | caption", "mvae_caption_fd"},
                              {"cGAN | caption", "cgan_fd"}})
        if (j.contains(key) && !j.at(key).is_null()) labels.push_back(label), fds.push_back(j.at(key).get<double>());
    if (!labels.empty())
        plot::bar_chart(fs::path(c.out) / "comparison_fd.png", "FD to the test set (10,000 samples each; lower is better)",
                        labels, fds, "FD");

    // 64 samples of each unconditional sampler whose weights are saved, side by side
    const fs::path dir = c.checkpoint_dir;
    const std::string q = c.quick ? "-quick" : "";
    std::vector<Tensor> sets;
    std::vector<std::string> names;
    NoGradGuard no_grad;
    Rng vae_init(c.seed + 1);
    models::ConvVae vae(kVaeLatent, vae_init, chapter05_widths()), vaegan(kVaeLatent, vae_init, chapter05_widths());
    const bool have_vae = fs::exists(dir / ("conv_vae" + q + ".safetensors")) ||
                          (!c.quick && fs::exists(c.checkpoint_root() / "05_convolutional" / "conv_vae.safetensors"));
    if (have_vae) {
        conv_vae_baseline(vae, ctx);  // loads: the weights exist
        Rng z(c.seed + 1000);
        sets.push_back(vae.decode_images(Tensor::randn({64, kVaeLatent}, z))), names.push_back("conv VAE prior");
    }
    if (fs::exists(dir / ("vaegan" + q + ".safetensors"))) {
        load_module(dir / ("vaegan" + q + ".safetensors"), vaegan);
        vaegan.eval();
        Rng z(c.seed + 1000);
        sets.push_back(vaegan.decode_images(Tensor::randn({64, kVaeLatent}, z))), names.push_back("VAE-GAN prior");
    }
    if (have_vae && fs::exists(dir / ("latent_gan_generator" + q + ".safetensors"))) {
        Rng init(c.seed + 2);
        models::Generator g(models::latent_gan_config(kVaeLatent), init);
        load_module(dir / ("latent_gan_generator" + q + ".safetensors"), g);
        Rng z(c.seed + 1000);
        sets.push_back(models::two_stage_images(vae, g, 64, z)), names.push_back("two-stage");
    }
    if (dcgan) {
        Rng z(c.seed + 1000);
        sets.push_back(models::sample_images(*dcgan, 64, 64, z)), names.push_back("DCGAN");
    }
    if (!sets.empty()) {
        const fs::path png = fs::path(c.out) / "comparison_samples.png";
        write_grid_png(png, side_by_side(sets, 8, 8), 28, 28, 8, 9 * sets.size() - 1, 0, 1, 2);
        std::string order;
        for (const auto& n : names) order += (order.empty() ? "" : " | ") + n;
        std::printf("\n%s: %s\n", png.string().c_str(), order.c_str());
        m["comparison_samples_panels"] = names;
    }
}

}  // namespace chapter06
