// parallel::for_range, and the ops whose loops it splits: the same bits on one thread and on two.
#include <atomic>
#include <chrono>
#include <cstring>
#include <mutex>
#include <set>
#include <thread>
#include <utility>
#include <vector>

#include <catch2/catch.hpp>

#include <mmgen/core/autograd.hpp>
#include <mmgen/core/ops.hpp>
#include <mmgen/core/parallel.hpp>
#include <mmgen/core/random.hpp>

using namespace mmgen;

namespace {
// Sets the loop threads for one scope.
class LoopThreads {
public:
    explicit LoopThreads(int threads) : before_(parallel::threads()) { parallel::set_threads(threads); }
    ~LoopThreads() { parallel::set_threads(before_); }

private:
    int before_;
};

struct Ranges {
    std::mutex mutex;
    std::vector<std::pair<std::size_t, std::size_t>> ranges;
    std::set<std::thread::id> threads;
    void add(std::size_t begin, std::size_t end) {
        std::lock_guard lock(mutex);
        ranges.emplace_back(begin, end);
        threads.insert(std::this_thread::get_id());
    }
};
}  // namespace

TEST_CASE("for_range hands out disjoint ranges that cover [0, n) once, shared by the threads", "[parallel]") {
    LoopThreads two(2);
    REQUIRE(parallel::threads() == 2);
    SECTION("a loop of many items is split into four chunks per thread, run by the caller and the worker") {
        Ranges seen;
        std::vector<int> visits(1000, 0);
        const auto caller = std::this_thread::get_id();
        parallel::for_range(visits.size(), 10, [&](std::size_t begin, std::size_t end) {
            seen.add(begin, end);
            for (std::size_t i = begin; i < end; ++i) ++visits[i];
            // each chunk waits (up to 10 s) until two threads have taken chunks, so that one
            // thread cannot run them all before the other starts: both threads of the team —
            // the caller and the worker — must run one
            for (int wait = 0; wait < 10000; ++wait) {
                {
                    std::lock_guard lock(seen.mutex);
                    if (seen.threads.size() >= 2) break;
                }
                std::this_thread::sleep_for(std::chrono::milliseconds(1));
            }
        });
        for (std::size_t i = 0; i < visits.size(); ++i) {
            INFO("item " << i);
            REQUIRE(visits[i] == 1);
        }
        CHECK(seen.ranges.size() == 8);
        CHECK(seen.threads.size() == 2);
        CHECK(seen.threads.count(caller) == 1);
    }
    SECTION("a loop shorter than two grains runs on the calling thread in one range") {
        Ranges seen;
        parallel::for_range(19, 10, [&](std::size_t begin, std::size_t end) { seen.add(begin, end); });
        REQUIRE(seen.ranges.size() == 1);
        CHECK(seen.ranges[0] == std::pair<std::size_t, std::size_t>{0, 19});
        CHECK(*seen.threads.begin() == std::this_thread::get_id());
    }
    SECTION("an empty loop calls nothing") {
        int calls = 0;
        parallel::for_range(0, 1, [&](std::size_t, std::size_t) { ++calls; });
        CHECK(calls == 0);
    }
    SECTION("a for_range inside a range runs inline on that range's thread") {
        std::mutex mutex;
        std::vector<std::pair<std::thread::id, std::thread::id>> outer_inner;
        parallel::for_range(2, 1, [&](std::size_t, std::size_t) {
            const auto outer = std::this_thread::get_id();
            parallel::for_range(100, 1, [&](std::size_t begin, std::size_t end) {
                CHECK(begin == 0);
                CHECK(end == 100);
                std::lock_guard lock(mutex);
                outer_inner.emplace_back(outer, std::this_thread::get_id());
            });
        });
        REQUIRE(outer_inner.size() == 2);
        for (const auto& [outer, inner] : outer_inner) CHECK(outer == inner);
    }
    SECTION("many loops in a row all complete (the workers sleep and wake)") {
        std::vector<long> totals(200, 0);
        for (std::size_t round = 0; round < totals.size(); ++round) {
            std::atomic<long> total{0};
            parallel::for_range(1000, 1, [&](std::size_t begin, std::size_t end) {
                long s = 0;
                for (std::size_t i = begin; i < end; ++i) s += static_cast<long>(i);
                total += s;
            });
            totals[round] = total;
            if (round % 50 == 0) std::this_thread::sleep_for(std::chrono::milliseconds(2));
        }
        for (long t : totals) REQUIRE(t == 999 * 1000 / 2);
    }
}

