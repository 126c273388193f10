#!/usr/bin/env python3
"""End-to-end benchmark of `rwkvkit build` next to two Python pipelines, on one input.

The input is the demo corpus scaled to --size-mb by repeating it (copy k appends " [copy k]",
so exact dedup keeps every copy), written once as --parts JSONL files. Each tool runs as its
own process (wall = start to exit, CPU = the child's user + system): rwkvkit build
(--near-dedup off, T = 1 and all cores); make_data, RWKV-LM's make_data.py flow rewritten here
(json.loads, TRIE_TOKENIZER.encode, round-trip check, uint16 binidx) on a --makedata-mb prefix,
checked against `rwkvkit build --normalize none`; datatrove's JsonlReader + DocumentTokenizer
with a byte-level BPE trained here (no World tokenizer in `tokenizers`: it compares pipelines,
not tokens). MB/s = 10^6 bytes of JSONL input per second of wall; per core = / threads.
docs/benchmarks.md has the method and the results. Usage: bench/run_build_bench.sh, or
    .rwkvkit/venv/bin/python bench/build_bench.py --rwkvkit build-bench-e2e/bin/rwkvkit \
        [--size-mb 200] [--write-doc docs/benchmarks.md] [--install]
"""

import argparse
import datetime
import glob
import hashlib
import json
import os
import platform
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import time

from bench_common import cpu_model, git_commit, pkg_version, run_timed, write_doc

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BEGIN = "<!-- BEGIN build-comparison (bench/build_bench.py writes this section) -->"
BEGIN_PREFIX = "<!-- BEGIN build-comparison"
END = "<!-- END build-comparison -->"
EOS = "<|endoftext|>"
DATATROVE_PIN = "datatrove==0.10.1"


def log(msg):
    print(f"build_bench: {msg}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------------------------
# Child modes: each runs in its own process and prints one JSON object on stdout.


class BinIdxWriter:
    """Writes one uint16 binidx shard (one sequence per document), as make_data's builder does.

    Written from docs/formats/binidx.md: .bin = the ids; .idx = magic, version 1, dtype code 8,
    N, M = N + 1, sizes (int32), byte pointers (int64), doc_idx 0..N (int64), little-endian.
    """

    def __init__(self, prefix):
        import numpy as np
        self._np = np
        self.prefix = prefix
        self._bin = open(prefix + ".bin", "wb")
        self._sizes = []

    def add_document(self, ids):
        arr = self._np.asarray(ids, dtype="<u2")
        self._bin.write(arr.tobytes())
        self._sizes.append(arr.size)

    def finish(self):
        np = self._np
        self._bin.close()
        n = len(self._sizes)
        sizes = np.asarray(self._sizes, dtype="<i4")
        pointers = np.zeros(n, dtype="<i8")
        if n > 1:
            pointers[1:] = np.cumsum(sizes[:-1], dtype=np.int64) * 2
        doc_idx = np.arange(n + 1, dtype="<i8")
        with open(self.prefix + ".idx", "wb") as f:
            f.write(b"MMIDIDX\x00\x00")
            f.write(struct.pack("<QBQQ", 1, 8, n, n + 1))
            f.write(sizes.tobytes())
            f.write(pointers.tobytes())
            f.write(doc_idx.tobytes())
        return n, int(sizes.sum(dtype=np.int64))


def child_makedata(args):
    t0 = time.perf_counter()
    from rwkv.rwkv_tokenizer import TRIE_TOKENIZER
    tok = TRIE_TOKENIZER(args.vocab)
    load_s = time.perf_counter() - t0

    t1 = time.perf_counter()
    # make_data.py reads the whole file into memory and keeps the non-blank lines.
    with open(args.input, "r", encoding="utf-8") as f:
        lines = [line for line in f if line.strip()]
    writer = BinIdxWriter(args.out_prefix)
    for line in lines:
        text = json.loads(line)["text"]
        ids = tok.encode(text)
        if tok.decode(ids) != text:  # make_data.py stops on a failed round trip
            print(json.dumps({"error": "round trip failed"}))
            return 1
        ids.append(0)  # end of document
        writer.add_document(ids)
    docs, tokens = writer.finish()
    process_s = time.perf_counter() - t1
    print(json.dumps({"load_s": load_s, "process_s": process_s, "documents": docs, "tokens": tokens}))
    return 0


def child_train_bpe(args):
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

    def texts():
        with open(args.corpus, "r", encoding="utf-8") as f:
            for line in f:
                if line.strip():
                    yield json.loads(line)["text"]

    tk = Tokenizer(models.BPE())
    tk.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tk.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=args.vocab_size, special_tokens=[EOS],
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
                                  show_progress=False)
    tk.train_from_iterator(texts(), trainer=trainer)
    tk.save(args.out)
    print(json.dumps({"vocab_size": tk.get_vocab_size()}))
    return 0


