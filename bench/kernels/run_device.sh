#!/usr/bin/env bash
# bench/kernels/run_device.sh — the one script for the GPU machine: runs the named STEPs in order.
# Usage: bash bench/kernels/run_device.sh STEP... (from the repository root); without a STEP it
# prints the steps (build, tests, sanitize, smoke, wkv, throughput, fit, profile, ab, load,
# fixtures, python, split) and what to carry. docs/kernels_notes.md says how it is used.
set -uo pipefail
OUT=${OUT:-/tmp/device}
BUILD=${BUILD:-build-cuda}
BIN=${BIN:-build-gpubench/bin}
OLD=${OLD:-build-gpubench/bin-old}
DOCS=${DOCS:-128}
DTYPES=${DTYPES:-bf16,fp32}
VERSION=${VERSION:-6}
WHL=${WHL:-.whl}
export RWKVKIT_REQUIRE_GPU=1  # on the GPU machine a skipped gpu test is a failure
mkdir -p "$OUT"
exec > >(tee -a "$OUT/run.log") 2>&1
T0=$(date +%s)
stamp() { echo "[$(($(date +%s) - T0)) s] $*"; }
usage() {
  cat <<'USAGE'
  bash bench/kernels/run_device.sh STEP...      (from the repository root)

build       configure and build everything (tests and bench on) for sm_90 in $BUILD; BIN becomes $BUILD/bin
tests       ctest -L gpu (kernels_tests, refmodel_cuda_tests) with RWKVKIT_REQUIRE_GPU=1: a skip fails
sanitize    compute-sanitizer: memcheck on the evaluator tests, a fixture and the WKV checker,
            racecheck and synccheck on a few WKV shapes
smoke       `rwkvkit eval` on the fixture documents: cpu fp32, cuda fp32/bf16/fp16
wkv         the WKV variant benches (wkv_variants v6 and v5 bf16, wkv7_variants)
throughput  refmodel_cuda_eval_driver: random released shape (VERSION 6|7), $DOCS docs × 4096, $DTYPES
fit         peak GPU memory (nvidia-smi every 200 ms) for the Finch-1.6B and Finch-7B shapes
profile     per-kernel GPU time (Nsight Compute, duration metric only, no clock control)
ab          throughput of an older build ($OLD) and this one ($BIN) alternated on the same card
load        checkpoint load by stage (checkpoint_load_bench) on a random Finch-1.6B .pth from the
            page cache, then `rwkvkit eval --device cuda` end to end on 1, 64 and 1024 documents
fixtures    regenerate every fixture with the official package (make_fixtures.py; carry the rwkv
            wheel in $WHL) and compare with the committed ones: checkpoint bytes and every NLL
python      the Python package built against this machine's python3 (nanobind there), then
            rwkvkit.evaluate(device="cuda") against the CPU reference (python/tests/test_evaluate.py)
split       `rwkvkit eval --device cuda` on 64 random documents, one process vs --executor local
            --tasks 3 (docs/scale_out.md, "Evaluation"): both must succeed; cmp of the outputs

Carry .devdeps (the Debian build and runtime packages; any liblzma*.deb there is unpacked too),
.rwkvkit/vocab, and for steps without `build` the binaries in $BIN built here for sm_90
(default build-gpubench/bin). Logs go under $OUT (default /tmp/device); a summary to stdout.
USAGE
}
[ $# -gt 0 ] || { usage; exit 2; }

# The build dependencies: .devdeps/use.sh unpacks the carried packages into /opt/devdeps on a
# fresh machine only, so liblzma (added to .devdeps later) is unpacked here whenever it is missing.
source .devdeps/use.sh >/dev/null
for f in .devdeps/liblzma*.deb; do
  [ -e "$f" ] && [ ! -e /opt/devdeps/usr/include/lzma.h ] && dpkg -x "$f" /opt/devdeps
done
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}:$PWD/.gpubench-libs
export RWKVKIT_VOCAB=$PWD/.rwkvkit/vocab/rwkv_vocab_v20230424.txt
nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv,noheader
git log -1 --format='commit %h %s' 2>/dev/null | cut -c1-100

