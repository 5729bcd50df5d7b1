#include <mmgen/parallel.hpp>

#include <algorithm>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace mmgen {

namespace {
// A fixed set of workers; each parallel_for hands every worker one chunk and runs the first
// chunk itself, then waits for the workers to finish.
class Pool {
public:
    explicit Pool(int threads) {
        for (int i = 1; i < threads; ++i) workers_.emplace_back([this, i] { work(i); });
    }
    ~Pool() {
        {
            std::lock_guard lock(mutex_);
            stopping_ = true;
        }
        wake_.notify_all();
        for (auto& w : workers_) w.join();
    }
    int threads() const { return static_cast<int>(workers_.size()) + 1; }

    void run(std::size_t n, const std::function<void(std::size_t, std::size_t)>& body) {
        const std::size_t parts = static_cast<std::size_t>(threads());
        {
            std::lock_guard lock(mutex_);
            body_ = &body;
            n_ = n;
            pending_ = workers_.size();
            ++generation_;
        }
        wake_.notify_all();
        body(0, n / parts);  // chunk 0 on the calling thread
        std::unique_lock lock(mutex_);
        done_.wait(lock, [this] { return pending_ == 0; });
        body_ = nullptr;
    }

private:
    void work(int index) {
        std::size_t seen = 0;
        for (;;) {
            std::unique_lock lock(mutex_);
            wake_.wait(lock, [&] { return stopping_ || generation_ != seen; });
            if (stopping_) return;
            seen = generation_;
            const auto* body = body_;
            const std::size_t n = n_, parts = static_cast<std::size_t>(threads());
            lock.unlock();
            const std::size_t i = static_cast<std::size_t>(index);
            (*body)(n * i / parts, n * (i + 1) / parts);
            lock.lock();
            if (--pending_ == 0) done_.notify_one();
        }
    }

    std::vector<std::thread> workers_;
    std::mutex mutex_;
    std::condition_variable wake_, done_;
    const std::function<void(std::size_t, std::size_t)>* body_ = nullptr;
    std::size_t n_ = 0, pending_ = 0, generation_ = 0;
    bool stopping_ = false;
};

int g_threads = std::clamp(static_cast<int>(std::thread::hardware_concurrency()), 1, 8);
std::unique_ptr<Pool> g_pool;
std::mutex g_pool_mutex;  // one parallel_for at a time

Pool& pool() {
    if (!g_pool || g_pool->threads() != g_threads) g_pool = std::make_unique<Pool>(g_threads);
    return *g_pool;
}
}  // namespace

void parallel_for(std::size_t n, const std::function<void(std::size_t, std::size_t)>& body, std::size_t min_parallel) {
    if (n < min_parallel || g_threads <= 1) {
        body(0, n);
        return;
    }
    std::lock_guard lock(g_pool_mutex);
    pool().run(n, body);
}

void set_num_threads(int threads) {
    std::lock_guard lock(g_pool_mutex);
    g_threads = std::clamp(threads, 1, 64);
}

int num_threads() { return g_threads; }

}  // namespace mmgen
