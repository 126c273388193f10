#!/usr/bin/env python3
"""bench/python_tokenizer_bench.py — the World tokenizer from Python, in one run beside the
tokenizers a Python user has: the Rust `pyrwkv-tokenizer` and the official TRIE_TOKENIZER.

On the demo corpus, one document per call: one-thread MB/s of rwkvkit's encode and
encode_numpy, pyrwkv's encode and TRIE_TOKENIZER.encode (first --official-mb MB only); batch
encode at 1, 2 and all threads (rwkvkit: TBB, GIL released; pyrwkv: rayon); the per-call cost
of a short string (Python loop minus bench/short_call_bench.cc's C++ call). Single-thread rates
from thread CPU time and wall, the median of --repeats rounds; batch rates from wall, process
CPU (OpenBLAS kept to one thread) and the calling thread's CPU, with the load average before
and after. Every tokenizer's ids are checked equal to rwkvkit's. Usage:
  PYTHONPATH=build/python .rwkvkit/venv/bin/python bench/python_tokenizer_bench.py \\
      --short-call-bench build-bench/bin/short_call_bench
"""

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time

from bench_common import cpu_model


def timed(fn, repeats, cpu_clock=time.thread_time):
    """(median wall s, median CPU s of `cpu_clock`) of `repeats` runs of fn()."""
    walls, cpus = [], []
    for _ in range(repeats):
        w0, c0 = time.perf_counter(), cpu_clock()
        fn()
        cpus.append(cpu_clock() - c0)
        walls.append(time.perf_counter() - w0)
    return statistics.median(walls), statistics.median(cpus)


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", default=os.path.join(root, ".rwkvkit/demo/demo.jsonl"))
    ap.add_argument("--vocab", default=os.path.join(root, ".rwkvkit/vocab/rwkv_vocab_v20230424.txt"))
    ap.add_argument("--short-call-bench", required=True, help="the built bench/short_call_bench.cc")
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--official-mb", type=float, default=2.0)
    ap.add_argument("--json", help="write the numbers here")
    args = ap.parse_args()

    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    import numpy as np
    import rwkvkit
    import pyrwkv_tokenizer
    from rwkv.rwkv_tokenizer import TRIE_TOKENIZER

    with open(args.corpus, encoding="utf-8") as f:
        texts = [json.loads(line)["text"] for line in f if line.strip()]
    mb = sum(len(t.encode()) for t in texts) / 1e6
    load = os.getloadavg()
    tok = rwkvkit.Tokenizer(args.vocab)
    rust = pyrwkv_tokenizer.RWKVTokenizer(vocab_filepath=args.vocab)
    official = TRIE_TOKENIZER(args.vocab)

    ours = [tok.encode(t) for t in texts]
    assert [rust.encode(t) for t in texts] == ours, "pyrwkv-tokenizer disagrees"
    assert tok.encode_batch(texts) == ours and rust.encode_batch(texts) == ours
    off_texts, size = [], 0
    for t in texts:
        if size >= args.official_mb * 1e6:
            break
        off_texts.append(t)
        size += len(t.encode())
    off_mb = size / 1e6
    assert [official.encode(t) for t in off_texts] == ours[:len(off_texts)], "TRIE_TOKENIZER disagrees"

    # The one-thread rows run in rounds, one timing of each row per round, so that a change of
    # the machine's load during the run falls on every row alike; each row's median is kept,
    # and "encode (list) / Rust" is also given as the median of the per-round ratios.
    buf = np.empty(max(len(t.encode()) for t in texts), dtype=np.uint16)
    plan = [
        ("rwkvkit encode (list)", lambda: [tok.encode(t) for t in texts], mb, args.repeats),
        ("rwkvkit encode_numpy", lambda: [tok.encode_numpy(t) for t in texts], mb, args.repeats),
        ("rwkvkit encode_numpy(out=buf) (the encoder alone)", lambda: [tok.encode_numpy(t, out=buf) for t in texts], mb,
         args.repeats),
        ("pyrwkv-tokenizer encode (Rust)", lambda: [rust.encode(t) for t in texts], mb, args.repeats),
        ("rwkvkit encode (list), same docs as official", lambda: [tok.encode(t) for t in off_texts], off_mb, args.repeats),
        ("official TRIE_TOKENIZER encode", lambda: [official.encode(t) for t in off_texts], off_mb, 1),
    ]
    samples = {name: ([], []) for name, _, _, _ in plan}
    for r in range(args.repeats):
        for name, fn, _, repeats in plan:
            if r < repeats:
                wall, cpu = timed(fn, 1)
                samples[name][0].append(wall)
                samples[name][1].append(cpu)
    rows = {}
    for name, _, data_mb, _ in plan:
        wall, cpu = statistics.median(samples[name][0]), statistics.median(samples[name][1])
        rows[name] = {"mb": data_mb, "wall_s": wall, "cpu_s": cpu, "mb_per_s_cpu": data_mb / cpu,
                      "mb_per_s_wall": data_mb / wall}
    list_vs_rust = statistics.median(
        rust_cpu / ours_cpu
        for ours_cpu, rust_cpu in zip(samples["rwkvkit encode (list)"][1], samples["pyrwkv-tokenizer encode (Rust)"][1]))
    cores = os.cpu_count()
    # Batch rows, also in rounds: wall time, the process's CPU time (every thread) and the
    # calling thread's CPU time. encode_batch's calling thread makes every list (it holds the
    # GIL) and encodes when the next chunk is not ready, so on idle cores its CPU time is about
    # the wall time: the part of the work no other core can take.
    batch_plan = [(f"rwkvkit encode_batch, {t} thread{'s' if t != 1 else ''}" if t else f"rwkvkit encode_batch, all {cores} cores",
                   lambda t=t: tok.encode_batch(texts, threads=t)) for t in (1, 2, None)]
    batch_plan += [(f"rwkvkit encode_batch_numpy, all {cores} cores", lambda: tok.encode_batch_numpy(texts)),
                   (f"pyrwkv-tokenizer encode_batch (Rust, rayon), all {cores} cores", lambda: rust.encode_batch(texts))]
    batch_samples = {name: [] for name, _ in batch_plan}
    for _ in range(args.repeats):
        for name, fn in batch_plan:
            w0, p0, t0 = time.perf_counter(), time.process_time(), time.thread_time()
            result = fn()
            batch_samples[name].append((time.perf_counter() - w0, time.process_time() - p0, time.thread_time() - t0))
            del result
    batch = {}
    for name, s in batch_samples.items():
        wall, cpu, caller = (statistics.median(x[i] for x in s) for i in range(3))
        batch[name] = {"wall_s": wall, "cpu_s": cpu, "caller_cpu_s": caller, "mb_per_s_wall": mb / wall,
                       "mb_per_s_cpu": mb / cpu, "mb_per_s_caller_cpu": mb / caller}

    short = "Hello world"
    n = 1_000_000
    per_call = []
    for _ in range(args.repeats):
        encode = tok.encode
        t0 = time.thread_time()
        for _ in range(n):
            encode(short)
        per_call.append((time.thread_time() - t0) * 1e9 / n)
    rust_call = []
    for _ in range(args.repeats):
        encode = rust.encode
        t0 = time.thread_time()
        for _ in range(n // 4):
            encode(short)
        rust_call.append((time.thread_time() - t0) * 1e9 / (n // 4))
    cpp = json.loads(subprocess.run([args.short_call_bench, "--vocab", args.vocab, "--text", short],
                                    check=True, capture_output=True, text=True).stdout)
    load_after = os.getloadavg()

    out = {
        "machine": f"{cpu_model()}, {cores} cores", "python": platform.python_version(),
        "load_before": load, "load_after": load_after, "corpus_mb": mb, "documents": len(texts),
        "one_thread": rows, "encode_list_vs_rust_cpu_median_of_rounds": list_vs_rust,
        "batch": batch,
        "short_call": {"text": short, "python_best_ns": min(per_call), "python_median_ns": statistics.median(per_call),
                       "cpp_best_ns": cpp["best_ns"], "cpp_median_ns": cpp["median_ns"],
                       "overhead_best_ns": min(per_call) - cpp["best_ns"],
                       "pyrwkv_best_ns": min(rust_call)},
    }
    print(f"machine: {out['machine']}; Python {out['python']}; load average before {load[0]:.2f}, after {load_after[0]:.2f}")
    print(f"demo corpus: {len(texts)} documents, {mb:.1f} MB; one document per call\n")
    print("| one thread | MB/s (CPU time) | MB/s (wall) |")
    print("|---|--:|--:|")
    for name, r in rows.items():
        print(f"| {name} ({r['mb']:.1f} MB) | {r['mb_per_s_cpu']:.1f} | {r['mb_per_s_wall']:.1f} |")
    print(f"\nencode (list) vs pyrwkv-tokenizer encode, CPU time, median of the per-round ratios: {list_vs_rust:.2f}x")
    print("\n| batch | MB/s (wall) | MB/s (process CPU time) | calling thread's CPU s | MB/s (calling thread's CPU time) |")
    print("|---|--:|--:|--:|--:|")
    for name, r in batch.items():
        print(f"| {name} | {r['mb_per_s_wall']:.1f} | {r['mb_per_s_cpu']:.1f} | {r['caller_cpu_s']:.3f} | "
              f"{r['mb_per_s_caller_cpu']:.1f} |")
    s = out["short_call"]
    print(f"short string {short!r}: Python tok.encode best {s['python_best_ns']:.0f} ns/call (median "
          f"{s['python_median_ns']:.0f}), C++ EncodeToBuffer best {s['cpp_best_ns']:.0f} ns -> "
          f"{s['overhead_best_ns']:.0f} ns over the C++ call; pyrwkv-tokenizer encode {s['pyrwkv_best_ns']:.0f} ns/call")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(out, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
