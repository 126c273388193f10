// tests/refmodel/cpu/random_model.h — a random RWKV-5.2 / 6 / 7 model from a seed, for tests
// of the forward pass (no checkpoint needed). Scales are chosen so that activations stay O(1),
// decays span (0.05, 0.95), and logits have a spread of a few nats, like a real model's.
// Deterministic: the same (config, seed) gives the same weights on every machine (it uses
// its own splitmix64 + Box-Muller, not <random>'s implementation-defined distributions).
#ifndef RWKVKIT_TESTS_REFMODEL_CPU_RANDOM_MODEL_H_
#define RWKVKIT_TESTS_REFMODEL_CPU_RANDOM_MODEL_H_

#include <cstdint>
#include <vector>

#include "refmodel/model_weights.h"

namespace rwkvkit::refmodel::testing {

// A config with A = D = H·N, F = 3.5·D rounded to 32 (at least 32), and for v6 the given
// LoRA widths. V may be anything ≥ 1.
ModelConfig MakeConfig(ModelVersion version, int n_layer, int n_head, int head_size, int vocab,
                       int n_ffn = 0, int dm = 32, int dd = 64);

// An RWKV-7 config: D = A = H·N, F = 4·D, the same LoRA ranks in every layer (layer 0's value
// rank is 0: it has no value-residual LoRA).
ModelConfig MakeConfigV7(int n_layer, int n_head, int head_size, int vocab, V7Ranks ranks);

// Random weights for `config` (its sizes must be consistent). Single-threaded.
ModelWeights RandomModel(const ModelConfig& config, uint64_t seed);

// `n` random token ids in [0, vocab), from `seed`.
std::vector<uint16_t> RandomTokens(int n, int vocab, uint64_t seed);

}  // namespace rwkvkit::refmodel::testing

#endif  // RWKVKIT_TESTS_REFMODEL_CPU_RANDOM_MODEL_H_
