#!/usr/bin/env python3
"""`rwkvkit build` per core on one corpus stored as JSONL.zst, Parquet (zstd), .jsonl.gz and
plain JSONL, and the read stage alone for each (bench/input_read_bench.cc).

The corpus is the demo corpus repeated --copies times (copy k shuffled, seeded, with " [copy k]"
appended), written once under .rwkvkit/bench-input/ as --parts files per format: `zstd -3`,
pyarrow Parquet (zstd, --row-group rows), gzip level 6, plain. Runs, interleaved round-robin
(--repeats): `rwkvkit build --threads 1 --near-dedup off` (the shards of every format must be
byte-identical) and `input_read_bench --format F` with and without --extract. MB/s per core =
10^6 bytes of the uncompressed JSONL per CPU-second of the one-thread process (wall reported
too), the round with the least CPU time. docs/benchmarks.md has the method and results.
Usage: bench/run_input_bench.sh, or
    .rwkvkit/venv/bin/python bench/input_bench.py --rwkvkit B/bin/rwkvkit --read-bench B/bin/input_read_bench \
        [--copies 12] [--write-doc docs/benchmarks.md]
"""

import argparse
import datetime
import gzip
import hashlib
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time

from bench_common import cpu_model, git_commit, pkg_version, write_doc

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BEGIN = "<!-- BEGIN input-formats (bench/input_bench.py writes this section) -->"
BEGIN_PREFIX = "<!-- BEGIN input-formats"
END = "<!-- END input-formats -->"
FORMATS = ["jsonl.zst", "parquet", "jsonl.gz", "jsonl"]


def log(msg):
    print(f"input_bench: {msg}", file=sys.stderr, flush=True)


def run_with_usage(cmd):
    """Runs CMD with its own rusage (os.wait4): (wall s, CPU s, max RSS MiB, stdout)."""
    t0 = time.perf_counter()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        p = subprocess.Popen(cmd, stdout=out, stderr=err)
        _, status, ru = os.wait4(p.pid, 0)
        wall = time.perf_counter() - t0
        p.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(), err.read().decode()
    if p.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited {p.returncode}: {stderr[-2000:]}")
    return wall, ru.ru_utime + ru.ru_stime, ru.ru_maxrss / 1024, stdout


def make_corpus(demo_path, copies, parts, row_group, cache):
    with open(demo_path, "rb") as f:
        demo = f.read()
    key = hashlib.sha256(demo).hexdigest()[:12]
    out = os.path.join(cache, f"{key}-{copies}x-{parts}p-rg{row_group}")
    meta_path = out + ".json"
    if os.path.exists(meta_path):
        with open(meta_path) as f:
            meta = json.load(f)
        # the folders as seen from here (the cache may have been written from another checkout)
        meta["dir"], meta["dirs"] = out, {f: os.path.join(out, f) for f in FORMATS}
        return meta
    import pyarrow as pa
    import pyarrow.parquet as pq
    log(f"writing the corpus: {copies} varied copies of {demo_path} as {parts} files per format under {out}")
    shutil.rmtree(out, ignore_errors=True)
    docs = [json.loads(line) for line in demo.decode("utf-8").splitlines() if line.strip()]
    records = []
    for k in range(copies):
        order = list(range(len(docs)))
        random.Random(k).shuffle(order)
        records += [{"id": f"{docs[i].get('id')}#{k}", "text": docs[i]["text"] + f" [copy {k}]"} for i in order]
    per = (len(records) + parts - 1) // parts
    dirs = {f: os.path.join(out, f) for f in FORMATS}
    for d in dirs.values():
        os.makedirs(d)
    jsonl_bytes = text_bytes = 0
    for p in range(parts):
        chunk = records[p * per:(p + 1) * per]
        lines = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in chunk).encode("utf-8")
        jsonl_bytes += len(lines)
        text_bytes += sum(len(r["text"].encode("utf-8")) for r in chunk)
        name = f"train-{p:05d}-of-{parts:05d}"
        plain = os.path.join(dirs["jsonl"], name + ".jsonl")
        with open(plain, "wb") as f:
            f.write(lines)
        subprocess.run(["zstd", "-3", "-q", "-f", plain, "-o", os.path.join(dirs["jsonl.zst"], name + ".jsonl.zst")],
                       check=True)
        with gzip.open(os.path.join(dirs["jsonl.gz"], name + ".jsonl.gz"), "wb", compresslevel=6) as f:
            f.write(lines)
        table = pa.table({"id": [r["id"] for r in chunk], "text": [r["text"] for r in chunk]})
        pq.write_table(table, os.path.join(dirs["parquet"], name + ".parquet"), compression="zstd",
                       row_group_size=row_group)
    sizes = {f: sum(os.path.getsize(os.path.join(d, n)) for n in os.listdir(d)) for f, d in dirs.items()}
    meta = {"dir": out, "dirs": dirs, "documents": len(records), "jsonl_bytes": jsonl_bytes,
            "text_bytes": text_bytes, "sizes": sizes, "copies": copies, "parts": parts, "row_group": row_group,
            "demo_documents": len(docs), "demo_bytes": len(demo)}
    with open(meta_path, "w") as f:
        json.dump(meta, f)
    return meta


