// Chapter 04 — a joint image-text generative model: a multimodal VAE with a product of experts.
//
// Read with README.md beside it. run() follows the README:
//   §2  The data: captions from labels and brightness             make_captioned_images
//   §3  Fusion: the product of Gaussian experts                   the model (models/mvae.hpp)
//   §4  The objective, §7 the code                                train_mvae (the loop, written out)
//   §9  Results: generation across modalities                     measure (models/mvae_eval.hpp)
//   §5  Diagnosis, §6 the holes in the prior                      diagnose (models/mvae_diagnostics.hpp)
//   §8  What the figures show                                     draw_figures (figures.cpp)
//   metrics.json and the summary table                            report.cpp
// The diagnostics are computed after the measurements so each draws the same random numbers
// as in the runs the README reports. --generate "light ankle boot" and --caption FILE use the
// trained weights (figures.cpp).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numbers>

#include <mmgen/core/ops.hpp>
#include <mmgen/io/checkpoint.hpp>
#include <mmgen/io/data.hpp>
#include <mmgen/models/classifier.hpp>
#include <mmgen/nn/optim.hpp>
#include <mmgen/report/progress.hpp>

#include "04_multimodal/multimodal.hpp"

using namespace mmgen;
using namespace multimodal;
namespace fs = std::filesystem;

// Passes over the 60 000 training pairs (about 7 s each here, with the default fusion). 30, not
// 20: over three seeds the lowest joint coherence rose from 0.700 to 0.728 (README §9).
constexpr std::size_t kEpochs = 30;
// The dimension of the shared latent z.
constexpr std::size_t kLatent = 64;
// The per-modality weights λ (the documents' α_j). An image carries ~250 nats of pixels, a
// caption ~3.5 nats of words: with equal weights the shared latent ignores the caption; too
// large a λ_text stores the class where only the text decoder reads it (README §4, §10).
constexpr double kImageWeight = 1.0, kTextWeight = 25.0;
// The KL weight β rises linearly from 0 over this fraction of the training steps ...
constexpr double kAnnealFraction = 0.2;
// ... to β (1: the ELBO; 4 squeezes the holes in the prior that joint samples fall into,
// README §6), and γ multiplies the text-only posterior's KL on top (tiling the prior with the
// captions' posteriors).
constexpr double kBeta = 4.0, kTextKl = 4.0;
// δ: weight of the MMD between the batch's posterior samples and prior samples (0: off; it did
// not help here, README §6).
constexpr double kMmd = 0.0;
// Weight of the JMVAE-KL terms (--fusion jmvae).
constexpr double kJmvaeAlpha = 1.0;
// The default objective: the variant that generates best across modalities (README §9).
constexpr const char* kDefaultFusion = "moe";
// The image encoder and decoder: "mlp" (two hidden layers of 512) or "conv" (two 4 × 4 stride-2
// convolutions with kConvChannels and 2·kConvChannels channels, and their transposes; README §9).
constexpr const char* kDefaultImageNetwork = "mlp";
constexpr std::size_t kConvChannels = 32;
// Test images used for the per-epoch curves (the final metrics use the whole test set).
constexpr std::size_t kCurveImages = 2000;
// A --quick run: this many training images, epochs, and test images.
constexpr std::size_t kQuickTrain = 6000, kQuickEpochs = 2, kQuickTest = 1000;
// Joint samples z ~ N(0, I) scored for joint coherence.
constexpr std::size_t kJointSamples = 10000;


// --- §2: the data ----------------------------------------------------------------------------

// Captions for every image: the tone by the training set's class medians, paraphrases drawn from the seed.
std::array<double, data::kNumClasses> make_captioned_images(CaptionedImages& train, CaptionedImages& test,
                                                            const chapter::Options& c, const data::Tokenizer& tok) {
    train.images = data::load_fashion_mnist(c.data_dir, "train");  // 60000 × 28 × 28
    test.images = data::load_fashion_mnist(c.data_dir, "test");    // 10000 × 28 × 28
    const auto medians = data::class_median_intensity(train.images);
    train.captions = data::make_captions(train.images, medians, c.seed, tok);
    test.captions = data::make_captions(test.images, medians, c.seed + 1, tok);
    train.n = c.quick ? std::min(kQuickTrain, train.images.n) : train.images.n;
    test.n = c.quick ? std::min(kQuickTest, test.images.n) : test.images.n;
    std::printf("captions: %zu words (%s); e.g. \"%s\", \"%s\"\n", tok.size(), tok.vocabulary_list().c_str(),
                text_of(train.captions[0]).c_str(), text_of(train.captions[1]).c_str());
    return medians;
}

