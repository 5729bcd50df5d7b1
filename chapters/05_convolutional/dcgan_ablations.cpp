// Part 3's measurements beside the DCGAN (README §3.4 and §3.3's comparison): the three
// ablations — each takes one DCGAN guideline away for a short run — and chapter 02's MLP GAN
// scored by the same evaluator.
#include <cstdio>

#include <mmgen/io/checkpoint.hpp>

#include "dcgan_part.hpp"

using namespace mmgen;
namespace fs = std::filesystem;

namespace chapter05 {

namespace {
// Chapter 02's default Fashion-MNIST recipe (chapters/02_gan/main.cpp): G 64→256→512→784,
// D 784→512→256→1 with dropout 0.5, 20 epochs, Adam 2e-4 (0.5, 0.999), no label smoothing.
constexpr std::size_t kMlpEpochs = 20, kMlpLatent = 64, kQuickMlpTrain = 5000;
constexpr double kMlpDropout = 0.5;

// A checkpoint's metadata value for `key`, or "" when the file or the key is missing.
std::string metadata_value(const fs::path& file, const std::string& key) {
    if (!fs::exists(file)) return "";
    const auto meta = load_checkpoint(file).metadata;
    const auto it = meta.find(key);
    return it == meta.end() ? "" : it->second;
}
}  // namespace

std::vector<AblationResult> run_ablations(PartContext& ctx, const models::DcganConfig& config,
                                          const GanRecipe& recipe, const Tensor& fixed_z, std::size_t scored) {
    const auto& c = ctx.options.common;
    struct Variant {
        std::string name, change;
        models::DcganConfig config;
        GanRecipe recipe;
    };
    std::vector<Variant> variants{{"recipe", "the DCGAN recipe itself", config, recipe}};
    variants.push_back({"pooling", "D downsamples with Conv k3 s1 + MaxPool 2 instead of Conv k4 s2", config, recipe});
    variants.back().config.downsampling = models::Downsampling::pooling;
    variants.push_back({"no_batch_norm", "no batch norm in G or D (biases instead)", config, recipe});
    variants.back().config.batch_norm = false;
    variants.push_back({"beta1_0.9", "Adam beta1 = 0.9 (the default) instead of 0.5", config, recipe});
    variants.back().recipe.beta1 = 0.9;

    std::vector<AblationResult> results;
    for (const auto& v : variants) {
        std::printf("\nablation '%s': %s, %zu epoch(s)\n", v.name.c_str(), v.change.c_str(), v.recipe.epochs);
        Rng rng(c.seed);  // every variant from the same seed
        models::DcganGenerator g(v.config, rng);
        models::DcganDiscriminator d(v.config, rng);
        AblationResult r{v.name, v.change, {}, train_gan(g, d, v.config.latent, v.recipe, ctx.train, rng), 0, {}};
        for (double s : r.history.seconds) r.seconds += s;
        Rng score_rng(c.seed + 3000);
        r.scores = models::score_samples(ctx.evaluator, models::sample_images(g, scored, v.config.latent, score_rng),
                                         ctx.reference);
        r.samples = models::to_unit_range(models::generate(g, fixed_z));  // (100, 784)
        std::printf("  FD %.2f, classes with >= 5%%: %zu (%.0f s)\n", r.scores.fd, r.scores.classes_at_least_5pct,
                    r.seconds);
        results.push_back(std::move(r));
    }
    return results;
}

MlpGanBaseline mlp_gan_baseline(PartContext& ctx, const Tensor& fixed_z, std::size_t scored) {
    const auto& c = ctx.options.common;
    Rng rng(c.seed);  // chapter 02's order of draws: G, then D, then the batches
    models::GanConfig config;
    config.latent = kMlpLatent;
    config.discriminator_dropout = real(kMlpDropout);
    models::Generator g(config, rng);
    models::Discriminator d(config, rng);
    MlpGanBaseline b;
    const std::size_t epochs = c.quick ? 1 : kMlpEpochs;
    // chapter 02's full run keeps its training state here (a --quick run uses another name)
    const fs::path chapter02 = c.checkpoint_root() / "02_gan" / "generator-training.safetensors";
    // where this chapter keeps the MLP generator it trained, for the next run
    const fs::path cache =
        fs::path(c.checkpoint_dir) / (c.quick ? "mlp_gan_generator-quick.safetensors" : "mlp_gan_generator.safetensors");
    // (a run stopped early keeps its last finished epoch: that generator is taken, and named)
    const std::string chapter02_epochs = metadata_value(chapter02, "position.epoch");
    if (!c.quick && !chapter02_epochs.empty()) {
        optim::Adam unused(g.parameters(), real(2e-4));
        load_training_state(chapter02, g, unused);
        b.source = "loaded from chapter 02's training state, after epoch " + chapter02_epochs + " of its default " +
                   std::to_string(epochs);
        b.epochs = std::stoul(chapter02_epochs);
    } else if (!c.quick && metadata_value(cache, "epochs") == std::to_string(epochs)) {
        load_module(cache, g);
        b.source = "loaded from this chapter's checkpoint of chapter 02's recipe (" + std::to_string(epochs) + " epochs)";
        b.epochs = epochs;
    } else {
        std::printf("\nchapter 02's MLP GAN: no trained generator found; training it with chapter 02's recipe "
                    "(%zu epochs, D dropout %g)\n", epochs, kMlpDropout);
        GanRecipe recipe;
        recipe.epochs = epochs;
        recipe.batch_size = c.batch_size;
        recipe.train_images = c.quick ? kQuickMlpTrain : 0;
        const GanHistory h = train_gan(g, d, kMlpLatent, recipe, ctx.train, rng);
        for (double s : h.seconds) b.seconds += s;
        save_module(cache, g, {{"epochs", std::to_string(epochs)}, {"recipe", to_json(recipe).dump()}});
        b.source = "trained here with chapter 02's recipe and seed (" + std::to_string(epochs) + " epochs, " +
                   std::to_string(int(b.seconds)) + " s)";
        b.epochs = epochs;
    }
    Rng score_rng(c.seed + 3000);
    b.scores = models::score_samples(ctx.evaluator, models::sample_images(g, scored, kMlpLatent, score_rng),
                                     ctx.reference);
    b.fixed_samples = models::to_unit_range(models::generate(g, fixed_z));  // (100, 784)
    std::printf("chapter 02's MLP GAN (%s): FD %.2f, classes with >= 5%%: %zu\n", b.source.c_str(), b.scores.fd,
                b.scores.classes_at_least_5pct);
    return b;
}

}  // namespace chapter05
