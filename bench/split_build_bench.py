#!/usr/bin/env python3
"""Benchmark of the split build (`--executor local`) against the one-process build, same input.

Input: the demo corpus in copies until --size-mb (copy k >= 1: a quarter of each document's
words replaced by others of the same document, " [copy k]" appended: no exact or near
duplicates), written once as --parts JSONL files cached under --cache. Runs (near-dedup on,
page cache warm), --repeats rounds of each: single `rwkvkit build --threads T`; split N=1
(`--tasks 1 --parallel 1 --threads T`); split N=2 (`--tasks 2 --partitions 2 --write-tasks 2
--parallel 2 --threads 1`), the split runs with --sort-memory. CPU time = user + system of the
process and all it waited for (RUSAGE_CHILDREN). Outputs must be byte-identical (build.json
without its timing). Per task: CPU seconds and peak RSS from the usage files
(<stage>/<task>.usage.json); the work directory's bytes per document by file kind; --small-mb
repeats N=2 on a smaller input, to show peak memory per task at two sizes.
Usage: .rwkvkit/venv/bin/python bench/split_build_bench.py --rwkvkit build/bin/rwkvkit \
           [--size-mb 1024] [--small-mb 256] [--repeats 3] [--write-doc docs/benchmarks.md]
"""

import argparse
import collections
import datetime
import glob
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

from bench_common import cpu_model, git_commit, run_timed, write_doc

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BEGIN = "<!-- BEGIN split-build (bench/split_build_bench.py writes this section) -->"
BEGIN_PREFIX = "<!-- BEGIN split-build"
END = "<!-- END split-build -->"


def make_corpus(demo, out_dir, size_mb, parts):
    stamp = os.path.join(out_dir, "done.json")
    if os.path.exists(stamp):
        with open(stamp) as f:
            return json.load(f)
    shutil.rmtree(out_dir, ignore_errors=True)
    os.makedirs(out_dir)
    with open(demo, encoding="utf-8") as f:
        docs = [json.loads(line)["text"] for line in f if line.strip()]
    files = [open(os.path.join(out_dir, f"part{p:03d}.jsonl"), "w", encoding="utf-8") for p in range(parts)]
    size, n, k = 0, 0, 0
    while size < size_mb * 1e6:
        for i, text in enumerate(docs):
            if k > 0:
                words = text.split(" ")
                m = len(words)
                for j in range(0, m):
                    if (j * 7 + k * 13) % 4 == 0:
                        words[j] = words[(j * (k + 1) + 3) % m]
                text = " ".join(words) + f" [copy {k}]"
            line = json.dumps({"id": n, "text": text}, ensure_ascii=False) + "\n"
            files[k % parts].write(line)
            size += len(line.encode("utf-8"))
            n += 1
        k += 1
    for f in files:
        f.close()
    info = {"documents": n, "bytes": size, "copies": k}
    with open(stamp, "w") as f:
        json.dump(info, f)
    return info


def digest_dir(d):
    out = {}
    for name in sorted(os.listdir(d)):
        p = os.path.join(d, name)
        if os.path.isfile(p) and name != ".rwkvkit-lock":
            h = hashlib.sha256()
            if name == "build.json":  # without its stage timing (its last member)
                with open(p, "rb") as f:
                    data = f.read()
                cut = data.rfind(b',\n  "timing": ')
                h.update(data[:cut] + b"\n}\n" if cut >= 0 else data)
            else:
                with open(p, "rb") as f:
                    for block in iter(lambda: f.read(1 << 20), b""):
                        h.update(block)
            out[name] = h.hexdigest()
    return out


def task_usage(work):
    """{stage: [(cpu_s, max_rss_mib), ...]} from the tasks' usage files (<stage>/<task>.usage.json)."""
    out = collections.defaultdict(list)
    for path in sorted(glob.glob(os.path.join(work, "*", "*.usage.json"))):
        with open(path) as f:
            u = json.load(f)
        out[os.path.basename(os.path.dirname(path))].append((u["cpu_seconds"], u["max_rss_kb"] / 1024))
    return out


