// refmodel/cuda/cuda_model.cc — see cuda_model.h. Reads top-down: errors and uploads, the
// device weights, the scratch, the layer loop (TimeMix, ChannelMix, head + NLL), the public API.
// Every step names its CPU twin in refmodel/cpu/cpu_forward.cc by function.
//
// Performance notes (docs/benchmarks.md and docs/kernels_notes.md have the measured numbers):
// - Elementwise ops are separate kernels (ops.h), each one pass over [M, D]. The largest fp32
//   traffic is avoided: dtype outputs for g, the v6 mix LoRA,
//   ffn.receptance/key/value and the head (cuda_model.h), relu² in place, no delta buffer
//   (MaaApplyShift recomputes prev - a), the v6 decay made inside the WKV kernel. bf16 on an
//   H200: 108k → 116k → 141k tokens/s. LayerNorm fused into the shift-mix was tried and was 1%
//   slower (kernel notes).
// - The residual add of the output projection is the GEMM's beta = 1 (C = A·W + x), which is
//   the same single fp32 rounding as the CPU's x += out.
// - The head runs in chunks of kHeadRows rows so the logits (M × V) never need more than
//   ~1 GiB; each chunk is reduced to NLL right away by TokenNll.
#include "refmodel/cuda/cuda_model.h"

#include <cublas_v2.h>
#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>
#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_runtime.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <string>

#include "absl/strings/str_cat.h"
#include "kernels/wkv.h"
#include "kernels/wkv7.h"
#include "refmodel/cuda/ops.h"

namespace rwkvkit::refmodel {
namespace {

constexpr size_t kHeadLogitFloats = size_t{1} << 28;  // ≤ 1 GiB of fp32 logits per head chunk
constexpr int kRescaleLayer = 6;                        // the package's RESCALE_LAYER for fp16

absl::Status CudaError(cudaError_t e, const std::string& what) {
  const std::string msg = absl::StrCat(what, ": ", cudaGetErrorName(e), " (", cudaGetErrorString(e), ")");
  if (e == cudaErrorMemoryAllocation) return absl::ResourceExhaustedError(msg);
  if (e == cudaErrorNoDevice || e == cudaErrorInsufficientDriver || e == cudaErrorInvalidDevice)
    return absl::FailedPreconditionError(msg);
  return absl::InternalError(msg);
}

absl::Status CublasError(cublasStatus_t e, const std::string& what) {
  return absl::InternalError(absl::StrCat(what, ": cuBLAS status ", static_cast<int>(e)));
}

// The `what` argument is only built when the call failed.
#define RWKVKIT_CUDA(expr, what)                                             \
  do {                                                                       \
    if (const cudaError_t e_ = (expr); e_ != cudaSuccess) return CudaError(e_, what); \
  } while (0)

template <typename T>
struct DTypeOf;
template <>
struct DTypeOf<float> {
  static constexpr cudaDataType_t kCuda = CUDA_R_32F;
  static constexpr CudaDType kDType = CudaDType::kFp32;
  static float From(float x) { return x; }
};
template <>
struct DTypeOf<__half> {
  static constexpr cudaDataType_t kCuda = CUDA_R_16F;
  static constexpr CudaDType kDType = CudaDType::kFp16;
  static __half From(float x) { return __float2half_rn(x); }
};
template <>
struct DTypeOf<__nv_bfloat16> {
  static constexpr cudaDataType_t kCuda = CUDA_R_16BF;
  static constexpr CudaDType kDType = CudaDType::kBf16;
  static __nv_bfloat16 From(float x) { return __float2bfloat16_rn(x); }
};

}  // namespace

std::string_view CudaDTypeName(CudaDType d) {
  switch (d) {
    case CudaDType::kFp32: return "fp32";
    case CudaDType::kBf16: return "bf16";
    case CudaDType::kFp16: return "fp16";
  }
  return "?";
}

int CudaDeviceCount() {
  int n = 0;
  if (cudaGetDeviceCount(&n) != cudaSuccess) {
    (void)cudaGetLastError();  // clear the sticky "no device" error
    return 0;
  }
  return n;
}

// The device-independent part: config, stream, handle, allocations; the dtype-specific
// forward is ImplT<T> below.
class CudaModel::Impl {
 public:
  virtual ~Impl() {
    ReleaseStaging();
    if (handle_ != nullptr) cublasDestroy(handle_);
    if (stream_ != nullptr) cudaStreamDestroy(stream_);
    for (void* p : allocs_) cudaFree(p);
    if (scratch_ != nullptr) cudaFree(scratch_);
  }
  virtual CudaDType dtype() const = 0;
  // tokens/targets: [B, T] host. Exactly one of nll ([B, T] fp64) / logits ([B, T, V]) is set.
  virtual absl::Status Forward(std::span<const uint16_t> tokens, std::span<const uint16_t> targets, int B, int T,
                               State& state, double* nll, float* logits) = 0;

  ModelConfig config_;
  int device_ = 0;
  cudaStream_t stream_ = nullptr;
  cublasHandle_t handle_ = nullptr;
  std::vector<void*> allocs_;
  void* scratch_ = nullptr;
  size_t scratch_rows_ = 0;

