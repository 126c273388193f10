#!/usr/bin/env python3
"""ctest merge_rwkv_lm: `rwkvkit build` → `rwkvkit merge` → the RWKV-LM trainer's own arithmetic.

RWKV-LM's trainers open ONE binidx prefix. Their dataset code (RWKV-v5/src/dataset.py with
--my_pile_stage > 0, RWKV-v7/train_temp/src/dataset.py) computes data_size and dataset_slot,
asserts magic_prime prime, % 3 == 2 and 0.9 < magic_prime / dataset_slot <= 1, and reads sample
ii at ((int(p * (sqrt(5) - 1) / 2) * ii^3) % p) * ctx_len. This test transcribes that arithmetic
(not rwkvkit's) and checks on a real multi-shard build: the merged prefix (read by
tests/golden/binidx_numpy_reader.py) is the shards' documents in order, with their dtype; the
printed trainer command lines, parsed with the trainers' argument names, pass every assert and
visit each slot once per p samples within the data (several ctx_len); build.json's per-shard
numbers follow make_data.py's rule; a corpus too small to train on gets a clear message; merge
refuses to replace an existing output (unless --force) or an input, leaves no temporary files,
and merges int32 shards into an int32 prefix.
"""

import argparse
import json
import math
import os
import random
import shlex
import shutil
import sys
import tempfile

import numpy as np

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import testlib  # noqa: E402
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "golden"))
import binidx_numpy_reader as reader  # noqa: E402


def is_prime(n):  # make_data.py's trial division
    if n <= 1:
        return False
    if n <= 3:
        return True
    if n % 2 == 0 or n % 3 == 0:
        return False
    i = 5
    while i * i <= n:
        if n % i == 0 or n % (i + 2) == 0:
            return False
        i += 6
    return True


