#!/usr/bin/env python3
"""tests/corpus/tasks/split_rerun_test.py — rerunning a split build, and what it refuses.

On the generated corpus of split_corpus.py (reference: the one-process build):
  - a read task SIGKILLed while it writes its token store leaves no done marker; rerunning the
    executor redoes it and the output is byte-identical to the reference;
  - a truncated intermediate file, and one changed in place (same size) that a task reads, stop
    that task run by hand, naming the file (size; XXH3-128 of what it reads); --status lists the
    task to redo; the executor redoes it and the later stages, output identical;
  - a failing task (--strict, a bad record): the executor exits 1 naming it and its log; --status why;
  - a changed setting, manifest or task count on an existing work directory is refused with the
    first difference; a second executor on a locked work directory is refused;
  - rerunning a finished build runs nothing.
Outputs: split_corpus.digest_dir (bytes; build.json without its timing). Standard library only.
"""

import fcntl
import json
import os
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from split_corpus import digest_dir, make_split_corpus  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
import testlib  # noqa: E402

check = testlib.Checks(verbose=True)  # "ok   what" / "FAIL: what"; finish() gives the exit status


class Runner:
    def __init__(self, args, manifest, tmp):
        self.args, self.manifest, self.tmp = args, manifest, tmp

    def cmd(self, out, work, extra, manifest=None):
        return [self.args.rwkvkit, "build", "--manifest", manifest or self.manifest, "--out", out,
                "--vocab", self.args.vocab, "--no-progress", "--threads", "1",
                "--dedup-report", os.path.join(out, "near_duplicates.jsonl"),
                "--work", work, "--tasks", "3", "--partitions", "2"] + extra

    def run(self, out, work, extra, manifest=None):
        return subprocess.run(self.cmd(out, work, extra, manifest), capture_output=True, text=True)

    def stages(self, out, work, stages):
        """Runs every task of `stages` [(stage, tasks)] by hand, in order."""
        for stage, n in stages:
            for t in range(n):
                res = self.run(out, work, ["--stage", stage, "--task", str(t)])
                if res.returncode != 0:
                    raise SystemExit(f"FAIL stage {stage} task {t}: {res.stderr}")


