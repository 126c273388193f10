// refmodel/model_weights.h — a model's parameters in fp32, preprocessed for the forward pass.
//
// LoadModel() reads an official .pth (without PyTorch) or a .safetensors file in fp32, fp16 or
// bf16, infers the ModelConfig, checks every shape against it, and applies the load-time
// preprocessing of the official `rwkv` package (docs/refmodel.md): emb := LayerNorm0(emb)
// (ln0 is then dropped), time_faaaa is u ("time_first"), v5.2 time_decay becomes
// w = exp(-exp(time_decay)), and every projection matrix is stored transposed as [in, out] so
// that y = x @ W. LayerNorm0 is rounded to the file's dtype for v5.2/v6 (the package's v5/v6
// loader folds it in the stored dtype) but not for v7 (its x070 loader casts to fp32 first).
// All arrays are row-major fp32 (about 4 bytes per parameter: a 1.6B model needs ~6.4 GB).
// Thread-safe: values only.
#ifndef RWKVKIT_REFMODEL_MODEL_WEIGHTS_H_
#define RWKVKIT_REFMODEL_MODEL_WEIGHTS_H_

#include <filesystem>
#include <vector>

#include "absl/status/statusor.h"
#include "refmodel/model_config.h"

namespace rwkvkit::refmodel {

// Shapes use D = n_embd, A = n_att, H = n_head, N = head_size, F = n_ffn, V = vocab_size,
// Dm = time_mix_lora, Dd = time_decay_lora.
struct LayerWeights {
  std::vector<float> ln1_w, ln1_b, ln2_w, ln2_b;  // [D]
  // TimeMix (attention)
  std::vector<float> att_r, att_k, att_v, att_g;  // [D, A]
  std::vector<float> att_o;                       // [A, D]
  std::vector<float> ln_x_w, ln_x_b;              // [A] (GroupNorm over H groups of N)
  std::vector<float> time_first;                  // u: [H * N]
  // v5.2: w = exp(-exp(time_decay)), [H * N]. v6: the raw time_decay, [A]; the per-token
  // decay is exp(-exp(time_decay + tanh(xw @ decay_w1) @ decay_w2)).
  std::vector<float> time_decay;
  // v5.2 token-shift mixes [D]
  std::vector<float> time_mix_k, time_mix_v, time_mix_r, time_mix_g;
  // v6 data-dependent token shift
  std::vector<float> maa_x, maa_w, maa_k, maa_v, maa_r, maa_g;  // [D]
  std::vector<float> maa_w1;    // [D, 5 * Dm]
  std::vector<float> maa_w2;    // [5, Dm, D]
  std::vector<float> decay_w1;  // [D, Dd]
  std::vector<float> decay_w2;  // [Dd, A]
  // ChannelMix (FFN); v5.2 time_mix_k/r or v6 time_maa_k/r
  std::vector<float> ffn_mix_k, ffn_mix_r;  // [D]
  std::vector<float> ffn_k;                 // [D, F]
  std::vector<float> ffn_r;                 // [D, D]
  std::vector<float> ffn_v;                 // [F, D]
  // RWKV-7 TimeMix (D = A; ranks Dw, Da, Dv, Dg of this layer in ModelConfig::v7_ranks);
  // att_r/k/v/o, ln_x_w/b, ffn_k/v and ffn_mix_k (ffn.x_k) above are shared with v5/v6.
  std::vector<float> x_r, x_w, x_k, x_v, x_a, x_g;  // [D] static token-shift mixes
  std::vector<float> w0, a0, v0;                    // [D] (v0 empty in layer 0)
  std::vector<float> w1, a1, v1, g1;                // [D, rank], input-major: x @ w1 (v1 empty in layer 0)
  std::vector<float> w2, a2, v2, g2;                // [rank, D] (v2 empty in layer 0)
  std::vector<float> k_k, k_a;                      // [D]
  std::vector<float> r_k;                           // [H * N] (att.r_k [H, N] flattened)
};

struct ModelWeights {
  ModelConfig config;
  std::vector<float> emb;                 // [V, D], LayerNorm0 already applied
  std::vector<float> ln_out_w, ln_out_b;  // [D]
  std::vector<float> head;                // [D, V]
  std::vector<LayerWeights> layers;
};

// LoadModel()
// `.pth` or `.safetensors` (by content, not extension). Errors: kNotFound (no file),
// kDataLoss (truncated/corrupt zip, pickle or tensor data; `path@offset: ...`),
// kInvalidArgument (a missing tensor or a shape that contradicts the others, naming the
// tensor and its shape), kUnimplemented (an unknown pickle opcode, a dtype other than
// fp32/fp16/bf16, or a version other than 5.2/6.0/7.0 — v4, v5.0/5.1 and RWKV-7 DeepEmbed
// are named as such).
absl::StatusOr<ModelWeights> LoadModel(const std::filesystem::path& path);

// BuildModel()
// LoadModel() after reading the file: InferConfig, check every shape, convert, preprocess.
// Optional tensors (att.time_state of state-tuned files; layer 0's att.v0/v1/v2 in RWKV-7,
// which no forward uses) and unknown extra tensors are ignored. Same errors as LoadModel.
absl::StatusOr<ModelWeights> BuildModel(const TensorSet& tensors);

}  // namespace rwkvkit::refmodel

#endif  // RWKVKIT_REFMODEL_MODEL_WEIGHTS_H_