# Binaries built on another machine read the fixtures and vocab at their compiled-in paths: link
# those paths to this checkout when they do not exist here.
link_compiled_paths() {
  local b=$1/refmodel_cuda_tests src vocab
  [ -f "$b" ] || return 0
  src=$(grep -a -o -m1 '/[[:alnum:]/._-]*/tests/refmodel/fixtures' "$b" | head -1)
  if [ -n "$src" ] && [ ! -e "$src" ]; then mkdir -p "$(dirname "$src")" && ln -sfn "$PWD/tests/refmodel/fixtures" "$src"; fi
  vocab=$(grep -a -o -m1 '/[[:alnum:]/._-]*/rwkv_vocab_v20230424\.txt' "$1/refmodel_cuda_eval_driver" 2>/dev/null | head -1)
  if [ -n "$vocab" ] && [ ! -e "$vocab" ]; then mkdir -p "$(dirname "$(dirname "$vocab")")" && ln -sfn "$PWD/.rwkvkit/vocab" "$(dirname "$vocab")"; fi
}
gtest_summary() {  # log [xml]
  grep -E '^\[  (PASSED|FAILED|SKIPPED) |^\[  FAILED  \]' "$1" | head -20
  grep -E 'Failure|Expected|Which is|actual|<=' "$1" | head -30
  [ -n "${2:-}" ] && grep -o '<property name="[^"]*" value="[^"]*"' "$2" | sed 's/<property name=//' | sort | uniq -c | head -40
  return 0
}
driver() {  # bin, args...: the throughput driver, its measurement lines
  local b=$1; shift
  timeout 300 "$b/refmodel_cuda_eval_driver" "$@" 2>&1 | grep -E 'model|cuda|cpu|rror'
}
EVAL_FILTER='Fixtures/FixtureTest.*/v6_bf16_pth:Fixtures/FixtureTest.*/v5_fp16_pth:CudaEvaluatorTest.*:CudaModelErrorTest.*'
WKV_FILTER='Wkv/WkvCheck.MatchesReference/v6_*_bf16_B2_T17_H3_N64:Wkv/WkvCheck.MatchesReference/v5_chunked_f32_B1_T129_H2_N64:Wkv/WkvCheck.MatchesReference/v6_chunked_f16_B2_T33_H3_N32'

