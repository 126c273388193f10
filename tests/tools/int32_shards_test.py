#!/usr/bin/env python3
"""ctest int32_shards: `rwkvkit inspect` and `rwkvkit stats` on int32 binidx shards (dtype code 4,
what Megatron's preprocess_data.py, json2binidx and datatrove write for vocabs of 65,500+ ids).

A small multi-shard build is rewritten as int32 by an independent writer
(tests/golden/binidx_numpy_writer.py, from docs/formats/binidx.md) into a copy of the build
directory (build.json's byte counts and hashes updated for the new files). Then:
  - inspect on each int32 shard reports the documents and tokens of the uint16 original, 4
    bytes per token, every document ending with 0;
  - inspect on the int32 directory passes once build.json carries the new files' sizes and
    XXH3-128 (taken from inspect's own report of the mismatch, which must name every shard);
  - stats on the int32 directory writes a report.json equal to the uint16 build's;
  - an int32 id above 65535 is named with its file and byte offset.
"""

import json
import os
import shutil
import sys
import tempfile

import numpy as np

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import testlib  # noqa: E402
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "golden"))
import binidx_numpy_reader as reader  # noqa: E402


def main():
    ap = testlib.arg_parser(__doc__)
    args = ap.parse_args()
    rk = args.rwkvkit
    with tempfile.TemporaryDirectory(prefix="rwkvkit_int32_") as tmp:
        src = os.path.join(tmp, "in.jsonl")
        with open(src, "w", encoding="utf-8") as f:
            for i in range(300):
                f.write(json.dumps({"text": f"Document {i}: " + "Grüße aus Köln, 東京 and ∑ " * (1 + i % 17)},
                                   ensure_ascii=False) + "\n")
        u16 = os.path.join(tmp, "u16")
        testlib.run_expect([rk, "build", "--input", src, "--out", u16, "--name", "c", "--shard-tokens", "8000", "--near-dedup", "off",
             "--no-progress", "--vocab", args.vocab])
        build = json.load(open(os.path.join(u16, "build.json")))
        assert len(build["shards"]) >= 2, build["shards"]
        i32 = os.path.join(tmp, "i32")
        os.makedirs(i32)
        for s in build["shards"]:
            docs = reader.read_shard(os.path.join(u16, s["name"]))
            testlib.write_binidx(os.path.join(i32, s["name"]), docs, np.int32)
            one = json.loads(testlib.run_expect([rk, "inspect", os.path.join(i32, s["name"]), "--json"]).stdout)
            assert (one["documents"], one["tokens"]) == (s["documents"], s["tokens"]), (one, s)
            assert one["bin_bytes"] == 4 * s["tokens"] and one["documents_not_ending_with_0"] == 0, one
            s["bin_bytes"], s["idx_bytes"] = one["bin_bytes"], one["idx_bytes"]
        # inspect reports each .bin's XXH3-128 next to the mismatch; take them from its JSON.
        json.dump(build, open(os.path.join(i32, "build.json"), "w"))
        res = testlib.run_expect([rk, "inspect", i32, "--json"], code=1)
        report = json.loads(res.stdout)
        assert all(f"{s['name']}.bin: XXH3-128 differs" in res.stderr for s in build["shards"]), res.stderr
        for s, got in zip(build["shards"], report["shards"]):
            s["xxh3_128"] = got["xxh3_128"]
        json.dump(build, open(os.path.join(i32, "build.json"), "w"))
        testlib.run_expect([rk, "inspect", i32])
        # stats: the same report from int32 shards as from the uint16 build.
        reports = {}
        for name, d in (("u16", u16), ("i32", i32)):
            out = os.path.join(tmp, f"report_{name}")
            testlib.run_expect([rk, "stats", d, "--out", out, "--vocab", args.vocab, "--quiet"])
            reports[name] = json.load(open(os.path.join(out, "report.json")))
        for key in ("build", "path", "build_dir"):
            for r in reports.values():
                r.pop(key, None)
        assert reports["u16"] == reports["i32"], "stats differ between uint16 and int32 shards"
        # An id outside the World vocab is named with its byte offset.
        bad = os.path.join(tmp, "bad")
        testlib.write_binidx(bad, [[1, 2, 0], [70000]], np.int32)  # inspect reads each document's last id
        r = testlib.run_expect([rk, "inspect", bad], code=1)
        assert "bad.bin@12: token id 70000 does not fit the 65,536-id World vocab" in r.stderr, r.stderr
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
