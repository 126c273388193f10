#!/usr/bin/env python3
"""Cost of `rwkvkit build --filters on` on one core, next to datatrove's filter classes.

Runs `rwkvkit build --input CORPUS --threads 1 --near-dedup off --no-progress --filters off|on`
(and `--filters on --c4 on`) for each rwkvkit binary given (e.g. before and after a change),
--repeats times, interleaved so load changes hit all rows alike: median wall and CPU time (user
+ system of the child), MB/s of JSONL input. Competitor row, same run: datatrove 0.10.1's
Gopher repetition, Gopher quality and FineWeb quality filters in one Python process over the
same texts, with rwkvkit's word splitter (NLTK is not installed): the filters only, a lower
bound on datatrove's cost for the step.

Usage:
  .rwkvkit/venv/bin/python bench/filter_bench.py --rwkvkit after=build/bin/rwkvkit \
      [--rwkvkit before=/tmp/old/rwkvkit] [--repeats 5] [--write-doc docs/benchmarks.md]
"""

import argparse
import datetime
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time

from bench_common import cpu_model, pkg_version, write_doc

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BEGIN = "<!-- BEGIN filter-speed (bench/filter_bench.py writes this section) -->"
BEGIN_PREFIX = "<!-- BEGIN filter-speed"
END = "<!-- END filter-speed -->"


def run_build(binary, corpus, vocab, extra):
    out = tempfile.mkdtemp(prefix="rwkvkit_filter_bench_")
    cmd = [binary, "build", "--input", corpus, "--out", out, "--vocab", vocab, "--threads", "1",
           "--near-dedup", "off", "--no-progress"] + extra
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    with open(os.path.join(out, "build.json")) as f:
        written = json.load(f)["output"]["documents"]
    subprocess.run(["rm", "-rf", out], check=True)
    return wall, cpu, written


def datatrove_filters(texts):
    sys.path.insert(0, os.path.join(ROOT, "tests", "corpus", "filters"))
    import datatrove_oracle_test as oracle  # patches datatrove's word splitter on import
    from datatrove.data import Document

    chain = [oracle.FILTERS["gopher_repetition"], oracle.FILTERS["gopher_quality"], oracle.FILTERS["fineweb_quality"]]
    t0 = time.process_time()
    kept = 0
    for t in texts:
        doc = Document(text=t, id="x")
        if all(f.filter(doc) is True for f in chain):
            kept += 1
    return time.process_time() - t0, kept


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rwkvkit", action="append", required=True, help="LABEL=PATH")
    ap.add_argument("--corpus", default=os.path.join(ROOT, ".rwkvkit/demo/demo.jsonl"))
    ap.add_argument("--vocab", default=os.path.join(ROOT, ".rwkvkit/vocab/rwkv_vocab_v20230424.txt"))
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--write-doc")
    args = ap.parse_args()
    binaries = [tuple(x.split("=", 1)) for x in args.rwkvkit]
    size = os.path.getsize(args.corpus)
    modes = [("off", ["--filters", "off"]), ("on", ["--filters", "on"]), ("on + c4", ["--filters", "on", "--c4", "on"])]
    load_before = os.getloadavg()
    results = {}
    for _ in range(args.repeats):
        for label, path in binaries:
            for mode, extra in modes:
                if mode == "on + c4" and label != binaries[-1][0]:
                    continue  # --c4 exists only in the newest binary
                results.setdefault((label, mode), []).append(run_build(path, args.corpus, args.vocab, extra))
    texts = [json.loads(l)["text"] for l in open(args.corpus, encoding="utf-8")]
    dt_cpu, dt_kept = datatrove_filters(texts)
    load_after = os.getloadavg()

    rows = []
    for (label, mode), runs in results.items():
        wall = statistics.median(r[0] for r in runs)
        cpu = statistics.median(r[1] for r in runs)
        rows.append((f"rwkvkit {label}", f"build --filters {mode}", wall, cpu, size / 1e6 / wall, runs[0][2]))
    rows.append((f"datatrove {pkg_version('datatrove')}", "3 filters only (CPU time)", dt_cpu, dt_cpu, size / 1e6 / dt_cpu, dt_kept))

    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    cpu_name = cpu_model()
    lines = [
        BEGIN,
        f"## Filters: build MB/s on one core, `--filters on` vs off ({now})",
        "",
        f"Machine: {cpu_name}, {os.cpu_count()} vCPUs; load average {load_before[0]:.2f} before, "
        f"{load_after[0]:.2f} after. Input: {os.path.basename(args.corpus)}, {size / 1e6:.1f} MB, "
        f"{len(texts)} documents. `rwkvkit build --threads 1 --near-dedup off`, median of {args.repeats} "
        "runs, interleaved; MB/s = input bytes / wall time. Command: `BEFORE=<commit> "
        "bench/run_filter_bench.sh` (bench/filter_bench.py " + " ".join(f"--rwkvkit '{l}=...'" for l, _ in binaries) + ").",
        "",
        "| tool | what | wall s | CPU s | MB/s | documents kept |",
        "|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(f"| {r[0]} | {r[1]} | {r[2]:.2f} | {r[3]:.2f} | {r[4]:.1f} | {r[5]} |")
    ratios = []
    for label, _ in binaries:
        off = statistics.median(r[0] for r in results[(label, "off")])
        on = statistics.median(r[0] for r in results[(label, "on")])
        ratios.append(f"{label}: {on / off:.1f}x the wall time of `--filters off`")
    lines += ["", "`--filters on` costs, " + "; ".join(ratios) + "."]
    lines += [
        "",
        "The datatrove row times only its three filter classes (FineWeb's order, first drop wins) on the "
        "texts, with rwkvkit's word splitter patched in (its NLTK tokenizer is not installed here) and every rule on every "
        "document (rwkvkit skips word rules on zh/ja/th and the stop-word rule off English): no JSON, "
        "no language id, no tokenization — a lower bound on its cost for the step.",
        END,
    ]
    section = "\n".join(lines)
    print(section)
    if args.write_doc:
        write_doc(args.write_doc, section, BEGIN_PREFIX, END)
    return 0


if __name__ == "__main__":
    sys.exit(main())
