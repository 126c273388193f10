#!/usr/bin/env python3
"""tests/corpus/tasks/split_identity_test.py — a split build equals the one-process build.

A generated corpus (split_corpus.py: exact and near duplicates across files and sources, bad
records, an empty and a gzip file, sampled and repeated sources) built in one process, then with
`--executor local` for N = 1, 2, 5, 12 read tasks (12 > files: empty slices), P = 1 and 4, several
write-task counts, with and without --shuffle: every output file (build.json without its timing)
byte-identical; the timing sums the tasks' usage files, which stay within what the kernel counted.
Then one large JSONL file cut into N = 2, 3, 7, 16 byte ranges (the lines stage's counts checked;
the copies within a slice dropped by its read task);
the demo manifest with --filters on --c4 on --drop-report (counts add up, the report in input
order); a Parquet source (--dedup-report by row group; needs pyarrow); and N = 2, P = 1 with the
least --sort-memory (1 MiB: runs on disk; less refused). The reference must have removed exact and
near duplicates, bad records and sampled documents, or the test proves nothing. Standard library
and pyarrow.
"""

import json
import os
import re
import resource
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from split_corpus import digest_dir, make_one_file_corpus, make_parquet_corpus, make_split_corpus  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
import testlib  # noqa: E402


CHILDREN = {}  # the kernel's account of the last build's processes (every task included)


def build(args, manifest, out, extra, cwd=None):
    cmd = [args.rwkvkit, "build", "--manifest", manifest, "--out", out, "--vocab", args.vocab, "--no-progress",
           "--threads", "2", "--dedup-report", os.path.join(out, "near_duplicates.jsonl")] + extra
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    r = subprocess.run(cmd, capture_output=True, text=True, cwd=cwd)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    CHILDREN["cpu"] = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    CHILDREN["max_rss_kb"] = after.ru_maxrss  # the largest of any process waited for so far
    if r.returncode != 0:
        raise SystemExit(f"FAIL {' '.join(cmd)} exited {r.returncode}:\n{r.stderr}")
    return r


def split_matches(args, manifest, ref, out, n, p, extra=()):
    """Builds `manifest` into out split into n read tasks and p partitions (the work directory
    beside it); True when every file of out equals that of ref."""
    build(args, manifest, out, list(extra) + ["--executor", "local", "--tasks", str(n), "--partitions", str(p),
                                              "--work", out + "_work"])
    return digest_dir(out) == digest_dir(ref)


def timing_problem(out, work, counts):
    """What is wrong with build.json's split-build "timing", or None. It must sum the tasks' usage
    files per stage (counts: stage -> tasks; publish, which writes build.json, is not in it) and
    the read tasks' pipeline stages, and the usage files must agree with what the kernel counted
    of the build's processes (CHILDREN: their CPU time in all, the largest peak memory)."""
    with open(os.path.join(out, "build.json")) as f:
        timing = json.load(f)["timing"]
    if list(timing["stages"]) != list(counts):
        return f"stages {list(timing['stages'])}, expected {list(counts)}"
    all_cpu = 0.0
    for stage, n in counts.items():
        usage = []
        for t in range(n):
            with open(os.path.join(work, stage, f"{t:05d}.usage.json")) as f:
                u = json.load(f)
            if u["max_rss_kb"] > CHILDREN["max_rss_kb"]:
                return f"{stage} {t}: usage {u} exceeds the largest peak memory the kernel counted ({CHILDREN})"
            all_cpu += u["cpu_seconds"]
            usage.append(u)
        got = timing["stages"][stage]
        want = {"tasks": n, "busy_seconds": sum(u["wall_seconds"] for u in usage),
                "max_wall_seconds": max(u["wall_seconds"] for u in usage),
                "cpu_seconds": sum(u["cpu_seconds"] for u in usage), "max_rss_kb": max(u["max_rss_kb"] for u in usage)}
        if set(got) != set(want) or any(abs(got[k] - v) > 0.0005 + 1e-9 for k, v in want.items()):
            return f"stage {stage}: {got}, the usage files sum to {want}"
    if all_cpu > CHILDREN["cpu"] + 0.0015 * sum(counts.values()):
        return f"the tasks' usage files sum to {all_cpu:.3f} CPU s, more than the kernel counted ({CHILDREN})"
    if timing["tasks"] != sum(counts.values()) or timing["max_rss_kb"] != max(
            s["max_rss_kb"] for s in timing["stages"].values()):
        return f"totals {timing} do not add up"
    # The read tasks' pipeline stages: summed from their usage files, and within each task's
    # CPU time (the pipeline's threads are the task process's; 8 values rounded to 3 decimals).
    names = ["read", "parse", "repair_normalize", "filters", "signatures", "tokenize", "exact_dedup"]
    want = {k: {"busy_seconds": 0.0, "cpu_seconds": 0.0} for k in names}
    for t in range(counts["read"]):
        with open(os.path.join(work, "read", f"{t:05d}.usage.json")) as f:
            u = json.load(f)
        stages = u.get("stages", {})
        if list(stages) != names or sum(v["cpu_seconds"] for v in stages.values()) > u["cpu_seconds"] + 0.004:
            return f"read task {t}: pipeline stages {stages} missing or not within its CPU time {u['cpu_seconds']}"
        for k in names:
            for m in ("busy_seconds", "cpu_seconds"):
                want[k][m] += stages[k][m]
    got = timing["read_task_stages"]
    if list(got) != names or any(abs(got[k][m] - want[k][m]) > 0.0005 + 1e-9 for k in names for m in want[k]):
        return f"read_task_stages {got}, the read tasks' usage files sum to {want}"
    return None


