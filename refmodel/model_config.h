// refmodel/model_config.h — the shape of an RWKV-5.2 ("Eagle", x052) or RWKV-6 ("Finch",
// x060) model, inferred from a checkpoint's tensor names and shapes (spec/refmodel.md §2.2),
// never hard-coded. Values only; thread-safe.
#ifndef RWKVKIT_REFMODEL_MODEL_CONFIG_H_
#define RWKVKIT_REFMODEL_MODEL_CONFIG_H_

#include <string_view>

#include "absl/status/statusor.h"

namespace rwkvkit::refmodel {

enum class ModelVersion { kV5_2, kV6_0 };

std::string_view VersionName(ModelVersion v);  // "5.2" / "6.0"

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
};

class TensorSet;  // refmodel/checkpoint/tensor.h

// InferConfig()
// The version and every size from tensor names and shapes only (spec/refmodel.md §2.2).
// kUnimplemented for RWKV-4 (no att.ln_x), 5.0 (no att.gate), 5.1 (per-head scalar
// time_decay) and RWKV-7 (att.k_k / att.x_r / att.w0), naming the version;
// kInvalidArgument "path: ..." for a missing tensor or a size that does not fit the others.
// Does not check every tensor (LoadModel does). Defined in model_config.cc, built into
// rwkvkit_refmodel_weights.
absl::StatusOr<ModelConfig> InferConfig(const TensorSet& tensors);

}  // namespace rwkvkit::refmodel

#endif  // RWKVKIT_REFMODEL_MODEL_CONFIG_H_
