#pragma once
// Storage for tensor values: a caching allocator.
//
// A training step allocates the same buffer sizes every time (activations, gradients) and
// frees them all when the graph goes away. Returning that memory to the system and asking for
// it again costs page faults on first touch of every fresh page; instead, a freed block goes
// onto a free list for its exact size and the next request of that size takes it back — the
// idea behind PyTorch's caching allocator, in its simplest form. Memory use per step stays flat:
// after the first step every request is a hit.
//
// Buffer is std::vector with this allocator; its elements are default-initialised, so
// Tensor::empty() does not spend a pass writing zeros that an op will overwrite anyway.
#include <cstddef>
#include <new>
#include <utility>
#include <vector>

#include <mmgen/core/real.hpp>

namespace mmgen::storage {

void* acquire(std::size_t bytes);            // from the cache, or a new block
void release(void* block, std::size_t bytes);  // back to the cache (freed if the cache is full)

struct Stats {
    std::size_t cached_bytes = 0;  // held in free lists
    std::size_t hits = 0;          // requests served from the cache
    std::size_t misses = 0;        // requests that allocated
};
Stats stats();
void clear_cache();  // frees every cached block

template <class T>
struct PoolAllocator {
    using value_type = T;
    PoolAllocator() = default;
    template <class U>
    PoolAllocator(const PoolAllocator<U>&) noexcept {}
    T* allocate(std::size_t n) { return static_cast<T*>(acquire(n * sizeof(T))); }
    void deallocate(T* p, std::size_t n) noexcept { release(p, n * sizeof(T)); }
    template <class U>
    void construct(U* p) noexcept {
        ::new (static_cast<void*>(p)) U;  // default-initialise: no zeroing
    }
    template <class U, class... Args>
    void construct(U* p, Args&&... args) {
        ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
    }
    template <class U>
    bool operator==(const PoolAllocator<U>&) const noexcept { return true; }
};

}  // namespace mmgen::storage

namespace mmgen {
using Buffer = std::vector<real, storage::PoolAllocator<real>>;
}
