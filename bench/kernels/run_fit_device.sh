#!/usr/bin/env bash
# bench/kernels/run_fit_device.sh — on the GPU machine (issue 5): the evaluator's throughput for the
# Finch-1.6B shape, then whether a Finch-7B-shaped model (L=32, D=4096, F=14336, V=65536) loads and
# runs in bf16 and fp16 on this card, with the peak GPU memory sampled by nvidia-smi, then
# compute-sanitizer racecheck on the evaluator tests. Binaries built on the build machine for sm_90
# (carry $BIN, default build-gpubench/bin, plus .devdeps, .gpubench-libs, .rwkvkit/vocab). Logs: $OUT.
set -uo pipefail
export RWKVKIT_REQUIRE_GPU=1  # on the GPU machine a skipped gpu test is a failure
OUT=${OUT:-/tmp/fit}
BIN=${BIN:-build-gpubench/bin}
mkdir -p "$OUT"
exec > >(tee -a "$OUT/run.log") 2>&1
T0=$(date +%s)
stamp() { echo "[$(($(date +%s) - T0)) s] $*"; }
nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv
source bench/kernels/carried_binaries_env.sh

peak_run() {  # tag, driver args...: runs the driver while sampling memory.used every 200 ms
  local tag=$1; shift
  nvidia-smi --query-gpu=memory.used --format=csv,noheader,nounits -lms 200 >"$OUT/mem_$tag.log" &
  local smi=$!
  timeout 300 "$BIN/refmodel_cuda_eval_driver" "$@" 2>&1 | grep -E 'model|cuda|cpu|rror'
  echo "$tag rc=${PIPESTATUS[0]}"
  kill $smi; wait $smi 2>/dev/null
  echo "$tag peak GPU memory used: $(sort -n "$OUT/mem_$tag.log" | tail -1) MiB"
}
stamp "Finch-1.6B shape, bf16 x2 + fp16, 128 docs x 4096"
peak_run f16b --docs 128 --dtypes bf16,bf16,fp16 --cpu-docs 1 --cpu-len 64
stamp "Finch-7B shape, bf16 + fp16, 32 docs x 4096"
peak_run f7b --layers 32 --width 4096 --docs 32 --dtypes bf16,fp16 --cpu-docs 1 --cpu-len 16
if command -v compute-sanitizer >/dev/null; then
  stamp "racecheck (evaluator tests + two fixtures)"
  F='Fixtures/FixtureTest.*/v6_bf16_pth:Fixtures/FixtureTest.*/v5_fp16_pth:CudaEvaluatorTest.*'
  timeout 200 compute-sanitizer --tool racecheck --error-exitcode 9 "$BIN/refmodel_cuda_tests" --gtest_filter="$F" >"$OUT/racecheck.log" 2>&1
  echo "racecheck rc=$?"; grep -E 'RACECHECK SUMMARY|PASSED|FAILED' "$OUT/racecheck.log" | tail -3
fi
stamp done