// --- §4: training ----------------------------------------------------------------------------

// Minimises the --fusion objective with Adam (cosine-decayed rate, β annealed); after each epoch
// the test −ELBOs and coherences on kCurveImages pairs, and a training state for --resume.
History train_mvae(models::Mvae& m, const CaptionedImages& train, const CaptionedImages& test, const Options& o,
                   models::Evaluator& evaluator, const std::array<double, data::kNumClasses>& medians,
                   const std::vector<data::Caption>& grammar, const fs::path& state_path, Rng& rng) {
    const auto& c = o.common;
    const models::Fusion fusion = models::parse_fusion(o.fusion);
    optim::Adam adam(m.parameters(), static_cast<real>(c.lr));
    data::Batcher batcher(train.images.n, c.batch_size, rng, false, train.n);
    const std::size_t epochs = c.quick ? kQuickEpochs : c.epochs, d = m.config().latent;
    const double total_steps = double(epochs * batcher.batches_per_epoch());
    const double anneal_steps = std::max(1.0, o.anneal * total_steps);
    Metadata saved;  // a resumed run continues the curves and the seconds of the state it resumes
    TrainingPosition position = resume_or_start(state_path, c.resume, m, adam, rng, &saved);
    History h = history_from_json(saved.contains("history") ? saved.at("history") : "");
    const double earlier_seconds = h.train_seconds;
    Stopwatch clock;
    ProgressLine progress(epochs, batcher.batches_per_epoch());
    for (std::size_t epoch = std::size_t(position.epoch) + 1; epoch <= epochs; ++epoch) {
        m.train();
        progress.begin_epoch(epoch);
        for (const auto& idx : batcher.epoch_batches()) {
            // cosine decay of the learning rate over the run's steps: the last epochs settle the
            // coherences instead of letting them wander by several points between epochs
            adam.lr = static_cast<real>(c.lr * 0.5 * (1 + std::cos(std::numbers::pi * double(position.step) / total_steps)));
            const Tensor x = data::images_to_tensor(train.images, idx, 0, 1);  // (B, 784) in [0, 1]
            const auto y = models::tokens_of(train, idx);                       // (B · 4) token ids
            const std::size_t b = idx.size();
            models::MvaeNoise noise{Tensor::randn({b, d}, rng), Tensor::randn({b, d}, rng),
                                    Tensor::randn({b, d}, rng)};  // ε per subset, (B, latent) each
            if (o.mmd > 0) noise.prior = Tensor::randn({b, d}, rng);  // z ~ N(0, I) for the MMD term
            const double beta = o.beta * std::min(1.0, double(position.step) / anneal_steps);  // KL annealing
            const models::MvaeWeights weights{real(o.image_weight), real(o.text_weight), real(beta), real(o.alpha),
                                              real(o.text_kl), real(o.mmd)};
            adam.zero_grad();
            const auto t = m.objective(x, y, noise, fusion, weights);
            adam.backward_and_step(t.loss);  // backward() then step(), fused (optim.hpp)
            Terms terms{{"loss", t.loss.item()}, {"rec_x", t.rec_image.item()}, {"rec_y", t.rec_text.item()},
                        {"kl", t.kl.item()}};
            if (t.jmvae_kl.defined()) terms.emplace_back("kl(xy|x,y)", t.jmvae_kl.item());
            if (t.mmd.defined()) terms.emplace_back("mmd", t.mmd.item());
            terms.emplace_back("beta", beta);
            check_finite(std::size_t(++position.step), terms);
            progress.step(b, terms);
        }
        const Terms means = progress.end_epoch();
        m.eval();
        const std::size_t n = std::min(test.n, c.quick ? kQuickTest : kCurveImages);
        const auto e = models::test_neg_elbos(m, test, n, fusion, rng);
        const auto k = models::coherence(m, evaluator, test, medians, grammar, n, n, rng);
        std::fprintf(stderr, "  test -elbo joint %.1f  image %.1f  text %.2f | text->image %.3f  caption %.3f  joint %.3f\n",
                     e.joint, e.image, e.text, k.text_to_image, k.caption, k.joint);
        h.epoch.push_back(double(epoch)), h.train_loss.push_back(means[0].second);
        h.test_joint.push_back(e.joint), h.test_image.push_back(e.image), h.test_text.push_back(e.text);
        h.text_to_image.push_back(k.text_to_image), h.caption.push_back(k.caption), h.joint.push_back(k.joint);
        position.epoch = std::int64_t(epoch);
        position.rng_state = rng.state();
        h.train_seconds = earlier_seconds + clock.seconds();
        save_training_state(state_path, m, adam, position, {{"fusion", o.fusion}, {"history", history_json(h)}});
    }
    m.eval();
    return h;
}

