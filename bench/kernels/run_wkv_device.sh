#!/usr/bin/env bash
# bench/kernels/run_wkv_device.sh — one pass on the GPU machine: configure, build the kernels
# checker and the variants bench, run the checker, compute-sanitizer (memcheck on the whole
# checker, racecheck and synccheck on a few shapes), then the bench. Logs go to $OUT (or
# /tmp/wkv_device); the summary goes to stdout. Run from the repository root, after
# `source .devdeps/use.sh` (the project's Debian build dependencies; see ../shared/device).
set -uo pipefail
export RWKVKIT_REQUIRE_GPU=1  # on the GPU machine a skipped gpu test is a failure
OUT=${OUT:-/tmp/wkv_device}
mkdir -p "$OUT"
BUILD=${BUILD:-build-cuda}
DD=/opt/devdeps/usr
nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv | tee "$OUT/card.txt"
nvcc --version | tail -1

# OpenBLAS comes with the carried .devdeps; its find_path/find_library in refmodel/cpu search only
# the system folders, so point them at the unpacked copy (nothing built here links it).
cmake -S . -B "$BUILD" -DRWKVKIT_BUILD_TESTS=ON -DRWKVKIT_BUILD_BENCH=ON -DRWKVKIT_WERROR=ON \
  -DCMAKE_CUDA_ARCHITECTURES=90 \
  -DRWKVKIT_OPENBLAS_LIBRARY=$DD/lib/x86_64-linux-gnu/openblas-pthread/libopenblas.so \
  -DRWKVKIT_OPENBLAS_INCLUDE_DIR=$DD/include/x86_64-linux-gnu/openblas-pthread \
  >"$OUT/configure.log" 2>&1 || { tail -40 "$OUT/configure.log"; exit 1; }
cmake --build "$BUILD" -j "$(nproc)" --target kernels_tests wkv_variants >"$OUT/build.log" 2>&1 ||
  { grep -E -B2 -A6 'error' "$OUT/build.log" | head -60; exit 1; }
echo "build ok"

timeout 300 "$BUILD/bin/kernels_tests" >"$OUT/checker.log" 2>&1
echo "checker rc=$?"
grep -E '^\[  (PASSED|FAILED|SKIPPED) ' "$OUT/checker.log" | sort | uniq -c | head -5
grep -E 'FAILED|Failure|off \(tolerance|worst' "$OUT/checker.log" | head -30
# The worst y and state errors seen per kernel kind (for tolerances.h and the notes).
awk '/^\[ RUN/ { split($4, a, "/"); split(a[3], b, "_"); name = b[1] "_" b[2] "_" b[3] }
     /y max \|err\|/ { gsub(";", ""); if ($4 > y[name]) y[name] = $4; if ($8 > st[name]) st[name] = $8 }
     END { for (k in y) printf "  %-22s worst y %.3g  state %.3g\n", k, y[k], st[k] }' \
  "$OUT/checker.log" | sort

if command -v compute-sanitizer >/dev/null; then
  timeout 200 compute-sanitizer --tool memcheck --error-exitcode 9 "$BUILD/bin/kernels_tests" \
    >"$OUT/sanitizer.log" 2>&1
  echo "memcheck rc=$? ($(grep -c 'ERROR SUMMARY: 0 errors' "$OUT/sanitizer.log") clean summaries)"
  grep -E 'ERROR SUMMARY' "$OUT/sanitizer.log" | sort | uniq -c
  F='Wkv/WkvCheck.MatchesReference/v6_*_bf16_B2_T17_H3_N64:Wkv/WkvCheck.MatchesReference/v5_chunked_f32_B1_T129_H2_N64:Wkv/WkvCheck.MatchesReference/v6_chunked_f16_B2_T33_H3_N32'
  for tool in racecheck synccheck; do
    timeout 120 compute-sanitizer --tool $tool --error-exitcode 9 "$BUILD/bin/kernels_tests" \
      --gtest_filter="$F" >>"$OUT/sanitizer.log" 2>&1
    echo "$tool rc=$?"
  done
  tail -3 "$OUT/sanitizer.log"
else
  echo "compute-sanitizer not found"
fi

timeout 180 "$BUILD/bin/wkv_variants" all --version 6 2>&1 | tee "$OUT/bench_v6.log"
timeout 60 "$BUILD/bin/wkv_variants" all --version 5 --dtype bf16 2>&1 | tee "$OUT/bench_v5.log"
