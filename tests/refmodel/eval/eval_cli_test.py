#!/usr/bin/env python3
"""tests/refmodel/eval/eval_cli_test.py — `rwkvkit eval` as a user runs it.

Writes the fixture documents (tests/refmodel/fixtures/expected.json, and expected_v7.json for the
RWKV-7 files) as a binidx shard (testlib.write_binidx, the independent numpy writer written from
docs/formats/binidx.md) next to a build.json that names two sources,
runs `rwkvkit eval --model <fixture> --data <dir> --nll-out`, and checks: the --nll-out lines
equal the official package's per-target NLL (1e-5), the JSON summary line's documents, tokens,
mean NLL, perplexity and bits per byte follow from those NLLs and the vocab's token lengths,
and the per-source numbers split the totals. Also: --device cuda runs or is a clear error (a
failure when RWKVKIT_REQUIRE_GPU=1 says the machine has a GPU), --dtype bf16 on cpu is a clear
error.
"""

import json
import math
import os
import sys
import tempfile

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
import testlib  # noqa: E402


def token_lengths(vocab_path):
    lengths = {0: 0}
    with open(vocab_path, encoding="utf-8") as f:
        for line in f:
            lengths[int(line[:line.index(" ")])] = int(line[line.rindex(" "):])
    return lengths


def main():
    ap = testlib.arg_parser(__doc__)
    ap.add_argument("--fixtures", required=True)
    args = ap.parse_args()
    if testlib.missing_setup(args.vocab):
        return 2
    expected = json.load(open(os.path.join(args.fixtures, "expected.json")))
    docs = [d + [0] for d in expected["documents"]]
    lengths = token_lengths(args.vocab)
    check = testlib.Checks(verbose=True)
    with tempfile.TemporaryDirectory(prefix="rwkvkit_evalcli_") as tmp:
        testlib.write_binidx(os.path.join(tmp, "fx_00000"), docs)
        testlib.write_build_json(os.path.join(tmp, "build.json"), ["short", "long"], [("fx_00000", 3, [[0, 2], [1, 1]])])
        for model in ("v5_bf16.pth", "v6_fp16.pth"):
            nll_path = os.path.join(tmp, "nll.jsonl")
            r = testlib.run([args.rwkvkit, "eval", "--model", os.path.join(args.fixtures, model), "--data", tmp,
                             "--nll-out", nll_path, "--vocab", args.vocab, "--window", "5"], text=True)
            if not check(r.returncode == 0, f"{model}: exit {r.returncode}: {r.stderr}"):
                continue
            summary = json.loads(r.stdout.strip().splitlines()[-1])
            got = [json.loads(line) for line in open(nll_path)]
            want = [d["nll_seq"] for d in expected["files"][model]["docs"]]
            tol = 4e-5 if model == "v6_fp16.pth" else 1e-5  # see official_package_test.cc
            worst = max(abs(a - b) for g, w in zip(got, want) for a, b in zip(g, w))
            check(len(got) == len(want) and all(len(g) == len(w) for g, w in zip(got, want)) and worst <= tol,
                  f"{model}: --nll-out equals the rwkv package's NLL (max |dNLL| {worst:.2e})")
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
                check(a == b if isinstance(b, int) else abs(a - b) <= 1e-6 * max(1, abs(b)),
                      f"{model}: summary {name} = {a}, expected {b}")
            print(f"     {model}: perplexity {t['perplexity']:.3f}")
        # RWKV-7: the x070 fixtures' own documents and numbers (expected_v7.json), the version named
        v7 = json.load(open(os.path.join(args.fixtures, "expected_v7.json")))
        v7_dir = os.path.join(tmp, "v7")
        os.makedirs(v7_dir)
        testlib.write_binidx(os.path.join(v7_dir, "fx7"), [d + [0] for d in v7["documents"]])
        for model, key in (("v7_fp16.pth", "v7_fp16.pth"), ("v7_bf16.safetensors", "v7_bf16.pth")):
            nll_path = os.path.join(tmp, "nll7.jsonl")
            r = testlib.run([args.rwkvkit, "eval", "--model", os.path.join(args.fixtures, model), "--data",
                             os.path.join(v7_dir, "fx7"), "--nll-out", nll_path, "--vocab", args.vocab,
                             "--window", "16"], text=True)
            if not check(r.returncode == 0, f"{model}: exit {r.returncode}: {r.stderr}"):
                continue
            summary = json.loads(r.stdout.strip().splitlines()[-1])
            got = [json.loads(line) for line in open(nll_path)]
            want = [d["nll_seq"] for d in v7["files"][key]["docs"]]
            worst = max(abs(a - b) for g, w in zip(got, want) for a, b in zip(g, w))
            check(len(got) == len(want) and all(len(g) == len(w) for g, w in zip(got, want)) and worst <= 1e-5,
                  f"{model}: --nll-out equals the rwkv package's NLL (max |dNLL| {worst:.2e})")
            check(summary.get("version") == "7.0", f"{model}: summary version {summary.get('version')!r}, expected '7.0'")
        # --device cuda either runs (a GPU is present; tests/refmodel/cuda checks its numbers) or
        # says why not (built without CUDA, or no CUDA device).
        for extra, what in ((["--device", "cuda"], "CUDA"), (["--dtype", "bf16"], "fp32")):
            r = testlib.run([args.rwkvkit, "eval", "--model", os.path.join(args.fixtures, "v5_bf16.pth"), "--data", tmp,
                             "--vocab", args.vocab] + extra, text=True)
            if extra[0] == "--device" and r.returncode == 0:
                continue
            if extra[0] == "--device" and os.environ.get("RWKVKIT_REQUIRE_GPU", "0") not in ("", "0"):
                check.fail(f"--device cuda on a machine that must have a GPU (RWKVKIT_REQUIRE_GPU): exit {r.returncode}, "
                           f"stderr {r.stderr!r}")
                continue
            check(r.returncode != 0 and what in r.stderr, f"{' '.join(extra)} is a clear error: exit {r.returncode}, "
                  f"stderr {r.stderr!r}")
    return check.finish("eval_cli_test")


if __name__ == "__main__":
    sys.exit(main())
