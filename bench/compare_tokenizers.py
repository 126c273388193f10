#!/usr/bin/env python3
"""bench/compare_tokenizers.py — RWKV World tokenizers side by side on one corpus, in one run.

On the texts of a JSONL corpus: (i) the official TRIE_TOKENIZER (`rwkv`), encode per document;
(ii) the Rust `pyrwkv-tokenizer`, encode per document and encode_batch (rayon, --threads);
(iii) rwkvkit's `tokenizer_bench --json` (per document, per SIMD target the CPU runs, and on the
concatenation, 1 and --threads threads); (iv) with --rwkvkit, `rwkvkit tokenize --threads 1`
on the concatenation (the whole process); --rounds R alternates (iii) and (iv) R times, each
rwkvkit row its best round. One-thread rows by CPU time, multi-threaded rows by wall time;
Python rows the best of --repeats passes with the GC off, from `str`; nobody's time includes
reading the JSONL; MB = 10^6 bytes of UTF-8. Checks: per-document token totals agree, the Rust
ids equal the reference's (else marked, exit 1). Prints a Markdown section for
docs/benchmarks.md (`--write-doc` replaces it between its markers). Not a test. Usage:
bench/run_tokenizer_bench.sh, or compare_tokenizers.py --corpus .rwkvkit/demo/demo.jsonl
--vocab .rwkvkit/vocab/rwkv_vocab_v20230424.txt --tokenizer-bench build-bench/bin/tokenizer_bench
"""

import argparse
import datetime
import gc
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from importlib.metadata import PackageNotFoundError, version

from bench_common import write_doc

BEGIN_MARK = "<!-- BEGIN tokenizer-comparison (bench/compare_tokenizers.py writes this section) -->"
END_MARK = "<!-- END tokenizer-comparison -->"
REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def log(msg):
    print(f"compare_tokenizers: {msg}", file=sys.stderr, flush=True)


def package_version(name):
    try:
        return version(name)
    except PackageNotFoundError:
        return "?"


def rss_bytes():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


# ----------------------------------------------------------------------------------------------
# Machine and corpus.


def machine_info(threads):
    cpu = "?"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem = "?"
    try:
        with open("/proc/meminfo") as f:
            mem = f"{int(f.readline().split()[1]) / 2**20:.0f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    try:
        commit = subprocess.run(["git", "-C", REPO, "rev-parse", "--short=12", "HEAD"], capture_output=True,
                                text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", REPO, "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True).stdout.strip()
        commit += " (with uncommitted changes)" if dirty else ""
    except (OSError, subprocess.CalledProcessError):
        commit = "?"
    flags = set()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("flags"):
                    flags = set(line.split(":", 1)[1].split())
                    break
    except OSError:
        pass
    simd = sorted(x for x in flags if x.startswith("avx512")) + [x for x in ("avx2", "sse4_2", "asimd", "sve", "sve2")
                                                                 if x in flags]
    return {
        "cpu": cpu,
        "simd_flags": " ".join(simd) or "?",
        "cores": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        "memory": mem,
        "kernel": platform.release(),
        "python": platform.python_version(),
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "commit": commit,
        "threads": threads,
        "load_before": os.getloadavg()[0],
    }


def load_texts(path, key):
    texts, skipped = [], 0
    with open(path, "rb") as f:
        for line in f:
            try:
                obj = json.loads(line)
            except ValueError:
                obj = None
            value = obj.get(key) if isinstance(obj, dict) else None
            if isinstance(value, str):
                texts.append(value)
            elif line.strip():
                skipped += 1
    return texts, skipped


# ----------------------------------------------------------------------------------------------
# Timing.


def best_of(repeats, fn, cpu=False):
    """Runs fn() `repeats` times with the GC off; returns (best seconds, last result). cpu: time
    by this thread's CPU time (one-thread rows on a shared machine), else by wall time."""
    clock = time.thread_time if cpu else time.perf_counter
    best, result = float("inf"), None
    for _ in range(repeats):
        gc.collect()
        gc.disable()
        t0 = clock()
        result = fn()
        dt = clock() - t0
        gc.enable()
        best = min(best, dt)
    return best, result


