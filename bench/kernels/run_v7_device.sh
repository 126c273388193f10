#!/usr/bin/env bash
# bench/kernels/run_v7_device.sh — one pass on the GPU machine for RWKV-7 (x070): regenerate the
# x070 fixtures with the official package (tests/refmodel/fixtures/make_fixtures_v7.py, 'cpu fp32'),
# then run the gpu checkers (kernels_tests WKV-7, refmodel_cuda_tests) from binaries built for
# sm_90 on the dev machine (BIN, default build-dev/bin). Carry: .devdeps (runtime libraries),
# .whl (rwkv-0.8.32), .rwkvkit/vocab, $BIN. Logs and the fixtures come back under $OUT.
set -uo pipefail
OUT=${OUT:-/tmp/v7_device}
BIN=${BIN:-build-dev/bin}
mkdir -p "$OUT/fx"
source .devdeps/use.sh >/dev/null
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader
python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site ${WHL:-.whl}/*.whl || exit 1
export PYTHONPATH=/tmp/site
if [ "${SKIP_FIXTURES:-0}" != 1 ]; then
  (cd tests/refmodel/fixtures && PYTHONUNBUFFERED=1 timeout 300 python3 make_fixtures_v7.py --out "$OUT/fx") \
    >"$OUT/fx/make_fixtures_v7.log" 2>&1
  echo "fixtures rc=$?"; tail -8 "$OUT/fx/make_fixtures_v7.log" | cut -c1-400
  cp "$OUT"/fx/v7_* "$OUT"/fx/expected_v7.json tests/refmodel/fixtures/ 2>/dev/null
fi
# the test binaries read the fixtures at the path compiled in (the dev machine's checkout)
SRC=$(grep -a -o -m1 '/[[:alnum:]/._-]*/tests/refmodel/fixtures' "$BIN/refmodel_cuda_tests" | head -1)
if [ -n "$SRC" ] && [ ! -e "$SRC" ]; then mkdir -p "$(dirname "$SRC")" && ln -sfn "$PWD/tests/refmodel/fixtures" "$SRC"; fi
export RWKVKIT_VOCAB=$PWD/.rwkvkit/vocab/rwkv_vocab_v20230424.txt
timeout 120 "$BIN/kernels_tests" --gtest_filter='Wkv7*' >"$OUT/kernels_tests.log" 2>&1
echo "kernels_tests rc=$?"; grep -E '^\[  (PASSED|FAILED)|Failure|off;' "$OUT/kernels_tests.log" | head -20
timeout 300 "$BIN/refmodel_cuda_tests" --gtest_output=xml:"$OUT/cuda_tests.xml" >"$OUT/cuda_tests.log" 2>&1
echo "refmodel_cuda_tests rc=$?"
grep -E '^\[  (PASSED|FAILED|SKIPPED) |^\[  FAILED  \]' "$OUT/cuda_tests.log" | head -20
grep -E 'Failure|Expected|Which is|actual|<=' "$OUT/cuda_tests.log" | head -30
grep -o '<property name="[^"]*" value="[^"]*"' "$OUT/cuda_tests.xml" | sed 's/<property name=//' | sort | uniq -c
# throughput: random RWKV-7-1.5B shape (tiled layers), documents of 4096 tokens
VOCAB_BUILT=$(grep -a -o -m1 '/[[:alnum:]/._-]*/rwkv_vocab_v20230424\.txt' "$BIN/refmodel_cuda_eval_driver" | head -1)
if [ -n "$VOCAB_BUILT" ] && [ ! -e "$VOCAB_BUILT" ]; then
  mkdir -p "$(dirname "$(dirname "$VOCAB_BUILT")")" && ln -sfn "$PWD/.rwkvkit/vocab" "$(dirname "$VOCAB_BUILT")"
fi
[ "${DRIVER:-1}" = 1 ] && timeout 200 "$BIN/refmodel_cuda_eval_driver" --version 7 --docs ${DOCS:-64} --dtypes bf16,fp32 \
  --cpu-docs 0 2>&1 | tee "$OUT/driver.log"
