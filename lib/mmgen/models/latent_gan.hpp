#pragma once
// A GAN in a learned latent space: 003 §1.3.1 read literally ("learn a representation with an
// AE or VAE, then train a generative model on it"), and the two-stage idea of Dai & Wipf
// (2019, "Diagnosing and Enhancing VAE Models"):
//
//   stage 1  a VAE, trained as usual: its decoder maps codes to images
//   stage 2  a small generative model fitted to the codes the encoder gives the training
//            images — the aggregate posterior q(z) = E_x q(z|x), which the prior N(0, I) matches
//            only roughly (holes, and mass where no image lives); here chapter 02's MLP GAN
//   sample   z = G₂(u), u ~ N(0, I), then the image σ(Dec(z))
//
// Dai & Wipf's argument: a VAE can get the *manifold* of the data right (the decoder) while its
// aggregate posterior misses the prior; sampling z from the prior then lands in regions the
// decoder never learned. A second model of q(z) — low-dimensional (20 numbers), so small and fast
// — fixes the sampling without touching the decoder.
#include <cstddef>
#include <span>

#include <mmgen/io/data.hpp>
#include <mmgen/models/gan.hpp>
#include <mmgen/models/vae.hpp>

namespace mmgen::models {

// The second stage's GAN: data = the VAE's latent codes (latent numbers), noise of the same size,
// two hidden layers of `hidden` LeakyReLU units in each player, a linear output (codes are not
// bounded like pixels).
GanConfig latent_gan_config(std::size_t latent, std::size_t hidden = 256);

// q(z|x) of the first n images of a dataset, 1000 at a time, without a graph: μ, log σ² (n, latent).
Posterior encode_dataset(Vae& vae, const data::Dataset& dataset, std::size_t n);

// Codes z = μ + σ ε ~ q(z|x) for the rows `idx` of encoded posteriors: (idx.size(), latent).
Tensor sample_codes(const Posterior& codes, std::span<const std::size_t> idx, Rng& rng);

// n two-stage samples σ(Dec(G₂(u))), u ~ N(0, I): (n, 784) in [0, 1].
Tensor two_stage_images(Vae& vae, nn::Module& latent_generator, std::size_t n, Rng& rng);

}  // namespace mmgen::models
