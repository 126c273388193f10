#!/usr/bin/env bash
# tools/setup.sh — prepares a fresh machine for rwkvkit. Idempotent: a second run only checks.
# Without options it installs what the main job (tools/demo.sh) needs; --test adds what the
# tests need (tools/test.sh), --bench what bench/ needs (implies --test). Steps:
#   1. Debian packages (apt-get, skipped when installed): toolchain, CMake, Ninja, the C++
#      libraries, Python headers; --test: GoogleTest, Slurm and munge, Chromium, clang 14 with
#      its libFuzzer/sanitizer runtimes and llvm-symbolizer.
#   2. The venv .rwkvkit/venv with pinned PyPI packages: rwkv, pyarrow, nanobind,
#      scikit-build-core, numpy; --test: pytest and the oracles (docs/architecture.md, "Set-up").
#   3. The World vocab from the `rwkv` wheel, CRLF made LF, checked against its sha256.
#   4. The demo corpus (tools/demo_corpus/build_demo_corpus.sh) under .rwkvkit/demo/.
#   5. The Python package built from this tree into the venv: once, on a version change, or
#      with --python-package (the tests use build/python/, always the current sources).
#
# Usage: tools/setup.sh [--test] [--bench] [--no-apt] [--python-package]
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STATE="$ROOT/.rwkvkit"
VENV="$STATE/venv"
RWKV_VERSION="0.8.32"
RUST_TOKENIZER_VERSION="0.9.1"
# Arrow C++ for Parquet input comes from this wheel (libarrow/libparquet.so.2600 + headers;
# docs/parquet.md): CMake links it from the venv. A new major version changes the SONAME.
PYARROW_VERSION="26.0.1"
# The Python package's build (nanobind, scikit-build-core) and test tools.
NANOBIND_VERSION="3.1.0"
SCIKIT_BUILD_CORE_VERSION="1.1.2"
PYTEST_VERSION="9.2.0"
HF_TOKENIZERS_VERSION="0.23.3"
TIKTOKEN_VERSION="0.14.0"
SENTENCEPIECE_VERSION="0.2.3"
VOCAB_SHA256="e6dee3d4e31b4d5c40ac99508ac6c701ceef4bed681bf2167ce9a908552bca89"
VOCAB="$STATE/vocab/rwkv_vocab_v20230424.txt"

want_bench=0
want_test=0
want_apt=1
want_package=0
for arg in "$@"; do
  case "$arg" in
    --test) want_test=1 ;;
    --bench) want_bench=1; want_test=1 ;;
    --no-apt) want_apt=0 ;;
    --python-package) want_package=1 ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    *) echo "setup: unknown option $arg" >&2; exit 2 ;;
  esac
done

log() { echo "setup: $*"; }

# 1. Debian packages: the main job's, then the tests'.
DEB_PACKAGES=(build-essential cmake ninja-build pkg-config python3 python3-venv python3-dev
  libicu-dev libtbb-dev libsimdjson-dev libabsl-dev libzstd-dev zlib1g-dev liblzma-dev libxxhash-dev libcld2-dev
  libopenblas-dev
  libhwy-dev)  # Google Highway: the tokenizer's SIMD walk (runtime dispatch over AVX2 / AVX-512 / NEON / SVE)
DEB_TEST_PACKAGES=(libgtest-dev
  slurmctld slurmd slurm-client munge  # the one-node Slurm of the split-build test (docs/scale_out.md)
  chromium fonts-dejavu-core  # headless screenshot test of the `rwkvkit stats` HTML report
  clang-14 libclang-rt-14-dev llvm-14  # libFuzzer targets under ASan + UBSan (tests/fuzz)
  ccache)  # compiler cache: tools/test.sh's three builds reuse compiles of earlier runs
