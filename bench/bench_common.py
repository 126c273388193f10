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


def machine_info():
    """The CPU as /proc/cpuinfo and /proc/meminfo describe it (logical CPUs, cores, sockets, memory)."""
    cores, sockets, flags = set(), set(), ""
    cur = {}
    try:
        with open("/proc/cpuinfo") as f:
            for line in f.read().splitlines() + [""]:
                if not line.strip():
                    if "physical id" in cur or "core id" in cur:
                        cores.add((cur.get("physical id"), cur.get("core id")))
                        sockets.add(cur.get("physical id"))
                    cur = {}
                    continue
                k, _, v = line.partition(":")
                cur[k.strip()] = v.strip()
                if k.strip() == "flags" and not flags:
                    flags = v.strip()
    except OSError:
        pass
    mem_gib = None
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    mem_gib = int(line.split()[1]) / 2**20
    except OSError:
        pass
    return {"cpu_model": cpu_model(), "logical_cpus": os.cpu_count(), "usable_cpus": len(os.sched_getaffinity(0)),
            "cores": len(cores) or None, "sockets": len(sockets) or None, "memory_gib": mem_gib,
            "kernel": platform.release(), "avx512": " avx512f " in f" {flags} ", "avx2": " avx2 " in f" {flags} "}


def cmake_cache(binary, keys):
    """{key: value} of KEYS in the CMakeCache.txt of the build folder BINARY (bin/NAME) came from."""
    path = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(binary))), "CMakeCache.txt")
    out = {}
    try:
        with open(path) as f:
            for line in f:
                name, _, value = line.rstrip("\n").partition("=")
                if name.split(":")[0] in keys:
                    out[name.split(":")[0]] = value
    except OSError:
        pass
    return out


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
