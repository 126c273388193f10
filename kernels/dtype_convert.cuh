// kernels/dtype_convert.cuh — fp32 <-> the element types of the kernels (float, __half,
// __nv_bfloat16), round to nearest even. Host and device, so kernels, their launchers, the
// checkers and the benchmarks convert the same way. Header-only; depends on the CUDA Toolkit.
#ifndef RWKVKIT_KERNELS_DTYPE_CONVERT_CUH_
#define RWKVKIT_KERNELS_DTYPE_CONVERT_CUH_

#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_runtime.h>

namespace rwkvkit::kernels {

__host__ __device__ __forceinline__ float ToFloat(float x) { return x; }
__host__ __device__ __forceinline__ float ToFloat(__half x) { return __half2float(x); }
__host__ __device__ __forceinline__ float ToFloat(__nv_bfloat16 x) { return __bfloat162float(x); }

template <typename T>
__host__ __device__ __forceinline__ T FromFloat(float x);
template <>
__host__ __device__ __forceinline__ float FromFloat<float>(float x) {
  return x;
}
template <>
__host__ __device__ __forceinline__ __half FromFloat<__half>(float x) {
  return __float2half_rn(x);
}
template <>
__host__ __device__ __forceinline__ __nv_bfloat16 FromFloat<__nv_bfloat16>(float x) {
  return __float2bfloat16_rn(x);
}

}  // namespace rwkvkit::kernels

#endif  // RWKVKIT_KERNELS_DTYPE_CONVERT_CUH_
