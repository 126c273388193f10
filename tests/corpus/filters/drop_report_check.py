#!/usr/bin/env python3
"""tests/corpus/filters/drop_report_check.py — `rwkvkit build --drop-report` checked in Python.

Builds demo slices in a JSONL source with a language keep list, a JSONL source with a bad line,
a text source of whole files (and with --parquet a pyarrow Parquet source, row groups of 37)
with --filters on, --threads 1 and 2. Requires: the report and build.json (timing aside) the
same bytes for both; every line names a real input document (JSONL line holds a record with a
text, text files line null, Parquet row/row group/row in group as pyarrow reads it), once, in
input order; per source the (filter, reason) counts, by language for the language filter, equal
build.json's counts.filters.dropped and the filter_* drops, language drops outside the keep
list; build.json records each source's language_id_prefix; --drop-report or
--language-id-prefix without --filters on, into a missing directory, or naming the
--dedup-report's file or build.json is an error before any work. (A split build writes the same
report: tests/corpus/tasks/split_identity_test.py.) Standard library (pyarrow with --parquet).
"""

import collections
import json
import os
import subprocess
import sys
import tempfile

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
import testlib  # noqa: E402

check = testlib.Checks()


def make_corpus(tmp, demo, parquet):
    src = os.path.join(tmp, "src")
    os.makedirs(os.path.join(src, "texts"))
    with open(os.path.join(src, "gnome.jsonl"), "w", encoding="utf-8") as f:
        f.writelines(testlib.spread_lines(os.path.join(demo, "gnome-user-docs.jsonl"), 300))
    handbook = testlib.spread_lines(os.path.join(demo, "debian-handbook.jsonl"), 60)
    handbook.insert(5, "{this is not json\n")
    with open(os.path.join(src, "handbook.jsonl"), "w", encoding="utf-8") as f:
        f.writelines(handbook)
    texts = [json.loads(l)["text"] for l in testlib.spread_lines(os.path.join(demo, "debian-handbook.jsonl"), 8)]
    texts += ["Too short to keep.", "Another tiny file, far below fifty words."]
    for i, t in enumerate(texts):
        with open(os.path.join(src, "texts", f"t{i:02d}.txt"), "w", encoding="utf-8") as f:
            f.write(t)
    sources = []
    if parquet:
        import pyarrow as pa
        import pyarrow.parquet as pq
        rows = [json.loads(l)["text"] for l in testlib.spread_lines(os.path.join(demo, "gnome-user-docs.jsonl"), 401)[1::2]]
        pq.write_table(pa.table({"id": list(range(len(rows))), "text": rows}), os.path.join(src, "gnome.parquet"),
                       row_group_size=37)
        sources.append({"name": "gnome_parquet", "paths": ["src/gnome.parquet"], "format": "parquet",
                        "license": "CC-BY-SA-3.0", "filters": {"languages": {"keep": ["en", "de", "fr"]}}})
    manifest = {"name": "drops", "seed": 3,
                "sources": [
                    {"name": "gnome", "paths": ["src/gnome.jsonl"], "format": "jsonl", "license": "CC-BY-SA-3.0",
                     "filters": {"languages": {"keep": ["en", "de", "fr"]}}},
                    {"name": "handbook", "paths": ["src/handbook.jsonl"], "format": "jsonl", "license": "GPL-2.0",
                     "filters": {"language_id_prefix": 0}},
                    {"name": "texts", "paths": ["src/texts"], "format": "text", "license": "GPL-2.0"}] + sources,
                "output": {"dir": "out", "shard_tokens": 200000, "ctx_len": 512}}
    path = os.path.join(tmp, "manifest.json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump(manifest, f)
    return path, manifest


def build(args, manifest, out, report, threads, extra=()):
    cmd = [args.rwkvkit, "build", "--manifest", manifest, "--out", out, "--threads", str(threads), "--vocab",
           args.vocab, "--no-progress", "--filters", "on", "--drop-report", report, *extra]
    return subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def without_timing(path):
    with open(path, encoding="utf-8") as f:
        b = json.load(f)
    b.pop("timing", None)
    return b


def main():
    ap = testlib.arg_parser(__doc__)
    ap.add_argument("--demo-dir", required=True)
    ap.add_argument("--parquet", action="store_true", help="add a Parquet source (the binary reads Parquet)")
    args = ap.parse_args()
    if testlib.missing_setup(args.vocab, args.demo_dir):
        return 2
    with tempfile.TemporaryDirectory(prefix="rwkvkit_drops_") as tmp:
        manifest, m = make_corpus(tmp, args.demo_dir, args.parquet)
        reports = []
        for threads in (1, 2):
            out = os.path.join(tmp, f"out{threads}")
            report = os.path.join(tmp, f"drops{threads}.jsonl")
            r = build(args, manifest, out, report, threads)
            check(r.returncode == 0, f"build --threads {threads} exited {r.returncode}: {r.stderr.decode()[-400:]}")
            with open(report, "rb") as f:
                reports.append(f.read())
            check(not os.path.exists(report + ".tmp"), "the report's temporary file was left behind")
        check(reports[0] == reports[1], "the drop report differs between --threads 1 and 2")
        check(without_timing(os.path.join(tmp, "out1", "build.json")) ==
              without_timing(os.path.join(tmp, "out2", "build.json")), "build.json differs between --threads 1 and 2")
        build_json = without_timing(os.path.join(tmp, "out1", "build.json"))
        entries = [json.loads(l) for l in reports[0].decode("utf-8").splitlines()]
        check(len(entries) > 20, f"only {len(entries)} documents dropped: the test corpus is too clean")
        check_entries(entries, build_json, m, tmp, args.parquet)
        prefixes = {s["name"]: s["filters"]["language_id_prefix"] for s in build_json["sources"]}
        check(prefixes["handbook"] == 0 and prefixes["gnome"] == prefixes["texts"] > 0,
              f"build.json's language_id_prefix per source: {prefixes}")
        check_errors(args, manifest, tmp)
        print(f"checked {len(entries)} dropped documents")
    return check.finish("drop report")


def parquet_groups(path):
    """(first row of each row group, the text column) of a Parquet file, read by pyarrow."""
    import pyarrow.parquet as pq
    f = pq.ParquetFile(path)
    starts, n = [], 0
    for g in range(f.metadata.num_row_groups):
        starts.append(n)
        n += f.metadata.row_group(g).num_rows
    return starts, f.read(columns=["text"]).column("text").to_pylist()


def check_entries(entries, build_json, m, tmp, parquet):
    names = [s["name"] for s in m["sources"]]
    file_order = {}
    for s in m["sources"]:
        p = os.path.join(tmp, s["paths"][0])
        files = sorted(os.path.join(p, n) for n in os.listdir(p)) if os.path.isdir(p) else [p]
        for f in files:
            file_order[os.path.realpath(f)] = len(file_order)
    seen, last = set(), (-1, -1)
    by_source = collections.defaultdict(collections.Counter)
    groups = {}
    for e in entries:
        src = next(s for s in m["sources"] if s["name"] == e["source"])
        pos_key = "row" if src["format"] == "parquet" else "line"
        if pos_key == "row":
            check(set(e) == {"source", "file", "row", "row_group", "row_in_group", "filter", "reason", "language"},
                  f"fields {sorted(e)}")
            if e["file"] not in groups:
                groups[e["file"]] = parquet_groups(e["file"])
            starts, texts = groups[e["file"]]
            check(0 <= e["row_group"] < len(starts) and starts[e["row_group"]] + e["row_in_group"] == e["row"] and
                  e["row_in_group"] >= 0 and isinstance(texts[e["row"]], str), f"Parquet position {e}")
        else:
            check(set(e) == {"source", "file", "line", "filter", "reason", "language"}, f"fields {sorted(e)}")
        where = (e["file"], e[pos_key])
        check(where not in seen, f"{where} reported twice")
        seen.add(where)
        real = os.path.realpath(e["file"])
        check(real in file_order, f"{e['file']} is not an input file")
        pos = (file_order.get(real, -1), e[pos_key] if e[pos_key] is not None else 0)
        check(pos > last, f"{where} out of input order")
        last = pos
        if src["format"] == "parquet":
            pass  # checked above
        elif src["format"] == "text":
            check(e["line"] is None, f"{where}: a text file's line must be null")
        else:
            with open(e["file"], encoding="utf-8") as f:
                record = f.readlines()[e["line"] - 1]
            check(isinstance(json.loads(record).get("text"), str), f"{where} is not a JSON record with a text")
        key = e["language"] if e["filter"] == "language" else e["reason"]
        if e["filter"] == "language":
            keep = src.get("filters", {}).get("languages", {}).get("keep", [])
            check(e["reason"] == "language" and e["language"].split("-")[0] not in keep,
                  f"{where}: language drop of {e['language']!r} with keep list {keep}")
        by_source[e["source"]][(e["filter"], key)] += 1
    check(any(e["filter"] == "language" for e in entries), "no language-filter drop in the report")
    check(any(e.get("line", 0) is None for e in entries), "no text-file drop in the report")
    if parquet:
        check(any("row" in e and e["filter"] == "language" for e in entries), "no Parquet language drop in the report")
    for i, s in enumerate(build_json["sources"]):
        c = s["counts"]
        want = collections.Counter({(flt, k): n for flt, reasons in c.get("filters", {}).get("dropped", {}).items()
                                    for k, n in reasons.items()})
        check(by_source[names[i]] == want, f"source {names[i]}: report {dict(by_source[names[i]])}, build.json {dict(want)}")
        filtered = sum(n for r, n in c["dropped"].items() if r.startswith("filter_"))
        check(sum(by_source[names[i]].values()) == filtered, f"source {names[i]}: {filtered} filter_* drops in build.json")


def check_errors(args, manifest, tmp):
    out = os.path.join(tmp, "err")
    r = subprocess.run([args.rwkvkit, "build", "--manifest", manifest, "--out", out, "--vocab", args.vocab,
                        "--no-progress", "--drop-report", os.path.join(tmp, "d.jsonl")],
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    check(r.returncode != 0 and "--drop-report needs --filters on" in r.stderr.decode(),
          f"--drop-report without filters: exit {r.returncode}, {r.stderr.decode()!r}")
    r = subprocess.run([args.rwkvkit, "build", "--manifest", manifest, "--out", out, "--vocab", args.vocab,
                        "--no-progress", "--language-id-prefix", "256"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    check(r.returncode != 0 and "--language-id-prefix needs --filters on" in r.stderr.decode(),
          f"--language-id-prefix without filters: exit {r.returncode}, {r.stderr.decode()!r}")
    r = build(args, manifest, out, os.path.join(tmp, "nowhere", "d.jsonl"), 1)
    err = r.stderr.decode()
    check(r.returncode != 0 and "no such directory for --drop-report" in err, f"missing directory: {err!r}")
    check(not os.path.exists(os.path.join(out, "build.json")), "a failed build wrote build.json")
    same = os.path.join(tmp, "both.jsonl")
    r = build(args, manifest, out, same, 1, extra=("--dedup-report", same))
    err = r.stderr.decode()
    check(r.returncode != 0 and "also named by --dedup-report" in err, f"one file for both reports: {err!r}")
    r = build(args, manifest, out, os.path.join(out, "build.json"), 1)
    err = r.stderr.decode()
    check(r.returncode != 0 and "names a file or directory the build itself writes" in err, f"report as build.json: {err!r}")
    check(not os.path.exists(os.path.join(out, "build.json")), "a refused build wrote build.json")


if __name__ == "__main__":
    sys.exit(main())