step_build() {
  cmake -S . -B "$BUILD" -DRWKVKIT_BUILD_TESTS=ON -DRWKVKIT_BUILD_BENCH=ON -DRWKVKIT_WERROR=ON \
    -DCMAKE_BUILD_TYPE=Release -DCMAKE_CUDA_ARCHITECTURES=90 -DRWKVKIT_VENV_PYTHON="$(command -v python3)" \
    >"$OUT/configure.log" 2>&1 || { tail -40 "$OUT/configure.log"; return 1; }
  cmake --build "$BUILD" -j "$(nproc)" >"$OUT/build.log" 2>&1 ||
    { grep -E -B2 -A8 'error' "$OUT/build.log" | head -60; return 1; }
  BIN=$BUILD/bin
  echo "build ok"
}
step_tests() {
  if [ -f "$BUILD/CTestTestfile.cmake" ]; then
    ctest --test-dir "$BUILD" -L gpu -j 4 --output-on-failure >"$OUT/gpu_ctest.log" 2>&1
    echo "ctest -L gpu rc=$?"; tail -4 "$OUT/gpu_ctest.log"; grep -E 'Skipped|\*\*\*Failed' "$OUT/gpu_ctest.log" | head -20
  else  # carried binaries
    link_compiled_paths "$BIN"
    timeout 200 "$BIN/kernels_tests" >"$OUT/kernels_tests.log" 2>&1; echo "kernels_tests rc=$?"
    gtest_summary "$OUT/kernels_tests.log"
    timeout 300 "$BIN/refmodel_cuda_tests" --gtest_output=xml:"$OUT/tests.xml" >"$OUT/tests.log" 2>&1
    echo "refmodel_cuda_tests rc=$?"; gtest_summary "$OUT/tests.log" "$OUT/tests.xml"
  fi
}
step_sanitize() {
  command -v compute-sanitizer >/dev/null || { echo "compute-sanitizer not found"; return 0; }
  link_compiled_paths "$BIN"
  timeout 200 compute-sanitizer --tool memcheck --error-exitcode 9 "$BIN/refmodel_cuda_tests" \
    --gtest_filter="$EVAL_FILTER" >"$OUT/memcheck_eval.log" 2>&1
  echo "memcheck evaluator rc=$?"; grep -E 'ERROR SUMMARY' "$OUT/memcheck_eval.log" | sort | uniq -c
  timeout 200 compute-sanitizer --tool memcheck --error-exitcode 9 "$BIN/kernels_tests" >"$OUT/memcheck_wkv.log" 2>&1
  echo "memcheck wkv rc=$?"; grep -E 'ERROR SUMMARY' "$OUT/memcheck_wkv.log" | sort | uniq -c
  for tool in racecheck synccheck; do
    timeout 120 compute-sanitizer --tool $tool --error-exitcode 9 "$BIN/kernels_tests" --gtest_filter="$WKV_FILTER" \
      >"$OUT/$tool.log" 2>&1
    echo "$tool rc=$?"; grep -E 'SUMMARY' "$OUT/$tool.log" | tail -2
  done
}
step_smoke() {
  python3 - <<'PY'
import json, struct
# the fixture documents as a binidx (MMapIndexedDataset) uint16 shard, as corpus/binidx writes it
ids = [d + [0] for d in json.load(open("tests/refmodel/fixtures/expected.json"))["documents"]]
with open("/tmp/fx.bin", "wb") as f:
    for d in ids: f.write(struct.pack(f"<{len(d)}H", *d))
with open("/tmp/fx.idx", "wb") as f:
    f.write(b"MMIDIDX\x00\x00" + struct.pack("<Q", 1) + struct.pack("<B", 8) + struct.pack("<Q", len(ids)) + struct.pack("<Q", len(ids) + 1))
    f.write(struct.pack(f"<{len(ids)}i", *[len(d) for d in ids]))
    ptrs, off = [], 0
    for d in ids: ptrs.append(off); off += 2 * len(d)
    f.write(struct.pack(f"<{len(ids)}q", *ptrs))
    f.write(struct.pack(f"<{len(ids) + 1}q", *range(len(ids) + 1)))
PY
  for m in v6_bf16.pth v5_fp16.pth; do
    for dev in "cpu fp32" "cuda fp32" "cuda bf16" "cuda fp16"; do
      set -- $dev
      echo "== $m $dev"
      "$BIN/rwkvkit" eval --model tests/refmodel/fixtures/$m --data /tmp/fx --device $1 --dtype $2 --no-progress 2>&1 |
        tail -1 | cut -c1-220
    done
  done
}
step_wkv() {
  timeout 180 "$BIN/wkv_variants" all --version 6 2>&1 | tee "$OUT/bench_wkv6.log"
  timeout 60 "$BIN/wkv_variants" all --version 5 --dtype bf16 2>&1 | tee "$OUT/bench_wkv5.log"
  timeout 180 "$BIN/wkv7_variants" 2>&1 | tee "$OUT/bench_wkv7.log"
}
step_throughput() {
  link_compiled_paths "$BIN"
  driver "$BIN" --version "$VERSION" --docs "$DOCS" --dtypes "$DTYPES" --cpu-docs 1 --cpu-len 64 | tee "$OUT/throughput.log"
}
step_fit() {
  link_compiled_paths "$BIN"
  peak_run() {  # tag, driver args...
    local tag=$1; shift
    nvidia-smi --query-gpu=memory.used --format=csv,noheader,nounits -lms 200 >"$OUT/mem_$tag.log" &
    local smi=$!
    driver "$BIN" "$@"; echo "$tag rc=${PIPESTATUS[0]}"
    kill $smi; wait $smi 2>/dev/null
    echo "$tag peak GPU memory used: $(sort -n "$OUT/mem_$tag.log" | tail -1) MiB"
  }
  stamp "Finch-1.6B shape, bf16 + fp16, 128 docs x 4096"
  peak_run f16b --docs 128 --dtypes bf16,fp16 --cpu-docs 1 --cpu-len 64
  stamp "Finch-7B shape, bf16 + fp16, 32 docs x 4096"
  peak_run f7b --layers 32 --width 4096 --docs 32 --dtypes bf16,fp16 --cpu-docs 1 --cpu-len 16
}
step_profile() {  # skips the first forward (warm-up, SKIP launches) and profiles the next COUNT
  link_compiled_paths "$BIN"
  timeout 280 ncu --clock-control none --metrics gpu__time_duration.sum --print-summary per-kernel \
    --launch-skip "${SKIP:-700}" --launch-count "${COUNT:-1400}" \
    "$BIN/refmodel_cuda_eval_driver" --version "$VERSION" --docs 64 --dtypes bf16 --cpu-docs 1 --cpu-len 16 \
    >"$OUT/ncu.log" 2>&1
  echo "ncu rc=$?"
  python3 bench/kernels/ncu_summary.py "$OUT/ncu.log" | head -40
}
step_ab() {
  link_compiled_paths "$BIN"
  for b in "$OLD" "$BIN" "$OLD" "$BIN"; do
    echo "== $b"; driver "$b" --version "$VERSION" --docs "$DOCS" --dtypes bf16,bf16 --cpu-docs 1 --cpu-len 64
  done | tee "$OUT/ab.log"
}
step_load() {
  local ck=/tmp/finch16.pth
  [ -f $ck ] || python3 bench/make_checkpoint.py $ck || return 1
  cat $ck >/dev/null  # into the page cache: the target is the load from there
  timeout 300 "$BIN/checkpoint_load_bench" $ck --repeat 3 --dtype bf16 2>&1 | tee "$OUT/load_bench.log"
  python3 - <<'PY'
import struct, random
# 1024 documents of 4096 targets (4095 random ids + the final 0), binidx uint16, as corpus/binidx writes it
rng = random.Random(7)
docs = [[rng.randrange(1, 65536) for _ in range(4095)] + [0] for _ in range(1024)]
with open("/tmp/e2e.bin", "wb") as f:
    for d in docs: f.write(struct.pack(f"<{len(d)}H", *d))
with open("/tmp/e2e.idx", "wb") as f:
    n = len(docs)
    f.write(b"MMIDIDX\x00\x00" + struct.pack("<Q", 1) + struct.pack("<B", 8) + struct.pack("<Q", n) + struct.pack("<Q", n + 1))
    f.write(struct.pack(f"<{n}i", *[len(d) for d in docs]))
    f.write(struct.pack(f"<{n}q", *[2 * len(docs[0]) * i for i in range(n)]))
    f.write(struct.pack(f"<{n + 1}q", *range(n + 1)))
PY
  for n in 1 64 1024; do
    local t0 t1
    t0=$(date +%s.%N)
    "$BIN/rwkvkit" eval --model $ck --data /tmp/e2e --device cuda --dtype bf16 --max-docs $n --no-progress \
      >"$OUT/e2e_$n.json" 2>"$OUT/e2e_$n.err"
    local rc=$?
    t1=$(date +%s.%N)
    python3 -c "import sys; n, a, b, rc = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3]), sys.argv[4]; \
print(f'e2e {n} docs: rc={rc} {b - a:.2f} s wall, {n * 4096 / (b - a):,.0f} tokens/s including the load')" $n $t0 $t1 $rc
  done | tee "$OUT/e2e.log"
}
step_fixtures() {
  [ -d /tmp/site/rwkv ] || python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site "$WHL"/*.whl ||
    return 1
  mkdir -p "$OUT/fx"
  PYTHONPATH=/tmp/site PYTHONUNBUFFERED=1 timeout 300 python3 tests/refmodel/fixtures/make_fixtures.py --out "$OUT/fx" \
    >"$OUT/fx/make_fixtures.log" 2>&1
  echo "fixtures rc=$?"; tail -4 "$OUT/fx/make_fixtures.log" | cut -c1-300
  python3 - "$OUT/fx" <<'PY'
import hashlib, json, os, sys
# the regenerated files against the committed ones: same bytes, and in expected*.json the same numbers
# (the machine, versions and environment of the run may differ)
new, old = sys.argv[1], "tests/refmodel/fixtures"
bad = 0
for f in sorted(os.listdir(old)):
    if f.endswith((".pth", ".safetensors")):
        same = hashlib.sha256(open(os.path.join(old, f), "rb").read()).digest() == \
            hashlib.sha256(open(os.path.join(new, f), "rb").read()).digest()
        print(f"{f}: {'same bytes' if same else 'DIFFERENT BYTES'}"); bad += not same
skip = {"machine", "torch_version", "python_version", "rwkv_package_version", "env"}
for f in ("expected.json", "expected_v7.json"):
    a, b = (json.load(open(os.path.join(d, f))) for d in (old, new))
    diff = sorted(k for k in set(a) | set(b) if k not in skip and a.get(k) != b.get(k))
    print(f"{f}: {'same numbers' if not diff else 'DIFFERENT: ' + ', '.join(diff)}"); bad += bool(diff)
sys.exit(1 if bad else 0)
PY
}
step_python() {
  [ -f "$BUILD/CMakeCache.txt" ] || { echo "python: run the build step first"; return 1; }
  cmake -S . -B "$BUILD" -DPython_EXECUTABLE="$(command -v python3)" >>"$OUT/configure.log" 2>&1 &&
    cmake --build "$BUILD" -j "$(nproc)" --target rwkvkit_python >"$OUT/python_build.log" 2>&1 ||
    { grep -E -B2 -A8 'error|OFF' "$OUT/python_build.log" "$OUT/configure.log" | tail -30; return 1; }
  PYTHONPATH=$BUILD/python RWKVKIT_TEST_VOCAB=$RWKVKIT_VOCAB timeout 120 python3 -m pytest -q -p no:cacheprovider \
    python/tests/test_evaluate.py -k cuda 2>&1 | tail -5
  return "${PIPESTATUS[0]}"
}
step_split() {  # the GPU path of the split evaluation: same documents, one process and three tasks
  local m=/tmp/split_r6.safetensors d=/tmp/split_docs w=/tmp/split_work
  python3 tools/dev/random_world_model.py $m >/dev/null || return 1
  python3 - "$d" <<'PY'
import random, struct, sys
# 64 documents of 1..2048 random ids + the final 0, binidx uint16, as corpus/binidx writes it
rng = random.Random(11)
docs = [[rng.randrange(1, 65536) for _ in range(rng.randrange(1, 2049))] + [0] for _ in range(64)]
with open(sys.argv[1] + ".bin", "wb") as f:
    for doc in docs: f.write(struct.pack(f"<{len(doc)}H", *doc))
with open(sys.argv[1] + ".idx", "wb") as f:
    n, off, ptrs = len(docs), 0, []
    for doc in docs: ptrs.append(off); off += 2 * len(doc)
    f.write(b"MMIDIDX\x00\x00" + struct.pack("<Q", 1) + struct.pack("<B", 8) + struct.pack("<Q", n) + struct.pack("<Q", n + 1))
    f.write(struct.pack(f"<{n}i", *[len(doc) for doc in docs]))
    f.write(struct.pack(f"<{n}q", *ptrs))
    f.write(struct.pack(f"<{n + 1}q", *range(n + 1)))
PY
  rm -rf $w
  "$BIN/rwkvkit" eval --model $m --data $d --device cuda --nll-out "$OUT/split_one.jsonl" --no-progress \
    >"$OUT/split_one.json" 2>"$OUT/split_one.err"
  local one=$?
  "$BIN/rwkvkit" eval --model $m --data $d --device cuda --nll-out "$OUT/split_tasks.jsonl" --no-progress \
    --executor local --work $w --tasks 3 --gpus 1 >"$OUT/split_tasks.json" 2>"$OUT/split_tasks.err"
  local tasks=$?
  echo "split: one process rc=$one, 3 tasks rc=$tasks"
  cmp "$OUT/split_one.json" "$OUT/split_tasks.json" && echo "split: summaries identical"
  cmp "$OUT/split_one.jsonl" "$OUT/split_tasks.jsonl" && echo "split: per-document NLL identical"
  [ $one -eq 0 ] && [ $tasks -eq 0 ]
}

rc=0
for s in "$@"; do
  declare -F "step_$s" >/dev/null || { echo "unknown step: $s"; exit 2; }
  stamp "$s"
  "step_$s" || { rc=1; echo "step $s failed"; [ "$s" = build ] && break; }
done
stamp "done (rc=$rc)"
exit $rc
