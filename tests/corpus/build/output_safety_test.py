#!/usr/bin/env python3
"""tests/corpus/build/output_safety_test.py — what `rwkvkit build` may do to --out.

Real builds, files, processes and signals (standard library only). interrupted: a failing
(--strict), SIGINT/SIGTERM-stopped or SIGKILLed rebuild leaves the published build
byte-identical, and `--resume` after the kill publishes what an uninterrupted build writes.
foreign: a user's file or another corpus's build is refused; --force keeps the user's files (a
shard name they hold stops the publish) and removes our older leftovers. inputs: an output
naming an input (path or hard link) is refused, the input untouched. names: a corpus name with
`../`, `/`, a leading dot or a control character is refused (manifest file and JSON path).
lock: a second build into a directory being written is refused naming the holder. resume:
--resume after a kill with another --text-key or a vocab replaced in place gives a fresh
build's output; on a finished build of the same inputs it keeps it. weights: above 65535
refused; inspect catches wrong source counts. failures: a failing write (EFBIG, as ENOSPC)
leaves no temporary file and the old build; a manifest with a UTF-8 BOM is accepted.
"""

import hashlib
import json
import os
import random
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
import testlib  # noqa: E402

check = testlib.Checks()  # FAIL lines on stderr, counted


def make_corpus(path, target_bytes, seed, bad_line=None, keys=("text",)):
    rng = random.Random(seed)
    words = ["alpha", "Grüße", "今日は", "данные", "token", "the", "of", "beta", "gamma", "x" * 7]
    size, i = 0, 0
    with open(path, "w", encoding="utf-8") as f:
        while size < target_bytes:
            rec = {"id": i}
            for k in keys:
                rec[k] = " ".join(rng.choice(words) for _ in range(rng.randint(5, 300))) + f" {k} #{i}"
            line = json.dumps(rec, ensure_ascii=False) + "\n"
            if bad_line is not None and i == bad_line:
                line = "{broken json\n"
            f.write(line)
            size += len(line.encode("utf-8"))
            i += 1


def snapshot(d, with_stat=False):
    """Every published file (not rwkvkit's own .rwkvkit-* entries): name -> sha256 (, ino, mtime).
    build.json is hashed without its stage timing (the one part that differs between runs)."""
    out = {}
    for name in sorted(os.listdir(d)):
        p = os.path.join(d, name)
        if name.startswith(".rwkvkit-") or not os.path.isfile(p):
            continue
        with open(p, "rb") as f:
            data = f.read()
        if name == "build.json":
            try:
                data = json.dumps({k: v for k, v in json.loads(data).items() if k != "timing"}).encode()
            except (ValueError, AttributeError):
                pass  # not rwkvkit's build.json (the tests plant such files): hash it as it is
        h = hashlib.sha256(data).hexdigest()
        st = os.stat(p)
        out[name] = (h, st.st_ino, st.st_mtime_ns) if with_stat else h
    return out


class Runner:
    def __init__(self, args):
        self.rwkvkit, self.vocab = args.rwkvkit, args.vocab

    def cmd(self, *extra, vocab=None):
        return [self.rwkvkit, "build", "--vocab", vocab or self.vocab, "--no-progress", "--threads", "1", *extra]

    def build(self, *extra, vocab=None, preexec_fn=None):
        return subprocess.run(self.cmd(*extra, vocab=vocab), capture_output=True, text=True, preexec_fn=preexec_fn)

    def inspect(self, out):
        return subprocess.run([self.rwkvkit, "inspect", out], capture_output=True, text=True)

    def stop_when(self, cmd, ready, sig, timeout=120):
        """Starts cmd, sends `sig` once ready() is true; returns (killed, process)."""
        p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        deadline = time.time() + timeout
        while time.time() < deadline:
            if ready():
                p.send_signal(sig)
                p.communicate()
                return True, p
            if p.poll() is not None:
                p.communicate()
                return False, p
            time.sleep(0.002)
        p.kill()
        raise SystemExit("the build did not reach the stop point in time")


def staged_shards(out, k):
    return lambda: os.path.exists(os.path.join(out, ".rwkvkit-work", "staging", f"s_{k:05d}.idx"))


def tokenizing(out, min_bytes=100_000):
    store = os.path.join(out, ".rwkvkit-work", "tokens.u16")
    return lambda: os.path.exists(store) and os.path.getsize(store) > min_bytes