def make_data_magic_prime(data_size, ctx_len):  # make_data.py, step for step
    if data_size < ctx_len * 3:
        return None
    for i in range(int(data_size // ctx_len) - 1, 0, -1):
        if i % 3 == 2 and is_prime(i):
            return i
    return None


def trainer_args(line, stage_flag):
    """The trainer's argparse types for the flags rwkvkit prints (RWKV-v5/train.py, RWKV-v7/train_temp/train.py)."""
    words = shlex.split(line)
    assert words[:2] == ["python", "train.py"], line
    ap = argparse.ArgumentParser()
    for name, typ in (("data_file", str), ("data_type", str), ("vocab_size", int), ("ctx_len", int),
                      (stage_flag, int), ("my_exit_tokens", int), ("magic_prime", int)):
        ap.add_argument("--" + name, type=typ, required=True)
    return vars(ap.parse_args(words[2:]))


def check_dataset_arithmetic(a, stage_flag, data_prefix):
    """RWKV-LM's MyDataset.__init__ asserts and __getitem__ offsets for the file the trainer opens."""
    assert a["data_type"] == "binidx" and a["vocab_size"] == 65536, a
    assert a[stage_flag] > 0, f"{stage_flag} must be > 0 for the dataset asserts and the magic_prime sampler"
    assert a["data_file"] == data_prefix, (a["data_file"], data_prefix)
    dtype_size = reader.shard_dtype(a["data_file"]).itemsize
    data_size = os.path.getsize(a["data_file"] + ".bin") // dtype_size
    ctx_len, p = a["ctx_len"], a["magic_prime"]
    dataset_slot = data_size // ctx_len
    assert is_prime(p), p
    assert p % 3 == 2, p
    assert p / dataset_slot > 0.9 and p / dataset_slot <= 1, (p, dataset_slot)
    assert a["my_exit_tokens"] == data_size, (a["my_exit_tokens"], data_size)
    factor = int(p * (math.sqrt(5) - 1) / 2)
    slots = set()
    for ii in range(1, p + 1):  # one pass of p samples (epoch 0, one GPU, my_pile_shift 0)
        i = ((factor * ii * ii * ii) % p) * ctx_len
        assert i + ctx_len + 1 <= data_size, (ii, i, data_size)
        slots.add(i // ctx_len)
    assert len(slots) == p, f"{len(slots)} distinct slots in {p} samples"
    return data_size


def trainer_lines(text):
    lines = [l.strip() for l in text.splitlines()]
    v5 = [l for l in lines if l.startswith("python train.py") and "--my_pile_stage" in l]
    v7 = [l for l in lines if l.startswith("python train.py") and "--train_stage" in l]
    assert len(v5) == 1 and len(v7) == 1, text
    return v5[0], v7[0]


def write_corpus(path, n_docs, seed):
    rng = random.Random(seed)
    words = ["alpha", "beta", "gamma", "delta", "river", "stone", "cloud", "garden", "Zürich", "東京", "λόγος", "42"]
    with open(path, "w", encoding="utf-8") as f:
        for i in range(n_docs):
            text = " ".join(rng.choice(words) for _ in range(rng.randint(5, 120)))
            f.write(json.dumps({"text": f"{i}: {text}"}, ensure_ascii=False) + "\n")


def build(args, tmp, name, n_docs, shard_tokens, ctx_len):
    src = os.path.join(tmp, f"{name}.jsonl")
    write_corpus(src, n_docs, seed=n_docs)
    out = os.path.join(tmp, name)
    r = testlib.run_expect([args.rwkvkit, "build", "--input", src, "--out", out, "--name", name, "--shard-tokens", str(shard_tokens),
             "--ctx-len", str(ctx_len), "--near-dedup", "off", "--no-progress", "--vocab", args.vocab])
    return out, json.load(open(os.path.join(out, "build.json"))), r.stdout


def check_merge(args, tmp):
    ctx_build = 16
    out, bj, build_stdout = build(args, tmp, "mix", 900, 12000, ctx_build)
    shards = [os.path.join(out, s["name"]) for s in bj["shards"]]
    assert len(shards) >= 3, f"want a multi-shard build, got {len(shards)}"
    # Per-shard numbers in build.json: make_data.py's rule for the file each shard is.
    for s in bj["shards"]:
        size = os.path.getsize(os.path.join(out, s["name"]) + ".bin") // 2
        t = s["training"]
        assert t["my_exit_tokens"] == size and t["magic_prime"] == make_data_magic_prime(size, ctx_build), (s, size)
        p = t["magic_prime"]
        assert t["trainer_accepts"] == (p is not None and 0.9 < p / (size // ctx_build) <= 1), s
    # The build's own hint: the merge command, then the trainer lines for the merged prefix.
    merge_line = [l.strip() for l in build_stdout.splitlines() if l.strip().startswith("rwkvkit merge ")]
    assert len(merge_line) == 1, build_stdout
    hinted = shlex.split(merge_line[0])
    assert hinted[2] == out and hinted[3] == "--out", merge_line
    merged = hinted[4]
    r = testlib.run_expect([args.rwkvkit] + hinted[1:] + ["--no-progress"])
    assert not [f for f in os.listdir(os.path.dirname(merged)) if ".merging" in f], "temporary files left"
    for stage_flag, line in zip(("my_pile_stage", "train_stage"), trainer_lines(build_stdout)):
        check_dataset_arithmetic(trainer_args(line, stage_flag), stage_flag, merged)
    # The merged prefix is the shards' documents in order (independent reader).
    want = [d for s in shards for d in reader.read_shard(s)]
    got = reader.read_shard(merged)
    assert len(got) == len(want) and all(np.array_equal(a, b) for a, b in zip(got, want)), "merged documents differ"
    assert reader.shard_dtype(merged) == np.uint16
    total = sum(d.size for d in want)
    assert f"{total} tokens" in r.stdout, r.stdout
    # Other context lengths: merge prints numbers the trainer accepts for each.
    for ctx in (8, 32, 64):
        dst = os.path.join(tmp, f"ctx{ctx}", "mix")
        r = testlib.run_expect([args.rwkvkit, "merge", out, "--out", dst, "--ctx-len", str(ctx), "--no-progress"])
        for stage_flag, line in zip(("my_pile_stage", "train_stage"), trainer_lines(r.stdout)):
            a = trainer_args(line, stage_flag)
            assert a["ctx_len"] == ctx
            check_dataset_arithmetic(a, stage_flag, dst)
            assert a["magic_prime"] == make_data_magic_prime(total, ctx)
    # inspect on the build directory prints the same trainer lines for the merged prefix.
    r = testlib.run_expect([args.rwkvkit, "inspect", out])
    assert trainer_lines(r.stdout) == trainer_lines(build_stdout), r.stdout
    ins = json.loads(testlib.run_expect([args.rwkvkit, "inspect", out, "--json"]).stdout)
    assert [s["training"]["magic_prime"] for s in ins["shards"]] == [s["training"]["magic_prime"] for s in bj["shards"]]
    # An existing output is kept without --force; an input is never replaced.
    before = open(merged + ".bin", "rb").read()
    r = testlib.run_expect([args.rwkvkit, "merge", out, "--out", merged], code=1)
    assert "exists" in r.stderr and "--force" in r.stderr, r.stderr
    assert open(merged + ".bin", "rb").read() == before
    testlib.run_expect([args.rwkvkit, "merge", out, "--out", merged, "--force", "--no-progress"])
    r = testlib.run_expect([args.rwkvkit, "merge", shards[0], shards[1], "--out", shards[1], "--force"], code=1)
    assert "one of the input shards" in r.stderr, r.stderr
    # A build directory whose build.json disagrees with a shard is refused, naming both.
    bad = os.path.join(tmp, "badbuild")
    shutil.copytree(out, bad)
    bjb = json.load(open(os.path.join(bad, "build.json")))
    bjb["shards"][1]["tokens"] += 1
    json.dump(bjb, open(os.path.join(bad, "build.json"), "w"))
    r = testlib.run_expect([args.rwkvkit, "merge", bad, "--out", os.path.join(tmp, "badm", "x")], code=1)
    assert "differs from" in r.stderr and "build.json" in r.stderr, r.stderr
    assert not os.path.exists(os.path.join(tmp, "badm", "x.bin"))
    # A shard given by its .bin/.idx path works like its prefix.
    dst = os.path.join(tmp, "two", "x")
    testlib.run_expect([args.rwkvkit, "merge", shards[0] + ".bin", shards[1] + ".idx", "--out", dst, "--ctx-len", "8", "--no-progress"])
    two = reader.read_shard(dst)
    assert len(two) == bj["shards"][0]["documents"] + bj["shards"][1]["documents"]
    return shards


def check_too_small(args, tmp):
    out, bj, stdout = build(args, tmp, "tiny", 3, 1 << 30, 4096)
    assert bj["training"]["trainer_accepts"] is False and bj["training"]["args"] is None, bj["training"]
    assert "too small to train on" in bj["training"]["problem"], bj["training"]
    assert "too small to train on" in stdout and "python train.py" not in stdout, stdout
    # 3 x ctx_len tokens: make_data's p = 2, which the trainer's 0.9 ratio check refuses.
    tokens = bj["output"]["tokens"]
    ctx = tokens // 3
    r = testlib.run_expect([args.rwkvkit, "inspect", out, "--ctx-len", str(ctx)])
    assert "too small to train on" in r.stdout and "p / slots = 0.667" in r.stdout, r.stdout
    assert "python train.py" not in r.stdout
    # The message names a context length that works, and it does.
    words = r.stdout.split("--ctx-len ")
    if len(words) > 1:
        smaller = int(words[1].split()[0].rstrip(","))
        r = testlib.run_expect([args.rwkvkit, "inspect", out, "--ctx-len", str(smaller)])
        v5, v7 = trainer_lines(r.stdout)
        check_dataset_arithmetic(trainer_args(v5, "my_pile_stage"), "my_pile_stage", os.path.join(out, "tiny_00000"))


def check_int32(args, tmp, shards):
    parts = []
    for k, s in enumerate(shards[:3]):
        prefix = os.path.join(tmp, f"i32_{k}")
        testlib.write_binidx(prefix, reader.read_shard(s), np.int32)
        parts.append(prefix)
    dst = os.path.join(tmp, "i32m", "m")
    r = testlib.run_expect([args.rwkvkit, "merge", *parts, "--out", dst, "--ctx-len", "8", "--no-progress"])
    assert reader.shard_dtype(dst) == np.int32
    want = [d for s in shards[:3] for d in reader.read_shard(s)]
    got = reader.read_shard(dst)
    assert len(got) == len(want) and all(np.array_equal(a, b) for a, b in zip(got, want))
    for stage_flag, line in zip(("my_pile_stage", "train_stage"), trainer_lines(r.stdout)):
        check_dataset_arithmetic(trainer_args(line, stage_flag), stage_flag, dst)
    # One dtype per merge.
    r = testlib.run_expect([args.rwkvkit, "merge", parts[0], shards[1], "--out", os.path.join(tmp, "mixed", "m")], code=1)
    assert "differs from the first shard's" in r.stderr, r.stderr


def main():
    ap = testlib.arg_parser(__doc__)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="rwkvkit_merge_") as tmp:
        shards = check_merge(args, tmp)
        check_too_small(args, tmp)
        check_int32(args, tmp, shards)
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
