// Broadcasting the replicated state from rank 0, and checking that replicas agree.
#include <mmgen/distributed/replicas.hpp>

#include <cstring>

namespace mmgen::distributed {

void broadcast_tensors(const Communicator& comm, const std::vector<Tensor>& tensors, int root) {
    for (auto t : tensors) comm.broadcast(t.data(), root);
}

void broadcast_training_state(const Communicator& comm, optim::Optimizer& optimizer, Rng& rng,
                              TrainingPosition& position, int root) {
    std::vector<Tensor> state;
    for (auto& [name, tensor] : optimizer.state()) state.push_back(tensor);
    broadcast_tensors(comm, state, root);
    const auto& r = position.rng_state;
    std::int64_t words[3] = {optimizer.steps(), position.epoch, position.step};
    std::uint64_t rng_words[4] = {r[0], r[1], r[2], r[3]};
    comm.broadcast(std::span<std::int64_t>(words), root);
    comm.broadcast(std::span<std::uint64_t>(rng_words), root);
    optimizer.set_steps(words[0]);
    position.epoch = words[1];
    position.step = words[2];
    position.rng_state = {rng_words[0], rng_words[1], rng_words[2], rng_words[3]};
    rng.set_state(position.rng_state);
}

bool replicas_agree(const Communicator& comm, const std::vector<Tensor>& tensors) {
    // FNV-1a over the bytes of every value; broadcast rank 0's and compare
    std::uint64_t hash = 1469598103934665603ull;
    for (const auto& t : tensors)
        for (real v : t.data()) {
            unsigned char bytes[sizeof(real)];
            std::memcpy(bytes, &v, sizeof(real));
            for (unsigned char b : bytes) hash = (hash ^ b) * 1099511628211ull;
        }
    std::uint64_t root_hash[1] = {hash};
    comm.broadcast(std::span<std::uint64_t>(root_hash), 0);
    double disagree[1] = {root_hash[0] == hash ? 0.0 : 1.0};
    comm.allreduce_sum_double(disagree);
    return disagree[0] == 0;
}

}  // namespace mmgen::distributed
