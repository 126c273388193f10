// refmodel/model_config.cc — VersionName() and InferConfig(): the model's version and sizes
// from tensor names and shapes only, as the official rwkv package does (docs/refmodel.md).
// Part of rwkvkit_refmodel_weights (refmodel/checkpoint/CMakeLists.txt). Thread-safe.
#include "refmodel/model_config.h"

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "refmodel/checkpoint/internal/printable.h"
#include "refmodel/checkpoint/tensor.h"

namespace rwkvkit::refmodel {
namespace {

bool AnyNameContains(const TensorSet& s, std::string_view part) {
  for (const auto& [name, t] : s.tensors())
    if (name.find(part) != std::string::npos) return true;
  return false;
}

absl::Status Unsupported(const TensorSet& s, std::string_view version, std::string_view why) {
  return absl::UnimplementedError(absl::StrCat(s.path(), ": RWKV-", std::string(version),
                                               " checkpoint (", std::string(why),
                                               "); only RWKV-5.2, RWKV-6.0 and RWKV-7.0 are supported"));
}

// The tensor `name` with exactly `rank` dimensions, or kInvalidArgument naming it.
absl::StatusOr<const TensorView*> Need(const TensorSet& s, const std::string& name, size_t rank) {
  const TensorView* t = s.Find(name);
  if (t == nullptr) return absl::InvalidArgumentError(absl::StrCat(s.path(), ": missing tensor ", name));
  if (t->shape.size() != rank)
    return absl::InvalidArgumentError(absl::StrCat(s.path(), "@", t->file_offset, ": tensor ", name, " has shape ",
                                                   ShapeString(t->shape), ", expected ", rank, " dimensions"));
  return t;
}

absl::Status BadSize(const TensorSet& s, const TensorView& t, std::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat(s.path(), "@", t.file_offset, ": tensor ", checkpoint::Printable(t.name), " has shape ",
                                                 ShapeString(t.shape), ": ", std::string(why)));
}

// Version checked newest first: RWKV-7 by its own tensors (the rwkv package does not detect
// it; rwkv.cpp keys it on att.k_k), then v6/v5.x as ChatRWKV's loader does.
absl::StatusOr<ModelVersion> InferVersion(const TensorSet& s) {
  for (const char* v7 : {"blocks.0.att.r_k", "blocks.0.att.k_k", "blocks.0.att.x_r", "blocks.0.att.w0"}) {
    if (s.Find(v7) == nullptr) continue;
    // DeepEmbed x070 variants carry every x070 tensor plus these and change ChannelMix.
    for (const auto& [name, t] : s.tensors())
      for (const char* de : {".ffn.s_emb", ".ffn.s0", ".ffn.s1", ".ffn.s2"})
        if (absl::StartsWith(name, "blocks.") && absl::StrContains(name, de))
          return Unsupported(s, "7 DeepEmbed", absl::StrCat(checkpoint::Printable(name), " present"));
    return ModelVersion::kV7_0;
  }
  if (AnyNameContains(s, "time_maa")) return ModelVersion::kV6_0;
  if (!AnyNameContains(s, "ln_x")) return Unsupported(s, "4", "no att.ln_x");
  if (!AnyNameContains(s, "gate.weight")) return Unsupported(s, "5.0", "no att.gate.weight");
  const TensorView* td = s.Find("blocks.0.att.time_decay");
  if (td == nullptr)
    return absl::InvalidArgumentError(absl::StrCat(s.path(), ": missing tensor blocks.0.att.time_decay"));
  if (td->shape.size() != 2 || td->shape[1] <= 1)
    return Unsupported(s, "5.1", absl::StrCat("blocks.0.att.time_decay is ", ShapeString(td->shape),
                                              ", a per-head scalar decay"));
  return ModelVersion::kV5_2;
}

// n_layer = the count of consecutive blocks.<l>.ln1.weight; a block beyond it is an error.
absl::StatusOr<int> InferLayers(const TensorSet& s) {
  int n = 0;
  while (s.Find(absl::StrCat("blocks.", n, ".ln1.weight")) != nullptr) ++n;
  if (n == 0) return absl::InvalidArgumentError(absl::StrCat(s.path(), ": missing tensor blocks.0.ln1.weight"));
  for (const auto& [name, t] : s.tensors()) {
    if (!absl::StartsWith(name, "blocks.")) continue;
    const size_t dot = name.find('.', 7);
    int l = 0;
    if (dot != std::string::npos && absl::SimpleAtoi(name.substr(7, dot - 7), &l) && l >= n)
      return absl::InvalidArgumentError(absl::StrCat(s.path(), ": tensor ", checkpoint::Printable(name), " belongs to layer ", l,
                                                     " but blocks.", n, ".ln1.weight is missing"));
  }
  return n;
}

absl::Status InferLoraSizes(const TensorSet& s, ModelConfig& c) {
  RWKVKIT_ASSIGN_OR_RETURN(const TensorView* w1, Need(s, "blocks.0.att.time_maa_w1", 2));
  if (w1->shape[1] <= 0 || w1->shape[1] % 5 != 0) return BadSize(s, *w1, "its second dimension must be 5 * Dm");
  c.time_mix_lora = static_cast<int>(w1->shape[1] / 5);
  RWKVKIT_ASSIGN_OR_RETURN(const TensorView* d1, Need(s, "blocks.0.att.time_decay_w1", 2));
  if (d1->shape[1] <= 0) return BadSize(s, *d1, "Dd must be positive");
  c.time_decay_lora = static_cast<int>(d1->shape[1]);
  return absl::OkStatus();
}

// RWKV-7 sizes (docs/refmodel.md): H, N from blocks.0.att.r_k [H, N]; A = D; the LoRA ranks
// of every layer from the second dimension of w1, a1, v1 (layers >= 1 only) and g1.
absl::Status InferV7(const TensorSet& s, ModelConfig& c) {
  RWKVKIT_ASSIGN_OR_RETURN(const TensorView* rk, Need(s, "blocks.0.att.r_k", 2));
  c.n_head = static_cast<int>(rk->shape[0]);
  c.head_size = static_cast<int>(rk->shape[1]);
  if (c.n_head <= 0 || c.head_size <= 0 || static_cast<int64_t>(c.n_head) * c.head_size != c.n_embd)
    return BadSize(s, *rk, absl::StrCat("H * N must be n_embd ", c.n_embd, " (from emb.weight)"));
  c.n_att = c.n_embd;
  c.v7_ranks.resize(c.n_layer);
  for (int l = 0; l < c.n_layer; ++l) {
    V7Ranks& r = c.v7_ranks[l];
    const std::string b = absl::StrCat("blocks.", l, ".att.");
    struct Lora {
      const char* name;
      int* rank;
    };
    for (const Lora& lo : {Lora{"w1", &r.decay}, Lora{"a1", &r.a}, Lora{"v1", &r.value}, Lora{"g1", &r.gate}}) {
      if (l == 0 && std::string_view(lo.name) == "v1") continue;  // layer 0's value LoRA is never used
      RWKVKIT_ASSIGN_OR_RETURN(const TensorView* t, Need(s, b + lo.name, 2));
      if (t->shape[1] <= 0) return BadSize(s, *t, "its LoRA rank (second dimension) must be positive");
      *lo.rank = static_cast<int>(t->shape[1]);
    }
  }
  return absl::OkStatus();
}

}  // namespace

