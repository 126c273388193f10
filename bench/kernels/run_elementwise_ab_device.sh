#!/usr/bin/env bash
# bench/kernels/run_elementwise_ab_device.sh — one pass on the GPU machine for a change to the
# evaluator's elementwise kernels (issue 5): the gpu tests (kernels_tests, refmodel_cuda_tests),
# then the throughput driver of the previous build ($OLD, default build-gpubench/bin-old) and of
# this one ($BIN) alternated on the same card (bf16, random Finch-1.6B shape, $DOCS docs x 4096,
# window 512), fp16 and fp32 once, then compute-sanitizer (memcheck on the evaluator tests and a
# fixture, racecheck on the WKV raw-decay test) and the per-kernel profile of the new build
# (run_profile_device.sh); SANITIZE=0 / PROFILE=0 skip those. Binaries built on the build machine for sm_90, carried with .devdeps,
# .gpubench-libs and .rwkvkit/vocab. Logs under $OUT.
set -uo pipefail
export RWKVKIT_REQUIRE_GPU=1  # on the GPU machine a skipped gpu test is a failure
OUT=${OUT:-/tmp/ew_ab}
BIN=${BIN:-build-gpubench/bin}
OLD=${OLD:-build-gpubench/bin-old}
DOCS=${DOCS:-128}
mkdir -p "$OUT"
exec > >(tee -a "$OUT/run.log") 2>&1
T0=$(date +%s)
stamp() { echo "[$(($(date +%s) - T0)) s] $*"; }
nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv
source bench/kernels/carried_binaries_env.sh

stamp "kernels_tests"
timeout 120 "$BIN/kernels_tests" >"$OUT/kernels_tests.log" 2>&1; echo "kernels_tests rc=$?"
grep -E '^\[  (PASSED|FAILED|SKIPPED) |^\[  FAILED  \]' "$OUT/kernels_tests.log" | head -12
stamp "refmodel_cuda_tests"
timeout 240 "$BIN/refmodel_cuda_tests" --gtest_output=xml:"$OUT/tests.xml" >"$OUT/tests.log" 2>&1; echo "refmodel_cuda_tests rc=$?"
grep -E '^\[  (PASSED|FAILED|SKIPPED) |^\[  FAILED  \]' "$OUT/tests.log" | head -20
grep -o '<property name="[^"]*" value="[^"]*"' "$OUT/tests.xml" | sed 's/<property name=//' | head -40

stamp "throughput bf16: old / new alternated"
for b in "$OLD" "$BIN" "$OLD" "$BIN"; do
  echo "== $b"; timeout 150 "$b/refmodel_cuda_eval_driver" --docs "$DOCS" --dtypes bf16,bf16 --cpu-docs 1 --cpu-len 64 2>&1 | grep -E 'cuda|cpu'
done | tee "$OUT/throughput.log"
stamp "new: fp16 and fp32 once"
timeout 150 "$BIN/refmodel_cuda_eval_driver" --docs 64 --dtypes fp16,fp32 --cpu-docs 1 --cpu-len 64 2>&1 | grep -E 'cuda|cpu' | tee -a "$OUT/throughput.log"

if [ "${SANITIZE:-1}" = 1 ] && command -v compute-sanitizer >/dev/null; then
  stamp "memcheck (evaluator tests + two fixtures)"
  F='Fixtures/FixtureTest.*/v6_bf16_pth:Fixtures/FixtureTest.*/v5_fp16_pth:CudaEvaluatorTest.*'
  timeout 150 compute-sanitizer --tool memcheck --error-exitcode 9 "$BIN/refmodel_cuda_tests" --gtest_filter="$F" >"$OUT/memcheck.log" 2>&1
  echo "memcheck rc=$?"; grep -E 'ERROR SUMMARY' "$OUT/memcheck.log" | tail -2
  stamp "racecheck (WKV raw decay)"
  timeout 100 compute-sanitizer --tool racecheck --error-exitcode 9 "$BIN/kernels_tests" --gtest_filter='Wkv/WkvRawDecay.*' >"$OUT/racecheck.log" 2>&1
  echo "racecheck rc=$?"; grep -E 'ERROR SUMMARY|RACE' "$OUT/racecheck.log" | tail -3
fi
if [ "${PROFILE:-1}" = 1 ]; then
  stamp "profile (new build)"
  OUT=$OUT BIN=$BIN DOCS=64 bash bench/kernels/run_profile_device.sh >/dev/null 2>&1
  python3 bench/kernels/ncu_summary.py "$OUT/ncu_fused.log" | head -30
fi
stamp done
