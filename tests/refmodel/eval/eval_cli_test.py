#!/usr/bin/env python3
"""tests/refmodel/eval/eval_cli_test.py — `rwkvkit eval` as a user runs it.

Writes the fixture documents (tests/refmodel/fixtures/expected.json, and expected_v7.json for the
RWKV-7 files) as a binidx shard with a
tiny writer of its own (from docs/formats/binidx.md) next to a build.json that names two sources,
runs `rwkvkit eval --model <fixture> --data <dir> --nll-out`, and checks: the --nll-out lines
equal the official package's per-target NLL (1e-5), the JSON summary line's documents, tokens,
mean NLL, perplexity and bits per byte follow from those NLLs and the vocab's token lengths,
and the per-source numbers split the totals. Also: --device cuda runs or is a clear error (a
failure when RWKVKIT_REQUIRE_GPU=1 says the machine has a GPU), --dtype bf16 on cpu is a clear
error. Standard library only.
"""

import argparse
import json
import math
import os
import struct
import subprocess
import sys
import tempfile


def write_shard(prefix, docs):
    sizes = [len(d) for d in docs]
    with open(prefix + ".bin", "wb") as f:
        for d in docs:
            f.write(struct.pack(f"<{len(d)}H", *d))
    pointers, off = [], 0
    for n in sizes:
        pointers.append(off)
        off += 2 * n
    with open(prefix + ".idx", "wb") as f:
        f.write(b"MMIDIDX\x00\x00" + struct.pack("<QBQQ", 1, 8, len(docs), len(docs) + 1))
        f.write(struct.pack(f"<{len(sizes)}i", *sizes))
        f.write(struct.pack(f"<{len(pointers)}q", *pointers))
        f.write(struct.pack(f"<{len(docs) + 1}q", *range(len(docs) + 1)))


def write_build_json(path, source_names, shards):
    """A build.json as `rwkvkit build` writes it (docs/formats/build_json.md), with the fields
    the stats reader requires; `shards` is [(name, documents, source_runs)]."""
    counts = {"files": 1, "documents_read": 0, "documents_kept": 0, "documents_written": 0,
              "bytes_in": 0, "bytes_out": 0, "tokens": 0}
    build = {"corpus": "fx", "total": counts,
             "sources": [{"name": n, "counts": counts} for n in source_names],
             "shards": [{"name": n, "documents": d, "tokens": 0, "source_runs": runs} for n, d, runs in shards]}
    with open(path, "w") as f:
        json.dump(build, f)


