"""rwkvkit.open_shards: documents equal an independent binidx reader's, are zero-copy views of
the mapped .bin, and training_sample() reads what RWKV-LM's dataset code reads (its arithmetic,
transcribed below, on the file `rwkvkit merge` writes)."""

import json
import math
import mmap
import os
import random
import subprocess

import numpy as np
import pytest

import rwkvkit
from conftest import read_binidx

CTX_LEN = 128


@pytest.fixture(scope="module")
def build_dir(tmp_path_factory, cli_path, vocab_path):
    tmp = tmp_path_factory.mktemp("shards")
    rng = random.Random(7)
    words = ["alpha", "beta", "gamma", "delta", "今天", "天气", "über", "naïve", "x=1;", "\n"]
    with open(tmp / "a.jsonl", "w", encoding="utf-8") as f:
        for i in range(600):
            f.write(json.dumps({"text": " ".join(rng.choice(words) for _ in range(rng.randrange(5, 120))) + f" #{i}"}) + "\n")
    with open(tmp / "b.jsonl", "w", encoding="utf-8") as f:
        for i in range(300):
            f.write(json.dumps({"text": f"document {i} " + "lorem ipsum " * rng.randrange(1, 50)}) + "\n")
    out = tmp / "out"
    subprocess.run([cli_path, "build", "--input", str(tmp / "a.jsonl"), "--input", str(tmp / "b.jsonl"),
                    "--out", str(out), "--name", "t", "--shard-tokens", "20000", "--near-dedup", "off",
                    "--no-progress", "--vocab", vocab_path], check=True, capture_output=True)
    return out


def test_documents_match_the_independent_reader(build_dir):
    shards = rwkvkit.open_shards(build_dir)
    info = json.load(open(build_dir / "build.json"))
    assert shards.build_info == info
    assert shards.num_shards == len(info["shards"]) > 1
    assert len(shards) == info["output"]["documents"]
    assert shards.num_tokens == info["output"]["tokens"]
    want = []
    for s in info["shards"]:
        docs, _ = read_binidx(str(build_dir / s["name"]))
        want.extend(docs)
    assert len(want) == len(shards)
    for i, doc in enumerate(shards):
        assert doc.dtype == np.uint16 and doc.tolist() == want[i], i
        assert doc[-1] == 0
    assert shards[-1].tolist() == want[-1]
    assert [d.tolist() for d in shards[3:6]] == want[3:6]
    assert shards.document_lengths().tolist() == [len(d) for d in want]
    with pytest.raises(IndexError):
        shards[len(shards)]
    # sources from build.json's source_runs
    names = [s["name"] for s in info["sources"]]
    runs = [names[src] for s in info["shards"] for src, n in s["source_runs"] for _ in range(n)]
    assert [shards.source_of(i) for i in range(len(shards))] == runs


def test_documents_are_views_of_the_mapping(build_dir):
    shards = rwkvkit.open_shards(build_dir)
    doc = shards[5]
    base = doc
    while isinstance(base, np.ndarray):
        base = base.base
    if isinstance(base, memoryview):  # np.frombuffer holds the buffer through a memoryview
        base = base.obj
    assert isinstance(base, mmap.mmap)  # the base chain ends at the mapping itself
    assert np.shares_memory(doc, shards.shard_tokens(0))
    assert not doc.flags.writeable and not doc.flags.owndata


def test_prefix_and_paths(build_dir):
    info = json.load(open(build_dir / "build.json"))
    first = str(build_dir / info["shards"][0]["name"])
    one = rwkvkit.open_shards(first)
    assert len(one) == info["shards"][0]["documents"] and one.build_info is None
    assert len(rwkvkit.open_shards(first + ".bin")) == len(one)
    assert len(rwkvkit.open_shards([first, first + ".idx"])) == len(one)  # named twice, read once
    with pytest.raises(rwkvkit.NotFoundError):
        rwkvkit.open_shards(str(build_dir / "nothing_here"))


