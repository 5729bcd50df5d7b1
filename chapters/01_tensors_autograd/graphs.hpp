#pragma once
// Chapter 01, step 2b: the computation graphs of two losses, drawn (README, "The graph, drawn").
#include <filesystem>

// Writes <out>/graph_mlp_loss.dot and <out>/graph_vae_neg_elbo.dot and, when Graphviz's `dot`
// is installed, renders each to a PNG beside it; without `dot` it says so and keeps the .dot files.
void draw_graphs(const std::filesystem::path& out);
