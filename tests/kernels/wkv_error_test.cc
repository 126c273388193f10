// tests/kernels/wkv_error_test.cc — the argument checks of kernels/wkv.h: unsupported head
// sizes, negative sizes and null pointers return cudaErrorInvalidValue before any launch, and
// T = 0 is a no-op. None of these touch a device, so they run (and pass) without a GPU too.
#include <cuda_bf16.h>
#include <cuda_runtime.h>
#include <gtest/gtest.h>

#include "kernels/wkv.h"

namespace rwkvkit::kernels {
namespace {

// Host pointers stand in for device ones: a rejected or empty call must not dereference them.
TEST(WkvErrorTest, RejectsUnsupportedHeadSize) {
  float x[4] = {}, st[4] = {};
  EXPECT_EQ(Wkv6Forward<float>(1, 4, 1, 48, x, x, x, x, x, st, x), cudaErrorInvalidValue);
  EXPECT_EQ(Wkv5Forward<float>(1, 4, 1, 128, x, x, x, x, x, st, x), cudaErrorInvalidValue);
  EXPECT_EQ(Wkv6ForwardSequential<float>(1, 4, 1, 16, x, x, x, x, x, st, x),
            cudaErrorInvalidValue);
}

TEST(WkvErrorTest, RejectsBadSizesAndNullPointers) {
  __nv_bfloat16 x[4] = {};
  float f[4] = {};
  EXPECT_EQ(Wkv6Forward<__nv_bfloat16>(0, 4, 1, 64, x, x, x, f, f, f, x), cudaErrorInvalidValue);
  EXPECT_EQ(Wkv6Forward<__nv_bfloat16>(1, -1, 1, 64, x, x, x, f, f, f, x), cudaErrorInvalidValue);
  EXPECT_EQ(Wkv5Forward<__nv_bfloat16>(1, 4, 0, 64, x, x, x, f, f, f, x), cudaErrorInvalidValue);
  EXPECT_EQ(Wkv6Forward<__nv_bfloat16>(1, 4, 1, 64, x, nullptr, x, f, f, f, x),
            cudaErrorInvalidValue);
  EXPECT_EQ(Wkv5ForwardSequential<__nv_bfloat16>(1, 4, 1, 64, x, x, x, f, f, nullptr, x),
            cudaErrorInvalidValue);
}

TEST(WkvErrorTest, EmptySequenceIsANoOp) {
  float x[4] = {}, st[4] = {1, 2, 3, 4};
  EXPECT_EQ(Wkv6Forward<float>(2, 0, 3, 64, x, x, x, x, x, st, x), cudaSuccess);
  EXPECT_EQ(Wkv5ForwardSequential<float>(2, 0, 3, 64, x, x, x, x, x, st, x), cudaSuccess);
  EXPECT_EQ(st[3], 4.0f);
}

}  // namespace
}  // namespace rwkvkit::kernels
