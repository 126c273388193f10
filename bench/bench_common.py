"""bench/bench_common.py — helpers shared by the benchmark harnesses (build_bench.py,
dedup_bench.py, filter_bench.py): timing a child process, describing the machine and the
versions, and rewriting one marked section of a docs file. Imported from the harness's own
folder (`python bench/<harness>.py` puts bench/ on sys.path); never run by ctest.
"""

import importlib.metadata
import os
import platform
import resource
import subprocess
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run_timed(cmd, log_path, env=None):
    """Runs CMD to completion; returns (wall s, child CPU s, stdout). Fails loudly on nonzero exit."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    with open(log_path, "w") as err:
        proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=err, text=True, env=env)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if proc.returncode != 0:
        with open(log_path) as f:
            tail = f.read()[-3000:]
        raise RuntimeError(f"{' '.join(cmd)} exited {proc.returncode}; stderr tail:\n{tail}")
    return wall, cpu, proc.stdout


def pkg_version(name):
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return None


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def git_commit():
    try:
        out = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short=12", "HEAD"],
                             capture_output=True, text=True, check=True).stdout.strip()
        return out
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def write_doc(path, section, begin_prefix, end):
    """Replaces the text from BEGIN_PREFIX to END in PATH by SECTION (appends it when absent);
    temporary file, fsync, rename."""
    text = open(path, encoding="utf-8").read() if os.path.exists(path) else "# Benchmarks\n"
    start = text.find(begin_prefix)
    if start >= 0:
        stop = text.find(end, start)
        if stop < 0:
            raise RuntimeError(f"{path}: {begin_prefix} without {end}")
        text = text[:start] + section + text[stop + len(end):]
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