std::string_view VersionName(ModelVersion v) {
  switch (v) {
    case ModelVersion::kV5_2: return "5.2";
    case ModelVersion::kV6_0: return "6.0";
    case ModelVersion::kV7_0: return "7.0";
  }
  return "?";
}

absl::StatusOr<ModelConfig> InferConfig(const TensorSet& s) {
  ModelConfig c;
  RWKVKIT_ASSIGN_OR_RETURN(const TensorView* emb, Need(s, "emb.weight", 2));
  RWKVKIT_ASSIGN_OR_RETURN(c.version, InferVersion(s));
  RWKVKIT_ASSIGN_OR_RETURN(c.n_layer, InferLayers(s));
  c.vocab_size = static_cast<int>(emb->shape[0]);
  c.n_embd = static_cast<int>(emb->shape[1]);
  if (c.vocab_size <= 0 || c.n_embd <= 0) return BadSize(s, *emb, "V and D must be positive");
  if (c.version == ModelVersion::kV7_0) {
    RWKVKIT_ASSIGN_OR_RETURN(const TensorView* ffn, Need(s, "blocks.0.ffn.key.weight", 2));
    c.n_ffn = static_cast<int>(ffn->shape[0]);
    if (c.n_ffn <= 0) return BadSize(s, *ffn, "F must be positive");
    RWKVKIT_RETURN_IF_ERROR(InferV7(s, c));
    return c;
  }
  RWKVKIT_ASSIGN_OR_RETURN(const TensorView* key, Need(s, "blocks.0.att.key.weight", 2));
  c.n_att = static_cast<int>(key->shape[0]);
  RWKVKIT_ASSIGN_OR_RETURN(const TensorView* ffn, Need(s, "blocks.0.ffn.key.weight", 2));
  c.n_ffn = static_cast<int>(ffn->shape[0]);
  // n_head: time_decay [H, N] (5.2) or time_faaaa [H, N] (6.0).
  const std::string head_src = c.version == ModelVersion::kV5_2 ? "blocks.0.att.time_decay" : "blocks.0.att.time_faaaa";
  RWKVKIT_ASSIGN_OR_RETURN(const TensorView* h, Need(s, head_src, 2));
  c.n_head = static_cast<int>(h->shape[0]);
  if (c.n_att <= 0 || c.n_head <= 0 || c.n_att % c.n_head != 0)
    return BadSize(s, *h, absl::StrCat("n_head ", c.n_head, " does not divide n_att ", c.n_att,
                                       " (from blocks.0.att.key.weight ", ShapeString(key->shape), ")"));
  c.head_size = c.n_att / c.n_head;
  if (c.n_ffn <= 0) return BadSize(s, *ffn, "F must be positive");
  if (c.version == ModelVersion::kV6_0) RWKVKIT_RETURN_IF_ERROR(InferLoraSizes(s, c));
  return c;
}

}  // namespace rwkvkit::refmodel
