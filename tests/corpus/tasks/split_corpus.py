"""tests/corpus/tasks/split_corpus.py — a generated corpus whose build decisions cross input files.

Shared by the split-build tests. Three sources of several JSONL files each (one of them gzip;
an empty one in the middle and one at the very end), so that every read slice of a split build holds other files: exact duplicates of
the same text within a file, across files and across sources (the first in input order must
win); near duplicates (one word edited) of documents in earlier files, and documents with a few
words changed (LSH candidates that the Jaccard estimate often rejects); bad records (broken
JSON, a missing text key, an empty text); a source with weight 0.5 (a seeded sample) and one
with weight 2 (every document twice). digest_dir is testlib's, imported here for the split
tests. Standard library only.
"""

import gzip
import json
import os
import random
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
from testlib import digest_dir  # noqa: E402,F401

WORDS = ["alpha", "Grüße", "今日は", "данные", "token", "the", "of", "river", "stone", "مرحبا", "x" * 7, "λόγος"]


def _doc(rng, n):
    return [rng.choice(WORDS) for _ in range(n)]


def _edited(rng, history):
    """An earlier document with one word replaced: a near duplicate of it."""
    words = list(rng.choice(history))
    words[rng.randrange(len(words))] = "edited"
    return words


def _fresh(rng, lo, hi, history):
    """A new document of lo..hi words; long ones are kept in history for near duplicates."""
    words = _doc(rng, rng.randint(lo, hi))
    if len(words) >= 120:
        history.append(words)
    return words


def _write_manifest(root, name, manifest):
    path = os.path.join(root, name)
    with open(path, "w") as f:
        json.dump(manifest, f, indent=1)
    return path


def make_split_corpus(root, docs_per_file=300, seed=7):
    """Writes the corpus under root and returns the path of its manifest."""
    rng = random.Random(seed)
    os.makedirs(root, exist_ok=True)
    history = []  # earlier long documents, for near duplicates
    shared = [f"shared document number {k} " + " ".join(_doc(rng, 30)) for k in range(20)]
    sources = []
    for s, (name, files, weight) in enumerate([("web", 4, 1.0), ("books", 3, 0.5), ("code", 4, 2.0)]):
        paths = []
        for f in range(files):
            gz = name == "books" and f == 1
            path = os.path.join(root, f"{name}_{f}.jsonl" + (".gz" if gz else ""))
            lines = []
            empty = (name == "web" and f == 2) or (name == "code" and f == 3)  # in the middle, and last
            count = 0 if empty else docs_per_file
            for i in range(count):
                r = rng.random()
                if r < 0.08:
                    text = rng.choice(shared)  # exact duplicate across files and sources
                elif r < 0.16 and history:
                    text = " ".join(_edited(rng, history))
                elif r < 0.22 and history:
                    words = list(rng.choice(history))
                    for _ in range(len(words) // 40):  # similar, often a candidate, not always confirmed
                        words[rng.randrange(len(words))] = "changed"
                    text = " ".join(words)
                else:
                    text = " ".join(_fresh(rng, 5, 300, history)) + f" #{name}{f}.{i}"
                if i % 97 == 5:
                    lines.append("{broken json")
                    continue
                if i % 89 == 3:
                    lines.append(json.dumps({"id": i, "body": text}))
                    continue
                if i % 83 == 2:
                    text = ""
                lines.append(json.dumps({"id": i, "text": text}, ensure_ascii=False))
            data = ("\n".join(lines) + ("\n" if lines else "")).encode("utf-8")
            with open(path, "wb") as out:
                out.write(gzip.compress(data, mtime=0) if gz else data)
            paths.append(os.path.basename(path))
        sources.append({"name": name, "paths": paths, "format": "auto", "text_key": "text", "id_key": "id",
                        "language": None, "license": "test", "weight": weight})
    manifest = {"name": "split", "description": "split-build test corpus", "seed": 11, "sources": sources,
                "output": {"dir": "out", "shard_tokens": 40000, "ctx_len": 512}}
    return _write_manifest(root, "split.json", manifest)


def make_one_file_corpus(root, docs=1500, seed=5):
    """One large JSONL file (what a split build cuts into byte ranges): exact duplicates far
    apart, near duplicates, broken and over-long lines (build it with --max-record-bytes 4000;
    one line is 20,000 bytes), blank lines, and a last line without its newline. Returns the
    manifest's path."""
    rng = random.Random(seed)
    os.makedirs(root, exist_ok=True)
    history, lines = [], []
    shared = [" ".join(_doc(rng, 60)) + f" shared {k}" for k in range(10)]
    for i in range(docs):
        r = rng.random()
        if r < 0.1:
            text = rng.choice(shared)
        elif r < 0.2 and history:
            text = " ".join(_edited(rng, history))
        else:
            text = " ".join(_fresh(rng, 3, 250, history)) + f" #{i}"
        if i % 211 == 7:
            lines.append("{broken json")
        elif i % 301 == 9:
            lines.append("")
        elif i == docs // 2:
            lines.append(json.dumps({"text": "long " * 4000}))
        else:
            lines.append(json.dumps({"text": text}, ensure_ascii=False))
    with open(os.path.join(root, "big.jsonl"), "wb") as out:
        out.write("\n".join(lines).encode("utf-8"))  # the last line without its newline
    manifest = {"name": "big", "description": "one large file", "seed": 2,
                "sources": [{"name": "big", "paths": ["big.jsonl"], "format": "jsonl", "text_key": "text",
                             "language": None, "license": "test", "weight": 1.0}],
                "output": {"dir": "out", "shard_tokens": 30000, "ctx_len": 512}}
    return _write_manifest(root, "big.json", manifest)


def make_parquet_corpus(root, seed=9):
    """A Parquet source of three files (row groups of 40 rows) with near duplicates across them,
    so the --dedup-report names rows by row group. Needs pyarrow. Returns the manifest's path."""
    import pyarrow as pa
    import pyarrow.parquet as pq
    rng = random.Random(seed)
    os.makedirs(root, exist_ok=True)
    history, paths = [], []
    for f in range(3):
        texts = []
        for i in range(200):
            if history and rng.random() < 0.15:
                words = _edited(rng, history)
            else:
                words = _doc(rng, rng.randint(120, 200))
                history.append(words)
            texts.append(" ".join(words) + ("" if rng.random() < 0.1 else f" #{f}.{i}"))
        path = os.path.join(root, f"part_{f}.parquet")
        pq.write_table(pa.table({"text": texts}), path, row_group_size=40)
        paths.append(os.path.basename(path))
    manifest = {"name": "pq", "description": "split-build Parquet test corpus", "seed": 3,
                "sources": [{"name": "pq", "paths": paths, "format": "parquet", "text_key": "text",
                             "language": None, "license": "test", "weight": 1.0}],
                "output": {"dir": "out", "shard_tokens": 20000, "ctx_len": 512}}
    return _write_manifest(root, "pq.json", manifest)