def test_interrupted(r, tmp):
    small, big, bad = (os.path.join(tmp, n) for n in ("small.jsonl", "big.jsonl", "bad.jsonl"))
    make_corpus(small, 300_000, seed=1)
    make_corpus(big, 6_000_000, seed=2)
    make_corpus(bad, 600_000, seed=3, bad_line=300)
    out, ref = os.path.join(tmp, "int_out"), os.path.join(tmp, "int_ref")
    common = ["--name", "s", "--shard-tokens", "30000", "--ctx-len", "256"]
    check(r.build("--input", small, "--out", out, *common).returncode == 0, "interrupted: first build failed")
    before = snapshot(out)
    check(len([n for n in before if n.endswith(".bin")]) >= 2, "interrupted: the first build wrote under 2 shards")

    res = r.build("--input", bad, "--out", out, "--strict", *common)
    check(res.returncode == 1 and "--strict" in res.stderr, f"interrupted: --strict did not fail: {res.stderr}")
    check(snapshot(out) == before, "interrupted: a --strict failure changed the published build")
    check(r.inspect(out).returncode == 0, "interrupted: inspect fails after a --strict failure")

    for sig in (signal.SIGINT, signal.SIGTERM):
        stopped, p = r.stop_when(r.cmd("--input", big, "--out", out, *common), tokenizing(out), sig)
        check(stopped, f"interrupted: the build finished before {sig.name}")
        check(snapshot(out) == before, f"interrupted: {sig.name} while tokenizing changed the published build")
        check(r.inspect(out).returncode == 0, f"interrupted: inspect fails after {sig.name}")

    stopped, p = r.stop_when(r.cmd("--input", big, "--out", out, *common), staged_shards(out, 3), signal.SIGKILL)
    check(stopped, "interrupted: the build finished before SIGKILL")
    check(snapshot(out) == before, "interrupted: SIGKILL while writing shards changed the published build")
    check(r.inspect(out).returncode == 0, "interrupted: inspect fails after SIGKILL")
    res = r.build("--input", big, "--out", out, "--resume", *common)
    check(res.returncode == 0, f"interrupted: --resume failed: {res.stderr}")
    check(r.build("--input", big, "--out", ref, *common).returncode == 0, "interrupted: reference build failed")
    got, want = snapshot(out), snapshot(ref)
    check(got == want, f"interrupted: resumed output differs from a clean build: {sorted(set(got) ^ set(want))[:6]}")
    check(not os.path.exists(os.path.join(out, ".rwkvkit-work")), "interrupted: work directory left after success")
    check(not os.path.exists(os.path.join(out, ".rwkvkit-lock")), "interrupted: lock file left after success")


def test_foreign(r, tmp):
    corpus = os.path.join(tmp, "f.jsonl")
    make_corpus(corpus, 200_000, seed=4)
    common = ["--input", corpus, "--name", "s", "--shard-tokens", "20000"]
    out = os.path.join(tmp, "foreign")
    os.makedirs(out)
    user = {"notes.txt": b"my notes\n", "s_keep.tmp": b"mine too\n", "s_00000.bin": b"a user's file\n"}
    for n, b in user.items():
        with open(os.path.join(out, n), "wb") as f:
            f.write(b)
    mine = snapshot(out)
    res = r.build(*common, "--out", out)
    check(res.returncode == 1 and "notes.txt" in res.stderr and "--force" in res.stderr,
          f"foreign: a directory with the user's files was not refused: {res.returncode} {res.stderr}")
    check(snapshot(out) == mine, "foreign: a refused build changed the user's files")
    res = r.build(*common, "--out", out, "--force")
    check(res.returncode == 1 and "s_00000.bin" in res.stderr,
          f"foreign: --force overwrote or ignored a user's file under a shard name: {res.stderr}")
    check(snapshot(out) == mine, "foreign: --force changed the user's files")
    os.rename(os.path.join(out, "s_00000.bin"), os.path.join(tmp, "moved_away.bin"))
    res = r.build(*common, "--out", out, "--force", "--resume")
    check(res.returncode == 0, f"foreign: --force --resume failed: {res.stderr}")
    now = snapshot(out)
    check(all(now.get(n) == mine[n] for n in ("notes.txt", "s_keep.tmp")), "foreign: the user's files changed")
    check(r.inspect(out).returncode == 0, "foreign: inspect fails after a --force build")
    shards = sorted(n for n in now if n.endswith(".bin"))
    check(len(shards) >= 3, f"foreign: expected several shards, saw {shards}")
    # A rebuild with fewer shards removes our old ones (and only those).
    res = r.build(*common[:-1], "200000000", "--out", out, "--force")
    now = snapshot(out)
    check(res.returncode == 0 and sorted(n for n in now if n.endswith(".bin")) == ["s_00000.bin"],
          f"foreign: stale shards of the older build remain: {sorted(now)}")
    check(all(now.get(n) == mine[n] for n in ("notes.txt", "s_keep.tmp")), "foreign: a rebuild removed the user's files")
    check(r.inspect(out).returncode == 0, "foreign: inspect fails after a smaller rebuild")

    other = os.path.join(tmp, "other")
    check(r.build("--input", corpus, "--name", "o", "--out", other).returncode == 0, "foreign: build of o failed")
    theirs = snapshot(other)
    res = r.build(*common, "--out", other)
    check(res.returncode == 1 and '"o"' in res.stderr, f"foreign: another corpus's build was not refused: {res.stderr}")
    check(snapshot(other) == theirs, "foreign: a refused build changed another corpus's build")
    res = r.build(*common, "--out", other, "--force")
    now = snapshot(other)
    check(res.returncode == 0 and not any(n.startswith("o_") for n in now) and r.inspect(other).returncode == 0,
          f"foreign: --force did not replace the other corpus's build cleanly: {sorted(now)} {res.stderr}")