def test_damaged_index_raises_with_the_file(build_dir, tmp_path):
    info = json.load(open(build_dir / "build.json"))
    name = info["shards"][0]["name"]
    for ext in (".bin", ".idx"):
        with open(build_dir / (name + ext), "rb") as src, open(tmp_path / (name + ext), "wb") as dst:
            dst.write(src.read())
    with open(tmp_path / (name + ".bin"), "r+b") as f:
        f.truncate(os.path.getsize(tmp_path / (name + ".bin")) - 2)
    with pytest.raises(rwkvkit.DataLossError) as e:
        rwkvkit.open_shards(str(tmp_path / name))
    assert e.value.path and e.value.path.startswith(str(tmp_path / name))


def rwkv_lm_sample(data, data_size, ctx_len, magic_prime, epoch, idx, rank, world_size, samples_per_epoch=40320,
                   my_pile_shift=0):
    """RWKV-LM's MyDataset.__getitem__ (RWKV-v5/src/dataset.py with my_pile_stage > 0,
    my_random_steps 0, my_qa_mask 0; RWKV-v7/train_temp/src/dataset.py), step for step."""
    dataset_slot = data_size // ctx_len
    assert magic_prime % 3 == 2
    assert magic_prime / dataset_slot > 0.9 and magic_prime / dataset_slot <= 1
    req_len = ctx_len + 1
    ii = 1 + epoch * samples_per_epoch + (idx * world_size) + rank
    factor = (math.sqrt(5) - 1) / 2
    factor = int(magic_prime * factor)
    i = ((factor * ii * ii * ii) % magic_prime) * ctx_len
    i = i + my_pile_shift
    return data[i:i + req_len].astype(int)  # data.get(idx=0, offset=i, length=req_len)


def test_training_sample_is_rwkv_lm_s(build_dir, cli_path, tmp_path):
    merged = tmp_path / "merged" / "t"
    r = subprocess.run([cli_path, "merge", str(build_dir), "--out", str(merged), "--ctx-len", str(CTX_LEN)],
                       check=True, capture_output=True, text=True)
    magic_prime = int(r.stdout.split("--magic_prime ")[1].split()[0])
    _, data = read_binidx(str(merged))  # RWKV-LM opens the merged prefix
    shards = rwkvkit.open_shards(build_dir)
    assert shards.num_tokens == len(data)
    numbers = shards.training_numbers(CTX_LEN)
    assert numbers["magic_prime"] == magic_prime and numbers["trainer_accepts"]
    assert numbers["my_exit_tokens"] == len(data)
    crossings = 0
    for epoch in (0, 1, 7):
        for world_size in (1, 4):
            for rank in range(world_size):
                for idx in range(0, 400, 3):
                    want = rwkv_lm_sample(data, len(data), CTX_LEN, magic_prime, epoch, idx, rank, world_size)
                    got = shards.training_sample(idx, CTX_LEN, epoch=epoch, rank=rank, world_size=world_size)
                    assert got.tolist() == want.tolist(), (epoch, world_size, rank, idx)
                    off = shards.training_sample_offset(idx, CTX_LEN, epoch=epoch, rank=rank, world_size=world_size)
                    starts = np.cumsum([0] + [shards.shard_tokens(k).shape[0] for k in range(shards.num_shards)])
                    crossings += int(any(off < s < off + CTX_LEN + 1 for s in starts))
    assert crossings > 0  # some samples span two shards (read as the merged file would be)
    with pytest.raises(rwkvkit.InvalidArgumentError):
        shards.training_sample(0, CTX_LEN, magic_prime=magic_prime + 2)
    # A composite p % 3 == 2 inside the trainer's 0.9 < p / slots <= 1 window is refused too
    # (the primality test, not the other two asserts).
    slots = len(data) // CTX_LEN
    composite = next(p for p in range(magic_prime - 3, int(0.9 * slots), -3)
                     if any(p % q == 0 for q in range(2, int(p ** 0.5) + 1)))
    with pytest.raises(rwkvkit.InvalidArgumentError, match="must be a prime"):
        shards.training_sample(0, CTX_LEN, magic_prime=composite)
