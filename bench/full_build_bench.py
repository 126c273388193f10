#!/usr/bin/env python3
"""Whole-build benchmark: `rwkvkit build` with every stage on, per stage, one or more binaries.

Every stage on: JSON parsing, repair and NFC, `--filters on` (CLD2 language id, Gopher
repetition, Gopher quality, FineWeb quality), XXH3-128 exact dedup, MinHash near dedup
(`--near-dedup on`), the World tokenizer, binidx shards and build.json.

The input is bench/dedup_bench.py's (the same generator and cache): the demo corpus once as it
is, rewritten copies up to --size-mb (about one letter in ten doubled, in every script, so the
copies are neither exact nor near duplicates of each other) and about 2% planted near copies
(one letter in 1000 doubled) right after their source: about 157 MB of multilingual JSONL.

Each binary given with --rwkvkit LABEL=PATH (PATH may be followed by build flags of its own, e.g.
--language-id-prefix 256) is run with each thread count (1 and all cores by
default), runs interleaved, best of --repeats by CPU time. Measured per run: the process's wall
and CPU seconds (user + system, from rusage; the machine is shared, so MB per CPU second is the
number that the load does not move) and build.json's `timing` (per stage: wall, busy and CPU
seconds). For every binary the decisions are compared with the first one's: documents kept,
every build.json count (languages, filter reasons, near duplicates) and the shards' XXH3-128.

Usage: bench/run_full_build_bench.sh (one command), or
    .rwkvkit/venv/bin/python bench/full_build_bench.py --rwkvkit before=OLD/bin/rwkvkit \\
        --rwkvkit after=build/bin/rwkvkit [--threads 1 2] [--repeats 1] [--write-doc docs/benchmarks.md]
"""

import argparse
import datetime
import json
import os
import platform
import shlex
import sys
import tempfile

from bench_common import cpu_model, git_commit, run_timed, write_doc
from dedup_bench import make_input

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BEGIN = "<!-- BEGIN full-build (bench/full_build_bench.py writes this section) -->"
BEGIN_PREFIX = "<!-- BEGIN full-build"
END = "<!-- END full-build -->"
STAGES = ["read", "parse", "repair_normalize", "filters", "signatures", "tokenize", "exact_dedup", "near_dedup",
          "write"]


def log(msg):
    print(f"full_build_bench: {msg}", file=sys.stderr, flush=True)


def flatten(x, prefix=""):
    """{dotted key: leaf} of a JSON object."""
    out = {}
    if isinstance(x, dict):
        for k, v in x.items():
            out.update(flatten(v, f"{prefix}.{k}" if prefix else k))
    else:
        out[prefix] = x
    return out


def decisions(bj):
    """What a build decided, without its timing and paths: counts, near dedup, shards."""
    d = {"total": bj["total"], "near_dedup": bj["near_dedup"], "bad_input": bj.get("bad_input"),
         "shards": [(s["name"], s["documents"], s["tokens"], s["xxh3_128"]) for s in bj["shards"]]}
    return flatten(json.loads(json.dumps(d)))


def run_build(binary, input_dir, out, threads, vocab):
    binary, *extra = shlex.split(binary)  # PATH [FLAG ...]
    if vocab:
        extra += ["--vocab", vocab]
    cmd = ["nice", "-n", "5", binary, "build", *extra, "--input", input_dir, "--out", out, "--name", "b", "--threads",
           str(threads), "--no-progress", "--filters", "on", "--near-dedup", "on"]
    # Without --vocab each binary loads the vocab beside it (share/rwkvkit/, with the compiled
    # tokenizer file the build writes there), as an installed rwkvkit does.
    env = {k: v for k, v in os.environ.items() if k != "RWKVKIT_VOCAB"}
    wall, cpu, _ = run_timed(cmd, out + ".log", env=env)
    with open(os.path.join(out, "build.json")) as f:
        bj = json.load(f)
    return {"wall": wall, "cpu": cpu, "build": bj, "load": os.getloadavg()[0]}


