#!/usr/bin/env bash
# build_demo_corpus.sh — builds the demo corpus (data_manifests/demo.json) from Debian packages.
#
# Usage: tools/demo_corpus/build_demo_corpus.sh [OUT_DIR]     (default: <repo>/.rwkvkit/demo)
#
# Downloads six bookworm packages that ship translated prose or source code with
# `apt-get download` into <repo>/.rwkvkit/debs (kept: a rerun needs no network), unpacks the
# files the converter reads into a scratch directory under .rwkvkit/ (removed on exit), and runs
# make_demo_corpus.py, which writes <source>.jsonl, demo.jsonl and demo_stats.json to OUT_DIR.
# OUT_DIR/demo_stamp.txt, written last, records the package versions and the converter; when it
# matches, the script does nothing. Idempotent; about 10 s on 2 cores.
#
# Not done here: `apt-get update` (needs root; run it once if apt has no package lists) and any
# change to the repository outside .rwkvkit/ and OUT_DIR. Needs apt-get, dpkg-deb and python3
# (standard library only). Not safe to run twice at once on the same OUT_DIR.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
out=${1:-$repo/.rwkvkit/demo}
debs=$repo/.rwkvkit/debs
converter=$repo/tools/demo_corpus/make_demo_corpus.py
python=${PYTHON:-python3}

# PACKAGE=VERSION. Pinned where bookworm still has the version, so the corpus is reproducible;
# libpython3.11-stdlib gets security updates that replace the old version in the archive, so it
# takes the candidate version (empty pin). demo_stats.json records what was actually used.
packages=(
  gnome-user-docs=43.0-2
  debian-handbook=11.20220922
  unicode-cldr-core=41-0.1
  libpython3.11-stdlib=
  nlohmann-json3-dev=3.11.2-2
  node-semver=7.3.5+~7.3.9-2
)
# What make_demo_corpus.py writes; all must exist for the output to count as up to date.
outputs=(gnome-user-docs.jsonl debian-handbook.jsonl unicode-cldr-core.jsonl python-stdlib.jsonl
         nlohmann-json.jsonl node-semver.jsonl demo.jsonl demo_stats.json)

log() { echo "build_demo_corpus: $*" >&2; }
die() { log "error: $*"; exit 1; }

for tool in apt-get apt-cache dpkg dpkg-deb "$python"; do
  command -v "$tool" >/dev/null || die "$tool not found (this script needs a Debian system)"
done
arch=$(dpkg --print-architecture)
apt_opts=(-q=2)
# As root, apt drops privileges to _apt, which cannot write into our directory and warns.
[[ $EUID -eq 0 ]] && apt_opts+=(-o APT::Sandbox::User=root)

# deb_for PACKAGE VERSION: prints the already downloaded .deb of that version, if any.
# apt-get download names files PACKAGE_VERSION_ARCH.deb with ':' (epoch) written as %3a.
deb_for() {
  local f
  for f in "$debs/${1}_${2//:/%3a}_$arch.deb" "$debs/${1}_${2//:/%3a}_all.deb"; do
    if [[ -f $f ]]; then echo "$f"; return; fi
  done
}

# newest_deb PACKAGE: prints the newest downloaded .deb of PACKAGE, if any.
newest_deb() {
  local f v best="" best_v=""
  for f in "$debs/${1}"_*.deb; do
    [[ -f $f ]] || continue
    v=$(dpkg-deb -f "$f" Version)
    if [[ -z $best ]] || dpkg --compare-versions "$v" gt "$best_v"; then best=$f best_v=$v; fi
  done
  [[ -n $best ]] && echo "$best"
  return 0
}

# fetch PACKAGE=VERSION: downloads into $debs; apt's messages go to stderr.
fetch() {
  log "downloading $1"
  (cd "$debs" && apt-get download "${apt_opts[@]}" "$1") >&2
}

