// refmodel/cuda/cuda_model.h — the CUDA forward pass of RWKV-5.2 ("Eagle", x052), RWKV-6
// ("Finch", x060) and RWKV-7 ("Goose", x070), batched over B sequences, with per-target NLL
// computed on the GPU. RWKV-7's layer (TimeMix7/ChannelMix7, its precision choices and its WKV
// kernel kernels/wkv7.h) is described in docs/refmodel.md, "RWKV-7"; its wkv state is value-major
// [L, capacity, H, N(value), N(key)] like its CPU twin's.
// Its twin is the CPU fp32 forward (refmodel/cpu/cpu_forward.h); tests/refmodel/cuda compares
// per-token NLL with it and with the official package's numbers.
//
// Equations: exactly those of cpu_forward.h (docs/refmodel.md). Per layer: LayerNorm, token
// shift + v5.2 mix or v6 data-dependent lerp (LoRA through cuBLAS), r/k/v/g and (v6) decay
// projections, WKV (kernels/wkv.h, chunked), GroupNorm ⊙ SiLU(g), output projection added into
// the residual, then ChannelMix (relu², sigmoid gate). Then LN_out, the head in row chunks and a
// fused log-softmax + NLL per row: the logits never leave the GPU.
//
// Precision (the official package's conventions for its fp16/bf16 strategies, docs/refmodel.md):
// - The residual stream x is fp32 in every dtype. LayerNorm/GroupNorm statistics, the token
//   shift, the mixes, w = exp(-exp(.)), u, the WKV state and its sums, sigmoid/SiLU and the
//   log-softmax are fp32; the norms' and mixes' parameters stay fp32 on the GPU.
// - The dtype (kFp32/kBf16/kFp16) is that of the matrices (projections, LoRA, head) and of the
//   activations fed to them (mixed inputs, tanh(LoRA), GN·g, relu²). Every matrix product is
//   cublasGemmEx with CUBLAS_COMPUTE_32F (fp32 accumulation). r, k, v and the decay come out in
//   fp32, as the package's matmul(..., output_dtype=float32) for r, k, v. The
//   products whose outputs the package keeps in the activation dtype write the dtype directly:
//   att.gate g, the v6 mix LoRA's second product, ffn.receptance,
//   ffn.key (relu² then squares it in place), ffn.value and the head (the logits: the NLL
//   kernel reads them in the dtype, so no fp32 logits are ever stored; ForwardLogits, the test
//   API, still returns fp32 products); their consumers (SiLU, the lerp, sigmoid, the residual
//   add, the log-softmax) still compute in fp32. The v6 decay exp(-exp(.)) is made inside the
//   WKV kernel (kernels::Wkv6ForwardRawDecay, bit-identical).
//   kFp32 uses fp32 inputs with the default math mode (no TF32), so it matches the CPU to ~1e-5.
// - kFp16 applies the official overflow guard (RESCALE_LAYER = 6): at upload att.output and
//   ffn.value of layer l are divided by 2^(l / 6), and x is halved after every layer l with
//   (l + 1) % 6 == 0. Exact up to rounding (every branch input passes a LayerNorm, so is
//   scale-invariant). We keep it although x is fp32 here, to follow the package's arithmetic;
//   what can still overflow in fp16 is relu(k)² > 65504 (|k| > 256), as in the package.
//   kBf16 needs no guard (the package applies none).
//
// State (device memory, per layer, for up to `capacity` rows): att_x, ffn_x [L, capacity, D]
// fp32 and wkv [L, capacity, H, N(key), N(value)] fp32 (key-major, like the CPU). A call with
// B ≤ capacity uses rows 0..B-1.
//
// Memory: the weights in the dtype (+ emb [V, D] fp32 and the fp32 vectors), plus scratch of
// roughly M·(8·D + 20·A) + M·(11·D + 2·A + F)·sizeof(dtype) bytes for M = B·T rows (grown on
// demand, kept), plus the
// head's logits for at most kHeadRows rows (≤ 1 GiB in fp32; half of it used in bf16/fp16). A 1.6B model in bf16 needs ~3.7 GB of
// weights; 7B ~15 GB. RWKV-7's scratch: 24·M·D + M·(15·D + F + max LoRA rank)·sizeof(dtype)
// bytes (measured: 7.1 GB in use for the 1.5B shape in bf16 at 16k rows, 20.9 GB for 7B).
//
// Threading: a CudaModel owns one CUDA stream and one cuBLAS handle and its scratch: use one
// model from one thread at a time (make one per thread/device otherwise). Calls are
// synchronous: they return after the results are on the host.
//
// Not here: RNN (one-token) mode as such (T = 1 is a normal call), state-tuned initial states,
// int8 weights, multi-GPU.
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
