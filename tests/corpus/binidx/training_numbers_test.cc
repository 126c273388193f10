// tests/corpus/binidx/training_numbers_test.cc — --my_exit_tokens and --magic_prime against
// RWKV-LM's README example and a literal transcription of make_data.py's scan.
#include "corpus/binidx/training_numbers.h"

#include "absl/strings/str_cat.h"

#include <cstdint>
#include <limits>
#include <optional>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace rwkvkit::binidx {
namespace {

// make_data.py's is_prime (trial division by 6k +- 1), slow but obviously right.
bool TrialDivisionIsPrime(uint64_t n) {
  if (n <= 1) return false;
  if (n <= 3) return true;
  if (n % 2 == 0 || n % 3 == 0) return false;
  for (uint64_t i = 5; i * i <= n; i += 6) {
    if (n % i == 0 || n % (i + 2) == 0) return false;
  }
  return true;
}

// make_data.py's scan, step for step: for i in range(n_chunk, 0, -1).
std::optional<uint64_t> MakeDataMagicPrime(uint64_t data_size, uint64_t ctx_len) {
  if (data_size < ctx_len * 3) return std::nullopt;
  const int64_t n_chunk = static_cast<int64_t>(data_size / ctx_len) - 1;
  for (int64_t i = n_chunk; i > 0; --i) {
    if (i % 3 == 2 && TrialDivisionIsPrime(static_cast<uint64_t>(i))) return static_cast<uint64_t>(i);
  }
  return std::nullopt;
}

TEST(TrainingNumbers, RwkvLmReadmeExample) {
  // README: 1498226207 tokens at ctx_len 4096 -> --magic_prime 365759.
  EXPECT_EQ(MagicPrime(1498226207, 4096), 365759u);
  absl::StatusOr<TrainingNumbers> t = ComputeTrainingNumbers(1498226207, 4096);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->my_exit_tokens, 1498226207u);
  EXPECT_EQ(t->ctx_len, 4096u);
  EXPECT_EQ(t->magic_prime, 365759u);
  EXPECT_TRUE(t->trainer_accepts);
}

TEST(TrainingNumbers, NoneBelowThreeContexts) {
  EXPECT_EQ(MagicPrime(0, 4096), std::nullopt);
  EXPECT_EQ(MagicPrime(3 * 4096 - 1, 4096), std::nullopt);
  EXPECT_EQ(MagicPrime(3 * 4096, 4096), 2u);  // n_chunk = 2
  absl::StatusOr<TrainingNumbers> t = ComputeTrainingNumbers(100, 4096);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->my_exit_tokens, 100u);
  EXPECT_FALSE(t->magic_prime.has_value());
  EXPECT_FALSE(t->trainer_accepts);
}

TEST(TrainingNumbers, TrainerRatioCheck) {
  // 3 slots -> p = 2: 2/3 fails the trainer's 0.9 < p/slots.
  absl::StatusOr<TrainingNumbers> t = ComputeTrainingNumbers(3 * 512, 512);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->magic_prime, 2u);
  EXPECT_FALSE(t->trainer_accepts);
  // 1000 slots: n_chunk 999 -> 983 (983 % 3 == 2, prime); 983/1000 > 0.9.
  t = ComputeTrainingNumbers(1000 * 512 + 511, 512);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->magic_prime, 983u);
  EXPECT_TRUE(t->trainer_accepts);
}

