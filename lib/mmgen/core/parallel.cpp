// The worker threads behind parallel::for_range.
//
// One job at a time: the caller publishes (fn, body, n, chunks), bumps a generation counter to
// wake the workers, and then the caller and the workers claim chunks from an atomic counter until
// none is left; the caller returns when every chunk is done. Waiting on either side spins
// for a few microseconds (the next loop usually follows at once) and then sleeps in a futex
// wait (std::atomic::wait), so an idle worker costs the GEMM threads nothing.
#include <mmgen/core/parallel.hpp>

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace mmgen::parallel {

namespace {

constexpr int kSpins = 2000;  // polls before sleeping (≈ 10–50 µs)

inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
}

thread_local bool t_inside = false;  // this thread is running a range: nested loops run inline

// Waits until `value` differs from `old`: spins, then sleeps. Returns the new value.
std::uint32_t wait_change(const std::atomic<std::uint32_t>& value, std::uint32_t old) {
    for (int spin = 0; spin < kSpins; ++spin) {
        const std::uint32_t now = value.load(std::memory_order_acquire);
        if (now != old) return now;
        cpu_relax();
    }
    for (;;) {
        value.wait(old, std::memory_order_acquire);
        const std::uint32_t now = value.load(std::memory_order_acquire);
        if (now != old) return now;
    }
}

class Pool {
public:
    ~Pool() { stop(); }

    void resize(int threads) {
        std::lock_guard lock(busy_);
        const std::size_t workers = threads > 1 ? static_cast<std::size_t>(threads) - 1 : 0;
        if (workers == workers_.size()) return;
        stop();
        stopping_.store(false);
        // the generation they start from is read here, before any job can bump it (busy_ is held)
        const std::uint32_t start = generation_.load(std::memory_order_acquire);
        for (std::size_t k = 1; k <= workers; ++k) workers_.emplace_back([this, start] { work(start); });
    }

    int threads() const { return static_cast<int>(workers_.size()) + 1; }

    void run(std::size_t n, std::size_t parts, detail::RangeFn fn, void* body) {
        std::unique_lock lock(busy_, std::try_to_lock);
        parts = std::min(parts, workers_.size() + 1);
        if (!lock.owns_lock() || t_inside || parts <= 1) {  // busy, nested, or nothing to share
            fn(body, 0, n);
            return;
        }
        // a few chunks per thread, handed out one at a time: a worker the OS has not scheduled
        // yet does not hold the caller up, which then runs the chunks itself
        const std::uint32_t chunks = static_cast<std::uint32_t>(std::min<std::size_t>(n, 4 * parts));
        fn_.store(fn, std::memory_order_relaxed);
        body_.store(body, std::memory_order_relaxed);
        n_.store(n, std::memory_order_relaxed);
        chunks_.store(chunks, std::memory_order_relaxed);
        done_.store(0, std::memory_order_relaxed);
        const std::uint32_t job = generation_.load(std::memory_order_relaxed) + 1;
        claim_.store(std::uint64_t{job} << 32, std::memory_order_release);  // chunk 0 of this job is next
        generation_.store(job, std::memory_order_release);
        generation_.notify_all();
        t_inside = true;
        run_chunks();
        t_inside = false;
        for (std::uint32_t finished = done_.load(std::memory_order_acquire); finished != chunks;)
            finished = wait_change(done_, finished);
    }

private:
    // Claims and runs chunks of the current job until none is left.
    void run_chunks() {
        for (;;) {
            std::uint64_t c = claim_.load(std::memory_order_acquire);
            // the job's fields, read between the load of claim_ and the claim: if the claim
            // succeeds the job cannot have changed (a new job starts only when all chunks are done)
            const std::uint32_t chunks = chunks_.load(std::memory_order_relaxed);
            const std::uint32_t chunk = static_cast<std::uint32_t>(c);
            if (chunk >= chunks) return;
            const detail::RangeFn fn = fn_.load(std::memory_order_relaxed);
            void* const body = body_.load(std::memory_order_relaxed);
            const std::size_t n = n_.load(std::memory_order_relaxed);
            if (!claim_.compare_exchange_weak(c, c + 1, std::memory_order_acq_rel)) continue;
            fn(body, n * chunk / chunks, n * (chunk + 1) / chunks);
            done_.fetch_add(1, std::memory_order_acq_rel);
            done_.notify_one();
        }
    }

    void work(std::uint32_t seen) {
        t_inside = true;
        for (;;) {
            seen = wait_change(generation_, seen);
            if (stopping_.load(std::memory_order_acquire)) return;
            run_chunks();
        }
    }

    void stop() {  // with busy_ held (or from the destructor)
        if (workers_.empty()) return;
        stopping_.store(true, std::memory_order_release);
        generation_.fetch_add(1, std::memory_order_release);
        generation_.notify_all();
        for (auto& w : workers_) w.join();
        workers_.clear();
    }

    std::mutex busy_;  // one job at a time
    // the current job: body(begin, end) over [0, n) in `chunks` chunks
    std::atomic<detail::RangeFn> fn_{nullptr};
    std::atomic<void*> body_{nullptr};
    std::atomic<std::size_t> n_{0};
    std::atomic<std::uint32_t> chunks_{0};
    std::atomic<std::uint64_t> claim_{0};       // (job << 32) | next chunk to hand out
    std::atomic<std::uint32_t> done_{0};        // chunks of the current job finished
    std::atomic<std::uint32_t> generation_{0};  // the current job's number; bumped to wake the workers
    std::atomic<bool> stopping_{false};
    std::vector<std::thread> workers_;
};

Pool& pool() {
    static Pool p;
    return p;
}

}  // namespace

void set_threads(int threads) { pool().resize(threads < 1 ? 1 : threads); }
int threads() { return pool().threads(); }

void detail::run(std::size_t n, std::size_t parts, RangeFn fn, void* body) { pool().run(n, parts, fn, body); }

}  // namespace mmgen::parallel
