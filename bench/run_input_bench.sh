#!/usr/bin/env bash
# bench/run_input_bench.sh — one command for the input-format section of docs/benchmarks.md:
# builds rwkvkit and bench/input_read_bench into build-bench-input/ (Release, portable, with
# Parquet), then runs bench/input_bench.py (writes the corpus once under .rwkvkit/bench-input/,
# about 1 GB in four formats; times `rwkvkit build` and the read stage on each).
#
# Usage: bench/run_input_bench.sh [input_bench.py options, e.g. --copies 12 --repeats 5]
# Takes a few minutes on 2 cores after the build; run it on an otherwise idle machine
# (`uptime`), the table records the load.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="$root/build-bench-input"
if [ ! -x "$root/.rwkvkit/venv/bin/python" ] || ! "$root/.rwkvkit/venv/bin/python" -c 'import pyarrow' 2>/dev/null; then
  "$root/tools/setup.sh" --no-apt
fi
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DRWKVKIT_NATIVE=OFF -DRWKVKIT_BUILD_TESTS=OFF \
  -DRWKVKIT_BUILD_BENCH=ON -DRWKVKIT_PARQUET=ON >/dev/null
cmake --build "$build" --target rwkvkit input_read_bench -j 2 >/dev/null
"$root/.rwkvkit/venv/bin/python" "$root/bench/input_bench.py" --rwkvkit "$build/bin/rwkvkit" \
  --read-bench "$build/bin/input_read_bench" --write-doc "$root/docs/benchmarks.md" "$@"
