// tests/kernels/tolerances.h — the one place where the `gpu` checkers' tolerances live
// (docs/conventions.md). A GPU value g passes against the fp64 CPU twin's value x when
//   |g - x| <= abs + rel·|x|      (NaN never passes).
// The twin sees exactly the inputs the kernel sees (bf16/fp16 inputs are rounded on the host
// first), so the tolerance covers only fp32 arithmetic in the kernel and the rounding of y to
// its dtype — not input quantization. Checker inputs are O(1) (r, k, v, u, state in [-1, 1],
// N = 32/64, decays as in released models), so |y| <= ~20 and |S| <= ~10.
#ifndef RWKVKIT_TESTS_KERNELS_TOLERANCES_H_
#define RWKVKIT_TESTS_KERNELS_TOLERANCES_H_

namespace rwkvkit::kernels::testing {

struct Tolerance {
  double abs;
  double rel;
};

// fp32 y and every state: fp32 sums of ~N·C products of O(1) numbers carry absolute errors of a
// few 1e-6 (N = 64 terms of magnitude ≤ 5 at 6e-8 each, plus the exp2/log2 path of the chunked
// kernel, ~2 ulp per factor); 2e-4 leaves ~10x margin and still fails any wrong index, dropped
// term or missed decay (those are O(0.1) and up).
inline constexpr Tolerance kWkvF32{2e-4, 2e-4};
// The state is fp32 whatever the input dtype, so it is held to the fp32 bound.
inline constexpr Tolerance kWkvState{2e-4, 2e-4};
// bf16 y: rounding to bf16 costs up to half an ulp, 2^-9 ≈ 1.95e-3 relative; 4e-3 is twice that
// (the fp32 result may sit on the other side of a rounding boundary from the exact one); the
// abs term covers fp32 error on values near zero.
inline constexpr Tolerance kWkvBf16{2e-4, 4e-3};
// fp16 y: half an ulp is 2^-11 ≈ 4.9e-4 relative; 1e-3 is twice that.
inline constexpr Tolerance kWkvF16{2e-4, 1e-3};

}  // namespace rwkvkit::kernels::testing

#endif  // RWKVKIT_TESTS_KERNELS_TOLERANCES_H_
