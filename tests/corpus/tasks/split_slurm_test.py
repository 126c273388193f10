#!/usr/bin/env python3
"""tests/corpus/tasks/split_slurm_test.py — `rwkvkit build --executor slurm` on a real Slurm.

Starts a one-node Slurm cluster (slurm_cluster.py: munged, slurmctld, slurmd of Debian, as root,
under a temporary directory) and builds the demo manifest with 4 read tasks and 3 partitions as
sbatch job arrays: output equal to the one-process build byte for byte; Slurm's records
(scontrol) show one array per stage with the passed partition, time, memory and sbatch option,
no stage starting before the previous ended. A read task that cannot run: the executor exits 1
naming it, Slurm cancels the later stages, and after the fix the same command submits only the
unfinished tasks and ends byte-identical. `rwkvkit eval --executor slurm --tasks 3` (CPU
reference, tiny RWKV-5.2 fixture, 30 documents): one array of 3 tasks, summary and --nll-out
equal to one process's. Needs root (exit 77, a ctest skip, otherwise); fails if Slurm is not
installed (tools/setup.sh --test installs it).
"""

import os
import random
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from slurm_cluster import SlurmCluster, slurm_available  # noqa: E402
from split_corpus import digest_dir  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
import testlib  # noqa: E402

check = testlib.Checks(verbose=True)  # "ok   what" / "FAIL: what"; finish() gives the exit status


