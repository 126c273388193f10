#!/usr/bin/env bash
# tests/fuzz/run_fuzzers.sh — runs the libFuzzer targets of a -DRWKVKIT_FUZZ=ON build, each for
# a bounded time under ASan + UBSan, and fails on any crash, hang, leak, out-of-memory or
# violated property (docs/testing.md).
#   tests/fuzz/run_fuzzers.sh [--build DIR] [--seconds N] [--jobs J] [--work DIR] [--seed S] [TARGET...]
#
#   --build DIR    the fuzz build directory (default build-fuzz)
#   --seconds N    time per target (default 60)
#   --jobs J       targets run at once (default: the number of cores)
#   --work DIR     seeds, corpora (kept: repeated runs go deeper), logs (default DIR/fuzz-work)
#   --seed S       libFuzzer's random seed (default 0: a new one each run; CI fixes it)
#   TARGET...      a subset (vocab jsonl_field ... inspect; default all)
#
# Seeds come first (fuzz_make_seeds; make_parquet_seeds.py). A failing target prints the end of
# its log and its input's path: check that input into tests/fuzz/regressions/<target>/ with
# the fix, so that ctest replays it (docs/testing.md, "Fuzzing").
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BUILD="$ROOT/build-fuzz"
SECONDS_PER_TARGET=60
JOBS="$(nproc)"
WORK=""
SEED=0
TARGETS=()
while [ $# -gt 0 ]; do
  case "$1" in
    --build) BUILD="$(cd "$2" && pwd)"; shift 2 ;;
    --seconds) SECONDS_PER_TARGET="$2"; shift 2 ;;
    --jobs) JOBS="$2"; shift 2 ;;
    --work) mkdir -p "$2"; WORK="$(cd "$2" && pwd)"; shift 2 ;;
    --seed) SEED="$2"; shift 2 ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    -*) echo "run_fuzzers: unknown option $1" >&2; exit 2 ;;
    *) TARGETS+=("$1"); shift ;;
  esac
done
[ -n "$WORK" ] || WORK="$BUILD/fuzz-work"
ALL=(vocab compiled_vocab jsonl_field jsonl_record jsonl_stream parquet manifest zip pickle pth safetensors binidx build_info inspect)
[ "${#TARGETS[@]}" -gt 0 ] || TARGETS=("${ALL[@]}")
for t in "${TARGETS[@]}"; do
  [ -x "$BUILD/bin/fuzz_$t" ] || { echo "run_fuzzers: $BUILD/bin/fuzz_$t is missing (build the rwkvkit_fuzzers target of a -DRWKVKIT_FUZZ=ON build)" >&2; exit 2; }
done

mkdir -p "$WORK/corpus" "$WORK/logs" "$WORK/artifacts"
# The seed builds report their deliberately bad records on stderr: kept in a log.
if ! "$BUILD/bin/fuzz_make_seeds" "$ROOT" "$WORK/seeds" > "$WORK/logs/make_seeds.log" 2>&1; then
  cat "$WORK/logs/make_seeds.log" >&2
  exit 1
fi
# The parquet target's seeds: small files written by pyarrow (the set-up venv's).
PYTHON="${RWKVKIT_PYARROW_PYTHON:-$ROOT/.rwkvkit/venv/bin/python}"
if [[ " ${TARGETS[*]} " == *" parquet "* ]] &&
   ! "$PYTHON" "$ROOT/tests/fuzz/make_parquet_seeds.py" "$WORK/seeds" >> "$WORK/logs/make_seeds.log" 2>&1; then
  cat "$WORK/logs/make_seeds.log" >&2
  exit 1
fi
export RWKVKIT_FUZZ_BUILD_DIR="$WORK/seeds/build"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1}"
SYMBOLIZER="$(command -v llvm-symbolizer-14 || command -v llvm-symbolizer || ls /usr/lib/llvm-14/bin/llvm-symbolizer 2>/dev/null || true)"
[ -n "$SYMBOLIZER" ] && export ASAN_SYMBOLIZER_PATH="$SYMBOLIZER"

run_one() {
  local t="$1"
  local inputs=("$WORK/corpus/$t" "$WORK/seeds/$t")
  mkdir -p "$WORK/corpus/$t"
  [ -d "$ROOT/tests/fuzz/regressions/$t" ] && inputs+=("$ROOT/tests/fuzz/regressions/$t")
  # -close_fd_mask=3: the targets' own stdout/stderr (inspect's report) go nowhere; libFuzzer's
  # and the sanitizers' reports still reach the log. -timeout: one input taking longer is a hang.
  "$BUILD/bin/fuzz_$t" -seed="$SEED" -max_total_time="$SECONDS_PER_TARGET" -timeout=30 -rss_limit_mb=2560 \
    -close_fd_mask=3 -print_final_stats=1 -artifact_prefix="$WORK/artifacts/$t-" "${inputs[@]}" \
    > "$WORK/logs/$t.log" 2>&1
}

echo "run_fuzzers: ${#TARGETS[@]} targets, ${SECONDS_PER_TARGET} s each, $JOBS at a time; work in $WORK"
declare -A PIDS=()
failed=()
finish() {  # waits for one finished job, records it
  local pid rc=0 t
  wait -n -p pid || rc=$?
  t="${PIDS[$pid]}"
  unset "PIDS[$pid]"
  local execs
  execs="$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$WORK/logs/$t.log" | grep -o '[0-9]*$' || echo '?')"
  if [ "$rc" = 0 ]; then
    echo "run_fuzzers: $t ok ($execs inputs, corpus $(ls "$WORK/corpus/$t" | wc -l) files)"
  else
    failed+=("$t")
    echo "run_fuzzers: $t FAILED (exit $rc); end of $WORK/logs/$t.log:" >&2
    tail -n 60 "$WORK/logs/$t.log" >&2
    ls -1 "$WORK/artifacts/$t-"* 2>/dev/null | sed 's/^/run_fuzzers: failing input: /' >&2 || true
  fi
}
for t in "${TARGETS[@]}"; do
  while [ "${#PIDS[@]}" -ge "$JOBS" ]; do finish; done
  run_one "$t" &
  PIDS[$!]="$t"
done
while [ "${#PIDS[@]}" -gt 0 ]; do finish; done

if [ "${#failed[@]}" -gt 0 ]; then
  echo "run_fuzzers: FAILED: ${failed[*]}" >&2
  exit 1
fi
echo "run_fuzzers: all ${#TARGETS[@]} targets ran ${SECONDS_PER_TARGET} s without a failure"