def child_bpe_speed(args):
    """The BPE alone: tokenizers' encode_batch on one thread over the demo texts (no I/O timed)."""
    os.environ["TOKENIZERS_PARALLELISM"] = "false"
    from tokenizers import Tokenizer
    tk = Tokenizer.from_file(args.tokenizer)
    with open(args.corpus, "r", encoding="utf-8") as f:
        texts = [json.loads(line)["text"] for line in f if line.strip()]
    n_bytes = sum(len(t.encode("utf-8")) for t in texts)
    t0 = time.perf_counter()
    enc = tk.encode_batch(texts)
    secs = time.perf_counter() - t0
    print(json.dumps({"mb_per_s": n_bytes / 1e6 / secs, "tokens": sum(len(e.ids) for e in enc)}))
    return 0


def child_datatrove(args):
    os.environ["TOKENIZERS_PARALLELISM"] = "false"  # one thread per datatrove worker
    from datatrove.executor import LocalPipelineExecutor
    from datatrove.pipeline.readers import JsonlReader
    from datatrove.pipeline.tokens import DocumentTokenizer

    executor = LocalPipelineExecutor(
        pipeline=[
            JsonlReader(args.input_dir, glob_pattern="*.jsonl", text_key="text", doc_progress=False),
            DocumentTokenizer(output_folder=args.out, tokenizer_name_or_path=args.tokenizer,
                              eos_token=EOS, shuffle_documents=False),
        ],
        tasks=args.tasks, workers=args.workers, logging_dir=args.logs,
        # fork, not datatrove's default forkserver: the workers are then this process's children
        # and their CPU time reaches the harness's rusage.
        start_method="fork")
    executor.run()
    token_bytes = sum(os.path.getsize(p) for p in glob.glob(os.path.join(args.out, "*.ds")))
    index_bytes = sum(os.path.getsize(p) for p in glob.glob(os.path.join(args.out, "*.ds.index")))
    print(json.dumps({"tokens": token_bytes // 2, "documents": index_bytes // 8}))
    return 0


# ---------------------------------------------------------------------------------------------
# Harness.


def child_cmd(mode, *rest):
    return [sys.executable, os.path.abspath(__file__), mode, *rest]


def scale_corpus(corpus, size_mb, parts, cache):
    """Writes the scaled input once (cached); returns its description."""
    with open(corpus, "rb") as f:
        demo = f.read()
    demo_bytes = len(demo)
    copies = max(1, round(size_mb * 1e6 / demo_bytes))
    key = hashlib.sha256(demo).hexdigest()[:12]
    out_dir = os.path.join(cache, f"scaled-{key}-{copies}x-{parts}p")
    meta_path = out_dir + ".json"
    if os.path.exists(meta_path):
        with open(meta_path) as f:
            return json.load(f)
    log(f"writing the scaled input: {copies} copies of {corpus} in {parts} files under {out_dir}")
    docs = [json.loads(line) for line in demo.decode("utf-8").splitlines() if line.strip()]
    base_lines = [json.dumps(d, ensure_ascii=False) for d in docs]
    # Every line of copy k is one JSON object whose text ends with " [copy k]". Lengths are
    # known in advance (the suffix is ASCII and needs no escaping), so parts can be balanced.
    total = sum(copies * (len(b.encode("utf-8")) + 1) for b in base_lines)
    total += len(docs) * sum(len(f" [copy {k}]") for k in range(copies))
    shutil.rmtree(out_dir, ignore_errors=True)
    os.makedirs(out_dir)
    part, written, f = 0, 0, None
    n_docs = 0
    for k in range(copies):
        suffix = f" [copy {k}]"
        for d in docs:
            if f is None or (written >= total * (part + 1) / parts and part + 1 < parts):
                if f is not None:
                    f.close()
                    part += 1
                f = open(os.path.join(out_dir, f"part-{part:05d}.jsonl"), "w", encoding="utf-8")
            rec = dict(d)
            rec["text"] = d["text"] + suffix
            line = json.dumps(rec, ensure_ascii=False) + "\n"
            f.write(line)
            written += len(line.encode("utf-8"))
            n_docs += 1
    f.close()
    files = sorted(glob.glob(os.path.join(out_dir, "*.jsonl")))
    actual = sum(os.path.getsize(p) for p in files)
    assert actual == total == written, (actual, total, written)
    meta = {"dir": out_dir, "files": files, "demo_sha": key, "bytes": actual, "documents": n_docs,
            "copies": copies, "demo_bytes": demo_bytes, "demo_documents": len(docs)}
    with open(meta_path, "w") as f:
        json.dump(meta, f)
    return meta


def write_prefix(files, prefix_mb, path):
    """The first whole lines of the scaled input, at least PREFIX_MB MB (or all of it)."""
    want = prefix_mb * 1e6
    n_bytes = n_docs = 0
    with open(path, "wb") as out:
        for p in files:
            with open(p, "rb") as f:
                for line in f:
                    if n_bytes >= want:
                        return n_bytes, n_docs
                    out.write(line)
                    n_bytes += len(line)
                    n_docs += 1
    return n_bytes, n_docs


def read_build_json(out_dir):
    with open(os.path.join(out_dir, "build.json")) as f:
        d = json.load(f)
    return d["output"]["documents"], d["output"]["tokens"], d["total"]


def shard_digest(prefix):
    h = hashlib.sha256()
    for ext in (".bin", ".idx"):
        with open(prefix + ext, "rb") as f:
            while chunk := f.read(1 << 20):
                h.update(chunk)
    return h.hexdigest()


def load1():
    return os.getloadavg()[0]


def mem_gib():
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    return int(line.split()[1]) / 2**20
    except OSError:
        pass
    return None


def compiler_of(rwkvkit):
    cache = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(rwkvkit))), "CMakeCache.txt")
    try:
        with open(cache) as f:
            text = f.read()
    except OSError:
        return None
    m = re.search(r"^CMAKE_CXX_COMPILER:\w+=(.*)$", text, re.M)
    if not m:
        return None
    try:
        ver = subprocess.run([m.group(1), "--version"], capture_output=True, text=True).stdout
        return ver.splitlines()[0]
    except OSError:
        return None


