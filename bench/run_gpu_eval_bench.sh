#!/usr/bin/env bash
# bench/run_gpu_eval_bench.sh — one pass on the GPU machine: rwkvkit's GPU evaluator against the
# official `rwkv` package ('cuda bf16', RWKV_CUDA_ON=1, its CUDA op) and fla (chunk_rwkv6 /
# chunk_rwkv7 with PyTorch matrix products), plus the card's bf16 GEMM ceiling, all on the same card
# in the same run, on a random checkpoint of a released shape at ctx 4096: VERSION=7 (default) the
# RWKV-7-1.5B shape, VERSION=6 the Finch-1.6B shape; then whether the 7B shape (L=32, D=4096) fits
# the card. Driven by bench/gpu_eval_bench.py (results in docs/benchmarks.md).
#
# Needs: the Python packages rwkv 0.8.32, fla-core 0.6.0 (and einops) importable, as wheels in $WHL
# (installed into /tmp/site) or already on PYTHONPATH; .devdeps (the rwkvkit binaries' runtime
# libraries), .rwkvkit/vocab and $BIN (refmodel_cuda_eval_driver and rwkvkit built for sm_90, e.g. by
# `bash bench/kernels/run_device.sh build`). Logs and results.json go under $OUT.
# SKIP_FLA=1 leaves fla out (its Triton autotuning takes ~2 minutes); FLA_BATCHES the documents per fla batch
# (default 16,32; the compiled run takes the last); FLA_COMPILED=0 its second run (torch.compile'd layers +
# fused cross-entropy; COMPILE_BUDGET seconds for the compile); SKIP_7B=1 the 7B fit check.
set -uo pipefail
VERSION=${VERSION:-7}
OUT=${OUT:-/tmp/gpubench_out}
W=${WORK:-/tmp/gpubench$VERSION}
BIN=${BIN:-build-cuda/bin}
WHL=${WHL:-.whl}
DOCS=${DOCS:-64}
mkdir -p "$OUT" "$W"
exec > >(tee -a "$OUT/bench.log") 2>&1
T0=$(date +%s)
stamp() { echo "[$(($(date +%s) - T0)) s] $*"; }
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PY="python3 $HERE/gpu_eval_bench.py"
STEM=$([ "$VERSION" = 6 ] && echo finch16 || echo goose15)

nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv,noheader
if ls "$WHL"/*.whl >/dev/null 2>&1; then
  python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site "$WHL"/*.whl || exit 1
  export PYTHONPATH=/tmp/site${PYTHONPATH:+:$PYTHONPATH}
fi
python3 -c 'import torch, triton, rwkv; print("torch", torch.__version__, "cuda", torch.version.cuda, "triton", triton.__version__)' || exit 1
source "${DEVDEPS:-.devdeps}/use.sh" >/dev/null
# carried binaries open the vocab at the path compiled in (the build machine's checkout)
VOCAB_BUILT=$(grep -a -o -m1 '/[[:alnum:]/._-]*/rwkv_vocab_v20230424\.txt' "$BIN/refmodel_cuda_eval_driver" | head -1)
if [ -n "$VOCAB_BUILT" ] && [ ! -e "$VOCAB_BUILT" ]; then
  mkdir -p "$(dirname "$(dirname "$VOCAB_BUILT")")" && ln -sfn "$PWD/.rwkvkit/vocab" "$(dirname "$VOCAB_BUILT")"
fi

# The official package's CUDA op compiles at import (torch.utils.cpp_extension + ninja): build it in the
# background on a tiny model of the version, TorchScript as the package defaults, else with RWKV_JIT_ON=0.
export TORCH_EXTENSIONS_DIR=$W/torch_ext TORCH_CUDA_ARCH_LIST=9.0 MAX_JOBS=12
if [ "$VERSION" = 7 ]; then export RWKV_V7_ON=1; else unset RWKV_V7_ON; fi
( export RWKV_CUDA_ON=1
  if timeout 240 $PY pkg-build --version "$VERSION" --work "$W" >"$OUT/pkg_build.log" 2>&1; then
    echo "jit-default" >"$W/pkg_mode"
  elif echo "=== retry with RWKV_JIT_ON=0 ===" >>"$OUT/pkg_build.log" &&
       RWKV_JIT_ON=0 timeout 120 $PY pkg-build --version "$VERSION" --work "$W" >>"$OUT/pkg_build.log" 2>&1; then
    echo "jit-off" >"$W/pkg_mode"
  else
    echo "failed" >"$W/pkg_mode"
  fi
  touch "$W/pkg_build.done" ) &
