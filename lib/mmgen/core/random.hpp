#pragma once
// Rng: a small, seeded, serialisable random number generator (xoshiro256**).
//
// Every function that draws random numbers takes an Rng& explicitly, so a run is fully
// determined by its seed. The state is four 64-bit words, which a checkpoint stores to
// resume a run exactly.
#include <array>
#include <cstdint>
#include <span>

#include <mmgen/core/real.hpp>

namespace mmgen {

class Rng {
public:
    explicit Rng(std::uint64_t seed = 0);

    std::uint64_t next_u64();
    double uniform();                          // [0, 1)
    double uniform(double lo, double hi);      // [lo, hi)
    double normal();                           // N(0, 1), Box–Muller
    std::size_t below(std::size_t n);          // uniform integer in [0, n)

    void fill_normal(std::span<real> out, real mean = 0, real stddev = 1);
    void fill_uniform(std::span<real> out, real lo, real hi);

    std::array<std::uint64_t, 4> state() const { return s_; }
    void set_state(const std::array<std::uint64_t, 4>& s) { s_ = s; }

private:
    std::array<std::uint64_t, 4> s_{};
};

}  // namespace mmgen
