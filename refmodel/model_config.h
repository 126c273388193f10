// refmodel/model_config.h — the shape of an RWKV-5.2 ("Eagle", x052), RWKV-6 ("Finch", x060)
// or RWKV-7 ("Goose", x070) model, inferred from a checkpoint's tensor names and shapes
// (docs/refmodel.md), never hard-coded. Values only; thread-safe.
#ifndef RWKVKIT_REFMODEL_MODEL_CONFIG_H_
#define RWKVKIT_REFMODEL_MODEL_CONFIG_H_

#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace rwkvkit::refmodel {

enum class ModelVersion { kV5_2, kV6_0, kV7_0 };

std::string_view VersionName(ModelVersion v);  // "5.2" / "6.0" / "7.0"

// The LoRA ranks of one RWKV-7 layer (read per layer: nothing says they are equal).
struct V7Ranks {
  int decay = 0;  // Dw: att.w1 [D, Dw], att.w2 [Dw, D]
  int a = 0;      // Da: att.a1 [D, Da] (in-context learning rate)
  int value = 0;  // Dv: att.v1 [D, Dv] (value residual); 0 for layer 0, which has none in use
  int gate = 0;   // Dg: att.g1 [D, Dg]
};

struct ModelConfig {
  ModelVersion version = ModelVersion::kV6_0;
  int n_layer = 0;
  int n_embd = 0;     // D
  int n_att = 0;      // A (= D in released models)
  int n_head = 0;     // H
  int head_size = 0;  // N = A / H (64 in released models)
  int n_ffn = 0;      // F
  int vocab_size = 0; // V (65536 for World models)
  int time_mix_lora = 0;    // v6: Dm (time_maa_w1 is [D, 5*Dm]); 0 for v5.2
  int time_decay_lora = 0;  // v6: Dd (time_decay_w1 is [D, Dd]); 0 for v5.2
  std::vector<V7Ranks> v7_ranks;  // v7: one per layer; empty for v5.2/v6
};

class TensorSet;  // refmodel/checkpoint/tensor.h

// InferConfig()
// The version and every size from tensor names and shapes only. RWKV-7 iff
// blocks.0.att.r_k exists (also k_k / x_r / w0 mark it: then r_k must be there); H, N from r_k
// [H, N], the LoRA ranks per layer from w1/a1/v1/g1 (layer 0's v0/v1/v2 never looked at).
// kUnimplemented for RWKV-4 (no att.ln_x), 5.0 (no att.gate), 5.1 (per-head scalar
// time_decay) and RWKV-7 "DeepEmbed" files (ffn.s_emb / s0 / s1 / s2), naming the version;
// kInvalidArgument "path: ..." for a missing tensor or a size that does not fit the others.
// Does not check every tensor (LoadModel does). Defined in model_config.cc, built into
// rwkvkit_refmodel_weights.
absl::StatusOr<ModelConfig> InferConfig(const TensorSet& tensors);

}  // namespace rwkvkit::refmodel

#endif  // RWKVKIT_REFMODEL_MODEL_CONFIG_H_
