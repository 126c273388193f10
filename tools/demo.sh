#!/usr/bin/env bash
# tools/demo.sh — the README's main command: set up (idempotent), build, and run the main job
# on the embedded default, data_manifests/demo.json (the multilingual demo corpus that set-up
# assembles from Debian packages). Until the corpus pipeline lands, the main job tokenizes
# the corpus and prints per-language statistics (documents, bytes, tokens, bytes per token).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
tools/setup.sh
cmake -S . -B build -DRWKVKIT_WERROR=ON -DRWKVKIT_BUILD_TESTS=ON
cmake --build build -j "$(nproc)" --target rwkvkit
mkdir -p build/demo
build/bin/rwkvkit stats --manifest data_manifests/demo.json --json build/demo/stats.json
echo "demo: statistics written to build/demo/stats.json"
