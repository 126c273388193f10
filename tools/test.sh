#!/usr/bin/env bash
# tools/test.sh — the README's test command (CI runs it): set up (idempotent), then
#   1. build with warnings as errors and run every test (unit tests, the golden test against
#      the official tokenizer, the fuzz targets' regression inputs);
#   2. build the CPU test suite again with AddressSanitizer + UndefinedBehaviorSanitizer
#      (-DRWKVKIT_SANITIZE=ON, in build-sanitize/) and run it;
#   3. build the libFuzzer targets with clang (-DRWKVKIT_FUZZ=ON, in build-fuzz/) and run each
#      for $RWKVKIT_FUZZ_SECONDS seconds (default 20) under ASan + UBSan, with libFuzzer's
#      seed $RWKVKIT_FUZZ_SEED (default 1).
# `tools/test.sh --fast` (or RWKVKIT_TEST_FAST=1) runs stage 1 only, for quick checks while
# developing; CI runs all three (timings in docs/testing.md).
# Any failure stops it with a non-zero exit. Tests labelled `gpu` skip themselves when no GPU
# is present. Set-up with --test: GoogleTest, Chromium, clang 14 and the Python oracles
# (datatrove, datasketch, ...) on top of the main job's needs. docs/testing.md describes
# the suite, the sanitizers and the fuzzers.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
JOBS="$(nproc)"
fast="${RWKVKIT_TEST_FAST:-0}"
for arg in "$@"; do
  case "$arg" in
    --fast) fast=1 ;;
    *) echo "test.sh: unknown option $arg (known: --fast)" >&2; exit 2 ;;
  esac
done
tools/setup.sh --test
# The three builds compile through ccache (installed by set-up) unless the caller chose a
# launcher: a rerun, or another clone of the same tree, recompiles only what changed. Paths
# under the tree are hashed relative to it, so a fresh clone elsewhere still hits.
if command -v ccache >/dev/null; then
  for lang in C CXX CUDA; do
    var="CMAKE_${lang}_COMPILER_LAUNCHER"
    [ -n "${!var:-}" ] || export "$var=ccache"
  done
  export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$ROOT}"
fi

echo "test: 1/3 build and test (build/)"
cmake -S . -B build -DRWKVKIT_WERROR=ON -DRWKVKIT_BUILD_TESTS=ON
cmake --build build -j "$JOBS"
ctest --test-dir build --output-on-failure -j "$JOBS"
if [ "$fast" = 1 ]; then
  echo "test: stage 1 passed (--fast: the sanitizer suite and the fuzz run were skipped)"
  exit 0
fi

echo "test: 2/3 the CPU suite under ASan + UBSan (build-sanitize/)"
cmake -S . -B build-sanitize -DRWKVKIT_WERROR=ON -DRWKVKIT_BUILD_TESTS=ON -DRWKVKIT_SANITIZE=ON -DRWKVKIT_CUDA=OFF
cmake --build build-sanitize -j "$JOBS"
# Left out here (stage 1 runs it): build_resume_after_kill, whose builds of 80 MB with
# --filters on come too close to its timeout under ASan; build_output_safety kills and
# resumes builds here.
# A failed test runs once more here (not in stage 1): LeakSanitizer's tracer can itself crash at
# exit under load (seen once on build_parquet_input, after its build had succeeded); a real error
# fails both runs.
ctest --test-dir build-sanitize --output-on-failure -j "$JOBS" --repeat until-pass:2 -E '^build_resume_after_kill$'

echo "test: 3/3 fuzz targets (build-fuzz/)"
cmake -S . -B build-fuzz -DCMAKE_CXX_COMPILER=clang++-14 -DRWKVKIT_FUZZ=ON -DRWKVKIT_BUILD_TESTS=OFF -DRWKVKIT_CUDA=OFF
cmake --build build-fuzz -j "$JOBS" --target rwkvkit_fuzzers
# A fixed seed: a fresh clone fuzzes the same inputs each time, as far as its time allows.
tests/fuzz/run_fuzzers.sh --build build-fuzz --seconds "${RWKVKIT_FUZZ_SECONDS:-20}" --jobs "$JOBS" \
  --seed "${RWKVKIT_FUZZ_SEED:-1}"
echo "test: all passed"
