// base/hash_mix.h — the 64-bit mixers the project hashes and draws with, each written once:
// SplitMix64 (Steele, Lea and Flood 2014; its output function and its generator step) and
// murmur3's fmix64 finalizer. Pure constexpr functions; the same bits on every platform, so
// whatever is stored or sampled through them (MinHash parameters, compiled-vocab hashes,
// seeded samples) does not change.
#ifndef RWKVKIT_BASE_HASH_MIX_H_
#define RWKVKIT_BASE_HASH_MIX_H_

#include <cstdint>

namespace rwkvkit::base {

inline constexpr uint64_t kGoldenGamma = 0x9E3779B97F4A7C15ull;  // SplitMix64's increment

// SplitMix64's output function of one state.
constexpr uint64_t SplitMix64Mix(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

// SplitMix64 as a hash of x: the output of the state x + gamma.
constexpr uint64_t SplitMix64(uint64_t x) { return SplitMix64Mix(x + kGoldenGamma); }

// The generator: advances `state` by gamma and returns the output of the new state.
constexpr uint64_t SplitMix64Next(uint64_t& state) { return SplitMix64Mix(state += kGoldenGamma); }

// murmur3's fmix64.
constexpr uint64_t Fmix64(uint64_t x) {
  x ^= x >> 33;
  x *= 0xFF51AFD7ED558CCDull;
  x ^= x >> 33;
  x *= 0xC4CEB9FE1A85EC53ull;
  x ^= x >> 33;
  return x;
}

// SplitMix64's published test vector (state 1234567), checked when anything includes this.
static_assert([] {
  uint64_t state = 1234567;
  const uint64_t a = SplitMix64Next(state), b = SplitMix64Next(state), c = SplitMix64Next(state);
  return a == 6457827717110365317ull && b == 3203168211198807973ull && c == 9817491932198370423ull;
}());

}  // namespace rwkvkit::base

#endif  // RWKVKIT_BASE_HASH_MIX_H_
