// The Catch2 runner of the MPI tests: MPI_Init, the tests, MPI_Finalize. mpirun starts one
// copy per rank and every rank runs every test case in the same order, so their collective
// calls pair up. The exit code is non-zero if a test failed on any rank.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include <mmgen/distributed/communicator.hpp>

int main(int argc, char** argv) {
    mmgen::distributed::MpiSession mpi(argc, argv);
    const auto world = mmgen::distributed::Communicator::world();
    Catch::Session session;
    if (const int code = session.applyCommandLine(argc, argv); code != 0) return code;
    double failed[1] = {double(session.run())};
    world.allreduce_sum_double(failed);  // a failure on any rank fails every rank
    return failed[0] > 0 ? 1 : 0;
}
