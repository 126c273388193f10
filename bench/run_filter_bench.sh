#!/usr/bin/env bash
# bench/run_filter_bench.sh — one command for the filter-speed section of docs/benchmarks.md.
#
#   1. builds rwkvkit from this working tree into build-bench-filters/ (Release, no tests);
#   2. with BEFORE=<commit>, also builds that commit (git archive into a temporary directory) so
#      the two are measured in the same run;
#   3. runs bench/filter_bench.py: `rwkvkit build --threads 1 --near-dedup off` on the demo corpus
#      with --filters off / on / on + --c4 on, interleaved, next to datatrove's filter classes,
#      and rewrites the filter-speed section of docs/benchmarks.md.
#
# Usage: [BEFORE=1f8fe71] bench/run_filter_bench.sh [--repeats 5]
# Run it on an otherwise idle machine (the section records the load average).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
py="$root/.rwkvkit/venv/bin/python"
build="$root/build-bench-filters"

cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DRWKVKIT_BUILD_TESTS=OFF >/dev/null
cmake --build "$build" --target rwkvkit -j 2 >/dev/null
args=()
if [ -n "${BEFORE:-}" ]; then
  old="$(mktemp -d)"
  trap 'rm -rf "$old"' EXIT
  git -C "$root" archive "$BEFORE" | tar -x -C "$old"
  cmake -S "$old" -B "$old/build" -DCMAKE_BUILD_TYPE=Release -DRWKVKIT_BUILD_TESTS=OFF >/dev/null
  cmake --build "$old/build" --target rwkvkit -j 2 >/dev/null
  args+=(--rwkvkit "before ($BEFORE)=$old/build/bin/rwkvkit")
fi
args+=(--rwkvkit "after=$build/bin/rwkvkit")
"$py" "$root/bench/filter_bench.py" "${args[@]}" --write-doc "$root/docs/benchmarks.md" "$@"
