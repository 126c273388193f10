#!/usr/bin/env python3
"""tests/corpus/tasks/split_eval_test.py — `rwkvkit eval` split into tasks (--executor local)
gives the report and the --nll-out file of one process, byte for byte.

Shards: two of 40 documents with a build.json of three sources (a 20, b 15, c 5), lengths all
different so slices cut inside shards, plus 9 documents without build.json. Against the
one-process run (CPU reference, tiny RWKV-5.2 fixture): N = 1, 3, 7, 60 tasks (empty slices),
--parallel 2, with and without --nll-out; --max-docs 8 and --docs-per-source 3 over 3 tasks;
a truncated records.bin caught by its done marker and only that task redone; a finished work
directory runs nothing and merges again; a changed --window refused, naming it; a failing task
named with its log, --nll-out not written, the rerun runs it and the unstarted task only;
--status lists the eval tasks; --stage eval --task I runs one task by hand.
"""

import json
import os
import random
import shutil
import sys
import tempfile

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
import testlib  # noqa: E402

LAYOUT = [("fx_00000", [(0, 20), (1, 5)]), ("fx_00001", [(1, 10), (2, 5)])]


def make_data(root):
    rng = random.Random(11)
    built = os.path.join(root, "built")
    os.makedirs(built)
    testlib.write_sourced_shards(built, LAYOUT, ["a", "b", "c"], rng)
    loose = os.path.join(root, "loose")
    os.makedirs(loose)
    testlib.write_binidx(os.path.join(loose, "fy_00000"),
                         [[rng.randint(1, 511) for _ in range(rng.randint(1, 60))] + [0] for _ in range(9)])
    return ["--data", built, "--data", os.path.join(loose, "fy_00000")]


def main():
    ap = testlib.arg_parser(__doc__)
    ap.add_argument("--model", required=True)
    args = ap.parse_args()
    check = testlib.Checks(verbose=True)
    with tempfile.TemporaryDirectory(prefix="rwkvkit_spliteval_") as tmp:
        data = make_data(tmp)
        base = [args.rwkvkit, "eval", "--model", args.model, "--vocab", args.vocab, "--no-progress"] + data
        runs = [0]

        def run(extra, nll=True):
            runs[0] += 1
            out = os.path.join(tmp, f"nll{runs[0]}.jsonl")
            r = testlib.run(base + extra + (["--nll-out", out] if nll else []), text=True, timeout=600)
            body = open(out, "rb").read() if nll and r.returncode == 0 else None
            summary = r.stdout.strip().splitlines()[-1] if r.returncode == 0 and r.stdout.strip() else ""
            return r, summary, body

        def split(extra, tasks, work, nll=True, parallel="2"):
            return run(extra + ["--executor", "local", "--work", work, "--tasks", str(tasks),
                                "--parallel", parallel], nll)

        r, want, want_nll = run([])
        check(r.returncode == 0 and json.loads(want)["total"]["documents"] == 49,
              f"the one-process run evaluates 49 documents ({r.stderr.strip()[-200:]})")
        for n in (1, 3, 7, 60):
            work = os.path.join(tmp, f"w{n}")
            r, got, got_nll = split([], n, work)
            check(r.returncode == 0, f"{n} task(s): exit 0 ({r.stderr.strip()[-300:]})")
            check(got == want, f"{n} task(s): the summary line equals one process's")
            check(got_nll == want_nll, f"{n} task(s): --nll-out equals one process's byte for byte")
        r, want_plain, _ = run([], nll=False)
        r, got, _ = split([], 3, os.path.join(tmp, "plain"), nll=False)
        check(r.returncode == 0 and got == want_plain, "3 tasks without --nll-out: the same summary line")
        for extra in (["--max-docs", "8", "--seed", "1"], ["--docs-per-source", "3", "--seed", "2"]):
            r, want_s, want_s_nll = run(extra)
            r, got, got_nll = split(extra, 3, os.path.join(tmp, "s" + extra[0]))
            check(r.returncode == 0 and got == want_s and got_nll == want_s_nll and "sample" in json.loads(got),
                  f"{' '.join(extra)} over 3 tasks: summary and --nll-out identical")

        # Rerun: a damaged intermediate is redone, nothing else.
        work = os.path.join(tmp, "w3")
        rec = os.path.join(work, "eval", "00001", "records.bin")
        with open(rec, "r+b") as f:
            f.truncate(os.path.getsize(rec) - 40)
        r, got, got_nll = split([], 3, work)
        check(r.returncode == 0 and "redoing task eval 1" in r.stderr and "1 task(s) run, 2 already done" in r.stderr,
              f"a truncated records.bin: only its task is redone ({r.stderr.strip()[-300:]})")
        check(got == want and got_nll == want_nll, "after the rerun: identical")
        r, got, got_nll = split([], 3, work)
        check(r.returncode == 0 and "0 task(s) run, 3 already done" in r.stderr and got == want and got_nll == want_nll,
              "a finished work directory runs nothing and merges to the same result")
        r, _, _ = split(["--window", "64"], 3, work)
        check(r.returncode == 1 and "window" in r.stderr and "first difference" in r.stderr,
              f"a changed --window is refused, naming it ({r.stderr.strip()[-300:]})")
        r = testlib.run([args.rwkvkit, "eval", "--status", work], text=True)
        check(r.returncode == 0 and "eval: 3 tasks: 3 done" in r.stdout, f"--status lists the tasks ({r.stdout.strip()})")

        # A task that cannot run (its task directory is a file): named with its log, nothing
        # written to --nll-out; once the cause is gone, the rerun runs only that task.
        work = os.path.join(tmp, "failing")
        os.makedirs(os.path.join(work, "eval"))
        blocker = os.path.join(work, "eval", "00001")
        with open(blocker, "w") as f:
            f.write("in the way\n")
        r, _, _ = split([], 3, work, parallel="1")  # one at a time: task 2 never starts
        check(r.returncode == 1 and "task eval 1 failed" in r.stderr and "eval-00001.log" in r.stderr
              and not os.path.exists(os.path.join(tmp, f"nll{runs[0]}.jsonl")),
              f"a failing task is named with its log, --nll-out untouched ({r.stderr.strip()[-300:]})")
        os.remove(blocker)
        r, got, got_nll = split([], 3, work, parallel="1")
        check(r.returncode == 0 and "2 task(s) run, 1 already done" in r.stderr and got == want and got_nll == want_nll,
              f"the rerun runs the failed task and the one not started, identical ({r.stderr.strip()[-200:]})")

        # One task by hand, then the executor merges.
        work = os.path.join(tmp, "byhand")
        nll = os.path.join(tmp, "byhand.jsonl")
        for t in range(2):
            r = testlib.run(base + ["--work", work, "--tasks", "2", "--stage", "eval", "--task", str(t),
                                    "--nll-out", nll], text=True)
            check(r.returncode == 0 and f"task eval {t}: done" in r.stderr, f"--stage eval --task {t} ({r.stderr.strip()[-200:]})")
        r, got, got_nll = split([], 2, work)
        check(r.returncode == 0 and "0 task(s) run, 2 already done" in r.stderr and got == want and got_nll == want_nll,
              "tasks run by hand, then the executor: nothing rerun, identical merge")
        shutil.rmtree(tmp, ignore_errors=True)
    return check.finish("split_eval_identity")


if __name__ == "__main__":
    sys.exit(main())
