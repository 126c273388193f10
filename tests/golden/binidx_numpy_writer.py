#!/usr/bin/env python3
"""An independent binidx shard writer (numpy only), written from docs/formats/binidx.md, to
make shards of a dtype rwkvkit does not write itself (int32, dtype code 4: what Megatron's
preprocess_data.py and json2binidx write for 65,500+ id vocabs) and to re-encode rwkvkit's
shards, for tests of the readers.

    write_shard(prefix, docs, dtype=np.uint16)   # docs: iterables of token ids, one per document

One sequence per document, doc_idx = 0..N, sizes int32, pointers int64 byte offsets.
"""

import numpy as np

CODES = {np.dtype(np.uint16): 8, np.dtype(np.int32): 4}


def write_shard(prefix, docs, dtype=np.uint16):
    dtype = np.dtype(dtype)
    arrays = [np.asarray(d, dtype=np.int64) for d in docs]
    sizes = np.array([a.size for a in arrays], dtype="<i4")
    pointers = np.zeros(len(arrays), dtype="<i8")
    if len(arrays) > 1:
        pointers[1:] = np.cumsum(sizes[:-1].astype(np.int64)) * dtype.itemsize
    with open(f"{prefix}.bin", "wb") as f:
        for a in arrays:
            f.write(a.astype(dtype.newbyteorder("<")).tobytes())
    header = b"MMIDIDX\x00\x00" + np.array([1], "<u8").tobytes() + bytes([CODES[dtype]])
    header += np.array([len(arrays), len(arrays) + 1], "<u8").tobytes()
    with open(f"{prefix}.idx", "wb") as f:
        f.write(header + sizes.tobytes() + pointers.tobytes() + np.arange(len(arrays) + 1, dtype="<i8").tobytes())