def shard_digest(out):
    h = hashlib.sha256()
    for n in sorted(os.listdir(out)):
        if n.endswith((".bin", ".idx")):
            with open(os.path.join(out, n), "rb") as f:
                h.update(f.read())
    return h.hexdigest()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rwkvkit", required=True)
    ap.add_argument("--read-bench", required=True)
    ap.add_argument("--corpus", default=os.path.join(ROOT, ".rwkvkit", "demo", "demo.jsonl"))
    ap.add_argument("--vocab", default=os.path.join(ROOT, ".rwkvkit", "vocab", "rwkv_vocab_v20230424.txt"))
    ap.add_argument("--copies", type=int, default=12)
    ap.add_argument("--parts", type=int, default=4)
    ap.add_argument("--row-group", type=int, default=10000)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--cache-dir", default=os.path.join(ROOT, ".rwkvkit", "bench-input"))
    ap.add_argument("--write-doc")
    args = ap.parse_args()

    load_before = os.getloadavg()
    started = datetime.datetime.now(datetime.timezone.utc)
    c = make_corpus(args.corpus, args.copies, args.parts, args.row_group, args.cache_dir)
    mb = c["jsonl_bytes"] / 1e6
    log(f"corpus: {c['documents']:,} documents, {mb:.1f} MB of JSONL, {c['text_bytes'] / 1e6:.1f} MB of text")
    work = tempfile.mkdtemp(prefix="rwkvkit-input-bench-")
    best = {}
    digests = {}
    loads = {}

    def keep(key, wall, cpu, rss, extra=None):  # the run with the least CPU time
        if key not in best or cpu < best[key]["cpu"]:
            best[key] = {"wall": wall, "cpu": cpu, "rss": rss, "load": os.getloadavg()[0], **(extra or {})}

    for r in range(args.repeats):
        for fmt in FORMATS:
            out = os.path.join(work, f"out-{fmt}")
            shutil.rmtree(out, ignore_errors=True)
            wall, cpu, rss, _ = run_with_usage([args.rwkvkit, "build", "--input", c["dirs"][fmt], "--out", out,
                                                "--name", "bench", "--threads", "1", "--near-dedup", "off",
                                                "--no-progress", "--vocab", args.vocab])
            digests[fmt] = shard_digest(out)
            keep(("build", fmt), wall, cpu, rss)
            log(f"round {r + 1} build {fmt}: {wall:.2f} s wall, {cpu:.2f} s CPU, {mb / cpu:.1f} MB per CPU-s, "
                f"{rss:.0f} MiB, load {os.getloadavg()[0]:.2f}")
            shutil.rmtree(out, ignore_errors=True)
            files = sorted(os.path.join(c["dirs"][fmt], n) for n in os.listdir(c["dirs"][fmt]))
            for extract in ([False, True] if fmt != "parquet" else [False]):
                cmd = [args.read_bench, "--format", fmt] + (["--extract"] if extract else []) + files
                wall, cpu, rss, out_json = run_with_usage(cmd)
                res = json.loads(out_json)
                keep(("read", fmt, extract), res["wall_s"], res["cpu_s"], rss, res)
    shutil.rmtree(work, ignore_errors=True)
    load_after = os.getloadavg()
    same = len(set(digests.values())) == 1

    rows = []
    for fmt in FORMATS:
        b = best[("build", fmt)]
        rd = best[("read", fmt, False)]
        ex = best[("read", fmt, True)] if fmt != "parquet" else rd
        rows.append((fmt, c["sizes"][fmt] / 1e6, b["cpu"], mb / b["cpu"], b["wall"], mb / b["wall"], b["rss"],
                     b["load"], mb / rd["cpu"], mb / ex["cpu"]))
    zst = mb / best[("build", "jsonl.zst")]["cpu"]
    par = mb / best[("build", "parquet")]["cpu"]
    ratio = par / zst
    lines = [
        BEGIN,
        "## Input formats: `rwkvkit build` on JSONL.zst, Parquet and .jsonl.gz",
        "",
        f"Machine: {cpu_model()}, {os.cpu_count()} cores (shared with other work); rwkvkit commit "
        f"{git_commit()}, pyarrow {pkg_version('pyarrow')} (Arrow C++ of its wheel). "
        f"Date: {started:%Y-%m-%d %H:%M} UTC.  ",
        f"Load (1/5/15-minute averages) before: {load_before[0]:.2f}/{load_before[1]:.2f}/{load_before[2]:.2f}, "
        f"after: {load_after[0]:.2f}/{load_after[1]:.2f}/{load_after[2]:.2f}; each row gives the 1-minute load "
        "at the end of its best build run.  ",
        f"Input: `.rwkvkit/demo/demo.jsonl` ({c['demo_documents']:,} documents) in {c['copies']} copies, copy k "
        f"shuffled (seed k) with \" [copy k]\" appended to every text: {c['documents']:,} documents, "
        f"{c['jsonl_bytes']:,} bytes as JSONL ({mb:.1f} MB), {c['text_bytes'] / 1e6:.1f} MB of text, "
        f"{c['parts']} files per format. Parquet: columns id and text, zstd, row groups of {c['row_group']:,} rows.",
        "",
        "| format | on disk MB | build CPU s | build MB/s per core | build wall s | build MB/s (wall) | "
        "build max RSS MiB | load | read stage MB/s per core | read + text extraction MB/s per core |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for fmt, disk, cpu, mbs, wall, wmbs, rss, ld, rd, ex in rows:
        lines.append(f"| {fmt} | {disk:.1f} | {cpu:.2f} | {mbs:.1f} | {wall:.2f} | {wmbs:.1f} | {rss:.0f} | {ld:.2f} | "
                     f"{rd:.0f} | {ex:.0f} |")
    verdict = "met" if ratio >= 0.9 else "NOT met"
    lines += [
        "",
        f"Target: the Parquet build within 10% of the JSONL.zst build: {par:.1f} vs {zst:.1f} MB/s per core, "
        f"{100 * (ratio - 1):+.1f}% ({verdict}). The shards of all four builds are "
        f"{'byte-identical' if same else 'NOT identical'}.",
        "",
        "How it was measured:",
        "",
        f"- MB/s per core: 10^6 bytes of the corpus as uncompressed JSONL ({mb:.1f} MB, the same for every format) "
        "per CPU-second (user + system) of the process, run on one thread (`--threads 1`); CPU time rather than "
        "wall time because the machine was shared (see the load): wall time counts the time other processes "
        f"held the core, CPU time does not. The run with the least CPU time of {args.repeats} rounds, the "
        "formats interleaved in each round; its wall time is given too. The build is the whole process (vocab "
        "load, writing and fsyncing the shards, build.json); `--near-dedup off`, defaults otherwise (repair, NFC, "
        "exact dedup, World tokenizer). Files in the page cache.",
        "- Read stage: `bench/input_read_bench` opens each file with `corpus::input::OpenRecordSource` and takes its "
        "record blocks, as the build's serial input stage does (decompression, line splitting or Parquet page "
        "decoding); the last column also takes the text field out of each JSON line with the build's simdjson "
        "`JsonlFieldReader`, the first step of the build's parallel stage, so that JSON Lines and Parquet are "
        "compared at the same point (for Parquet the two columns are the same run).",
        "- Compression: `zstd -3` (CLI), Python `gzip` level 6, pyarrow `write_table(compression=\"zstd\")`.",
        "",
        "Reproduce: `bench/run_input_bench.sh` (builds rwkvkit and input_read_bench in build-bench-input/, "
        "writes the corpus once under .rwkvkit/bench-input/, rewrites this section).",
        END,
    ]
    section = "\n".join(lines)
    print(section)
    if args.write_doc:
        write_doc(args.write_doc, section, BEGIN_PREFIX, END)
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
