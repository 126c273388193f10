#!/usr/bin/env python3
"""Whole-build benchmark: `rwkvkit build` with every stage on (parsing, repair + NFC, --filters on,
exact and near dedup, tokenizer, shards), per stage, for one or more binaries.

Input: bench/dedup_bench.py's (about 157 MB of multilingual JSONL, planted near copies). Each
--rwkvkit LABEL=PATH [flags] runs with each --threads count, interleaved, best of --repeats by
CPU time: wall and CPU seconds (rusage) and build.json's per-stage `timing`; every binary's
decisions (counts, near duplicates, shard XXH3-128) must equal the first one's. --scaling (one
binary): the wall-clock curve over --threads (warm-up first, best by wall), speed-up,
efficiency, where the wall goes, each stage's thread-seconds; every run's output byte-identical.
Needs python3, numpy and a built rwkvkit; --json / --markdown write the results. Usage:
    .rwkvkit/venv/bin/python bench/full_build_bench.py --rwkvkit before=OLD/bin/rwkvkit \\
        --rwkvkit after=build/bin/rwkvkit [--threads 1 2] [--repeats 1] [--write-doc docs/benchmarks.md]
    python3 bench/full_build_bench.py --scaling --rwkvkit build/bin/rwkvkit --threads 1 2 4 8 16 \\
        --repeats 3 --cache-dir /tmp/bench-input --json OUT/scaling.json --markdown OUT/scaling.md
"""

import argparse
import datetime
import hashlib
import json
import os
import platform
import shlex
import shutil
import sys
import tempfile

from bench_common import cmake_cache, cpu_model, git_commit, machine_info, run_timed, write_doc
from dedup_bench import make_input

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BEGIN = "<!-- BEGIN full-build (bench/full_build_bench.py writes this section) -->"
BEGIN_PREFIX = "<!-- BEGIN full-build"
END = "<!-- END full-build -->"
SCALING_BEGIN = "<!-- BEGIN full-build-scaling (bench/full_build_bench.py --scaling writes this section) -->"
SCALING_BEGIN_PREFIX = "<!-- BEGIN full-build-scaling"
SCALING_END = "<!-- END full-build-scaling -->"
STAGES = ["read", "parse", "repair_normalize", "filters", "signatures", "tokenize", "exact_dedup", "near_dedup",
          "write"]
PIPELINE = STAGES[:7]  # one TBB pipeline; read and exact_dedup are its serial filters


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


def output_digest(out):
    """{file: sha256} of a build's output folder; build.json without its `timing` (the one part that
    may differ between runs)."""
    digest = {}
    for name in sorted(os.listdir(out)):
        path = os.path.join(out, name)
        if name == "build.json":
            with open(path) as f:
                bj = json.load(f)
            bj.pop("timing", None)
            data = json.dumps(bj, sort_keys=True).encode()
        else:
            with open(path, "rb") as f:
                data = f.read()
        digest[name] = hashlib.sha256(data).hexdigest()
    return digest


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


def fit_amdahl(rows):
    """Least-squares T(N) = a + b / N over the rows' best walls: (a, b)."""
    xs = [1.0 / r["threads"] for r in rows]
    ys = [r["wall"] for r in rows]
    n = len(xs)
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    if sxx == 0:
        return my, 0.0
    b = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sxx
    return my - b * mx, b


def split_wall(r):
    """Where a run's wall time went: the pipeline (first seven stages), near_dedup, write, the rest
    (start-up before the build's clock, build.json and exit after it)."""
    tm = r["build"]["timing"]
    st = tm["stages"]
    pipe = sum(st[s]["wall_seconds"] for s in PIPELINE)
    return {"pipeline": pipe, "near_dedup": st["near_dedup"]["wall_seconds"], "write": st["write"]["wall_seconds"],
            "outside": r["wall"] - tm["wall_seconds"]}


