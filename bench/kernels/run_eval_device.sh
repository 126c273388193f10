#!/usr/bin/env bash
# bench/kernels/run_eval_device.sh — one pass on the GPU machine for the CUDA evaluator (issue 5):
# configure, build refmodel_cuda_tests + the throughput driver + rwkvkit, run the gpu tests,
# compute-sanitizer memcheck on a subset, a CLI smoke test of `rwkvkit eval --device cuda`, then
# the throughput driver (random Finch-1.6B-shaped model, ctx 4096: cuda bf16, cuda fp32, and the
# CPU fp32 path on a few short documents). Logs go to $OUT (or /tmp/eval_device); a summary to
# stdout. Run from the repository root after `source .devdeps/use.sh`, carrying .devdeps and
# .rwkvkit/vocab (the World vocab the evaluator needs for bytes).
set -uo pipefail
export RWKVKIT_REQUIRE_GPU=1  # on the GPU machine a skipped gpu test is a failure
OUT=${OUT:-/tmp/eval_device}
mkdir -p "$OUT"
BUILD=${BUILD:-build-cuda}
DD=/opt/devdeps/usr
nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv | tee "$OUT/card.txt"
nvcc --version | tail -1
git log -1 --format='commit %h %s' 2>/dev/null | cut -c1-100

cmake -S . -B "$BUILD" -DRWKVKIT_BUILD_TESTS=ON -DRWKVKIT_WERROR=ON -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_CUDA_ARCHITECTURES=90 \
  -DRWKVKIT_OPENBLAS_LIBRARY=$DD/lib/x86_64-linux-gnu/openblas-pthread/libopenblas.so \
  -DRWKVKIT_OPENBLAS_INCLUDE_DIR=$DD/include/x86_64-linux-gnu/openblas-pthread \
  >"$OUT/configure.log" 2>&1 || { tail -40 "$OUT/configure.log"; exit 1; }
cmake --build "$BUILD" -j "$(nproc)" --target refmodel_cuda_tests refmodel_cuda_eval_driver rwkvkit \
  >"$OUT/build.log" 2>&1 || { grep -E -B2 -A6 'error' "$OUT/build.log" | head -60; exit 1; }
echo "build ok"
export RWKVKIT_VOCAB=$PWD/.rwkvkit/vocab/rwkv_vocab_v20230424.txt

timeout 240 "$BUILD/bin/refmodel_cuda_tests" --gtest_output=xml:"$OUT/tests.xml" >"$OUT/tests.log" 2>&1
echo "gpu tests rc=$?"
grep -E '^\[  (PASSED|FAILED|SKIPPED) |^\[  FAILED  \]' "$OUT/tests.log" | head -20
grep -E 'Failure|Expected|Which is|actual|<=' "$OUT/tests.log" | head -40
grep -o '<property name="[^"]*" value="[^"]*"' "$OUT/tests.xml" | sed 's/<property name=//' | sort | uniq -c

if command -v compute-sanitizer >/dev/null; then
  F='Fixtures/FixtureTest.*/v6_bf16_pth:Fixtures/FixtureTest.*/v5_fp16_pth:CudaEvaluatorTest.*:CudaModelErrorTest.*'
  timeout 200 compute-sanitizer --tool memcheck --error-exitcode 9 "$BUILD/bin/refmodel_cuda_tests" \
    --gtest_filter="$F" >"$OUT/sanitizer.log" 2>&1
  echo "memcheck rc=$?"
  grep -E 'ERROR SUMMARY|PASSED|FAILED' "$OUT/sanitizer.log" | tail -4
else
  echo "compute-sanitizer not found"
fi

# CLI smoke: the fixture documents through `rwkvkit eval` on cpu and cuda (all dtypes).
python3 - "$OUT" <<'PY'
import json, struct, sys
docs = json.load(open("tests/refmodel/fixtures/expected.json"))["documents"]
# binidx (MMapIndexedDataset) uint16 shard, as corpus/binidx writes it
ids = [d + [0] for d in docs]
with open("/tmp/fx.bin", "wb") as f:
    for d in ids: f.write(struct.pack(f"<{len(d)}H", *d))
with open("/tmp/fx.idx", "wb") as f:
    f.write(b"MMIDIDX\x00\x00" + struct.pack("<Q", 1) + struct.pack("<B", 8) + struct.pack("<Q", len(ids)) + struct.pack("<Q", len(ids) + 1))
    f.write(struct.pack(f"<{len(ids)}i", *[len(d) for d in ids]))
    off = 0; ptrs = []
    for d in ids: ptrs.append(off); off += 2 * len(d)
    f.write(struct.pack(f"<{len(ids)}q", *ptrs))
    f.write(struct.pack(f"<{len(ids) + 1}q", *range(len(ids) + 1)))
PY
for dev in "cpu fp32" "cuda fp32" "cuda bf16" "cuda fp16"; do
  set -- $dev
  "$BUILD/bin/rwkvkit" eval --model tests/refmodel/fixtures/v6_bf16.pth --data /tmp/fx --device $1 --dtype $2 \
    --no-progress 2>&1 | tail -1 | cut -c1-220
done

timeout 300 "$BUILD/bin/refmodel_cuda_eval_driver" --dtypes bf16,fp32 2>&1 | tee "$OUT/throughput.log"
