#pragma once
// Keeping the replicas identical: what rank 0 has, every rank gets.
//
// Each rank holds a whole copy of the model and the optimizer. They start identical only if
// they are made identical — the same seed on every rank usually gives the same initial
// weights, but a different thread count, library version or an initialiser reading the
// clock would not — so rank 0's parameters are broadcast before the first step. On resume,
// rank 0 reads the checkpoint and broadcasts the parameters, the optimizer's state and step
// count, and the run's Rng state and position. The checkpoint holds the global state only
// (every replica is the same), which is why a run may resume with a different number of ranks.
#include <vector>

#include <mmgen/core/random.hpp>
#include <mmgen/core/tensor.hpp>
#include <mmgen/distributed/communicator.hpp>
#include <mmgen/io/checkpoint.hpp>
#include <mmgen/nn/optim.hpp>

namespace mmgen::distributed {

// Every tensor's values from `root`.
void broadcast_tensors(const Communicator& comm, const std::vector<Tensor>& tensors, int root = 0);

// Rank 0's optimizer state (moments and step count) and training position; every rank's rng
// is then set to position.rng_state (rank 0's, as read from its checkpoint).
void broadcast_training_state(const Communicator& comm, optim::Optimizer& optimizer, Rng& rng,
                              TrainingPosition& position, int root = 0);

// Whether every rank holds the same values in `tensors` (bit for bit): a cheap guard against
// replicas drifting apart. Compares a checksum of the bits across ranks.
bool replicas_agree(const Communicator& comm, const std::vector<Tensor>& tensors);

}  // namespace mmgen::distributed
