// Parity with PyTorch: the chapters' models computed by mmgen and by PyTorch from the same
// weights, batch and noise must give the same loss and the same gradient of every parameter.
//
// Each case writes one safetensors file — the parameters (param.*), the inputs (input.*),
// mmgen's loss terms (output.*) and gradients (grad.*), and for batch norm the running
// statistics before (buffer.*) and after (output.*) the passes — and runs the model's script in
// tests/reference/ on it (python3 with Debian's python3-torch), which recomputes everything in
// float64 and exits non-zero on a disagreement: beyond 1e-9 relative in the double build
// (mmgen_f64), 1e-4 in the float build. A "must fail" section perturbs one gradient value and
// requires the script to notice.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <type_traits>
#include <vector>

#include <sys/wait.h>

#include <mmgen/core/ops.hpp>
#include <mmgen/io/checkpoint.hpp>
#include <mmgen/models/conv_vae.hpp>
#include <mmgen/models/dcgan.hpp>
#include <mmgen/models/gan.hpp>
#include <mmgen/models/mvae.hpp>
#include <mmgen/models/vae.hpp>
#include <mmgen/nn/optim.hpp>

#include "support.hpp"

using namespace mmgen;
namespace fs = std::filesystem;

namespace {

// A python3 that imports torch and numpy: $MMGEN_PYTHON, else python3 on the PATH, else Debian's.
// Empty if there is none.
std::string python_with_torch() {
    std::vector<std::string> candidates;
    if (const char* env = std::getenv("MMGEN_PYTHON")) candidates.emplace_back(env);
    candidates.emplace_back("python3");
    candidates.emplace_back("/usr/bin/python3");
    for (const auto& python : candidates)
        if (std::system(("'" + python + "' -c 'import torch, numpy' > /dev/null 2>&1").c_str()) == 0) return python;
    return "";
}

// Runs tests/reference/<script> on `file`; returns the script's exit code.
int run_reference(const std::string& script, const fs::path& file) {
    static const std::string python = python_with_torch();
    INFO("no python3 can import torch and numpy: install python3-torch python3-numpy (scripts/setup-deps.sh)");
    REQUIRE_FALSE(python.empty());
    const std::string command = "'" + python + "' '" + MMGEN_SOURCE_DIR + "/tests/reference/" + script + "' '" +
                                file.string() + "'";
    const int status = std::system(command.c_str());
    REQUIRE(WIFEXITED(status));
    return WEXITSTATUS(status);
}

// The values of `t` as a new leaf (what the file stores).
Tensor copy_of(const Tensor& t) { return t.detach().clone(); }

// The gradient accumulated in `p`, zeros if it received none.
Tensor gradient_of(const Tensor& p) {
    Tensor g = Tensor::zeros(p.shape());
    if (p.has_grad()) std::copy(p.grad().begin(), p.grad().end(), g.data().begin());
    return g;
}

void add_parameters(NamedTensors& file, const nn::Module& module, const std::string& prefix = "") {
    for (const auto& [name, p] : module.named_parameters()) file.emplace_back("param." + prefix + name, copy_of(p));
}

void add_gradients(NamedTensors& file, const nn::Module& module, const std::string& prefix,
                   const std::string& module_prefix = "") {
    for (const auto& [name, p] : module.named_parameters())
        file.emplace_back("grad." + prefix + module_prefix + name, gradient_of(p));
}

// The module's buffers (batch norm's running statistics) under `prefix`: "buffer." before the
// forward passes, "output." after.
void add_buffers(NamedTensors& file, const nn::Module& module, const std::string& prefix,
                 const std::string& module_prefix = "") {
    for (const auto& [name, b] : module.named_buffers()) file.emplace_back(prefix + module_prefix + name, copy_of(b));
}

// Adds U(−½, ½) to every rank-1 parameter and buffer — biases, batch norm's γ and β, the running
// statistics — which start at 0 or 1: a bias the script forgot, or a running average that drops
// its old value, would not show at those values.
void move_off_initial_values(nn::Module& module, Rng& rng) {
    for (auto named : {module.named_parameters(), module.named_buffers()})
        for (auto& [name, t] : named)
            if (t.rank() == 1)
                for (auto& v : t.data()) v += real(rng.uniform() - 0.5);
}

// A VAE's −ELBO on a batch x (B, 784) with noise eps (B, latent), backward, and the file
// vae_parity.py / conv_vae_parity.py read: weights, batch, noise, the terms, the gradients.
NamedTensors negative_elbo_file(models::Vae& vae, const Tensor& x, const Tensor& eps, real beta) {
    const auto terms = vae.negative_elbo(x, eps, beta);
    terms.loss.backward();
    NamedTensors file;
    add_parameters(file, vae);
    file.emplace_back("input.x", copy_of(x));
    file.emplace_back("input.eps", copy_of(eps));
    file.emplace_back("output.loss", copy_of(terms.loss));
    file.emplace_back("output.reconstruction", copy_of(terms.reconstruction));
    file.emplace_back("output.kl", copy_of(terms.kl));
    add_gradients(file, vae, "");
    return file;
}

// An optimizer whose step() changes nothing: models::discriminator_step and generator_step run
// whole (zero the gradients, forward, backward, step) and leave the gradients for the file.
class NoStep : public optim::Optimizer {
public:
    using optim::Optimizer::Optimizer;
    void update(std::size_t) override {}
    std::vector<std::pair<std::string, Tensor>> state() override { return {}; }
};

// Saves the file, requires the script to agree, then perturbs the largest value of `perturbed`
// by a relative 1e-7 (1e-2 in the float build) and requires the script to object.
void require_parity(const std::string& script, const std::string& case_name, NamedTensors file,
                    const Metadata& metadata, const std::string& perturbed) {
    const test::TempDir dir("parity_" + case_name);
    const fs::path path = dir.path / (case_name + ".safetensors");
    SECTION("PyTorch computes the same loss and gradients") {
        save_checkpoint(path, file, metadata);
        INFO(script << " on " << case_name);
        CHECK(run_reference(script, path) == 0);
    }
    SECTION("must fail: one gradient value off by a relative 1e-7 (float build: 1e-2) is caught") {
        const real factor = std::is_same_v<real, double> ? real(1 + 1e-7) : real(1 + 1e-2);
        bool found = false;
        for (auto& [name, tensor] : file)
            if (name == perturbed) {
                const std::size_t worst = [&] {  // the largest value, so the change is not below the scale
                    std::size_t at = 0;
                    for (std::size_t i = 0; i < tensor.numel(); ++i)
                        if (std::abs(tensor.data()[i]) > std::abs(tensor.data()[at])) at = i;
                    return at;
                }();
                tensor.data()[worst] *= factor;
                found = true;
            }
        REQUIRE(found);
        save_checkpoint(path, file, metadata);
        INFO(script << " on " << case_name << " with " << perturbed << " perturbed");
        CHECK(run_reference(script, path) != 0);
    }
}

}  // namespace

