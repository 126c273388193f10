#!/usr/bin/env bash
# bench/run_startup_bench.sh — CLI start-up time and peak memory, this tree against a baseline
# commit, in one run (docs/benchmarks.md, section cli-startup).
#
#   1. builds the rwkvkit target of BASELINE (a git revision; default: the last commit whose CLI
#      still linked cudart/cuBLAS) into build-startup-baseline/ from a `git worktree`, and this
#      tree's rwkvkit into build/ (both Release, ccache when present, -j2);
#   2. runs bench/startup_bench.py on both binaries (interleaved runs) and rewrites the section.
#
# Usage: bench/run_startup_bench.sh [BASELINE] [--runs N]. A few minutes of building with a warm
# ccache; the measurement itself takes seconds.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# Default baseline: the parent of the commit that made the CUDA evaluator a plugin (HEAD before
# that commit exists).
added="$(git -C "$root" log --diff-filter=A --format=%H -1 -- refmodel/cuda/cuda_plugin.cc)"
baseline="${added:+$added^}"
baseline="${baseline:-HEAD}"
if [ $# -gt 0 ] && [ "${1#--}" = "$1" ]; then baseline="$1"; shift; fi
venv_python="$root/.rwkvkit/venv/bin/python"
vocab="$root/.rwkvkit/vocab/rwkv_vocab_v20230424.txt"
src="$root/build-startup-baseline-src"
bld="$root/build-startup-baseline"
launcher=()
if command -v ccache > /dev/null; then
  launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_CUDA_COMPILER_LAUNCHER=ccache)
fi

log() { echo "run_startup_bench: $*" >&2; }

if [ ! -d "$src" ]; then
  git -C "$root" worktree add --detach "$src" "$baseline"
fi
git -C "$src" checkout -q --detach "$baseline"
# The baseline's CMake finds the set-up state (venv, vocab) in its own source tree.
[ -e "$src/.rwkvkit" ] || ln -s "$root/.rwkvkit" "$src/.rwkvkit"
log "building the baseline ($baseline) into $bld"
cmake -S "$src" -B "$bld" -DRWKVKIT_BUILD_TESTS=OFF "${launcher[@]}" > /dev/null
cmake --build "$bld" -j2 --target rwkvkit > /dev/null
log "building this tree into $root/build"
cmake -S "$root" -B "$root/build" "${launcher[@]}" > /dev/null
cmake --build "$root/build" -j2 --target rwkvkit > /dev/null

cd "$root/bench"
"$venv_python" startup_bench.py --new "$root/build/bin/rwkvkit" --baseline "$bld/bin/rwkvkit" \
  --baseline-name "$(git -C "$root" rev-parse --short=12 "$baseline") (before)" --vocab "$vocab" --doc "$root/docs/benchmarks.md" "$@"