def test_inputs(r, tmp):
    corpus = os.path.join(tmp, "in.jsonl")
    make_corpus(corpus, 50_000, seed=5)
    with open(corpus, "rb") as f:
        original = f.read()
    link = os.path.join(tmp, "in_link.jsonl")
    os.link(corpus, link)
    manifest = os.path.join(tmp, "in_manifest.json")
    with open(manifest, "w") as f:
        json.dump({"name": "m", "sources": [{"name": "a", "paths": ["in.jsonl"], "license": "t"}],
                   "output": {"dir": "in_out", "shard_tokens": 100000, "ctx_len": 64}}, f)
    with open(manifest, "rb") as f:
        manifest_bytes = f.read()
    cases = [("--dedup-report is the input", ["--input", corpus, "--out", os.path.join(tmp, "o1"), "--dedup-report", corpus]),
             ("--dedup-report is a hard link of the input",
              ["--input", corpus, "--out", os.path.join(tmp, "o2"), "--dedup-report", link]),
             ("--dedup-report is the manifest", ["--manifest", manifest, "--dedup-report", manifest])]
    for name, args in cases:
        res = r.build(*args)
        check(res.returncode != 0 and "input" in res.stderr, f"inputs: {name}: not refused: {res.stderr}")
    # A report in the place of another output of the build would be lost: refused as well.
    o4 = os.path.join(tmp, "o4")
    for target in ("build.json", "s_00000.bin", os.path.join(".rwkvkit-work", "r.jsonl")):
        res = r.build("--input", corpus, "--out", o4, "--name", "s", "--dedup-report", os.path.join(o4, target))
        check(res.returncode == 2 and "the build itself writes" in res.stderr,
              f"inputs: --dedup-report {target} inside --out: {res.returncode} {res.stderr}")
    # An input that is build.json or a shard of the output directory.
    out = os.path.join(tmp, "o3")
    check(r.build("--input", corpus, "--out", out, "--name", "s").returncode == 0, "inputs: build failed")
    for victim in ("build.json", "s_00000.bin"):
        p = os.path.join(out, victim)
        before = snapshot(out)
        res = r.build("--input", p, "--input", corpus, "--out", out, "--name", "s", "--near-dedup", "off")
        check(res.returncode != 0 and victim in res.stderr, f"inputs: {victim} as an input not refused: {res.stderr}")
        check(snapshot(out) == before, f"inputs: {victim} as an input changed the output")
    with open(corpus, "rb") as f:
        check(f.read() == original, "inputs: the input file was changed")
    with open(manifest, "rb") as f:
        check(f.read() == manifest_bytes, "inputs: the manifest was changed")