def main():
    ap = testlib.arg_parser(__doc__)
    ap.add_argument("--demo-manifest", required=True)
    ap.add_argument("--model", required=True, help="a tiny checkpoint for the split evaluation")
    args = ap.parse_args()
    if os.geteuid() != 0:
        print("SKIP: starting slurmctld, slurmd and munged needs root")
        return 77
    if not slurm_available():
        print("FAIL: Slurm or munge is not installed (tools/setup.sh --test installs slurmctld, slurmd, "
              "slurm-client and munge)")
        return 1
    manifest = os.path.abspath(args.demo_manifest)
    with tempfile.TemporaryDirectory(prefix="rwkvkit_slurm_") as tmp:
        ref = os.path.join(tmp, "ref")
        subprocess.run([args.rwkvkit, "build", "--manifest", manifest, "--out", ref, "--vocab", args.vocab,
                        "--no-progress", "--dedup-report", os.path.join(ref, "near_duplicates.jsonl")],
                       check=True, capture_output=True)
        want = digest_dir(ref)
        cluster = SlurmCluster()
        try:
            cluster.start()
            print("ok   one-node Slurm cluster started")

            def build(out, work):
                cmd = [args.rwkvkit, "build", "--manifest", manifest, "--out", out, "--vocab", args.vocab,
                       "--no-progress", "--dedup-report", os.path.join(out, "near_duplicates.jsonl"),
                       "--executor", "slurm", "--tasks", "4", "--partitions", "3", "--work", work,
                       "--slurm-partition", "debug", "--slurm-time", "20", "--slurm-mem", "300",
                       "--sbatch-option=--comment=rwkvkit-split-test"]
                return subprocess.run(cmd, capture_output=True, text=True, env=cluster.env, timeout=900)

            out, work = os.path.join(tmp, "out"), os.path.join(tmp, "work")
            r = build(out, work)
            check(r.returncode == 0, f"--executor slurm built the demo manifest ({r.stderr.strip()[-300:]})")
            check(digest_dir(out) == want, "4 read tasks x 3 partitions on Slurm: byte-identical to the one-process build")
            jobs = [j for j in cluster.jobs() if j.get("JobName", "").startswith("rwkvkit-")]
            stages = ["lines", "read", "dedup", "cluster", "write", "publish"]
            by_stage = {s: [j for j in jobs if j["JobName"] == f"rwkvkit-{s}"] for s in stages}
            counts = {s: len(v) for s, v in by_stage.items()}
            check(counts == {"lines": 4, "read": 4, "dedup": 3, "cluster": 1, "write": 4, "publish": 1},
                  f"one array task per task, per stage ({counts})")
            check(all(len({j["ArrayJobId"] for j in v}) == 1 for v in by_stage.values()), "one job array per stage")
            check(all(j["JobState"] == "COMPLETED" and j["Partition"] == "debug" and j["TimeLimit"] == "00:20:00"
                      and j["MinMemoryNode"] == "300M" and j.get("Comment") == "rwkvkit-split-test" for j in jobs),
                  "every task COMPLETED with the passed-through partition, time, memory and sbatch option")
            order_ok = True
            for before, after in zip(stages, stages[1:]):
                if min(j["StartTime"] for j in by_stage[after]) < max(j["EndTime"] for j in by_stage[before]):
                    order_ok = False
            check(order_ok, "no stage started before the stage before it had ended (the dependencies)")

            # A task that fails, then the rerun.
            out, work = os.path.join(tmp, "out2"), os.path.join(tmp, "work2")
            os.makedirs(os.path.join(work, "read"))
            blocker = os.path.join(work, "read", "00002")
            with open(blocker, "w") as f:
                f.write("in the way\n")
            r = build(out, work)
            check(r.returncode == 1 and "task read 2" in r.stderr, f"a failing task is named ({r.stderr.strip()[-300:]})")
            arrays = {}
            for line in open(os.path.join(work, "slurm", "jobs.txt")):
                stage, job, _ = line.split()
                arrays[stage] = job
            later = [j for j in cluster.jobs() if j.get("ArrayJobId") in {arrays[s] for s in stages[stages.index("read") + 1:]}]
            check(later and all(j["JobState"] == "CANCELLED" for j in later),
                  "the stages after it were cancelled by Slurm, not left pending "
                  f"({sorted({j['JobState'] for j in later})})")
            check(not os.path.exists(os.path.join(out, "build.json")), "nothing was published")
            os.remove(blocker)
            r = build(out, work)
            check(r.returncode == 0 and "stage read: submitted job array" in r.stderr and "(1 tasks)" in r.stderr,
                  "the rerun submits only the unfinished read task (and the later stages)")
            check(digest_dir(out) == want, "after the rerun: byte-identical to the one-process build")

            # The evaluation split into 3 tasks on Slurm.
            edata = os.path.join(tmp, "evaldata")
            os.makedirs(edata)
            rng = random.Random(5)
            testlib.write_binidx(os.path.join(edata, "ev_00000"),
                                 [[rng.randint(1, 511) for _ in range(rng.randint(1, 40))] + [0] for _ in range(30)])
            base = [args.rwkvkit, "eval", "--model", os.path.abspath(args.model), "--vocab", args.vocab,
                    "--no-progress", "--data", edata]
            one = subprocess.run(base + ["--nll-out", os.path.join(tmp, "one.jsonl")], capture_output=True, text=True)
            r = subprocess.run(base + ["--nll-out", os.path.join(tmp, "split.jsonl"), "--executor", "slurm",
                                       "--work", os.path.join(tmp, "evalwork"), "--tasks", "3",
                                       "--slurm-partition", "debug", "--slurm-time", "20"],
                               capture_output=True, text=True, env=cluster.env, timeout=900)
            check(one.returncode == 0 and r.returncode == 0, f"rwkvkit eval --executor slurm ({r.stderr.strip()[-300:]})")
            check(r.stdout == one.stdout and open(os.path.join(tmp, "split.jsonl"), "rb").read() ==
                  open(os.path.join(tmp, "one.jsonl"), "rb").read(),
                  "3 eval tasks on Slurm: summary line and --nll-out equal the one-process evaluation's")
            # The executor returns once the tasks' done markers are written; Slurm may still be
            # ending the jobs (COMPLETING): wait for their final state.
            for _ in range(120):
                ev = [j for j in cluster.jobs() if j.get("JobName") == "rwkvkit-eval"]
                if all(j["JobState"] not in ("PENDING", "RUNNING", "COMPLETING") for j in ev):
                    break
                time.sleep(0.5)
            check(len(ev) == 3 and len({j["ArrayJobId"] for j in ev}) == 1 and
                  all(j["JobState"] == "COMPLETED" for j in ev),
                  f"one job array of 3 eval tasks, all COMPLETED ({[j['JobState'] for j in ev]})")
        except Exception as e:  # a broken cluster: show why
            check.fail(f"{e}\n{cluster.logs()}")
        finally:
            cluster.stop()
            print("ok   Slurm daemons stopped")
    return check.finish("split_slurm_test")


if __name__ == "__main__":
    sys.exit(main())
