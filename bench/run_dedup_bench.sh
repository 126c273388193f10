#!/usr/bin/env bash
# bench/run_dedup_bench.sh — one command for the near-dedup comparison in docs/benchmarks.md.
#
#   1. tools/setup.sh --no-apt, when the venv, the vocab or the demo corpus is missing;
#   2. pip-installs datatrove, spaCy (its English word tokenizer) and xxhash (its default shingle
#      hash) into the venv when they are missing — only here, never on tools/setup.sh's path;
#   3. configures and builds rwkvkit and bench/near_dedup_bench into build-bench-dedup/ (Release,
#      portable: the MinHash kernels pick AVX-512/AVX2 at run time, no tests);
#   4. runs bench/dedup_bench.py (input cached under .rwkvkit/bench-dedup/; rwkvkit's stage,
#      its whole build, datatrove's four MinHash stages), which rewrites only the
#      dedup-comparison section of docs/benchmarks.md.
#
# Usage: bench/run_dedup_bench.sh [extra dedup_bench.py options, e.g. --size-mb 100 --repeats 5]
# Takes about 6 minutes on 2 cores after the build (datatrove is most of it); run it on an
# otherwise idle machine.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv_python="$root/.rwkvkit/venv/bin/python"
vocab="$root/.rwkvkit/vocab/rwkv_vocab_v20230424.txt"
corpus="$root/.rwkvkit/demo/demo.jsonl"
build="$root/build-bench-dedup"

log() { echo "run_dedup_bench: $*" >&2; }

if ! { [ -x "$venv_python" ] && "$venv_python" -c 'import numpy' 2>/dev/null && [ -f "$vocab" ] && [ -f "$corpus" ]; }; then
  log "setting up (tools/setup.sh --no-apt)"
  "$root/tools/setup.sh" --no-apt
fi
if ! "$venv_python" -c 'import datatrove, spacy, xxhash' 2>/dev/null; then
  log "installing datatrove==0.10.1, spacy==3.8.18 and xxhash==3.6.0 into the venv (pip)"
  "$venv_python" -m pip install -q --disable-pip-version-check datatrove==0.10.1 spacy==3.8.18 xxhash==3.6.0
fi

log "building rwkvkit and near_dedup_bench in $build"
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DRWKVKIT_NATIVE=OFF -DRWKVKIT_BUILD_TESTS=OFF \
  -DRWKVKIT_BUILD_BENCH=ON >/dev/null
cmake --build "$build" --target rwkvkit near_dedup_bench -j 2 >/dev/null

"$venv_python" "$root/bench/dedup_bench.py" \
  --bench-bin "$build/bin/near_dedup_bench" --rwkvkit "$build/bin/rwkvkit" --corpus "$corpus" --vocab "$vocab" \
  --write-doc "$root/docs/benchmarks.md" "$@"