def test_names(r, tmp):
    corpus = os.path.join(tmp, "n.jsonl")
    make_corpus(corpus, 20_000, seed=6)
    d = os.path.join(tmp, "names")
    os.makedirs(d)
    for bad in ["../escape", "/tmp/abs", "a/b", ".hidden", "a\u0000b", "tab\there", "-flag"]:
        m = os.path.join(d, "manifest.json")
        with open(m, "w") as f:
            json.dump({"name": bad, "sources": [{"name": "a", "paths": [corpus], "license": "t"}],
                       "output": {"dir": "out", "shard_tokens": 100000, "ctx_len": 64}}, f)
        res = r.build("--manifest", m)
        check(res.returncode == 2 and "manifest.json: (document).name:" in res.stderr,
              f"names: corpus name {bad!r} not refused with file and JSON path: {res.returncode} {res.stderr}")
        check(sorted(os.listdir(d)) == ["manifest.json"] and not os.path.exists(os.path.join(tmp, "escape_00000.bin")),
              f"names: {bad!r} wrote something: {os.listdir(d)}")
    res = r.build("--input", corpus, "--out", os.path.join(d, "o"), "--name", "../up")
    check(res.returncode == 2 and "--name" in res.stderr and not os.path.exists(os.path.join(d, "up_00000.bin")),
          f"names: --name ../up not refused: {res.stderr}")
    m = os.path.join(d, "manifest.json")
    with open(m, "w") as f:
        json.dump({"name": "ok", "sources": [{"name": "a\u0000b", "paths": [corpus], "license": "t"}],
                   "output": {"dir": "out", "shard_tokens": 100000, "ctx_len": 64}}, f)
    res = r.build("--manifest", m)
    check(res.returncode == 2 and "sources[0].name" in res.stderr, f"names: a NUL in a source name: {res.stderr}")


