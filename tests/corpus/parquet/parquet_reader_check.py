#!/usr/bin/env python3
"""ParquetReader (through the parquet_dump driver) against pyarrow on files pyarrow writes.

Each case writes a Parquet file from demo-corpus documents with pyarrow (codecs, row-group
sizes, string / large_string / string_view / dictionary / binary columns, nulls, data page
v2 with delta encodings, no stored Arrow schema, non-nullable fields, tiny pages), then checks
that the driver returns exactly pyarrow's values, row by row, with each row's row group and
row within it, in blocks that respect the block size. Error cases: a missing column (the
message lists the file's columns), non-string and nested columns, a truncated file, and a
corrupt page (the rows before it are returned, then the error names its row group).
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

import pyarrow as pa
import pyarrow.parquet as pq

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
import testlib  # noqa: E402

check = testlib.Checks()


def run_dump(dump, path, columns, block_bytes=1 << 20):
    """BLOCK_BYTES may be 'BYTES/MAX_VALUE_BYTES'."""
    p = subprocess.run([dump, path, str(block_bytes)] + columns, capture_output=True, text=True)
    blocks, rows, error = [], [], None
    for line in p.stdout.splitlines():
        parts = line.split(" ")
        if parts[0] == "file":
            continue
        if parts[0] == "block":
            blocks.append((int(parts[1]), int(parts[2]), int(parts[3])))
        elif parts[0] == "error":
            error = (parts[1], " ".join(parts[2:]))
        else:
            vals = [None if v == "null" else "toolong" if v == "toolong" else b"" if v == "-" else bytes.fromhex(v)
                    for v in parts[2:]]
            rows.append((int(parts[0]), int(parts[1]), vals))
    check((p.returncode == 0) == (error is None), f"{path}: exit {p.returncode} with error line {error}")
    return blocks, rows, error


def expected_rows(path, columns):
    pf = pq.ParquetFile(path)
    out = []
    for g in range(pf.metadata.num_row_groups):
        t = pf.read_row_group(g, columns=columns)
        cols = [t.column(c).to_pylist() for c in columns]
        for r in range(t.num_rows):
            vals = [None if c[r] is None else (c[r] if isinstance(c[r], bytes) else c[r].encode("utf-8")) for c in cols]
            out.append((g, r, vals))
    return out


def check_file(dump, path, columns, block_bytes=1 << 20):
    blocks, rows, error = run_dump(dump, path, columns, block_bytes)
    want = expected_rows(path, columns)
    name = os.path.basename(path)
    check(error is None, f"{name}: unexpected error {error}")
    check(len(rows) == len(want), f"{name}: {len(rows)} rows, pyarrow has {len(want)}")
    bad = [i for i, (a, b) in enumerate(zip(rows, want)) if a != b]
    check(not bad, f"{name}: row {bad[:1]} differs: got {rows[bad[0]] if bad else ''!r:.200} want {want[bad[0]] if bad else ''!r:.200}")
    # Blocks: consecutive, within one row group, and none much larger than asked (one row may
    # overshoot).
    start = 0
    for k in range(1, len(rows)):
        if rows[k][0] != rows[k - 1][0]:
            check(any(first == k for first, _, _ in blocks), f"{name}: a block spans row groups at row {k}")
    longest = max((len(v[2][0] or b"") for v in want), default=0)
    for first, n, nbytes in blocks:
        check(first == start and n > 0, f"{name}: block at row {first} with {n} rows, expected at {start}")
        check(nbytes < block_bytes + longest, f"{name}: block of {nbytes} bytes for block size {block_bytes}")
        start += n
    return rows


def demo_table(corpus, n):
    ids, texts = [], []
    with open(corpus, encoding="utf-8") as f:
        for line in f:
            d = json.loads(line)
            ids.append(d["id"])
            texts.append(d["text"])
            if len(texts) == n:
                break
    return ids, texts


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dump", required=True)
    ap.add_argument("--corpus", required=True)
    args = ap.parse_args()
    ids, texts = demo_table(args.corpus, 1200)
    with_nulls = [None if i % 7 == 3 else t for i, t in enumerate(texts)]
    langs = ["en" if i % 3 else None for i in range(len(texts))]
    tmp = tempfile.mkdtemp(prefix="rwkvkit_parquet_")

    def write(name, table, **kw):
        path = os.path.join(tmp, name)
        pq.write_table(table, path, **kw)
        return path

    base = pa.table({"id": ids, "text": texts, "n": list(range(len(texts)))})
    # Codecs, row groups, string types.
    check_file(args.dump, write("snappy.parquet", base, compression="snappy", row_group_size=100), ["text"])
    check_file(args.dump, write("zstd_large.parquet", base.set_column(1, "text", pa.array(texts, pa.large_string())),
                                compression="zstd", row_group_size=333), ["text", "id"])
    check_file(args.dump, write("gzip_dict.parquet", base.set_column(1, "text", pa.array(texts).dictionary_encode()),
                                compression="gzip", row_group_size=500), ["text"])
    check_file(args.dump, write("brotli_view.parquet", base.set_column(1, "text", pa.array(texts, pa.string_view())),
                                compression="brotli", row_group_size=400), ["text"])
    nulls = pa.table({"text": pa.array(with_nulls), "lang": pa.array(langs), "id": ids})
    rows = check_file(args.dump, write("lz4_nulls.parquet", nulls, compression="lz4", row_group_size=250),
                      ["text", "lang", "id"])
    check(sum(r[2][0] is None for r in rows) == sum(t is None for t in with_nulls), "lz4_nulls: null count")
    # Optional columns: read when present as strings; absent or not strings: all null.
    path = os.path.join(tmp, "lz4_nulls.parquet")
    _, got, err = run_dump(args.dump, path, ["text", "?lang", "?nope", "?id"])
    want = [(g, r, [v[0], v[1], None, v[2]]) for g, r, v in expected_rows(path, ["text", "lang", "id"])]
    check(err is None and got == want, f"optional columns: {err} {got[:1]} vs {want[:1]}")
    _, got, err = run_dump(args.dump, os.path.join(tmp, "snappy.parquet"), ["text", "?n"])
    check(err is None and got and all(v[2][1] is None for v in got), f"a non-string optional column reads as null: {err}")
    check_file(args.dump, write("v2_delta.parquet", base, compression="none", use_dictionary=False,
                                data_page_version="2.0", column_encoding={"text": "DELTA_LENGTH_BYTE_ARRAY",
                                                                          "id": "DELTA_BYTE_ARRAY"},
                                store_schema=False, row_group_size=700), ["text", "id"])
    required = pa.table(base.columns, schema=pa.schema([pa.field("id", pa.string(), nullable=False),
                                                         pa.field("text", pa.string(), nullable=False),
                                                         pa.field("n", pa.int64())]))
    check_file(args.dump, write("required_tiny_pages.parquet", required, data_page_size=512, row_group_size=600),
               ["text"], block_bytes=4096)
    check_file(args.dump, write("binary.parquet", pa.table({"text": pa.array([t.encode() for t in texts], pa.binary())})),
               ["text"])
    check_file(args.dump, write("dict_nulls.parquet", pa.table({"text": pa.array(with_nulls).dictionary_encode()}),
                                row_group_size=300), ["text"], block_bytes=10000)
    empties = pa.table({"text": pa.array(["", None, "a", ""] * 50)})
    check_file(args.dump, write("empty_strings.parquet", empties, row_group_size=64), ["text"], block_bytes=1)
    # The size cap: longer values are not copied, and come out as "toolong" in their place.
    cap = 2000
    path = write("capped.parquet", nulls, row_group_size=128)
    _, rows, err = run_dump(args.dump, path, ["text", "id"], block_bytes=f"{1 << 16}/{cap}")
    want = [(g, r, ["toolong" if v is not None and len(v) > cap else v for v in vals])
            for g, r, vals in expected_rows(path, ["text", "id"])]
    check(err is None and rows == want and any(v[2][0] == "toolong" for v in rows), f"size cap: {err}")
    blocks, rows, err = run_dump(args.dump, write("no_rows.parquet", base.slice(0, 0)), ["text"])
    check(not blocks and not rows and err is None, f"no_rows: {blocks} {rows[:1]} {err}")

    # Errors: clear, naming the file (and the columns it has).
    path = os.path.join(tmp, "snappy.parquet")
    _, _, err = run_dump(args.dump, path, ["body"])
    check(err is not None and err[0] == "INVALID_ARGUMENT" and path in err[1] and '"id", "text", "n"' in err[1]
          and '"body"' in err[1], f"missing column: {err}")
    _, _, err = run_dump(args.dump, path, ["n"])
    check(err is not None and err[0] == "INVALID_ARGUMENT" and "INT64" in err[1] and "not a string column" in err[1],
          f"int column: {err}")
    nested = write("nested.parquet", pa.table({"text": pa.array([["a"], ["b", "c"]])}))
    _, _, err = run_dump(args.dump, nested, ["text"])
    check(err is not None and err[0] == "INVALID_ARGUMENT" and "nested" in err[1], f"list column: {err}")

    with open(path, "rb") as f:
        data = f.read()
    cut = os.path.join(tmp, "truncated.parquet")
    with open(cut, "wb") as f:
        f.write(data[: len(data) // 2])
    _, rows, err = run_dump(args.dump, cut, ["text"])
    check(err is not None and err[0] == "DATA_LOSS" and cut in err[1] and "truncated" in err[1] and not rows,
          f"truncated: {err}")

    # A corrupt page in row group 5 (page checksums on): the rows before it come out, then
    # the error names the row group; nothing after it.
    crc = write("crc.parquet", base, compression="snappy", row_group_size=100, write_page_checksum=True,
                data_page_size=4096)
    want = expected_rows(crc, ["text"])
    chunk = pq.ParquetFile(crc).metadata.row_group(5).column(1)
    start = chunk.dictionary_page_offset or chunk.data_page_offset
    end = start + chunk.total_compressed_size
    with open(crc, "r+b") as f:
        f.seek(end - 2)
        b = f.read(1)
        f.seek(end - 2)
        f.write(bytes([b[0] ^ 0xFF]))
    _, rows, err = run_dump(args.dump, crc, ["text"], block_bytes=2048)
    check(err is not None and err[0] == "DATA_LOSS" and "crc.parquet: row " in err[1] and "(row group 5, row " in err[1],
          f"corrupt page: {err}")
    check(500 <= len(rows) < 600 and rows == want[: len(rows)],
          f"corrupt page: {len(rows)} rows kept, expected a prefix with at least row groups 0-4 (500 rows)")

    # A page header that claims a 2 GB page (the varint of its compressed size rewritten;
    # the footer is found from the end, so the longer header leaves it readable): the reader
    # refuses the claim as damage instead of allocating it, and stays small.
    plain = write("plain.parquet", base.slice(0, 50), compression="none", use_dictionary=False,
                  row_group_size=50)
    chunk = pq.ParquetFile(plain).metadata.row_group(0).column(1)
    with open(plain, "rb") as f:
        data = f.read()
    at = chunk.data_page_offset
    check(data[at:at + 3] == bytes([0x15, 0x00, 0x15]), f"huge page: unexpected page header {data[at:at + 3].hex()}")

    def varint_end(i):
        while data[i] & 0x80:
            i += 1
        return i + 1

    size_at = varint_end(at + 3) + 1  # past the uncompressed size and the next field's header byte
    check(data[size_at - 1] == 0x15, "huge page: the compressed size is not the third field")
    huge = 2 * (2**31 - 2)  # zigzag of 2147483646
    varint = bytearray()
    while huge >= 0x80:
        varint.append((huge & 0x7F) | 0x80)
        huge >>= 7
    varint.append(huge)
    bomb = os.path.join(tmp, "huge_page.parquet")
    with open(bomb, "wb") as f:
        f.write(data[:size_at] + bytes(varint) + data[varint_end(size_at):])
    # The reader's own peak memory (os.wait4 on it alone): far below the 2 GB claimed, also
    # under the sanitizers (their shadow memory and quarantine stay in the tens of MB here).
    p = subprocess.Popen([args.dump, bomb, "1048576", "text"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                         text=True)
    out = p.stdout.read()
    p.stdout.close()
    _, _, usage = os.wait4(p.pid, 0)
    error = [line for line in out.splitlines() if line.startswith("error ")]
    check(len(error) == 1 and "DATA_LOSS" in error[0] and "(row group 0, row 0)" in error[0] and
          "more than the 268435456 bytes a page of this file may take" in error[0], f"huge page: {error}")
    check(usage.ru_maxrss < 512 * 1024, f"huge page: the reader grew to {usage.ru_maxrss} KB")

    print("pyarrow", pa.__version__)
    return check.finish("parquet reader")


if __name__ == "__main__":
    sys.exit(main())
