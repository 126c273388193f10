#!/usr/bin/env python3
"""tests/refmodel/eval/eval_cli_errors_test.py — `rwkvkit eval` on bad weights, bad outputs and a
lying build.json, as a user meets them.

- NaN or Inf weights (a fixture checkpoint with one tensor overwritten): exit status 1 with a
  message naming the shard, document and source; --nll-out is not written (a file already there
  keeps its bytes) and no temporary is left.
- --nll-out naming a directory, or a file in a folder that does not exist: refused before any
  work (checked with a --model that does not exist: the --nll-out error comes first).
- build.json listing 10^12 documents for a 3-document shard: a warning naming the mismatch,
  totals as usual, no per-source numbers (it used to abort with bad_alloc).
- a successful run leaves only the --nll-out file (no temporaries).
Shards and build.json written by tests/testlib.py.
"""

import json
import os
import struct
import sys
import tempfile

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
import testlib  # noqa: E402


def with_tensor_filled(src, dst, name, bf16_bits):
    """Copies a bf16 safetensors file, every element of tensor `name` set to `bf16_bits`."""
    b = bytearray(open(src, "rb").read())
    n = struct.unpack("<Q", b[:8])[0]
    entry = json.loads(b[8:8 + n])[name]
    assert entry["dtype"] == "BF16"
    begin, end = (8 + n + o for o in entry["data_offsets"])
    b[begin:end] = struct.pack("<H", bf16_bits) * ((end - begin) // 2)
    open(dst, "wb").write(bytes(b))


def run(rwkvkit, vocab, *args):
    return testlib.run([rwkvkit, "eval", "--vocab", vocab, "--no-progress", *args], text=True)


def main():
    ap = testlib.arg_parser(__doc__)
    ap.add_argument("--fixtures", required=True)
    args = ap.parse_args()
    if testlib.missing_setup(args.vocab):
        return 2
    expected = json.load(open(os.path.join(args.fixtures, "expected.json")))
    docs = [d + [0] for d in expected["documents"]]
    good_model = os.path.join(args.fixtures, "v6_bf16.safetensors")
    check = testlib.Checks(verbose=True)

    with tempfile.TemporaryDirectory(prefix="rwkvkit_evalerr_") as tmp:
        data = os.path.join(tmp, "data")
        out = os.path.join(tmp, "out")
        os.mkdir(data)
        os.mkdir(out)
        testlib.write_binidx(os.path.join(data, "fx_00000"), docs)
        testlib.write_build_json(os.path.join(data, "build.json"), ["short", "long"], [("fx_00000", 3, [[0, 2], [1, 1]])])

        # NaN and Inf weights.
        for what, tensor, bits in (("NaN", "ln_out.weight", 0x7FC0), ("Inf", "head.weight", 0x7F80)):
            model = os.path.join(tmp, f"bad_{what}.safetensors")
            with_tensor_filled(good_model, model, tensor, bits)
            nll = os.path.join(out, "nll.jsonl")
            with open(nll, "w") as f:
                f.write("previous\n")
            r = run(args.rwkvkit, args.vocab, "--model", model, "--data", data, "--nll-out", nll)
            check(r.returncode == 1, f"{what} weights: exit status 1 (got {r.returncode}; stderr {r.stderr!r})")
            check("fx_00000.bin: document 0 (source short), target 0: the NLL is" in r.stderr,
                  f"{what} weights: the message names shard, document and source ({r.stderr.strip()!r})")
            check(open(nll).read() == "previous\n", f"{what} weights: the existing --nll-out file is untouched")
            check(sorted(os.listdir(out)) == ["nll.jsonl"], f"{what} weights: no temporary left ({os.listdir(out)})")

        # --nll-out that cannot be written: refused before the model is even read.
        for what, target in (("a directory", out), ("a missing folder", os.path.join(tmp, "nowhere", "nll.jsonl"))):
            r = run(args.rwkvkit, args.vocab, "--model", os.path.join(tmp, "no_such_model.pth"), "--data", data,
                    "--nll-out", target)
            check(r.returncode != 0 and "--nll-out" in r.stderr and "no_such_model" not in r.stderr,
                  f"--nll-out {what}: refused before any work (exit {r.returncode}, stderr {r.stderr.strip()!r})")
        check(sorted(os.listdir(tmp)) == sorted(["data", "out", "bad_NaN.safetensors", "bad_Inf.safetensors"])
              and sorted(os.listdir(out)) == ["nll.jsonl"], "--nll-out refused: no temporary left")

        # A build.json whose counts do not match the shard.
        lying = os.path.join(tmp, "lying")
        os.mkdir(lying)
        testlib.write_binidx(os.path.join(lying, "fx_00000"), docs)
        testlib.write_build_json(os.path.join(lying, "build.json"), ["short"], [("fx_00000", 10**12, [[0, 10**12]])])
        r = run(args.rwkvkit, args.vocab, "--model", good_model, "--data", lying)
        summary = json.loads(r.stdout.strip().splitlines()[-1]) if r.returncode == 0 and r.stdout.strip() else {}
        check(r.returncode == 0 and summary.get("total", {}).get("documents") == 3 and summary.get("sources") == {},
              f"lying build.json: totals without per-source numbers (exit {r.returncode}, stdout {r.stdout.strip()!r})")
        check("shard fx_00000 lists 1000000000000 documents" in r.stderr and "holds 3" in r.stderr,
              f"lying build.json: the warning names the mismatch ({r.stderr.strip()!r})")

        # A successful run leaves exactly its output.
        nll = os.path.join(out, "nll.jsonl")
        r = run(args.rwkvkit, args.vocab, "--model", good_model, "--data", data, "--nll-out", nll)
        lines = open(nll).read().splitlines()
        check(r.returncode == 0 and len(lines) == 3 and sorted(os.listdir(out)) == ["nll.jsonl"],
              f"good run: --nll-out replaced, 3 lines, no temporary (exit {r.returncode}, {os.listdir(out)})")
    return check.finish("eval_cli_errors_test")


if __name__ == "__main__":
    sys.exit(main())