[ "$want_test" = 1 ] && DEB_PACKAGES+=("${DEB_TEST_PACKAGES[@]}")
if [ "$want_apt" = 1 ]; then
  missing=()
  for p in "${DEB_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ "${#missing[@]}" -gt 0 ]; then
    log "installing Debian packages: ${missing[*]}"
    SUDO=""
    [ "$(id -u)" = 0 ] || SUDO="sudo"
    $SUDO apt-get update -q
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
  else
    log "Debian packages present"
  fi
fi

# 2. Python venv with pinned packages.
mkdir -p "$STATE"
if [ ! -x "$VENV/bin/python" ]; then
  log "creating venv $VENV"
  python3 -m venv "$VENV"
fi
# The main job's PyPI packages, then the tests'.
# nanobind + scikit-build-core build the Python package (step 5), numpy is its one dependency.
pip_want=("rwkv==$RWKV_VERSION" "pyarrow==$PYARROW_VERSION" "nanobind==$NANOBIND_VERSION"
  "scikit-build-core==$SCIKIT_BUILD_CORE_VERSION" "numpy")
# pytest runs the Python package's tests (python/tests), pyrwkv-tokenizer is the oracle of its
# RWKVTokenizer alias; tokenizers, tiktoken and sentencepiece are the libraries `python -m
# rwkvkit bench tokenizer` runs (and its test trains small models with).
pip_test=("numpy" "datasketch==1.10.0" "datatrove==0.10.1" "regex==2026.11.19" "pytest==$PYTEST_VERSION"
  "pyrwkv-tokenizer==$RUST_TOKENIZER_VERSION" "tokenizers==$HF_TOKENIZERS_VERSION" "tiktoken==$TIKTOKEN_VERSION"
  "sentencepiece==$SENTENCEPIECE_VERSION")
[ "$want_test" = 1 ] && pip_want+=("${pip_test[@]}")
if ! "$VENV/bin/python" - "${pip_want[@]}" <<'PY' 2>/dev/null
import sys
from importlib.metadata import version, PackageNotFoundError
for req in sys.argv[1:]:
    name, _, want = req.partition("==")
    try:
        have = version(name)
    except PackageNotFoundError:
        sys.exit(1)
    if want and have != want:
        sys.exit(1)
PY
then
  log "installing Python packages: ${pip_want[*]}"
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check "${pip_want[@]}"
else
  log "Python packages present (${pip_want[*]})"
fi

# 3. The vocab, from the installed rwkv package.
mkdir -p "$(dirname "$VOCAB")"
if [ ! -f "$VOCAB" ] || ! echo "$VOCAB_SHA256  $VOCAB" | sha256sum -c --quiet - 2>/dev/null; then
  src="$("$VENV/bin/python" -c 'import importlib.util, os; s = importlib.util.find_spec("rwkv"); print(os.path.join(os.path.dirname(s.origin), "rwkv_vocab_v20230424.txt"))')"
  tr -d '\r' < "$src" > "$VOCAB.tmp"
  if ! echo "$VOCAB_SHA256  $VOCAB.tmp" | sha256sum -c --quiet -; then
    rm -f "$VOCAB.tmp"
    echo "setup: $src does not have the expected sha256 $VOCAB_SHA256 (after CRLF -> LF)" >&2
    exit 1
  fi
  mv "$VOCAB.tmp" "$VOCAB"
  log "installed vocab $VOCAB"
else
  log "vocab present and verified ($VOCAB)"
fi

# 4. The demo corpus.
"$ROOT/tools/demo_corpus/build_demo_corpus.sh"

# 5. The Python package, built from this tree (pyproject.toml) into the venv.
pkg_version="$(sed -n 's/^version = "\(.*\)"$/\1/p' "$ROOT/pyproject.toml" | head -n 1)"
have_version="$("$VENV/bin/python" -c 'from importlib.metadata import version; print(version("rwkvkit"))' 2>/dev/null || true)"
if [ "$want_package" = 1 ] || [ "$have_version" != "$pkg_version" ]; then
  log "building and installing the Python package rwkvkit $pkg_version (pip install .; a few minutes)"
  pip_cfg=()
  command -v ccache >/dev/null && pip_cfg+=(-C cmake.define.CMAKE_CXX_COMPILER_LAUNCHER=ccache)
  (cd "$ROOT" && "$VENV/bin/python" -m pip install -q --disable-pip-version-check --no-build-isolation \
    "${pip_cfg[@]}" .)
  (cd / && "$VENV/bin/python" -c 'import rwkvkit; assert rwkvkit.Tokenizer().encode("Hello world") == [33155, 40213]')
  log "installed the Python package rwkvkit $pkg_version"
else
  log "Python package rwkvkit $pkg_version present (tools/setup.sh --python-package rebuilds it)"
fi