TEST_CASE("chapter 03's VAE: mmgen's -ELBO and every gradient agree with PyTorch", "[parity][ch03]") {
    Rng rng(31);
    models::Vae vae(models::VaeConfig{}, rng);                 // 784 → 400 → 2·20, 20 → 400 → 784
    const std::size_t batch = 16;
    const Tensor x = Tensor::uniform({batch, 784}, rng, 0, 1);  // (B, 784) grey levels
    const Tensor eps = Tensor::randn({batch, 20}, rng);         // (B, latent)
    const real beta = real(0.75);
    require_parity("vae_parity.py", "vae", negative_elbo_file(vae, x, eps, beta), {{"beta", std::to_string(beta)}},
                   "grad.encoder.0.weight");
}

TEST_CASE("chapter 02's GAN losses: L_D and both generator losses and their gradients agree with PyTorch",
          "[parity][ch02]") {
    Rng rng(22);
    models::GanConfig config;  // Fashion-MNIST's shape, narrower hidden layers (the losses are the point)
    config.generator_hidden = {32, 48};
    config.discriminator_hidden = {48, 32};
    models::Generator generator(config, rng);
    models::Discriminator discriminator(config, rng);
    const std::size_t batch = 12;
    const Tensor real_batch = Tensor::uniform({batch, 784}, rng, -1, 1);  // (B, 784)
    const Tensor z = Tensor::randn({batch, config.latent}, rng);          // (B, latent)
    const real real_label = real(0.9);

    NamedTensors file;
    add_parameters(file, generator, "generator.");
    add_parameters(file, discriminator, "discriminator.");
    file.emplace_back("input.real", copy_of(real_batch));
    file.emplace_back("input.z", copy_of(z));
    const Tensor fake = generator(z);  // (B, 784), with G's graph
    {  // L_D on real and on the detached fake: D's gradients only
        const Tensor loss = models::discriminator_loss(discriminator(real_batch), discriminator(fake.detach()), real_label);
        loss.backward();
        file.emplace_back("output.loss_d", copy_of(loss));
        add_gradients(file, discriminator, "d.", "discriminator.");
        discriminator.zero_grad();
    }
    for (const auto kind : {models::GeneratorLoss::non_saturating, models::GeneratorLoss::minimax}) {
        const std::string key = kind == models::GeneratorLoss::non_saturating ? "g_ns" : "g_mm";
        generator.zero_grad();
        const Tensor loss = models::generator_loss(discriminator(fake), kind);
        loss.backward();
        file.emplace_back("output.loss_" + key, copy_of(loss));
        add_gradients(file, generator, key + ".", "generator.");
        discriminator.zero_grad();
    }
    require_parity("gan_parity.py", "gan", file,
                   {{"leaky_slope", std::to_string(config.leaky_slope)}, {"real_label", std::to_string(real_label)}},
                   "grad.g_mm.generator.net.0.weight");
}

