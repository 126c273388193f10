#!/usr/bin/env python3
"""tests/corpus/build/build_end_to_end_test.py — `rwkvkit build` checked by independent parts.

Runs `rwkvkit build` on a JSONL corpus (the demo corpus), reads every shard with the
independent numpy binidx reader (tests/golden/binidx_numpy_reader.py, written from the format
spec), decodes every document with the official tokenizer (`rwkv` package, TRIE_TOKENIZER),
and requires the documents to equal the input texts normalized by this file's own Python
implementation of the rules (BOM, CR LF / CR, control characters, NFC), exact duplicates
removed (first occurrence wins), empty texts dropped, in input order. Near-dedup is on (the
default): the demo corpus has no near duplicates at Jaccard 0.8, so this file plants some, as
copies appended after the corpus of every 4th English document of at least 300 words, with one
word in the middle replaced (exact Jaccard of the word 5-grams (n-5)/(n+5) >= 0.96); the
--dedup-report must list exactly those copies, each with its original as the kept document, and
the shards must hold everything else. It also re-counts build.json's totals. Standard library +
numpy + the rwkv package.
"""

import json
import os
import re
import subprocess
import sys
import tempfile
import unicodedata

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
import testlib  # noqa: E402

CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def normalize(text):
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = CONTROLS.sub("", text)
    text = text.lstrip("\ufeff")
    return unicodedata.normalize("NFC", text)


def plant_near_copies(corpus, path):
    """Writes corpus + near copies to path; returns {copy line: original line} (1-based)."""
    with open(corpus, encoding="utf-8") as f:
        lines = f.read().splitlines()
    planted, extra, eligible = {}, [], 0
    for i, line in enumerate(lines, start=1):
        rec = json.loads(line)
        words = rec["text"].split(" ")
        if rec.get("lang") != "en" or len(words) < 300:
            continue
        eligible += 1
        if eligible % 4:
            continue
        words[len(words) // 2] = "zqxjv"
        extra.append(json.dumps({"text": " ".join(words)}, ensure_ascii=False))
        planted[len(lines) + len(extra)] = i
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(lines + extra) + "\n")
    return planted


def check_report(report, planted, corpus, build):
    """The --dedup-report names exactly the planted copies, each with its original kept."""
    failures = 0
    got = {}
    for e in report:
        if e["file"] != corpus or e["kept"]["file"] != corpus or e["line"] in got or not 0.8 <= e["jaccard"] <= 1:
            print(f"FAIL report line {e}: wrong file, repeated, or estimate below the threshold")
            failures += 1
        got[e["line"]] = e["kept"]["line"]
    if got != planted:
        missing = sorted(set(planted) - set(got))[:5]
        extra = sorted(set(got) - set(planted))[:5]
        wrong = sorted(k for k in set(got) & set(planted) if got[k] != planted[k])[:5]
        print(f"FAIL report: {len(got)} removed, {len(planted)} planted; missing {missing}, not planted {extra}, "
              f"wrong kept document {wrong}")
        failures += 1
    if build["near_dedup"]["documents_removed"] != len(report):
        print(f"FAIL build.json near_dedup.documents_removed = {build['near_dedup']['documents_removed']}, "
              f"report lines {len(report)}")
        failures += 1
    return failures


def main():
    ap = testlib.arg_parser(__doc__)
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--numpy-reader", required=True)
    args = ap.parse_args()
    if testlib.missing_setup(args.vocab, args.corpus, args.numpy_reader):
        return 2
    reader = testlib.load_module(args.numpy_reader)
    from rwkv.rwkv_tokenizer import TRIE_TOKENIZER
    ref = TRIE_TOKENIZER(args.vocab)

    with tempfile.TemporaryDirectory(prefix="rwkvkit_e2e_") as tmp:
        corpus, out = os.path.join(tmp, "corpus.jsonl"), os.path.join(tmp, "out")
        planted = plant_near_copies(args.corpus, corpus)
        expected, seen = [], set()  # (line, text)
        with open(corpus, encoding="utf-8") as f:
            for line_no, line in enumerate(f, start=1):
                text = normalize(json.loads(line)["text"])
                if text and text not in seen:
                    seen.add(text)
                    expected.append((line_no, text))
        report_path = os.path.join(tmp, "near_duplicates.jsonl")
        subprocess.run([args.rwkvkit, "build", "--input", corpus, "--out", out, "--name", "e2e", "--shard-tokens",
                        "1500000", "--vocab", args.vocab, "--no-progress", "--dedup-report", report_path], check=True)
        with open(os.path.join(out, "build.json"), encoding="utf-8") as f:
            build = json.load(f)
        with open(report_path, encoding="utf-8") as f:
            report = [json.loads(line) for line in f]
        docs, tokens = [], 0
        for shard in build["shards"]:
            for seq in reader.read_shard(os.path.join(out, shard["name"])):
                ids = [int(x) for x in seq]
                if not ids or ids[-1] != 0 or 0 in ids[:-1]:
                    print(f"FAIL {shard['name']}: a document does not end with exactly one token 0")
                    return 1
                tokens += len(ids)
                docs.append(ref.decodeBytes(ids[:-1]).decode("utf-8"))
    failures = check_report(report, planted, corpus, build)
    expected = [text for line_no, text in expected if line_no not in planted]
    if len(docs) != len(expected):
        print(f"FAIL: {len(docs)} documents in the shards, {len(expected)} expected")
        failures += 1
    for i, (got, want) in enumerate(zip(docs, expected)):
        if got != want:
            k = next(j for j in range(min(len(got), len(want)) + 1) if j >= min(len(got), len(want)) or got[j] != want[j])
            print(f"FAIL document {i}: differs at character {k}: got {got[k:k+40]!r}, want {want[k:k+40]!r}")
            failures += 1
            if failures > 5:
                break
    total = build["output"]
    checks = [("output.documents", total["documents"], len(docs)), ("output.tokens", total["tokens"], tokens),
              ("training.my_exit_tokens", build["training"]["my_exit_tokens"], tokens),
              ("total.documents_written", build["total"]["documents_written"], len(expected))]
    for name, got, want in checks:
        if got != want:
            print(f"FAIL build.json {name} = {got}, recounted {want}")
            failures += 1
    if not failures:
        print(f"ok: {len(docs)} documents, {tokens} tokens in {len(build['shards'])} shards equal the normalized, "
              f"deduplicated input decoded with the reference tokenizer; the {len(planted)} planted near copies, "
              f"and only they, were removed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