def fmt_scaling(args, meta, label, binary, build_cfg, rows, runs, same, mach, started, load_before, load_after):
    mb = meta["bytes"] / 1e6
    one = rows[0]
    lines = [SCALING_BEGIN, f"## Whole build, every stage on: scaling over threads ({started:%Y-%m-%d %H:%M} UTC)", ""]
    cores = (f"{mach['cores']} cores in {mach['sockets']} socket(s) by /proc/cpuinfo, " if mach["cores"] else "")
    lines.append(f"Machine: {mach['cpu_model']}, {mach['logical_cpus']} logical CPUs ({cores}{mach['usable_cpus']} "
                 f"usable), {mach['memory_gib'] or 0:.0f} GiB, Linux {mach['kernel']}; 1-minute load average "
                 f"{load_before:.2f} before, {load_after:.2f} after. rwkvkit: {label} (`{binary}`); harness commit "
                 f"{git_commit()}.  ")
    lines.append(f"Input: bench/dedup_bench.py's generator, {meta['documents']:,} documents, {mb:.1f} MB of JSONL in "
                 f"{len(meta['files'])} files (the demo corpus, {meta['copies'] - 1} rewritten copies, "
                 f"{len(meta['planted'])} planted near copies), in the page cache.  ")
    if build_cfg:
        lines.append("rwkvkit build: " + ", ".join(f"{k}={v}" for k, v in build_cfg.items()) + ".  ")
    vocab = (f"--vocab {args.vocab} " if args.vocab else "")
    lines.append(f"Command: `rwkvkit build --input DIR --out OUT --threads T --filters on --near-dedup on {vocab}"
                 f"--no-progress`, under `nice`; thread counts interleaved, a warm-up run first, best of {args.repeats} "
                 "by wall time. Speed-up = the 1-thread wall / this wall; efficiency = speed-up / threads. Pipeline = "
                 "the first seven stages (one TBB pipeline: read and exact_dedup are its serial filters); near_dedup "
                 "(LSH clustering) and write (the shards) run alone; rest = the process's wall outside the build's "
                 "clock (start-up, vocab load, build.json, exit).")
    lines.append("")
    lines.append("| threads | wall s | speed-up | efficiency | MB/s | CPU s | pipeline s | near_dedup s | write s | rest s |"
                 " load |")
    lines.append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        sp = one["wall"] / r["wall"]
        w = split_wall(r)
        lines.append(f"| {r['threads']} | {r['wall']:.2f} | {sp:.2f}x | **{sp / r['threads']:.2f}** | {mb / r['wall']:.1f} | "
                     f"{r['cpu']:.2f} | {w['pipeline']:.2f} | {w['near_dedup']:.2f} | {w['write']:.2f} | "
                     f"{w['outside']:.2f} | {r['load']:.2f} |")
    lines.append("")
    lines.append("Thread-seconds per stage (build.json's `busy_seconds`: the time the threads spent in the stage, "
                 "summed; constant work would keep a row flat as threads grow), best run of each thread count:")
    lines.append("")
    lines.append("| stage | " + " | ".join(f"{r['threads']} thr" for r in rows) + " |")
    lines.append("|---|" + "---:|" * len(rows))
    for st in STAGES:
        lines.append(f"| {st} | " + " | ".join(f"{r['build']['timing']['stages'][st]['busy_seconds']:.3f}" for r in rows)
                     + " |")
    lines.append("| process CPU s | " + " | ".join(f"{r['cpu']:.2f}" for r in rows) + " |")
    lines.append("")
    a, b = fit_amdahl(rows)
    lines.append(f"- Least-squares fit of the best walls to T(N) = a + b/N: a = {a:.2f} s (time that does not shrink "
                 f"with threads), b = {b:.2f} s (time that does): {100 * a / (a + b):.1f}% serial at N = 1.")
    lines.append("- The pipeline's serial filters (each one's busy seconds bound the pipeline's wall from below): "
                 + "; ".join(f"{r['threads']} thr: read {r['build']['timing']['stages']['read']['busy_seconds']:.2f}, "
                             f"exact_dedup {r['build']['timing']['stages']['exact_dedup']['busy_seconds']:.2f} s vs "
                             f"pipeline {split_wall(r)['pipeline']:.2f} s" for r in rows) + ".")
    walls = {}
    for x in runs:
        walls.setdefault(x["threads"], []).append(f"{x['wall']:.2f}")
    lines.append("- Every run's wall (s): " + "; ".join(f"{t} thr: {', '.join(w)}" for t, w in walls.items()) + ".")
    lines.append(f"- Output: {'**identical**' if same else '**differs**'} for all {len(runs)} runs (sha256 of the "
                 f"shards, the ownership record and build.json without `timing`); {one['build']['total']['documents_kept']:,} "
                 f"documents kept, {one['build']['near_dedup']['documents_removed']:,} near duplicates removed, "
                 f"{one['build']['total']['tokens']:,} tokens.")
    lines.append("")
    lines.append("Reproduce: `python3 bench/full_build_bench.py --scaling --rwkvkit build/bin/rwkvkit --threads 1 2 4 8 16 "
                 f"--repeats {args.repeats}` (a Release rwkvkit with the vocab beside it; the input is written once "
                 "under --cache-dir).")
    lines.append(SCALING_END)
    return "\n".join(lines)


def run_record(x):
    return {k: x[k] for k in ("threads", "repeat", "wall", "cpu", "load")} | {"timing": x["build"]["timing"]}


def write_text(path, text):
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


