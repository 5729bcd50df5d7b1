#pragma once
// Communicator: the few MPI operations synchronous data parallelism needs, on one MPI
// communicator, with every failure turned into a DistributedError that names the operation,
// the sizes and the rank.
//
//   MpiSession mpi(argc, argv);            // MPI_Init … MPI_Finalize (RAII)
//   Communicator world = Communicator::world();
//   world.broadcast(values, 0);           // rank 0's values everywhere
//   world.allreduce_sum(gradients);       // Σ over ranks, in place, everywhere
//
// The communicator's error handler is MPI_ERRORS_RETURN, so MPI reports errors as return
// codes instead of aborting silently; each call checks its code and throws. A rank that
// throws must end the whole job (abort_job), or the other ranks would wait for it forever.
#include <cstddef>
#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>

#include <mpi.h>

#include <mmgen/core/real.hpp>

namespace mmgen::distributed {

class DistributedError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// MPI_Init on construction, MPI_Finalize on destruction (after a barrier that sleeps rather
// than spins, so a rank that finished early does not steal a core from one still working).
class MpiSession {
public:
    MpiSession(int& argc, char**& argv);
    ~MpiSession();
    MpiSession(const MpiSession&) = delete;
    MpiSession& operator=(const MpiSession&) = delete;
};

class Communicator {
public:
    static Communicator world();  // every process mpirun started
    static Communicator self();   // this process alone: a 1-rank "job" (tests, measurements)

    int rank() const { return rank_; }
    int size() const { return size_; }
    bool is_root() const { return rank_ == 0; }
    MPI_Comm handle() const { return comm_; }
    std::string describe() const;  // "rank 1 of 2"

    // Σ over ranks, element by element, in place on every rank.
    void allreduce_sum(std::span<real> values) const;
    void allreduce_sum_double(std::span<double> values) const;  // statistics: losses, counts, times
    // root's values replace everyone's.
    void broadcast(std::span<real> values, int root = 0) const;
    void broadcast(std::span<std::uint64_t> values, int root = 0) const;
    void broadcast(std::span<std::int64_t> values, int root = 0) const;
    void barrier() const;
    // A barrier that polls every millisecond and sleeps in between. Open MPI's blocking calls
    // spin on a core; use this where one rank waits while another measures or draws figures.
    void sleeping_barrier() const;

private:
    explicit Communicator(MPI_Comm comm);
    void check(int code, const std::string& operation) const;

    MPI_Comm comm_;
    int rank_ = 0, size_ = 1;
};

// The MPI datatype of mmgen::real: MPI_FLOAT, or MPI_DOUBLE in the double build.
MPI_Datatype real_datatype();

// Prints "<program>: rank r of N: error: <message>" to stderr and ends every rank of the job
// with MPI_Abort (exit code `code`). Without MPI initialised, it just exits.
[[noreturn]] void abort_job(const std::string& program, const std::string& message, int code = 1);

// Runs body(); an exception on any rank ends the whole job with that rank's message — the
// distributed form of a chapter's run_guarded. Never returns to a rank whose peers hang.
template <class F>
int run_guarded(const std::string& program, F&& body) {
    try {
        return body();
    } catch (const std::exception& e) {
        abort_job(program, e.what());
    }
}

}  // namespace mmgen::distributed