def token_lengths(vocab_path):
    lengths = {0: 0}
    with open(vocab_path, encoding="utf-8") as f:
        for line in f:
            lengths[int(line[:line.index(" ")])] = int(line[line.rindex(" "):])
    return lengths


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rwkvkit", required=True)
    ap.add_argument("--vocab", required=True)
    ap.add_argument("--fixtures", required=True)
    args = ap.parse_args()
    if not os.path.exists(args.vocab):
        print(f"missing {args.vocab}: run tools/setup.sh", file=sys.stderr)
        return 2
    expected = json.load(open(os.path.join(args.fixtures, "expected.json")))
    docs = [d + [0] for d in expected["documents"]]
    lengths = token_lengths(args.vocab)
    failures = 0
    with tempfile.TemporaryDirectory(prefix="rwkvkit_evalcli_") as tmp:
        write_shard(os.path.join(tmp, "fx_00000"), docs)
        write_build_json(os.path.join(tmp, "build.json"), ["short", "long"], [("fx_00000", 3, [[0, 2], [1, 1]])])
        for model in ("v5_bf16.pth", "v6_fp16.pth"):
            nll_path = os.path.join(tmp, "nll.jsonl")
            r = subprocess.run([args.rwkvkit, "eval", "--model", os.path.join(args.fixtures, model), "--data", tmp,
                                "--nll-out", nll_path, "--vocab", args.vocab, "--window", "5"],
                               capture_output=True, text=True)
            if r.returncode != 0:
                print(f"FAIL {model}: exit {r.returncode}: {r.stderr}")
                failures += 1
                continue
            summary = json.loads(r.stdout.strip().splitlines()[-1])
            got = [json.loads(line) for line in open(nll_path)]
            want = [d["nll_seq"] for d in expected["files"][model]["docs"]]
            tol = 4e-5 if model == "v6_fp16.pth" else 1e-5  # see official_package_test.cc
            worst = max(abs(a - b) for g, w in zip(got, want) for a, b in zip(g, w))
            if len(got) != len(want) or any(len(g) != len(w) for g, w in zip(got, want)) or worst > tol:
                print(f"FAIL {model}: --nll-out differs from the rwkv package (max {worst:.2e})")
                failures += 1
            nll = sum(sum(g) for g in got)
            tokens = sum(len(g) for g in got)
            nbytes = sum(lengths[t] for d in docs for t in d)
            t = summary["total"]
            checks = [("documents", t["documents"], len(docs)), ("tokens", t["tokens"], tokens),
                      ("mean_nll", t["mean_nll"], nll / tokens), ("perplexity", t["perplexity"], math.exp(nll / tokens)),
                      ("bits_per_byte", t["bits_per_byte"], nll / math.log(2) / nbytes),
                      ("source short docs", summary["sources"]["short"]["documents"], 2),
                      ("source long tokens", summary["sources"]["long"]["tokens"], len(got[2]))]
            for name, a, b in checks:
                if (isinstance(b, int) and a != b) or (not isinstance(b, int) and abs(a - b) > 1e-6 * max(1, abs(b))):
                    print(f"FAIL {model}: summary {name} = {a}, expected {b}")
                    failures += 1
            print(f"ok   {model}: max |dNLL| vs rwkv package {worst:.2e}, perplexity {t['perplexity']:.3f}")
        # RWKV-7: the x070 fixtures' own documents and numbers (expected_v7.json), the version named
        v7 = json.load(open(os.path.join(args.fixtures, "expected_v7.json")))
        v7_dir = os.path.join(tmp, "v7")
        os.makedirs(v7_dir)
        write_shard(os.path.join(v7_dir, "fx7"), [d + [0] for d in v7["documents"]])
        for model, key in (("v7_fp16.pth", "v7_fp16.pth"), ("v7_bf16.safetensors", "v7_bf16.pth")):
            nll_path = os.path.join(tmp, "nll7.jsonl")
            r = subprocess.run([args.rwkvkit, "eval", "--model", os.path.join(args.fixtures, model), "--data",
                                os.path.join(v7_dir, "fx7"), "--nll-out", nll_path, "--vocab", args.vocab,
                                "--window", "16"], capture_output=True, text=True)
            if r.returncode != 0:
                print(f"FAIL {model}: exit {r.returncode}: {r.stderr}")
                failures += 1
                continue
            summary = json.loads(r.stdout.strip().splitlines()[-1])
            got = [json.loads(line) for line in open(nll_path)]
            want = [d["nll_seq"] for d in v7["files"][key]["docs"]]
            worst = max(abs(a - b) for g, w in zip(got, want) for a, b in zip(g, w))
            if len(got) != len(want) or any(len(g) != len(w) for g, w in zip(got, want)) or worst > 1e-5:
                print(f"FAIL {model}: --nll-out differs from the rwkv package (max {worst:.2e})")
                failures += 1
            if summary.get("version") != "7.0":
                print(f"FAIL {model}: summary version {summary.get('version')!r}, expected '7.0'")
                failures += 1
            print(f"ok   {model}: max |dNLL| vs rwkv package {worst:.2e}, version {summary.get('version')}")
        # --device cuda either runs (a GPU is present; tests/refmodel/cuda checks its numbers) or
        # says why not (built without CUDA, or no CUDA device).
        for extra, what in ((["--device", "cuda"], "CUDA"), (["--dtype", "bf16"], "fp32")):
            r = subprocess.run([args.rwkvkit, "eval", "--model", os.path.join(args.fixtures, "v5_bf16.pth"), "--data", tmp,
                                "--vocab", args.vocab] + extra, capture_output=True, text=True)
            if extra[0] == "--device" and r.returncode == 0:
                continue
            if extra[0] == "--device" and os.environ.get("RWKVKIT_REQUIRE_GPU", "0") not in ("", "0"):
                print(f"FAIL --device cuda on a machine that must have a GPU (RWKVKIT_REQUIRE_GPU): exit {r.returncode}, "
                      f"stderr {r.stderr!r}")
                failures += 1
                continue
            if r.returncode == 0 or what not in r.stderr:
                print(f"FAIL {' '.join(extra)}: exit {r.returncode}, stderr {r.stderr!r}")
                failures += 1
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
