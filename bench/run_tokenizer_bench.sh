#!/usr/bin/env bash
# bench/run_tokenizer_bench.sh — one command for the tokenizer comparison in docs/benchmarks.md.
#
#   1. tools/setup.sh --bench --no-apt, when the venv lacks the Rust tokenizer (pyrwkv_tokenizer)
#      or the vocab or the demo corpus is missing (it installs the pinned PyPI packages, the vocab
#      and the demo corpus; Debian packages are assumed present: run tools/setup.sh once without
#      --no-apt on a fresh machine);
#   2. configures and builds tokenizer_bench and rwkvkit into build-bench/ (-DRWKVKIT_BUILD_BENCH=ON,
#      -DRWKVKIT_NATIVE=OFF: a portable build, as users get it; tests are not built);
#   3. runs bench/compare_tokenizers.py on .rwkvkit/demo/demo.jsonl, which prints the table and
#      writes its section of docs/benchmarks.md (the rest of that file is left alone).
#
# Usage: bench/run_tokenizer_bench.sh [extra compare_tokenizers.py options, e.g. --repeats 5]
# Takes about a minute on 2 cores after the build; run it on an otherwise idle machine.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv_python="$root/.rwkvkit/venv/bin/python"
vocab="$root/.rwkvkit/vocab/rwkv_vocab_v20230424.txt"
corpus="$root/.rwkvkit/demo/demo.jsonl"
build="$root/build-bench"

log() { echo "run_tokenizer_bench: $*" >&2; }

if ! { [ -x "$venv_python" ] && "$venv_python" -c 'import pyrwkv_tokenizer, rwkv.rwkv_tokenizer' 2>/dev/null &&
       [ -f "$vocab" ] && [ -f "$corpus" ]; }; then
  log "setting up (tools/setup.sh --bench --no-apt)"
  "$root/tools/setup.sh" --bench --no-apt
fi

log "building tokenizer_bench in $build"
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DRWKVKIT_BUILD_BENCH=ON -DRWKVKIT_NATIVE=OFF \
  -DRWKVKIT_BUILD_TESTS=OFF >/dev/null
cmake --build "$build" --target tokenizer_bench rwkvkit -j "$(nproc)" >/dev/null

"$venv_python" "$root/bench/compare_tokenizers.py" \
  --corpus "$corpus" --vocab "$vocab" --tokenizer-bench "$build/bin/tokenizer_bench" --rwkvkit "$build/bin/rwkvkit" \
  --write-doc "$root/docs/benchmarks.md" "$@"