def fmt_section(args, meta, rows, by_label, started, load_before, load_after):
    mb = meta["bytes"] / 1e6
    labels = [r["label"] for r in rows if r["threads"] == 1]
    lines = [BEGIN, f"## Whole build, every stage on ({started:%Y-%m-%d %H:%M} UTC)", ""]
    lines.append(f"Machine: {cpu_model()}, {os.cpu_count()} cores shared with other work, Linux "
                 f"{platform.release()}; 1-minute load average {load_before:.2f} before, {load_after:.2f} after (each "
                 f"row gives the load after its run). rwkvkit builds: Release, portable (no -march=native); harness "
                 f"commit {git_commit()}.  ")
    lines.append(f"Input: bench/dedup_bench.py's generator, {meta['documents']:,} documents, {mb:.1f} MB of JSONL in "
                 f"{len(meta['files'])} files (the demo corpus, {meta['copies'] - 1} rewritten copies, "
                 f"{len(meta['planted'])} planted near copies).  ")
    vocab = (f"--vocab {os.path.relpath(args.vocab, ROOT)} " if args.vocab else "")
    lines.append(f"Command: `rwkvkit build --input DIR --out OUT --threads T --filters on --near-dedup on {vocab}"
                 "--no-progress` (" + ("" if args.vocab else "the World vocab beside each binary, share/rwkvkit/ "
                                       "with its compiled tokenizer file, as installed; ") + "repair + NFC, CLD2, Gopher repetition + quality, FineWeb quality, exact dedup, "
                 "MinHash near dedup, World tokenizer, shards), under `nice`, best of "
                 f"{args.repeats} by CPU time.")
    lines.append("")
    lines.append("| binary | threads | wall s | CPU s | MB per CPU s | MB/s per core (wall) | kept | near dups | "
                 "tokens | load |")
    lines.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        t = r["build"]["total"]
        lines.append(f"| {r['label']} | {r['threads']} | {r['wall']:.2f} | {r['cpu']:.2f} | **{mb / r['cpu']:.1f}** | "
                     f"{mb / r['wall'] / r['threads']:.1f} | {t['documents_kept']:,} | "
                     f"{r['build']['near_dedup']['documents_removed']:,} | {t['tokens']:,} | {r['load']:.2f} |")
    lines.append("")
    lines.append("Per stage, 1 thread: CPU seconds from build.json's `timing` (the stage's threads' CPU time), and "
                 "MB of input per CPU second of that stage alone:")
    lines.append("")
    lines.append("| stage | " + " | ".join(f"{lb} CPU s | {lb} MB/CPU s" for lb in labels) + " |")
    lines.append("|---|" + "---:|---:|" * len(labels))
    one = {r["label"]: r for r in rows if r["threads"] == 1}
    for st in STAGES + ["all"]:
        cells = []
        for lb in labels:
            tm = one[lb]["build"]["timing"]
            c = tm["cpu_seconds"] if st == "all" else tm["stages"][st]["cpu_seconds"]
            cells.append(f"{c:.3f} | {mb / c:.0f}" if c > 0 else f"{c:.3f} | —")
        lines.append(f"| {st} | " + " | ".join(cells) + " |")
    lines.append("")
    for lb, (same, diffs) in by_label.items():
        if same:
            lines.append(f"- {lb}: the same decisions as {labels[0]} (every build.json count, the near duplicates, "
                         "the shards' XXH3-128).")
            continue
        shards = [k for k in diffs if k.startswith("shards")]
        lang = {k: v for k, v in diffs.items() if k.startswith("total.languages.")}
        moved = sum(abs((b or 0) - (a or 0)) for a, b in lang.values()) // 2
        reasons = {k: v for k, v in diffs.items() if k.startswith("total.dropped.")}
        rest = {k: v for k, v in diffs.items() if not k.startswith(("shards", "total.languages.", "total.dropped.",
                                                                     "total.filters."))}
        lines.append(f"- {lb} against {labels[0]}: shards "
                     + ("**identical** (same documents, tokens and XXH3-128)" if not shards else "**differ**")
                     + f"; `counts.languages`: {moved} documents under another language ("
                     + ", ".join(f"{k.rsplit('.', 1)[1]} {a or 0} → {b or 0}" for k, (a, b) in sorted(lang.items()))
                     + "); drop reasons: "
                     + (", ".join(f"`{k.rsplit('.', 1)[1]}` {a or 0} → {b or 0}" for k, (a, b) in sorted(reasons.items()))
                        or "the same")
                     + ("; other values: " + ", ".join(f"`{k}` {a} → {b}" for k, (a, b) in sorted(rest.items()))
                        if rest else "") + ".")
    for r in rows:
        if r["threads"] > 1:
            base = one[r["label"]]
            lines.append(f"- {r['label']}, {r['threads']} threads: {base['wall'] / r['wall']:.2f}x the 1-thread wall "
                         f"time ({r['wall']:.2f} s vs {base['wall']:.2f} s; CPU {r['cpu']:.2f} s vs {base['cpu']:.2f} s).")
    lines.append("")
    lines.append("Reproduce: `bench/run_full_build_bench.sh` (builds rwkvkit in build-bench-full/, with BEFORE=<commit> "
                 "also that commit, writes the input once under .rwkvkit/bench-dedup/, rewrites this section).")
    lines.append(END)
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rwkvkit", action="append", required=True, help="LABEL=PATH of a rwkvkit binary, optionally followed by build flags for it "
                    "('lid 256=build/bin/rwkvkit --language-id-prefix 256'; repeatable)")
    ap.add_argument("--corpus", default=os.path.join(ROOT, ".rwkvkit", "demo", "demo.jsonl"))
    ap.add_argument("--vocab", default=None,
                    help="a vocab for every binary (default: each binary's own, share/rwkvkit/ beside it)")
    ap.add_argument("--size-mb", type=float, default=150)
    ap.add_argument("--parts", type=int, default=4)
    ap.add_argument("--plant-rate", type=float, default=0.02)
    ap.add_argument("--cache-dir", default=os.path.join(ROOT, ".rwkvkit", "bench-dedup"))
    ap.add_argument("--threads", type=int, nargs="+", default=sorted({1, os.cpu_count() or 1}))
    ap.add_argument("--repeats", type=int, default=1)
    ap.add_argument("--tmp-dir", default=None)
    ap.add_argument("--write-doc", default=None)
    args = ap.parse_args()
    bins = [tuple(s.split("=", 1)) for s in args.rwkvkit]
    meta = make_input(args.corpus, args.size_mb, args.parts, args.plant_rate, args.cache_dir)
    log(f"input: {meta['documents']:,} documents, {meta['bytes'] / 1e6:.1f} MB in {len(meta['files'])} files")
    started = datetime.datetime.now(datetime.timezone.utc)
    load_before = os.getloadavg()[0]
    best = {}
    with tempfile.TemporaryDirectory(prefix="rwkvkit_full_build_bench_", dir=args.tmp_dir) as tmp:
        for rep in range(args.repeats):
            for t in args.threads:
                for label, path in bins:
                    out = os.path.join(tmp, f"out-{len(best)}-{rep}")
                    r = run_build(path, meta["dir"], out, t, args.vocab)
                    log(f"{label}, {t} thread(s): wall {r['wall']:.2f} s, CPU {r['cpu']:.2f} s "
                        f"({meta['bytes'] / 1e6 / r['cpu']:.1f} MB per CPU s), load {r['load']:.2f}")
                    key = (label, t)
                    if key not in best or r["cpu"] < best[key]["cpu"]:
                        best[key] = dict(r, label=label, threads=t)
    load_after = os.getloadavg()[0]
    rows = [best[(label, t)] for t in args.threads for label, _ in bins]
    first = decisions(best[(bins[0][0], args.threads[0])]["build"])
    by_label = {}
    for label, _ in bins:
        for t in args.threads:
            d = decisions(best[(label, t)]["build"])
            diffs = {k: (first.get(k), d.get(k)) for k in set(first) | set(d) if first.get(k) != d.get(k)}
            if label == bins[0][0] and diffs:
                raise RuntimeError(f"{label}: {t} threads decided otherwise than {args.threads[0]}: {diffs}")
            if label != bins[0][0] and (label not in by_label or t == args.threads[0]):
                by_label[label] = (not diffs, diffs)
    section = fmt_section(args, meta, rows, by_label, started, load_before, load_after)
    print(section)
    if args.write_doc:
        write_doc(args.write_doc, section, BEGIN_PREFIX, END)
        log(f"rewrote the full-build section of {args.write_doc}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
