#!/usr/bin/env python3
"""tests/corpus/build/compressed_input_test.py — `rwkvkit build` on gzip, xz and misnamed input.

The demo corpus written by Python's own gzip module as a multi-member .jsonl.gz (one member
per 500 lines, as Dolma writes) and by its lzma module as .jsonl.xz (two concatenated
streams) must build shards byte-identical to the plain JSONL build. Formats are recognized by
content: the same bytes under a wrong name (gzip named .jsonl, xz named .jsonl.zst, plain
named .gz) build the same shards. Damaged files keep the records before the damage: a
truncated .gz / .xz and one with flipped bytes build the complete lines decoded before the
damage, name the file with an offset on stderr, and exit 0 unless --strict. bzip2 and zip
files are refused with a message listing the supported formats. Standard library only (the
oracles are gzip, lzma, bz2, zipfile).
"""

import bz2
import gzip
import io
import json
import lzma
import os
import sys
import tempfile
import zipfile

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
import testlib  # noqa: E402


def build(rwkvkit, vocab, inputs, out, extra=()):
    cmd = [rwkvkit, "build", "--vocab", vocab, "--out", out, "--name", "c", "--no-progress", "--threads", "2",
           "--near-dedup", "off"]
    for i in inputs:
        cmd += ["--input", i]
    return testlib.run(cmd + list(extra), text=True, timeout=600)


def shards(out):
    return {n: open(os.path.join(out, n), "rb").read() for n in sorted(os.listdir(out)) if n.endswith((".bin", ".idx"))}


def documents_read(out):
    with open(os.path.join(out, "build.json")) as f:
        return json.load(f)["total"]["documents_read"]


def gzip_members(data, lines_per_member):
    lines = data.splitlines(keepends=True)
    out = io.BytesIO()
    for i in range(0, len(lines), lines_per_member):
        out.write(gzip.compress(b"".join(lines[i:i + lines_per_member])))
    return out.getvalue()


