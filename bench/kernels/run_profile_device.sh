#!/usr/bin/env bash
# bench/kernels/run_profile_device.sh — per-kernel GPU time of the CUDA evaluator's forward pass
# (issue 5), on the GPU machine, with Nsight Compute's duration metric only (no replay, clocks left
# alone). Uses binaries built on the build machine for sm_90 (carry $BIN, default build-gpubench/bin,
# plus .devdeps, .gpubench-libs and .rwkvkit/vocab). Random Finch-1.6B shape, bf16, $DOCS documents
# of 4096 tokens evaluated in windows of 512; skips the first forward (warm-up) and profiles the
# next $COUNT launches; prints the per-kernel summary, and the same with RWKVKIT_CUDA_UNFUSED=1 when
# AB=1. Logs under $OUT.
set -uo pipefail
OUT=${OUT:-/tmp/profile}
BIN=${BIN:-build-gpubench/bin}
DOCS=${DOCS:-64}
SKIP=${SKIP:-700}
COUNT=${COUNT:-1400}
mkdir -p "$OUT"
source bench/kernels/carried_binaries_env.sh
nvidia-smi --query-gpu=name,driver_version,clocks.max.sm --format=csv,noheader
profile() {  # $1 = tag, rest = env assignments
  local tag=$1; shift
  env "$@" timeout 280 ncu --clock-control none --metrics gpu__time_duration.sum --print-summary per-kernel \
    --launch-skip "$SKIP" --launch-count "$COUNT" \
    "$BIN/refmodel_cuda_eval_driver" --docs "$DOCS" --dtypes bf16 --cpu-docs 1 --cpu-len 16 >"$OUT/ncu_$tag.log" 2>&1
  echo "ncu $tag rc=$?"
  python3 bench/kernels/ncu_summary.py "$OUT/ncu_$tag.log"
}
profile fused
[ "${AB:-0}" = 1 ] && profile unfused RWKVKIT_CUDA_UNFUSED=1
