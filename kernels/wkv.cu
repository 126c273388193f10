// kernels/wkv.cu — the launchers of kernels/wkv.h: argument checks, the head-size dispatch and
// the tile choice of the chunked kernel (C = 16 tokens, one block per (batch, head) holding all
// N value columns; chosen by bench/kernels/wkv_variants.cu, numbers in docs/kernels_notes.md).
// Explicit instantiations for float, __half and __nv_bfloat16.
#include "kernels/wkv.cuh"
#include "kernels/wkv.h"

namespace rwkvkit::kernels {
namespace {

constexpr int kChunk = 16;

template <typename T, bool kPerTokenW, bool kRawDecay = false>
cudaError_t Chunked(int B, int T_len, int H, int N, const T* r, const T* k, const T* v,
                    const float* w, const float* u, float* state, T* y, cudaStream_t stream,
                    const float* wbias = nullptr) {
  if (!detail::WkvArgsValid(B, T_len, H, N, r, k, v, w, u, state, y)) return cudaErrorInvalidValue;
  if (kRawDecay && wbias == nullptr) return cudaErrorInvalidValue;
  if (T_len == 0) return cudaSuccess;
  if (N == 64) {
    return detail::LaunchWkvChunked<T, 64, kChunk, 64, kPerTokenW, kRawDecay>(
        B, T_len, H, r, k, v, w, u, state, y, stream, wbias);
  }
  return detail::LaunchWkvChunked<T, 32, kChunk, 32, kPerTokenW, kRawDecay>(
      B, T_len, H, r, k, v, w, u, state, y, stream, wbias);
}

template <typename T, bool kPerTokenW>
cudaError_t Sequential(int B, int T_len, int H, int N, const T* r, const T* k, const T* v,
                       const float* w, const float* u, float* state, T* y, cudaStream_t stream) {
  if (!detail::WkvArgsValid(B, T_len, H, N, r, k, v, w, u, state, y)) return cudaErrorInvalidValue;
  if (T_len == 0) return cudaSuccess;
  if (N == 64) {
    return detail::LaunchWkvSequential<T, 64, kPerTokenW>(B, T_len, H, r, k, v, w, u, state, y,
                                                          stream);
  }
  return detail::LaunchWkvSequential<T, 32, kPerTokenW>(B, T_len, H, r, k, v, w, u, state, y,
                                                        stream);
}

}  // namespace

template <typename T>
cudaError_t Wkv5Forward(int B, int T_len, int H, int N, const T* r, const T* k, const T* v,
                        const float* w, const float* u, float* state, T* y, cudaStream_t stream) {
  return Chunked<T, false>(B, T_len, H, N, r, k, v, w, u, state, y, stream);
}

template <typename T>
cudaError_t Wkv6Forward(int B, int T_len, int H, int N, const T* r, const T* k, const T* v,
                        const float* w, const float* u, float* state, T* y, cudaStream_t stream) {
  return Chunked<T, true>(B, T_len, H, N, r, k, v, w, u, state, y, stream);
}

template <typename T>
cudaError_t Wkv6ForwardRawDecay(int B, int T_len, int H, int N, const T* r, const T* k,
                                const T* v, const float* d, const float* time_decay,
                                const float* u, float* state, T* y, cudaStream_t stream) {
  return Chunked<T, true, true>(B, T_len, H, N, r, k, v, d, u, state, y, stream, time_decay);
}

template <typename T>
cudaError_t Wkv5ForwardSequential(int B, int T_len, int H, int N, const T* r, const T* k,
                                  const T* v, const float* w, const float* u, float* state, T* y,
                                  cudaStream_t stream) {
  return Sequential<T, false>(B, T_len, H, N, r, k, v, w, u, state, y, stream);
}

template <typename T>
cudaError_t Wkv6ForwardSequential(int B, int T_len, int H, int N, const T* r, const T* k,
                                  const T* v, const float* w, const float* u, float* state, T* y,
                                  cudaStream_t stream) {
  return Sequential<T, true>(B, T_len, H, N, r, k, v, w, u, state, y, stream);
}

#define RWKVKIT_INSTANTIATE_WKV(T)                                                               \
  template cudaError_t Wkv5Forward<T>(int, int, int, int, const T*, const T*, const T*,         \
                                      const float*, const float*, float*, T*, cudaStream_t);    \
  template cudaError_t Wkv6Forward<T>(int, int, int, int, const T*, const T*, const T*,         \
                                      const float*, const float*, float*, T*, cudaStream_t);    \
  template cudaError_t Wkv6ForwardRawDecay<T>(int, int, int, int, const T*, const T*,           \
                                              const T*, const float*, const float*,             \
                                              const float*, float*, T*, cudaStream_t);          \
  template cudaError_t Wkv5ForwardSequential<T>(int, int, int, int, const T*, const T*,         \
                                                const T*, const float*, const float*, float*,   \
                                                T*, cudaStream_t);                              \
  template cudaError_t Wkv6ForwardSequential<T>(int, int, int, int, const T*, const T*,         \
                                                const T*, const float*, const float*, float*,   \
                                                T*, cudaStream_t);

RWKVKIT_INSTANTIATE_WKV(float)
RWKVKIT_INSTANTIATE_WKV(__half)
RWKVKIT_INSTANTIATE_WKV(__nv_bfloat16)

#undef RWKVKIT_INSTANTIATE_WKV

}  // namespace rwkvkit::kernels