def exact_losers(work):
    """The exact duplicates the dedup tasks dropped (losers.u64: 8 bytes each)."""
    d = os.path.join(work, "dedup")
    return sum(os.path.getsize(os.path.join(d, t, "losers.u64")) // 8 for t in os.listdir(d)
               if os.path.isdir(os.path.join(d, t)))


def main():
    ap = testlib.arg_parser(__doc__)
    ap.add_argument("--demo-manifest", required=True)
    args = ap.parse_args()
    check = testlib.Checks(verbose=True)
    with tempfile.TemporaryDirectory(prefix="rwkvkit_split_") as tmp:
        manifest = make_split_corpus(os.path.join(tmp, "corpus"))
        for shuffle in ([], ["--shuffle"]):
            ref = os.path.join(tmp, "ref" + "".join(shuffle))
            build(args, manifest, ref, shuffle)
            want = digest_dir(ref)
            with open(os.path.join(ref, "build.json")) as f:
                info = json.load(f)
            dropped = info["total"]["dropped"]
            shards = len([n for n in want if n.endswith(".bin")])
            print(f"reference{''.join(shuffle)}: {shards} shards, dropped {dropped}, "
                  f"near_dedup {info['near_dedup']}")
            for reason in ("duplicate", "near_duplicate", "invalid_json", "sampled_out", "missing_text_key"):
                if dropped.get(reason, 0) == 0:
                    check.fail(f"reference drops no '{reason}': the corpus does not exercise it")
            if info["near_dedup"]["candidate_pairs"] <= info["near_dedup"]["confirmed_pairs"]:
                check.fail("reference rejects no LSH candidate: the corpus does not exercise it")
            if shards < 4:
                check.fail("reference has fewer than 4 shards")
            runs = [(1, 1, 1), (2, 4, 3), (5, 1, 2), (5, 4, 5), (12, 4, 2)] if not shuffle else [(5, 4, 3)]
            for n, p, w in runs:
                name = f"N={n} P={p} W={w} {' '.join(shuffle)}".rstrip()
                out = os.path.join(tmp, f"out_{n}_{p}_{w}{''.join(shuffle)}")
                work = os.path.join(tmp, f"work_{n}_{p}_{w}{''.join(shuffle)}")
                build(args, manifest, out, shuffle + ["--executor", "local", "--tasks", str(n), "--partitions",
                                                             str(p), "--write-tasks", str(w), "--work", work,
                                                             "--parallel", "2"])
                got = digest_dir(out)
                timing = timing_problem(out, work, {"lines": n, "read": n, "dedup": p, "cluster": 1, "write": w})
                if got != want:
                    diff = sorted(k for k in set(got) | set(want) if got.get(k) != want.get(k))
                    check.fail(f"{name}: differs from the one-process build in {diff[:8]}")
                elif timing:
                    check.fail(f"{name}: build.json timing: {timing}")
                else:
                    print(f"ok   {name}: {len(got)} files byte-identical, timing sums the tasks' usage")
        # One large JSONL file cut into byte ranges at line boundaries: lines cut by a range bound,
        # an over-long line, broken and blank lines, the last line without its newline; the
        # bad-input examples in build.json name the file's own line numbers.
        big = make_one_file_corpus(os.path.join(tmp, "big"))
        with open(os.path.join(tmp, "big", "big.jsonl"), "rb") as f:
            big_bytes = f.read()
        cap = ["--max-record-bytes", "4000"]
        ref = os.path.join(tmp, "big_ref")
        build(args, big, ref, cap)
        want = digest_dir(ref)
        with open(os.path.join(ref, "build.json")) as f:
            bdrop = json.load(f)["total"]["dropped"]
        if not all(bdrop.get(k, 0) > 0 for k in ("duplicate", "near_duplicate", "invalid_json", "record_too_long")):
            check.fail(f"one-file reference does not drop every kind it should ({bdrop})")
        for n in (2, 3, 7, 16):
            out, work = os.path.join(tmp, f"big_{n}"), os.path.join(tmp, f"big_work_{n}")
            build(args, big, out, cap + ["--executor", "local", "--tasks", str(n), "--partitions", "2",
                                         "--work", work, "--parallel", "2"])
            # Read task 1 starts inside the file and knows the newlines before its range from the
            # lines stage (not by reading the file from its start): the count must be the file's.
            with open(os.path.join(work, "logs", "read-00001.log")) as f:
                m = re.search(r"\(bytes (\d+) to \d+; (\d+) newlines before\)", f.read())
            if not m:
                check.fail(f"one file, N={n}: read task 1 did not read a byte range with its newlines counted before")
            elif big_bytes.count(b"\n", 0, int(m.group(1))) != int(m.group(2)):
                have = big_bytes.count(b"\n", 0, int(m.group(1)))
                check.fail(f"one file, N={n}: {m.group(2)} newlines before byte {m.group(1)}, the file has {have}")
            elif digest_dir(out) != want:
                check.fail(f"one file in byte ranges, N={n}: differs from the one-process build")
            elif exact_losers(work) > 10 * (n - 1):
                # The corpus copies 10 texts ~15 times each: a read task drops the copies within
                # its slice itself (its table of recent keys), so only the first copy of each in
                # each slice reaches the dedup stage, which drops at most N - 1 of those.
                check.fail(f"one file, N={n}: {exact_losers(work)} exact duplicates reached the dedup stage, "
                      f"more than the {10 * (n - 1)} copies across slices")
            else:
                print(f"ok   one file in {n} byte ranges: byte-identical (drops {bdrop})")
        # Language id and quality filters (C4 line removal too) on the demo corpus's real text in
        # 30 languages: per-language and per-filter counts add up across tasks.
        demo = os.path.abspath(args.demo_manifest)
        ref = os.path.join(tmp, "filters_ref")
        filt = ["--filters", "on", "--c4", "on"]
        build(args, demo, ref, filt + ["--drop-report", os.path.join(ref, "filtered.jsonl")])
        with open(os.path.join(ref, "build.json")) as f:
            fdrops = {k: v for k, v in json.load(f)["total"]["dropped"].items() if k.startswith("filter_")}
        out = os.path.join(tmp, "filters_split")
        same = split_matches(args, demo, ref, out, 3, 2, filt + ["--drop-report", os.path.join(out, "filtered.jsonl")])
        if not fdrops or "filtered.jsonl" not in digest_dir(ref):
            check.fail("--filters on: the reference dropped nothing by filter or wrote no --drop-report")
        elif not same:
            check.fail("demo --filters on --c4 on, N=3 P=2: differs from the one-process build")
        else:
            print(f"ok   demo --filters on --c4 on --drop-report, N=3 P=2: byte-identical, the report too "
                  f"(filter drops {fdrops})")
        # Parquet: the report names rows by row group, which the read tasks pass on.
        pq_manifest = make_parquet_corpus(os.path.join(tmp, "pq"))
        ref = os.path.join(tmp, "pq_ref")
        r = build(args, pq_manifest, ref, [])
        if "built without Parquet support" in r.stderr:
            print("ok   Parquet case left out: this rwkvkit is built without Parquet support")
        else:
            with open(os.path.join(ref, "near_duplicates.jsonl")) as f:
                grouped = sum('"row_group"' in line for line in f)
            check_ok = grouped > 0
            if not check_ok:
                check.fail("Parquet reference: no report line names a row group")
            if not split_matches(args, pq_manifest, ref, os.path.join(tmp, "pq_split"), 3, 2):
                check.fail("Parquet N=3 P=2: differs from the one-process build")
            else:
                print(f"ok   Parquet N=3 P=2: byte-identical ({grouped} report lines with row groups)")
        # The demo corpus (the manifest's relative paths), with the least sort buffer: its one
        # partition's band keys (about 1.6 MB) are sorted in runs on disk. Less is refused.
        ref = os.path.join(tmp, "demo_ref")
        build(args, demo, ref, [])
        small = ["--sort-memory", "1048576"]
        same = split_matches(args, demo, ref, os.path.join(tmp, "demo_split"), 2, 1, small)
        with open(os.path.join(tmp, "demo_split_work", "logs", "dedup-00000.log")) as f:
            runs_on_disk = re.search(r"band keys sorted in \d+ runs on disk", f.read()) is not None
        refused = subprocess.run([args.rwkvkit, "build", "--manifest", demo, "--out", os.path.join(tmp, "demo_refused"),
                                  "--vocab", args.vocab, "--executor", "local", "--work", os.path.join(tmp, "w_refused"),
                                  "--sort-memory", "1048575"], capture_output=True, text=True)
        if not same:
            check.fail("demo N=2 P=1 --sort-memory 1048576: differs from the one-process build")
        elif not runs_on_disk:
            check.fail("demo N=2 P=1 --sort-memory 1048576: the band keys were not sorted in runs on disk")
        elif refused.returncode == 0 or "--sort-memory 1048575: at least 1048576 bytes" not in refused.stderr:
            check.fail(f"--sort-memory 1048575 not refused with its message: {refused.returncode} {refused.stderr!r}")
        else:
            print("ok   demo N=2 P=1 --sort-memory 1048576: byte-identical, band keys sorted in runs on disk; "
                  "1048575 refused")
    return check.finish("split_identity_test")


if __name__ == "__main__":
    sys.exit(main())