PKG_PID=$!

stamp "torch side: weights, documents, fla warm-up, (wait), GEMM ceiling, fla timed"
timeout 480 $PY torch --version "$VERSION" --work "$W" --docs "$DOCS" --wait-for "$W/pkg_build.done" \
  --wait-timeout 300 --fla-batches "${FLA_BATCHES:-16,32}" --fla-compiled "${FLA_COMPILED:-1}" \
  --compile-budget "${COMPILE_BUDGET:-150}" ${SKIP_FLA:+--no-fla}
echo "torch side rc=$?"
wait $PKG_PID  # (a bare `wait` would also wait for the tee above: never returns)
stamp "package build: $(cat "$W/pkg_mode" 2>/dev/null)"
grep -E 'import rwkv.model|RWKV\(tiny|tiny forward|Failed to build|error|Error' "$OUT/pkg_build.log" | head -10

# rwkvkit: refmodel_cuda_eval_driver runs EvaluateCuda (what `rwkvkit eval --device cuda` runs) on the
# checkpoint and documents, model load excluded, per-token NLL of the first dtype written
DTYPES=$([ "$VERSION" = 6 ] && echo bf16,fp16,bf16 || echo bf16,bf16)
stamp "rwkvkit: the benchmark checkpoint and documents, $DTYPES (timed)"
timeout 200 "$BIN/refmodel_cuda_eval_driver" --model "$W/$STEM.pth" --data "$W/docs" --dtypes "$DTYPES" \
  --cpu-docs 0 --nll-out "$W/nll_rwkvkit_bf16.jsonl" 2>&1 | tee "$W/driver.log"
stamp "official package, timed"
case "$(cat "$W/pkg_mode" 2>/dev/null)" in
  jit-default) RWKV_CUDA_ON=1 timeout 150 $PY pkg --version "$VERSION" --work "$W" --docs "${PKG_DOCS:-6}" --tag cuda ;;
  jit-off) RWKV_CUDA_ON=1 RWKV_JIT_ON=0 timeout 150 $PY pkg --version "$VERSION" --work "$W" --docs "${PKG_DOCS:-6}" --tag cuda ;;
  *) echo "official package: CUDA op build failed (pkg_build.log); measuring RWKV_CUDA_ON=0"
     RWKV_CUDA_ON=0 timeout 150 $PY pkg --version "$VERSION" --work "$W" --docs 1 --warm-tokens 256 --tag nocuda ;;
esac
echo "package rc=$?"
stamp "rwkvkit: fp32 (the NLL reference), then rwkvkit eval end to end"
timeout 120 "$BIN/refmodel_cuda_eval_driver" --model "$W/$STEM.pth" --data "$W/docs" --dtypes fp32 \
  --cpu-docs 0 --nll-out "$W/nll_rwkvkit_fp32.jsonl" 2>&1 | tail -1
if [ -x "$BIN/rwkvkit" ]; then  # the CLI itself end to end, the checkpoint load included
  a=$(date +%s.%N)
  timeout 150 "$BIN/rwkvkit" eval --model "$W/$STEM.pth" --data "$W/docs" --device cuda --dtype bf16 --no-progress \
    >"$W/rwkvkit_eval.json" 2>&1
  echo "rwkvkit eval bf16 rc=$?: $(awk "BEGIN{printf \"%.1f\", $(date +%s.%N) - $a}") s wall for $DOCS x 4096 tokens (checkpoint load included)"
fi
stamp "report"
$PY report --version "$VERSION" --work "$W" --driver-log "$W/driver.log" --out "$OUT/results.json"
cp "$W/driver.log" "$OUT/"
if [ "${SKIP_7B:-0}" != 1 ]; then
  stamp "7B shape (L=32, D=4096, V=65536), bf16: does it fit"
  timeout 150 "$BIN/refmodel_cuda_eval_driver" --version "$VERSION" --layers 32 --width 4096 --docs "${DOCS7:-32}" \
    --dtypes bf16 --cpu-docs 0 2>&1 | tee "$OUT/driver7b.log"
fi
nvidia-smi --query-gpu=name,clocks.sm,temperature.gpu,power.draw --format=csv,noheader
stamp "done"
sleep 1  # let tee finish bench.log
