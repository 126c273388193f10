#!/usr/bin/env bash
# bench/run_gpu_eval_bench_v7.sh — one pass on the GPU machine for RWKV-7 (x070): rwkvkit's GPU
# evaluator against the official `rwkv` package ('cuda bf16', RWKV_V7_ON=1, RWKV_CUDA_ON=1) and fla's
# chunk_rwkv7 with PyTorch products, plus the card's bf16 GEMM ceiling, same card, same run, on a
# random RWKV-7-1.5B-shaped checkpoint at ctx 4096 (results: docs/benchmarks.md); then whether the
# 7B shape (L=32, D=4096) fits the card. Driven by bench/gpu_eval_bench_v7.py.
#
# Carried (device tool's `carry`): $WHL (rwkv-0.8.32, fla_core-0.6.0, einops wheels), .devdeps (the
# rwkvkit binaries' runtime libraries), .rwkvkit/vocab, $BIN (refmodel_cuda_eval_driver built for
# sm_90 on the dev machine: it evaluates the checkpoint as `rwkvkit eval --device cuda` does, writes
# per-token NLL, and times it with the model load excluded). Logs and results.json go under $OUT.
# SKIP_FLA=1 leaves fla out (its Triton autotuning takes ~2 minutes); SKIP_7B=1 the 7B fit check.
set -uo pipefail
OUT=${OUT:-/tmp/gpubench7_out}
W=${WORK:-/tmp/gpubench7}
BIN=${BIN:-build-dev/bin}
WHL=${WHL:-.whl}
DOCS=${DOCS:-64}
mkdir -p "$OUT" "$W"
exec > >(tee -a "$OUT/bench.log") 2>&1
T0=$(date +%s)
stamp() { echo "[$(($(date +%s) - T0)) s] $*"; }
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PY=${PY:-$HERE/gpu_eval_bench_v7.py}

nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv,noheader
python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site "$WHL"/*.whl || exit 1
export PYTHONPATH=/tmp/site
source "${DEVDEPS:-.devdeps}/use.sh" >/dev/null
VOCAB_BUILT=$(grep -a -o -m1 '/[[:alnum:]/._-]*/rwkv_vocab_v20230424\.txt' "$BIN/refmodel_cuda_eval_driver" | head -1)
if [ -n "$VOCAB_BUILT" ] && [ ! -e "$VOCAB_BUILT" ]; then
  mkdir -p "$(dirname "$(dirname "$VOCAB_BUILT")")" && ln -sfn "$PWD/.rwkvkit/vocab" "$(dirname "$VOCAB_BUILT")"
fi

export TORCH_EXTENSIONS_DIR=$W/torch_ext TORCH_CUDA_ARCH_LIST=9.0 MAX_JOBS=12 RWKV_V7_ON=1
( RWKV_CUDA_ON=1 timeout 240 python3 "$PY" pkg-build --work "$W" >"$OUT/pkg_build.log" 2>&1; echo "rc=$?" >>"$OUT/pkg_build.log"
  touch "$W/pkg_build.done" ) &
PKG_PID=$!
stamp "torch side: weights, documents, fla warm-up, (wait), GEMM ceiling, fla timed"
timeout 330 python3 "$PY" torch --work "$W" --docs "$DOCS" --wait-for "$W/pkg_build.done" --wait-timeout 200 \
  ${SKIP_FLA:+--no-fla}
echo "torch side rc=$?"
wait $PKG_PID
stamp "package build: $(tail -1 "$OUT/pkg_build.log")"; grep -E 'tiny|Error|error' "$OUT/pkg_build.log" | head -5

stamp "rwkvkit: the benchmark checkpoint and documents, bf16 (timed, per-token NLL) then fp32 (NLL reference)"
timeout 200 "$BIN/refmodel_cuda_eval_driver" --model "$W/goose15.pth" --data "$W/docs" --dtypes bf16,bf16 \
  --cpu-docs 0 --nll-out "$W/nll_rwkvkit_bf16.jsonl" 2>&1 | tee "$W/driver.log"
timeout 120 "$BIN/refmodel_cuda_eval_driver" --model "$W/goose15.pth" --data "$W/docs" --dtypes fp32 \
  --cpu-docs 0 --nll-out "$W/nll_rwkvkit_fp32.jsonl" 2>&1 | tail -1

stamp "official package, timed"
RWKV_CUDA_ON=1 timeout 150 python3 "$PY" pkg --work "$W" --docs ${PKG_DOCS:-6} --tag cuda
echo "package rc=$?"
stamp "report"
python3 "$PY" report --work "$W" --driver-log "$W/driver.log" --out "$OUT/results.json"
cp "$W/driver.log" "$OUT/"
[ "${SKIP_7B:-0}" = 1 ] && { stamp "done"; sleep 1; exit 0; }
stamp "7B shape (L=32, D=4096, F=16384, V=65536), bf16: does it fit"
timeout 150 "$BIN/refmodel_cuda_eval_driver" --version 7 --layers 32 --width 4096 --docs ${DOCS7:-32} --dtypes bf16 \
  --cpu-docs 0 2>&1 | tee "$OUT/driver7b.log"
nvidia-smi --query-gpu=name,clocks.sm,temperature.gpu,power.draw --format=csv,noheader
stamp "done"
sleep 1