def row(tool, ver, api, threads, nbytes, seconds, tokens, input_="documents", clock=None):
    clock = clock or ("thread CPU" if threads == 1 else "wall")
    return {"tool": tool, "version": ver, "api": api, "threads": threads, "input": input_, "bytes": nbytes,
            "seconds": seconds, "mb_per_s": nbytes / seconds / 1e6, "tokens": tokens, "clock": clock}


def measure_reference(texts, vocab, repeats, nbytes):
    from rwkv.rwkv_tokenizer import TRIE_TOKENIZER
    rss0, t0 = rss_bytes(), time.perf_counter()
    ref = TRIE_TOKENIZER(vocab)
    load = {"tool": "reference", "load_s": time.perf_counter() - t0, "memory": rss_bytes() - rss0}
    log(f"reference TRIE_TOKENIZER loaded in {load['load_s']:.1f} s; encoding ({repeats} passes)")
    seconds, ids = best_of(repeats, lambda: [ref.encode(t) for t in texts], cpu=True)
    tokens = sum(map(len, ids))
    return row("reference TRIE_TOKENIZER (Python)", package_version("rwkv"), "encode per document", 1, nbytes,
               seconds, tokens), ids, load


def measure_rust(texts, repeats, nbytes, threads, ref_ids):
    import pyrwkv_tokenizer  # after RAYON_NUM_THREADS is set (main)
    rss0, t0 = rss_bytes(), time.perf_counter()
    rust = pyrwkv_tokenizer.RWKVTokenizer()
    load = {"tool": "Rust", "load_s": time.perf_counter() - t0, "memory": rss_bytes() - rss0}
    ver = package_version("pyrwkv-tokenizer")
    log(f"Rust pyrwkv-tokenizer {ver} loaded in {load['load_s']:.2f} s; encoding")
    rows, problems = [], []
    seconds, ids = best_of(repeats, lambda: [rust.encode(t) for t in texts], cpu=True)
    rows.append(row("Rust pyrwkv-tokenizer", ver, "encode per document", 1, nbytes, seconds, sum(map(len, ids))))
    differ = [i for i, (a, b) in enumerate(zip(ref_ids, ids)) if a != b]
    if differ:
        i = differ[0]
        problems.append(f"Rust `encode` ids differ from the reference on {len(differ)} of {len(texts)} documents "
                        f"(first: document {i + 1}, {texts[i][:60]!r})")
    del ids
    if hasattr(rust, "encode_batch"):
        seconds, ids = best_of(repeats, lambda: rust.encode_batch(texts))
        rows.append(row("Rust pyrwkv-tokenizer", ver, "encode_batch (rayon)", threads, nbytes, seconds,
                        sum(map(len, ids))))
        if list(map(len, ids)) != list(map(len, ref_ids)):
            problems.append("Rust `encode_batch` token counts differ from the reference per document")
    return rows, load, problems


def measure_rwkvkit(bench, corpus, vocab, threads, repeats, commit):
    with tempfile.TemporaryDirectory(prefix="rwkvkit_bench_") as tmp:
        out = os.path.join(tmp, "tokenizer_bench.json")
        cmd = [bench, "--vocab", vocab, "--corpus", corpus, "--threads", str(threads), "--repeats", str(repeats),
               "--json", out]
        log("running " + " ".join(cmd))
        proc = subprocess.run(cmd, stdout=subprocess.PIPE, text=True)
        sys.stderr.write(proc.stdout)
        if not os.path.exists(out):
            raise SystemExit(f"compare_tokenizers: tokenizer_bench failed (exit {proc.returncode}), no JSON written")
        with open(out) as f:
            data = json.load(f)
    problems = [] if proc.returncode == 0 and data.get("ids_match") else \
        [f"tokenizer_bench reports that its variants disagree (exit {proc.returncode})"]
    names = {"Tokenizer::EncodeSingleStream": "EncodeSingleStream (plain walk)",
             "Tokenizer::EncodeInto (production)": f"Encode per document ({data.get('vector_walk', '?')} walk, "
                                                   f"the best this CPU runs)",
             "EncodeBatch": "EncodeBatch", "EncodeParallel": "EncodeParallel"}
    rows = []
    for r in data["results"]:
        api = names.get(r["name"], r["name"])
        if r["name"].startswith("Tokenizer::EncodeInto on "):
            api = f"Encode per document on {r['name'][len('Tokenizer::EncodeInto on '):]} (as on a CPU without better)"
        if r["input"] == "concatenation":
            api += " on the concatenation"
        rows.append(row("rwkvkit", f"{data['version']} ({commit})", api, r["threads"], r["bytes"], r["best_s"],
                        r["tokens"], r["input"], r.get("clock", "wall")))
    load = {"tool": "rwkvkit", "load_s": data["vocab_load_ms"] / 1e3, "memory": data["memory_bytes"],
            "memory_is": "MemoryBytes()"}
    return rows, load, data, problems


