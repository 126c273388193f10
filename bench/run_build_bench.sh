#!/usr/bin/env bash
# bench/run_build_bench.sh — one command for the end-to-end build comparison in docs/benchmarks.md.
#
#   1. tools/setup.sh --no-apt, when the venv, the vocab or the demo corpus is missing;
#   2. installs datatrove (pinned in build_bench.py, with orjson and tokenizers) into the venv with
#      pip when it is missing — only here, never on tools/setup.sh's default path;
#   3. configures and builds rwkvkit into build-bench-e2e/ (Release, portable, no tests);
#   4. runs bench/build_bench.py, which scales the demo corpus up (about 200 MB by default, cached
#      under .rwkvkit/bench-e2e/), times rwkvkit build, the make_data.py flow and datatrove on it,
#      prints the table and rewrites only the build-comparison section of docs/benchmarks.md.
#
# Usage: bench/run_build_bench.sh [extra build_bench.py options, e.g. --size-mb 400 --repeats 5]
# Takes about 5 minutes on 2 cores after the build; run it on an otherwise idle machine.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv_python="$root/.rwkvkit/venv/bin/python"
vocab="$root/.rwkvkit/vocab/rwkv_vocab_v20230424.txt"
corpus="$root/.rwkvkit/demo/demo.jsonl"
build="$root/build-bench-e2e"

log() { echo "run_build_bench: $*" >&2; }

if ! { [ -x "$venv_python" ] && "$venv_python" -c 'import numpy, rwkv.rwkv_tokenizer' 2>/dev/null &&
       [ -f "$vocab" ] && [ -f "$corpus" ]; }; then
  log "setting up (tools/setup.sh --no-apt)"
  "$root/tools/setup.sh" --no-apt
fi

log "building rwkvkit in $build"
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DRWKVKIT_NATIVE=OFF -DRWKVKIT_BUILD_TESTS=OFF >/dev/null
cmake --build "$build" --target rwkvkit -j 2 >/dev/null

# --install: pip-installs datatrove into the venv when it is missing (a no-op otherwise).
"$venv_python" "$root/bench/build_bench.py" --install \
  --rwkvkit "$build/bin/rwkvkit" --corpus "$corpus" --vocab "$vocab" \
  --write-doc "$root/docs/benchmarks.md" "$@"
