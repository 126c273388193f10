#!/usr/bin/env bash
# tools/test.sh — the README's test command: set up (idempotent), build with warnings as
# errors, run every test (unit tests and the golden test against the official tokenizer).
# Tests labelled `gpu` skip themselves when no GPU is present. Set-up with --test: GoogleTest,
# Chromium and the Python oracles (datatrove, datasketch, ...) on top of the main job's needs.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
tools/setup.sh --test
cmake -S . -B build -DRWKVKIT_WERROR=ON -DRWKVKIT_BUILD_TESTS=ON
cmake --build build -j "$(nproc)"
ctest --test-dir build --output-on-failure -j "$(nproc)"
