#!/usr/bin/env python3
"""tests/tools/cli_test.py — the rwkvkit command line as a user meets it: flags, help, version.

Runs the built binary and requires:
  (a) `--version`, `-V` and `<command> --version` print "rwkvkit X.Y.Z" (CMakeLists.txt's);
  (b) `rwkvkit` alone exits 2 with the usage; `-h`, `--help`, `help` list every command;
      `<command> --help`, `-h` and `rwkvkit help <command>` print the same text;
  (c) every listed flag has a description, shared flags the same words everywhere, and one
      vocabulary (--text-key, --no-progress, --threads, --vocab, -o/--out);
  (d) a misspelt flag, command or benchmark exits 2 with "did you mean ...";
  (e) the deprecated spellings (tokenize/bench `--key`, stats `--quiet`) still work, give the
      same output and warn; `tokenize --jsonl --text-key` gives the official `rwkv`
      TRIE_TOKENIZER's ids; `build ... -o DIR` writes DIR.
Usage: cli_test.py --rwkvkit build/bin/rwkvkit --vocab VOCAB --cmakelists CMakeLists.txt
"""

import json
import os
import re
import sys
import tempfile

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import testlib  # noqa: E402

COMMANDS = ["build", "merge", "tokenize", "inspect", "eval", "detokenize", "stats", "bench tokenizer"]
check = testlib.Checks()


def run(exe, *args, stdin=None):
    return testlib.run([exe, *args], stdin=stdin, timeout=60)


def options(usage):
    """{spelling: description} of the `options:` section of a usage text."""
    text = usage.split("\noptions:\n", 1)[1]
    out, name = {}, None
    for line in text.splitlines():
        m = re.match(r"^  (?:-(\w), )?--([a-z0-9-]+)(?: (\S+))?(?: \.\.\.)?(?:\s+(\S.*))?$", line)
        if m:
            name = m.group(2)
            out[name] = (m.group(4) or "").strip()
        elif name is not None and line.startswith(" " * 24):
            out[name] = (out[name] + " " + line.strip()).strip()
    return out


