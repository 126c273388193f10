#!/usr/bin/env bash
# tools/dev/arm_walk_check.sh — checks the tokenizer's SIMD walk on Arm (NEON, SVE, SVE2, 256-bit
# SVE) from an x86 machine: the walk is cross-compiled (g++-aarch64-linux-gnu) and run under
# qemu-aarch64 against the plain walk on a document file. Correctness only: qemu says nothing
# about speed. Not part of tools/test.sh (it needs the cross compiler and qemu-user:
# apt-get install g++-aarch64-linux-gnu qemu-user).
#
#   tools/dev/arm_walk_check.sh BUILD_DIR DOCS.bin
# BUILD_DIR: a host build with the tokenizer library (build/); DOCS.bin: (uint32 length, bytes)*.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
build="$1"; docs="$2"
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
here="$root/tools/dev/arm_walk_check"
# The host side dumps the trie (the tokenizer library and its Abseil dependencies).
g++ -O2 -std=c++20 -I"$root" "$here/dump_trie.cc" -o "$work/dump_trie" "$build/tokenizer/librwkvkit_tokenizer.a" \
  -labsl_statusor -labsl_status -labsl_str_format_internal -labsl_strings -labsl_cord -labsl_cord_internal \
  -labsl_cordz_info -labsl_cordz_functions -labsl_cordz_handle -labsl_throw_delegate -labsl_raw_logging_internal \
  -labsl_int128 -labsl_base
"$work/dump_trie" "$root/.rwkvkit/vocab/rwkv_vocab_v20230424.txt" "$docs" "$work/dump.bin"
# The Arm side needs only the walk: no Abseil library (Build() and its error paths are left
# unresolved and never called).
aarch64-linux-gnu-g++ -O2 -std=c++20 -static -I"$root" -ffunction-sections -fdata-sections "$here/walk_check.cc" \
  "$root/tokenizer/internal/vector_walk.cc" "$root/tokenizer/internal/vector_encode.cc" \
  "$root/tokenizer/internal/double_array.cc" -o "$work/walk_check" -Wl,--gc-sections -Wl,--unresolved-symbols=ignore-all
status=0
for cpu in "max,sve=off" "max" "max,sve256=on"; do
  echo "qemu-aarch64 -cpu $cpu:"
  qemu-aarch64 -cpu "$cpu" "$work/walk_check" "$work/dump.bin" || status=1
done
exit $status