def main():
    ap = testlib.arg_parser(__doc__)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="rwkvkit_split_rerun_") as tmp:
        manifest = make_split_corpus(os.path.join(tmp, "corpus"), docs_per_file=1500)
        ref = os.path.join(tmp, "ref")
        subprocess.run([args.rwkvkit, "build", "--manifest", manifest, "--out", ref, "--vocab", args.vocab,
                        "--no-progress", "--dedup-report", os.path.join(ref, "near_duplicates.jsonl")],
                       check=True, capture_output=True)
        want = digest_dir(ref)
        r = Runner(args, manifest, tmp)
        local = ["--executor", "local", "--parallel", "2"]

        # 1. SIGKILL a read task while it writes; the rerun redoes it.
        out, work = os.path.join(tmp, "out1"), os.path.join(tmp, "work1")
        task_dir = os.path.join(work, "read", "00001")
        r.stages(out, work, [("lines", 3)])
        p = subprocess.Popen(r.cmd(out, work, ["--stage", "read", "--task", "1"]), stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
        tokens = os.path.join(task_dir, "tokens.u16")
        deadline, killed = time.time() + 120, False
        while time.time() < deadline and p.poll() is None:
            if os.path.exists(tokens) and os.path.getsize(tokens) > 0:
                p.send_signal(signal.SIGKILL)
                killed = True
                break
            time.sleep(0.002)
        p.wait()
        check(killed and p.returncode == -signal.SIGKILL, "read task 1 killed with SIGKILL while writing its token store")
        check(not os.path.exists(os.path.join(work, "read", "00001.done")), "the killed task left no done marker")
        st = r.run(out, work, ["--status", work])
        check(st.returncode == 0 and "read 1: pending" in st.stdout, "--status lists the killed task as pending")
        res = r.run(out, work, local)
        check(res.returncode == 0, f"rerun after the kill succeeds ({res.stderr.strip().splitlines()[-1:]})")
        check(digest_dir(out) == want, "rerun after the kill: output byte-identical to the one-process build")

        # 2. Truncated and altered intermediates: caught by the done marker, only that task redone.
        out, work = os.path.join(tmp, "out2"), os.path.join(tmp, "work2")
        r.stages(out, work, [("lines", 3), ("read", 3), ("dedup", 2), ("cluster", 1)])
        tokens = os.path.join(work, "read", "00002", "tokens.u16")
        size = os.path.getsize(tokens)
        os.truncate(tokens, size // 2)
        res = r.run(out, work, ["--stage", "write", "--task", "0"])
        check(res.returncode == 1 and "tokens.u16" in res.stderr and "done marker" in res.stderr,
              f"a write task refuses a truncated token store, naming it ({res.stderr.strip()[:160]})")
        st = r.run(out, work, ["--status", work])
        check("read 2: to redo" in st.stdout, "--status lists the task with the truncated file as to redo")
        res = r.run(out, work, local)
        check(res.returncode == 0 and "redoing task read 2" in res.stderr,
              "the executor redoes the task whose file was truncated")
        check("redoing task read 0" not in res.stderr and "redoing task dedup 0" in res.stderr,
              "and the later stages' tasks (another run of read 2), no other read task")
        check(digest_dir(out) == want, "after a truncated intermediate: output byte-identical")
        # The same size, other bytes: only the checksum tells.
        out, work = os.path.join(tmp, "out3"), os.path.join(tmp, "work3")
        r.stages(out, work, [("lines", 3), ("read", 3)])
        def damage(t, name):  # every 8th byte, the same size
            with open(os.path.join(work, "read", f"0000{t}", name), "r+b") as f:
                b = bytearray(f.read())
                b[::8] = bytes(x ^ 0x5A for x in b[::8])
                f.seek(0)
                f.write(b)
        # A task hashes the files it reads: dedup task 0 the keys.00000 of every read task.
        damage(1, "keys.00000")
        res = r.run(out, work, ["--stage", "dedup", "--task", "0"])
        check(res.returncode == 1 and "read/00001/keys.00000" in res.stderr and "checksum" in res.stderr,
              f"dedup task 0 finds read task 1's changed keys.00000 by its checksum ({res.stderr.strip()[:200]})")
        res = r.run(out, work, ["--stage", "dedup", "--task", "1"])
        check(res.returncode == 0, "dedup task 1, which does not read that file, runs")
        damage(0, "signatures.u64")  # read by index (the cluster task): the executor's checksums find it
        res = r.run(out, work, local)
        check(res.returncode == 0 and "redoing task read 0" in res.stderr and "redoing task read 1" in res.stderr
              and "checksum" in res.stderr and "redoing task dedup 1" in res.stderr,
              "files changed in place are caught by their checksums, those tasks and the later ones redone")
        check(digest_dir(out) == want, "after a changed intermediate: output byte-identical")

        # 3. Rerunning a finished build runs nothing.
        res = r.run(out, work, local)
        check(res.returncode == 0 and "0 task(s) run" in res.stderr, "rerunning a finished build runs nothing")
        st = r.run(out, work, ["--status", work])
        check("complete (published)" in st.stdout, "--status says the build is complete")

        # 4. A failing task: the executor names it; --status shows why.
        out, work = os.path.join(tmp, "out4"), os.path.join(tmp, "work4")
        res = r.run(out, work, local + ["--strict"])
        check(res.returncode == 1 and "task read" in res.stderr and "log:" in res.stderr and "--strict" in res.stderr,
              f"a failing task stops the build, named with its log ({res.stderr.strip()[:200]})")
        st = r.run(out, work, ["--status", work, "--strict"])
        check("failed: " in st.stdout and "--strict" in st.stdout, "--status shows the failed task and its message")
        check(not os.path.exists(os.path.join(out, "build.json")), "nothing was published")

        # 5. A work directory serves one build.
        out, work = os.path.join(tmp, "out5"), os.path.join(tmp, "work5")
        r.run(out, work, ["--stage", "read", "--task", "0"])
        res = r.run(out, work, local + ["--shard-tokens", "12345"])
        check(res.returncode == 1 and "other inputs or options" in res.stderr and "12345" in res.stderr,
              f"a changed setting is refused, naming it ({res.stderr.strip()[:220]})")
        with open(manifest) as f:
            original = f.read()
        m = json.loads(original)
        m["sources"][1]["weight"] = 0.75
        with open(manifest, "w") as f:  # the same manifest file, edited
            json.dump(m, f, indent=1)
        res = r.run(out, work, local)
        with open(manifest, "w") as f:
            f.write(original)
        check(res.returncode == 1 and "other inputs or options" in res.stderr and 'source "books"' in res.stderr
              and "0.75" in res.stderr,
              f"a changed manifest (a source weight) is refused, naming it ({res.stderr.strip()[:260]})")
        res = subprocess.run(r.cmd(out, work, local)[:-6] + ["--work", work, "--tasks", "4", "--partitions", "2"]
                             + local, capture_output=True, text=True)
        check(res.returncode == 1 and "--tasks 3" in res.stderr, f"other task counts are refused ({res.stderr.strip()[:200]})")

        # 6. One executor per work directory.
        with open(os.path.join(work, ".rwkvkit-lock"), "a+") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            res = r.run(out, work, local)
            check(res.returncode == 1 and "another build is writing" in res.stderr,
                  "a second executor on a locked work directory is refused")
        res = r.run(out, work, local)
        check(res.returncode == 0 and digest_dir(out) == want, "once the lock is free the build completes identically")
    return check.finish("split_rerun_test")


if __name__ == "__main__":
    sys.exit(main())
