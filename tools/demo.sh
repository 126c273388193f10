#!/usr/bin/env bash
# tools/demo.sh — the README's main command: set up (idempotent), build, and run the main job on
# the embedded default, data_manifests/demo.json (the multilingual demo corpus that set-up
# assembles from Debian packages): `rwkvkit build` writes the binidx shards and build.json to
# build/demo_corpus/ (the manifest's output.dir), `rwkvkit inspect` verifies them against
# build.json, and `rwkvkit stats` writes the corpus report (report.html, report.md, report.json) to
# build/demo_report/; `rwkvkit bench tokenizer` prints bytes and characters per token, tokens per
# word and encode MB/s per language of the demo JSONL (docs/tokenizer_bench.md).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
tools/setup.sh   # only what the main job needs; tools/test.sh adds the test tools
cmake -S . -B build -DRWKVKIT_WERROR=ON -DRWKVKIT_BUILD_TESTS=OFF
cmake --build build -j "$(nproc)" --target rwkvkit
build/bin/rwkvkit build --manifest data_manifests/demo.json
build/bin/rwkvkit inspect build/demo_corpus
build/bin/rwkvkit bench tokenizer --input .rwkvkit/demo/demo.jsonl --json build/demo_tokenizer_bench.json
build/bin/rwkvkit stats build/demo_corpus --out build/demo_report
echo "demo: shards and build.json in build/demo_corpus/, corpus report in build/demo_report/report.{html,md,json}, tokenizer benchmark in build/demo_tokenizer_bench.json"
