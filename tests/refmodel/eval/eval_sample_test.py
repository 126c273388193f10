#!/usr/bin/env python3
"""tests/refmodel/eval/eval_sample_test.py — `rwkvkit eval --max-docs / --docs-per-source`,
its progress line, and int32 shards.

Two shards of 40 documents in three sources (a 20, b 15, c 5), each a different length so an
--nll-out line names its document; a full run gives every NLL. Then: --max-docs 8 picks 4/3/1
(largest remainder), reports them under "sample", evaluates exactly those (same NLL, shard order),
same seed same sample, another seed another; --docs-per-source K picks min(K, size) per source (a
larger K keeps a smaller K's choice), 100 / --max-docs 1000 take all, both flags together exit 2;
stderr has the progress line unless --no-progress; the shards written as int32 (dtype code 4,
tests/golden/binidx_numpy_writer.py) give byte-identical --nll-out and summary.
"""

import json
import os
import random
import shutil
import sys
import tempfile

import numpy as np

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
import testlib  # noqa: E402

SOURCES = ["a", "b", "c"]
# (shard, [(source index, documents)])
LAYOUT = [("fx_00000", [(0, 20), (1, 5)]), ("fx_00001", [(1, 10), (2, 5)])]


def make_dir(root, dtype):
    os.makedirs(root)
    testlib.write_sourced_shards(root, LAYOUT, SOURCES, random.Random(7), dtype)


def run(args, data, *extra, code=0):
    nll = os.path.join(os.path.dirname(data), "nll.jsonl")
    r = testlib.run([args.rwkvkit, "eval", "--model", args.model, "--data", data, "--vocab", args.vocab,
                     "--nll-out", nll, *extra], text=True)
    assert r.returncode == code, f"{extra}: exit {r.returncode}, expected {code}\n{r.stderr}"
    if code:
        return r, None, None
    lines = [json.loads(l) for l in open(nll)]
    return r, json.loads(r.stdout.strip().splitlines()[-1]), lines


def source_of_length(n):  # documents are numbered by length: length 2 is the first
    i = n - 2 - 1  # the target count is the length including the final 0; docs start at 2 tokens + 0
    bounds = [(0, 20, "a"), (20, 25, "b"), (25, 35, "b"), (35, 40, "c")]
    return next(s for lo, hi, s in bounds if lo <= i < hi)


def main():
    ap = testlib.arg_parser(__doc__)
    ap.add_argument("--model", required=True)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="rwkvkit_evalsample_") as tmp:
        d16 = os.path.join(tmp, "u16", "data")
        make_dir(d16, np.uint16)
        r, full, full_lines = run(args, d16, "--no-progress")
        assert r.stderr == "", r.stderr
        assert full["total"]["documents"] == 40 and "sample" not in full, full
        by_len = {len(l): l for l in full_lines}
        assert len(by_len) == 40

        def check_sample(extra, want_counts):
            r, summary, lines = run(args, d16, "--no-progress", *extra)
            got = {}
            for l in lines:
                assert by_len[len(l)] == l, "a sampled document's NLL differs from the full run"
                got[source_of_length(len(l))] = got.get(source_of_length(len(l)), 0) + 1
            assert got == want_counts, (extra, got, want_counts)
            assert [len(l) for l in lines] == sorted(len(l) for l in lines), "not in shard order"
            assert summary["sample"]["documents"] == want_counts, summary
            assert {k: v["documents"] for k, v in summary["sources"].items()} == want_counts, summary
            assert summary["total"]["documents"] == sum(want_counts.values())
            return [len(l) for l in lines]

        s1 = check_sample(["--max-docs", "8", "--seed", "1"], {"a": 4, "b": 3, "c": 1})
        assert check_sample(["--max-docs", "8", "--seed", "1"], {"a": 4, "b": 3, "c": 1}) == s1, "same seed, other sample"
        s2 = check_sample(["--max-docs", "8", "--seed", "2"], {"a": 4, "b": 3, "c": 1})
        assert s1 != s2, "another seed gave the same sample"
        per = check_sample(["--docs-per-source", "5", "--seed", "1"], {"a": 5, "b": 5, "c": 5})
        check_sample(["--docs-per-source", "100"], {"a": 20, "b": 15, "c": 5})
        check_sample(["--max-docs", "1000"], {"a": 20, "b": 15, "c": 5})
        # Within a source, a larger K keeps what a smaller K chose.
        small = check_sample(["--docs-per-source", "2", "--seed", "1"], {"a": 2, "b": 2, "c": 2})
        assert set(small) <= set(per), (small, per)
        r, _, _ = run(args, d16, "--max-docs", "3", "--docs-per-source", "2", code=2)
        assert "not both" in r.stderr, r.stderr
        # Progress on stderr (not a TTY: the final line at least).
        r, _, lines = run(args, d16, "--max-docs", "8")
        targets = sum(len(l) for l in lines)  # the total the ETA is computed from, known before the run
        assert f"eval: {targets}/{targets} tokens (100%), 8 docs" in r.stderr and "done" in r.stderr, r.stderr
        # int32 shards: the same documents, the same numbers.
        d32 = os.path.join(tmp, "i32", "data")
        make_dir(d32, np.int32)
        with open(os.path.join(d32, "fx_00000.idx"), "rb") as f:
            assert f.read()[17] == 4
        r, full32, lines32 = run(args, d32, "--no-progress")
        assert lines32 == full_lines, "int32 shards give other NLLs"
        assert full32["total"] == full["total"] and full32["sources"] == full["sources"], (full32, full)
        shutil.rmtree(tmp, ignore_errors=True)
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
