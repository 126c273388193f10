#!/usr/bin/env python3
"""`rwkvkit build` on Parquet sources written by pyarrow, against the JSON Lines build.

1. The demo corpus as Parquet (several row groups, snappy and zstd, large_string, a dictionary
   text column, nulls, unread id and language columns): shards byte-identical to the JSONL
   build's for 1 and 2 threads and after SIGKILL + --resume; each null is one bad record
   (null_text) named by file, row, row group and row within it.
2. A truncated file, a missing text column (the columns listed), a non-string text column, a
   corrupt page (earlier rows kept): file errors naming the file; the run goes on (exit 0, 1
   with --strict).
3. A Hugging Face dataset folder given to --input: sorted path order, shards equal to the JSONL
   build of the same records.
4. The near-duplicate report names a Parquet record by file, row, row group and row in it.
5. `rwkvkit stats` on it; `bench tokenizer --input FILE.parquet` counts as on the JSONL file.
"""
import glob
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

import pyarrow as pa
import pyarrow.parquet as pq

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
import testlib  # noqa: E402

check = testlib.Checks()


def shard_digests(out):
    d = {}
    for p in sorted(glob.glob(os.path.join(out, "*.bin")) + glob.glob(os.path.join(out, "*.idx"))):
        with open(p, "rb") as f:
            d[os.path.basename(p)] = hashlib.sha256(f.read()).hexdigest()
    return d


def build(args, out, *, manifest=None, inputs=(), extra=(), expect_rc=0):
    # Bad records and files are what this test plants: no --max-bad-fraction stop.
    cmd = [args.rwkvkit, "build", "--out", out, "--vocab", args.vocab, "--no-progress", "--max-bad-fraction", "1",
           *extra]
    if manifest:
        cmd += ["--manifest", manifest]
    for i in inputs:
        cmd += ["--input", i]
    p = subprocess.run(cmd, capture_output=True, text=True)
    check(p.returncode == expect_rc, f"{' '.join(cmd)}: exit {p.returncode}, want {expect_rc}\n{p.stderr[-2000:]}")
    bj = None
    if os.path.exists(os.path.join(out, "build.json")):
        with open(os.path.join(out, "build.json")) as f:
            bj = json.load(f)
    check(bj is not None or expect_rc != 0, f"{out}: no build.json")
    return p, bj


