#!/usr/bin/env python3
"""Writes the seeds of the parquet fuzz target: small Parquet files written by pyarrow.

    make_parquet_seeds.py OUT_DIR        (files go to OUT_DIR/parquet/)

Each file has a "text" column and usually a "lang" column (what the target reads), in the
shapes the reader must handle: every codec the wheel has, several row groups, tiny pages,
dictionary and plain encodings, data page v2 with delta encodings, string / large_string /
binary / dictionary columns, nulls, texts over the target's 64-byte cap, an empty file,
no stored Arrow schema, a non-string text column, a missing text column, a file truncated
inside its footer, and page headers claiming 2 GiB or a negative size. Deterministic: the
same pyarrow gives the same files.
"""
import io
import os
import sys

import pyarrow as pa
import pyarrow.parquet as pq

TEXTS = [
    "Hello world",
    "The river runs through a quiet valley where farmers grow wheat.",
    "été 中文 😀 emoji",
    "",
    "x" * 80,  # over the target's record size cap
    "import os\ndef main():\n    return os.getcwd()\n",
    None,
    "Ceci est une phrase en français.",
]
LANGS = ["en", "en", None, "", "en", "code", "fr", "fr"]


def table(text_type=pa.string(), lang=True, rows=None):
    texts = TEXTS if rows is None else [TEXTS[i % len(TEXTS)] for i in range(rows)]
    cols = {"text": pa.array([t if t is None or text_type != pa.binary() else t.encode() for t in texts],
                             type=text_type)}
    if lang:
        cols["lang"] = pa.array([LANGS[i % len(LANGS)] for i in range(len(texts))], type=pa.string())
    cols["id"] = pa.array(list(range(len(texts))), type=pa.int64())
    return pa.table(cols)


def write(out, name, t, **kw):
    pq.write_table(t, os.path.join(out, name), **kw)


def varint(b, i):
    v, shift = 0, 0
    while True:
        c = b[i]
        i += 1
        v |= (c & 0x7F) << shift
        shift += 7
        if not c & 0x80:
            return v, i


def with_first_page_size(data, size):
    """The file with field 2 (uncompressed_page_size, a zigzag varint) of the page header
    right after the leading magic replaced (Thrift compact protocol: 0x15 = field +1, i32)."""
    i = 4
    assert data[:4] == b"PAR1" and data[i] == 0x15
    _, i = varint(data, i + 1)  # the page type
    assert data[i] == 0x15
    _, end = varint(data, i + 1)
    z = ((size << 1) ^ (size >> 31)) & 0xFFFFFFFF
    enc = bytearray()
    while True:
        c, z = z & 0x7F, z >> 7
        enc.append(c | 0x80 if z else c)
        if not z:
            break
    return data[:i + 1] + bytes(enc) + data[end:]


def main():
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    out = os.path.join(sys.argv[1], "parquet")
    os.makedirs(out, exist_ok=True)
    t = table()
    for codec in ["none", "snappy", "gzip", "zstd", "brotli", "lz4"]:
        write(out, f"codec_{codec}.parquet", t, compression=codec)
    write(out, "row_groups.parquet", table(rows=24), row_group_size=5, compression="none")
    write(out, "tiny_pages.parquet", table(rows=16), data_page_size=16, compression="none")
    write(out, "plain_encoding.parquet", t, use_dictionary=False, compression="none")
    write(out, "page_v2_delta.parquet", t, data_page_version="2.0", use_dictionary=False,
          column_encoding={"text": "DELTA_BYTE_ARRAY", "lang": "DELTA_LENGTH_BYTE_ARRAY"}, compression="none")
    write(out, "large_string.parquet", table(pa.large_string()), compression="none")
    write(out, "binary.parquet", table(pa.binary()), compression="none")
    dict_t = t.set_column(0, "text", t.column("text").dictionary_encode())
    write(out, "dictionary.parquet", dict_t, compression="none")
    write(out, "no_lang.parquet", table(lang=False), compression="none")
    write(out, "no_arrow_schema.parquet", t, store_schema=False, compression="none")
    write(out, "empty.parquet", t.slice(0, 0), compression="none")
    write(out, "int_text.parquet", pa.table({"text": pa.array([1, 2, 3], type=pa.int32())}), compression="none")
    write(out, "no_text.parquet", pa.table({"body": pa.array(["a", "b"])}), compression="none")
    buf = io.BytesIO()
    pq.write_table(t, buf, compression="none")
    whole = buf.getvalue()
    with open(os.path.join(out, "truncated_footer.parquet"), "wb") as f:
        f.write(whole[:-12])
    # The first page header claiming 2^31 - 1 or -5 uncompressed bytes (Arrow must refuse both
    # without holding 2 GiB).
    for name, size in (("page_size_2g", 2**31 - 1), ("page_size_negative", -5)):
        with open(os.path.join(out, name + ".parquet"), "wb") as f:
            f.write(with_first_page_size(whole, size))
    print(f"make_parquet_seeds: {len(os.listdir(out))} files under {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
