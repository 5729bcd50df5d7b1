// The worker threads behind parallel::for_range.
//
// One job at a time: the caller publishes (fn, body, n, parts), bumps a generation counter and
// runs range 0; worker k runs range k and counts down `pending`. Waiting on either side spins
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
        for (std::size_t k = 1; k <= workers; ++k) workers_.emplace_back([this, k, start] { work(k, start); });
    }

    int threads() const { return static_cast<int>(workers_.size()) + 1; }

    void run(std::size_t n, std::size_t parts, detail::RangeFn fn, void* body) {
        std::unique_lock lock(busy_, std::try_to_lock);
        parts = std::min(parts, workers_.size() + 1);
        if (!lock.owns_lock() || t_inside || parts <= 1) {  // busy, nested, or nothing to share
            fn(body, 0, n);
            return;
        }
        job_ = Job{fn, body, n, parts};
        // every worker reports back, those without a range too, so none still reads job_ when the next is set
        pending_.store(static_cast<std::uint32_t>(workers_.size()), std::memory_order_relaxed);
        generation_.fetch_add(1, std::memory_order_release);
        generation_.notify_all();
        t_inside = true;
        fn(body, 0, n / parts);  // range 0 on the calling thread
        t_inside = false;
        for (std::uint32_t left = pending_.load(std::memory_order_acquire); left != 0;)
            left = wait_change(pending_, left);
    }

private:
    struct Job {
        detail::RangeFn fn = nullptr;
        void* body = nullptr;
        std::size_t n = 0, parts = 0;
    };

    void work(std::size_t k, std::uint32_t seen) {
        t_inside = true;
        for (;;) {
            seen = wait_change(generation_, seen);
            if (stopping_.load(std::memory_order_acquire)) return;
            const Job job = job_;
            if (k < job.parts) job.fn(job.body, job.n * k / job.parts, job.n * (k + 1) / job.parts);
            if (pending_.fetch_sub(1, std::memory_order_acq_rel) == 1) pending_.notify_one();
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
    Job job_;
    std::atomic<std::uint32_t> generation_{0};  // bumped once per job
    std::atomic<std::uint32_t> pending_{0};     // workers not yet done with the current job
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
