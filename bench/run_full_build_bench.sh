#!/usr/bin/env bash
# bench/run_full_build_bench.sh — one command for the full-build section of docs/benchmarks.md.
#
#   1. builds rwkvkit from this working tree into build-bench-full/ (Release, portable, no tests);
#   2. with BEFORE=<commit>, also builds that commit (git archive into a temporary directory), so
#      the two are measured in the same run, interleaved;
#   3. runs bench/full_build_bench.py: `rwkvkit build --filters on --near-dedup on` on about 157 MB
#      of multilingual JSONL with planted near copies (bench/dedup_bench.py's input, written once
#      under .rwkvkit/bench-dedup/), with 1 thread and all cores, per-stage times from build.json,
#      decisions compared between the binaries, and rewrites the full-build section.
#
# Usage: [BEFORE=53a137b] bench/run_full_build_bench.sh [--repeats 3] [--threads 1 2]
#        bench/run_full_build_bench.sh --scaling [--threads 1 2 4 8 16] [--repeats 3]
#          (the wall-clock scaling curve of this tree's build over thread counts; rewrites the
#          scaling section instead; see full_build_bench.py)
# About 15 CPU seconds per build; run it on an otherwise idle machine (the section records the load).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
py="$root/.rwkvkit/venv/bin/python"
build="$root/build-bench-full"

cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DRWKVKIT_NATIVE=OFF -DRWKVKIT_BUILD_TESTS=OFF >/dev/null
cmake --build "$build" --target rwkvkit -j 2 >/dev/null
args=()
if [ -n "${BEFORE:-}" ]; then
  old="$(mktemp -d)"
  trap 'rm -rf "$old"' EXIT
  git -C "$root" archive "$BEFORE" | tar -x -C "$old"
  cmake -S "$old" -B "$old/build" -DCMAKE_BUILD_TYPE=Release -DRWKVKIT_NATIVE=OFF -DRWKVKIT_BUILD_TESTS=OFF >/dev/null
  cmake --build "$old/build" --target rwkvkit -j 2 >/dev/null
  args+=(--rwkvkit "before ($BEFORE)=$old/build/bin/rwkvkit")
fi
args+=(--rwkvkit "after ($(git -C "$root" rev-parse --short HEAD))=$build/bin/rwkvkit")
"$py" "$root/bench/full_build_bench.py" "${args[@]}" --write-doc "$root/docs/benchmarks.md" "$@"