// --- §9: the measurements, and §5–§6: the diagnostics ------------------------------------------

Measurements measure(models::Mvae& m, models::Evaluator& evaluator, const CaptionedImages& train,
                     const CaptionedImages& test, const std::array<double, data::kNumClasses>& medians,
                     const std::vector<data::Caption>& grammar, const Options& o, Rng& rng) {
    Measurements k;
    k.neg_elbos = models::test_neg_elbos(m, test, test.n, models::parse_fusion(o.fusion), rng);
    k.coherence = models::coherence(m, evaluator, test, medians, grammar, test.n,
                                    o.common.quick ? kQuickTest : kJointSamples, rng);
    k.probe = models::latent_probe_accuracy(m, train, test, rng);
    return k;
}

Diagnostics diagnose(models::Mvae& m, models::Evaluator& evaluator, const CaptionedImages& test,
                     const std::vector<data::Caption>& grammar, bool quick, Rng& rng) {
    Diagnostics d;
    d.fusion = models::diagnose(m, test, grammar, test.n);
    d.coverage = models::prior_coverage(m, test, grammar, quick ? 200 : 1000, rng);
    d.agreement = models::joint_agreement(m, evaluator, test, grammar, std::min<std::size_t>(test.n, 5000), rng);
    return d;
}

// --- the run ---------------------------------------------------------------------------------

int run(const Options& o) {
    const auto& c = o.common;
    // the file names say which objective and which image networks trained the weights
    const std::string run_name = o.fusion + (o.image_network == "mlp" ? "" : "-" + o.image_network) + (c.quick ? "-quick" : "");
    const fs::path weights = fs::path(c.checkpoint_dir) / ("mvae-" + run_name + ".safetensors");
    Rng rng(c.seed);
    const data::Tokenizer tok;
    const auto grammar = data::all_captions(tok);
    models::Mvae m({784, 512, kLatent, tok.size(), data::kCaptionLength, 32, 512,
                    models::parse_image_network(o.image_network), o.conv_channels},
                   rng);
    if (!o.generate.empty() || !o.caption.empty()) {
        if (!fs::exists(weights))
            throw std::runtime_error("no trained model at " + weights.string() + "; run ch04_multimodal (with --fusion " +
                                     o.fusion + " --image-net " + o.image_network + ") first");
        load_module(weights, m);
        m.eval();
        return o.generate.empty() ? caption_picture(m, grammar, o) : generate_from_caption(m, tok, o, rng);
    }

    CaptionedImages train, test;
    const auto medians = make_captioned_images(train, test, c, tok);
    std::printf("MVAE, latent %zu, fusion %s, %s image networks: %zu parameters; λ_image %g, λ_text %g, β annealed over %g%% of the steps\n",
                kLatent, o.fusion.c_str(), o.image_network.c_str(), m.parameter_count(), o.image_weight, o.text_weight,
                100 * o.anneal);
    auto evaluator = models::Evaluator::load_or_train(c.evaluator_dir(), c.data_dir, c.quick);
    const double evaluator_accuracy = models::accuracy(evaluator.model(), test.images, test.n);

    const fs::path state = fs::path(c.checkpoint_dir) / ("training-" + run_name + ".safetensors");
    const History h = train_mvae(m, train, test, o, evaluator, medians, grammar, state, rng);
    const double train_seconds = h.train_seconds;  // of every epoch, across --resume
    save_module(weights, m, {{"fusion", o.fusion}, {"image_network", o.image_network}});

    Measurements k = measure(m, evaluator, train, test, medians, grammar, o, rng);
    k.evaluator_accuracy = evaluator_accuracy;
    const Diagnostics d = diagnose(m, evaluator, test, grammar, c.quick, rng);
    print_diagnostics(d, k);

    draw_figures(m, tok, test, grammar, h, c.out, rng);
    write_metrics(c.out, o, k, d, h, train_seconds, test.n, kLatent, tok.size());
    print_summary(k, train_seconds);
    std::printf("\nfigures and metrics.json in %s; weights in %s\n", c.out.c_str(), weights.string().c_str());
    return 0;
}

