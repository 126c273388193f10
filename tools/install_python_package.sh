#!/usr/bin/env bash
# tools/install_python_package.sh — builds the Python package `rwkvkit` from this tree with pip
# (scikit-build-core, pyproject.toml) and installs it into the project's venv (.rwkvkit/venv),
# then imports the installed copy from outside the tree (docs/python.md).
#
#   tools/install_python_package.sh                  # its own CMake build in build/python-wheel/
#   tools/install_python_package.sh --build-dir build
#
# --build-dir reuses an existing CMake build of the project (tools/test.sh passes its stage-1
# build/): pip configures that directory with the values it already has (generator, build
# type, RWKVKIT_BUILD_TESTS, RWKVKIT_CUDA; with the CUDA parts on, the wheel carries the CUDA
# plugin), builds the package's targets (already built: nothing, or a relink) and installs from
# there, so the libraries are not compiled a second time; then the directory's CMake cache is
# restored and configured again. tools/setup.sh (step 5) runs it without
# --build-dir: the libraries are compiled once more without CUDA (a few minutes on 2 cores).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.rwkvkit/venv"
build_dir=""
while [ $# -gt 0 ]; do
  case "$1" in
    --build-dir) build_dir="${2:?--build-dir needs a directory}"; shift 2 ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    *) echo "install_python_package: unknown option $1" >&2; exit 2 ;;
  esac
done
log() { echo "install_python_package: $*"; }

cd "$ROOT"
pip_cfg=()
if [ -n "$build_dir" ]; then
  cache="$build_dir/CMakeCache.txt"
  if [ ! -f "$cache" ]; then
    echo "install_python_package: $cache not found (configure and build that directory first)" >&2
    exit 1
  fi
  cached() { sed -n "s/^$1:[A-Z]*=//p" "$cache" | head -n 1; }
  if [ ! -d "$build_dir/python/rwkvkit" ]; then
    echo "install_python_package: $build_dir has no Python package (configured without nanobind or with -DRWKVKIT_PYTHON=OFF)" >&2
    exit 1
  fi
  export CMAKE_GENERATOR
  CMAKE_GENERATOR="$(cached CMAKE_GENERATOR)"
  pip_cfg+=(-C "build-dir=$build_dir" -C "cmake.build-type=$(cached CMAKE_BUILD_TYPE)")
  for var in RWKVKIT_BUILD_TESTS RWKVKIT_CUDA; do
    value="$(cached "$var")"
    [ -n "$value" ] && pip_cfg+=(-C "cmake.define.$var=$value")
  done
  # scikit-build-core clears a build directory whose .skbuild-info.json names another source
  # or scikit-build-core; without the file it keeps the directory's cache. Its configure adds
  # its own entries to the cache (SKBUILD, which leaves out everything but the package, an
  # install prefix in a temporary folder, ...): the cache is put back as it was afterwards
  # and the directory configured again, so it builds and tests as before.
  rm -f "$build_dir/.skbuild-info.json"
  cp -p "$cache" "$cache.before-pip"
  restore() {
    mv -f "$cache.before-pip" "$cache"
    rm -f "$build_dir/.skbuild-info.json"
    cmake -S "$ROOT" -B "$build_dir" > /dev/null
  }
  trap restore EXIT
  log "pip install . reusing the CMake build in $build_dir ($CMAKE_GENERATOR)"
else
  command -v ccache >/dev/null && pip_cfg+=(-C cmake.define.CMAKE_CXX_COMPILER_LAUNCHER=ccache)
  log "pip install . (its own CMake build in build/python-wheel/; a few minutes)"
fi
"$VENV/bin/python" -m pip install -q --disable-pip-version-check --no-build-isolation \
  "${pip_cfg[@]}" .
# The installed copy, imported from outside the tree: the extension loads (its libraries found
# through its RPATH in site-packages) and the packaged vocab encodes.
(cd / && "$VENV/bin/python" -c '
import rwkvkit, sys
assert "site-packages" in rwkvkit.__file__, rwkvkit.__file__
assert rwkvkit.Tokenizer().encode("Hello world") == [33155, 40213]
print("installed", rwkvkit.__file__)')