def work_bytes(work):
    """Bytes of the work directory's intermediate files by kind (read-task files by name)."""
    kinds = collections.Counter()
    for path in glob.glob(os.path.join(work, "*", "*", "*")):
        if not os.path.isfile(path) or "/logs/" in path:
            continue
        name = os.path.basename(path)
        kind = re.sub(r"\.\d{5}$", ".<p>", name)
        kinds[f"{path.split(os.sep)[-3]}/{kind}"] += os.path.getsize(path)
    return kinds


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rwkvkit", required=True)
    ap.add_argument("--vocab", default=os.path.join(ROOT, ".rwkvkit", "vocab", "rwkv_vocab_v20230424.txt"))
    ap.add_argument("--demo", default=os.path.join(ROOT, ".rwkvkit", "demo", "demo.jsonl"))
    ap.add_argument("--size-mb", type=int, default=1024)
    ap.add_argument("--small-mb", type=int, default=256)
    ap.add_argument("--parts", type=int, default=16)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--repeats", type=int, default=1)
    ap.add_argument("--sort-memory", type=int, default=16 << 20)
    ap.add_argument("--cache", default=os.path.join(tempfile.gettempdir(), "rwkvkit_split_bench"))
    ap.add_argument("--write-doc")
    args = ap.parse_args()
    load_before = os.getloadavg()
    started = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    big = make_corpus(args.demo, os.path.join(args.cache, f"in{args.size_mb}"), args.size_mb, args.parts)
    small = make_corpus(args.demo, os.path.join(args.cache, f"in{args.small_mb}"), args.small_mb, args.parts)
    rows, usage, kinds, digests = {}, {}, {}, {}
    base = [args.rwkvkit, "build", "--name", "bench", "--vocab", args.vocab, "--no-progress"]
    sort = ["--sort-memory", str(args.sort_memory)]
    with tempfile.TemporaryDirectory(prefix="rwkvkit_split_bench_", dir=args.cache) as tmp:
        runs = [("single", "big", ["--threads", str(args.threads)]),
                ("split N=1 P=1 W=1", "big", ["--executor", "local", "--tasks", "1", "--partitions", "1",
                                               "--write-tasks", "1", "--parallel", "1", "--threads", str(args.threads)]
                 + sort),
                ("split N=2 P=2 W=2", "big", ["--executor", "local", "--tasks", "2", "--partitions", "2",
                                               "--write-tasks", "2", "--parallel", "2", "--threads", "1"] + sort),
                ("split N=2 P=2 W=2", "small", ["--executor", "local", "--tasks", "2", "--partitions", "2",
                                                 "--write-tasks", "2", "--parallel", "2", "--threads", "1"] + sort)]
        for rnd in range(args.repeats):  # rounds: every run once per round, so a load change hits all alike
            for k, (name, size, extra) in enumerate(runs):
                corpus = os.path.join(args.cache, f"in{args.size_mb if size == 'big' else args.small_mb}")
                out, work = os.path.join(tmp, f"out{k}"), os.path.join(tmp, f"work{k}")
                cmd = (base + ["--input", corpus, "--out", out] + extra
                       + (["--work", work] if "--executor" in extra else []))
                wall, cpu, _ = run_timed(cmd, os.path.join(tmp, f"run{k}.log"))
                with open(os.path.join(out, "build.json")) as f:
                    info = json.load(f)
                docs = info["total"]["documents_read"]
                row = rows.setdefault(k, {"name": name, "size": size, "cpu": [], "wall": [], "load": [], "docs": docs,
                                          "mb": (big if size == "big" else small)["bytes"] / 1e6})
                row["cpu"].append(cpu)
                row["wall"].append(wall)
                row["load"].append(os.getloadavg()[0])
                digests.setdefault(size, set()).add(json.dumps(digest_dir(out), sort_keys=True))
                if "--executor" in extra:
                    for stage, v in task_usage(work).items():  # per stage, every task of every round
                        usage.setdefault((name, size), collections.defaultdict(list))[stage].extend(v)
                    kinds[(name, size)] = (work_bytes(work), docs)
                shutil.rmtree(out, ignore_errors=True)
                shutil.rmtree(work, ignore_errors=True)
                print(f"round {rnd + 1}: {name} ({size}): {cpu:.1f} CPU s, {wall:.1f} s wall, "
                      f"load {row['load'][-1]:.2f}", flush=True)
    rows = [dict(r, cpu=min(r["cpu"]), cpus=r["cpu"], wall=min(r["wall"]), load=max(r["load"]))
            for _, r in sorted(rows.items())]
    identical = all(len(v) == 1 for v in digests.values())
    load_after = os.getloadavg()
    single = rows[0]["cpu"]
    lines = [BEGIN, f"## Split build: `--executor local` vs the one-process build ({started})", "",
             f"Machine: {cpu_model()}, {os.cpu_count()} cores (shared with other work); rwkvkit commit "
             f"{git_commit()}. Load (1/5/15-minute averages) before: "
             + "/".join(f"{x:.2f}" for x in load_before) + ", after: " + "/".join(f"{x:.2f}" for x in load_after)
             + ".  ",
             f"Input: `.rwkvkit/demo/demo.jsonl` in {big['copies']} copies (copy k >= 1 with a quarter of each "
             f"document's words moved, so no copy is a duplicate or near duplicate): {big['documents']:,} documents, "
             f"{big['bytes'] / 1e6:,.1f} MB of JSONL in {args.parts} files; the small input: {small['copies']} copies, "
             f"{small['documents']:,} documents, {small['bytes'] / 1e6:,.1f} MB. Near-dedup on (the default).", "",
             f"Split runs with `--sort-memory {args.sort_memory}` (the dedup tasks sort in runs on disk, so their "
             f"memory does not follow the partition). {args.repeats} round(s), every run once per round; CPU and wall: "
             f"the least of the rounds (all rounds' CPU s in brackets), load: the highest seen after a run.", "",
             "| run | input MB | CPU s | CPU vs one process | wall s | load |", "|---|---:|---:|---:|---:|---:|"]
    for r in rows:
        ref = single if r["size"] == "big" else None
        rel = f"{(r['cpu'] / ref - 1) * 100:+.1f}%" if ref else "—"
        every = " (" + ", ".join(f"{c:.1f}" for c in r["cpus"]) + ")" if len(r["cpus"]) > 1 else ""
        lines.append(f"| {r['name']} | {r['mb']:,.1f} | {r['cpu']:.1f}{every} | {rel} | {r['wall']:.1f} | "
                     f"{r['load']:.2f} |")
    lines += ["", f"Outputs byte-identical to the one-process build: {'yes' if identical else 'NO'}.", "",
              "Per task: CPU seconds and peak RSS (MiB), the largest of the stage's tasks in every round:", "",
              "| run | input MB | lines | read | dedup | cluster | write | publish |", "|---|---:|---|---|---|---|---|---|"]
    for (name, size), u in usage.items():
        cells = []
        for stage in ("lines", "read", "dedup", "cluster", "write", "publish"):
            v = u.get(stage, [])
            cells.append(f"{max(c for c, _ in v):.1f} s, {max(m for _, m in v):.0f} MiB" if v else "—")
        mb = (big if size == "big" else small)["bytes"] / 1e6
        lines.append(f"| {name} | {mb:,.1f} | " + " | ".join(cells) + " |")
    (kb, docs) = kinds[("split N=2 P=2 W=2", "big")]
    total = sum(kb.values())
    lines += ["", f"Work directory of the N=2 P=2 W=2 run on the large input: {total / 1e6:,.1f} MB, "
              f"{total / docs:,.0f} bytes per document read ({docs:,} documents):", "",
              "| file | bytes per document |", "|---|---:|"]
    for kind, b in sorted(kb.items(), key=lambda x: -x[1]):
        lines.append(f"| {kind} | {b / docs:,.1f} |")
    lines += ["", "How it was measured: `bench/split_build_bench.py` (docstring). CPU time is user + system of the "
              "build process and all the task processes it waited for; the machine was shared, so CPU time, not "
              "wall time, is the comparison.", "", END]
    section = "\n".join(lines)
    print(section)
    if args.write_doc:
        write_doc(args.write_doc, section, BEGIN_PREFIX, END)
    return 0 if identical else 1


if __name__ == "__main__":
    sys.exit(main())