 protected:
  absl::Status Alloc(size_t bytes, void** p, const std::string& what) {
    RWKVKIT_CUDA(cudaMalloc(p, std::max<size_t>(bytes, 1)), absl::StrCat("cudaMalloc ", bytes, " bytes for ", what));
    allocs_.push_back(*p);
    return absl::OkStatus();
  }
  // Copies `v` (fp32) converted to U (times `scale`) into a new device array, through the
  // staging buffer: each chunk converted by all cores (element by element: the same values for
  // any thread count), then one synchronous copy (a DMA when the buffer is pinned).
  template <typename U>
  absl::StatusOr<U*> Upload(const std::vector<float>& v, const std::string& what, float scale = 1.0f) {
    void* p = nullptr;
    if (absl::Status s = Alloc(v.size() * sizeof(U), &p, what); !s.ok()) return s;
    if (absl::Status s = EnsureStaging(); !s.ok()) return s;
    U* host = static_cast<U*>(staging_);
    const size_t chunk = kStagingBytes / sizeof(U);
    for (size_t off = 0; off < v.size(); off += chunk) {
      const size_t n = std::min(chunk, v.size() - off);
      tbb::parallel_for(tbb::blocked_range<size_t>(0, n, size_t{1} << 16), [&](const tbb::blocked_range<size_t>& r) {
        for (size_t i = r.begin(); i < r.end(); ++i) host[i] = DTypeOf<U>::From(v[off + i] * scale);
      });
      // synchronous for pinned and pageable host memory alike: the buffer is free again after it
      RWKVKIT_CUDA(cudaMemcpy(static_cast<U*>(p) + off, host, n * sizeof(U), cudaMemcpyHostToDevice),
                   absl::StrCat("upload ", what));
    }
    return static_cast<U*>(p);
  }
  // The staging buffer of Upload: kStagingBytes of pinned host memory, or of ordinary memory when
  // the driver will not pin that much. Released by ReleaseStaging (after the upload) or the
  // destructor.
  static constexpr size_t kStagingBytes = size_t{64} << 20;
  absl::Status EnsureStaging() {
    if (staging_ != nullptr) return absl::OkStatus();
    if (cudaMallocHost(&staging_, kStagingBytes) == cudaSuccess) {
      staging_pinned_ = true;
      return absl::OkStatus();
    }
    (void)cudaGetLastError();  // not sticky: clear it and stage in pageable memory instead
    staging_ = std::malloc(kStagingBytes);
    if (staging_ == nullptr) return absl::ResourceExhaustedError("cannot allocate the 64 MiB upload staging buffer");
    return absl::OkStatus();
  }
  void ReleaseStaging() {
    if (staging_ == nullptr) return;
    if (staging_pinned_) {
      cudaFreeHost(staging_);
    } else {
      std::free(staging_);
    }
    staging_ = nullptr;
    staging_pinned_ = false;
  }

 private:
  void* staging_ = nullptr;
  bool staging_pinned_ = false;
};

namespace {

using cuda_ops::MixArgs;

template <typename T>
class ImplT final : public CudaModel::Impl {
 public:
  CudaDType dtype() const override { return DTypeOf<T>::kDType; }

