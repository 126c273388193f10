// tests/common/require_gpu.h — how a `gpu` test behaves where no CUDA device answers.
// By default it skips itself (GTEST_SKIP), so the suite runs on machines without a GPU. With
// RWKVKIT_REQUIRE_GPU=1 in the environment (the GPU machine's scripts set it) a missing device
// is a failure instead: there, a skipped GPU test would hide a broken driver, build or plugin.
#ifndef RWKVKIT_TESTS_COMMON_REQUIRE_GPU_H_
#define RWKVKIT_TESTS_COMMON_REQUIRE_GPU_H_

#include <cstdlib>
#include <cstring>

namespace rwkvkit::testing {

inline bool GpuRequired() {
  const char* v = std::getenv("RWKVKIT_REQUIRE_GPU");
  return v != nullptr && std::strcmp(v, "") != 0 && std::strcmp(v, "0") != 0;
}

}  // namespace rwkvkit::testing

// Use at the top of a TEST body; `have_gpu` is evaluated once.
#define RWKVKIT_SKIP_WITHOUT_GPU(have_gpu)                                                     \
  do {                                                                                         \
    if (!(have_gpu)) {                                                                         \
      if (::rwkvkit::testing::GpuRequired()) {                                                 \
        FAIL() << "no CUDA device, and RWKVKIT_REQUIRE_GPU is set: a gpu test may not skip";   \
      }                                                                                        \
      GTEST_SKIP() << "no CUDA device (RWKVKIT_REQUIRE_GPU=1 makes this a failure)";           \
    }                                                                                          \
  } while (0)

#endif  // RWKVKIT_TESTS_COMMON_REQUIRE_GPU_H_
