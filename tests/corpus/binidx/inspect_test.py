#!/usr/bin/env python3
"""ctest binidx_inspect: `rwkvkit inspect` on fake build directories.

A build directory is made with binidx_write_fixture (shards + their build.json entries, whose
XXH3-128 the fixture computes with xxHash's one-shot API). The clean directory and each single
shard must pass; then each damage (a flipped .bin byte, a truncated .bin, a deleted .idx or
shard, an unlisted or leftover temp file, wrong counts, a wrong total, bad JSON) must make
inspect exit 1 naming the shard and what is wrong, with every problem listed.
"""

import argparse
import json
import os
import shutil
import subprocess
import tempfile

SHARDS = [("demo_00000", 1, 200), ("demo_00001", 2, 50), ("demo_00002", 3, 7)]


def run(args, *cmd):
    return subprocess.run([args.rwkvkit, "inspect", *cmd], capture_output=True, text=True)


def expect(res, code, *needles, stream="stderr"):
    text = getattr(res, stream)
    assert res.returncode == code, f"exit {res.returncode}, expected {code}\nstdout:\n{res.stdout}\nstderr:\n{res.stderr}"
    for n in needles:
        assert n in text, f"{n!r} not in {stream}:\n{text}"


def make_build_dir(args, root):
    out = os.path.join(root, "out")
    os.makedirs(out)
    entries = []
    for name, seed, docs in SHARDS:
        res = subprocess.run([args.fixture, os.path.join(out, name), "--seed", str(seed), "--docs", str(docs),
                              "--max-len", "300", "--eod", "--entry"], check=True, capture_output=True, text=True)
        entries.append(json.loads(res.stdout))
    docs, tokens = sum(e["documents"] for e in entries), sum(e["tokens"] for e in entries)
    # The shape `rwkvkit build` writes (corpus/build/build_report.cc): "output" sums, "training" numbers.
    write_json(out, {"corpus": "demo", "shards": entries,
                     "output": {"shards": len(entries), "documents": docs, "tokens": tokens},
                     "training": {"ctx_len": 64, "my_exit_tokens": tokens, "magic_prime": magic_prime(tokens, 64)}})
    return out, entries


def write_json(out, build):
    with open(os.path.join(out, "build.json"), "w") as f:
        json.dump(build, f, indent=1)


