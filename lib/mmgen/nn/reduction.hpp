#pragma once
// How a loss reduces its terms: `sum` adds every term; `mean` averages them; `batch_mean` adds
// every term and divides by the number of rows — the per-example sum averaged over the batch,
// which is what an ELBO in nats per image needs; `none` returns the terms unreduced.
namespace mmgen {

enum class Reduction { sum, mean, batch_mean, none };

}  // namespace mmgen