def install_datatrove():
    if pkg_version("datatrove") and pkg_version("orjson") and pkg_version("tokenizers"):
        return
    log(f"installing {DATATROVE_PIN}, orjson and tokenizers into {sys.prefix} (pip)")
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--disable-pip-version-check",
                    DATATROVE_PIN, "orjson", "tokenizers"], check=True)


def fmt_int(n):
    return f"{n:,}" if isinstance(n, int) else "—"


def main_harness(args):
    ncores = os.cpu_count() or 1
    threads = sorted(set([1, ncores] if args.threads is None else args.threads))
    cache = os.path.abspath(args.cache_dir)
    os.makedirs(cache, exist_ok=True)
    work = tempfile.mkdtemp(prefix="rwkvkit-build-bench-", dir=args.tmp_dir)
    if args.install:
        install_datatrove()

    commit = git_commit()
    load_before = load1()
    started = datetime.datetime.now(datetime.timezone.utc)
    scaled = scale_corpus(args.corpus, args.size_mb, args.parts, cache)
    in_bytes, in_docs = scaled["bytes"], scaled["documents"]
    log(f"input: {len(scaled['files'])} files, {in_bytes / 1e6:.1f} MB, {in_docs:,} documents")

    rows = []  # dicts: tool, version, threads, wall, cpu, bytes, docs, tokens, note
    notes = []
    dt_notes = []

    # --- rwkvkit --------------------------------------------------------------------------
    rwkvkit_version = subprocess.run([args.rwkvkit, "--version"], capture_output=True,
                                     text=True).stdout.strip().split()[-1]
    rwkvkit_total = None
    # Output on the work dir's disk (as users run it), and, where /dev/shm exists, on tmpfs:
    # the difference is the cost of writing and fsyncing about 1 byte of shard per 1.7 bytes in.
    targets = [("disk", work)]
    if args.tmpfs and os.path.isdir("/dev/shm"):
        targets.append(("tmpfs", tempfile.mkdtemp(prefix="rwkvkit-build-bench-", dir="/dev/shm")))
    for (where, parent), t in [(w, t) for w in targets for t in threads]:
        best = None
        for r in range(args.repeats):
            out = os.path.join(parent, f"rwkvkit-t{t}")
            shutil.rmtree(out, ignore_errors=True)
            ld = load1()
            wall, cpu, _ = run_timed([args.rwkvkit, "build", "--input", scaled["dir"], "--out", out,
                                      "--threads", str(t), "--no-progress", "--vocab", args.vocab,
                                      "--near-dedup", "off"],  # the copies are near duplicates
                                     os.path.join(work, f"rwkvkit-t{t}-{r}.log"))
            docs, tokens, total = read_build_json(out)
            log(f"rwkvkit --threads {t} output on {where} run {r + 1}: {wall:.2f} s, "
                f"{in_bytes / 1e6 / wall:.1f} MB/s (load {ld:.2f})")
            if best is None or wall < best["wall"]:
                tool = "rwkvkit build" if where == "disk" else "rwkvkit build, output on tmpfs"
                best = {"tool": tool, "version": f"{rwkvkit_version} ({commit})",
                        "threads": t, "wall": wall, "cpu": cpu, "bytes": in_bytes, "docs": docs,
                        "tokens": tokens, "note": "", "load": ld}
            rwkvkit_total = total
            shutil.rmtree(out, ignore_errors=True)
        rows.append(best)
    for where, parent in targets[1:]:
        shutil.rmtree(parent, ignore_errors=True)

    # --- make_data flow on a prefix ---------------------------------------------------------
    prefix_path = os.path.join(work, "prefix.jsonl")
    p_bytes, p_docs = write_prefix(scaled["files"], args.makedata_mb, prefix_path)
    md_prefix = os.path.join(work, "makedata")
    ld = load1()
    wall, cpu, out = run_timed(child_cmd("_makedata", "--input", prefix_path, "--vocab", args.vocab,
                                         "--out-prefix", md_prefix),
                               os.path.join(work, "makedata.log"))
    md = json.loads(out)
    if "error" in md:
        raise RuntimeError(f"make_data flow: {md['error']}")
    # The same prefix through rwkvkit without normalization (identical text in, so identical
    # shard bytes expected) and with its default NFC.
    check = {}
    for norm in ("none", "nfc"):
        out_dir = os.path.join(work, f"rwkvkit-prefix-{norm}")
        run_timed([args.rwkvkit, "build", "--input", prefix_path, "--out", out_dir, "--threads", "1",
                   "--no-progress", "--normalize", norm, "--vocab", args.vocab, "--name", "prefix",
                   "--near-dedup", "off"],
                  os.path.join(work, f"rwkvkit-prefix-{norm}.log"))
        docs, tokens, _ = read_build_json(out_dir)
        shards = sorted(glob.glob(os.path.join(out_dir, "prefix_*.idx")))
        same = (len(shards) == 1 and shard_digest(shards[0][:-4]) == shard_digest(md_prefix))
        check[norm] = {"docs": docs, "tokens": tokens, "identical": same}
    reader = os.path.join(ROOT, "tests", "golden", "binidx_numpy_reader.py")
    reader_out = subprocess.run([sys.executable, reader, md_prefix], capture_output=True, text=True)
    # Extrapolated to the whole input: tokenizer load once, then the prefix's rate.
    rate = p_bytes / md["process_s"]
    est_wall = md["load_s"] + in_bytes / rate
    rows.append({"tool": "make_data.py flow (Python)", "version": f"rwkv {pkg_version('rwkv')}",
                 "threads": 1, "wall": est_wall, "cpu": None, "bytes": in_bytes, "docs": None,
                 "tokens": None, "load": ld,
                 "note": (f"Measured on a {p_bytes / 1e6:.1f} MB prefix ({p_docs:,} documents, "
                          f"{md['tokens']:,} tokens): tokenizer load {md['load_s']:.1f} s + "
                          f"{md['process_s']:.1f} s, whole process {wall:.1f} s wall, {cpu:.1f} s CPU; "
                          f"wall extrapolated to the full input")})
    notes.append(
        f"make_data.py flow on the {p_bytes / 1e6:.1f} MB prefix: {md['documents']:,} documents, "
        f"{md['tokens']:,} tokens. rwkvkit build on the same prefix: `--normalize none` "
        f"{check['none']['tokens']:,} tokens "
        f"({'equal' if check['none']['tokens'] == md['tokens'] else 'DIFFERENT'}; .bin/.idx "
        f"{'byte-identical' if check['none']['identical'] else 'NOT byte-identical'} to the make_data "
        f"flow's), default NFC {check['nfc']['tokens']:,} tokens "
        f"({check['nfc']['tokens'] - md['tokens']:+,}: NFC rewrites some text before tokenizing). "
        f"The make_data flow's shard passes tests/golden/binidx_numpy_reader.py: "
        f"`{(reader_out.stdout or reader_out.stderr).strip()}`.")

    # --- datatrove ------------------------------------------------------------------------------
    dt_error = None
    dt_version = pkg_version("datatrove")
    bpe_vocab = None
    if args.skip_datatrove:
        dt_error = "skipped (--skip-datatrove)"
    elif not dt_version:
        dt_error = (f"datatrove is not installed in {sys.prefix} (run with --install, or "
                    f"bench/run_build_bench.sh)")
    else:
        try:
            tok_path = os.path.join(cache, f"bpe-{args.bpe_vocab}-{scaled['demo_sha']}.json")
            meta_path = tok_path + ".meta"
            if not os.path.exists(meta_path):
                log(f"training a byte-level BPE (vocab {args.bpe_vocab}) on {args.corpus} for datatrove")
                t0 = time.perf_counter()
                _, _, out = run_timed(child_cmd("_train_bpe", "--corpus", args.corpus, "--out", tok_path,
                                                "--vocab-size", str(args.bpe_vocab)),
                                      os.path.join(work, "train_bpe.log"))
                with open(meta_path, "w") as f:
                    f.write(out)
                log(f"trained in {time.perf_counter() - t0:.0f} s")
            with open(meta_path) as f:
                bpe_vocab = json.load(f)["vocab_size"]
            _, _, out = run_timed(child_cmd("_bpe_speed", "--tokenizer", tok_path, "--corpus", args.corpus),
                                  os.path.join(work, "bpe_speed.log"))
            bpe_speed = json.loads(out)["mb_per_s"]
            dt_notes.append(f"Its time goes mostly to the BPE: `tokenizers` `encode_batch` alone, one "
                            f"thread, on the demo corpus texts (in memory, no I/O) runs at {bpe_speed:.1f} "
                            f"MB/s of text.")
            for t in threads:
                best = None
                for r in range(args.dt_repeats):
                    out_dir = os.path.join(work, f"datatrove-t{t}")
                    logs = os.path.join(work, f"datatrove-logs-t{t}")
                    shutil.rmtree(out_dir, ignore_errors=True)
                    shutil.rmtree(logs, ignore_errors=True)
                    ld = load1()
                    wall, cpu, out = run_timed(
                        child_cmd("_datatrove", "--input-dir", scaled["dir"], "--tokenizer", tok_path,
                                  "--out", out_dir, "--logs", logs, "--tasks", str(t),
                                  "--workers", str(t)),
                        os.path.join(work, f"datatrove-t{t}-{r}.log"))
                    res = json.loads(out.strip().splitlines()[-1])
                    log(f"datatrove workers {t} run {r + 1}: {wall:.2f} s, "
                        f"{in_bytes / 1e6 / wall:.1f} MB/s (load {ld:.2f})")
                    if best is None or wall < best["wall"]:
                        best = {"tool": "datatrove JsonlReader → DocumentTokenizer",
                                "version": f"datatrove {dt_version}, tokenizers {pkg_version('tokenizers')}",
                                "threads": t, "wall": wall, "cpu": cpu, "bytes": in_bytes,
                                "docs": res["documents"], "tokens": res["tokens"], "load": ld,
                                "note": f"byte-level BPE, {bpe_vocab:,} ids (not the World tokenizer)"}
                    shutil.rmtree(out_dir, ignore_errors=True)
                rows.append(best)
        except Exception as e:  # report why, never a made-up number
            dt_error = f"datatrove run failed: {type(e).__name__}: {str(e)[-1500:]}"
            log(dt_error)

    load_after = load1()
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)

    section = render(args, scaled, rows, notes + [("datatrove", dt_notes)], dt_error, bpe_vocab,
                     load_before, load_after, started, rwkvkit_total, commit)
    print(section)
    if args.write_doc:
        write_doc(args.write_doc, section, BEGIN_PREFIX, END)
        log(f"wrote the build-comparison section of {args.write_doc}")
    return 0


