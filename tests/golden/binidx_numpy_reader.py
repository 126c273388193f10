#!/usr/bin/env python3
"""An independent binidx shard reader (numpy only), written from docs/formats/binidx.md, to
check rwkvkit's writer from outside its own code.

It checks every rule RWKV-LM's binidx.py and Megatron's indexed_dataset.py assert (magic,
version 1, a known dtype code: 8 uint16 or 4 int32) and the format's invariants (.idx size ==
34 + 12N + 8M, sizes >= 0, pointers == prefix sums, doc_idx from 0, non-decreasing, ending at N,
.bin size == pointers[N-1] + sizes[N-1]*itemsize). A violation raises BinidxError
"<path>@<offset>: what (saw X, expected Y)".

    read_shard(prefix) -> numpy arrays (uint16 or int32), one per document; shard_dtype(prefix)

CLI: binidx_numpy_reader.py PREFIX [--dump-jsonl] prints "documents D tokens T" (and bytes), or
each document's ids as a JSON list per line; exit 1 with the error on stderr for a bad shard.
"""

import argparse
import json
import os
import sys

import numpy as np

MAGIC = b"MMIDIDX\x00\x00"
HEADER_BYTES = 34
DTYPE_UINT16 = 8
DTYPE_INT32 = 4
TOKEN_DTYPES = {DTYPE_UINT16: "<u2", DTYPE_INT32: "<i4"}  # as stored (little-endian)
NATIVE_DTYPES = {DTYPE_UINT16: np.uint16, DTYPE_INT32: np.int32}
# Codes 1..5 and 8 agree across RWKV-LM, Megatron and json2binidx; 6 and 7 are floats of
# disagreeing widths.
KNOWN_DTYPES = {1: "uint8", 2: "int8", 3: "int16", 4: "int32", 5: "int64", 6: "float", 7: "float", 8: "uint16"}


class BinidxError(Exception):
    pass


def _fail(path, offset, what):
    raise BinidxError(f"{path}@{offset}: {what}")


def _u64(buf, offset):
    return int(np.frombuffer(buf, dtype="<u8", count=1, offset=offset)[0])


def _read_header(idx_path, buf):
    if len(buf) < HEADER_BYTES:
        _fail(idx_path, len(buf), f"index header truncated (saw {len(buf)} bytes, expected at least {HEADER_BYTES})")
    if buf[:9] != MAGIC:
        _fail(idx_path, 0, f"bad magic (saw {bytes(buf[:9])!r}, expected {MAGIC!r})")
    version = _u64(buf, 9)
    if version != 1:
        _fail(idx_path, 9, f"unsupported version (saw {version}, expected 1)")
    dtype = buf[17]
    if dtype not in KNOWN_DTYPES:
        _fail(idx_path, 17, f"unknown dtype code (saw {dtype}, expected 8)")
    if dtype not in TOKEN_DTYPES:
        _fail(idx_path, 17, f"dtype code {dtype} ({KNOWN_DTYPES[dtype]}) is not a token dtype (saw {dtype}, expected 8 or 4)")
    n, m = _u64(buf, 18), _u64(buf, 26)
    if m == 0:
        _fail(idx_path, 26, "doc_idx is empty (saw M=0, expected at least 1)")
    need = HEADER_BYTES + 12 * n + 8 * m  # Python ints: no overflow
    if need != len(buf):
        _fail(idx_path, min(need, len(buf)),
              f"index size does not match N={n}, M={m} (saw {len(buf)} bytes, expected {need})")
    return n, m, dtype


def _first_bad(mask):
    return int(np.flatnonzero(mask)[0])


