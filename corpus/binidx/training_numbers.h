// corpus/binidx/training_numbers.h — the numbers RWKV-LM's trainer needs for a token count:
// `--my_exit_tokens` and `--magic_prime` (docs/formats/binidx.md, docs/cli.md "merge").
//
// The rule is RWKV-LM's make_data.py (and compute_magic_prime.py), reproduced exactly: a
// magic prime exists only when tokens >= 3*ctx_len; then n_chunk = tokens/ctx_len - 1 and
// the magic prime is the largest i in [1, n_chunk] with i % 3 == 2 and i prime. The trainer
// visits ctx_len-sized slot ((factor * ii^3) mod p) in turn, which is a permutation because
// p is prime and p % 3 == 2. Thread-safe: pure functions. Depends on std + Abseil only.
#ifndef RWKVKIT_CORPUS_BINIDX_TRAINING_NUMBERS_H_
#define RWKVKIT_CORPUS_BINIDX_TRAINING_NUMBERS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace rwkvkit::binidx {

struct TrainingNumbers {
  uint64_t my_exit_tokens = 0;  // --my_exit_tokens: the total token count
  uint64_t ctx_len = 0;
  std::optional<uint64_t> magic_prime;  // --magic_prime; none below 3*ctx_len tokens
  // RWKV-LM's trainer also asserts 0.9 < magic_prime / (tokens / ctx_len) <= 1. make_data
  // does not check it and small data sets fail it (e.g. 3 slots give p = 2); false then.
  bool trainer_accepts = false;
};

// IsPrime()
// Deterministic Miller-Rabin for every 64-bit n (bases 2..37 are enough below 3.3e24).
bool IsPrime(uint64_t n);

// MagicPrime()
// The make_data.py rule above; nullopt when tokens < 3*ctx_len or ctx_len == 0.
std::optional<uint64_t> MagicPrime(uint64_t tokens, uint64_t ctx_len);

// ComputeTrainingNumbers()
// kInvalidArgument for ctx_len == 0.
absl::StatusOr<TrainingNumbers> ComputeTrainingNumbers(uint64_t tokens, uint64_t ctx_len);

// TrainingProblem()
// "" when the trainer accepts the numbers; else why not, in one line, with the largest
// power-of-two ctx_len below this one that would work (if any).
std::string TrainingProblem(const TrainingNumbers& t);

// LargestTrainableCtxLen()
// The largest power of two below `ctx_len` whose numbers the trainer accepts for `tokens`.
std::optional<uint64_t> LargestTrainableCtxLen(uint64_t tokens, uint64_t ctx_len);

// The two RWKV-LM trainers: RWKV-v5/train.py (models x052 = RWKV-5, x060 = RWKV-6; the
// dataset asserts run with --my_pile_stage > 0) and RWKV-v7/train_temp/train.py (x070;
// --train_stage, asserts always). Both open `--data_file` as one binidx prefix.
enum class Trainer { kV5, kV7 };

// TrainerCommand()
// `python train.py` with the data flags for `data_file` (shell-quoted when needed):
// --data_file --data_type binidx --vocab_size 65536 --ctx_len, the stage flag (3 = train),
// --my_exit_tokens and --magic_prime. The model, batch and optimizer flags are the user's.
// Requires t.magic_prime.
std::string TrainerCommand(Trainer trainer, std::string_view data_file, const TrainingNumbers& t);

}  // namespace rwkvkit::binidx

#endif  // RWKVKIT_CORPUS_BINIDX_TRAINING_NUMBERS_H_