int main(int argc, char** argv) {
    Options o{.common = {}, .fusion = kDefaultFusion, .image_network = kDefaultImageNetwork,
              .conv_channels = kConvChannels, .image_weight = kImageWeight, .text_weight = kTextWeight,
              .anneal = kAnnealFraction, .alpha = kJmvaeAlpha, .beta = kBeta, .text_kl = kTextKl, .mmd = kMmd};
    o.common.chapter = "04_multimodal";
    o.common.epochs = kEpochs;
    CLI::App app{"Chapter 04: a joint image-text generative model — a multimodal VAE with a product of experts"};
    chapter::add_common_options(app, o.common);
    app.add_option("--fusion", o.fusion,
                   "the objective: poe (MVAE: each subset reconstructs what it saw), mopoe (every subset "
                   "reconstructs both modalities), moe (mixture of the unimodal experts), jmvae (joint ELBO + "
                   "KL(q(z|x,y) || q(z|x)) + KL(q(z|x,y) || q(z|y)))")
        ->check(CLI::IsMember({"poe", "mopoe", "moe", "jmvae"}))->capture_default_str();
    app.add_option("--image-net", o.image_network,
                   "the image encoder and decoder: mlp (two hidden layers of 512) or conv (two 4x4 stride-2 "
                   "convolutions and their transposes)")
        ->check(CLI::IsMember({"mlp", "conv"}))->capture_default_str();
    app.add_option("--conv-channels", o.conv_channels, "channels of the first convolution, 2x that of the second (--image-net conv)")
        ->check(CLI::Range(1, 256))->capture_default_str();
    app.add_option("--text-weight", o.text_weight, "λ_text: weight of the caption's log-likelihood")
        ->check(CLI::PositiveNumber)->capture_default_str();
    app.add_option("--image-weight", o.image_weight, "λ_image: weight of the image's log-likelihood")
        ->check(CLI::PositiveNumber)->capture_default_str();
    app.add_option("--anneal", o.anneal, "fraction of the steps over which β rises linearly from 0 to --beta, then held there (0: no ramp)")
        ->check(CLI::Range(0.0, 1.0))->capture_default_str();
    app.add_option("--beta", o.beta, "the KL weight β reached after annealing (1: the ELBO)")
        ->check(CLI::PositiveNumber)->capture_default_str();
    app.add_option("--text-kl", o.text_kl, "γ: extra weight of the text-only posterior's KL to the prior")
        ->check(CLI::PositiveNumber)->capture_default_str();
    app.add_option("--mmd", o.mmd, "δ: weight of MMD²(posterior samples, prior samples) (0: off)")
        ->check(CLI::NonNegativeNumber)->capture_default_str();
    app.add_option("--alpha", o.alpha, "weight of the JMVAE-KL terms (--fusion jmvae)")
        ->check(CLI::NonNegativeNumber)->capture_default_str();
    app.add_option("--generate", o.generate, "write a grid of images generated from this caption, e.g. \"light ankle boot\"")
        ->check(CLI::Validator(
            [](std::string& text) {
                try {
                    data::Tokenizer().encode(text);  // unknown words are refused, naming them
                    return std::string();
                } catch (const std::invalid_argument& e) {
                    return std::string(e.what());
                }
            },
            "CAPTION"));
    app.add_option("--caption", o.caption, "print a caption for this PNG/JPG/BMP picture")->check(CLI::ExistingFile);
    chapter::parse_or_exit(app, argc, argv, o.common);
    return chapter::run_guarded("ch04_multimodal", [&] { return run(o); });
}
