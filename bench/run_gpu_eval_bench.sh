#!/usr/bin/env bash
# bench/run_gpu_eval_bench.sh — one pass on the GPU machine: rwkvkit's GPU evaluator against the
# official `rwkv` package ('cuda bf16', RWKV_CUDA_ON=1) and against fla's chunk_rwkv6 with PyTorch
# matrix products, plus the card's bf16 GEMM ceiling, all on the same card in the same run, for a
# random Finch-1.6B-shaped model at ctx 4096 (results in docs/benchmarks.md,
# "gpu-eval-comparison"). Driven by bench/gpu_eval_bench.py.
#
# Carried (device tool's `carry`): .whl (rwkv-0.8.32 and fla_core-0.6.0 wheels), .devdeps (runtime
# libraries of the rwkvkit binaries; also what a fallback build needs), .gpubench-libs (the two the
# .devdeps lack: libquadmath.so.0, libzstd.so.1, copied from the build machine), .rwkvkit/vocab, and
# $BIN (default build-gpubench/bin: refmodel_cuda_eval_driver + rwkvkit built for sm_90 on an x86-64
# Debian 12 machine). If those binaries cannot load their libraries here, they are rebuilt here.
# Everything is logged under $OUT (bench.log, pkg_build.log, driver.log, results.json).
set -uo pipefail
OUT=${OUT:-/tmp/gpubench_out}
W=${WORK:-/tmp/gpubench}
BIN=${BIN:-build-gpubench/bin}
DOCS=${DOCS:-64}
mkdir -p "$OUT" "$W"
exec > >(tee -a "$OUT/bench.log") 2>&1
T0=$(date +%s)
stamp() { echo "[$(($(date +%s) - T0)) s] $*"; }

stamp "card"
nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm,clocks.sm,temperature.gpu,power.draw --format=csv
nvcc --version | tail -1
python3 -V; nproc; which ninja; ninja --version
git log -1 --format='commit %h %s' 2>/dev/null | cut -c1-100

# Python packages: rwkv and fla-core as wheels (nothing can be fetched here)
python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl || exit 1
export PYTHONPATH=/tmp/site
python3 -c 'import torch, triton; print("torch", torch.__version__, "cuda", torch.version.cuda, "triton", triton.__version__)'

# rwkvkit binaries: runtime libraries from the carried Debian packages (kept out of Python's way)
DD=/opt/devdeps
if [ ! -d $DD/usr ]; then mkdir -p $DD; for f in .devdeps/*.deb; do dpkg -x "$f" $DD; done; fi
RK_LD=$DD/usr/lib/x86_64-linux-gnu/openblas-pthread:$DD/usr/lib/x86_64-linux-gnu:/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}:$PWD/.gpubench-libs
export RWKVKIT_VOCAB=$PWD/.rwkvkit/vocab/rwkv_vocab_v20230424.txt
# the driver opens the vocab at the path compiled in (the build machine's checkout)
VOCAB_BUILT=$(grep -a -o -m1 '/[[:alnum:]/._-]*/rwkv_vocab_v20230424\.txt' "$BIN/refmodel_cuda_eval_driver" 2>/dev/null | head -1)
if [ -n "$VOCAB_BUILT" ] && [ ! -e "$VOCAB_BUILT" ]; then
  mkdir -p "$(dirname "$(dirname "$VOCAB_BUILT")")" && ln -sfn "$PWD/.rwkvkit/vocab" "$(dirname "$VOCAB_BUILT")"
fi
WAIT="$W/pkg_build.done"
if [ ! -x "$BIN/rwkvkit" ] || LD_LIBRARY_PATH=$RK_LD ldd "$BIN/rwkvkit" "$BIN/refmodel_cuda_eval_driver" | grep 'not found'; then
  stamp "carried binaries unusable here: building (background)"
  BIN=build-gpubench-dev/bin
  WAIT="$WAIT,$W/build.done"
  ( source .devdeps/use.sh >/dev/null
    cmake -S . -B build-gpubench-dev -DRWKVKIT_BUILD_TESTS=ON -DCMAKE_BUILD_TYPE=Release -DCMAKE_CUDA_ARCHITECTURES=90 \
      -DRWKVKIT_OPENBLAS_LIBRARY=$DD/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblas.so \
      -DRWKVKIT_OPENBLAS_INCLUDE_DIR=$DD/usr/include/x86_64-linux-gnu/openblas-pthread >"$OUT/build.log" 2>&1 &&
    cmake --build build-gpubench-dev -j 12 --target refmodel_cuda_eval_driver rwkvkit >>"$OUT/build.log" 2>&1
    echo "build rc=$?" >>"$OUT/build.log"; touch "$W/build.done" ) &
  BUILD_PID=$!