TEST_CASE("chapter 04's MVAE objective: every fusion's terms and gradients agree with PyTorch", "[parity][ch04]") {
    Rng rng(44);
    models::MvaeConfig config;  // the chapter's structure, narrower (the objective is the point)
    config.hidden = 48, config.text_hidden = 40, config.latent = 8, config.embedding = 6;
    models::Mvae mvae(config, rng);
    const std::size_t batch = 7;  // not a multiple of 2 or 3: uneven mixture strata
    const Tensor x = Tensor::uniform({batch, config.image}, rng, 0, 1);  // (B, 784)
    std::vector<std::size_t> tokens(batch * config.caption_length);     // B × L ids, <pad> included
    for (auto& t : tokens) t = rng.below(config.vocabulary);
    Tensor token_values = Tensor::empty({batch, config.caption_length});  // the ids as reals, for the file
    for (std::size_t i = 0; i < tokens.size(); ++i) token_values.data()[i] = static_cast<real>(tokens[i]);
    models::MvaeNoise noise;  // each (B, latent)
    noise.joint = Tensor::randn({batch, config.latent}, rng);
    noise.image = Tensor::randn({batch, config.latent}, rng);
    noise.text = Tensor::randn({batch, config.latent}, rng);
    noise.prior = Tensor::randn({batch, config.latent}, rng);
    models::MvaeWeights weights;  // every weight away from 1, so a misplaced one shows
    weights.image = real(1.5), weights.text = 25, weights.beta = real(0.7), weights.alpha = real(0.5);
    weights.text_kl = 4, weights.mmd = real(0.3);

    NamedTensors file;
    add_parameters(file, mvae);
    file.emplace_back("input.x", copy_of(x));
    file.emplace_back("input.tokens", token_values);
    file.emplace_back("input.noise.joint", copy_of(noise.joint));
    file.emplace_back("input.noise.image", copy_of(noise.image));
    file.emplace_back("input.noise.text", copy_of(noise.text));
    file.emplace_back("input.noise.prior", copy_of(noise.prior));
    std::string fusions;
    for (const auto fusion : {models::Fusion::poe, models::Fusion::mopoe, models::Fusion::moe, models::Fusion::jmvae}) {
        const std::string f = models::fusion_name(fusion);
        fusions += (fusions.empty() ? "" : ",") + f;
        mvae.zero_grad();
        const auto terms = mvae.objective(x, tokens, noise, fusion, weights);
        terms.loss.backward();
        file.emplace_back("output." + f + ".loss", copy_of(terms.loss));
        file.emplace_back("output." + f + ".rec_image", copy_of(terms.rec_image));
        file.emplace_back("output." + f + ".rec_text", copy_of(terms.rec_text));
        file.emplace_back("output." + f + ".kl", copy_of(terms.kl));
        file.emplace_back("output." + f + ".mmd", copy_of(terms.mmd));
        if (terms.jmvae_kl.defined()) file.emplace_back("output." + f + ".jmvae_kl", copy_of(terms.jmvae_kl));
        add_gradients(file, mvae, f + ".");
    }
    const Metadata metadata = {{"fusions", fusions},
                               {"caption_length", std::to_string(config.caption_length)},
                               {"vocabulary", std::to_string(config.vocabulary)},
                               {"weight.image", std::to_string(weights.image)},
                               {"weight.text", std::to_string(weights.text)},
                               {"weight.beta", std::to_string(weights.beta)},
                               {"weight.alpha", std::to_string(weights.alpha)},
                               {"weight.text_kl", std::to_string(weights.text_kl)},
                               {"weight.mmd", std::to_string(weights.mmd)}};
    require_parity("mvae_parity.py", "mvae", file, metadata, "grad.moe.word_embedding.weight");
}

