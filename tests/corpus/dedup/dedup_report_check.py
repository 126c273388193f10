#!/usr/bin/env python3
"""tests/corpus/dedup/dedup_report_check.py — `rwkvkit build --dedup-report` checked in Python.

A seeded corpus (two JSONL sources, three files, one text source): base documents of random
lowercase words, near copies (0.4-3% of words substituted, later, in any file or source), far
copies (15%) and unrelated documents; ASCII words and single spaces, so this file computes the
5-word shingles and exact Jaccard itself. Requires: report and build.json (timing aside) the
same bytes for --threads 1 and 2; every removed document once, its kept document earlier and
kept, source/file/line right (text files: line null); exact Jaccard >= 0.6 and the estimate
within 4.5 binomial standard deviations (112 hashes); every planted copy at Jaccard >= 0.9
removed, no far copy or unrelated document; the count equals build.json's near_dedup and
dropped.near_duplicate, the shards hold the rest; "near_dedup": {"enabled": false} removes
nothing, `--near-dedup on` overrides it, its threshold reaches options.minhash; --dedup-report
with --near-dedup off or into a missing directory is an error before any work. Standard library.
"""

import json
import math
import os
import random
import subprocess
import sys
import tempfile

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
import testlib  # noqa: E402

NGRAM = 5


def shingles(text):
    words = text.split(" ")
    if len(words) < NGRAM:
        return {" ".join(words)}
    return {" ".join(words[i:i + NGRAM]) for i in range(len(words) - NGRAM + 1)}


def jaccard(a, b):
    return len(a & b) / len(a | b) if a or b else 0.0


def make_corpus(d, seed=11):
    """Writes the inputs; returns the documents in input order as dicts (source, file, line, text, kind)."""
    rng = random.Random(seed)
    letters = "abcdefghijklmnopqrstuvwxyz"
    vocab = sorted({"".join(rng.choice(letters) for _ in range(rng.randint(3, 8))) for _ in range(3000)})

    def doc(n):
        return [rng.choice(vocab) for _ in range(n)]

    def edit(words, frac):
        w = list(words)
        for i in rng.sample(range(len(w)), max(1, round(frac * len(w)))):
            w[i] = rng.choice(vocab)
        return w

    bases = [doc(rng.randint(60, 300)) for _ in range(160)]
    # Slots: (source, file) in input order; each gets a list of (text, kind).
    slots = {("a", "a1.jsonl"): [], ("a", "a2.jsonl"): [], ("b", "b.jsonl"): []}
    order = list(slots)
    for i, words in enumerate(bases):
        slots[order[i % 2]].append((" ".join(words), "base"))
    planted = []
    for i, words in enumerate(bases[:70]):
        for _ in range(1 + (i % 2)):
            planted.append((" ".join(edit(words, rng.choice([0.004, 0.008, 0.02, 0.03]))), "near"))
    for words in bases[70:110]:
        planted.append((" ".join(edit(words, 0.15)), "far"))
    for _ in range(120):
        planted.append((" ".join(doc(rng.randint(20, 200))), "unrelated"))
    rng.shuffle(planted)
    # Near copies go after all bases: the second half of a2.jsonl and b.jsonl, and text files.
    texts = []
    for k, item in enumerate(planted):
        if k % 10 == 0 and item[1] != "unrelated":
            texts.append(item)
        else:
            slots[order[1 + k % 2]].append(item)
    docs = []
    os.makedirs(os.path.join(d, "t"), exist_ok=True)
    for source, name in order:
        with open(os.path.join(d, name), "w", encoding="utf-8") as f:
            for line, (text, kind) in enumerate(slots[(source, name)], start=1):
                f.write(json.dumps({"text": text}) + "\n")
                docs.append({"source": source, "file": os.path.join(d, name), "line": line, "text": text, "kind": kind})
    for k, (text, kind) in enumerate(texts):
        path = os.path.join(d, "t", f"doc{k:03d}.txt")
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        docs.append({"source": "t", "file": path, "line": None, "text": text, "kind": kind})
    return docs


def write_manifest(d, near, name):
    m = {"name": "m", "seed": 1,
         "sources": [{"name": "a", "paths": ["a1.jsonl", "a2.jsonl"], "license": "test"},
                     {"name": "b", "paths": ["b.jsonl"], "license": "test"},
                     {"name": "t", "paths": ["t"], "format": "text", "license": "test"}],
         "output": {"dir": "out", "shard_tokens": 1000000, "ctx_len": 512}, "near_dedup": near}
    path = os.path.join(d, name)
    with open(path, "w") as f:
        json.dump(m, f)
    return path


def build(args, manifest, out, *extra):
    cmd = [args.rwkvkit, "build", "--manifest", manifest, "--out", out, "--vocab", args.vocab, "--no-progress", *extra]
    r = subprocess.run(cmd, capture_output=True, text=True)
    return r


