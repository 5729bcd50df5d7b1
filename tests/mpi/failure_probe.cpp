// Bad input under mpirun: each case must end the whole job within seconds, with a message from
// the rank that saw the problem — never a hang. Run as `mpirun -np 2 mpi_failure_probe <case>`
// by expect_failure.cmake, which checks the exit code and the message (tests/CMakeLists.txt).
//
//   indivisible-batch   a global batch of 129 for 2 ranks
//   wrong-checkpoint    rank 0 resumes from a checkpoint of another model; rank 1 waits in MPI_Bcast
//   rank-fails          rank 1 throws at step 3 while rank 0 waits in MPI_Allreduce
//   rank-dies           rank 1 exits at step 3 without a word (a crash)
#include <cstdlib>
#include <filesystem>
#include <string>

#include <mmgen/io/checkpoint.hpp>

#include "support.hpp"

using namespace mmgen;
using namespace mmgen::distributed;

int probe(const std::string& which, const Communicator& world) {
    const auto d = test::tiny_dataset(64);
    if (which == "indivisible-batch") {
        test::TinyRun run(world, d, 129, 1);
    } else if (which == "wrong-checkpoint") {
        const auto path = std::filesystem::path(MMGEN_BINARY_DIR) / "test_output" / "probe-other-model.safetensors";
        test::TinyRun run(world, d, 8, 1);
        TrainingPosition position;
        if (world.is_root()) {
            Rng rng(2);
            models::Vae other({16, 12, 3}, rng);  // another model: hidden 12, latent 3
            optim::Adam other_adam(other.parameters());
            save_training_state(path, other, other_adam, position);
            position = load_training_state(path, run.vae, run.adam);  // throws on rank 0
        }
        broadcast_training_state(world, run.adam, run.rng, position);
    } else if (which == "rank-fails" || which == "rank-dies") {
        test::TinyRun run(world, d, 8, 1);
        for (const auto& shard : run.batcher.epoch_shards()) {
            if (run.adam.steps() == 3 && world.rank() == 1) {
                if (which == "rank-dies") std::_Exit(3);
                throw std::runtime_error("simulated failure of rank 1 at step 3");
            }
            run.step(d, shard);
        }
    } else {
        throw std::invalid_argument("unknown case '" + which + "'");
    }
    return 0;
}

int main(int argc, char** argv) {
    MpiSession mpi(argc, argv);
    const std::string which = argc > 1 ? argv[1] : "";
    return run_guarded("mpi_failure_probe", [&] { return probe(which, Communicator::world()); });
}