TEST_CASE("chapter 05's convolutional VAE: mmgen's -ELBO and every gradient agree with PyTorch", "[parity][ch05]") {
    Rng rng(51);
    const std::size_t latent = 6;
    models::ConvVae vae(latent, rng, models::ConvWidths{5, 7});  // the chapter's structure, fewer channels
    move_off_initial_values(vae, rng);                            // the convolutions' biases start at 0
    const std::size_t batch = 6;
    const Tensor x = Tensor::uniform({batch, 784}, rng, 0, 1);  // (B, 784) grey levels
    const Tensor eps = Tensor::randn({batch, latent}, rng);      // (B, latent)
    const real beta = real(0.75);
    require_parity("conv_vae_parity.py", "conv_vae", negative_elbo_file(vae, x, eps, beta),
                   {{"beta", std::to_string(beta)}}, "grad.decoder.3.weight");  // the first ConvTranspose2d
}

TEST_CASE("chapter 05's DCGAN in training mode: L_D, L_G, their gradients and batch norm's running statistics "
          "agree with PyTorch",
          "[parity][ch05]") {
    Rng rng(55);
    models::DcganConfig config;  // the chapter's structure (strided convolutions, batch norm), fewer channels
    config.latent = 12, config.generator_channels = 6, config.discriminator_channels = 5;
    models::DcganGenerator generator(config, rng);
    models::DcganDiscriminator discriminator(config, rng);
    move_off_initial_values(generator, rng);  // γ, β, the running statistics, the biases
    move_off_initial_values(discriminator, rng);
    const std::size_t batch = 10;
    const Tensor real_batch = Tensor::uniform({batch, 784}, rng, -1, 1);  // (B, 784), tanh's range
    const Tensor z = Tensor::randn({batch, config.latent}, rng);          // (B, latent)
    const real real_label = real(0.9);

    NamedTensors file;
    add_parameters(file, generator, "generator.");
    add_parameters(file, discriminator, "discriminator.");
    add_buffers(file, generator, "buffer.", "generator.");
    add_buffers(file, discriminator, "buffer.", "discriminator.");
    file.emplace_back("input.real", copy_of(real_batch));
    file.emplace_back("input.z", copy_of(z));

    // One training iteration as chapter 05 runs it, minus the parameter updates.
    NoStep d_optimizer(discriminator.parameters()), g_optimizer(generator.parameters());
    const Tensor fake = generator(z);  // (B, 784), with G's graph; G's running statistics move once
    const auto d_stats = models::discriminator_step(discriminator, d_optimizer, real_batch, fake, real_label);
    file.emplace_back("output.loss_d", Tensor::scalar(static_cast<real>(d_stats.loss)));
    add_gradients(file, discriminator, "d.", "discriminator.");
    // D frozen: gradients for G only, and D's running statistics put back as discriminator_step left them
    const auto g_stats = models::generator_step(discriminator, g_optimizer, fake, models::GeneratorLoss::non_saturating);
    file.emplace_back("output.loss_g_ns", Tensor::scalar(static_cast<real>(g_stats.loss)));
    add_gradients(file, generator, "g_ns.", "generator.");
    add_buffers(file, generator, "output.", "generator.");
    add_buffers(file, discriminator, "output.", "discriminator.");

    // The script gives the three batch norms (G's net.2 and net.5, D's net.3) one momentum and ε
    const auto& norm = dynamic_cast<const nn::BatchNorm&>((*discriminator.net)[3]);
    for (const std::size_t i : {2, 5}) {
        const auto& g_norm = dynamic_cast<const nn::BatchNorm&>((*generator.net)[i]);
        REQUIRE((g_norm.momentum == norm.momentum && g_norm.eps == norm.eps));
    }
    require_parity("dcgan_parity.py", "dcgan", file,
                   {{"leaky_slope", std::to_string(config.leaky_slope)},
                    {"real_label", std::to_string(real_label)},
                    {"bn_momentum", std::to_string(norm.momentum)},
                    {"bn_eps", std::to_string(norm.eps)}},
                   "grad.d.discriminator.net.3.weight");  // D's batch norm's γ
}