def read_jsonl(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def write_manifest(path, demo, sources):
    m = dict(demo)
    m["sources"] = sources
    m["output"] = dict(demo["output"])
    with open(path, "w") as f:
        json.dump(m, f)


def main():
    ap = testlib.arg_parser(__doc__)
    ap.add_argument("--manifest", required=True)  # data_manifests/demo.json
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="rwkvkit_parquet_build_")
    with open(args.manifest) as f:
        demo = json.load(f)
    base = os.path.dirname(os.path.abspath(args.manifest))

    # 1. The demo corpus as JSONL and as Parquet.
    jsonl_sources, pq_sources, null_rows = [], [], {}
    styles = [dict(compression="snappy", row_group_size=500), dict(compression="zstd", row_group_size=97),
              dict(compression="zstd", row_group_size=200, kind="large"),
              dict(compression="snappy", row_group_size=30, kind="dict"),
              dict(compression="zstd", row_group_size=10, kind="nulls"), dict(compression="snappy", row_group_size=7)]
    for s, style in zip(demo["sources"], styles):
        src = os.path.normpath(os.path.join(base, s["paths"][0]))
        recs = read_jsonl(src)
        js = dict(s, paths=[src])
        jsonl_sources.append(js)
        texts = [r["text"] for r in recs]
        ids = [str(r.get("id")) for r in recs]
        langs = [r.get("lang") for r in recs]
        kind = style.get("kind")
        if kind == "nulls":  # a null after every third document: bad records, the rest as JSONL
            with_nulls, null_ids, null_langs = [], [], []
            for i, t in enumerate(texts):
                with_nulls.append(t)
                null_ids.append(ids[i])
                null_langs.append(langs[i])
                if i % 3 == 2:
                    with_nulls.append(None)
                    null_ids.append("null")
                    null_langs.append(None)
            texts, ids, langs = with_nulls, null_ids, null_langs
        if kind == "large":
            col = pa.array(texts, pa.large_string())
        elif kind == "dict":
            col = pa.array(texts).dictionary_encode()
        else:
            col = pa.array(texts)
        table = pa.table({"id": ids, "text": col, "lang": pa.array(langs, pa.string()), "n": list(range(len(texts)))})
        path = os.path.join(tmp, s["name"] + ".parquet")
        pq.write_table(table, path, compression=style["compression"], row_group_size=style["row_group_size"])
        if kind == "nulls":
            null_rows[path] = [i for i, t in enumerate(texts) if t is None]
        pq_sources.append(dict(s, paths=[path], format="parquet"))
    write_manifest(os.path.join(tmp, "jsonl.json"), demo, jsonl_sources)
    write_manifest(os.path.join(tmp, "parquet.json"), demo, pq_sources)
    ref_out = os.path.join(tmp, "ref")
    _, ref = build(args, ref_out, manifest=os.path.join(tmp, "jsonl.json"))
    ref_shards = shard_digests(ref_out)
    check(len(ref_shards) >= 2, f"reference build has shards: {ref_shards}")
    for threads in ("1", "2"):
        out = os.path.join(tmp, f"pq{threads}")
        report = os.path.join(tmp, f"near{threads}.jsonl")
        _, got = build(args, out, manifest=os.path.join(tmp, "parquet.json"),
                       extra=["--threads", threads, "--dedup-report", report])
        check(shard_digests(out) == ref_shards, f"parquet build (--threads {threads}): shards differ from the JSONL build")
        if got and ref:
            check(got["output"] == ref["output"], f"output differs: {got['output']} vs {ref['output']}")
            nulls = sum(len(v) for v in null_rows.values())
            for g, r in zip(got["sources"], ref["sources"]):
                gc, rc = g["counts"], r["counts"]
                extra = nulls if g["name"] == "nlohmann-json" else 0
                check(gc["documents_read"] == rc["documents_read"] + extra and gc["tokens"] == rc["tokens"]
                      and gc["documents_written"] == rc["documents_written"],
                      f"{g['name']}: counts {gc} vs {rc}")
                check(g["format"] == "parquet", f"{g['name']}: format {g['format']}")
            bad = got["bad_input"].get("null_text", {})
            check(bad.get("count") == nulls, f"null_text count {bad.get('count')} != {nulls}")
            (path, rows), = null_rows.items()
            first = rows[0]
            want = f"{path}: row {first} (row group {first // 10}, row {first % 10})"
            check(any(e.startswith(want) for e in bad.get("examples", [])),
                  f"null example names the row: want {want!r} in {bad.get('examples')}")

    # Resume: the Parquet build killed with SIGKILL while it tokenizes, then --resume (another
    # thread count) ends with the same shards.
    out = os.path.join(tmp, "pq_resume")
    cmd = [args.rwkvkit, "build", "--manifest", os.path.join(tmp, "parquet.json"), "--out", out,
           "--vocab", args.vocab, "--no-progress", "--threads", "1", "--max-bad-fraction", "1"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    tokens = os.path.join(out, ".rwkvkit-work", "tokens.u16")
    deadline = time.time() + 120
    while proc.poll() is None and time.time() < deadline:
        if os.path.exists(tokens) and os.path.getsize(tokens) > 0:
            proc.send_signal(signal.SIGKILL)
            break
        time.sleep(0.002)
    killed = proc.wait() == -signal.SIGKILL
    check(killed, "the Parquet build was killed while it tokenized (it finished first: input too small)")
    build(args, out, manifest=os.path.join(tmp, "parquet.json"), extra=["--resume", "--threads", "2"])
    check(shard_digests(out) == ref_shards, "resumed Parquet build: shards differ from the JSONL build")

    # 2. Damaged files next to a good one; the run goes on.
    dmg = os.path.join(tmp, "damaged")
    os.makedirs(dmg)
    good = os.path.join(dmg, "a_good.parquet")
    shutil.copy(os.path.join(tmp, "node-semver.parquet"), good)
    with open(os.path.join(tmp, "gnome-user-docs.parquet"), "rb") as f:
        data = f.read()
    with open(os.path.join(dmg, "b_truncated.parquet"), "wb") as f:
        f.write(data[: len(data) * 2 // 3])
    pq.write_table(pa.table({"id": ["x"], "content": ["hello"]}), os.path.join(dmg, "c_missing.parquet"))
    crc_src = pa.table({"text": [r["text"] for r in read_jsonl(jsonl_sources[1]["paths"][0])]})
    crc = os.path.join(dmg, "d_corrupt.parquet")
    pq.write_table(crc_src, crc, row_group_size=100, write_page_checksum=True, data_page_size=8192)
    chunk = pq.ParquetFile(crc).metadata.row_group(2).column(0)
    end = (chunk.dictionary_page_offset or chunk.data_page_offset) + chunk.total_compressed_size
    with open(crc, "r+b") as f:
        f.seek(end - 3)
        b = f.read(1)
        f.seek(end - 3)
        f.write(bytes([b[0] ^ 0x55]))
    out = os.path.join(tmp, "damaged_out")
    p, bj = build(args, out, inputs=[dmg], extra=["--name", "d", "--near-dedup", "off"])
    if bj:
        errors = bj["sources"][0]["counts"]["file_errors"]
        check(len(errors) == 3, f"3 file errors expected: {errors}")
        joined = "\n".join(errors)
        check("b_truncated.parquet" in joined and "truncated" in joined, f"truncated file named: {errors}")
        check("c_missing.parquet" in joined and '"id", "content"' in joined, f"missing column lists columns: {errors}")
        check("d_corrupt.parquet: row " in joined and "row group 2" in joined, f"corrupt page named: {errors}")
        kept = bj["sources"][0]["counts"]["documents_read"]
        check(29 + 200 <= kept < 29 + 300, f"rows kept: {kept} (node-semver's 29 + row groups 0-1 of the corrupt file)")
        check("c_missing.parquet" in p.stderr, "file error on stderr")
    build(args, os.path.join(tmp, "damaged_strict"), inputs=[dmg], extra=["--name", "d", "--strict"], expect_rc=1)
    # A non-string column named as text.
    bad_key = os.path.join(tmp, "bad_key.json")
    write_manifest(bad_key, demo, [dict(pq_sources[5], text_key="n")])
    # The only source then yields no record: the build fails (exit 1) and says why.
    p, _ = build(args, os.path.join(tmp, "bad_key_out"), manifest=bad_key, expect_rc=1)
    check('column "n" is INT64' in p.stderr and "not a string column" in p.stderr, f"non-string column: {p.stderr}")

    # 3. A Hugging Face dataset folder, files in sorted path order.
    all_recs = read_jsonl(jsonl_sources[0]["paths"][0])[:900]
    hf = os.path.join(tmp, "hf")
    layout = [("data/train-00000-of-00003.parquet", 0, 300), ("data/train-00001-of-00003.parquet", 300, 600),
              ("data/train-00002-of-00003.parquet", 600, 700), ("en/test/0000.parquet", 700, 750),
              ("en/train/0000.parquet", 750, 800), ("fr/train/0000.parquet", 800, 900)]
    for rel, a, b in reversed(layout):  # created in reverse order: the listing order must not matter
        os.makedirs(os.path.dirname(os.path.join(hf, rel)), exist_ok=True)
        pq.write_table(pa.table({"text": [r["text"] for r in all_recs[a:b]]}), os.path.join(hf, rel),
                       row_group_size=64)
    flat = os.path.join(tmp, "hf_flat.jsonl")
    with open(flat, "w", encoding="utf-8") as f:
        for r in all_recs:
            f.write(json.dumps({"text": r["text"]}, ensure_ascii=False) + "\n")
    _, a = build(args, os.path.join(tmp, "hf_out"), inputs=[hf], extra=["--name", "h", "--threads", "2"])
    _, b = build(args, os.path.join(tmp, "hf_ref"), inputs=[flat], extra=["--name", "h"])
    check(shard_digests(os.path.join(tmp, "hf_out")) == shard_digests(os.path.join(tmp, "hf_ref")),
          "HF folder: shards differ from the JSONL build in sorted path order")
    if a:
        check(a["sources"][0]["counts"]["files"] == len(layout), f"HF folder: files {a['sources'][0]['counts']}")

    # 4. The near-duplicate report names rows: a file with a planted near duplicate.
    texts = [r["text"] for r in read_jsonl(jsonl_sources[1]["paths"][0])[:40]]
    long_doc = max(texts, key=len)
    texts.insert(25, long_doc.replace(".", ";", 1) + " edited")
    nd = os.path.join(tmp, "near.parquet")
    pq.write_table(pa.table({"text": texts}), nd, row_group_size=16)
    report = os.path.join(tmp, "near_report.jsonl")
    build(args, os.path.join(tmp, "near_out"), inputs=[nd], extra=["--name", "n", "--dedup-report", report])
    lines = read_jsonl(report) if os.path.exists(report) else []
    removed = [l for l in lines if l.get("file") == nd]
    check(len(removed) >= 1, f"near-dedup report has the planted pair: {lines}")
    for l in removed:
        r = l.get("row")
        check(isinstance(r, int) and l.get("row_group") == r // 16 and l.get("row_in_group") == r % 16
              and l["kept"].get("row_group") == l["kept"].get("row") // 16,
              f"report names row, row group and row in it: {l}")

    # 5. stats on the Parquet build; bench tokenizer reads Parquet.
    st = subprocess.run([args.rwkvkit, "stats", os.path.join(tmp, "pq1"), "--out", os.path.join(tmp, "report"),
                         "--vocab", args.vocab, "--no-progress"], capture_output=True, text=True)
    check(st.returncode == 0, f"stats on the Parquet build: {st.returncode} {st.stderr[-800:]}")
    bt = subprocess.run([args.rwkvkit, "bench", "tokenizer", "--input", os.path.join(tmp, "node-semver.parquet"),
                         "--vocab", args.vocab, "--json", os.path.join(tmp, "bt.json"), "--no-progress"],
                        capture_output=True, text=True)
    bt_ref = subprocess.run([args.rwkvkit, "bench", "tokenizer", "--input", jsonl_sources[5]["paths"][0],
                             "--vocab", args.vocab, "--json", os.path.join(tmp, "bt_ref.json"), "--no-progress"],
                            capture_output=True, text=True)
    check(bt.returncode == 0 and bt_ref.returncode == 0, f"bench tokenizer: {bt.stderr[-800:]} {bt_ref.stderr[-300:]}")
    if bt.returncode == 0 and bt_ref.returncode == 0:
        with open(os.path.join(tmp, "bt.json")) as f1, open(os.path.join(tmp, "bt_ref.json")) as f2:
            g, w = json.load(f1), json.load(f2)
        def counts(d):  # per language (from the lang field / column): documents, bytes, tokens
            return {k: (v["documents"], v["bytes"], v["detected_documents"], [x["tokens"] for x in v["vocabs"].values()])
                    for k, v in list(d["languages"].items()) + [("total", d["total"])]}
        check(counts(g) == counts(w) and counts(w)["total"][0] == 29 and counts(w)["total"][2] == 0,
              f"bench tokenizer on Parquet: {counts(g)} vs JSONL {counts(w)}")

    if check.failures:
        print(f"{len(check.failures)} check(s) failed; files in {tmp}", file=sys.stderr)
        return 1
    shutil.rmtree(tmp, ignore_errors=True)
    print("parquet build: all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
