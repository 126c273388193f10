#!/usr/bin/env python3
"""tests/corpus/build/resume_after_kill_test.py — `rwkvkit build --resume` after SIGKILL.

Builds a generated corpus once (the reference), then kills the same build with SIGKILL (a)
while it tokenizes into the token store and (b) after a few shards were published, resumes each
with `--resume` (another thread count), and requires the output directory byte-identical to the
reference (build.json without its stage timing). At each kill, every shard under its final
name (output or staging) must be complete, and nothing may be published yet. Near-dedup is on
and the corpus has planted near duplicates, so the resumed builds must agree on what it removes
(the --dedup-report is compared too). A corpus of many files is killed while being read, after
a phase-1 checkpoint: the resumed build must read on from the checkpoint's file and still end
byte-identical. Standard library only.
"""

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
import testlib  # noqa: E402


PROSE = ("the river carries stone past a quiet village and people of the market watch water with "
         "doctor teacher walks to old bridge in morning light children learn from books that their parents kept").split()


def make_corpus(path, target_bytes, seed, prose=False):
    """Writes a JSONL corpus; returns (lines, broken lines). With `prose`, every other document
    is English-like sentences that the quality filters keep (the rest they mostly drop)."""
    rng = random.Random(seed)
    words = ["alpha", "Grüße", "今日は", "данные", "😀", "token", "the", "of", "\u0645\u0631\u062d\u0628\u0627", "x" * 7]
    size = 0
    broken = 0
    with open(path, "w", encoding="utf-8") as f:
        i = 0
        prev = []
        while size < target_bytes:
            n = rng.randint(5, 400)
            doc = [rng.choice(words) for _ in range(n)]
            if i % 41 == 7 and len(prev) >= 100:  # a near duplicate of the previous document
                doc = list(prev)
                doc[rng.randrange(len(doc))] = "edited"
            prev = doc
            text = " ".join(doc) + f" #{i}"
            if prose and i % 2 == 0:
                text = " ".join(" ".join(rng.choice(PROSE) for _ in range(rng.randint(8, 15))).capitalize() + "."
                                for _ in range(rng.randint(5, 12)))
            if i % 50 == 0:
                text = "duplicate document"  # exact duplicates across the corpus
            line = json.dumps({"id": i, "text": text}, ensure_ascii=False) + "\n"
            if i % 997 == 0:
                line = "{broken json\n"
                broken += 1
            f.write(line)
            size += len(line.encode("utf-8"))
            i += 1
    return i, broken


def build_cmd(args, corpus, out, threads, resume=False, filters=False):
    cmd = [args.rwkvkit, "build", "--input", corpus, "--out", out, "--name", "r", "--shard-tokens", "20000",
           "--ctx-len", "512", "--threads", str(threads), "--vocab", args.vocab, "--no-progress",
           "--dedup-report", os.path.join(out, "near_duplicates.jsonl")]
    if filters:  # the quality filters drop many of the generated documents: a --drop-report to resume
        cmd += ["--filters", "on", "--drop-report", os.path.join(out, "filtered.jsonl")]
    return cmd + (["--resume"] if resume else [])


def kill_when(cmd, ready, timeout=60):
    """Starts cmd, polls ready() every 2 ms, SIGKILLs the process once it is true."""
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + timeout
    while time.time() < deadline:
        if ready():
            p.send_signal(signal.SIGKILL)
            p.wait()
            return True
        if p.poll() is not None:
            return False  # finished before the trigger: the test input is too small
        time.sleep(0.002)
    p.kill()
    raise SystemExit("the build did not reach the kill point in time")


def main():
    ap = testlib.arg_parser(__doc__)
    ap.add_argument("--only-reading", action="store_true", help="only the kill-while-reading scenario")
    args = ap.parse_args()
    if testlib.missing_setup(args.vocab):
        return 2
    failures = 0
    with tempfile.TemporaryDirectory(prefix="rwkvkit_resume_") as tmp:
        if args.only_reading:
            return check_reading_checkpoint(args, tmp)
        corpus = os.path.join(tmp, "corpus.jsonl")
        make_corpus(corpus, 24_000_000, seed=1)
        ref = os.path.join(tmp, "ref")
        subprocess.run(build_cmd(args, corpus, ref, 2), check=True)
        want = testlib.digest_dir(ref)
        shards = [n for n in want if n.endswith(".bin")]
        with open(os.path.join(ref, "build.json")) as f:
            near_removed = json.load(f)["near_dedup"]["documents_removed"]
        print(f"reference: {len(shards)} shards, {len(want)} files, {near_removed} near duplicates removed")
        if near_removed == 0 or "near_duplicates.jsonl" not in want:
            print("FAIL reference: near-dedup removed nothing or wrote no report")
            failures += 1

        def in_phase1(out):
            store = os.path.join(out, ".rwkvkit-work", "tokens.u16")
            return lambda: os.path.exists(store) and os.path.getsize(store) > 2_000_000

        def after_shards(out, k):
            return lambda: os.path.exists(os.path.join(out, ".rwkvkit-work", "staging", f"r_{k:05d}.idx"))

        scenarios = [("killed while tokenizing", in_phase1, 1),
                     ("killed after 3 shards", lambda out: after_shards(out, 2), 1),
                     ("killed after most shards", lambda out: after_shards(out, max(0, len(shards) - 3)), 2)]
        for name, trigger, resume_threads in scenarios:
            out = os.path.join(tmp, name.replace(" ", "_"))
            killed = kill_when(build_cmd(args, corpus, out, 2), trigger(out))
            if not killed:
                print(f"FAIL {name}: the build finished before the kill point")
                failures += 1
                continue
            visible = testlib.digest_dir(out)
            staging = os.path.join(out, ".rwkvkit-work", "staging")
            staged = testlib.digest_dir(staging) if os.path.isdir(staging) else {}
            for f, h in list(visible.items()) + list(staged.items()):
                if (f.endswith(".bin") or f.endswith(".idx")) and want.get(f) != h:
                    print(f"FAIL {name}: {f} is visible under its final name but incomplete")
                    failures += 1
            published = sorted(f for f in visible if not f.startswith(".rwkvkit-"))
            if published:
                print(f"FAIL {name}: files published before the build was complete: {published[:5]}")
                failures += 1
            r = subprocess.run(build_cmd(args, corpus, out, resume_threads, resume=True), capture_output=True, text=True)
            if r.returncode != 0:
                print(f"FAIL {name}: resume exited {r.returncode}: {r.stderr}")
                failures += 1
                continue
            got = testlib.digest_dir(out)
            if got != want:
                diff = sorted(set(got.items()) ^ set(want.items()))
                print(f"FAIL {name}: output differs from the uninterrupted build: {diff[:6]}")
                failures += 1
            else:
                print(f"ok   {name}: resumed to identical output ({r.stderr.strip().splitlines()[-1]})")
        failures += check_reading_checkpoint(args, tmp)
    return 1 if failures else 0


