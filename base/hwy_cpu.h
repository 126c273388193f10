// base/hwy_cpu.h — whether this CPU (and the OS, for the vector registers) runs code that
// Highway compiled for a target, without libhwy (its library costs every process a few ms at
// start: tokenizer/internal/vector_walk.h). For the files that compile one source per
// instruction set with hwy/foreach_target.h and pick the best target themselves.
// Knows the targets those files list: SSE4, AVX2, AVX3 (x86, Linux or not) and SVE, SVE2
// (Arm, Linux); the static (baseline) target always runs; any other target gives false.
// Thread-safe. Header-only; needs Highway's headers (CMake target rwkvkit_hwy_headers).
#ifndef RWKVKIT_BASE_HWY_CPU_H_
#define RWKVKIT_BASE_HWY_CPU_H_

#include <cstdint>

#include "hwy/detect_targets.h"

#if HWY_ARCH_X86
#include <cpuid.h>
#elif HWY_ARCH_ARM_A64 && defined(__linux__)
#include <sys/auxv.h>
#endif

namespace rwkvkit::base {

// Every extension Highway compiles `target` with (hwy/ops/set_macros-inl.h). The CPU is asked
// once (CPUID can trap to the hypervisor in a VM: microseconds); later calls read the answer.
inline bool CpuRunsHwyTarget(int64_t target) {
  if (target == HWY_STATIC_TARGET) return true;
#if HWY_ARCH_X86
  struct Runs {
    bool sse4, avx2, avx3;
  };
  static const Runs runs = [] {
    __builtin_cpu_init();
    const bool sse4 = __builtin_cpu_supports("ssse3") && __builtin_cpu_supports("sse4.1") &&
                      __builtin_cpu_supports("sse4.2") && __builtin_cpu_supports("pclmul") &&
                      __builtin_cpu_supports("aes");
    unsigned a = 0, b = 0, c = 0, d = 0;
    const bool f16c = __get_cpuid(1, &a, &b, &c, &d) && ((c >> 29) & 1) != 0;
    const bool avx2 = sse4 && __builtin_cpu_supports("avx") && __builtin_cpu_supports("avx2") &&
                      __builtin_cpu_supports("bmi") && __builtin_cpu_supports("bmi2") &&
                      __builtin_cpu_supports("fma") && f16c;
    const bool avx3 = avx2 && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") &&
                      __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512bw");
    return Runs{sse4, avx2, avx3};
  }();
  return (target == HWY_SSE4 && runs.sse4) || (target == HWY_AVX2 && runs.avx2) ||
         (target == HWY_AVX3 && runs.avx3);
#elif HWY_ARCH_ARM_A64 && defined(__linux__)
  constexpr unsigned long kHwcapSve = 1ul << 22;   // HWCAP_SVE (asm/hwcap.h)
  constexpr unsigned long kHwcap2Sve2 = 1ul << 1;  // HWCAP2_SVE2
  const bool sve = (getauxval(AT_HWCAP) & kHwcapSve) != 0;
  return (target == HWY_SVE && sve) || (target == HWY_SVE2 && sve && (getauxval(AT_HWCAP2) & kHwcap2Sve2) != 0);
#else
  return false;
#endif
}

}  // namespace rwkvkit::base

#endif  // RWKVKIT_BASE_HWY_CPU_H_