TEST(TrainingNumbers, ZeroContextIsInvalid) {
  EXPECT_EQ(ComputeTrainingNumbers(1000, 0).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(MagicPrime(1000, 0), std::nullopt);
}

TEST(TrainingNumbers, MatchesMakeDataScanOnSmallNumbers) {
  for (uint64_t ctx : {1u, 2u, 3u, 5u, 16u, 4096u}) {
    for (uint64_t tokens = 0; tokens < 4000 * ctx; tokens += (ctx > 16 ? ctx / 3 + 1 : 1)) {
      ASSERT_EQ(MagicPrime(tokens, ctx), MakeDataMagicPrime(tokens, ctx)) << tokens << " tokens, ctx " << ctx;
    }
  }
}

TEST(TrainingNumbers, IsPrimeMatchesTrialDivision) {
  for (uint64_t n = 0; n < 200000; ++n) ASSERT_EQ(IsPrime(n), TrialDivisionIsPrime(n)) << n;
  for (uint64_t n = (uint64_t{1} << 32) - 2000; n < (uint64_t{1} << 32) + 2000; ++n) {
    ASSERT_EQ(IsPrime(n), TrialDivisionIsPrime(n)) << n;
  }
}

TEST(TrainingNumbers, IsPrimeOnHardCases) {
  EXPECT_TRUE(IsPrime((uint64_t{1} << 61) - 1));     // Mersenne prime
  EXPECT_TRUE(IsPrime(18446744073709551557u));        // largest 64-bit prime
  EXPECT_FALSE(IsPrime(18446744073709551615u));       // 2^64 - 1
  EXPECT_FALSE(IsPrime(561));                         // Carmichael
  EXPECT_FALSE(IsPrime(3215031751u));                 // strong pseudoprime to bases 2, 3, 5, 7
  EXPECT_FALSE(IsPrime(3825123056546413051u));        // strong pseudoprime to bases 2..23
  EXPECT_FALSE(IsPrime(4294967297u));                 // 641 * 6700417
  EXPECT_FALSE(IsPrime(uint64_t{4294967291} * 4294967279u));  // product of two 32-bit primes
}

TEST(TrainingNumbers, LargestInputsDoNotOverflow) {
  const uint64_t max = std::numeric_limits<uint64_t>::max();
  const std::optional<uint64_t> p = MagicPrime(max, 1);
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(*p % 3, 2u);
  EXPECT_TRUE(IsPrime(*p));
  for (uint64_t i = *p + 3; i <= max - 1 && i > *p; i += 3) EXPECT_FALSE(IsPrime(i)) << i;
  EXPECT_EQ(MagicPrime(max, max / 3 + 1), std::nullopt);  // 3 * ctx_len would overflow
  EXPECT_EQ(MagicPrime(max, max / 3), 2u);
}

// The trainer's assert, literally: 0.9 < p / slots <= 1 in floating point, as dataset.py does.
bool TrainerAccepts(uint64_t tokens, uint64_t ctx_len) {
  const std::optional<uint64_t> p = MakeDataMagicPrime(tokens, ctx_len);
  if (!p) return false;
  const double ratio = static_cast<double>(*p) / static_cast<double>(tokens / ctx_len);
  return ratio > 0.9 && ratio <= 1;
}

TEST(TrainingNumbers, TrainingProblemAndTheLargestCtxLenThatWorks) {
  for (uint64_t tokens : {0u, 100u, 3u * 64, 13u * 64, 227u * 64 + 63, 228u * 64, 5000u, 80505u}) {
    for (uint64_t ctx : {1u, 8u, 16u, 64u, 100u, 4096u}) {
      absl::StatusOr<TrainingNumbers> t = ComputeTrainingNumbers(tokens, ctx);
      ASSERT_TRUE(t.ok());
      EXPECT_EQ(t->trainer_accepts, TrainerAccepts(tokens, ctx)) << tokens << " " << ctx;
      EXPECT_EQ(TrainingProblem(*t).empty(), t->trainer_accepts);
      const std::optional<uint64_t> smaller = LargestTrainableCtxLen(tokens, ctx);
      std::optional<uint64_t> want;
      for (uint64_t c = 1; c < ctx; c *= 2)
        if (TrainerAccepts(tokens, c)) want = c;
      EXPECT_EQ(smaller, want) << tokens << " " << ctx;
      if (!t->trainer_accepts && smaller) {
        EXPECT_THAT(TrainingProblem(*t), ::testing::HasSubstr(absl::StrCat("--ctx-len ", *smaller)));
      }
    }
  }
  absl::StatusOr<TrainingNumbers> t = ComputeTrainingNumbers(150, 40);  // 3 slots: p = 2
  EXPECT_THAT(TrainingProblem(*t), ::testing::HasSubstr("150 tokens make 3 slots of ctx_len 40"));
  EXPECT_THAT(TrainingProblem(*t), ::testing::HasSubstr("p / slots = 0.667"));
  t = ComputeTrainingNumbers(100, 4096);
  EXPECT_THAT(TrainingProblem(*t), ::testing::HasSubstr("100 tokens are fewer than 3 x ctx_len (4096)"));
  // From 228 slots on the trainer always accepts (checked here up to 20000 slots).
  for (uint64_t slots = 228; slots < 20000; ++slots) ASSERT_TRUE(TrainerAccepts(slots * 16, 16)) << slots;
  EXPECT_FALSE(TrainerAccepts(227 * 16, 16));
}

TEST(TrainingNumbers, TrainerCommands) {
  absl::StatusOr<TrainingNumbers> t = ComputeTrainingNumbers(1498226207, 512);
  ASSERT_TRUE(t.ok());
  // RWKV-LM's demo-training-run.sh: minipile at ctx_len 512 -> --magic_prime 2926181.
  EXPECT_EQ(TrainerCommand(Trainer::kV5, "data/minipile", *t),
            "python train.py --data_file data/minipile --data_type binidx --vocab_size 65536 --ctx_len 512 "
            "--my_pile_stage 3 --my_exit_tokens 1498226207 --magic_prime 2926181");
  EXPECT_EQ(TrainerCommand(Trainer::kV7, "my data/it's", *t),
            "python train.py --data_file 'my data/it'\\''s' --data_type binidx --vocab_size 65536 --ctx_len 512 "
            "--train_stage 3 --my_exit_tokens 1498226207 --magic_prime 2926181");
}

}  // namespace
}  // namespace rwkvkit::binidx
