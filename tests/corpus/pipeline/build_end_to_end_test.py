#!/usr/bin/env python3
"""tests/corpus/pipeline/build_end_to_end_test.py — `rwkvkit build` checked by independent parts.

Runs `rwkvkit build` on a JSONL corpus (the demo corpus), reads every shard with the
independent numpy binidx reader (tests/golden/binidx_numpy_reader.py, written from the format
spec), decodes every document with the official tokenizer (`rwkv` package, TRIE_TOKENIZER),
and requires the documents to equal the input texts normalized by this file's own Python
implementation of the rules (BOM, CR LF / CR, control characters, NFC), exact duplicates
removed (first occurrence wins), empty texts dropped, in input order. It also re-counts
build.json's totals. Standard library + numpy + the rwkv package.
"""

import argparse
import importlib.util
import json
import os
import re
import subprocess
import sys
import tempfile
import unicodedata

CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def normalize(text):
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = CONTROLS.sub("", text)
    text = text.lstrip("\ufeff")
    return unicodedata.normalize("NFC", text)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rwkvkit", required=True)
    ap.add_argument("--vocab", required=True)
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--numpy-reader", required=True)
    args = ap.parse_args()
    for p in (args.vocab, args.corpus, args.numpy_reader):
        if not os.path.exists(p):
            print(f"missing {p}: run tools/setup.sh", file=sys.stderr)
            return 2
    spec = importlib.util.spec_from_file_location("binidx_numpy_reader", args.numpy_reader)
    reader = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(reader)
    from rwkv.rwkv_tokenizer import TRIE_TOKENIZER
    ref = TRIE_TOKENIZER(args.vocab)

    expected, seen = [], set()
    with open(args.corpus, encoding="utf-8") as f:
        for line in f:
            text = normalize(json.loads(line)["text"])
            if text and text not in seen:
                seen.add(text)
                expected.append(text)

    with tempfile.TemporaryDirectory(prefix="rwkvkit_e2e_") as out:
        subprocess.run([args.rwkvkit, "build", "--input", args.corpus, "--out", out, "--name", "e2e", "--shard-tokens",
                        "1500000", "--vocab", args.vocab, "--no-progress"], check=True)
        with open(os.path.join(out, "build.json"), encoding="utf-8") as f:
            build = json.load(f)
        docs, tokens = [], 0
        for shard in build["shards"]:
            for seq in reader.read_shard(os.path.join(out, shard["name"])):
                ids = [int(x) for x in seq]
                if not ids or ids[-1] != 0 or 0 in ids[:-1]:
                    print(f"FAIL {shard['name']}: a document does not end with exactly one token 0")
                    return 1
                tokens += len(ids)
                docs.append(ref.decodeBytes(ids[:-1]).decode("utf-8"))
    failures = 0
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
              f"deduplicated input decoded with the reference tokenizer")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
