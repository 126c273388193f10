#!/usr/bin/env python3
"""Writes the seeds of the parquet fuzz target: small Parquet files written by pyarrow.

    make_parquet_seeds.py OUT_DIR        (files go to OUT_DIR/parquet/)

Each file has a "text" column and usually a "lang" column (what the target reads), in the
shapes the reader must handle: every codec the wheel has, several row groups, tiny pages,
dictionary and plain encodings, data page v2 with delta encodings, string / large_string /
binary / dictionary columns, nulls, texts over the target's 64-byte cap, an empty file,
no stored Arrow schema, a non-string text column, a missing text column, and a file
truncated inside its footer. Deterministic: the same pyarrow gives the same files.
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
    print(f"make_parquet_seeds: {len(os.listdir(out))} files under {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
