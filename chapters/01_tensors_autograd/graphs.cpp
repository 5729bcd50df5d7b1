// Chapter 01, step 2b: the graphs backward() walks, drawn with graph_dot (lib/mmgen/core/graph_dot.hpp).
//
//   graph_mlp_loss      cross-entropy of a small MLP (784 → 32 → 10) on a batch of 4
//   graph_vae_neg_elbo  chapter 03's −ELBO: encoder, reparameterisation, decoder, BCE and KL
//
// Parameters are filled boxes, the data and the noise dashed boxes (they need no gradient), ops
// ellipses with their output's shape; the loss has a double outline.
#include "graphs.hpp"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <mmgen/core/autograd.hpp>
#include <mmgen/core/graph_dot.hpp>
#include <mmgen/core/ops.hpp>
#include <mmgen/models/vae.hpp>
#include <mmgen/nn/losses.hpp>
#include <mmgen/nn/modules.hpp>

using namespace mmgen;
namespace fs = std::filesystem;

namespace {
// A batch this small keeps the shapes readable; the graph is the same for any batch size.
constexpr std::size_t kBatch = 4;

// 'text' for the shell: single quotes, with any single quote written as '\''.
std::string shell_quoted(const std::string& text) {
    std::string out = "'";
    for (char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

bool dot_installed() { return std::system("command -v dot > /dev/null 2>&1") == 0; }

// <out>/<name>.dot, and <out>/<name>.png through `dot -Tpng` when Graphviz is there.
void write_graph(const fs::path& out, const std::string& name, const std::string& dot_text, bool render) {
    fs::create_directories(out);
    const fs::path dot_file = out / (name + ".dot"), png_file = out / (name + ".png");
    std::ofstream(dot_file) << dot_text;
    if (!render) {
        std::printf("  %s\n", dot_file.string().c_str());
        return;
    }
    const std::string command = "dot -Tpng " + shell_quoted(dot_file.string()) + " -o " + shell_quoted(png_file.string());
    if (std::system(command.c_str()) != 0) throw std::runtime_error("draw_graphs: `" + command + "` failed");
    std::printf("  %s (and .dot)\n", png_file.string().c_str());
}

// Every parameter under its dotted name, plus the extra names given.
std::vector<std::pair<std::string, Tensor>> names_of(const nn::Module& module,
                                                     std::vector<std::pair<std::string, Tensor>> extra) {
    auto names = module.named_parameters();
    names.insert(names.end(), extra.begin(), extra.end());
    return names;
}
}  // namespace

void draw_graphs(const fs::path& out) {
    std::printf("\nthe graphs of two losses, drawn (lib/mmgen/core/graph_dot.hpp):\n");
    const bool render = dot_installed();
    if (!render) std::printf("  Graphviz's `dot` is not installed (apt-get install graphviz): writing the .dot files only\n");
    const RecordConstantsGuard record_constants;  // draw the data and the noise too
    Rng rng(0);

    {  // a small MLP's cross-entropy
        auto mlp = nn::mlp({784, 32, 10}, rng);
        const Tensor x = Tensor::uniform({kBatch, 784}, rng, 0, 1);  // (B, 784)
        const Tensor loss = cross_entropy(mlp->forward(x), {0, 3, 7, 9});  // ()
        write_graph(out, "graph_mlp_loss",
                    graph_dot(loss, names_of(*mlp, {{"x", x}, {"loss", loss}}), "cross-entropy of an MLP 784 → 32 → 10"),
                    render);
    }
    {  // chapter 03's negative ELBO
        models::Vae vae(models::VaeConfig{}, rng);
        const Tensor x = Tensor::uniform({kBatch, 784}, rng, 0, 1);  // (B, 784)
        const Tensor eps = Tensor::randn({kBatch, 20}, rng);         // (B, latent), ε ~ N(0, I)
        const auto terms = vae.negative_elbo(x, eps);
        const auto names = names_of(vae, {{"x", x},
                                          {"ε", eps},
                                          {"−ELBO", terms.loss},
                                          {"reconstruction", terms.reconstruction},
                                          {"KL", terms.kl}});
        write_graph(out, "graph_vae_neg_elbo", graph_dot(terms.loss, names, "chapter 03: −ELBO of the VAE"), render);
    }
}
