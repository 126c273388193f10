#!/usr/bin/env python3
"""ctest binidx_numpy_reader: rwkvkit's ShardWriter (through binidx_write_fixture) against the
independent numpy reader tests/golden/binidx_numpy_reader.py.

For several random shards (empty documents, no documents, documents over the writer's 1 MiB
buffer, with and without the end-of-document 0) the numpy reader must accept the shard and
return exactly the ids the fixture wrote to its JSONL, through the module and the CLI. Then
the numpy reader must reject a damaged copy of a shard for each rule, naming the offset, so a
reader that accepted anything could not make this test pass.
"""

import argparse
import importlib.util
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile

SHARDS = [  # (name, seed, docs, max_len, eod)
    ("mixed", 1, 300, 400, True),
    ("no_eod", 2, 120, 60, False),
    ("empties", 3, 40, 0, False),
    ("none", 4, 0, 10, True),
    ("long", 5, 6, 300000, True),
]


def load_reader(path):
    spec = importlib.util.spec_from_file_location("binidx_numpy_reader", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def check_round_trips(args, reader, tmp):
    for name, seed, docs, max_len, eod in SHARDS:
        prefix, jsonl = os.path.join(tmp, name), os.path.join(tmp, name + ".jsonl")
        cmd = [args.fixture, prefix, "--seed", str(seed), "--docs", str(docs), "--max-len", str(max_len), "--jsonl", jsonl]
        subprocess.run(cmd + (["--eod"] if eod else []), check=True)
        with open(jsonl) as f:
            want = [json.loads(line) for line in f]
        got = [d.tolist() for d in reader.read_shard(prefix)]
        assert len(got) == docs == len(want), f"{name}: {len(got)} documents, fixture wrote {len(want)}"
        for i, (g, w) in enumerate(zip(got, want)):
            assert g == w, f"{name}: document {i} differs (first ids {g[:8]} vs {w[:8]})"
        dump = subprocess.run([sys.executable, args.reader, prefix, "--dump-jsonl"], check=True,
                              capture_output=True, text=True).stdout
        with open(jsonl) as f:
            assert dump == f.read(), f"{name}: --dump-jsonl output differs from the fixture's JSONL"
        summary = subprocess.run([sys.executable, args.reader, prefix], check=True, capture_output=True, text=True).stdout
        tokens = sum(len(d) for d in want)
        assert summary.startswith(f"documents {docs} tokens {tokens} "), summary
        print(f"ok  {name}: {docs} documents, {tokens} tokens")


def patched(data, offset, fmt, value):
    b = bytearray(data)
    struct.pack_into(fmt, b, offset, value)
    return bytes(b)


def check_rejections(args, reader, tmp):
    # Offsets come from the victim's own N (5 documents, M = N + 1), since its sizes are random.
    prefix = os.path.join(tmp, "victim")
    subprocess.run([args.fixture, prefix, "--seed", "9", "--docs", "5", "--max-len", "20", "--eod"], check=True)
    with open(prefix + ".idx", "rb") as f:
        idx = f.read()
    with open(prefix + ".bin", "rb") as f:
        binary = f.read()
    n = struct.unpack_from("<Q", idx, 18)[0]
    p, d = 34 + 4 * n, 34 + 12 * n
    cases = [  # (what, idx bytes, bin bytes, expected "@offset")
        ("magic", b"X" + idx[1:], binary, "@0:"),
        ("version", patched(idx, 9, "<Q", 2), binary, "@9:"),
        ("dtype int64", patched(idx, 17, "<B", 5), binary, "@17:"),
        # int32 is a token dtype: a uint16 index relabelled int32 has pointers in the wrong unit.
        ("dtype int32 on uint16 pointers", patched(idx, 17, "<B", 4), binary, f"@{p + 8}:"),
        ("dtype unknown", patched(idx, 17, "<B", 9), binary, "@17:"),
        ("N", patched(idx, 18, "<Q", n + 1), binary, f"@{len(idx)}:"),
        ("M zero", patched(idx, 26, "<Q", 0), binary, "@26:"),
        ("header cut", idx[:20], binary, "@20:"),
        ("array cut", idx[:-1], binary, f"@{len(idx) - 1}:"),
        ("trailing byte", idx + b"\0", binary, f"@{len(idx)}:"),
        ("negative size", patched(idx, 34 + 4, "<i", -1), binary, "@38:"),
        ("pointer", patched(idx, p + 8, "<q", 1), binary, f"@{p + 8}:"),
        ("doc_idx[0]", patched(idx, d, "<q", 1), binary, f"@{d}:"),
        ("doc_idx decreases", patched(idx, d + 16, "<q", 0), binary, f"@{d + 16}:"),
        ("doc_idx end", patched(idx, d + 8 * n, "<q", n - 1), binary, f"@{d + 8 * n}:"),
        ("bin cut", idx, binary[:-2], f".bin@{len(binary) - 2}:"),
        ("bin long", idx, binary + b"\0\0", f".bin@{len(binary)}:"),
    ]
    for what, idx_bytes, bin_bytes, where in cases:
        bad = os.path.join(tmp, "bad")
        with open(bad + ".idx", "wb") as f:
            f.write(idx_bytes)
        with open(bad + ".bin", "wb") as f:
            f.write(bin_bytes)
        try:
            reader.read_shard(bad)
        except reader.BinidxError as e:
            assert where in str(e), f"{what}: error {e!r} does not name {where!r}"
            print(f"ok  rejects {what}: {e}")
            continue
        raise AssertionError(f"{what}: the numpy reader accepted a damaged shard")
    cli = subprocess.run([sys.executable, args.reader, os.path.join(tmp, "bad")], capture_output=True, text=True)
    assert cli.returncode == 1 and ".bin@" in cli.stderr, (cli.returncode, cli.stderr)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--fixture", required=True, help="the binidx_write_fixture binary")
    ap.add_argument("--reader", required=True, help="tests/golden/binidx_numpy_reader.py")
    args = ap.parse_args()
    reader = load_reader(args.reader)
    tmp = tempfile.mkdtemp(prefix="binidx_numpy_reader_")
    try:
        check_round_trips(args, reader, tmp)
        check_rejections(args, reader, tmp)
    finally:
        shutil.rmtree(tmp)
    print("binidx_numpy_reader: all checks passed")


if __name__ == "__main__":
    main()
