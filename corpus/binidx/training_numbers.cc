// corpus/binidx/training_numbers.cc — --my_exit_tokens and --magic_prime (training_numbers.h).
#include "corpus/binidx/training_numbers.h"

#include <bit>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

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

std::optional<uint64_t> LargestTrainableCtxLen(uint64_t tokens, uint64_t ctx_len) {
  for (uint64_t c = std::bit_floor(ctx_len); c >= 1; c /= 2) {
    if (c == ctx_len) continue;
    absl::StatusOr<TrainingNumbers> t = ComputeTrainingNumbers(tokens, c);
    if (t.ok() && t->trainer_accepts) return c;
  }
  return std::nullopt;
}

std::string TrainingProblem(const TrainingNumbers& t) {
  if (t.trainer_accepts) return "";
  const uint64_t slots = t.ctx_len ? t.my_exit_tokens / t.ctx_len : 0;
  std::string why;
  if (!t.magic_prime) {
    why = absl::StrCat(t.my_exit_tokens, " tokens are fewer than 3 x ctx_len (", t.ctx_len,
                       "): RWKV-LM has no --magic_prime for them");
  } else {
    why = absl::StrFormat(
        "%d tokens make %d slots of ctx_len %d, and the largest prime p = 2 (mod 3) below the slot count, %d, gives "
        "p / slots = %.3f; RWKV-LM's trainer asserts 0.9 < p / slots <= 1",
        t.my_exit_tokens, slots, t.ctx_len, *t.magic_prime,
        static_cast<double>(*t.magic_prime) / static_cast<double>(slots));
  }
  const std::optional<uint64_t> smaller = LargestTrainableCtxLen(t.my_exit_tokens, t.ctx_len);
  return absl::StrCat("too small to train on: ", why, "; add data (228 x ctx_len tokens or more always work)",
                      smaller ? absl::StrCat(" or use --ctx-len ", *smaller, ", the largest power of two that works")
                              : std::string());
}

namespace {

// The argument as one shell word: unchanged when it is plainly safe, else single-quoted.
std::string ShellWord(std::string_view s) {
  const bool safe = !s.empty() && s.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                                      "0123456789_-./+=:,@%") == std::string_view::npos;
  if (safe) return std::string(s);
  std::string out = "'";
  for (const char c : s) {
    if (c == '\'') out += "'\\''";
    else out.push_back(c);
  }
  return out + "'";
}

}  // namespace

std::string TrainerCommand(Trainer trainer, std::string_view data_file, const TrainingNumbers& t) {
  return absl::StrCat("python train.py --data_file ", ShellWord(data_file),
                      " --data_type binidx --vocab_size 65536 --ctx_len ", t.ctx_len,
                      trainer == Trainer::kV5 ? " --my_pile_stage 3" : " --train_stage 3", " --my_exit_tokens ",
                      t.my_exit_tokens, " --magic_prime ", t.magic_prime.value_or(0));
}

}  // namespace rwkvkit::binidx
