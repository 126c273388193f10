// refmodel/cuda/cuda_model.h — the CUDA forward pass of RWKV-5.2 ("Eagle", x052), RWKV-6
// ("Finch", x060) and RWKV-7 ("Goose", x070), batched over B sequences, with per-target NLL
// computed on the GPU (the logits never leave it). The equations are those of the CPU twin
// (refmodel/cpu/cpu_forward.h); tests/refmodel/cuda compares per-token NLL with it and with the
// official package's numbers.
//
// Precision (docs/refmodel.md, "The CUDA path"): the residual stream, norms, mixes, decays, the
// WKV state and the log-softmax are fp32; the matrices and the activations fed to them are in
// the dtype (kFp32, kBf16, kFp16), products accumulate in fp32; kFp16 applies the official
// rescale every 6 layers. State: att_x, ffn_x [L, capacity, D] fp32 and wkv [L, capacity, H,
// N, N] fp32 (key-major for v5/v6, value-major for v7); a call with B ≤ capacity uses rows
// 0..B-1. Memory (weights, scratch per row, measured sizes): docs/refmodel.md.
//
// Threading: a CudaModel owns one CUDA stream, one cuBLAS handle and its scratch: one thread at
// a time per model. Calls are synchronous. Not here: state-tuned initial states, int8, multi-GPU.
#ifndef RWKVKIT_REFMODEL_CUDA_CUDA_MODEL_H_
#define RWKVKIT_REFMODEL_CUDA_CUDA_MODEL_H_

#include <cstdint>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "refmodel/model_weights.h"

namespace rwkvkit::refmodel {

enum class CudaDType { kFp32, kBf16, kFp16 };
std::string_view CudaDTypeName(CudaDType d);  // "fp32", "bf16", "fp16"

// CudaDeviceCount()
// The number of visible CUDA devices (0 when there is no driver or device).
int CudaDeviceCount();

class CudaModel {
 public:
  // Create()
  // Uploads `w` converted to `dtype` to device `device`. kFailedPrecondition when there is no
  // such device; kInvalidArgument for a config the kernels do not support (head size not 32 or
  // 64) or weights whose sizes differ from the config; kResourceExhausted when the device
  // memory runs out; kInternal for any other CUDA/cuBLAS error (naming the call).
  static absl::StatusOr<std::unique_ptr<CudaModel>> Create(const ModelWeights& w, CudaDType dtype, int device);
  ~CudaModel();
  CudaModel(const CudaModel&) = delete;
  CudaModel& operator=(const CudaModel&) = delete;

  // Device-side recurrent state for up to capacity() sequences (see the banner).
  class State {
   public:
    State() = default;
    ~State();
    State(State&& o) noexcept;
    State& operator=(State&& o) noexcept;
    int capacity() const { return capacity_; }

    // Device buffers; read and written by the forward pass only.
    int capacity_ = 0;
    float* att_x_ = nullptr;  // [L, capacity, D]
    float* ffn_x_ = nullptr;  // [L, capacity, D]
    float* wkv_ = nullptr;    // [L, capacity, H, N, N]
  };

  const ModelConfig& config() const;
  CudaDType dtype() const;

  // NewState()
  // All zeros (a fresh document in every row). kResourceExhausted when it does not fit.
  absl::StatusOr<State> NewState(int capacity);
  // ResetState()
  // Zeros every row again.
  absl::Status ResetState(State& state);

  // ForwardNll()
  // B sequences of T tokens each, continuing from `state` (rows 0..B-1), which is updated to the
  // state after token T-1 of each row. tokens, targets: [B, T] row-major host (each < V);
  // nll: [B, T] host fp64, written: nll[b, t] = -log softmax(logits[b, t])[targets[b, t]].
  // Padding a shorter sequence with any tokens only changes its own row after its end.
  // kInvalidArgument for a bad size, B > capacity or a token ≥ V; CUDA errors as in Create.
  absl::Status ForwardNll(std::span<const uint16_t> tokens, std::span<const uint16_t> targets, int B, int T,
                          State& state, std::span<double> nll);

  // ForwardLogits()
  // As ForwardNll, but copies the logits [B, T, V] fp32 to the host (for tests and small
  // vocabularies; the evaluator uses ForwardNll).
  absl::Status ForwardLogits(std::span<const uint16_t> tokens, int B, int T, State& state,
                             std::vector<float>& logits);

  class Impl;

 private:
  explicit CudaModel(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace rwkvkit::refmodel

#endif  // RWKVKIT_REFMODEL_CUDA_CUDA_MODEL_H_
