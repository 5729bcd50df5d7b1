// The caching allocator behind tensor buffers: memory per training step stays flat.
#include <catch2/catch.hpp>

#include <mmgen/models/vae.hpp>
#include <mmgen/nn/optim.hpp>
#include <mmgen/core/storage.hpp>

using namespace mmgen;

TEST_CASE("a repeated training step reuses its buffers instead of allocating new ones", "[storage]") {
    Rng rng(1);
    models::Vae vae(models::VaeConfig{64, 32, 4}, rng);
    optim::Adam adam(vae.parameters());
    Tensor x = Tensor::uniform({16, 64}, rng, 0, 1);
    auto step = [&] {
        adam.zero_grad();
        vae.negative_elbo(x, Tensor::randn({16, 4}, rng)).loss.backward();
        adam.step();
    };
    step();
    step();  // warm-up: the first steps fill the cache
    const auto before = storage::stats();
    for (int i = 0; i < 10; ++i) step();
    const auto after = storage::stats();
    INFO("misses " << before.misses << " → " << after.misses << ", hits " << before.hits << " → " << after.hits);
    REQUIRE(after.misses == before.misses);  // every buffer came from the cache
    REQUIRE(after.hits > before.hits);
    REQUIRE(after.cached_bytes == before.cached_bytes);  // and the same amount is back in it
}

TEST_CASE("a buffer of the same size is handed back from the cache", "[storage]") {
    const auto before = storage::stats();
    void* a = storage::acquire(12345);
    storage::release(a, 12345);
    void* b = storage::acquire(12345);
    REQUIRE(b == a);
    storage::release(b, 12345);
    REQUIRE(storage::stats().hits == before.hits + 1);
    storage::clear_cache();
    REQUIRE(storage::stats().cached_bytes == 0);
}