def render(args, scaled, rows, notes, dt_error, bpe_vocab, load_before, load_after, started,
           rwkvkit_total, commit):
    ncores = os.cpu_count() or 1
    mem = mem_gib()
    comp = compiler_of(args.rwkvkit)
    rel_corpus = os.path.relpath(os.path.abspath(args.corpus), ROOT)
    L = []
    L.append(BEGIN)
    L.append("## End to end: `rwkvkit build` vs the make_data.py flow vs datatrove")
    L.append("")
    L.append(f"Machine: {cpu_model()}, {ncores} cores" + (f", {mem:.0f} GiB RAM" if mem else "") +
             f", Linux {platform.release()}, Python {platform.python_version()}" +
             (f"; rwkvkit built with {comp} (Release, portable: no -march=native)" if comp else "") + ".  ")
    L.append(f"Date: {started:%Y-%m-%d %H:%M} UTC. rwkvkit commit: {commit}. Versions: rwkv "
             f"{pkg_version('rwkv')}, numpy {pkg_version('numpy')}, datatrove {pkg_version('datatrove') or '—'}, "
             f"tokenizers {pkg_version('tokenizers') or '—'}, orjson {pkg_version('orjson') or '—'}.  ")
    L.append(f"1-minute load average before/after the whole run: {load_before:.2f}/{load_after:.2f} "
             f"(other work on this shared machine lowers the numbers, the multi-threaded ones most; "
             f"the table gives the load at the start of each row's best run, which also counts this "
             f"benchmark's own previous runs). rwkvkit was built from the working tree at that commit.  ")
    L.append(f"Input: `{rel_corpus}` ({scaled['demo_documents']:,} documents, "
             f"{scaled['demo_bytes'] / 1e6:.1f} MB) repeated {scaled['copies']} times, each copy k "
             f"appending \" [copy k]\" to every text so that exact dedup keeps all copies: "
             f"{scaled['documents']:,} documents, {scaled['bytes']:,} bytes of JSONL "
             f"({scaled['bytes'] / 1e6:.1f} MB) in {len(scaled['files'])} files, the same files for every tool.")
    if rwkvkit_total:
        L.append(f"rwkvkit kept {rwkvkit_total['documents_kept']:,} of {rwkvkit_total['documents_read']:,} "
                 f"documents ({rwkvkit_total['bytes_out']:,} bytes of text after repair and NFC).")
    L.append("")
    L.append("| tool | version | threads | wall s | MB/s | MB/s per core | CPU s | documents | tokens | load |")
    L.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        mbs = r["bytes"] / 1e6 / r["wall"]
        est = r["tool"].startswith("make_data")
        cpu_s = "—" if r["cpu"] is None else f"{r['cpu']:.1f}"
        L.append(f"| {r['tool']}{' (extrapolated)' if est else ''} | {r['version']} | {r['threads']} | "
                 f"{'~' if est else ''}{r['wall']:.1f} | {mbs:.1f} | {mbs / r['threads']:.1f} | "
                 f"{cpu_s} | {fmt_int(r['docs'])} | "
                 f"{fmt_int(r['tokens'])} | {r['load']:.2f} |")
    if dt_error:
        L.append(f"| datatrove JsonlReader → DocumentTokenizer | — | — | — | — | — | — | — | — | — |")
    L.append("")
    best_rk = [r for r in rows if r["tool"] == "rwkvkit build"]  # output on disk, as users run it
    if best_rk:
        parts = []
        for r in best_rk:
            pc = r["bytes"] / 1e6 / r["wall"] / r["threads"]
            parts.append(f"{pc:.1f} MB/s per core on {r['threads']} thread{'s' if r['threads'] > 1 else ''} "
                         f"({'met' if pc >= 50 else 'NOT met'})")
        L.append("Target: at least 50 MB/s per core end to end. rwkvkit build, output on disk: "
                 + "; ".join(parts) + ".")
        one = [r for r in best_rk if r["threads"] == 1]
        md = [r for r in rows if r["tool"].startswith("make_data")]
        dt1 = [r for r in rows if r["tool"].startswith("datatrove") and r["threads"] == 1]
        if one and md:
            sp = f"On one core rwkvkit build is {md[0]['wall'] / one[0]['wall']:.0f}x the make_data.py flow"
            if dt1:
                sp += f" and {dt1[0]['wall'] / one[0]['wall']:.0f}x datatrove's pipeline (with its BPE)"
            L.append("")
            L.append(sp + ", end to end on the same input.")
        L.append("")
    L.append("How it was measured:")
    L.append("")
    L.append("- Wall time: the whole process from start to exit, measured by the harness (it includes "
             "loading the tokenizer and writing and fsyncing the output); best of "
             f"{args.repeats} runs for rwkvkit, {args.dt_repeats} for datatrove. MB/s: 10^6 bytes of "
             "JSONL input per second of wall time; per core: MB/s divided by the threads (workers) asked "
             "for. CPU s: user + system time of the process and its children.")
    L.append("- rwkvkit build: `rwkvkit build --input DIR --out OUT --threads T --no-progress --near-dedup off` "
             "(near-dedup is measured in the dedup-comparison section), defaults "
             "otherwise (repair, NFC, exact dedup, World tokenizer, token 0 after each document, one "
             "uint16 binidx shard, build.json); documents and tokens from build.json. OUT is on the "
             f"disk under {args.tmp_dir or tempfile.gettempdir()}"
             "; the \"output on tmpfs\" rows put it under /dev/shm, which takes the disk writes and "
             "fsyncs out of the time. The input files are in the page cache (they were just written "
             "and read) for every tool.")
    L.append("- make_data.py flow: RWKV-LM's RWKV-v5/make_data.py steps rewritten in "
             "bench/build_bench.py (read all lines, json.loads, `TRIE_TOKENIZER.encode` from the `rwkv` "
             "package, the decode round-trip check make_data does, append 0, write a uint16 .bin/.idx "
             "with a numpy writer made from docs/formats/binidx.md), one process. Left out: its N_EPOCH "
             "shuffled copies through make_data_temp.jsonl and the magic_prime step, so the real script "
             "is slower. " + next((r["note"] for r in rows if r["tool"].startswith("make_data")), "") + ".")
    dt_extra = ""
    for n in notes:
        if isinstance(n, tuple):
            dt_extra = " ".join(n[1])
        else:
            L.append(f"- {n}")
    if dt_error:
        L.append(f"- datatrove: no number. {dt_error}")
    else:
        L.append("- datatrove: `LocalPipelineExecutor([JsonlReader(DIR), DocumentTokenizer(OUT, tokenizer.json, "
                 f"eos_token=\"{EOS}\", shuffle_documents=False)], tasks=W, workers=W)` with "
                 "`TOKENIZERS_PARALLELISM=false`, so W workers use W cores (each task takes whole files). "
                 "**It runs a different tokenizer**: DocumentTokenizer needs a Hugging Face `tokenizers` "
                 "tokenizer, the RWKV World tokenizer has none and the Hub is not reachable here, so the "
                 f"harness trains a byte-level BPE ({bpe_vocab:,} ids incl. the eos token) on the demo corpus "
                 "and datatrove writes its own .ds/.ds.index files (uint16), not binidx. The row compares "
                 "pipelines (read, tokenize, write), not tokens; it does no text repair, NFC or dedup. The "
                 "workers are started with `start_method=\"fork\"` (datatrove's default is forkserver) "
                 "so that their CPU time is counted. " + dt_extra)
    L.append("")
    L.append("Reproduce: `bench/run_build_bench.sh` (installs datatrove into the venv, builds rwkvkit in "
             "build-bench-e2e/, runs this harness and rewrites this section).")
    L.append(END)
    return "\n".join(L)


