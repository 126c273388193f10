#!/usr/bin/env python3
"""bench/startup_bench.py — start-up time and peak memory of the rwkvkit CLI, two binaries side
by side in one run (bench/run_startup_bench.sh builds the baseline).

For each case (`--help`, `--version`, `tokenize --help`, a one-line `tokenize` from stdin with
the vocab installed beside the binary (share/rwkvkit/, with its compiled tokenizer file when the
build wrote one) and with `--vocab` of a vocab that has none, `eval --help`, and `eval --device
cpu` failing on a missing model) each binary is run --runs times, interleaved (baseline, new,
baseline, new, ...) so that both see the same machine load; the table gives the median wall
time (fork to exit, measured here), the median CPU time (user + system, the child's rusage from
wait4: what the call costs, less sensitive to the load than wall time) and the peak resident
set (ru_maxrss). $RWKVKIT_VOCAB is unset for the runs. Also lists the shared libraries each binary
loads for `--help` (ldd). Writes the table to stdout and, with --doc, its section of
docs/benchmarks.md. No timing is asserted anywhere; never run by ctest. Usage:
  startup_bench.py --new build/bin/rwkvkit --baseline build-startup-baseline/bin/rwkvkit --vocab VOCAB [--doc docs/benchmarks.md]
"""

import argparse
import datetime
import os
import statistics
import subprocess
import sys
import time

import bench_common

BEGIN = "<!-- BEGIN cli-startup (bench/startup_bench.py writes this section) -->"
END = "<!-- END cli-startup -->"


def run_once(argv, stdin_bytes):
    """(wall seconds, CPU seconds, peak RSS in KiB, exit status) of one run."""
    r, w = os.pipe()
    t0 = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        os.dup2(r, 0)
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.dup2(devnull, 2)
        os.close(r)
        os.close(w)
        try:
            os.execv(argv[0], argv)
        finally:
            os._exit(127)
    os.close(r)
    os.write(w, stdin_bytes)
    os.close(w)
    _, status, usage = os.wait4(pid, 0)
    wall = time.perf_counter() - t0
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss, os.waitstatus_to_exitcode(status)


def shared_libs(exe):
    out = subprocess.run(["ldd", exe], capture_output=True, text=True).stdout
    return sorted(line.split()[0] for line in out.splitlines() if "=>" in line)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--new", required=True, help="the rwkvkit binary under test")
    ap.add_argument("--baseline", required=True, help="the rwkvkit binary to compare with")
    ap.add_argument("--baseline-name", default="baseline")
    ap.add_argument("--vocab", required=True)
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--doc", help="rewrite this file's cli-startup section")
    args = ap.parse_args()

    cases = [
        ("rwkvkit --help", ["--help"], b"", 0),
        ("rwkvkit --version", ["--version"], b"", 0),
        ("rwkvkit tokenize --help", ["tokenize", "--help"], b"", 0),
        ("printf 'Hello world' | rwkvkit tokenize", ["tokenize", "--threads", "1"], b"Hello world", 0),
        ("printf 'Hello world' | rwkvkit tokenize --vocab (no compiled file)",
         ["tokenize", "--vocab", args.vocab, "--threads", "1"], b"Hello world", 0),
        ("rwkvkit eval --help", ["eval", "--help"], b"", 0),
        ("rwkvkit eval (missing model, exit 1)", ["eval", "--model", "/nonexistent.pth", "--data", "/nonexistent"], b"", 1),
    ]
    os.environ.pop("RWKVKIT_VOCAB", None)
    if os.path.exists(args.vocab + ".compiled"):
        sys.exit(f"startup_bench: {args.vocab}.compiled exists; --vocab must name a vocab without one")
    binaries = [(args.baseline_name, os.path.abspath(args.baseline)), ("this commit", os.path.abspath(args.new))]
    results = {}
    for title, argv, stdin_bytes, want_rc in cases:
        for name, exe in binaries:  # one warm-up run each (page cache)
            run_once([exe] + argv, stdin_bytes)
        walls = {name: [] for name, _ in binaries}
        cpus = {name: [] for name, _ in binaries}
        rss = {name: [] for name, _ in binaries}
        for _ in range(args.runs):
            for name, exe in binaries:
                wall, cpu, maxrss, rc = run_once([exe] + argv, stdin_bytes)
                if rc != want_rc:
                    sys.exit(f"startup_bench: {exe} {' '.join(argv)} exited {rc}, expected {want_rc}")
                walls[name].append(wall)
                cpus[name].append(cpu)
                rss[name].append(maxrss)
        results[title] = {name: (statistics.median(walls[name]), statistics.median(cpus[name]), max(rss[name]))
                          for name, _ in binaries}

    when = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    load = os.getloadavg()[0]
    lines = [BEGIN, f"## CLI start-up: time and peak memory per call ({when})", "",
             f"Machine: {bench_common.cpu_model()}, {os.cpu_count()} cores, 1-minute load {load:.1f} at the start "
             f"(a shared machine: medians of {args.runs} interleaved runs; CPU = user + system time of the call). Commit {bench_common.git_commit()}; "
             f"`{args.baseline_name}` is the binary this commit replaces, built from the same tree "
             "the same way. Command: `bench/run_startup_bench.sh`.", "",
             f"| call | {args.baseline_name}: wall ms | CPU ms | peak RSS MB | this commit: wall ms | CPU ms | peak RSS MB |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    for title, r in results.items():
        b, n = r[args.baseline_name], r["this commit"]
        cell = title.replace("|", "\\|")  # a pipe inside a table cell
        lines.append(f"| `{cell}` | {b[0] * 1e3:.1f} | {b[1] * 1e3:.1f} | {b[2] / 1024:.1f} | "
                     f"{n[0] * 1e3:.1f} | {n[1] * 1e3:.1f} | {n[2] / 1024:.1f} |")
    for name, exe in binaries:
        libs = shared_libs(exe)
        heavy = [l for l in libs if any(k in l for k in ("cuda", "cublas", "arrow", "parquet", "openblas", "icu", "cld2", "tbb"))]
        lines += ["", f"{name}: {len(libs)} shared libraries at start-up, among them {', '.join(heavy) or 'none of note'}."]
    lines += ["", "`build`, `inspect`, `merge`, `eval`, `stats` and `bench` (and their `--help`) load "
              "lib/rwkvkit/librwkvkit_commands.so when the binary has a commands plugin (and with it Arrow, ICU, CLD2, "
              "OpenBLAS); `eval --device cuda` loads lib/rwkvkit/librwkvkit_cuda.so (and with it cudart and cuBLAS) "
              "when it runs; no other call maps them.", END]
    section = "\n".join(lines)
    print(section)
    if args.doc:
        bench_common.write_doc(args.doc, section, BEGIN, END)
    return 0


if __name__ == "__main__":
    sys.exit(main())