def check_reading_checkpoint(args, tmp):
    """SIGKILL while reading a corpus of many files, after a checkpoint; --resume reads on."""
    files = os.path.join(tmp, "many")
    os.makedirs(files)
    # Checkpoints come at most once a second, so reading must last well beyond the first one on
    # a fast idle machine and a loaded one alike: 40 files of 2 MB (about 3-10 s of reading on
    # one thread), killed as soon as the first checkpoint exists.
    lines = broken = 0
    for k in range(40):
        n, b = make_corpus(os.path.join(files, f"part{k:03d}.jsonl"), 2_000_000, seed=100 + k, prose=True)
        lines, broken = lines + n, broken + b
    ref = os.path.join(tmp, "many_ref")
    subprocess.run(build_cmd(args, files, ref, 1, filters=True), check=True)
    want = testlib.digest_dir(ref)
    with open(os.path.join(ref, "filtered.jsonl"), encoding="utf-8") as f:
        dropped = sum(1 for _ in f)
    if dropped < 1000:
        print(f"FAIL killed while reading: the filters dropped only {dropped} documents (the test needs many)")
        return 1
    out = os.path.join(tmp, "many_out")
    work = os.path.join(out, ".rwkvkit-work")
    checkpoint = os.path.join(work, "phase1.checkpoint")
    seen = {}

    def after_checkpoint():
        if not os.path.exists(checkpoint):
            return False
        seen.setdefault("t", time.time())
        return time.time() - seen["t"] > 0.05  # a little more work past the checkpoint

    if not kill_when(build_cmd(args, files, out, 1, filters=True), after_checkpoint):
        print("FAIL killed while reading: the build finished before the kill point")
        return 1
    if os.path.exists(os.path.join(work, "spill.done")):
        print("FAIL killed while reading: phase 1 had already finished (kill point too late)")
        return 1
    staged_drops = os.path.join(work, "drop_report.jsonl")
    if not os.path.exists(staged_drops) or os.path.getsize(staged_drops) == 0:
        print("FAIL killed while reading: no --drop-report lines were staged before the kill")
        return 1
    failures = check_bad_fraction_after_resume(args, files, out, lines, broken)
    r = subprocess.run(build_cmd(args, files, out, 2, resume=True, filters=True), capture_output=True, text=True)
    if r.returncode != 0 or "reading on from input file" not in r.stderr:
        print(f"FAIL killed while reading: resume did not continue from the checkpoint ({r.returncode}): {r.stderr}")
        return 1
    got = testlib.digest_dir(out)
    if got != want:
        print(f"FAIL killed while reading: output differs: {sorted(set(got.items()) ^ set(want.items()))[:6]}")
        return 1
    line = [l for l in r.stderr.splitlines() if "reading on" in l][0]
    print(f"ok   killed while reading: resumed to identical output, {dropped} filtered documents in the "
          f"--drop-report ({line.strip()})")
    return failures


def check_bad_fraction_after_resume(args, files, killed_out, lines, broken):
    """Resumes a copy of a build killed while reading with a --max-bad-fraction just under the
    corpus's fraction of broken lines: like the uninterrupted build it must fail, counting every
    broken line (those before the checkpoint included) against every line."""
    out = killed_out + "_bad_fraction"
    shutil.copytree(killed_out, out, symlinks=True)
    threshold = broken / lines * 0.999
    r = subprocess.run(build_cmd(args, files, out, 2, resume=True, filters=True) + ["--max-bad-fraction", repr(threshold)],
                       capture_output=True, text=True)
    want = f"{broken} of {lines} records are bad"
    if "reading on from input file" not in r.stderr:
        print(f"FAIL bad fraction after resume: the copy did not resume from the checkpoint: {r.stderr}")
        return 1
    if r.returncode != 1 or want not in r.stderr:
        print(f"FAIL bad fraction after resume: exit {r.returncode}, expected exit 1 and '{want}': {r.stderr[-600:]}")
        return 1
    print(f"ok   bad fraction after resume: fails like the uninterrupted build ({want})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
