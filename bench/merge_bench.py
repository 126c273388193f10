#!/usr/bin/env python3
"""Benchmark of `rwkvkit merge` (shards -> the one binidx prefix RWKV-LM trains on) next to two
other ways of joining the same shards, on one machine, in one run.

Input: --shards uint16 shards of --shard-mb MB (random documents of 1..4000 tokens, written with
tests/golden/binidx_numpy_writer.py). Best of --repeats, output deleted and `sync` between runs,
inputs in the page cache: rwkvkit (`merge ... --no-progress`: copy_file_range, index rebuilt,
fsync, verify, rename); megatron (Megatron-LM's tools/merge_datasets.py method rewritten with
numpy, plus fsync, so every row does the same durable work); cat (`cat *.bin > out.bin; sync`:
no index, the floor of a user-space copy); and `rwkvkit merge --help` (the start-up every
rwkvkit row includes). MB/s = 10^6 bytes of .bin written per second of wall time.
Usage: .rwkvkit/venv/bin/python bench/merge_bench.py --rwkvkit build/bin/rwkvkit [--shards 4] [--shard-mb 500]
"""

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "golden"))
import binidx_numpy_reader as reader  # noqa: E402
import binidx_numpy_writer as writer  # noqa: E402


def make_shards(d, n, mb):
    rng = np.random.default_rng(1)
    prefixes = []
    for k in range(n):
        tokens = mb * 1_000_000 // 2
        lengths = rng.integers(1, 4000, size=tokens // 1000 + 16)
        ends = np.cumsum(lengths)
        ends = ends[:int(np.searchsorted(ends, tokens)) + 1]
        ids = rng.integers(1, 65535, size=int(ends[-1]), dtype=np.uint16)
        ids[ends - 1] = 0
        docs = np.split(ids, ends[:-1])
        p = os.path.join(d, f"s_{k:05d}")
        writer.write_shard(p, docs, np.uint16)
        prefixes.append(p)
    return prefixes


def megatron_style(prefixes, out):
    """Appends each .bin with shutil.copyfileobj and concatenates the shifted index arrays."""
    sizes, pointers, doc_idx = [], [], [np.zeros(1, np.int64)]
    byte_base, seq_base = 0, 0
    with open(out + ".bin", "wb") as fb:
        for p in prefixes:
            idx = np.fromfile(p + ".idx", dtype=np.uint8)
            n, m = (int(x) for x in idx[18:34].view("<u8"))
            s = idx[34:34 + 4 * n].view("<i4")
            ptr = idx[34 + 4 * n:34 + 12 * n].view("<i8")
            di = idx[34 + 12 * n:34 + 12 * n + 8 * m].view("<i8")
            sizes.append(s)
            pointers.append(ptr + byte_base)
            doc_idx.append(di[1:] + seq_base)
            with open(p + ".bin", "rb") as fi:
                shutil.copyfileobj(fi, fb, 8 << 20)
            byte_base += os.path.getsize(p + ".bin")
            seq_base += n
        fb.flush()
        os.fsync(fb.fileno())
    sizes, pointers, doc_idx = np.concatenate(sizes), np.concatenate(pointers), np.concatenate(doc_idx)
    with open(out + ".idx", "wb") as fi:
        fi.write(b"MMIDIDX\x00\x00" + np.array([1], "<u8").tobytes() + bytes([8]))
        fi.write(np.array([sizes.size, doc_idx.size], "<u8").tobytes())
        fi.write(sizes.astype("<i4").tobytes() + pointers.astype("<i8").tobytes() + doc_idx.astype("<i8").tobytes())
        fi.flush()
        os.fsync(fi.fileno())


def timed(fn, repeats, cleanup):
    best = None
    for _ in range(repeats):
        cleanup()
        t = time.perf_counter()
        fn()
        dt = time.perf_counter() - t
        best = dt if best is None else min(best, dt)
    return best


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rwkvkit", required=True)
    ap.add_argument("--shards", type=int, default=4)
    ap.add_argument("--shard-mb", type=int, default=500)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--dir")
    args = ap.parse_args()
    d = args.dir or tempfile.mkdtemp(prefix="rwkvkit_merge_bench_")
    os.makedirs(d, exist_ok=True)
    prefixes = make_shards(d, args.shards, args.shard_mb)
    total = sum(os.path.getsize(p + ".bin") for p in prefixes)
    out = os.path.join(d, "out")

    def cleanup():  # each run starts with no output and nothing waiting for writeback
        for ext in (".bin", ".idx"):
            if os.path.exists(out + ext):
                os.remove(out + ext)
        os.sync()

    rows = []
    rows.append(("rwkvkit merge", timed(lambda: subprocess.run([args.rwkvkit, "merge", *prefixes, "--out", out,
                                                                   "--no-progress"], check=True,
                                                                  stdout=subprocess.DEVNULL), args.repeats, cleanup)))
    want = [x for p in prefixes for x in reader.read_shard(p)] if total <= 400_000_000 else None
    if want is not None:
        got = reader.read_shard(out)
        assert len(got) == len(want) and all(np.array_equal(a, b) for a, b in zip(got, want))
    rows.append(("megatron-style (numpy)", timed(lambda: megatron_style(prefixes, out), args.repeats, cleanup)))
    a = open(out + ".idx", "rb").read()
    subprocess.run([args.rwkvkit, "merge", *prefixes, "--out", out + "_check", "--no-progress"], check=True,
                   stdout=subprocess.DEVNULL)
    assert a == open(out + "_check.idx", "rb").read(), "the two merged indexes differ"
    for ext in (".bin", ".idx"):
        os.remove(out + "_check" + ext)
    bins = " ".join(p + ".bin" for p in prefixes)
    rows.append(("cat .bin only", timed(lambda: subprocess.run(f"cat {bins} > {out}.bin && sync {out}.bin", shell=True,
                                                               check=True), args.repeats, cleanup)))
    cleanup()
    rows.append(("(rwkvkit merge --help: start-up)", timed(lambda: subprocess.run([args.rwkvkit, "merge", "--help"],
                                                                                 check=True, stdout=subprocess.DEVNULL),
                                                          args.repeats, cleanup)))
    print(f"machine: {platform.machine()} {os.cpu_count()} cores, {platform.platform()}; "
          f"{args.shards} shards, {total / 1e6:.0f} MB of .bin; best of {args.repeats}")
    print(f"{'tool':28} {'seconds':>8} {'MB/s':>8}")
    for name, s in rows:
        print(f"{name:28} {s:8.2f} {total / 1e6 / s:8.0f}")
    if not args.dir:
        shutil.rmtree(d)
    return 0


if __name__ == "__main__":
    sys.exit(main())
