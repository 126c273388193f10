#!/usr/bin/env bash
# bench/kernels/run_fuse_ab_device.sh — one pass on the GPU machine for the fused elementwise path
# of the CUDA evaluator: the gpu tests (refmodel_cuda_tests, kernels_tests), then the throughput
# driver in bf16 with the first version's passes (RWKVKIT_CUDA_UNFUSED=1) and the fused path
# alternated on the same card, then a short compute-sanitizer memcheck. Uses binaries built on
# the build machine (carry $BIN, default build-gpubench/bin, plus .devdeps, .gpubench-libs and
# .rwkvkit/vocab); their compiled-in paths point at /work/main, linked here to this checkout.
# Logs go to $OUT (or /tmp/fuse_ab).
set -uo pipefail
export RWKVKIT_REQUIRE_GPU=1  # on the GPU machine a skipped gpu test is a failure
OUT=${OUT:-/tmp/fuse_ab}
BIN=${BIN:-build-gpubench/bin}
mkdir -p "$OUT"
exec > >(tee -a "$OUT/run.log") 2>&1
T0=$(date +%s)
stamp() { echo "[$(($(date +%s) - T0)) s] $*"; }
nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv
source bench/kernels/carried_binaries_env.sh
ldd "$BIN/refmodel_cuda_tests" | grep 'not found'

stamp "refmodel_cuda_tests (fused path, the default)"
timeout 200 "$BIN/refmodel_cuda_tests" --gtest_output=xml:"$OUT/tests.xml" >"$OUT/tests.log" 2>&1
echo "refmodel_cuda_tests rc=$?"
grep -E '^\[  (PASSED|FAILED|SKIPPED) |^\[  FAILED  \]' "$OUT/tests.log" | head -20
grep -o '<property name="[^"]*" value="[^"]*"' "$OUT/tests.xml" | sed 's/<property name=//' | sort | uniq -c | head -40
stamp "kernels_tests"
timeout 90 "$BIN/kernels_tests" >"$OUT/kernels_tests.log" 2>&1
echo "kernels_tests rc=$?"
grep -E '^\[  (PASSED|FAILED|SKIPPED) |^\[  FAILED  \]' "$OUT/kernels_tests.log" | head -10

stamp "throughput, bf16, unfused / fused alternated (random Finch-1.6B shape, 128 docs x 4096)"
for mode in 1 0 1 0; do
  echo "RWKVKIT_CUDA_UNFUSED=$mode"
  RWKVKIT_CUDA_UNFUSED=$mode timeout 120 "$BIN/refmodel_cuda_eval_driver" --docs 128 --dtypes bf16,bf16 --cpu-docs 1 --cpu-len 64 2>&1
done | tee "$OUT/throughput.log"
stamp "fp16 fused, once"
timeout 60 "$BIN/refmodel_cuda_eval_driver" --docs 64 --dtypes fp16 --cpu-docs 1 --cpu-len 64 2>&1 | tee -a "$OUT/throughput.log"

if command -v compute-sanitizer >/dev/null; then
  stamp "memcheck subset"
  F='Fixtures/FixtureTest.*/v6_bf16_pth:Fixtures/FixtureTest.*/v5_fp16_pth:CudaEvaluatorTest.*'
  timeout 120 compute-sanitizer --tool memcheck --error-exitcode 9 "$BIN/refmodel_cuda_tests" --gtest_filter="$F" \
    >"$OUT/sanitizer.log" 2>&1
  echo "memcheck rc=$?"
  grep -E 'ERROR SUMMARY|PASSED|FAILED' "$OUT/sanitizer.log" | tail -4
fi
stamp done
sleep 1
