#!/usr/bin/env python3
"""Near-dedup benchmark: rwkvkit's MinHash LSH next to datatrove's MinHash pipeline, one input.

The input is the demo corpus scaled to --size-mb: copy 0 as it is, each later copy with about
one letter in ten doubled (seeded by copy and document), so copies are not near duplicates of
each other; then about --plant-rate of the documents get a lightly edited copy (one letter in
1000 doubled) right after them: the known near duplicates. Rows, each a process timed start to
exit: bench/near_dedup_bench (signatures on T threads, LSH clustering), `rwkvkit build
--near-dedup on|off`, and datatrove's four MinHash stages (MinhashConfig(n_grams=5,
num_buckets=14, hashes_per_bucket=8), spaCy's blank English tokenizer, workers = cores). MB/s =
10^6 bytes of JSONL input per second of wall; also the documents each removed, their overlap
and the planted copies found. docs/benchmarks.md has the method and results. Usage:
bench/run_dedup_bench.sh, or
    .rwkvkit/venv/bin/python bench/dedup_bench.py --bench-bin build-bench-dedup/bin/near_dedup_bench \
        --rwkvkit build-bench-dedup/bin/rwkvkit [--size-mb 150] [--write-doc docs/benchmarks.md]
"""

import argparse
import datetime
import functools
import glob
import hashlib
import json
import multiprocessing
import os
import platform
import re
import shutil
import struct
import sys
import tempfile
import time

from bench_common import cpu_model, git_commit, pkg_version, run_timed, write_doc

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BEGIN = "<!-- BEGIN dedup-comparison (bench/dedup_bench.py writes this section) -->"
BEGIN_PREFIX = "<!-- BEGIN dedup-comparison"
END = "<!-- END dedup-comparison -->"
GEN_VERSION = 2  # bump when the generated input changes