fi

# The official package's CUDA extensions compile at import (torch.utils.cpp_extension + ninja):
# build them in the background on a tiny v6 model (same N=64 flags), JIT default, then JIT off.
export TORCH_EXTENSIONS_DIR=$W/torch_ext TORCH_CUDA_ARCH_LIST=9.0 MAX_JOBS=12
unset RWKV_V7_ON
( export RWKV_CUDA_ON=1
  if timeout 240 python3 bench/gpu_eval_bench.py pkg-build --work "$W" >"$OUT/pkg_build.log" 2>&1; then
    echo "jit-default" >"$W/pkg_mode"
  elif echo "=== retry with RWKV_JIT_ON=0 ===" >>"$OUT/pkg_build.log" &&
       RWKV_JIT_ON=0 timeout 120 python3 bench/gpu_eval_bench.py pkg-build --work "$W" >>"$OUT/pkg_build.log" 2>&1; then
    echo "jit-off" >"$W/pkg_mode"
  else
    echo "failed" >"$W/pkg_mode"
  fi
  touch "$W/pkg_build.done" ) &
PKG_PID=$!

stamp "torch side: weights, documents, fla warm-up, (wait), GEMM ceiling, fla timed"
timeout 420 python3 bench/gpu_eval_bench.py torch --work "$W" --docs "$DOCS" --wait-for "$WAIT" --wait-timeout 300
echo "torch side rc=$?"
wait $PKG_PID ${BUILD_PID:-}  # (a bare `wait` would also wait for the tee above: never returns)
stamp "package build: $(cat "$W/pkg_mode" 2>/dev/null)"
grep -E 'import rwkv.model|RWKV\(tiny|tiny forward|Failed to build|error|Error' "$OUT/pkg_build.log" | head -20

stamp "rwkvkit: throughput driver (random tiled Finch-1.6B shape, 128 docs x 4096, model load excluded)"
LD_LIBRARY_PATH=$RK_LD timeout 150 "$BIN/refmodel_cuda_eval_driver" --docs 128 --dtypes bf16,fp16,bf16 \
  --cpu-docs 1 --cpu-len 64 2>&1 | tee "$W/driver.log"
cp "$W/driver.log" "$OUT/driver.log"

rk_eval() {  # dtype, extra flags: rwkvkit eval on the benchmark checkpoint + documents, per-token NLL
  local a; a=$(date +%s.%N)
  LD_LIBRARY_PATH=$RK_LD timeout 150 "$BIN/rwkvkit" eval --model "$W/finch16.pth" --data "$W/docs" --device cuda \
    --dtype "$1" "${@:2}" --window 512 --nll-out "$W/nll_rwkvkit_$1.jsonl" --no-progress 2>&1 | tail -2 | cut -c1-300
  echo "rwkvkit eval $1: $(awk "BEGIN{printf \"%.1f\", $(date +%s.%N) - $a}") s wall (checkpoint load included)"
}
stamp "rwkvkit eval bf16 on the benchmark documents"
rk_eval bf16

stamp "official package, timed"
MODE=$(cat "$W/pkg_mode" 2>/dev/null || echo failed)
case "$MODE" in
  jit-default) RWKV_CUDA_ON=1 timeout 150 python3 bench/gpu_eval_bench.py pkg --work "$W" --docs 6 --tag cuda ;;
  jit-off) RWKV_CUDA_ON=1 RWKV_JIT_ON=0 timeout 150 python3 bench/gpu_eval_bench.py pkg --work "$W" --docs 6 --tag cuda ;;
  *) echo "official package: CUDA extension build failed (pkg_build.log); measuring RWKV_CUDA_ON=0"
     RWKV_CUDA_ON=0 timeout 150 python3 bench/gpu_eval_bench.py pkg --work "$W" --docs 1 --warm-tokens 256 --tag nocuda ||
     RWKV_CUDA_ON=0 RWKV_JIT_ON=0 timeout 150 python3 bench/gpu_eval_bench.py pkg --work "$W" --docs 1 --warm-tokens 256 --tag nocuda ;;
esac
echo "package rc=$?"

stamp "rwkvkit eval fp32 (the reference for the NLL cross-check), 8 documents"
rk_eval fp32 --max-docs 8

stamp "report"
python3 bench/gpu_eval_bench.py report --work "$W" --driver-log "$W/driver.log" --out "$OUT/results.json"
nvidia-smi --query-gpu=name,clocks.sm,temperature.gpu,power.draw --format=csv,noheader
stamp "done"
sleep 1  # let tee finish bench.log