def main():
    ap = testlib.arg_parser(__doc__)
    ap.add_argument("--corpus", required=True)
    args = ap.parse_args()
    data = open(args.corpus, "rb").read()
    lines = data.splitlines(keepends=True)
    check = testlib.Checks()

    with tempfile.TemporaryDirectory() as tmp:
        def write(name, payload):
            p = os.path.join(tmp, name)
            with open(p, "wb") as f:
                f.write(payload)
            return p

        gz = gzip_members(data, 500)
        half = len(data) // 2
        cut = data.rindex(b"\n", 0, half) + 1
        xz = lzma.compress(data[:cut]) + lzma.compress(data[cut:])
        assert gz[:2] == b"\x1f\x8b" and gz.count(b"\x1f\x8b\x08") >= len(lines) // 500
        ref_out = os.path.join(tmp, "ref")
        r = build(args.rwkvkit, args.vocab, [write("plain.jsonl", data)], ref_out)
        check(r.returncode == 0, f"plain build failed: {r.stderr}")
        ref = shards(ref_out)
        check(len(ref) >= 2, "the plain build wrote shards")

        # The rest runs on the first 1500 lines (smaller builds, same code paths).
        small = b"".join(lines[:1500])
        small_out = os.path.join(tmp, "ref_small")
        r = build(args.rwkvkit, args.vocab, [write("small.jsonl", small)], small_out)
        check(r.returncode == 0, f"small plain build failed: {r.stderr}")
        small_ref = shards(small_out)
        small_gz, small_xz = gzip_members(small, 100), lzma.compress(small)
        cases = {
            "multi-member .jsonl.gz": (write("demo.jsonl.gz", gz), ref, len(lines)),
            "two-stream .jsonl.xz": (write("demo.jsonl.xz", xz), ref, len(lines)),
            ".json.gz": (write("small.json.gz", gzip.compress(small)), small_ref, 1500),
            "gzip named .jsonl": (write("gz_in_disguise.jsonl", small_gz), small_ref, 1500),
            "xz named .jsonl.zst": (write("xz_in_disguise.jsonl.zst", small_xz), small_ref, 1500),
            "plain named .jsonl.gz": (write("plain_in_disguise.jsonl.gz", small), small_ref, 1500),
        }
        for what, (path, want, n) in cases.items():
            out = os.path.join(tmp, "out_" + os.path.basename(path))
            r = build(args.rwkvkit, args.vocab, [path], out)
            check(r.returncode == 0, f"{what}: exit {r.returncode}: {r.stderr[-500:]}")
            if r.returncode == 0:
                check(shards(out) == want, f"{what}: shards differ from the plain JSONL build")
                check(documents_read(out) == n, f"{what}: documents_read")

        # A directory of mixed formats reads every supported file, in path order.
        d = os.path.join(tmp, "mixed")
        os.makedirs(os.path.join(d, "sub"))
        small_cut = small.rindex(b"\n", 0, len(small) // 2) + 1
        parts = [small[:small_cut], small[small_cut:]]
        with open(os.path.join(d, "a.jsonl.gz"), "wb") as f:
            f.write(gzip.compress(parts[0]))
        with open(os.path.join(d, "sub", "b.jsonl.xz"), "wb") as f:
            f.write(lzma.compress(parts[1]))
        out = os.path.join(tmp, "out_dir")
        r = build(args.rwkvkit, args.vocab, [d], out)
        check(r.returncode == 0 and shards(out) == small_ref, f"directory of .gz + .xz: {r.returncode} {r.stderr[-300:]}")

        # Damage: the complete records before it are kept and counted, the file is named with an offset.
        small_xz2 = lzma.compress(small[:small_cut]) + lzma.compress(small[small_cut:])
        for kind, payload in (("gz", small_gz), ("xz", small_xz2)):
            for damage in ("truncated", "corrupt"):
                b = bytearray(payload)
                if damage == "truncated":
                    b = b[: len(b) * 3 // 5]
                else:
                    mid = len(b) * 3 // 5
                    for i in range(mid, mid + 64):
                        b[i] ^= 0x5A
                path = write(f"{damage}.jsonl.{kind}", bytes(b))
                out = os.path.join(tmp, f"out_{damage}_{kind}")
                r = build(args.rwkvkit, args.vocab, [path], out)
                check(r.returncode == 0, f"{damage} .{kind}: exit {r.returncode}: {r.stderr[-300:]}")
                check(f"{damage}.jsonl.{kind}@" in r.stderr, f"{damage} .{kind}: stderr names the file with an offset")
                if r.returncode == 0:
                    n = documents_read(out)
                    # Every document read is a complete line of the original, in order: the count
                    # is at most the lines before the damage and more than none.
                    check(0 < n < 1500, f"{damage} .{kind}: {n} documents read of 1500")
                r = build(args.rwkvkit, args.vocab, [path], out + "_strict", ["--strict"])
                check(r.returncode != 0, f"{damage} .{kind} with --strict must fail")

        # Formats rwkvkit cannot read are refused with the list of supported ones.
        zbuf = io.BytesIO()
        with zipfile.ZipFile(zbuf, "w") as z:
            z.writestr("a.jsonl", data[:1000])
        for name, payload in (("x.jsonl.bz2", bz2.compress(data[:1000])), ("x.jsonl.zip", zbuf.getvalue()),
                              ("bz2_named.jsonl", bz2.compress(data[:1000]))):
            r = build(args.rwkvkit, args.vocab, [write(name, payload)], os.path.join(tmp, "out_" + name))
            check(r.returncode != 0, f"{name}: must not succeed")
            check("cannot read" in r.stderr and "gzip" in r.stderr and "Parquet" in r.stderr,
                  f"{name}: message lists the supported formats: {r.stderr[-300:]}")

    return check.finish("compressed input")


if __name__ == "__main__":
    sys.exit(main())