TEST_CASE("for_range with one thread runs every loop on the calling thread", "[parallel]") {
    LoopThreads one(1);
    Ranges seen;
    parallel::for_range(1000, 1, [&](std::size_t begin, std::size_t end) { seen.add(begin, end); });
    REQUIRE(seen.ranges.size() == 1);
    CHECK(*seen.threads.begin() == std::this_thread::get_id());
}

namespace {
// Values and gradients of a small convolutional network (every op whose loops for_range splits:
// im2col/col2im, the (N, F) ↔ (F, N) copies, batch norm, ReLU, both max-pool paths, the transposed
// convolution), at sizes above every op's split threshold.
std::vector<Buffer> conv_net_values_and_gradients() {
    Rng rng(7);
    const Tensor x = Tensor::uniform({16, 3, 16, 16}, rng, -1, 1, true);        // (N, C, H, W)
    const Tensor w1 = Tensor::randn({16, 3, 3, 3}, rng, real(0.3), true);       // (F, C, 3, 3)
    const Tensor gamma = Tensor::uniform({16}, rng, real(0.5), real(1.5), true);
    const Tensor beta = Tensor::uniform({16}, rng, real(-0.5), real(0.5), true);
    const Tensor running_mean = Tensor::zeros({16}), running_var = Tensor::ones({16});
    const Tensor wt = Tensor::randn({16, 4, 4, 4}, rng, real(0.2), true);       // (C_in, C_out, 4, 4)
    const Tensor h = relu(batch_norm(conv2d(x, w1, Tensor(), 1, 1), gamma, beta, running_mean, running_var, true,
                                     real(0.1), real(1e-5)));                    // (16, 16, 16, 16)
    const Tensor pooled = max_pool2d(h, 2);                                      // (16, 16, 8, 8)
    const Tensor overlapping = max_pool2d(h, 3, 2);                              // (16, 16, 7, 7)
    const Tensor up = conv_transpose2d(pooled, wt, Tensor(), 2, 1);              // (16, 4, 16, 16)
    const Tensor upstream_up = Tensor::uniform(up.shape(), rng, -1, 1);
    const Tensor upstream_ov = Tensor::uniform(overlapping.shape(), rng, -1, 1);
    const Tensor loss = sum(up * upstream_up) + sum(overlapping * upstream_ov);
    loss.backward();
    std::vector<Buffer> out;
    for (const Tensor& t : {h, pooled, overlapping, up, loss, running_mean, running_var})
        out.emplace_back(t.data().begin(), t.data().end());
    for (const Tensor& t : {x, w1, gamma, beta, wt}) out.emplace_back(t.grad().begin(), t.grad().end());
    return out;
}
}  // namespace

TEST_CASE("convolution, batch norm, ReLU and max pooling give the same bits on one thread and on two",
          "[parallel][conv]") {
    std::vector<Buffer> one, two;
    {
        LoopThreads t(1);
        one = conv_net_values_and_gradients();
    }
    {
        LoopThreads t(2);
        two = conv_net_values_and_gradients();
    }
    const char* names[] = {"relu(bn(conv))", "max_pool2d 2", "max_pool2d 3/2", "conv_transpose2d", "loss",
                           "running_mean", "running_var", "dx", "dW", "dgamma", "dbeta", "dW (transposed)"};
    REQUIRE(one.size() == two.size());
    for (std::size_t k = 0; k < one.size(); ++k) {
        INFO(names[k] << ": " << one[k].size() << " values");
        REQUIRE(one[k].size() == two[k].size());
        CHECK(std::memcmp(one[k].data(), two[k].data(), one[k].size() * sizeof(real)) == 0);
    }
}