def test_lock(r, tmp):
    corpus = os.path.join(tmp, "lock.jsonl")
    make_corpus(corpus, 6_000_000, seed=7)
    # The generated lines do not pass the quality filters, and a build that keeps no document
    # fails: add real documents of the demo corpus that do.
    demo = os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../../.rwkvkit/demo/demo.jsonl")
    with open(demo, "rb") as src, open(corpus, "ab") as dst:
        for _, line in zip(range(300), src):
            dst.write(line)
    out = os.path.join(tmp, "locked")
    lock = os.path.join(out, ".rwkvkit-lock")
    # --filters on makes the first build slow enough to be still running when the second starts.
    first = subprocess.Popen(r.cmd("--input", corpus, "--out", out, "--name", "s", "--filters", "on"), stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 60
    while time.time() < deadline and not (os.path.exists(lock) and os.path.getsize(lock) > 0):
        time.sleep(0.005)
    second = r.build("--input", corpus, "--out", out, "--name", "s")
    check(first.poll() is None, "lock: the first build ended before the second started (input too small)")
    check(second.returncode == 1 and f"pid {first.pid}" in second.stderr and "another build" in second.stderr,
          f"lock: the second build was not refused naming the first: {second.returncode} {second.stderr}")
    _, err = first.communicate()
    check(first.returncode == 0, f"lock: the first build failed: {err}")
    check(r.inspect(out).returncode == 0, "lock: the first build's output does not inspect clean")
    check(not os.path.exists(lock), "lock: the lock file is left after the build")


def test_resume(r, tmp):
    corpus = os.path.join(tmp, "keys.jsonl")
    make_corpus(corpus, 3_000_000, seed=8, keys=("text", "body"))
    common = ["--input", corpus, "--name", "s", "--shard-tokens", "20000", "--near-dedup", "off"]
    # Another --text-key on resume.
    out, ref = os.path.join(tmp, "key_out"), os.path.join(tmp, "key_ref")
    stopped, _ = r.stop_when(r.cmd(*common, "--out", out, "--text-key", "text"), staged_shards(out, 1), signal.SIGKILL)
    check(stopped, "resume: the build finished before SIGKILL")
    res = r.build(*common, "--out", out, "--text-key", "body", "--resume")
    check(res.returncode == 0 and "from the start" in res.stderr,
          f"resume: another --text-key was not noticed: {res.stderr}")
    r.build(*common, "--out", ref, "--text-key", "body")
    check(snapshot(out) == snapshot(ref), "resume: --resume with another --text-key reused the old token store")
    # The vocab replaced in place (same path) between the kill and the resume.
    vocab = os.path.join(tmp, "vocab.txt")
    shutil.copyfile(r.vocab, vocab)
    out, ref = os.path.join(tmp, "vocab_out"), os.path.join(tmp, "vocab_ref")
    stopped, _ = r.stop_when(r.cmd(*common, "--out", out, vocab=vocab), staged_shards(out, 1), signal.SIGKILL)
    check(stopped, "resume: the build finished before SIGKILL (vocab)")
    with open(vocab, encoding="utf-8") as f:
        lines = f.readlines()
    with open(vocab, "w", encoding="utf-8") as f:
        f.writelines(l for l in lines if "alpha" not in l and "gamma" not in l)  # tokens the corpus uses
    check(r.build(*common, "--out", out, "--resume", vocab=vocab).returncode == 0, "resume: vocab resume failed")
    r.build(*common, "--out", ref, vocab=vocab)
    check(snapshot(out) == snapshot(ref), "resume: --resume after the vocab changed reused the old token store")
    # --resume on a finished build of the same inputs: kept untouched.
    before = snapshot(ref, with_stat=True)
    res = r.build(*common, "--out", ref, "--resume", vocab=vocab)
    check(res.returncode == 0 and "already holds the finished build" in res.stderr,
          f"resume: --resume on a finished build: {res.returncode} {res.stderr}")
    check(snapshot(ref, with_stat=True) == before, "resume: --resume on a finished build touched its files")


def test_weights(r, tmp):
    corpus = os.path.join(tmp, "w.jsonl")
    make_corpus(corpus, 30_000, seed=9)
    m = os.path.join(tmp, "w_manifest.json")
    with open(m, "w") as f:
        json.dump({"name": "w", "sources": [{"name": "a", "paths": [corpus], "license": "t", "weight": 70000}],
                   "output": {"dir": "w_out", "shard_tokens": 1000000, "ctx_len": 64}}, f)
    res = r.build("--manifest", m)
    check(res.returncode == 2 and "sources[0].weight" in res.stderr, f"weights: 70000 not refused: {res.stderr}")
    check(not os.path.exists(os.path.join(tmp, "w_out")), "weights: a refused build created its output")
    # inspect checks each source's documents and tokens against the shards' source runs.
    out = os.path.join(tmp, "w_ok")
    check(r.build("--input", corpus, "--out", out, "--name", "w").returncode == 0, "weights: build failed")
    check(r.inspect(out).returncode == 0, "weights: inspect fails on a good build")
    p = os.path.join(out, "build.json")
    with open(p) as f:
        b = json.load(f)
    b["sources"][0]["counts"]["documents_written"] += 1  # what a clamped weight used to leave
    with open(p, "w") as f:
        json.dump(b, f)
    res = r.inspect(out)
    check(res.returncode == 1 and "documents_written" in res.stderr, f"weights: inspect missed it: {res.stderr}")


def test_failures(r, tmp):
    corpus = os.path.join(tmp, "fail.jsonl")
    make_corpus(corpus, 400_000, seed=10)
    out = os.path.join(tmp, "fail_out")
    common = ["--input", corpus, "--name", "s", "--shard-tokens", "20000", "--near-dedup", "off"]
    check(r.build(*common, "--out", out).returncode == 0, "failures: first build failed")
    before = snapshot(out)

    def limit():  # every file the build writes may hold at most 64 KB: writes past it fail (EFBIG)
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (65536, 65536))

    res = r.build(*common, "--out", out, "--shard-tokens", "10000000", preexec_fn=limit)
    check(res.returncode == 1, f"failures: the limited build did not fail: {res.stderr}")
    tmps = [os.path.join(dp, n) for dp, _, fs in os.walk(out) for n in fs if n.endswith(".tmp")]
    check(not tmps, f"failures: temporary files left after a failed write: {tmps}")
    check(snapshot(out) == before and r.inspect(out).returncode == 0, "failures: a failed write changed the old build")
    # A manifest that starts with a UTF-8 BOM.
    m = os.path.join(tmp, "bom.json")
    with open(m, "wb") as f:
        f.write(b"\xef\xbb\xbf" + json.dumps({"name": "bom", "sources": [{"name": "a", "paths": [corpus], "license": "t"}],
                                              "output": {"dir": "bom_out", "shard_tokens": 1000000, "ctx_len": 64}}).encode())
    res = r.build("--manifest", m)
    check(res.returncode == 0 and os.path.exists(os.path.join(tmp, "bom_out", "build.json")),
          f"failures: a manifest with a BOM: {res.stderr}")


def main():
    ap = testlib.arg_parser(__doc__)
    ap.add_argument("--only", help="run one class")
    args = ap.parse_args()
    if testlib.missing_setup(args.vocab):
        return 2
    r = Runner(args)
    tests = {"interrupted": test_interrupted, "foreign": test_foreign, "inputs": test_inputs, "names": test_names,
             "lock": test_lock, "resume": test_resume, "weights": test_weights, "failures": test_failures}
    with tempfile.TemporaryDirectory(prefix="rwkvkit_out_safety_") as tmp:
        for name, t in tests.items():
            if args.only and name != args.only:
                continue
            n = len(check.failures)
            start = time.time()
            t(r, tmp)
            print(f"{'ok  ' if len(check.failures) == n else 'FAIL'} {name} ({time.time() - start:.1f} s)")
    return check.finish("output_safety_test")


if __name__ == "__main__":
    sys.exit(main())