  absl::Status UploadAll(const ModelWeights& w) {
    const ModelConfig& c = config_;
    const bool v6 = c.version == ModelVersion::kV6_0, v7 = c.version == ModelVersion::kV7_0;
    const bool rescale = DTypeOf<T>::kDType == CudaDType::kFp16;
#define RWKVKIT_UP(dst, U, src, ...)                                          \
  do {                                                                        \
    absl::StatusOr<U*> p_ = Upload<U>(src, #src __VA_OPT__(, ) __VA_ARGS__); \
    if (!p_.ok()) return p_.status();                                         \
    dst = *p_;                                                                \
  } while (0)
    RWKVKIT_UP(emb_, float, w.emb);
    RWKVKIT_UP(ln_out_w_, float, w.ln_out_w);
    RWKVKIT_UP(ln_out_b_, float, w.ln_out_b);
    RWKVKIT_UP(head_, T, w.head);
    layers_.resize(c.n_layer);
    for (int l = 0; l < c.n_layer; ++l) {
      const LayerWeights& s = w.layers[l];
      DeviceLayer& d = layers_[l];
      // fp16 overflow guard (cuda_model.h): att.output and ffn.value of layer l / 2^(l / 6);
      // RWKV-7 has none (the package's x070 path has no rescale; x is fp32 here anyway).
      const float branch_scale = rescale && !v7 ? std::ldexp(1.0f, -(l / kRescaleLayer)) : 1.0f;
      RWKVKIT_UP(d.ln1_w, float, s.ln1_w);
      RWKVKIT_UP(d.ln1_b, float, s.ln1_b);
      RWKVKIT_UP(d.ln2_w, float, s.ln2_w);
      RWKVKIT_UP(d.ln2_b, float, s.ln2_b);
      RWKVKIT_UP(d.att_r, T, s.att_r);
      RWKVKIT_UP(d.att_k, T, s.att_k);
      RWKVKIT_UP(d.att_v, T, s.att_v);
      RWKVKIT_UP(d.att_o, T, s.att_o, branch_scale);
      RWKVKIT_UP(d.ln_x_w, float, s.ln_x_w);
      RWKVKIT_UP(d.ln_x_b, float, s.ln_x_b);
      RWKVKIT_UP(d.ffn_mix_k, float, s.ffn_mix_k);
      RWKVKIT_UP(d.ffn_k, T, s.ffn_k);
      RWKVKIT_UP(d.ffn_v, T, s.ffn_v, branch_scale);
      if (v7) {
        RWKVKIT_UP(d.x7[0], float, s.x_r);
        RWKVKIT_UP(d.x7[1], float, s.x_w);
        RWKVKIT_UP(d.x7[2], float, s.x_k);
        RWKVKIT_UP(d.x7[3], float, s.x_v);
        RWKVKIT_UP(d.x7[4], float, s.x_a);
        RWKVKIT_UP(d.x7[5], float, s.x_g);
        RWKVKIT_UP(d.w0, float, s.w0);
        RWKVKIT_UP(d.a0, float, s.a0);
        RWKVKIT_UP(d.k_k, float, s.k_k);
        RWKVKIT_UP(d.k_a, float, s.k_a);
        RWKVKIT_UP(d.r_k, float, s.r_k);
        RWKVKIT_UP(d.w1, T, s.w1);
        RWKVKIT_UP(d.w2, T, s.w2);
        RWKVKIT_UP(d.a1, T, s.a1);
        RWKVKIT_UP(d.a2, T, s.a2);
        RWKVKIT_UP(d.g1, T, s.g1);
        RWKVKIT_UP(d.g2, T, s.g2);
        if (l > 0) {
          RWKVKIT_UP(d.v0, float, s.v0);
          RWKVKIT_UP(d.v1, T, s.v1);
          RWKVKIT_UP(d.v2, T, s.v2);
        }
        continue;
      }
      RWKVKIT_UP(d.att_g, T, s.att_g);
      RWKVKIT_UP(d.time_first, float, s.time_first);
      RWKVKIT_UP(d.time_decay, float, s.time_decay);
      if (v6) {
        RWKVKIT_UP(d.maa[0], float, s.maa_w);
        RWKVKIT_UP(d.maa[1], float, s.maa_k);
        RWKVKIT_UP(d.maa[2], float, s.maa_v);
        RWKVKIT_UP(d.maa[3], float, s.maa_r);
        RWKVKIT_UP(d.maa[4], float, s.maa_g);
        RWKVKIT_UP(d.maa_x, float, s.maa_x);
        RWKVKIT_UP(d.maa_w1, T, s.maa_w1);
        RWKVKIT_UP(d.maa_w2, T, s.maa_w2);
        RWKVKIT_UP(d.decay_w1, T, s.decay_w1);
        RWKVKIT_UP(d.decay_w2, T, s.decay_w2);
      } else {
        RWKVKIT_UP(d.mix[0], float, s.time_mix_r);
        RWKVKIT_UP(d.mix[1], float, s.time_mix_k);
        RWKVKIT_UP(d.mix[2], float, s.time_mix_v);
        RWKVKIT_UP(d.mix[3], float, s.time_mix_g);
      }
      RWKVKIT_UP(d.ffn_mix_r, float, s.ffn_mix_r);
      RWKVKIT_UP(d.ffn_r, T, s.ffn_r);
    }
#undef RWKVKIT_UP
    ReleaseStaging();
    return absl::OkStatus();
  }

  absl::Status Forward(std::span<const uint16_t> tokens, std::span<const uint16_t> targets, int B, int T_len,
                       CudaModel::State& state, double* nll, float* logits) override;

 private:
  struct DeviceLayer {
    float *ln1_w, *ln1_b, *ln2_w, *ln2_b, *ln_x_w, *ln_x_b, *time_first, *time_decay;
    T *att_r, *att_k, *att_v, *att_g, *att_o;
    float* mix[4] = {};  // v5.2 time_mix r, k, v, g
    float* maa[5] = {};  // v6 time_maa w, k, v, r, g
    float* maa_x = nullptr;
    T *maa_w1 = nullptr, *maa_w2 = nullptr, *decay_w1 = nullptr, *decay_w2 = nullptr;
    float *ffn_mix_k, *ffn_mix_r;
    T *ffn_k, *ffn_r, *ffn_v;
    // RWKV-7: the six lerps (r, w, k, v, a, g), the vectors, the LoRA matrices
    float* x7[6] = {};
    float *w0 = nullptr, *a0 = nullptr, *v0 = nullptr, *k_k = nullptr, *k_a = nullptr, *r_k = nullptr;
    T *w1 = nullptr, *w2 = nullptr, *a1 = nullptr, *a2 = nullptr, *v1 = nullptr, *v2 = nullptr, *g1 = nullptr,
      *g2 = nullptr;
  };

  // Scratch views for M rows (sizes in the comments; all inside scratch_).
  struct Scratch {
    float *x, *a;                   // [M, D]
    float *r, *k, *v, *w, *y;       // [M, A]
    float* lora_f;                  // [M, Lr]
    T* mixed[5];                    // [M, D] each
    T* lora_t;                      // [M, Lr]
    T* yo;                          // [M, A]
    T* hid_t;                       // [M, F]
    uint16_t *tokens, *targets;     // [M]
    double* nll;                    // [M]
    float* logits;                  // [head_rows, V]
    // products that write the dtype (cuda_model.h)
    T* g_t;                         // [M, A] att.gate
    T* mout_t;                      // [5, M, D] v6 LoRA outputs; ChannelMix value [M, D]
    T* rr_t;                        // [M, D] ffn.receptance
    // RWKV-7 (Layout7; the fields above that it does not set are null)
    T *xa, *r_t, *k_t, *v_t, *g7, *d_t, *a_t, *b_t, *y_t;  // [M, D]
    float *decay_f, *iclr_f, *vlora_f, *v_first;         // [M, D]
  };

  int LoraWidth() const {
    int w = std::max(5 * config_.time_mix_lora, config_.time_decay_lora);
    for (const V7Ranks& r : config_.v7_ranks) w = std::max({w, r.decay, r.a, r.value, r.gate});
    return w;
  }
  int HeadRows(size_t M) const {
    return static_cast<int>(std::clamp<size_t>(kHeadLogitFloats / config_.vocab_size, 1, M));
  }

  // Lays out (and, when `base` is null, only measures) the scratch for M rows.
  size_t Layout(size_t M, char* base, Scratch* s) const {
    const ModelConfig& c = config_;
    const size_t D = c.n_embd, A = c.n_att, F = c.n_ffn, V = c.vocab_size, Lr = LoraWidth();
    size_t off = 0;
    auto take = [&](size_t bytes) {
      char* p = base == nullptr ? nullptr : base + off;
      off += (bytes + 255) / 256 * 256;
      return p;
    };
    auto f = [&](size_t n) { return reinterpret_cast<float*>(take(n * sizeof(float))); };
    auto t = [&](size_t n) { return reinterpret_cast<T*>(take(n * sizeof(T))); };
    if (c.version == ModelVersion::kV7_0) {  // RWKV-7: its own set
      *s = Scratch{};
      s->x = f(M * D);
      s->a = f(M * D);
      for (T*& p : s->mixed) p = t(M * D);
      for (T** p : {&s->xa, &s->r_t, &s->k_t, &s->v_t, &s->g7, &s->d_t, &s->a_t, &s->b_t, &s->y_t, &s->yo}) *p = t(M * D);
      for (float** p : {&s->decay_f, &s->iclr_f, &s->vlora_f, &s->v_first}) *p = f(M * D);
      s->lora_t = t(M * Lr);
      s->hid_t = t(M * F);
      s->tokens = reinterpret_cast<uint16_t*>(take(M * 2));
      s->targets = reinterpret_cast<uint16_t*>(take(M * 2));
      s->nll = reinterpret_cast<double*>(take(M * sizeof(double)));
      s->logits = f(static_cast<size_t>(HeadRows(M)) * V);
      return off;
    }
    s->x = f(M * D);
    s->a = f(M * D);
    for (float** p : {&s->r, &s->k, &s->v, &s->w, &s->y}) *p = f(M * A);
    s->lora_f = f(M * Lr);
    s->g_t = t(M * A);
    s->mout_t = t(5 * M * D);
    s->rr_t = t(M * D);
    for (T*& p : s->mixed) p = t(M * D);
    s->lora_t = t(M * Lr);
    s->yo = t(M * A);
    s->hid_t = t(M * F);
    s->tokens = reinterpret_cast<uint16_t*>(take(M * 2));
    s->targets = reinterpret_cast<uint16_t*>(take(M * 2));
    s->nll = reinterpret_cast<double*>(take(M * sizeof(double)));
    s->logits = f(static_cast<size_t>(HeadRows(M)) * V);
    return off;
  }

  absl::Status EnsureScratch(size_t M, Scratch* s) {
    if (M > scratch_rows_) {
      if (scratch_ != nullptr) cudaFree(scratch_);
      scratch_ = nullptr;
      scratch_rows_ = 0;
      const size_t bytes = Layout(M, nullptr, s);
      RWKVKIT_CUDA(cudaMalloc(&scratch_, bytes), absl::StrCat("cudaMalloc ", bytes, " bytes of scratch for ", M, " rows"));
      scratch_rows_ = M;
    }
    Layout(scratch_rows_, static_cast<char*>(scratch_), s);
    return absl::OkStatus();
  }

  // Row-major C[M, N] = A[M, K] · W[K, N] + beta·C; A with row stride lda, W contiguous, C with
  // row stride ldc. Column-major cuBLAS sees Cᵀ = Wᵀ·Aᵀ.
  // C is fp32 or (where cuda_model.h allows) the dtype; accumulation is fp32 either way.
  template <typename C_t>
  absl::Status Gemm(const T* A, int lda, int M, int K, const T* W, int N, C_t* C, int ldc, float beta,
                    const char* what) {
    const float alpha = 1.0f;
    const cudaDataType_t dt = DTypeOf<T>::kCuda;
    const cublasStatus_t st = cublasGemmEx(handle_, CUBLAS_OP_N, CUBLAS_OP_N, N, M, K, &alpha, W, dt, N, A, dt, lda,
                                           &beta, C, DTypeOf<C_t>::kCuda, ldc, CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT);
    if (st != CUBLAS_STATUS_SUCCESS)
      return CublasError(st, absl::StrCat("cublasGemmEx ", what, " [", M, "x", K, "]·[", K, "x", N, "]"));
    return absl::OkStatus();
  }

  absl::Status TimeMix(int l, int B, int T_len, CudaModel::State& st, Scratch& s);
  absl::Status ChannelMix(int l, int B, int T_len, CudaModel::State& st, Scratch& s);
  absl::Status TimeMix7(int l, int B, int T_len, CudaModel::State& st, Scratch& s);

  std::vector<DeviceLayer> layers_;
  float *emb_ = nullptr, *ln_out_w_ = nullptr, *ln_out_b_ = nullptr;
  T* head_ = nullptr;
};

#define RWKVKIT_OP(expr, name) RWKVKIT_CUDA(expr, absl::StrCat(name, " layer ", l, " B=", B, " T=", T_len))
#define RWKVKIT_STATUS(expr)                    \
  do {                                          \
    if (absl::Status s_ = (expr); !s_.ok()) return s_; \
  } while (0)

// cpu_forward.cc TimeMix(): x += TimeMix(LN1(x)), v5.2 or v6 (docs/refmodel.md).
template <typename T>
absl::Status ImplT<T>::TimeMix(int l, int B, int T_len, CudaModel::State& st, Scratch& s) {
  const ModelConfig& c = config_;
  const int D = c.n_embd, A = c.n_att, H = c.n_head, N = c.head_size, M = B * T_len;
  const DeviceLayer& d = layers_[l];
  float* carry = st.att_x_ + static_cast<size_t>(l) * st.capacity_ * D;
  float* S = st.wkv_ + static_cast<size_t>(l) * st.capacity_ * H * N * N;
  cudaStream_t q = stream_;
  RWKVKIT_OP(cuda_ops::LayerNorm<float>(s.x, M, D, d.ln1_w, d.ln1_b, s.a, q), "LayerNorm ln1");
  // mixed[0..4] hold r, k, v, g (and w for v6 in mixed[4])
  T *xr = s.mixed[0], *xk = s.mixed[1], *xv = s.mixed[2], *xg = s.mixed[3], *xw = s.mixed[4];
  if (c.version == ModelVersion::kV5_2) {
    MixArgs<T> m{{d.mix[0], d.mix[1], d.mix[2], d.mix[3], nullptr}, {xr, xk, xv, xg, nullptr}, 4};
    RWKVKIT_OP(cuda_ops::ShiftMix<T>(s.a, carry, B, T_len, D, false, m, q), "ShiftMix att");
  } else {
    const int Dm = c.time_mix_lora;
    RWKVKIT_OP(cuda_ops::MaaPrepare<T>(s.a, carry, B, T_len, D, d.maa_x, nullptr, xw, q),
               "MaaPrepare");
    RWKVKIT_STATUS(Gemm(xw, D, M, D, d.maa_w1, 5 * Dm, s.lora_f, 5 * Dm, 0.0f, "time_maa_w1"));
    RWKVKIT_OP(cuda_ops::Tanh<T>(s.lora_f, static_cast<size_t>(M) * 5 * Dm, s.lora_t, q), "Tanh maa");
    // m_c = lora[:, c·Dm:(c+1)·Dm] @ maa_w2[c] for the five c, one strided batched product.
    const float alpha = 1.0f, beta = 0.0f;
    const cudaDataType_t dt = DTypeOf<T>::kCuda;
    const cublasStatus_t cs = cublasGemmStridedBatchedEx(
        handle_, CUBLAS_OP_N, CUBLAS_OP_N, D, M, Dm, &alpha, d.maa_w2, dt, D, static_cast<long long>(Dm) * D,
        s.lora_t, dt, 5 * Dm, Dm, &beta, s.mout_t, dt, D, static_cast<long long>(M) * D, 5, CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT);
    if (cs != CUBLAS_STATUS_SUCCESS) return CublasError(cs, absl::StrCat("time_maa_w2 layer ", l, " M=", M));
    MixArgs<T> m{{d.maa[0], d.maa[1], d.maa[2], d.maa[3], d.maa[4]}, {xw, xk, xv, xr, xg}, 5};
    RWKVKIT_OP((cuda_ops::MaaApplyShift<T, T>(s.a, carry, B, T_len, D, s.mout_t, m, q)), "MaaApplyShift");
  }
  RWKVKIT_OP(cuda_ops::CarryUpdate(s.a, B, T_len, D, carry, q), "CarryUpdate att");
  // r, k, v and the WKV output y in the dtype, as the package's bf16/fp16 path and its kernel have them
  T *r = reinterpret_cast<T*>(s.r), *k = reinterpret_cast<T*>(s.k), *v = reinterpret_cast<T*>(s.v),
    *y = reinterpret_cast<T*>(s.y);
  RWKVKIT_STATUS(Gemm(xr, D, M, D, d.att_r, A, r, A, 0.0f, "att.receptance"));
  RWKVKIT_STATUS(Gemm(xk, D, M, D, d.att_k, A, k, A, 0.0f, "att.key"));
  RWKVKIT_STATUS(Gemm(xv, D, M, D, d.att_v, A, v, A, 0.0f, "att.value"));
  RWKVKIT_STATUS(Gemm(xg, D, M, D, d.att_g, A, s.g_t, A, 0.0f, "att.gate"));
  if (c.version == ModelVersion::kV6_0) {
    const int Dd = c.time_decay_lora;
    RWKVKIT_STATUS(Gemm(xw, D, M, D, d.decay_w1, Dd, s.lora_f, Dd, 0.0f, "time_decay_w1"));
    RWKVKIT_OP(cuda_ops::Tanh<T>(s.lora_f, static_cast<size_t>(M) * Dd, s.lora_t, q), "Tanh decay");
    RWKVKIT_STATUS(Gemm(s.lora_t, Dd, M, Dd, d.decay_w2, A, s.w, A, 0.0f, "time_decay_w2"));
    // the kernel makes exp(-exp(time_decay + w)) itself (bit-identical, one pass less)
    RWKVKIT_OP(kernels::Wkv6ForwardRawDecay<T>(B, T_len, H, N, r, k, v, s.w, d.time_decay, d.time_first, S, y, q),
               "Wkv6ForwardRawDecay");
  } else {
    RWKVKIT_OP(kernels::Wkv5Forward<T>(B, T_len, H, N, r, k, v, d.time_decay, d.time_first, S, y, q), "Wkv5Forward");
  }
  RWKVKIT_OP((cuda_ops::GroupNormGate<T, T, T>(y, s.g_t, M, H, N, d.ln_x_w, d.ln_x_b, s.yo, q)), "GroupNormGate");
  return Gemm(s.yo, A, M, A, d.att_o, D, s.x, D, 1.0f, "att.output");  // x += out
}

// cpu_forward.cc TimeMix7(): RWKV-7 x += TimeMix(LN1(x)). Products write the dtype (r, k, v, the
// LoRAs, g), as the package's do; the WKV-7 kernel reads the dtype and keeps its state in fp32.
template <typename T>
absl::Status ImplT<T>::TimeMix7(int l, int B, int T_len, CudaModel::State& st, Scratch& s) {
  const ModelConfig& c = config_;
  const int D = c.n_embd, H = c.n_head, N = c.head_size, M = B * T_len;
  const V7Ranks& rk = c.v7_ranks[l];
  const DeviceLayer& d = layers_[l];
  float* carry = st.att_x_ + static_cast<size_t>(l) * st.capacity_ * D;
  float* S = st.wkv_ + static_cast<size_t>(l) * st.capacity_ * H * N * N;
  cudaStream_t q = stream_;
  RWKVKIT_OP(cuda_ops::LayerNorm<float>(s.x, M, D, d.ln1_w, d.ln1_b, s.a, q), "LayerNorm ln1");
  T *xr = s.mixed[0], *xw = s.mixed[1], *xk = s.mixed[2], *xv = s.mixed[3], *xa = s.xa, *xg = s.mixed[4];
  cuda_ops::V7MixArgs<T> mix{{d.x7[0], d.x7[1], d.x7[2], d.x7[3], d.x7[4], d.x7[5]}, {xr, xw, xk, xv, xa, xg}};
  RWKVKIT_OP(cuda_ops::V7ShiftMix<T>(s.a, carry, B, T_len, D, mix, q), "V7ShiftMix");
  RWKVKIT_OP(cuda_ops::CarryUpdate(s.a, B, T_len, D, carry, q), "CarryUpdate att");
  RWKVKIT_STATUS(Gemm(xr, D, M, D, d.att_r, D, s.r_t, D, 0.0f, "att.receptance"));
  RWKVKIT_STATUS(Gemm(xk, D, M, D, d.att_k, D, s.k_t, D, 0.0f, "att.key"));
  RWKVKIT_STATUS(Gemm(xv, D, M, D, d.att_v, D, s.v_t, D, 0.0f, "att.value"));
  // the LoRAs: act(x @ m1) @ m2 (hidden layer in the dtype, activated in place)
  auto lora = [&](const T* x, const T* m1, const T* m2, int rank, char act, auto* out, const char* what) -> absl::Status {
    RWKVKIT_STATUS(Gemm(x, D, M, D, m1, rank, s.lora_t, rank, 0.0f, what));
    if (act != '-')
      RWKVKIT_OP(cuda_ops::ActivateInPlace<T>(s.lora_t, static_cast<size_t>(M) * rank, act, q), what);
    return Gemm(s.lora_t, rank, M, rank, m2, D, out, D, 0.0f, what);
  };
  // the decay/iclr/value LoRA outputs and v_first in the dtype, as the package's products give them
  T *dl = reinterpret_cast<T*>(s.decay_f), *il = reinterpret_cast<T*>(s.iclr_f), *vl = reinterpret_cast<T*>(s.vlora_f),
    *vf = reinterpret_cast<T*>(s.v_first);
  RWKVKIT_STATUS(lora(xw, d.w1, d.w2, rk.decay, 't', dl, "att.w1/w2"));
  RWKVKIT_STATUS(lora(xa, d.a1, d.a2, rk.a, '-', il, "att.a1/a2"));
  RWKVKIT_STATUS(lora(xg, d.g1, d.g2, rk.gate, 's', s.g7, "att.g1/g2"));
  if (l > 0) RWKVKIT_STATUS(lora(xv, d.v1, d.v2, rk.value, '-', vl, "att.v1/v2"));
  cuda_ops::V7PrepareArgs<T, T> prep{s.k_t, s.v_t, dl, il, l > 0 ? vl : nullptr, vf,
                                     d.w0, d.a0, d.v0, d.k_k, d.k_a, s.d_t, s.a_t, s.b_t};
  RWKVKIT_OP((cuda_ops::V7Prepare<T, T>(M, H, N, prep, q)), "V7Prepare");
  RWKVKIT_OP(kernels::Wkv7Forward<T>(B, T_len, H, N, s.r_t, s.d_t, s.k_t, s.v_t, s.a_t, s.b_t, S, s.y_t, q),
             "Wkv7Forward");
  RWKVKIT_OP(cuda_ops::V7GroupNormBonusGate<T>(s.y_t, s.r_t, s.k_t, s.v_t, s.g7, d.r_k, M, H, N, d.ln_x_w, d.ln_x_b,
                                                s.yo, q),
             "V7GroupNormBonusGate");
  return Gemm(s.yo, D, M, D, d.att_o, D, s.x, D, 1.0f, "att.output");  // x += out
}

// cpu_forward.cc ChannelMix(): x += σ(xr @ Wr') ⊙ (ReLU(xk @ Wk')² @ Wv') (docs/refmodel.md);
// RWKV-7 (ChannelMix7()) has no receptance: x += ReLU(xk @ Wk')² @ Wv', the value product adding
// into x (beta = 1). v6 and v7 mix with the lerp a + (prev - a)·μ, v5.2 with a·μ + prev·(1 - μ).
template <typename T>
absl::Status ImplT<T>::ChannelMix(int l, int B, int T_len, CudaModel::State& st, Scratch& s) {
  const ModelConfig& c = config_;
  const bool v7 = c.version == ModelVersion::kV7_0;
  const int D = c.n_embd, F = c.n_ffn, M = B * T_len;
  const DeviceLayer& d = layers_[l];
  float* carry = st.ffn_x_ + static_cast<size_t>(l) * st.capacity_ * D;
  cudaStream_t q = stream_;
  RWKVKIT_OP(cuda_ops::LayerNorm<float>(s.x, M, D, d.ln2_w, d.ln2_b, s.a, q), "LayerNorm ln2");
  T *xk = v7 ? s.mixed[0] : s.mixed[1], *xr = v7 ? nullptr : s.mixed[0];
  MixArgs<T> m{{d.ffn_mix_k, v7 ? nullptr : d.ffn_mix_r, nullptr, nullptr, nullptr},
               {xk, xr, nullptr, nullptr, nullptr},
               v7 ? 1 : 2};
  RWKVKIT_OP(cuda_ops::ShiftMix<T>(s.a, carry, B, T_len, D, c.version != ModelVersion::kV5_2, m, q), "ShiftMix ffn");
  RWKVKIT_OP(cuda_ops::CarryUpdate(s.a, B, T_len, D, carry, q), "CarryUpdate ffn");
  // products in the dtype (cuda_model.h), relu² in place
  if (!v7) RWKVKIT_STATUS(Gemm(xr, D, M, D, d.ffn_r, D, s.rr_t, D, 0.0f, "ffn.receptance"));
  RWKVKIT_STATUS(Gemm(xk, D, M, D, d.ffn_k, F, s.hid_t, F, 0.0f, "ffn.key"));
  RWKVKIT_OP(cuda_ops::Relu2InPlace<T>(s.hid_t, static_cast<size_t>(M) * F, q), "Relu2InPlace");
  if (v7) return Gemm(s.hid_t, F, M, F, d.ffn_v, D, s.x, D, 1.0f, "ffn.value");  // x += out
  RWKVKIT_STATUS(Gemm(s.hid_t, F, M, F, d.ffn_v, D, s.mout_t, D, 0.0f, "ffn.value"));
  RWKVKIT_OP(cuda_ops::SigmoidMulAdd<T>(s.rr_t, s.mout_t, static_cast<size_t>(M) * D, s.x, q), "SigmoidMulAdd");
  if (DTypeOf<T>::kDType == CudaDType::kFp16 && (l + 1) % kRescaleLayer == 0)
    RWKVKIT_OP(cuda_ops::Scale(s.x, static_cast<size_t>(M) * D, 0.5f, q), "Scale");
  return absl::OkStatus();
}

// cpu_forward.cc RunModel() + TokenNll().
template <typename T>
absl::Status ImplT<T>::Forward(std::span<const uint16_t> tokens, std::span<const uint16_t> targets, int B, int T_len,
                               CudaModel::State& state, double* nll, float* logits) {
  const ModelConfig& c = config_;
  const int D = c.n_embd, V = c.vocab_size, M = B * T_len, l = -1;
  RWKVKIT_CUDA(cudaSetDevice(device_), "cudaSetDevice");
  Scratch s;
  RWKVKIT_STATUS(EnsureScratch(M, &s));
  cudaStream_t q = stream_;
  RWKVKIT_CUDA(cudaMemcpyAsync(s.tokens, tokens.data(), M * 2, cudaMemcpyHostToDevice, q), "copy tokens");
  if (nll != nullptr)
    RWKVKIT_CUDA(cudaMemcpyAsync(s.targets, targets.data(), M * 2, cudaMemcpyHostToDevice, q), "copy targets");
  RWKVKIT_OP(cuda_ops::Embed(s.tokens, M, D, emb_, s.x, q), "Embed");
  for (int layer = 0; layer < c.n_layer; ++layer) {
    RWKVKIT_STATUS(c.version == ModelVersion::kV7_0 ? TimeMix7(layer, B, T_len, state, s)
                                                     : TimeMix(layer, B, T_len, state, s));
    RWKVKIT_STATUS(ChannelMix(layer, B, T_len, state, s));
  }
  T* normed = s.mixed[0];
  RWKVKIT_OP(cuda_ops::LayerNorm<T>(s.x, M, D, ln_out_w_, ln_out_b_, normed, q), "LayerNorm ln_out");
  const int rows = HeadRows(M);
  for (int r0 = 0; r0 < M; r0 += rows) {
    const int n = std::min(rows, M - r0);
    const T* xin = normed + static_cast<size_t>(r0) * D;
    if (nll != nullptr) {
      // logits in the dtype, as the package's head product gives them (fp32 never materialized)
      T* lt = reinterpret_cast<T*>(s.logits);
      RWKVKIT_STATUS(Gemm(xin, D, n, D, head_, V, lt, V, 0.0f, "head"));
      RWKVKIT_OP(cuda_ops::TokenNll<T>(lt, n, V, s.targets + r0, s.nll + r0, q), "TokenNll");
      continue;
    }
    RWKVKIT_STATUS(Gemm(xin, D, n, D, head_, V, s.logits, V, 0.0f, "head"));  // ForwardLogits: fp32 products
    RWKVKIT_CUDA(cudaMemcpyAsync(logits + static_cast<size_t>(r0) * V, s.logits,
                                 static_cast<size_t>(n) * V * sizeof(float), cudaMemcpyDeviceToHost, q),
                 "copy logits");
  }
  if (nll != nullptr)
    RWKVKIT_CUDA(cudaMemcpyAsync(nll, s.nll, M * sizeof(double), cudaMemcpyDeviceToHost, q), "copy nll");
  RWKVKIT_CUDA(cudaStreamSynchronize(q), absl::StrCat("forward B=", B, " T=", T_len));
  return absl::OkStatus();
}

#undef RWKVKIT_OP
#undef RWKVKIT_STATUS

absl::Status CheckWeights(const ModelWeights& w) {
  const ModelConfig& c = w.config;
  const size_t D = c.n_embd, A = c.n_att, H = c.n_head, N = c.head_size, F = c.n_ffn, V = c.vocab_size,
               Dm = c.time_mix_lora, Dd = c.time_decay_lora;
  const bool v6 = c.version == ModelVersion::kV6_0;
  if (c.n_layer <= 0 || D == 0 || H == 0 || F == 0 || V == 0 || V > 65536 || A != H * N || (v6 && (Dm == 0 || Dd == 0)))
    return absl::InvalidArgumentError(absl::StrCat("CudaModel: bad config L=", c.n_layer, " D=", D, " A=", A,
                                                   " H=", H, " N=", N, " F=", F, " V=", V));
  if (N != 32 && N != 64)
    return absl::InvalidArgumentError(absl::StrCat("CudaModel: head size ", N, " (the WKV kernels take 32 or 64)"));
  auto check = [](const char* name, int layer, const std::vector<float>& v, size_t want) -> absl::Status {
    if (v.size() == want) return absl::OkStatus();
    return absl::InvalidArgumentError(absl::StrCat("CudaModel: ", name, " of layer ", layer, " has ", v.size(),
                                                   " floats, want ", want));
  };
  if (w.layers.size() != static_cast<size_t>(c.n_layer))
    return absl::InvalidArgumentError("CudaModel: layer count differs from the config");
  for (absl::Status s : {check("emb", -1, w.emb, V * D), check("ln_out_w", -1, w.ln_out_w, D),
                         check("ln_out_b", -1, w.ln_out_b, D), check("head", -1, w.head, D * V)})
    if (!s.ok()) return s;
  if (c.version == ModelVersion::kV7_0) {
    if (A != D || c.v7_ranks.size() != static_cast<size_t>(c.n_layer))
      return absl::InvalidArgumentError("CudaModel: RWKV-7 config with A != D or without ranks per layer");
    for (int l = 0; l < c.n_layer; ++l) {
      const LayerWeights& lw = w.layers[l];
      const V7Ranks& r = c.v7_ranks[l];
      std::vector<absl::Status> st;
      for (const auto* p : {&lw.ln1_w, &lw.ln1_b, &lw.ln2_w, &lw.ln2_b, &lw.ffn_mix_k, &lw.x_r, &lw.x_w, &lw.x_k,
                            &lw.x_v, &lw.x_a, &lw.x_g, &lw.w0, &lw.a0, &lw.k_k, &lw.k_a, &lw.r_k, &lw.ln_x_w,
                            &lw.ln_x_b})
        st.push_back(check("a [D] vector", l, *p, D));
      for (const auto* p : {&lw.att_r, &lw.att_k, &lw.att_v, &lw.att_o}) st.push_back(check("att r/k/v/o", l, *p, D * D));
      st.push_back(check("w1", l, lw.w1, D * r.decay));
      st.push_back(check("w2", l, lw.w2, D * r.decay));
      st.push_back(check("a1", l, lw.a1, D * r.a));
      st.push_back(check("a2", l, lw.a2, D * r.a));
      st.push_back(check("g1", l, lw.g1, D * r.gate));
      st.push_back(check("g2", l, lw.g2, D * r.gate));
      if (l > 0) {
        st.push_back(check("v0", l, lw.v0, D));
        st.push_back(check("v1", l, lw.v1, D * r.value));
        st.push_back(check("v2", l, lw.v2, D * r.value));
      }
      st.push_back(check("ffn_k", l, lw.ffn_k, D * F));
      st.push_back(check("ffn_v", l, lw.ffn_v, F * D));
      if (r.decay <= 0 || r.a <= 0 || r.gate <= 0 || (l > 0 && r.value <= 0))
        st.push_back(absl::InvalidArgumentError(absl::StrCat("CudaModel: a LoRA rank <= 0 in layer ", l)));
      for (const absl::Status& x : st)
        if (!x.ok()) return x;
    }
    return absl::OkStatus();
  }
  for (int l = 0; l < c.n_layer; ++l) {
    const LayerWeights& lw = w.layers[l];
    std::vector<absl::Status> st = {
        check("ln1_w", l, lw.ln1_w, D), check("ln1_b", l, lw.ln1_b, D), check("ln2_w", l, lw.ln2_w, D),
        check("ln2_b", l, lw.ln2_b, D), check("att_r", l, lw.att_r, D * A), check("att_k", l, lw.att_k, D * A),
        check("att_v", l, lw.att_v, D * A), check("att_g", l, lw.att_g, D * A), check("att_o", l, lw.att_o, A * D),
        check("ln_x_w", l, lw.ln_x_w, A), check("ln_x_b", l, lw.ln_x_b, A),
        check("time_first", l, lw.time_first, A), check("time_decay", l, lw.time_decay, A),
        check("ffn_mix_k", l, lw.ffn_mix_k, D), check("ffn_mix_r", l, lw.ffn_mix_r, D),
        check("ffn_k", l, lw.ffn_k, D * F), check("ffn_r", l, lw.ffn_r, D * D), check("ffn_v", l, lw.ffn_v, F * D)};
    if (v6) {
      for (const auto* p : {&lw.maa_x, &lw.maa_w, &lw.maa_k, &lw.maa_v, &lw.maa_r, &lw.maa_g})
        st.push_back(check("time_maa", l, *p, D));
      st.push_back(check("maa_w1", l, lw.maa_w1, D * 5 * Dm));
      st.push_back(check("maa_w2", l, lw.maa_w2, 5 * Dm * D));
      st.push_back(check("decay_w1", l, lw.decay_w1, D * Dd));
      st.push_back(check("decay_w2", l, lw.decay_w2, Dd * A));
    } else {
      for (const auto* p : {&lw.time_mix_k, &lw.time_mix_v, &lw.time_mix_r, &lw.time_mix_g})
        st.push_back(check("time_mix", l, *p, D));
    }
    for (const absl::Status& s : st)
      if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

template <typename T>
absl::StatusOr<std::unique_ptr<CudaModel::Impl>> MakeImpl(const ModelWeights& w, int device) {
  auto impl = std::make_unique<ImplT<T>>();
  impl->config_ = w.config;
  impl->device_ = device;
  RWKVKIT_CUDA(cudaSetDevice(device), absl::StrCat("cudaSetDevice(", device, ")"));
  RWKVKIT_CUDA(cudaStreamCreateWithFlags(&impl->stream_, cudaStreamNonBlocking), "cudaStreamCreate");
  if (const cublasStatus_t s = cublasCreate(&impl->handle_); s != CUBLAS_STATUS_SUCCESS) {
    impl->handle_ = nullptr;
    return CublasError(s, "cublasCreate");
  }
  if (const cublasStatus_t s = cublasSetStream(impl->handle_, impl->stream_); s != CUBLAS_STATUS_SUCCESS)
    return CublasError(s, "cublasSetStream");
  // The default math mode: no TF32 for the fp32 products (kFp32 must match the CPU to ~1e-5).
  if (const cublasStatus_t s = cublasSetMathMode(impl->handle_, CUBLAS_DEFAULT_MATH); s != CUBLAS_STATUS_SUCCESS)
    return CublasError(s, "cublasSetMathMode");
  if (absl::Status s = impl->UploadAll(w); !s.ok()) return s;
  return std::unique_ptr<CudaModel::Impl>(std::move(impl));
}

}  // namespace

absl::StatusOr<std::unique_ptr<CudaModel>> CudaModel::Create(const ModelWeights& w, CudaDType dtype, int device) {
  const int count = CudaDeviceCount();
  if (device < 0 || device >= count)
    return absl::FailedPreconditionError(
        absl::StrCat("no CUDA device ", device, " (this machine has ", count, " CUDA device(s))"));
  if (absl::Status s = CheckWeights(w); !s.ok()) return s;
  absl::StatusOr<std::unique_ptr<Impl>> impl = dtype == CudaDType::kFp32   ? MakeImpl<float>(w, device)
                                               : dtype == CudaDType::kBf16 ? MakeImpl<__nv_bfloat16>(w, device)
                                                                       : MakeImpl<__half>(w, device);
  if (!impl.ok()) return impl.status();
  return std::unique_ptr<CudaModel>(new CudaModel(*std::move(impl)));
}

CudaModel::CudaModel(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
CudaModel::~CudaModel() = default;

const ModelConfig& CudaModel::config() const { return impl_->config_; }
CudaDType CudaModel::dtype() const { return impl_->dtype(); }

CudaModel::State::~State() {
  for (float* p : {att_x_, ffn_x_, wkv_})
    if (p != nullptr) cudaFree(p);
}
CudaModel::State::State(State&& o) noexcept
    : capacity_(o.capacity_), att_x_(o.att_x_), ffn_x_(o.ffn_x_), wkv_(o.wkv_) {
  o.capacity_ = 0;
  o.att_x_ = o.ffn_x_ = o.wkv_ = nullptr;
}
CudaModel::State& CudaModel::State::operator=(State&& o) noexcept {
  if (this != &o) {
    this->~State();
    new (this) State(std::move(o));
  }
  return *this;
}

namespace {
size_t ShiftFloats(const ModelConfig& c, int cap) { return static_cast<size_t>(c.n_layer) * cap * c.n_embd; }
size_t WkvFloats(const ModelConfig& c, int cap) {
  return static_cast<size_t>(c.n_layer) * cap * c.n_head * c.head_size * c.head_size;
}
}  // namespace

absl::StatusOr<CudaModel::State> CudaModel::NewState(int capacity) {
  if (capacity <= 0) return absl::InvalidArgumentError(absl::StrCat("NewState: capacity ", capacity));
  RWKVKIT_CUDA(cudaSetDevice(impl_->device_), "cudaSetDevice");
  State s;
  const ModelConfig& c = impl_->config_;
  const size_t shift = ShiftFloats(c, capacity) * sizeof(float), wkv = WkvFloats(c, capacity) * sizeof(float);
  RWKVKIT_CUDA(cudaMalloc(&s.att_x_, shift), absl::StrCat("cudaMalloc state for ", capacity, " rows"));
  RWKVKIT_CUDA(cudaMalloc(&s.ffn_x_, shift), absl::StrCat("cudaMalloc state for ", capacity, " rows"));
  RWKVKIT_CUDA(cudaMalloc(&s.wkv_, wkv), absl::StrCat("cudaMalloc state for ", capacity, " rows"));
  s.capacity_ = capacity;
  if (absl::Status st = ResetState(s); !st.ok()) return st;
  return s;
}

absl::Status CudaModel::ResetState(State& s) {
  const ModelConfig& c = impl_->config_;
  cudaStream_t q = impl_->stream_;
  const size_t shift = ShiftFloats(c, s.capacity_) * sizeof(float), wkv = WkvFloats(c, s.capacity_) * sizeof(float);
  RWKVKIT_CUDA(cudaMemsetAsync(s.att_x_, 0, shift, q), "reset state");
  RWKVKIT_CUDA(cudaMemsetAsync(s.ffn_x_, 0, shift, q), "reset state");
  RWKVKIT_CUDA(cudaMemsetAsync(s.wkv_, 0, wkv, q), "reset state");
  return absl::OkStatus();
}

namespace {
absl::Status CheckCall(const ModelConfig& c, std::span<const uint16_t> tokens, int B, int T, int capacity) {
  if (B <= 0 || T <= 0 || tokens.size() != static_cast<size_t>(B) * T)
    return absl::InvalidArgumentError(absl::StrCat("CudaModel: ", tokens.size(), " tokens for B=", B, " T=", T));
  if (B > capacity)
    return absl::InvalidArgumentError(absl::StrCat("CudaModel: B=", B, " > the state's capacity ", capacity));
  for (size_t i = 0; i < tokens.size(); ++i)
    if (tokens[i] >= c.vocab_size)
      return absl::InvalidArgumentError(absl::StrCat("CudaModel: token ", tokens[i], " at ", i, " >= vocab ", c.vocab_size));
  return absl::OkStatus();
}
}  // namespace

absl::Status CudaModel::ForwardNll(std::span<const uint16_t> tokens, std::span<const uint16_t> targets, int B, int T,
                                   State& state, std::span<double> nll) {
  if (absl::Status s = CheckCall(impl_->config_, tokens, B, T, state.capacity_); !s.ok()) return s;
  if (absl::Status s = CheckCall(impl_->config_, targets, B, T, state.capacity_); !s.ok()) return s;
  if (nll.size() != tokens.size())
    return absl::InvalidArgumentError(absl::StrCat("CudaModel: nll has ", nll.size(), " entries, want ", tokens.size()));
  return impl_->Forward(tokens, targets, B, T, state, nll.data(), nullptr);
}

absl::Status CudaModel::ForwardLogits(std::span<const uint16_t> tokens, int B, int T, State& state,
                                      std::vector<float>& logits) {
  if (absl::Status s = CheckCall(impl_->config_, tokens, B, T, state.capacity_); !s.ok()) return s;
  logits.resize(tokens.size() * static_cast<size_t>(impl_->config_.vocab_size));
  return impl_->Forward(tokens, {}, B, T, state, nullptr, logits.data());
}

}  // namespace rwkvkit::refmodel
