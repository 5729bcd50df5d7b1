#include <mmgen/core/storage.hpp>

#include <cstdlib>
#include <mutex>
#include <unordered_map>

namespace mmgen::storage {

namespace {
constexpr std::size_t kMaxCachedBytes = std::size_t{1} << 30;  // keep at most 1 GiB of free blocks

struct Cache {
    std::mutex mutex;
    std::unordered_map<std::size_t, std::vector<void*>> free_blocks;  // by exact size in bytes
    Stats stats;
    ~Cache() {
        for (auto& [bytes, blocks] : free_blocks)
            for (void* b : blocks) std::free(b);
    }
};
Cache& cache() {
    static Cache c;
    return c;
}
}  // namespace

void* acquire(std::size_t bytes) {
    if (bytes == 0) bytes = 1;
    Cache& c = cache();
    {
        std::lock_guard lock(c.mutex);
        auto it = c.free_blocks.find(bytes);
        if (it != c.free_blocks.end() && !it->second.empty()) {
            void* block = it->second.back();
            it->second.pop_back();
            c.stats.cached_bytes -= bytes;
            ++c.stats.hits;
            return block;
        }
        ++c.stats.misses;
    }
    // 64-byte alignment: whole cache lines, and aligned vector loads
    void* block = std::aligned_alloc(64, (bytes + 63) / 64 * 64);
    if (!block) throw std::bad_alloc();
    return block;
}

void release(void* block, std::size_t bytes) {
    if (!block) return;
    if (bytes == 0) bytes = 1;
    Cache& c = cache();
    {
        std::lock_guard lock(c.mutex);
        if (c.stats.cached_bytes + bytes <= kMaxCachedBytes) {
            c.free_blocks[bytes].push_back(block);
            c.stats.cached_bytes += bytes;
            return;
        }
    }
    std::free(block);
}

Stats stats() {
    std::lock_guard lock(cache().mutex);
    return cache().stats;
}

void clear_cache() {
    Cache& c = cache();
    std::lock_guard lock(c.mutex);
    for (auto& [bytes, blocks] : c.free_blocks)
        for (void* b : blocks) std::free(b);
    c.free_blocks.clear();
    c.stats.cached_bytes = 0;
}

}  // namespace mmgen::storage
