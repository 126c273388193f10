// kernels/wkv7.cu — the launchers of kernels/wkv7.h: argument checks, the head-size dispatch and the
// kernel and stage length of the production path (the prefetching kernel, 8-token stages), chosen
// by bench/kernels/wkv7_variants.cu (numbers in docs/kernels_notes.md). Explicit instantiations for float, __half, __nv_bfloat16.
#include "kernels/wkv7.cuh"
#include "kernels/wkv7.h"

namespace rwkvkit::kernels {
namespace {

constexpr int kPrefetchChunk = 8;  // Wkv7Forward: 8-token stages, the next one prefetched (variant 12)

template <typename T, int C, bool kNextSa>
cudaError_t Launch(int B, int T_len, int H, int N, const T* r, const T* d, const T* k, const T* v, const T* a,
                   const T* b, float* state, T* y, cudaStream_t stream) {
  if (!detail::Wkv7ArgsValid(B, T_len, H, N, r, d, k, v, a, b, state, y)) return cudaErrorInvalidValue;
  if (T_len == 0) return cudaSuccess;
  if (N == 64) return detail::LaunchWkv7<T, 64, C, kNextSa>(B, T_len, H, r, d, k, v, a, b, state, y, stream);
  return detail::LaunchWkv7<T, 32, C, kNextSa>(B, T_len, H, r, d, k, v, a, b, state, y, stream);
}

}  // namespace

template <typename T>
cudaError_t Wkv7Forward(int B, int T_len, int H, int N, const T* r, const T* d, const T* k, const T* v,
                        const T* a, const T* b, float* state, T* y, cudaStream_t stream) {
  if (!detail::Wkv7ArgsValid(B, T_len, H, N, r, d, k, v, a, b, state, y)) return cudaErrorInvalidValue;
  if (T_len == 0) return cudaSuccess;
  if (N == 64) return detail::LaunchWkv7Prefetch<T, 64, kPrefetchChunk>(B, T_len, H, r, d, k, v, a, b, state, y, stream);
  return detail::LaunchWkv7Prefetch<T, 32, kPrefetchChunk>(B, T_len, H, r, d, k, v, a, b, state, y, stream);
}

template <typename T>
cudaError_t Wkv7ForwardSequential(int B, int T_len, int H, int N, const T* r, const T* d, const T* k,
                                  const T* v, const T* a, const T* b, float* state, T* y, cudaStream_t stream) {
  return Launch<T, 1, false>(B, T_len, H, N, r, d, k, v, a, b, state, y, stream);
}

#define RWKVKIT_INSTANTIATE_WKV7(T)                                                                             \
  template cudaError_t Wkv7Forward<T>(int, int, int, int, const T*, const T*, const T*, const T*, const T*,     \
                                      const T*, float*, T*, cudaStream_t);                                      \
  template cudaError_t Wkv7ForwardSequential<T>(int, int, int, int, const T*, const T*, const T*, const T*,     \
                                                const T*, const T*, float*, T*, cudaStream_t);
RWKVKIT_INSTANTIATE_WKV7(float)
RWKVKIT_INSTANTIATE_WKV7(__half)
RWKVKIT_INSTANTIATE_WKV7(__nv_bfloat16)
#undef RWKVKIT_INSTANTIATE_WKV7

}  // namespace rwkvkit::kernels
