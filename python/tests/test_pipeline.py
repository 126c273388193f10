"""rwkvkit.build: the same shards as the rwkvkit CLI, progress through a callback, errors with
file and line, and Ctrl-C (SIGINT to a process running rwkvkit.build) stopping it cleanly:
nothing published over the previous build, and resume=True finishing it byte-identical to an
uninterrupted build."""

import filecmp
import hashlib
import json
import os
import signal
import subprocess
import sys
import textwrap

import pytest

import rwkvkit


def shard_files(d):
    return sorted(f for f in os.listdir(d) if f.endswith((".bin", ".idx")))


def digest(d):
    h = hashlib.sha256()
    for f in shard_files(d) + ["build.json"]:
        with open(os.path.join(d, f), "rb") as fh:
            h.update(f.encode() + fh.read())
    return h.hexdigest()


def without_timing(path):
    with open(path) as f:
        info = json.load(f)
    info.pop("timing", None)
    info.pop("command_line", None)
    return info


def test_build_equals_the_cli(tmp_path, cli_path, vocab_path, corpus_path):
    src = os.path.join(os.path.dirname(corpus_path), "node-semver.jsonl")
    seen = []
    summary = rwkvkit.build(inputs=[src], out=tmp_path / "py", name="semver", shard_tokens=50000,
                            vocab=vocab_path, progress=seen.append)
    subprocess.run([cli_path, "build", "--input", src, "--out", str(tmp_path / "cli"), "--name", "semver",
                    "--shard-tokens", "50000", "--no-progress", "--vocab", vocab_path], check=True, capture_output=True)
    files = shard_files(tmp_path / "cli")
    assert files == shard_files(tmp_path / "py") and len(files) >= 2
    for f in files:
        assert filecmp.cmp(tmp_path / "cli" / f, tmp_path / "py" / f, shallow=False), f
    info = without_timing(tmp_path / "py" / "build.json")
    assert info["output"]["tokens"] == summary["tokens"] and info["output"]["shards"] == summary["shards"]
    assert summary["documents_written"] == info["output"]["documents"]
    assert summary["training"] == rwkvkit.training_numbers(summary["tokens"], 4096)
    # progress: both phases, ending with everything written
    assert seen and {p["phase"] for p in seen} <= {"read", "write"}
    assert seen[-1]["phase"] == "write" and seen[-1]["done"] == seen[-1]["total"] == summary["documents_written"]
    shards = rwkvkit.open_shards(tmp_path / "py")
    assert len(shards) == summary["documents_written"]


def test_build_errors_carry_file_and_line(tmp_path, vocab_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "ok"}\n{"text": 5}\n', encoding="utf-8")
    with pytest.raises(rwkvkit.DataLossError) as e:
        rwkvkit.build(inputs=[bad], out=tmp_path / "out", strict=True, vocab=vocab_path, progress=False)
    assert e.value.path == str(bad) and e.value.line == 2
    assert not os.path.exists(tmp_path / "out" / "build.json")
    with pytest.raises(rwkvkit.InvalidArgumentError, match="either"):
        rwkvkit.build(out=tmp_path / "out", vocab=vocab_path, progress=False)
    with pytest.raises(TypeError, match="unexpected option 'shard_token'"):
        rwkvkit.build(inputs=[bad], out=tmp_path / "out", shard_token=5, vocab=vocab_path, progress=False)
    with pytest.raises(rwkvkit.InvalidArgumentError, match="max-bad-fraction"):
        rwkvkit.build(inputs=[bad], out=tmp_path / "out", max_bad_fraction=2.0, vocab=vocab_path, progress=False)


CHILD = textwrap.dedent("""
    import sys, rwkvkit
    inputs, out, vocab = sys.argv[1].split(","), sys.argv[2], sys.argv[3]
    def progress(p):
        print("progress", p["phase"], p["done"], flush=True)
    try:
        s = rwkvkit.build(inputs=inputs, out=out, name="c", threads=1, vocab=vocab, progress=progress)
        print("finished", s["tokens"], flush=True)
        sys.exit(0)
    except KeyboardInterrupt:
        print("interrupted", flush=True)
        sys.exit(3)
""")


def test_ctrl_c_stops_cleanly_and_resumes(tmp_path, vocab_path, corpus_path):
    out = tmp_path / "out"
    small = os.path.join(os.path.dirname(corpus_path), "node-semver.jsonl")
    rwkvkit.build(inputs=[small], out=out, name="c", vocab=vocab_path, progress=False)
    before = digest(out)
    # ~64 MB with near-dedup on one thread: seconds of work after the first progress line
    big = [corpus_path] * 4
    child = subprocess.Popen([sys.executable, "-c", CHILD, ",".join(big), str(out), vocab_path],
                             stdout=subprocess.PIPE, text=True, env=dict(os.environ))
    first = child.stdout.readline()
    assert first.startswith("progress read"), first
    child.send_signal(signal.SIGINT)
    rest = child.stdout.read()
    assert child.wait(timeout=300) == 3, rest
    assert "interrupted" in rest
    # nothing of the interrupted build is visible: the previous build is as it was
    assert digest(out) == before
    assert os.path.isdir(out / ".rwkvkit-work")
    resumed = rwkvkit.build(inputs=big, out=out, name="c", threads=1, resume=True, vocab=vocab_path, progress=False)
    assert resumed["documents_written"] > 0
    clean = tmp_path / "clean"
    rwkvkit.build(inputs=big, out=clean, name="c", vocab=vocab_path, progress=False)
    assert shard_files(out) == shard_files(clean)
    for f in shard_files(clean):
        assert filecmp.cmp(out / f, clean / f, shallow=False), f
    assert not os.path.exists(out / ".rwkvkit-work")


def test_stats_equals_the_cli(tmp_path, cli_path, vocab_path, corpus_path):
    src = os.path.join(os.path.dirname(corpus_path), "node-semver.jsonl")
    build = tmp_path / "build"
    rwkvkit.build(inputs=[src], out=build, name="semver", vocab=vocab_path, progress=False)
    seen = []
    report = rwkvkit.stats(build, tmp_path / "py", vocab=vocab_path, progress=seen.append, threads=2)
    subprocess.run([cli_path, "stats", str(build), "--out", str(tmp_path / "cli"), "--no-progress",
                    "--vocab", vocab_path], check=True, capture_output=True)
    with open(tmp_path / "cli" / "report.json") as f:
        want = json.load(f)
    got = {k: v for k, v in report.items() if k != "report_dir"}
    assert got == want
    assert report["shard_errors"] == []
    for name in ("report.html", "report.md"):
        assert os.path.getsize(tmp_path / "py" / name) > 1000
    assert seen and seen[-1]["phase"] == "stats" and seen[-1]["done"] == seen[-1]["total"]
    with pytest.raises(rwkvkit.NotFoundError):
        rwkvkit.stats(tmp_path / "nothing", tmp_path / "r", vocab=vocab_path, progress=False)