def main():
    ap = testlib.arg_parser(__doc__)
    ap.add_argument("--cmakelists", required=True)
    args = ap.parse_args()
    exe = args.rwkvkit
    with open(args.cmakelists) as f:
        version = re.search(r"project\(rwkvkit VERSION (\S+)", f.read()).group(1)

    # (a) version
    for argv in (["--version"], ["-V"], ["tokenize", "--version"], ["build", "-V"], ["bench", "--version"]):
        r = run(exe, *argv)
        check(r.returncode == 0 and r.stdout.decode() == f"rwkvkit {version}\n", f"{argv}: {r.stdout!r} rc {r.returncode}")

    # (b) top-level help
    r = run(exe)
    check(r.returncode == 2 and b"usage: rwkvkit <command>" in r.stderr, f"no arguments: rc {r.returncode}")
    top = run(exe, "--help")
    for argv in (["-h"], ["help"]):
        r = run(exe, *argv)
        check(r.returncode == 0 and r.stdout == top.stdout, f"{argv} differs from --help")
    for c in COMMANDS:
        check(f"\n  {c.split()[0]} ".encode() in top.stdout, f"top-level help lacks {c}")

    # (b), (c) per-command help
    usages = {}
    for c in COMMANDS:
        r = run(exe, *c.split(), "--help")
        check(r.returncode == 0 and r.stdout.startswith(f"usage: rwkvkit {c} ".encode()), f"{c} --help: rc {r.returncode}")
        check(run(exe, *c.split(), "-h").stdout == r.stdout, f"{c} -h differs from --help")
        if " " not in c:
            check(run(exe, "help", c).stdout == r.stdout, f"rwkvkit help {c} differs from {c} --help")
        usages[c] = options(r.stdout.decode())
        for flag, desc in usages[c].items():
            check(desc != "", f"{c}: --{flag} has no description")
        for flag in ("help", "version"):
            check(flag in usages[c], f"{c}: --{flag} not listed")
    for shared in ("vocab", "no-progress"):
        descs = {c: u[shared] for c, u in usages.items() if shared in u and not (c == "bench tokenizer" and shared == "vocab")}
        check(len(set(descs.values())) == 1, f"--{shared} is described differently: {descs}")
    want = {
        "text-key": ["build", "tokenize", "bench tokenizer"],
        "no-progress": ["build", "merge", "eval", "stats", "bench tokenizer"],
        "threads": ["build", "tokenize", "eval", "stats", "bench tokenizer"],
        "vocab": ["build", "tokenize", "eval", "detokenize", "stats", "bench tokenizer"],
        "out": ["build", "merge", "stats"],
    }
    for flag, cmds in want.items():
        for c in cmds:
            check(flag in usages[c], f"{c} has no --{flag}")
    for c in ("build", "merge", "stats"):
        check(re.search(r"\n  -o, --out ", run(exe, *c.split(), "--help").stdout.decode()) is not None, f"{c}: no -o")
    for c, u in usages.items():
        check("key" not in u and "quiet" not in u, f"{c}: a deprecated spelling is listed")

    # (d) misspellings
    cases = [
        (["tokenize", "--thread", "2"], "unknown option --thread (did you mean --threads?)"),
        (["build", "--no-progres"], "did you mean --no-progress?"),
        (["stats", "--txt-key", "x"], "unknown option --txt-key; see rwkvkit stats --help"),
        (["eval", "--max-doc", "3"], "did you mean --max-docs?"),
        (["tokenze"], "unknown command 'tokenze' (did you mean 'tokenize'?)"),
        (["help", "biuld"], "did you mean 'build'?"),
        (["--verison"], "did you mean '--version'?"),
        (["bench", "tokenzer"], "did you mean 'tokenizer'?"),
    ]
    for argv, msg in cases:
        r = run(exe, *argv)
        check(r.returncode == 2 and msg in r.stderr.decode(), f"{argv}: rc {r.returncode}, stderr {r.stderr!r}")

    # (e) deprecated spellings and the renamed flags at work
    from rwkv.rwkv_tokenizer import TRIE_TOKENIZER
    tok = TRIE_TOKENIZER(args.vocab)
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "in.jsonl")
        docs = [f"Document {i}: the quick brown fox jumps over the lazy dog {i * 7}. Ünïcödé ✓" for i in range(40)]
        with open(src, "w", encoding="utf-8") as f:
            for d in docs:
                f.write(json.dumps({"body": d, "text": "x"}, ensure_ascii=False) + "\n")
        new = run(exe, "tokenize", "--jsonl", "--text-key", "body", "--vocab", args.vocab, src)
        old = run(exe, "tokenize", "--jsonl", "--key", "body", "--vocab", args.vocab, src)
        want_ids = [tok.encode(d) for d in docs]
        check(new.returncode == 0 and [json.loads(x) for x in new.stdout.decode().splitlines()] == want_ids,
              "tokenize --text-key body: ids differ from TRIE_TOKENIZER")
        check(old.returncode == 0 and old.stdout == new.stdout, "tokenize --key differs from --text-key")
        check(b"--key is deprecated; use --text-key" in old.stderr and new.stderr == b"", f"tokenize --key: {old.stderr!r}")
        r = run(exe, "tokenize", "--text-key", "body", "--vocab", args.vocab, src)
        check(r.returncode == 2 and b"--text-key needs --jsonl" in r.stderr, "tokenize --text-key without --jsonl")

        out = os.path.join(tmp, "shards")
        r = run(exe, "build", "--input", src, "--text-key", "body", "-o", out, "--near-dedup", "off", "--no-progress", "--vocab", args.vocab)
        check(r.returncode == 0 and os.path.exists(os.path.join(out, "build.json")), f"build -o: rc {r.returncode} {r.stderr!r}")
        if os.path.exists(os.path.join(out, "build.json")):
            with open(os.path.join(out, "build.json")) as f:
                tokens = json.load(f)["output"]["tokens"]
            check(tokens == sum(len(x) + 1 for x in want_ids), f"build --text-key body: {tokens} tokens")
            reports = []
            for flag in ("--no-progress", "--quiet"):
                rdir = os.path.join(tmp, "report" + flag)
                r = run(exe, "stats", out, "-o", rdir, flag, "--vocab", args.vocab)
                check(r.returncode == 0 and b"rwkvkit stats: shard" not in r.stderr, f"stats {flag}: {r.stderr!r}")
                check((b"--quiet is deprecated; use --no-progress" in r.stderr) == (flag == "--quiet"), f"stats {flag} warning")
                with open(os.path.join(rdir, "report.md"), "rb") as f:
                    reports.append(f.read())
            check(reports[0] == reports[1], "stats --quiet and --no-progress give different reports")

    return check.finish("cli_test")


if __name__ == "__main__":
    sys.exit(main())