def load(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def main():
    ap = testlib.arg_parser(__doc__)
    args = ap.parse_args()
    if testlib.missing_setup(args.vocab):
        return 2
    check = testlib.Checks()  # FAIL lines on stderr, counted

    with tempfile.TemporaryDirectory(prefix="rwkvkit_dedup_report_") as d:
        docs = make_corpus(d)
        sh = [shingles(x["text"]) for x in docs]
        index = {(x["file"], x["line"]): i for i, x in enumerate(docs)}
        manifest = write_manifest(d, {"threshold": 0.8}, "manifest.json")
        runs = {}
        for threads in (1, 2):
            out, rep = os.path.join(d, f"out{threads}"), os.path.join(d, f"report{threads}.jsonl")
            r = build(args, manifest, out, "--threads", str(threads), "--dedup-report", rep)
            if r.returncode != 0:
                print(r.stderr)
                return 1
            runs[threads] = (load(rep), load(os.path.join(out, "build.json")))
            check(not os.path.exists(rep + ".tmp"), "the report's temporary file is left over")
        check(runs[1][0] == runs[2][0], "the report differs between --threads 1 and 2")
        untimed = [{k: v for k, v in json.loads(runs[t][1]).items() if k != "timing"} for t in (1, 2)]
        check(untimed[0] == untimed[1], "build.json (its timing aside) differs between --threads 1 and 2")
        report = [json.loads(line) for line in runs[1][0].splitlines()]
        bj = json.loads(runs[1][1])

        removed = {}
        for e in report:
            key = (e["file"], e["line"])
            check(key in index, f"report names an unknown document {key}")
            check(key not in removed, f"document {key} reported twice")
            kept = (e["kept"]["file"], e["kept"]["line"])
            check(kept in index, f"report names an unknown kept document {kept}")
            if key not in index or kept not in index:
                continue
            i, k = index[key], index[kept]
            removed[key] = e
            check(e["source"] == docs[i]["source"] and e["kept"]["source"] == docs[k]["source"],
                  f"wrong source names in {e}")
            check(k < i, f"kept document {kept} does not come before {key}")
            exact = jaccard(sh[i], sh[k])
            sd = math.sqrt(max(exact * (1 - exact), 0.01) / 112)
            check(exact >= 0.6, f"{key} and {kept}: exact Jaccard {exact:.3f} is no near duplicate")
            check(abs(e["jaccard"] - exact) <= 4.5 * sd,
                  f"{key} and {kept}: estimate {e['jaccard']} vs exact {exact:.3f} (sd {sd:.3f})")
        for e in report:
            kept = (e["kept"]["file"], e["kept"]["line"])
            check(kept not in removed, f"kept document {kept} is itself removed")

        n_high = 0
        for i, x in enumerate(docs):
            key = (x["file"], x["line"])
            best = max((jaccard(sh[i], sh[j]) for j in range(i) if x["kind"] == "near"), default=0.0)
            if best >= 0.9:
                n_high += 1
                check(key in removed, f"{key} has exact Jaccard {best:.3f} to an earlier document but was kept")
            if x["kind"] in ("far", "unrelated") or x["kind"] == "base":
                check(key not in removed, f"{key} ({x['kind']}) was removed")
        check(n_high >= 30, f"only {n_high} planted copies with Jaccard >= 0.9: too few to test recall")

        by_source = {}
        for e in report:
            by_source[e["source"]] = by_source.get(e["source"], 0) + 1
        check(bj["near_dedup"]["documents_removed"] == len(report), "near_dedup.documents_removed != report lines")
        for s in bj["sources"]:
            got = s["counts"]["dropped"].get("near_duplicate", 0)
            check(got == by_source.get(s["name"], 0), f"source {s['name']}: {got} near_duplicate drops in build.json")
        check(bj["output"]["documents"] == len(docs) - len(report), "the shards do not hold the other documents")
        check(bj["options"]["near_dedup"] is True, "build.json does not record near-dedup")
        cross = sum(1 for e in report if e["source"] != e["kept"]["source"])
        check(cross > 0 and any(e["line"] is None for e in report), "the corpus did not test cross-source/text rows")

        # The manifest's near_dedup object, and the flag over it.
        off = write_manifest(d, {"enabled": False, "threshold": 0.95}, "manifest_off.json")
        r = build(args, off, os.path.join(d, "off"))
        check(r.returncode == 0, f"manifest with enabled false: {r.stderr}")
        boff = json.loads(load(os.path.join(d, "off", "build.json")))
        check(boff["options"]["near_dedup"] is False and "near_dedup" not in boff and
              boff["output"]["documents"] == len(docs), "near_dedup.enabled false did not turn near-dedup off")
        r = build(args, off, os.path.join(d, "on95"), "--near-dedup", "on", "--dedup-report", os.path.join(d, "r95"))
        check(r.returncode == 0, f"--near-dedup on over the manifest: {r.stderr}")
        b95 = json.loads(load(os.path.join(d, "on95", "build.json")))
        check(b95["options"]["minhash"]["threshold"] == 0.95, "the manifest's threshold is not in build.json")
        n95 = b95["near_dedup"]["documents_removed"]
        check(0 < n95 < len(report), f"threshold 0.95 removed {n95}, 0.8 removed {len(report)}")

        r = build(args, manifest, os.path.join(d, "nodir"), "--dedup-report", os.path.join(d, "no", "such", "r.jsonl"))
        check(r.returncode != 0 and "no such directory for --dedup-report" in r.stderr and
              not os.path.exists(os.path.join(d, "nodir", "build.json")),
              f"a report in a missing directory: exit {r.returncode}, {r.stderr.strip()}")
        r = build(args, manifest, os.path.join(d, "bad"), "--near-dedup", "off", "--dedup-report", os.path.join(d, "x"))
        check(r.returncode != 0 and "--dedup-report needs near-dedup on" in r.stderr,
              f"--dedup-report with near-dedup off: exit {r.returncode}, {r.stderr.strip()}")

        if not check.failures:
            print(f"ok: {len(report)} of {len(docs)} documents removed ({cross} across sources), every pair a near "
                  f"duplicate by exact Jaccard, all {n_high} planted copies with Jaccard >= 0.9 removed, same "
                  f"report for 1 and 2 threads; threshold 0.95 removes {n95}")
    return 1 if check.failures else 0


if __name__ == "__main__":
    sys.exit(main())