def main_scaling(args, meta):
    if len(args.rwkvkit) != 1:
        raise SystemExit("full_build_bench: --scaling takes one --rwkvkit")
    label, sep, binary = args.rwkvkit[0].partition("=")
    if not sep:  # PATH alone
        label, binary = "rwkvkit", label
    exe = shlex.split(binary)[0]
    share = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(exe))), "share", "rwkvkit")
    if not args.vocab and not os.path.exists(os.path.join(share, "rwkv_vocab_v20230424.txt.compiled")):
        raise SystemExit(f"full_build_bench: no compiled vocab beside {exe} ({share}); build rwkvkit with "
                         ".rwkvkit/vocab present, or pass --vocab (start-up then builds the tokenizer)")
    mach = machine_info()
    build_cfg = cmake_cache(exe, ("CMAKE_BUILD_TYPE", "RWKVKIT_NATIVE", "CMAKE_CXX_COMPILER"))
    threads = args.threads
    log(f"machine: {mach}")
    started = datetime.datetime.now(datetime.timezone.utc)
    load_before = os.getloadavg()[0]
    runs, first_digest, diffs = [], None, []
    with tempfile.TemporaryDirectory(prefix="rwkvkit_scaling_bench_", dir=args.tmp_dir) as tmp:
        plan = [(max(threads), -1)] + [(t, rep) for rep in range(args.repeats) for t in threads]
        for i, (t, rep) in enumerate(plan):
            out = os.path.join(tmp, f"out-{i}")
            r = run_build(binary, meta["dir"], out, t, args.vocab)
            digest = output_digest(out)
            shutil.rmtree(out)
            if first_digest is None:
                first_digest = digest
            elif digest != first_digest:
                diffs.append({"threads": t, "repeat": rep, "files": sorted(k for k in set(digest) | set(first_digest)
                                                                           if digest.get(k) != first_digest.get(k))})
            log(f"{t} thread(s){' (warm-up)' if rep < 0 else ''}: wall {r['wall']:.2f} s, CPU {r['cpu']:.2f} s, "
                f"build {r['build']['timing']['wall_seconds']:.2f} s, load {r['load']:.2f}"
                + ("" if digest == first_digest else " -- OUTPUT DIFFERS"))
            if rep >= 0:
                runs.append(dict(r, threads=t, repeat=rep))
            if args.json:  # what has run so far, in case the machine is taken back before the end
                write_text(args.json, json.dumps({"partial": True, "machine": mach, "output_diffs": diffs,
                                                  "runs": [run_record(x) for x in runs]}, indent=1) + "\n")
    load_after = os.getloadavg()[0]
    rows = [min((x for x in runs if x["threads"] == t), key=lambda x: x["wall"]) for t in threads]
    section = fmt_scaling(args, meta, label, binary, build_cfg, rows, runs, not diffs, mach, started, load_before, load_after)
    print(section)
    result = {"partial": False, "started": started.isoformat(), "machine": mach, "load_before": load_before, "load_after": load_after,
              "binary": binary, "label": label, "build_config": build_cfg, "harness_commit": git_commit(),
              "input": {k: meta[k] for k in ("bytes", "documents", "copies", "files")},
              "input_sha256": first_input_sha(meta), "repeats": args.repeats, "threads": threads,
              "outputs_identical": not diffs, "output_diffs": diffs, "output_sha256": first_digest,
              "amdahl_fit": dict(zip(("a", "b"), fit_amdahl(rows))),
              "runs": [run_record(x) for x in runs],
              "best": [{"threads": r["threads"], "wall": r["wall"], "cpu": r["cpu"], "speedup": rows[0]["wall"] / r["wall"],
                        "efficiency": rows[0]["wall"] / r["wall"] / r["threads"], "split": split_wall(r)} for r in rows]}
    for path, text in ((args.json, json.dumps(result, indent=1) + "\n"), (args.markdown, section + "\n")):
        if path:
            write_text(path, text)
    if args.write_doc:
        write_doc(args.write_doc, section, SCALING_BEGIN_PREFIX, SCALING_END)
        log(f"rewrote the scaling section of {args.write_doc}")
    if diffs:
        log(f"OUTPUT DIFFERS between thread counts: {diffs}")
        return 1
    return 0


def first_input_sha(meta):
    """{file name: sha256} of the input files (the generator is deterministic: any machine writes the same)."""
    out = {}
    for path in meta["files"]:
        h = hashlib.sha256()
        with open(path, "rb") as f:
            for block in iter(lambda: f.read(1 << 24), b""):
                h.update(block)
        out[os.path.basename(path)] = h.hexdigest()
    return out


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
    ap.add_argument("--threads", type=int, nargs="+", default=None,
                    help="thread counts (default: 1 and all cores; with --scaling 1, 2, 4, ... and all cores)")
    ap.add_argument("--repeats", type=int, default=1)
    ap.add_argument("--tmp-dir", default=None)
    ap.add_argument("--write-doc", default=None)
    ap.add_argument("--scaling", action="store_true", help="the scaling curve of one binary over --threads")
    ap.add_argument("--json", default=None, help="--scaling: write every run and the machine to this JSON file")
    ap.add_argument("--markdown", default=None, help="--scaling: write the section to this file")
    args = ap.parse_args()
    ncpu = os.cpu_count() or 1
    if args.threads is None:
        args.threads = (sorted({1 << i for i in range(ncpu.bit_length()) if 1 << i <= ncpu} | {ncpu}) if args.scaling
                        else sorted({1, ncpu}))
    meta = make_input(args.corpus, args.size_mb, args.parts, args.plant_rate, args.cache_dir)
    log(f"input: {meta['documents']:,} documents, {meta['bytes'] / 1e6:.1f} MB in {len(meta['files'])} files")
    if args.scaling:
        return main_scaling(args, meta)
    bins = [tuple(s.split("=", 1)) for s in args.rwkvkit]
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
