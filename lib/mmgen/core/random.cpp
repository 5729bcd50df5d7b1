#include <mmgen/core/random.hpp>

#include <algorithm>
#include <cmath>
#include <numbers>

#include <mmgen/core/vector_math.hpp>

namespace mmgen {

namespace {
std::uint64_t splitmix64(std::uint64_t& x) {
    std::uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}
std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
}  // namespace

Rng::Rng(std::uint64_t seed) {
    // splitmix64 spreads a small seed over the 256-bit state (never all zero)
    for (auto& word : s_) word = splitmix64(seed);
}

std::uint64_t Rng::next_u64() {
    const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const std::uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
}

double Rng::uniform() { return static_cast<double>(next_u64() >> 11) * 0x1.0p-53; }

double Rng::uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }

double Rng::normal() {
    // Box–Muller: u1 in (0, 1] so log(u1) is finite
    const double u1 = 1.0 - uniform();
    const double u2 = uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
}

std::size_t Rng::below(std::size_t n) { return n == 0 ? 0 : static_cast<std::size_t>(next_u64() % n); }

void Rng::fill_normal(std::span<real> out, real mean, real stddev) {
    // The same draws as calling normal() for each value, in the same order; only the
    // transform runs over a block at a time, so it vectorises (vmath::box_muller).
    constexpr std::size_t kBlock = 256;
    double u1[kBlock], u2[kBlock], z[kBlock];
    for (std::size_t start = 0; start < out.size(); start += kBlock) {
        const std::size_t n = std::min(kBlock, out.size() - start);
        for (std::size_t i = 0; i < n; ++i) {
            u1[i] = 1.0 - uniform();
            u2[i] = uniform();
        }
        vmath::box_muller({u1, n}, {u2, n}, {z, n});
        for (std::size_t i = 0; i < n; ++i) out[start + i] = static_cast<real>(mean + stddev * z[i]);
    }
}

void Rng::fill_uniform(std::span<real> out, real lo, real hi) {
    for (auto& v : out) v = static_cast<real>(uniform(lo, hi));
}

}  // namespace mmgen
