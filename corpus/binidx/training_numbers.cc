// corpus/binidx/training_numbers.cc — --my_exit_tokens and --magic_prime (training_numbers.h).
#include "corpus/binidx/training_numbers.h"

#include "absl/status/status.h"

namespace rwkvkit::binidx {
namespace {

uint64_t MulMod(uint64_t a, uint64_t b, uint64_t m) {
  return static_cast<uint64_t>(static_cast<unsigned __int128>(a) * b % m);
}

uint64_t PowMod(uint64_t base, uint64_t e, uint64_t m) {
  uint64_t r = 1;
  base %= m;
  while (e > 0) {
    if (e & 1) r = MulMod(r, base, m);
    base = MulMod(base, base, m);
    e >>= 1;
  }
  return r;
}

}  // namespace

bool IsPrime(uint64_t n) {
  constexpr uint64_t kBases[] = {2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37};
  if (n < 2) return false;
  for (uint64_t p : kBases) {
    if (n % p == 0) return n == p;
  }
  uint64_t d = n - 1;
  int s = 0;
  while ((d & 1) == 0) {
    d >>= 1;
    ++s;
  }
  for (uint64_t a : kBases) {
    uint64_t x = PowMod(a, d, n);
    if (x == 1 || x == n - 1) continue;
    bool composite = true;
    for (int r = 1; r < s && composite; ++r) {
      x = MulMod(x, x, n);
      composite = x != n - 1;
    }
    if (composite) return false;
  }
  return true;
}

std::optional<uint64_t> MagicPrime(uint64_t tokens, uint64_t ctx_len) {
  // tokens >= 3*ctx_len, written so that 3*ctx_len cannot overflow.
  if (ctx_len == 0 || tokens / 3 < ctx_len) return std::nullopt;
  const uint64_t n_chunk = tokens / ctx_len - 1;  // >= 2
  // make_data scans i = n_chunk, n_chunk-1, ..., 1; only i % 3 == 2 can match.
  for (uint64_t i = n_chunk - (n_chunk + 1) % 3; i >= 2; i -= 3) {
    if (IsPrime(i)) return i;
  }
  return std::nullopt;  // unreachable: 2 is prime and n_chunk >= 2
}

absl::StatusOr<TrainingNumbers> ComputeTrainingNumbers(uint64_t tokens, uint64_t ctx_len) {
  if (ctx_len == 0) return absl::InvalidArgumentError("ctx_len must be at least 1 (saw 0)");
  TrainingNumbers t;
  t.my_exit_tokens = tokens;
  t.ctx_len = ctx_len;
  t.magic_prime = MagicPrime(tokens, ctx_len);
  if (t.magic_prime) {
    const uint64_t slots = tokens / ctx_len;
    // 0.9 < p / slots <= 1, in integers: 9 * slots < 10 * p and p <= slots.
    t.trainer_accepts = static_cast<unsigned __int128>(slots) * 9 < static_cast<unsigned __int128>(*t.magic_prime) * 10 &&
                        *t.magic_prime <= slots;
  }
  return t;
}

}  // namespace rwkvkit::binidx
