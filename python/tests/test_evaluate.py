"""rwkvkit.evaluate equals `rwkvkit eval` (which tests/refmodel/eval checks against the official
package) on the tiny fixture checkpoints: totals, per-source numbers from build.json, the seeded
sample; errors as exceptions; device="cuda" runs through the plugin or fails clearly."""

import json
import math
import os
import struct
import subprocess

import pytest

import rwkvkit
from conftest import ROOT

FIXTURES = os.path.join(ROOT, "tests", "refmodel", "fixtures")


def write_shard(prefix, docs):
    """binidx as docs/formats/binidx.md describes it (uint16, one sequence per document)."""
    with open(prefix + ".bin", "wb") as f:
        for d in docs:
            f.write(struct.pack(f"<{len(d)}H", *d))
    pointers, off = [], 0
    for d in docs:
        pointers.append(off)
        off += 2 * len(d)
    with open(prefix + ".idx", "wb") as f:
        f.write(b"MMIDIDX\x00\x00" + struct.pack("<QBQQ", 1, 8, len(docs), len(docs) + 1))
        f.write(struct.pack(f"<{len(docs)}i", *[len(d) for d in docs]))
        f.write(struct.pack(f"<{len(docs)}q", *pointers))
        f.write(struct.pack(f"<{len(docs) + 1}q", *range(len(docs) + 1)))


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    with open(os.path.join(FIXTURES, "expected.json")) as f:
        docs = [d + [0] for d in json.load(f)["documents"]]
    docs = docs * 3  # 9 documents: room for a sample
    d = tmp_path_factory.mktemp("evaldata")
    write_shard(str(d / "fx_00000"), docs)
    # the fields of docs/formats/build_json.md the stats reader requires
    counts = {"files": 1, "documents_read": 0, "documents_kept": 0, "documents_written": 0,
              "bytes_in": 0, "bytes_out": 0, "tokens": 0}
    build = {"corpus": "fx", "total": counts,
             "sources": [{"name": n, "counts": counts} for n in ("first", "second")],
             "shards": [{"name": "fx_00000", "documents": len(docs), "tokens": 0, "source_runs": [[0, 4], [1, 5]]}]}
    with open(d / "build.json", "w") as f:
        json.dump(build, f)
    return d


def cli_eval(cli_path, vocab_path, model, data, *extra):
    r = subprocess.run([cli_path, "eval", "--model", model, "--data", str(data), "--no-progress", "--vocab", vocab_path,
                        *extra], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout.strip().splitlines()[-1]), r.stderr


def close(a, b):
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(close(a[k], b[k]) for k in a)
    if isinstance(a, float) or isinstance(b, float):  # the CLI prints 9 significant digits
        return math.isclose(a, b, rel_tol=1e-8)
    return a == b


@pytest.mark.parametrize("model", ["v5_bf16.pth", "v6_bf16.safetensors"])
def test_evaluate_equals_the_cli(model, data_dir, cli_path, vocab_path):
    path = os.path.join(FIXTURES, model)
    want, stderr = cli_eval(cli_path, vocab_path, path, data_dir, "--window", "4")
    seen = []
    got = rwkvkit.evaluate(path, data_dir, window=4, vocab=vocab_path, progress=seen.append)
    assert "warning" not in stderr and got.pop("warnings") == []
    assert close(got, want), (got, want)
    assert set(got["sources"]) == {"first", "second"}
    assert seen[-1]["phase"] == "eval" and seen[-1]["done"] == seen[-1]["total"] == got["total"]["tokens"]


def test_evaluate_sample_equals_the_cli(data_dir, cli_path, vocab_path):
    path = os.path.join(FIXTURES, "v6_bf16.pth")
    want, _ = cli_eval(cli_path, vocab_path, path, data_dir, "--docs-per-source", "2", "--seed", "7")
    got = rwkvkit.evaluate(path, [data_dir], docs_per_source=2, seed=7, vocab=vocab_path, progress=False)
    got.pop("warnings")
    assert close(got, want)
    assert got["sample"]["mode"] == "per_source" and got["total"]["documents"] == 4


def test_evaluate_errors(data_dir, tmp_path, vocab_path):
    path = os.path.join(FIXTURES, "v6_bf16.pth")
    with pytest.raises(rwkvkit.NotFoundError):
        rwkvkit.evaluate(path, tmp_path / "none", vocab=vocab_path, progress=False)
    with pytest.raises(ValueError, match="fp32"):
        rwkvkit.evaluate(path, data_dir, dtype="bf16", vocab=vocab_path, progress=False)
    broken = tmp_path / "broken.pth"
    broken.write_bytes(b"PK\x03\x04 not a checkpoint")
    with pytest.raises(rwkvkit.Error):
        rwkvkit.evaluate(broken, data_dir, vocab=vocab_path, progress=False)


def test_evaluate_cuda_runs_or_says_why(data_dir, vocab_path):
    path = os.path.join(FIXTURES, "v6_bf16.pth")
    cpu = rwkvkit.evaluate(path, data_dir, vocab=vocab_path, progress=False)
    try:
        gpu = rwkvkit.evaluate(path, data_dir, device="cuda", dtype="fp32", vocab=vocab_path, progress=False)
    except rwkvkit.Error as e:
        assert os.environ.get("RWKVKIT_REQUIRE_GPU") != "1", str(e)
        assert "CUDA" in str(e) or "cuda" in str(e), str(e)
        return
    assert gpu["total"]["tokens"] == cpu["total"]["tokens"]
    assert math.isclose(gpu["total"]["mean_nll"], cpu["total"]["mean_nll"], rel_tol=1e-4)
