#!/usr/bin/env bash
# tools/test.sh — the README's test command (CI runs it): set up (idempotent), then
#   1. build with warnings as errors and run every test (unit tests, the golden test against
#      the official tokenizer, the fuzz targets' regression inputs);
#   with --sanitize (or RWKVKIT_TEST_SANITIZE=1) also
#   2. build the CPU test suite again with AddressSanitizer + UndefinedBehaviorSanitizer
#      (-DRWKVKIT_SANITIZE=ON, in build-sanitize/) and run it;
#   3. build the libFuzzer targets with clang (-DRWKVKIT_FUZZ=ON, in build-fuzz/) and run each
#      for $RWKVKIT_FUZZ_SECONDS seconds (default 45) under ASan + UBSan.
#   Stages 2 and 3 are not yet part of CI: the code landed last was never run under the
#   sanitizers, and a cold sanitizer build doubles CI time (docs/testing.md).
# Any failure stops it with a non-zero exit. Tests labelled `gpu` skip themselves when no GPU
# is present. Set-up with --test: GoogleTest, Chromium, clang 14 and the Python oracles
# (datatrove, datasketch, ...) on top of the main job's needs. docs/testing.md describes
# the suite, the sanitizers and the fuzzers.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
JOBS="$(nproc)"
sanitize="${RWKVKIT_TEST_SANITIZE:-0}"
for arg in "$@"; do
  case "$arg" in
    --sanitize) sanitize=1 ;;
    *) echo "test.sh: unknown option $arg (known: --sanitize)" >&2; exit 2 ;;
  esac
done
tools/setup.sh --test

echo "test: 1/3 build and test (build/)"
cmake -S . -B build -DRWKVKIT_WERROR=ON -DRWKVKIT_BUILD_TESTS=ON
cmake --build build -j "$JOBS"
ctest --test-dir build --output-on-failure -j "$JOBS"
if [ "$sanitize" != 1 ]; then
  echo "test: all passed (tools/test.sh --sanitize adds the sanitizer suite and the fuzz run)"
  exit 0
fi

echo "test: 2/3 the CPU suite under ASan + UBSan (build-sanitize/)"
cmake -S . -B build-sanitize -DRWKVKIT_WERROR=ON -DRWKVKIT_BUILD_TESTS=ON -DRWKVKIT_SANITIZE=ON -DRWKVKIT_CUDA=OFF
cmake --build build-sanitize -j "$JOBS"
ctest --test-dir build-sanitize --output-on-failure -j "$JOBS"

echo "test: 3/3 fuzz targets (build-fuzz/)"
cmake -S . -B build-fuzz -DCMAKE_CXX_COMPILER=clang++-14 -DRWKVKIT_FUZZ=ON -DRWKVKIT_BUILD_TESTS=OFF -DRWKVKIT_CUDA=OFF
cmake --build build-fuzz -j "$JOBS" --target rwkvkit_fuzzers
tests/fuzz/run_fuzzers.sh --build build-fuzz --seconds "${RWKVKIT_FUZZ_SECONDS:-45}" --jobs "$JOBS"
echo "test: all passed"