def measure_cli(rwkvkit, texts, repeats, version):
    """`rwkvkit tokenize --threads 1` on the concatenated texts (a file in the page cache): the
    whole process, timed by its CPU time (user + system, from the kernel's accounting of the
    child) and by wall time; output to a file, whose ids are counted."""
    import resource
    data = "".join(texts).encode("utf-8")
    with tempfile.TemporaryDirectory() as tmp:
        src, dst = os.path.join(tmp, "in.txt"), os.path.join(tmp, "out.txt")
        with open(src, "wb") as f:
            f.write(data)
        best_cpu = best_wall = float("inf")
        for _ in range(repeats + 1):  # the first run warms the page cache
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            t0 = time.perf_counter()
            with open(dst, "wb") as out:
                subprocess.run([rwkvkit, "tokenize", "--threads", "1", src], stdout=out, check=True)
            wall = time.perf_counter() - t0
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
            best_cpu, best_wall = min(best_cpu, cpu), min(best_wall, wall)
        with open(dst, "rb") as f:
            tokens = len(f.read().split())
    api = "`rwkvkit tokenize --threads 1` (CLI: whole process, ids written as text to a file)"
    return [row("rwkvkit", version, api, 1, len(data), best_cpu, tokens, "concatenation", "process CPU"),
            row("rwkvkit", version, api, 1, len(data), best_wall, tokens, "concatenation", "wall")]


# ----------------------------------------------------------------------------------------------
# Report.


def speedup(r, rows):
    """Speed relative to the Rust tokenizer at the same thread count (encode for 1 thread,
    encode_batch for more)."""
    rust = [x for x in rows if x["tool"].startswith("Rust") and (x["threads"] == 1) == (r["threads"] == 1)]
    return f"{r['mb_per_s'] / rust[0]['mb_per_s']:.2f}×" if rust else "–"


def cli_ratio(rows):
    """`rwkvkit tokenize` (process CPU) against `Encode` per document (thread CPU), or None."""
    enc = [r for r in rows if r["tool"] == "rwkvkit" and r["api"].startswith("Encode per document (")]
    cli = [r for r in rows if r["tool"] == "rwkvkit" and r.get("clock") == "process CPU"]
    return cli[0]["mb_per_s"] / enc[0]["mb_per_s"] if enc and cli else None