def _read_arrays(idx_path, buf, n, m, item):
    sizes = np.frombuffer(buf, dtype="<i4", count=n, offset=HEADER_BYTES)
    pointers = np.frombuffer(buf, dtype="<i8", count=n, offset=HEADER_BYTES + 4 * n)
    doc_idx = np.frombuffer(buf, dtype="<i8", count=m, offset=HEADER_BYTES + 12 * n)
    if n and (sizes < 0).any():
        i = _first_bad(sizes < 0)
        _fail(idx_path, HEADER_BYTES + 4 * i, f"sizes[{i}] is negative (saw {sizes[i]}, expected >= 0)")
    expected = np.zeros(n, dtype=np.int64)
    if n > 1:
        expected[1:] = np.cumsum(sizes[:-1].astype(np.int64)) * item
    if n and (pointers != expected).any():
        i = _first_bad(pointers != expected)
        _fail(idx_path, HEADER_BYTES + 4 * n + 8 * i, f"pointers[{i}] (saw {pointers[i]}, expected {expected[i]})")
    where = HEADER_BYTES + 12 * n
    if doc_idx[0] != 0:
        _fail(idx_path, where, f"doc_idx[0] (saw {doc_idx[0]}, expected 0)")
    if m > 1 and (np.diff(doc_idx) < 0).any():
        i = _first_bad(np.diff(doc_idx) < 0) + 1
        _fail(idx_path, where + 8 * i, f"doc_idx[{i}] decreases (saw {doc_idx[i]}, expected >= {doc_idx[i - 1]})")
    if doc_idx[-1] != n:
        _fail(idx_path, where + 8 * (m - 1), f"doc_idx[{m - 1}] (saw {doc_idx[-1]}, expected N={n})")
    return sizes, pointers, doc_idx


def shard_dtype(prefix):
    """The numpy dtype of the tokens of the shard at PREFIX (np.uint16 or np.int32)."""
    with open(f"{prefix}.idx", "rb") as f:
        idx = f.read()
    _, _, dtype = _read_header(f"{prefix}.idx", idx)
    return np.dtype(NATIVE_DTYPES[dtype])


def read_shard(prefix):
    """Validates the shard at PREFIX (.bin + .idx) and returns its documents as uint16 or int32 arrays."""
    idx_path, bin_path = f"{prefix}.idx", f"{prefix}.bin"
    with open(idx_path, "rb") as f:
        idx = f.read()
    n, m, dtype = _read_header(idx_path, idx)
    item = np.dtype(TOKEN_DTYPES[dtype]).itemsize
    sizes, pointers, doc_idx = _read_arrays(idx_path, idx, n, m, item)
    bin_size = os.path.getsize(bin_path)
    want = int(pointers[-1]) + item * int(sizes[-1]) if n else 0
    if bin_size != want:
        _fail(bin_path, min(bin_size, want),
              f"data file size (saw {bin_size} bytes, expected {want} = pointers[N-1] + sizes[N-1]*{item})")
    # Read the file (not np.memmap: it refuses empty files, which a shard of empty documents is).
    with open(bin_path, "rb") as f:
        tokens = np.frombuffer(f.read(), dtype=TOKEN_DTYPES[dtype]).astype(NATIVE_DTYPES[dtype])
    starts = np.append(pointers // item, want // item).astype(np.int64)
    return [tokens[starts[doc_idx[d]]:starts[doc_idx[d + 1]]] for d in range(m - 1)]


def main(argv):
    ap = argparse.ArgumentParser(description="Validate and read a binidx shard (numpy only).")
    ap.add_argument("prefix", help="shard path without .bin/.idx")
    ap.add_argument("--dump-jsonl", action="store_true", help="print each document's ids as a JSON list")
    args = ap.parse_args(argv)
    try:
        docs = read_shard(args.prefix)
    except (BinidxError, OSError) as e:
        print(f"binidx_numpy_reader: {e}", file=sys.stderr)
        return 1
    if args.dump_jsonl:
        out = sys.stdout
        for d in docs:
            out.write(json.dumps(d.tolist(), separators=(",", ":")) + "\n")
    else:
        tokens = sum(int(d.size) for d in docs)
        ends = sum(1 for d in docs if d.size and d[-1] == 0)
        item = shard_dtype(args.prefix).itemsize
        print(f"documents {len(docs)} tokens {tokens} bin_bytes {item * tokens} ending_with_0 {ends}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
