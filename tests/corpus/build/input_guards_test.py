#!/usr/bin/env python3
"""tests/corpus/build/input_guards_test.py — inputs that once hung, exhausted memory or lost text.

Each case runs the real CLI under a timeout and checks its exit status, message and output
against Python's own reading of the same bytes (json, gzip; expected ids from `rwkvkit tokenize`,
itself checked by the golden test):
  - a FIFO (direct or by glob), /dev/null, a symlink loop: refused at once, naming what it is;
  - a record over --max-record-bytes (JSON line, line without newline, text file): counted as
    bad with file and line, the run goes on (build, tokenize --jsonl, bench tokenizer);
  - gzip on stdin for tokenize --jsonl; a record whose other field holds 1e999 or a 30-digit
    integer keeps its text; --text-key meta.content reads rec["meta"]["content"];
  - a build whose source yields nothing, or mostly bad records, exits non-zero with a summary;
  - inspect and stats on an empty build an older rwkvkit published exit non-zero saying so,
    and 0 on the real build it came from.
"""

import gzip
import json
import os
import subprocess
import sys
import tempfile

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
import testlib  # noqa: E402


def run(cmd, stdin=None, timeout=60):
    return testlib.run(cmd, stdin=stdin, timeout=timeout)


def main():
    ap = testlib.arg_parser(__doc__)
    a = ap.parse_args()
    check = testlib.Checks()

    rk, vocab = a.rwkvkit, ["--vocab", a.vocab]
    build = [rk, "build", *vocab, "--no-progress", "--near-dedup", "off"]

    def tokenize_text(text):
        r = run([rk, "tokenize", *vocab], stdin=text.encode())
        return [int(x) for x in r.stdout.split()]

    with tempfile.TemporaryDirectory() as t:
        p = lambda n: os.path.join(t, n)  # noqa: E731
        # Non-regular inputs and symlink loops.
        os.mkfifo(p("fifo.jsonl"))
        for what, inp, want in (("FIFO", p("fifo.jsonl"), "FIFO"), ("FIFO by glob", p("fif*.jsonl"), "FIFO"),
                                ("/dev/null", "/dev/null", "character device")):
            try:
                r = run(build + ["--input", inp, "-o", p("o_" + what.replace("/", "_"))], timeout=20)
                err = r.stderr.decode()
                check(r.returncode != 0 and want in err and "not a regular file" in err, f"{what}: {r.returncode} {err}")
                check("18446744073709" not in err, f"{what}: no huge size")
            except subprocess.TimeoutExpired:
                check(False, f"{what}: build hung")
        try:
            r = run([rk, "tokenize", "--jsonl", *vocab, p("fifo.jsonl")], timeout=20)
            check(r.returncode != 0 and b"FIFO" in r.stderr, f"tokenize FIFO: {r.stderr}")
        except subprocess.TimeoutExpired:
            check(False, "tokenize FIFO hung")
        os.symlink(p("loop_b"), p("loop_a.jsonl"))
        os.symlink(p("loop_a.jsonl"), p("loop_b"))
        r = run(build + ["--input", p("loop_a.jsonl"), "-o", p("o_loop")])
        check(r.returncode != 0 and b"symbolic links" in r.stderr and b"no such file" not in r.stderr.lower(),
              f"symlink loop: {r.stderr}")

        # Over-long records: counted as bad with file and line, the rest kept.
        long_line = json.dumps({"text": "x" * 5000})
        with open(p("long.jsonl"), "w") as f:
            f.write(json.dumps({"text": "first"}) + "\n" + long_line + "\n" + json.dumps({"text": "third"}) + "\n")
        r = run(build + ["--input", p("long.jsonl"), "-o", p("o_long"), "--max-record-bytes", "1000",
                         "--max-bad-fraction", "0.5"])
        check(r.returncode == 0 and b"long.jsonl:2:" in r.stderr and b"record_too_long" in r.stderr,
              f"build over-long line: {r.returncode} {r.stderr[-300:]}")
        if r.returncode == 0:
            bj = json.load(open(p("o_long/build.json")))
            check(bj["total"]["documents_read"] == 3 and bj["total"]["dropped"].get("record_too_long") == 1,
                  f"build over-long counts: {bj['total']}")
        r = run([rk, "tokenize", "--jsonl", *vocab, "--max-record-bytes", "1000", p("long.jsonl")])
        out = r.stdout.decode().splitlines()
        check(r.returncode == 1 and out[1] == "null" and len(out) == 3 and b"long.jsonl:2:" in r.stderr,
              f"tokenize over-long: {r.returncode} {out[:3]} {r.stderr}")
        check(json.loads(out[2]) == tokenize_text("third"), "tokenize: the line after the long one is right")
        r = run([rk, "bench", "tokenizer", *vocab, "--no-speed", "--no-progress", "--max-record-bytes", "1000",
                 "--input", p("long.jsonl")])
        check(b"long.jsonl:2:" in r.stderr, f"bench over-long: {r.returncode} {r.stderr[-300:]}")
        # A line with no newline at all, bigger than the cap many times over (memory stays bounded).
        with open(p("nonewline.jsonl"), "wb") as f:
            f.write(b'{"text": "ok"}\n' + b"a" * (8 << 20))
        r = run([rk, "tokenize", "--jsonl", *vocab, "--max-record-bytes", "4096", p("nonewline.jsonl")])
        check(r.stdout.decode().splitlines()[1:] == ["null"] and b"nonewline.jsonl:2:" in r.stderr,
              f"no newline: {r.stdout[:100]} {r.stderr[-200:]}")
        with open(p("big.txt"), "w") as f:
            f.write("y" * 5000)
        with open(p("small.txt"), "w") as f:
            f.write("a small document")
        r = run(build + ["--input", p("big.txt"), "--input", p("small.txt"), "-o", p("o_txt"),
                         "--max-record-bytes", "1000", "--max-bad-fraction", "1"])
        check(b"big.txt" in r.stderr and b"record_too_long" in r.stderr, f"text over cap: {r.stderr[-300:]}")

        # gzip on stdin.
        rec = json.dumps({"text": "Hello world"}) + "\n"
        r = run([rk, "tokenize", "--jsonl", *vocab, "-"], stdin=gzip.compress(rec.encode()))
        check(r.returncode == 0 and json.loads(r.stdout) == tokenize_text("Hello world"), f"gzip pipe: {r.stdout} {r.stderr}")

        # Numbers beyond double range elsewhere in the record do not lose its text.
        lines = ['{"id": 1e999, "text": "kept despite 1e999"}', '{"n": 123456789012345678901234567890, "text": "big int"}',
                 '{"n": [-1e999, {"m": 2E+400}], "text": "nested"}']
        with open(p("num.jsonl"), "w") as f:
            f.write("\n".join(lines) + "\n")
        r = run([rk, "tokenize", "--jsonl", *vocab, p("num.jsonl")])
        got = [json.loads(x) for x in r.stdout.decode().splitlines()]
        want = [tokenize_text(json.loads(x)["text"]) for x in lines]
        check(r.returncode == 0 and got == want, f"out-of-range numbers: {r.returncode} {r.stderr}")
        with open(p("badnum.jsonl"), "w") as f:
            f.write('{"n": 01, "text": "malformed number stays invalid"}\n')
        r = run([rk, "tokenize", "--jsonl", *vocab, p("badnum.jsonl")])
        check(r.returncode == 1 and r.stdout.decode().strip() == "null", "a malformed number is still invalid JSON")

        # Nested keys, in tokenize and build.
        recs = [{"meta": {"content": "nested text one"}, "text": "not this"},
                {"meta": {"content": "first"}, "meta2": 1}, {"meta": {"content": "nested two"}}]
        recs[1] = {"meta": {"content": "shadowed"}, "x": 1}
        with open(p("nested.jsonl"), "w") as f:
            for rc in recs:
                f.write(json.dumps(rc) + "\n")
            f.write('{"meta": {"content": "dup a"}, "meta": {"content": "dup b"}}\n')
        r = run([rk, "tokenize", "--jsonl", *vocab, "--text-key", "meta.content", p("nested.jsonl")])
        got = [json.loads(x) for x in r.stdout.decode().splitlines()]
        want = [tokenize_text(rc["meta"]["content"]) for rc in recs] + [tokenize_text("dup b")]
        check(r.returncode == 0 and got == want, f"nested key tokenize: {r.stderr}")
        with open(p("flat.jsonl"), "w") as f:
            for rc in recs:
                f.write(json.dumps({"text": rc["meta"]["content"]}) + "\n")
            f.write(json.dumps({"text": "dup b"}) + "\n")
        r1 = run(build + ["--input", p("nested.jsonl"), "-o", p("o_nested"), "--name", "n", "--text-key", "meta.content"])
        r2 = run(build + ["--input", p("flat.jsonl"), "-o", p("o_flat"), "--name", "n"])
        check(r1.returncode == 0 and r2.returncode == 0, f"nested builds: {r1.stderr[-200:]} {r2.stderr[-200:]}")
        if r1.returncode == 0 and r2.returncode == 0:
            for ext in (".bin", ".idx"):
                check(open(p("o_nested/n_00000" + ext), "rb").read() == open(p("o_flat/n_00000" + ext), "rb").read(),
                      f"nested key build {ext} equals the flat build")

        # A build that writes nothing fails with a summary.
        open(p("empty.jsonl"), "w").close()
        r = run(build + ["--input", p("empty.jsonl"), "-o", p("o_empty")])
        check(r.returncode == 1 and b"yielded no records" in r.stderr and not os.path.exists(p("o_empty/build.json")),
              f"empty source: {r.returncode} {r.stderr}")
        r = run(build + ["--input", p("nested.jsonl"), "-o", p("o_wrongkey")])
        check(r.returncode == 1 and b"records are bad" in r.stderr and b"missing_text_key" in r.stderr,
              f"wrong key: {r.returncode} {r.stderr}")
        r = run(build + ["--input", p("long.jsonl"), "-o", p("o_frac"), "--max-bad-fraction", "2"])
        check(r.returncode == 2, "--max-bad-fraction outside 0..1 is a usage error")

        # inspect and stats on an empty build of an older rwkvkit: o_flat's build.json with its
        # shards and documents taken away (what such a build published), shard files removed.
        if os.path.exists(p("o_flat/build.json")):
            for cmd in ([rk, "inspect", p("o_flat")], [rk, "stats", *vocab, "--no-progress", p("o_flat"), "--out", p("rep_flat")]):
                r = run(cmd)
                check(r.returncode == 0, f"{cmd[1]} of a real build: {r.returncode} {r.stderr[-300:]}")
            os.makedirs(p("o_old_empty"))
            with open(p("o_flat/build.json")) as f:
                b = json.load(f)
            b["shards"] = []
            b["output"] = {"shards": 0, "documents": 0, "tokens": 0}
            b["training"].update(my_exit_tokens=0, magic_prime=None, trainer_accepts=False, args=None,
                                 problem="no tokens")
            for src in b["sources"] + [{"counts": b["total"]}]:
                src["counts"].update(documents_kept=0, documents_written=0, tokens=0)
            with open(p("o_old_empty/build.json"), "w") as f:
                json.dump(b, f, indent=2)
            for cmd in ([rk, "inspect", p("o_old_empty")], [rk, "inspect", "--json", p("o_old_empty")],
                        [rk, "stats", *vocab, "--no-progress", p("o_old_empty"), "--out", p("rep_empty")]):
                r = run(cmd)
                err = r.stderr.decode()
                check(r.returncode == 1 and "the build holds no documents" in err, f"{cmd[1:3]} of an empty build: {r.returncode} {err}")
                if "--json" in cmd:
                    check(r.returncode == 1 and json.loads(r.stdout)["ok"] is False, f"inspect --json of an empty build: {r.stdout}")
            check(not os.path.exists(p("rep_empty")), "stats of an empty build writes no report")

    return check.finish("input guards")


if __name__ == "__main__":
    sys.exit(main())