def markdown(info, corpus, rows, loads, problems, bench_data, round_ratios):
    m = []
    m.append(BEGIN_MARK)
    m.append("## Tokenizer throughput: reference Python, Rust, rwkvkit\n")
    build = "-march=native" if bench_data.get("native") else "portable build, no -march=native"
    m.append(f"Machine: {info['cpu']}, {info['cores']} cores, {info['memory']} RAM, Linux {info['kernel']}, "
             f"Python {info['python']}; rwkvkit built with GCC {bench_data.get('compiler', '?')} ({build}).  ")
    m.append(f"CPU SIMD flags: {info.get('simd_flags', '?')}; the tokenizer's walk runs on "
             f"{bench_data.get('vector_walk', '?')} ({bench_data.get('vector_lanes', '?')} lanes).  ")
    m.append(f"Date: {info['date']}. rwkvkit commit: {info['commit']}. 1-minute load average before/after the run: "
             f"{info['load_before']:.2f}/{info['load_after']:.2f} (other work on the machine lowers the numbers, "
             "the multi-threaded ones most).  ")
    m.append(f"Corpus: `{corpus['path']}`: {corpus['documents']:,} documents, {corpus['bytes']:,} bytes of UTF-8 text "
             f"({corpus['bytes'] / 1e6:.1f} MB), {corpus['tokens']:,} tokens ({corpus['bytes'] / max(1, corpus['tokens']):.2f} "
             f"bytes/token).\n")
    m.append("| tool | version | API | threads | clock | MB/s | tokens | vs Rust |")
    m.append("|---|---|---|---:|---|---:|---:|---:|")
    for r in rows:
        m.append(f"| {r['tool']} | {r['version']} | {r['api']} | {r['threads']} | {r.get('clock', 'wall')} | "
                 f"{r['mb_per_s']:.1f} | {r['tokens']:,} | {speedup(r, rows)} |")
    m.append("")
    m.append("MB/s: 10^6 bytes of UTF-8 text per second, best of the repeats; no row includes reading or parsing the "
             "JSONL. \"vs Rust\": speed relative to the Rust tokenizer at the same thread count (`encode` for one "
             "thread, `encode_batch` for more). The Python tools get `str` objects (their time includes the UTF-8 "
             "conversion and building Python lists); rwkvkit gets the bytes. The Rust crate is measured through its "
             "Python binding, as Python users call it; its own Rust API (no Python lists) is faster. Rows \"on the concatenation\" encode all "
             "texts as one input, so tokens may span documents and the count can differ slightly.\n")
    m.append("Clock: one-thread rows are timed by the thread's CPU time (`thread CPU`; the machine is shared, and "
             "time the core spent on other processes is not counted), multi-threaded rows by wall time; the CLI rows "
             "time the whole `rwkvkit tokenize` process (start, tokenizer load, reading the file, writing the text) "
             "by its CPU time (user + system) and by wall time.\n")
    if cli_ratio(rows) is not None:
        rounds = ""
        if len(round_ratios) > 1:
            rounds = (f"; the rwkvkit rows are the best of {len(round_ratios)} rounds that alternated `tokenizer_bench` "
                      "and the CLI runs, and the ratio within each round was "
                      + ", ".join(f"{x:.2f}×" for x in round_ratios))
        m.append(f"`rwkvkit tokenize` runs at {cli_ratio(rows):.2f}× the rate of `Encode` per document (process CPU "
                 f"time against thread CPU time){rounds}.\n")
    m.append("| tool | load time | memory |")
    m.append("|---|---:|---:|")
    for ld in loads:
        what = ld.get("memory_is", "RSS growth")
        m.append(f"| {ld['tool']} | {ld['load_s'] * 1e3:,.0f} ms | {ld['memory'] / 1e6:.1f} MB ({what}) |")
    m.append("")
    if problems:
        m.append("**DISAGREEMENT:** " + "; ".join(problems) + "\n")
    else:
        m.append("All tools give the same token totals per document (and the Rust ids equal the reference ids).\n")
    m.append("Reproduce: `bench/run_tokenizer_bench.sh`.")
    m.append(END_MARK)
    return "\n".join(m) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", required=True, help="JSONL corpus")
    ap.add_argument("--vocab", required=True, help="World vocab file (the reference and rwkvkit load it)")
    ap.add_argument("--tokenizer-bench", required=True, help="path of the tokenizer_bench binary")
    ap.add_argument("--rwkvkit", help="path of the rwkvkit binary: adds the `rwkvkit tokenize --threads 1` rows")
    ap.add_argument("--key", default="text", help="JSON key of the text (default: text)")
    ap.add_argument("--threads", type=int, default=0, help="threads of the multi-threaded rows (default: all cores)")
    ap.add_argument("--repeats", type=int, default=3, help="passes per Python measurement, best counts (default 3)")
    ap.add_argument("--bench-repeats", type=int, default=5, help="repeats of tokenizer_bench (default 5)")
    ap.add_argument("--rounds", type=int, default=1,
                    help="run tokenizer_bench and the CLI rows this many times, alternating; every rwkvkit row "
                         "is its best round, and the CLI / Encode ratio is given per round too (default 1)")
    ap.add_argument("--write-doc", metavar="MD", help="write/update the comparison section of this Markdown file")
    ap.add_argument("--json", metavar="FILE", help="also write all numbers as JSON")
    args = ap.parse_args()
    for p, what in ((args.corpus, "corpus"), (args.vocab, "vocab"), (args.tokenizer_bench, "tokenizer_bench")):
        if not os.path.exists(p):
            raise SystemExit(f"compare_tokenizers: {what} not found: {p} (run bench/run_tokenizer_bench.sh, "
                             "which runs tools/setup.sh --bench and builds build-bench/)")
    threads = args.threads or (len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count())
    os.environ["RAYON_NUM_THREADS"] = str(threads)  # read when rayon's pool starts, at the first encode_batch

    texts, skipped = load_texts(args.corpus, args.key)
    nbytes = sum(len(t.encode("utf-8")) for t in texts)
    log(f"{len(texts)} documents, {nbytes:,} bytes" + (f" ({skipped} lines skipped)" if skipped else ""))
    info = machine_info(threads)

    problems = []
    ref_row, ref_ids, ref_load = measure_reference(texts, args.vocab, args.repeats, nbytes)
    rust_rows, rust_load, p = measure_rust(texts, args.repeats, nbytes, threads, ref_ids)
    problems += p
    del ref_ids
    kit_rows, round_ratios = [], []
    for k in range(max(1, args.rounds)):
        log(f"rwkvkit round {k + 1} of {max(1, args.rounds)}")
        rows_k, kit_load, bench_data, p = measure_rwkvkit(args.tokenizer_bench, args.corpus, args.vocab, threads,
                                                          args.bench_repeats, info["commit"].split()[0])
        problems += p
        if args.rwkvkit:
            log("rwkvkit tokenize --threads 1 on the concatenated texts")
            cli_rows = measure_cli(args.rwkvkit, texts, args.repeats, rows_k[0]["version"])
            want = [r["tokens"] for r in rows_k if r["input"] == "concatenation" and r["threads"] == 1]
            if want and cli_rows[0]["tokens"] != want[-1]:
                problems.append(f"rwkvkit tokenize wrote {cli_rows[0]['tokens']:,} ids, EncodeParallel {want[-1]:,}")
            rows_k += cli_rows
            round_ratios.append(cli_ratio(rows_k))
        # Every row keeps its best round (the rows come in the same order each round).
        kit_rows = rows_k if not kit_rows else [a if a["mb_per_s"] >= b["mb_per_s"] else b
                                                for a, b in zip(kit_rows, rows_k)]
    rows = [ref_row] + rust_rows + kit_rows
    info["load_after"] = os.getloadavg()[0]

    if bench_data["documents"] != len(texts) or bench_data["bytes"] != nbytes:
        problems.append(f"tokenizer_bench read {bench_data['documents']} documents / {bench_data['bytes']} bytes, "
                        f"Python {len(texts)} / {nbytes}")
    totals = {f"{r['tool']} {r['api']} ({r['threads']} threads)": r["tokens"] for r in rows if r["input"] == "documents"}
    if len(set(totals.values())) != 1:
        problems.append("per-document token totals differ: " + ", ".join(f"{k}: {v:,}" for k, v in totals.items()))

    corpus = {"path": os.path.relpath(args.corpus, REPO) if args.corpus.startswith(REPO) else args.corpus,
              "documents": len(texts), "bytes": nbytes, "tokens": ref_row["tokens"]}
    section = markdown(info, corpus, rows, [ref_load, rust_load, kit_load], problems, bench_data, round_ratios)
    print(section)
    if args.write_doc:
        write_doc(args.write_doc, section.rstrip("\n"), BEGIN_MARK, END_MARK)
        log(f"wrote {args.write_doc}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"machine": info, "corpus": corpus, "rows": rows, "loads": [ref_load, rust_load, kit_load],
                       "problems": problems, "tokenizer_bench": bench_data}, f, indent=1)
    for prob in problems:
        log("DISAGREEMENT: " + prob)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