# resolve PACKAGE PIN: prints the .deb to use, downloading it only if it is not there yet.
resolve() {
  local pkg=$1 pin=$2 cand f
  if [[ -n $pin ]]; then
    f=$(deb_for "$pkg" "$pin")
    if [[ -z $f ]] && fetch "$pkg=$pin"; then f=$(deb_for "$pkg" "$pin"); fi
    if [[ -n $f ]]; then echo "$f"; return; fi
    log "warning: $pkg=$pin is not in the archive any more; taking the candidate version"
  fi
  cand=$(apt-cache policy "$pkg" 2>/dev/null | awk '$1 == "Candidate:" { print $2 }')
  if [[ -n $cand && $cand != "(none)" ]]; then
    f=$(deb_for "$pkg" "$cand")
    if [[ -z $f ]] && fetch "$pkg=$cand"; then f=$(deb_for "$pkg" "$cand"); fi
    if [[ -n $f ]]; then echo "$f"; return; fi
  fi
  # Offline with a newer candidate, or no apt lists at all: an earlier download will do.
  f=$(newest_deb "$pkg")
  [[ -n $f ]] || die "cannot download $pkg and $debs has no copy (run 'apt-get update'?)"
  log "warning: using $(basename "$f") for $pkg"
  echo "$f"
}

mkdir -p "$debs" "$out"
out=$(cd "$out" && pwd)
start=$SECONDS

declare -A deb_of version_of
names=()
for entry in "${packages[@]}"; do
  pkg=${entry%%=*}
  deb_of[$pkg]=$(resolve "$pkg" "${entry#*=}")
  version_of[$pkg]=$(dpkg-deb -f "${deb_of[$pkg]}" Version)
  names+=("$pkg")
done

stamp_text=$(
  echo "converter $(sed -n 's/^CONVERTER_VERSION = "\(.*\)"$/\1/p' "$converter")" \
       "sha256:$(sha256sum "$converter" | cut -d' ' -f1)"
  for pkg in "${names[@]}"; do echo "$pkg ${version_of[$pkg]}"; done
)
stamp=$out/demo_stamp.txt
up_to_date=1
for f in "${outputs[@]}"; do [[ -f $out/$f ]] || up_to_date=0; done
if [[ $up_to_date -eq 1 && -f $stamp && "$(cat "$stamp")" == "$stamp_text" ]]; then
  echo "build_demo_corpus: up to date: $out/demo.jsonl ($(du -h "$out/demo.jsonl" | cut -f1))"
  exit 0
fi

rm -f "$stamp"     # from here on the output is stale until the new stamp is written
scratch=$(mktemp -d "$repo/.rwkvkit/demo-extract.XXXXXX")
trap 'rm -rf "$scratch"' EXIT

# unpack PACKAGE: the files make_demo_corpus.py reads (it prints their tar patterns) into
# $scratch/PACKAGE. Not `dpkg-deb -x`: that writes 430 MB in 24,500 files (CLDR, the
# handbook's images) where we need 86 MB in 7,900; on a busy 2-core machine that took
# 17-28 s, against about 5 s for this.
unpack() {
  local list patterns
  list=$("$python" "$converter" --members "$1")
  mapfile -t patterns <<<"$list"
  mkdir -p "$scratch/$1"
  dpkg-deb --fsys-tarfile "${deb_of[$1]}" | tar -x -C "$scratch/$1" --wildcards "${patterns[@]}"
}

log "unpacking ${#names[@]} packages"
pids=()
for pkg in "${names[@]}"; do unpack "$pkg" & pids+=($!); done
for pid in "${pids[@]}"; do wait "$pid" || die "unpacking failed"; done

args=()
for pkg in "${names[@]}"; do args+=(--pkg "$pkg" "${version_of[$pkg]}" "$scratch/$pkg"); done
"$python" "$converter" --out "$out" "${args[@]}"

printf '%s\n' "$stamp_text" >"$stamp.tmp"
mv -f "$stamp.tmp" "$stamp"
log "built $out in $((SECONDS - start)) s"
