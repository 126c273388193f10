"""tests/testlib.py — what the Python test scripts under tests/ share, so that each script holds
only its checks (docs/testing.md):

    sys.dont_write_bytecode = True                   # no __pycache__ in the source tree
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
    import testlib                                   # one ".." per folder below tests/
    ap = testlib.arg_parser(__doc__)                 # --rwkvkit and --vocab, required
    check = testlib.Checks()                         # check(cond, what): FAIL printed at once
    r = testlib.run([args.rwkvkit, "inspect", d])    # captured, with a timeout (run_expect asserts)
    return check.finish("inspect_test")              # exit status: 0, or 1 after "N failure(s)"

Also write_binidx and write_sourced_shards (shards to check against), digest_dir (an output
directory's files, to compare two builds), missing_setup (exit 2 when a set-up product is
missing), load_module (a module passed by path), spread_lines.
"""

import argparse
import hashlib
import os
import subprocess
import sys

_HERE = os.path.dirname(os.path.abspath(__file__))


def arg_parser(description=None):
    """An ArgumentParser with the flags every CLI test takes: --rwkvkit (the binary) and
    --vocab (the World vocab file)."""
    ap = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rwkvkit", required=True, help="the rwkvkit binary")
    ap.add_argument("--vocab", required=True, help="rwkv_vocab_v20230424.txt")
    return ap


class Checks:
    """check(cond, what): counts a failure when cond is false and prints `FAIL: what` to
    stderr; with verbose=True a passing check prints `ok   what` to stdout."""

    def __init__(self, verbose=False):
        self.failures = []
        self.verbose = verbose

    def __call__(self, cond, what):
        if not cond:
            self.failures.append(what)
            print(f"FAIL: {what}", file=sys.stderr)
        elif self.verbose:
            print(f"ok   {what}")
        return bool(cond)

    def fail(self, what):
        return self(False, what)

    def finish(self, name):
        """The script's exit status, after a summary line."""
        if self.failures:
            print(f"{len(self.failures)} failure(s)", file=sys.stderr)
            return 1
        print(f"{name}: all checks passed")
        return 0


def missing_setup(*paths):
    """True (after "missing P: run tools/setup.sh" on stderr) when one of `paths`, products of
    tools/setup.sh, does not exist; the script then exits 2."""
    for p in paths:
        if not os.path.exists(p):
            print(f"missing {p}: run tools/setup.sh", file=sys.stderr)
            return True
    return False


def load_module(path):
    """The Python module at `path` (a checker or reader the test is given by path)."""
    import importlib.util
    spec = importlib.util.spec_from_file_location(os.path.splitext(os.path.basename(path))[0], path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def spread_lines(path, n):
    """`n` lines spread evenly over the file at `path` (the demo sources are grouped by topic
    and language, so the first lines would all be alike)."""
    with open(path, encoding="utf-8") as f:
        lines = f.readlines()
    step = max(1, len(lines) // n)
    return lines[::step][:n]


def write_binidx(prefix, docs, dtype="uint16"):
    """Writes prefix.bin/.idx holding `docs` (lists of token ids), one sequence per document,
    with the independent numpy writer of tests/golden/binidx_numpy_writer.py (dtype uint16 or
    int32); numpy is imported only here."""
    sys.path.insert(0, os.path.join(_HERE, "golden"))
    import binidx_numpy_writer  # noqa: E402
    import numpy as np  # noqa: E402
    binidx_numpy_writer.write_shard(prefix, docs, np.dtype(dtype))


def write_build_json(path, source_names, shards):
    """A minimal build.json as `rwkvkit build` writes it (docs/formats/build_json.md): the fields
    the stats reader requires (counts zero), the sources named in order, and `shards` as
    [(name, documents, source_runs[, tokens])] with source_runs [[source index, documents], ...]."""
    import json
    counts = {"files": 1, "documents_read": 0, "documents_kept": 0, "documents_written": 0,
              "bytes_in": 0, "bytes_out": 0, "tokens": 0}
    build = {"corpus": "fx", "total": counts,
             "sources": [{"name": n, "counts": counts} for n in source_names],
             "shards": [{"name": s[0], "documents": s[1], "tokens": s[3] if len(s) > 3 else 0,
                         "source_runs": [list(r) for r in s[2]]} for s in shards]}
    with open(path, "w") as f:
        json.dump(build, f)


def write_sourced_shards(root, layout, source_names, rng, dtype="uint16"):
    """Shards in directory root with their build.json: layout is [(name, [(source index,
    documents), ...])]; the k-th document over all shards has k + 2 tokens drawn from rng
    (1..511) and the end token 0, so no two documents have the same length."""
    length = 2
    shards = []
    for name, runs in layout:
        docs = []
        for _, n in runs:
            for _ in range(n):
                docs.append([rng.randint(1, 511) for _ in range(length)] + [0])
                length += 1
        write_binidx(os.path.join(root, name), docs, dtype)
        shards.append((name, len(docs), runs, sum(len(d) for d in docs)))
    write_build_json(os.path.join(root, "build.json"), source_names, shards)


def run_expect(cmd, code=0, timeout=600):
    """Runs `cmd` (text output) and asserts its exit status is `code`, showing its output if
    not; returns the CompletedProcess. For scripts that stop at the first failure."""
    r = run(cmd, text=True, timeout=timeout)
    assert r.returncode == code, f"{cmd}: exit {r.returncode}, expected {code}\n{r.stdout}\n{r.stderr}"
    return r


def run(cmd, stdin=None, timeout=120, text=False, **kwargs):
    """subprocess.run with stdout and stderr captured and a timeout (a hung binary fails the
    test instead of stalling ctest). `text=True` decodes both as UTF-8."""
    return subprocess.run(cmd, input=stdin, capture_output=True, timeout=timeout, text=text, **kwargs)


def digest_dir(d):
    """{file name: sha256} of every file of an output directory (not the lock). build.json's one
    member that may differ from run to run, its stage `timing` (the last member, in a
    one-process and in a split build), is cut off as text, so everything else is still compared
    byte for byte."""
    out = {}
    for name in sorted(os.listdir(d)):
        p = os.path.join(d, name)
        if os.path.isfile(p) and name != ".rwkvkit-lock":
            with open(p, "rb") as f:
                data = f.read()
            if name == "build.json":
                cut = data.rfind(b',\n  "timing": ')
                if cut >= 0:
                    data = data[:cut] + b"\n}\n"
            out[name] = hashlib.sha256(data).hexdigest()
    return out
