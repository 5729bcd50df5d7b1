#pragma once
// The −ELBO of a VAE over a data set, in nats per image: what chapters 03 and 05 report per epoch.
#include <cstddef>

#include <mmgen/core/random.hpp>
#include <mmgen/io/data.hpp>
#include <mmgen/models/vae.hpp>

namespace mmgen::models {

// Per-image averages of −ELBO and its two terms.
struct ElboValues {
    double loss = 0, reconstruction = 0, kl = 0;
};

// −ELBO and its terms over the first `limit` images of `dataset` (0: all), one ε ~ N(0, I) per
// image drawn from rng, 500 images at a time, without a graph.
ElboValues mean_negative_elbo(Vae& vae, const data::Dataset& dataset, std::size_t limit, Rng& rng, real beta = 1);

}  // namespace mmgen::models
