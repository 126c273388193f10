// tests/kernels/gpu_checks.h — what every kernels/ checker starts from: whether a CUDA device
// answers (cudaGetDeviceCount), SKIP_WITHOUT_GPU() for the top of a test body (skip, or fail with
// RWKVKIT_REQUIRE_GPU=1: tests/common/require_gpu.h), and CUDA_OK(expr), an assertion that a CUDA
// call returned cudaSuccess, naming the call and the error. Host code only.
#ifndef RWKVKIT_TESTS_KERNELS_GPU_CHECKS_H_
#define RWKVKIT_TESTS_KERNELS_GPU_CHECKS_H_

#include <cuda_runtime.h>
#include <gtest/gtest.h>

#include "tests/common/require_gpu.h"

namespace rwkvkit::kernels::testing {

inline bool HaveGpu() {
  int n = 0;
  return cudaGetDeviceCount(&n) == cudaSuccess && n > 0;
}

}  // namespace rwkvkit::kernels::testing

#define SKIP_WITHOUT_GPU() RWKVKIT_SKIP_WITHOUT_GPU(::rwkvkit::kernels::testing::HaveGpu())

#define CUDA_OK(expr)                                                                  \
  do {                                                                                 \
    const cudaError_t cuda_ok_err_ = (expr);                                           \
    ASSERT_EQ(cuda_ok_err_, cudaSuccess) << #expr << ": " << cudaGetErrorString(cuda_ok_err_); \
  } while (0)

#endif  // RWKVKIT_TESTS_KERNELS_GPU_CHECKS_H_