def log(msg):
    print(f"dedup_bench: {msg}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------------------------
# The input.


LETTER = re.compile(r"[^\W\d_]")  # a Unicode letter


def _seed(*xs):
    """A deterministic 64-bit seed from small integers (splitmix64-style mixing)."""
    h = 0x9E3779B97F4A7C15
    for x in xs:
        h = (h ^ (x & 0xFFFFFFFFFFFFFFFF)) * 0xBF58476D1CE4E5B9 & 0xFFFFFFFFFFFFFFFF
        h ^= h >> 31
    return h


def double_letters(text, one_in, *key):
    """Doubles each letter (any script) with probability 1/one_in, drawn from a generator seeded by key."""
    import numpy as np
    idx = [m.start() for m in LETTER.finditer(text)]
    if not idx:
        return text
    pick = np.flatnonzero(np.random.default_rng(_seed(*key)).random(len(idx)) < 1.0 / one_in)
    out, last = [], 0
    for p in pick:
        i = idx[p]
        out.append(text[last:i + 1])
        last = i  # the letter at i is written again with the next slice
    out.append(text[last:])
    return "".join(out)


_DOCS = []  # the demo corpus's records, for _copy_lines (set before the pool forks)


def _copy_lines(plant_rate, k):
    """Copy K of the demo corpus as JSON lines: [(line, is a planted near copy of the line before)]."""
    lines = []
    for i, d in enumerate(_DOCS):
        text = d["text"] if k == 0 else double_letters(d["text"], 10, 1, k, i)
        lines.append((json.dumps({"id": f"{d['id']}#{k}", "text": text}, ensure_ascii=False) + "\n", False))
        if _seed(2, k, i) % 1_000_000 < plant_rate * 1_000_000:
            edited = double_letters(text, 1000, 3, k, i)
            if edited != text:
                rec = {"id": f"{d['id']}#{k}-edited", "text": edited}
                lines.append((json.dumps(rec, ensure_ascii=False) + "\n", True))
    return lines


def make_input(corpus, size_mb, parts, plant_rate, cache, jobs=None):
    """Writes the scaled input once (cached); returns its description, with the planted pairs.
    The copies are made on JOBS processes (default: all cores); the files do not depend on it."""
    with open(corpus, "rb") as f:
        demo = f.read()
    docs = [json.loads(line) for line in demo.decode("utf-8").splitlines() if line.strip()]
    copies = max(1, round(size_mb * 1e6 / len(demo)))
    key = hashlib.sha256(demo).hexdigest()[:12]
    out_dir = os.path.join(cache, f"dedup-v{GEN_VERSION}-{key}-{copies}x-{parts}p-{plant_rate:g}")
    meta_path = out_dir + ".json"
    if os.path.exists(meta_path):
        with open(meta_path) as f:
            return json.load(f)
    jobs = max(1, min(copies, jobs or os.cpu_count() or 1))
    log(f"writing the input: {copies} rewritten copies of {corpus} in {parts} files under {out_dir} ({jobs} processes)")
    shutil.rmtree(out_dir, ignore_errors=True)
    os.makedirs(out_dir)
    _DOCS[:] = docs
    copy_lines = functools.partial(_copy_lines, plant_rate)
    per_part = (copies * len(docs) + parts - 1) // parts
    planted = []  # [file, line of the copy, file, line of its source] (0-based lines)
    files, f, part, line_no, n_docs, n_bytes = [], None, -1, 0, 0, 0
    pool = multiprocessing.get_context("fork").Pool(jobs) if jobs > 1 else None
    try:
        for lines in (pool.imap(copy_lines, range(copies)) if pool else map(copy_lines, range(copies))):
            for line, is_planted in lines:
                # a planted copy stays in its source's file, right after it
                if not is_planted and (f is None or (line_no >= per_part and part + 1 < parts)):
                    if f is not None:
                        f.close()
                    part += 1
                    files.append(os.path.join(out_dir, f"part-{part:05d}.jsonl"))
                    f = open(files[-1], "w", encoding="utf-8")
                    line_no = 0
                f.write(line)
                if is_planted:
                    planted.append([part, line_no, part, line_no - 1])
                n_bytes += len(line.encode("utf-8"))
                n_docs += 1
                line_no += 1
    finally:
        if pool:
            pool.terminate()
        _DOCS.clear()
    f.close()
    meta = {"dir": out_dir, "files": files, "bytes": n_bytes, "documents": n_docs, "copies": copies,
            "demo_documents": len(docs), "demo_bytes": len(demo), "planted": planted, "plant_rate": plant_rate}
    with open(meta_path, "w") as f:
        json.dump(meta, f)
    return meta


# ---------------------------------------------------------------------------------------------
# Child mode: datatrove's four MinHash stages, one process (as its minhash example runs them).


def child_datatrove(args):
    from datatrove.executor import LocalPipelineExecutor
    from datatrove.pipeline.dedup.minhash import (MinhashConfig, MinhashDedupBuckets, MinhashDedupCluster,
                                                  MinhashDedupFilter, MinhashDedupSignature)
    from datatrove.pipeline.readers import JsonlReader
    from datatrove.pipeline.writers import JsonlWriter

    cfg = MinhashConfig(n_grams=5, num_buckets=14, hashes_per_bucket=8)
    w, files, times = args.workers, args.files, {}

    def reader():
        return JsonlReader(args.input_dir, glob_pattern="*.jsonl", text_key="text", doc_progress=False)

    def run(name, pipeline, tasks, workers):
        t0 = time.perf_counter()
        LocalPipelineExecutor(pipeline=pipeline, tasks=tasks, workers=workers,
                              logging_dir=os.path.join(args.work, "logs", name), start_method="fork").run()
        times[name] = time.perf_counter() - t0

    sigs, buckets, clusters = (os.path.join(args.work, d) for d in ("signatures", "buckets", "remove_ids"))
    run("signature", [reader(), MinhashDedupSignature(output_folder=sigs, config=cfg, language="en")], files, w)
    run("buckets", [MinhashDedupBuckets(input_folder=sigs, output_folder=buckets, config=cfg)], cfg.num_buckets, w)
    run("cluster", [MinhashDedupCluster(input_folder=buckets, output_folder=clusters, config=cfg,
                                        save_cluster_id=True)], 1, 1)
    run("filter", [reader(), MinhashDedupFilter(input_folder=clusters),
                   JsonlWriter(os.path.join(args.work, "deduplicated"), compression=None)], files, w)
    print(json.dumps({"seconds": times}))
    return 0


# ---------------------------------------------------------------------------------------------
# Harness.


def read_rwkvkit_pairs(path):
    """near_dedup_bench's output: {(file, line) removed: (file, line) kept}."""
    with open(path, "rb") as f:
        data = f.read()
    out = {}
    for a, b, c, d in struct.iter_unpack("<4I", data):
        out[(a, b)] = (c, d)
    return out


def read_report_pairs(path, files):
    """rwkvkit build --dedup-report: {(file index, 0-based line) removed: kept}."""
    index = {os.path.realpath(p): i for i, p in enumerate(files)}
    out = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            e = json.loads(line)
            out[(index[os.path.realpath(e["file"])], e["line"] - 1)] = (
                index[os.path.realpath(e["kept"]["file"])], e["kept"]["line"] - 1)
    return out


def read_datatrove_clusters(folder):
    """datatrove's stage-3 output: (removed set, {doc: cluster id}) with doc = (rank, index)."""
    removed, cluster = set(), {}
    for p in sorted(glob.glob(os.path.join(folder, "*.remove"))):
        rank = int(os.path.basename(p).split(".")[0])
        with open(p, "rb") as f:
            removed.update((rank, d) for (d,) in struct.iter_unpack("<I", f.read()))
    for p in sorted(glob.glob(os.path.join(folder, "*.clusters"))):
        rank = int(os.path.basename(p).split(".")[0])
        with open(p, "rb") as f:
            for d, c in struct.iter_unpack("<2I", f.read()):
                cluster[(rank, d)] = c
    return removed, cluster


def clusters_of_pairs(pairs):
    """{doc: cluster id} for the members of clusters with >= 2 documents (id = the kept doc)."""
    cluster = {}
    for removed, kept in pairs.items():
        cluster[removed] = kept
        cluster[kept] = kept
    return cluster


def planted_found(planted, cluster):
    return sum(1 for f1, l1, f2, l2 in planted
               if (f1, l1) in cluster and cluster.get((f1, l1)) == cluster.get((f2, l2)))


def best_of(repeats, cmd, log_path):
    runs = [run_timed(cmd, log_path) for _ in range(repeats)]
    return min(runs, key=lambda r: r[0])


def main_harness(args):
    ncores = os.cpu_count() or 1
    threads = sorted({1, ncores})
    meta = make_input(args.corpus, args.size_mb, args.parts or max(4, 2 * ncores), args.plant_rate, args.cache_dir)
    mb = meta["bytes"] / 1e6
    files = meta["files"]
    planted = meta["planted"]
    log(f"input: {meta['documents']:,} documents, {mb:.1f} MB in {len(files)} files, {len(planted)} planted pairs")
    deadline = time.time() + args.quiet_wait_s
    while os.getloadavg()[0] >= args.quiet_load and time.time() < deadline:
        log(f"waiting for a quiet machine: load {os.getloadavg()[0]:.2f} >= {args.quiet_load}")
        time.sleep(20)
    load_before = os.getloadavg()
    started = datetime.datetime.now(datetime.timezone.utc)
    rows, found = [], {}
    with tempfile.TemporaryDirectory(prefix="rwkvkit_dedup_bench_", dir=args.tmp_dir) as tmp:
        # datatrove first: it runs for minutes, so it starts right after the quiet-machine check.
        dt_error = None
        if not args.skip_datatrove:
            work = os.path.join(tmp, "datatrove")
            cmd = [sys.executable, os.path.abspath(__file__), "_datatrove", "--input-dir", meta["dir"],
                   "--work", work, "--files", str(len(files)), "--workers", str(ncores)]
            log(f"datatrove MinHash, {ncores} workers (minutes)")
            try:
                ld = os.getloadavg()[0]
                wall, cpu, stdout = run_timed(cmd, os.path.join(tmp, "datatrove.log"))
                removed, cluster = read_datatrove_clusters(os.path.join(work, "remove_ids"))
                rows.append({"tool": "datatrove MinHash (4 stages)", "threads": ncores, "wall": wall, "cpu": cpu, "load": ld,
                             "removed": len(removed), "stages": json.loads(stdout)["seconds"]})
                found["datatrove"] = (removed, cluster)
                log(f"datatrove: {wall:.1f} s, {mb / wall / ncores:.2f} MB/s per core")
            except RuntimeError as e:
                dt_error = str(e)
                log(f"datatrove failed: {e}")
        for t in threads:
            out = os.path.join(tmp, f"alone{t}.u32")
            ld = os.getloadavg()[0]
            wall, cpu, stdout = best_of(args.repeats, [args.bench_bin, "--threads", str(t), "--removed", out, *files],
                                        os.path.join(tmp, "alone.log"))
            info = json.loads(stdout)
            rows.append({"tool": "rwkvkit near-dedup stage alone", "threads": t, "wall": wall, "cpu": cpu, "load": ld,
                         "removed": info["removed"], "detail": info})
            found["rwkvkit"] = read_rwkvkit_pairs(out)
            log(f"rwkvkit near-dedup alone, {t} thread(s): {wall:.2f} s, {mb / wall / t:.1f} MB/s per core")
        for mode in ("on", "off"):
            for t in threads:
                out = os.path.join(tmp, f"build-{mode}-{t}")
                cmd = [args.rwkvkit, "build", "--input", meta["dir"], "--out", out, "--name", "b", "--threads", str(t),
                       "--no-progress", "--vocab", args.vocab, "--near-dedup", mode]
                if mode == "on":
                    cmd += ["--dedup-report", os.path.join(tmp, f"report{t}.jsonl")]
                ld = os.getloadavg()[0]
                wall, cpu, _ = best_of(args.repeats, cmd, os.path.join(tmp, "build.log"))
                with open(os.path.join(out, "build.json")) as f:
                    bj = json.load(f)
                removed = bj["near_dedup"]["documents_removed"] if mode == "on" else 0
                rows.append({"tool": f"rwkvkit build --near-dedup {mode}", "threads": t, "wall": wall, "cpu": cpu, "load": ld,
                             "removed": removed, "exact": bj["total"]["dropped"].get("duplicate", 0),
                             "tokens": bj["output"]["tokens"]})
                if mode == "on":
                    found["build"] = read_report_pairs(os.path.join(tmp, f"report{t}.jsonl"), files)
                log(f"rwkvkit build --near-dedup {mode}, {t} thread(s): {wall:.2f} s, {mb / wall / t:.1f} MB/s per core")
                shutil.rmtree(out)
    load_after = os.getloadavg()
    section = render(args, meta, rows, found, dt_error, load_before, load_after, started)
    print(section)
    if args.write_doc:
        write_doc(args.write_doc, section, BEGIN_PREFIX, END)
        log(f"wrote the dedup-comparison section of {args.write_doc}")
    return 0


def overlap_rows(found, planted):
    sets = {}
    if "rwkvkit" in found:
        p = found["rwkvkit"]
        sets["rwkvkit stage alone"] = (set(p), clusters_of_pairs(p))
    if "build" in found:
        p = found["build"]
        sets["rwkvkit build"] = (set(p), clusters_of_pairs(p))
    if "datatrove" in found:
        sets["datatrove"] = found["datatrove"]
    lines = ["| | " + " | ".join(sets) + " |", "|---|" + "---:|" * len(sets)]
    lines.append("| documents removed | " + " | ".join(f"{len(r):,}" for r, _ in sets.values()) + " |")
    lines.append("| documents in clusters of >= 2 | " + " | ".join(f"{len(c):,}" for _, c in sets.values()) + " |")
    lines.append(f"| planted pairs in one cluster (of {len(planted):,}) | " +
                 " | ".join(f"{planted_found(planted, c):,}" for _, c in sets.values()) + " |")
    notes = []
    if "rwkvkit stage alone" in sets and "datatrove" in sets:
        (r1, c1), (r2, c2) = sets["rwkvkit stage alone"], sets["datatrove"]
        notes.append(f"removed by both: {len(r1 & r2):,} (rwkvkit only {len(r1 - r2):,}, datatrove only "
                     f"{len(r2 - r1):,}); documents in clusters for both: {len(set(c1) & set(c2)):,} (rwkvkit only "
                     f"{len(set(c1) - set(c2)):,}, datatrove only {len(set(c2) - set(c1)):,})")
    if "rwkvkit stage alone" in sets and "rwkvkit build" in sets:
        (r1, _), (r2, _) = sets["rwkvkit stage alone"], sets["rwkvkit build"]
        notes.append(f"stage alone vs build: removed by both {len(r1 & r2):,}, stage only {len(r1 - r2):,}, build "
                     f"only {len(r2 - r1):,}")
    return lines, notes


def render(args, meta, rows, found, dt_error, load_before, load_after, started):
    mb = meta["bytes"] / 1e6
    ncores = os.cpu_count() or 1
    L = [BEGIN, "## Near-dedup: rwkvkit's MinHash LSH vs datatrove's MinHash pipeline", ""]
    L.append(f"Measured {started:%Y-%m-%d %H:%M} UTC by `bench/run_dedup_bench.sh` on {cpu_model()}, {ncores} "
             f"cores (load average {load_before[0]:.2f} / {load_before[1]:.2f} before, {load_after[0]:.2f} after), "
             f"rwkvkit {git_commit()}, datatrove {pkg_version('datatrove')} with spaCy {pkg_version('spacy')}, "
             f"Python {platform.python_version()}; each rwkvkit row is the best of {args.repeats} runs, datatrove ran once.")
    L.append("")
    L.append(f"Input: {meta['documents']:,} documents, {mb:.1f} MB of JSONL in {len(meta['files'])} files: the demo "
             f"corpus once as it is and {meta['copies'] - 1} rewritten copies (one letter in ten doubled, so the "
             f"copies are not near duplicates of each other), plus {len(meta['planted']):,} planted near copies "
             f"(one letter in 1000 doubled) right after their source (bench/dedup_bench.py says how).")
    L.append("")
    L.append("| tool | threads | wall s | MB/s | MB/s per core | CPU s | MB per CPU s | near dups removed | load at start |")
    L.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        L.append(f"| {r['tool']} | {r['threads']} | {r['wall']:.2f} | {mb / r['wall']:.2f} | "
                 f"**{mb / r['wall'] / r['threads']:.2f}** | {r['cpu']:.1f} | {mb / r['cpu']:.2f} | {r['removed']:,} | "
                 f"{r['load']:.2f} |")
    L.append("")
    alone = {r["threads"]: r for r in rows if r["tool"].startswith("rwkvkit near-dedup")}
    dt = next((r for r in rows if r["tool"].startswith("datatrove")), None)
    b_on = {r["threads"]: r for r in rows if r["tool"].endswith("near-dedup on")}
    b_off = {r["threads"]: r for r in rows if r["tool"].endswith("near-dedup off")}
    if dt:
        dt_core = mb / dt["wall"] / dt["threads"]
        for t, r in sorted(alone.items()):
            L.append(f"- Near-dedup stage alone, {t} thread(s): {mb / r['wall'] / t:.1f} MB/s per core = "
                     f"**{mb / r['wall'] / t / dt_core:.0f}x** datatrove's {dt_core:.2f} MB/s per core "
                     f"({dt['threads']} workers); by CPU time {dt['cpu'] / r['cpu']:.0f}x.")
        st = dt["stages"]
        L.append("- datatrove's stages (wall s): " + ", ".join(f"{k} {v:.1f}" for k, v in st.items()) +
                 f". Its signature stage alone: {mb / st['signature'] / dt['threads']:.2f} MB/s per core.")
    for t in sorted(b_on):
        if t in b_off:
            on, off = b_on[t], b_off[t]
            L.append(f"- Whole build, {t} thread(s): {mb / on['wall'] / t:.1f} MB/s per core with near-dedup, "
                     f"{mb / off['wall'] / t:.1f} without ({on['wall'] - off['wall']:+.2f} s, "
                     f"{(on['wall'] / off['wall'] - 1) * 100:+.0f}%).")
    if dt_error:
        L.append(f"- datatrove failed: `{dt_error.splitlines()[0]}`")
    L.append("")
    lines, notes = overlap_rows(found, meta["planted"])
    L.extend(lines)
    L.append("")
    for n in notes:
        L.append(f"- {n}.")
    L.append("")
    L.append("Rows: `rwkvkit near-dedup stage alone` is bench/near_dedup_bench (read the JSONL, MinHash "
             "signatures on T threads, LSH clustering, write the removed list); `rwkvkit build` is the whole "
             "build (repair + NFC, exact dedup, near dedup, tokenize, shards), with `--dedup-report` when on. "
             "datatrove runs MinhashDedupSignature (JsonlReader in front, language \"en\": spaCy's blank "
             "English tokenizer) → MinhashDedupBuckets (14 tasks) → MinhashDedupCluster → MinhashDedupFilter "
             "(JsonlReader in front, uncompressed JsonlWriter after), MinhashConfig(n_grams=5, num_buckets=14, "
             "hashes_per_bucket=8), workers = cores, `start_method=\"fork\"` so their CPU time is counted. "
             "MB/s = 10^6 bytes of JSONL input per wall second of the whole process; per core = / threads. "
             "The build removes exact duplicates before near-dedup (datatrove's MinHash removes them as near "
             "duplicates), and datatrove keeps the root of its union-find (not the first document), so the "
             "removed sets can differ where the clusters agree; `documents in clusters` compares clusters. "
             "datatrove merges every pair that shares one band (no check of the estimate), so it also joins pairs below Jaccard 0.8; rwkvkit confirms each candidate by its 112-value estimate (>= 0.8), which costs it the planted pairs of short documents whose estimate falls just under 0.8 (docs/near_dedup.md has the recall/precision check against exact Jaccard).")
    L.append("")
    L.append("Reproduce: `bench/run_dedup_bench.sh` (builds rwkvkit and near_dedup_bench in build-bench-dedup/, "
             "installs the pinned datatrove, spaCy and xxhash into the venv when missing, runs this harness and "
             "rewrites this section).")
    L.append(END)
    return "\n".join(L)


def main(argv):
    if argv and argv[0] == "_datatrove":
        ap = argparse.ArgumentParser(prog="dedup_bench.py _datatrove")
        ap.add_argument("--input-dir", required=True)
        ap.add_argument("--work", required=True)
        ap.add_argument("--files", type=int, required=True)
        ap.add_argument("--workers", type=int, required=True)
        return child_datatrove(ap.parse_args(argv[1:]))
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--bench-bin", default=os.path.join(ROOT, "build-bench-dedup", "bin", "near_dedup_bench"))
    ap.add_argument("--rwkvkit", default=os.path.join(ROOT, "build-bench-dedup", "bin", "rwkvkit"))
    ap.add_argument("--corpus", default=os.path.join(ROOT, ".rwkvkit", "demo", "demo.jsonl"))
    ap.add_argument("--vocab", default=os.path.join(ROOT, ".rwkvkit", "vocab", "rwkv_vocab_v20230424.txt"))
    ap.add_argument("--size-mb", type=float, default=150, help="input size (default 150)")
    ap.add_argument("--parts", type=int, default=None, help="input files (default: 2 x cores, at least 4)")
    ap.add_argument("--plant-rate", type=float, default=0.02, help="fraction of documents given a near copy")
    ap.add_argument("--repeats", type=int, default=3, help="runs of each rwkvkit row (best kept)")
    ap.add_argument("--cache-dir", default=os.path.join(ROOT, ".rwkvkit", "bench-dedup"))
    ap.add_argument("--tmp-dir", default=None)
    ap.add_argument("--quiet-load", type=float, default=1.0, help="wait until the 1-minute load is below this")
    ap.add_argument("--quiet-wait-s", type=float, default=900, help="but at most this many seconds")
    ap.add_argument("--skip-datatrove", action="store_true")
    ap.add_argument("--write-doc", default=None, help="rewrite the dedup-comparison section of this file")
    return main_harness(ap.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