def magic_prime(tokens, ctx):  # RWKV-LM make_data.py's rule, trial division
    if tokens < 3 * ctx:
        return None
    for i in range(tokens // ctx - 1, 0, -1):
        if i % 3 == 2 and i > 1 and all(i % d for d in range(2, int(i ** 0.5) + 1)):
            return i


def check_clean(args, out, entries, root):
    expect(run(args, out), 0, *[e["name"] for e in entries], stream="stdout")
    res = run(args, out, "--json")
    expect(res, 0)
    report = json.loads(res.stdout)
    assert report["ok"] and not report["problems"], report
    assert [s["xxh3_128"] for s in report["shards"]] == [e["xxh3_128"] for e in entries], report
    tokens = sum(e["tokens"] for e in entries)
    assert report["tokens"] == tokens
    expect(run(args, out, "--ctx-len", "64"), 0, f"--my_exit_tokens {tokens} --magic_prime {magic_prime(tokens, 64)}",
           stream="stdout")
    e = entries[0]
    prefix = os.path.join(out, e["name"])
    for path in (prefix, prefix + ".bin", prefix + ".idx"):
        expect(run(args, path), 0, f"documents    {e['documents']}", f"tokens       {e['tokens']}",
               "ends with 0  yes", stream="stdout")
    one = json.loads(run(args, prefix, "--json").stdout)
    assert one["documents"] == e["documents"] and one["documents_not_ending_with_0"] == 0, one
    # A shard whose documents lack the end token passes, saying so.
    bare = os.path.join(root, "bare")
    subprocess.run([args.fixture, bare, "--seed", "5", "--docs", "30", "--max-len", "20"], check=True)
    expect(run(args, bare), 0, "ends with 0  NO:", stream="stdout")
    print("ok  clean directory, single shards, --json, --ctx-len")


def damaged(out, root, name):
    """A fresh copy of the build directory to damage."""
    copy = os.path.join(root, name)
    shutil.copytree(out, copy)
    return copy


def check_damage(args, out, entries, root):
    d = damaged(out, root, "flipped")
    with open(os.path.join(d, "demo_00001.bin"), "r+b") as f:
        f.seek(10)
        b = f.read(1)
        f.seek(10)
        f.write(bytes([b[0] ^ 1]))
    expect(run(args, d), 1, "demo_00001.bin: XXH3-128 differs from build.json", "1 problem in")

    d = damaged(out, root, "truncated")
    with open(os.path.join(d, "demo_00000.bin"), "r+b") as f:
        f.truncate(os.path.getsize(os.path.join(d, "demo_00000.bin")) - 2)
    expect(run(args, d), 1, "demo_00000: ", "demo_00000.bin@", "data file size does not match the index")
    expect(run(args, os.path.join(d, "demo_00000")), 1, "demo_00000.bin@")

    d = damaged(out, root, "idx_cut")
    with open(os.path.join(d, "demo_00002.idx"), "r+b") as f:
        f.truncate(40)
    expect(run(args, d), 1, "demo_00002.idx@40: index truncated")

    d = damaged(out, root, "no_idx")
    os.remove(os.path.join(d, "demo_00001.idx"))
    expect(run(args, d), 1, "demo_00001: ", "demo_00001.idx: cannot open", "1 problem in")

    d = damaged(out, root, "no_shard")
    os.remove(os.path.join(d, "demo_00002.idx"))
    os.remove(os.path.join(d, "demo_00002.bin"))
    expect(run(args, d), 1, "demo_00002.idx: cannot open")

    d = damaged(out, root, "extra")
    shutil.copy(os.path.join(d, "demo_00000.bin"), os.path.join(d, "demo_00009.bin"))
    shutil.copy(os.path.join(d, "demo_00000.bin"), os.path.join(d, "demo_00000.bin.tmp"))
    expect(run(args, d), 1, "demo_00009.bin: shard file not listed in build.json",
           "demo_00000.bin.tmp: shard file not listed in build.json", "2 problems in")

    d = damaged(out, root, "counts")
    build = json.load(open(os.path.join(d, "build.json")))
    build["shards"][1]["documents"] += 1
    build["shards"][2]["idx_bytes"] -= 8
    build["output"]["tokens"] += 5
    write_json(d, build)
    res = run(args, d)
    expect(res, 1, "demo_00001: documents differ from build.json (saw 50, expected 51)",
           "demo_00002: idx_bytes differ", "build.json: output.tokens does not match the shards", "3 problems in")
    report = json.loads(run(args, d, "--json").stdout)
    assert not report["ok"] and len(report["problems"]) == 3, report

    d = damaged(out, root, "training")
    build = json.load(open(os.path.join(d, "build.json")))
    build["output"]["shards"] = 4
    build["training"]["my_exit_tokens"] -= 1
    build["training"]["magic_prime"] = None
    write_json(d, build)
    expect(run(args, d), 1, "build.json: output.shards does not match the shards (saw 3",
           "build.json: training.my_exit_tokens", "build.json: training.magic_prime for ctx_len 64 (saw null, expected ",
           "3 problems in")
    del build["output"], build["training"]
    build["total"] = {"tokens": 1, "documents_read": 5}  # the older shape: only total.tokens is checked
    write_json(d, build)
    expect(run(args, d), 1, "build.json: total.tokens does not match the shards", "1 problem in")

    d = damaged(out, root, "bad_json")
    with open(os.path.join(d, "build.json"), "w") as f:
        f.write('{"shards": [')
    expect(run(args, d), 1, "build.json: not valid JSON")
    write_json(d, {"shards": [{"name": "demo_00000"}]})
    expect(run(args, d), 1, "build.json: shards[0].xxh3_128: missing")
    os.remove(os.path.join(d, "build.json"))
    expect(run(args, d), 1, "build.json: cannot read")
    print("ok  every damage fails, naming the shard")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--fixture", required=True)
    ap.add_argument("--rwkvkit", required=True, help="a binary that runs `inspect` as its first argument")
    args = ap.parse_args()
    root = tempfile.mkdtemp(prefix="binidx_inspect_")
    try:
        out, entries = make_build_dir(args, root)
        check_clean(args, out, entries, root)
        check_damage(args, out, entries, root)
        expect(run(args), 2, "give exactly one PATH")
        expect(run(args, os.path.join(root, "missing")), 1, "missing.idx: cannot open")
    finally:
        shutil.rmtree(root)
    print("binidx_inspect: all checks passed")


if __name__ == "__main__":
    main()
