// Communicator: MPI calls with their errors checked; the job-wide abort.
#include <mmgen/distributed/communicator.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>
#include <type_traits>

namespace mmgen::distributed {

MpiSession::MpiSession(int& argc, char**& argv) {
    int initialized = 0;
    MPI_Initialized(&initialized);
    if (!initialized && MPI_Init(&argc, &argv) != MPI_SUCCESS) throw DistributedError("MPI_Init failed");
    // errors on the world communicator come back as codes (checked by Communicator), not as
    // MPI's default of aborting without saying which of our operations failed
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
}

MpiSession::~MpiSession() {
    int finalized = 0;
    MPI_Finalized(&finalized);
    if (finalized) return;
    try {
        Communicator::world().sleeping_barrier();
    } catch (const std::exception&) {
        // finalising anyway: a destructor must not throw
    }
    MPI_Finalize();
}

Communicator::Communicator(MPI_Comm comm) : comm_(comm) {
    MPI_Comm_set_errhandler(comm_, MPI_ERRORS_RETURN);
    check(MPI_Comm_rank(comm_, &rank_), "MPI_Comm_rank");
    check(MPI_Comm_size(comm_, &size_), "MPI_Comm_size");
}

Communicator Communicator::world() { return Communicator(MPI_COMM_WORLD); }
Communicator Communicator::self() { return Communicator(MPI_COMM_SELF); }

std::string Communicator::describe() const {
    return "rank " + std::to_string(rank_) + " of " + std::to_string(size_);
}

void Communicator::check(int code, const std::string& operation) const {
    if (code == MPI_SUCCESS) return;
    char text[MPI_MAX_ERROR_STRING];
    int length = 0;
    MPI_Error_string(code, text, &length);
    throw DistributedError(operation + " failed on " + describe() + ": " + std::string(text, std::size_t(length)));
}

MPI_Datatype real_datatype() {
    static_assert(std::is_same_v<real, float> || std::is_same_v<real, double>);
    return std::is_same_v<real, float> ? MPI_FLOAT : MPI_DOUBLE;
}

namespace {
int count_of(std::size_t n, const char* operation) {
    if (n > std::size_t(2147483647))
        throw DistributedError(std::string(operation) + ": " + std::to_string(n) + " values exceed MPI's int count");
    return int(n);
}
}  // namespace

void Communicator::allreduce_sum(std::span<real> values) const {
    check(MPI_Allreduce(MPI_IN_PLACE, values.data(), count_of(values.size(), "MPI_Allreduce"), real_datatype(),
                        MPI_SUM, comm_),
          "MPI_Allreduce of " + std::to_string(values.size()) + " values");
}

void Communicator::allreduce_sum_double(std::span<double> values) const {
    check(MPI_Allreduce(MPI_IN_PLACE, values.data(), count_of(values.size(), "MPI_Allreduce"), MPI_DOUBLE, MPI_SUM,
                        comm_),
          "MPI_Allreduce of " + std::to_string(values.size()) + " doubles");
}

void Communicator::broadcast(std::span<real> values, int root) const {
    check(MPI_Bcast(values.data(), count_of(values.size(), "MPI_Bcast"), real_datatype(), root, comm_),
          "MPI_Bcast of " + std::to_string(values.size()) + " values from rank " + std::to_string(root));
}

void Communicator::broadcast(std::span<std::uint64_t> values, int root) const {
    check(MPI_Bcast(values.data(), count_of(values.size(), "MPI_Bcast"), MPI_UINT64_T, root, comm_),
          "MPI_Bcast of " + std::to_string(values.size()) + " u64 from rank " + std::to_string(root));
}

void Communicator::broadcast(std::span<std::int64_t> values, int root) const {
    check(MPI_Bcast(values.data(), count_of(values.size(), "MPI_Bcast"), MPI_INT64_T, root, comm_),
          "MPI_Bcast of " + std::to_string(values.size()) + " i64 from rank " + std::to_string(root));
}

void Communicator::barrier() const { check(MPI_Barrier(comm_), "MPI_Barrier"); }

void Communicator::sleeping_barrier() const {
    MPI_Request request;
    check(MPI_Ibarrier(comm_, &request), "MPI_Ibarrier");
    for (int done = 0;;) {
        check(MPI_Test(&request, &done, MPI_STATUS_IGNORE), "MPI_Test");
        if (done) return;
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
}

void abort_job(const std::string& program, const std::string& message, int code) {
    int initialized = 0, finalized = 0;
    MPI_Initialized(&initialized);
    MPI_Finalized(&finalized);
    if (!initialized || finalized) {
        std::fprintf(stderr, "%s: error: %s\n", program.c_str(), message.c_str());
        std::exit(code);
    }
    int rank = 0, size = 1;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    std::fprintf(stderr, "%s: rank %d of %d: error: %s\n", program.c_str(), rank, size, message.c_str());
    std::fflush(stderr);
    MPI_Abort(MPI_COMM_WORLD, code);  // mpirun ends every other rank of the job
    std::exit(code);                  // not reached
}

}  // namespace mmgen::distributed