def main(argv):
    if argv and argv[0].startswith("_"):
        mode, rest = argv[0], argv[1:]
        ap = argparse.ArgumentParser(prog=f"build_bench.py {mode}")
        if mode == "_makedata":
            ap.add_argument("--input", required=True)
            ap.add_argument("--vocab", required=True)
            ap.add_argument("--out-prefix", required=True)
            return child_makedata(ap.parse_args(rest))
        if mode == "_train_bpe":
            ap.add_argument("--corpus", required=True)
            ap.add_argument("--out", required=True)
            ap.add_argument("--vocab-size", type=int, required=True)
            return child_train_bpe(ap.parse_args(rest))
        if mode == "_bpe_speed":
            ap.add_argument("--tokenizer", required=True)
            ap.add_argument("--corpus", required=True)
            return child_bpe_speed(ap.parse_args(rest))
        if mode == "_datatrove":
            for a in ("--input-dir", "--tokenizer", "--out", "--logs"):
                ap.add_argument(a, required=True)
            ap.add_argument("--tasks", type=int, required=True)
            ap.add_argument("--workers", type=int, required=True)
            return child_datatrove(ap.parse_args(rest))
        raise SystemExit(f"unknown mode {mode}")

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rwkvkit", default=os.path.join(ROOT, "build-bench-e2e", "bin", "rwkvkit"))
    ap.add_argument("--corpus", default=os.path.join(ROOT, ".rwkvkit", "demo", "demo.jsonl"))
    ap.add_argument("--vocab", default=os.path.join(ROOT, ".rwkvkit", "vocab", "rwkv_vocab_v20230424.txt"))
    ap.add_argument("--size-mb", type=float, default=200, help="scaled input size (default 200)")
    ap.add_argument("--parts", type=int, default=None,
                    help="files the scaled input is split into (default: 2 x cores, at least 4)")
    ap.add_argument("--makedata-mb", type=float, default=20,
                    help="prefix the make_data flow runs on (default 20)")
    ap.add_argument("--threads", type=int, action="append",
                    help="thread/worker counts (repeatable; default 1 and all cores)")
    ap.add_argument("--repeats", type=int, default=3, help="rwkvkit runs per thread count (best kept)")
    ap.add_argument("--dt-repeats", type=int, default=1, help="datatrove runs per worker count")
    ap.add_argument("--bpe-vocab", type=int, default=65536, help="vocab of the BPE trained for datatrove")
    ap.add_argument("--cache-dir", default=os.path.join(ROOT, ".rwkvkit", "bench-e2e"),
                    help="where the scaled input and the BPE are kept between runs")
    ap.add_argument("--tmp-dir", default=None, help="parent of the per-run work dir (default: system temp)")
    ap.add_argument("--no-tmpfs", dest="tmpfs", action="store_false",
                    help="skip the rwkvkit rows with the output on /dev/shm")
    ap.add_argument("--skip-datatrove", action="store_true")
    ap.add_argument("--install", action="store_true",
                    help=f"pip-install {DATATROVE_PIN} (+ orjson, tokenizers) into this Python first")
    ap.add_argument("--keep", action="store_true", help="keep the work dir (outputs, logs)")
    ap.add_argument("--write-doc", help="replace the build-comparison section of this Markdown file")
    args = ap.parse_args(argv)
    if args.parts is None:
        args.parts = max(4, 2 * (os.cpu_count() or 1))
    for p in (args.rwkvkit, args.corpus, args.vocab):
        if not os.path.exists(p):
            raise SystemExit(f"build_bench: {p} does not exist (run bench/run_build_bench.sh)")
    return main_harness(args)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
