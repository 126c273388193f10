#!/usr/bin/env python3
"""tests/golden/golden_reference_test.py — `rwkvkit tokenize/detokenize` against the official tokenizer.

The oracle is TRIE_TOKENIZER of the official `rwkv` package on the --vocab file. The CLI must
give exactly the reference ids for (a) every document of the JSONL corpus through one
`tokenize --jsonl` call, also with --threads 1 and 2 (byte-identical); (b) seeded byte strings,
invalid UTF-8 included: large random/vocab-splice/multilingual/run files (default threads and
2), a 4 MiB file with a hard case on every 1 MiB range boundary (--threads 1, 2, 3), about
thirty small edge cases; (c) `detokenize` of the reference ids gives back the exact bytes;
(d) the --jsonl error contract: a bad line gives `null`, a message naming its line, exit 1.
On the first mismatch of each check it prints the case, the first differing id with a window
of both lists and the input bytes; exit 1 on failure, 2 when the set-up is missing. Standard
library + `rwkv`; the reference (~3 MB/s) dominates the run time. Usage:
  golden_reference_test.py --rwkvkit build/bin/rwkvkit \
      --vocab .rwkvkit/vocab/rwkv_vocab_v20230424.txt --corpus .rwkvkit/demo/demo.jsonl
"""

import argparse
import array
import concurrent.futures
import filecmp
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time

SETUP_HINT = "run tools/setup.sh: it creates .rwkvkit/venv, the vocab and the demo corpus"

# Ids published with the upstream tokenizers (docs/tokenizer.md "Verification"); they pin
# the oracle itself, so a broken reference install cannot make the comparison vacuous.
PINNED_VECTORS = [
    ("pinned_hello_world", b"Hello world", [33155, 40213]),
    ("pinned_space_hello", b" Hello", [36786]),
    ("pinned_hello_space", b"Hello ", [33155, 33]),
    ("pinned_controls", b"a\x00b\t\r\n", [98, 1, 99, 10, 263]),
    ("pinned_endoftext_literal", b"<|endoftext|>", [61, 125, 25258, 7588, 2318, 125, 63]),
    ("pinned_mixed_zh", "Today is a beautiful day. 今天是美好的一天。".encode(),
     [33520, 4600, 332, 59219, 21509, 47, 33, 10381, 11639, 13091, 15597, 11685, 14734, 10250, 11639, 10080]),
]

# A few sentences in scripts the corpus may not cover well (own text, not from a corpus).
MULTILINGUAL_SNIPPETS = [
    "The quick brown fox jumps over the lazy dog. ",
    "今天是美好的一天，我们去公园散步吧。",
    "東京の天気は晴れです。明日も晴れるでしょう。",
    "안녕하세요, 오늘 날씨가 좋네요. ",
    "Привет, как дела? Всё хорошо. ",
    "مرحبا بالعالم، كيف حالك اليوم؟ ",
    "नमस्ते दुनिया, आप कैसे हैं? ",
    "สวัสดีชาวโลก วันนี้อากาศดีมาก ",
    "Γειά σου Κόσμε, τι κάνεις; ",
    "שלום עולם, מה שלומך? ",
    "Xin chào thế giới, bạn khỏe không? ",
    "Größenwahn, Äpfel und Öl — façade, naïve, résumé. ",
    "emoji 😀🧑\u200d🚀👍🏽🇯🇵 e\u0301 \ufeff\u00a0\u3000 ",
    "def f(x):\n\tif x > 0:\n\t\treturn x * 2\n    return -x  # done\r\n",
    '{"key": [1, 2.5, "three"], "nested": {"a": null}}\n',
]


# ----------------------------------------------------------------------------------------------
# Failures: keep going, print the first mismatch of each check in detail.


class Report:
    PRINT_PER_CHECK = 10  # after that only the count grows

    def __init__(self):
        self.failures = []  # (check, one-line summary)
        self.per_check = {}

    def fail(self, check, summary, detail=None):
        self.failures.append((check, summary))
        n = self.per_check[check] = self.per_check.get(check, 0) + 1
        if n <= self.PRINT_PER_CHECK:
            print(f"FAIL [{check}] {summary}", flush=True)
            if detail and n == 1:  # the first mismatch of each check in detail
                print(detail, flush=True)
        elif n == self.PRINT_PER_CHECK + 1:
            print(f"FAIL [{check}] ... more failures of this check are counted, not printed", flush=True)

    def ok(self, check, summary):
        print(f"ok   [{check}] {summary}", flush=True)

    def summary(self):
        return ", ".join(f"{check}: {n}" for check, n in self.per_check.items())


def first_difference(expected, actual):
    n = min(len(expected), len(actual))
    for i in range(n):
        if expected[i] != actual[i]:
            return i
    return n


def mismatch_detail(name, expected, actual, data=None, token_bytes=None, window=8):
    """A window of both id lists around the first difference, and the input bytes there."""
    i = first_difference(expected, actual)
    lo, hi = max(0, i - window), i + window
    lines = [
        f"  case {name}: first differing id at position {i} "
        f"(expected {len(expected)} ids, got {len(actual)})",
        f"  expected[{lo}:{hi}] = {list(expected[lo:hi])}",
        f"  actual  [{lo}:{hi}] = {list(actual[lo:hi])}",
    ]
    if data is not None and token_bytes is not None:
        offset = sum(len(token_bytes[t]) for t in expected[:i])
        start = max(0, offset - 32)
        lines.append(f"  input bytes [{start}:{offset + 160}] (difference at byte {offset}, input {len(data)} bytes):")
        lines.append("    " + data[start:offset + 160].hex(" "))
    return "\n".join(lines)


# ----------------------------------------------------------------------------------------------
# Running the CLI.


class CliRun:
    def __init__(self, argv, rc, stdout_path, stderr_text, seconds):
        self.argv, self.rc, self.stdout_path, self.stderr, self.seconds = argv, rc, stdout_path, stderr_text, seconds

    def stdout(self):
        with open(self.stdout_path, "rb") as f:
            return f.read()

    def describe(self):
        return " ".join(self.argv)


def run_cli(argv, out_path, stdin_path=None, env=None, timeout=120):
    """Runs argv with stdout to out_path; stdin from stdin_path (or nothing)."""
    t0 = time.monotonic()
    with open(out_path, "wb") as out, open(out_path + ".err", "wb") as err:
        stdin = open(stdin_path, "rb") if stdin_path else subprocess.DEVNULL
        try:
            proc = subprocess.run(argv, stdin=stdin, stdout=out, stderr=err, env=env, timeout=timeout)
            rc = proc.returncode
        except subprocess.TimeoutExpired:
            rc = "timeout"
        finally:
            if stdin_path:
                stdin.close()
    with open(out_path + ".err", "rb") as f:
        stderr_text = f.read().decode("utf-8", "replace")
    return CliRun(argv, rc, out_path, stderr_text, time.monotonic() - t0)


def parse_plain_ids(out):
    """The plain `tokenize` output: ids separated by single spaces, then a newline."""
    text = out.decode("ascii", "replace")
    ids = [int(x) for x in text.split()] if text.strip() else []
    well_formed = text == " ".join(map(str, ids)) + "\n"
    return ids, well_formed


# ----------------------------------------------------------------------------------------------
# Inputs (b): everything derives from one seeded random.Random, so runs are reproducible.


def utf8_chars_of(snippets):
    return sorted({c for s in snippets for c in s if len(c.encode()) > 1})


def gen_random_bytes(rng, n):
    return rng.randbytes(n)


def gen_token_concat(rng, tokens, bytes_only, n):
    """Random vocab tokens back to back; one in five is a bytes-only (invalid UTF-8) token."""
    parts, size = [], 0
    while size < n:
        t = rng.choice(bytes_only) if rng.random() < 0.2 else rng.choice(tokens)
        parts.append(t)
        size += len(t)
    return b"".join(parts)[:n]


def cut_char(rng, ch):
    enc = ch.encode()
    return enc[: rng.randrange(1, len(enc))] if len(enc) > 1 else enc


def gen_multilingual_spliced(rng, texts, n):
    """Corpus and built-in text cut at random byte offsets, with random bytes and cut
    multi-byte characters spliced in."""
    chars = utf8_chars_of(MULTILINGUAL_SNIPPETS + [t[:2000] for t in texts[:200]])
    parts, size = [], 0
    while size < n:
        r = rng.random()
        if r < 0.55 and texts:
            t = rng.choice(texts).encode()
            a = rng.randrange(len(t) + 1)
            piece = t[a:a + rng.randrange(1, 3000)]  # random byte offsets cut characters
        elif r < 0.8:
            piece = rng.choice(MULTILINGUAL_SNIPPETS).encode() * rng.randrange(1, 4)
        elif r < 0.9:
            piece = rng.randbytes(rng.randrange(1, 6))
        else:
            piece = b"".join(cut_char(rng, rng.choice(chars)) for _ in range(rng.randrange(1, 8)))
        parts.append(piece)
        size += len(piece)
    return b"".join(parts)[:n]


def gen_runs(rng, n):
    """Long runs of the same byte(s): spaces, newlines, digits... with lengths around the
    128-byte longest token and far beyond (a run crossing a range boundary must stitch)."""
    units = [b" ", b"\n", b"\r\n", b"\t", b"0", b"1", b"9", b"12", b"01", b"a", b"=", b"-", b"\xe3\x80\x80",
             b"\xc2\xa0", b"\x00", b"\xff", b" \n"]
    lengths = [1, 2, 3, 15, 16, 17, 63, 64, 65, 127, 128, 129, 130, 255, 256, 257, 1000, 4095, 4096, 4097, 30000]
    parts, size = [], 0
    while size < n:
        if rng.random() < 0.3:
            piece = bytes(rng.choice(b"0123456789") for _ in range(rng.choice(lengths)))  # digit soup
        else:
            piece = rng.choice(units) * rng.choice(lengths)
        if rng.random() < 0.3:
            piece += rng.choice(MULTILINGUAL_SNIPPETS).encode()
        parts.append(piece)
        size += len(piece)
    return b"".join(parts)[:n]


# Multi-threaded raw tokenize (tokenizer/batch_encoder.cc) cuts inputs of at least 2 ranges into
# ranges of 1 MiB, encodes them on several threads and stitches them; smaller inputs take the
# one-thread path. The boundary file is larger than that and puts a hard case on every range
# boundary. Keep these in step with kRangeBytes there.
RANGE_BYTES = 1 << 20
BOUNDARY_FILE_BYTES = 4 * RANGE_BYTES + 4321


def gen_range_boundaries(rng, tokens, bytes_only, texts, longest):
    """Mixed content with, across each 1 MiB boundary, a run or token that a range starting
    there would get wrong: spaces, odd-aligned digit pairs, random bytes, the longest token."""
    data = bytearray(gen_token_concat(rng, tokens, bytes_only, BOUNDARY_FILE_BYTES // 3)
                     + gen_multilingual_spliced(rng, texts, BOUNDARY_FILE_BYTES // 3)
                     + gen_runs(rng, BOUNDARY_FILE_BYTES - 2 * (BOUNDARY_FILE_BYTES // 3)))
    hotspots = [
        (2500, b" " * 5000),                     # a space run centred on the boundary
        (5001, b"7" + b"12" * 5000),             # digit pairs, odd-aligned at the boundary
        (300, rng.randbytes(600)),               # random bytes (mostly one-byte tokens)
        (64, longest + b"a" * 4001),             # the 128-byte token crossing the boundary
    ]
    for k, (before, pattern) in enumerate(hotspots, start=1):
        at = k * RANGE_BYTES - before
        data[at:at + len(pattern)] = pattern
    return bytes(data)


def large_cases(rng, tokens, bytes_only, texts, longest, scale):
    k = int(64 * 1024 * scale)
    return [
        ("large_random_bytes", gen_random_bytes(rng, 5 * k)),  # slowest for the reference: ~1 byte/token
        ("large_token_concat", gen_token_concat(rng, tokens, bytes_only, 10 * k)),
        ("large_multilingual_spliced", gen_multilingual_spliced(rng, texts, 14 * k)),
        ("large_runs", gen_runs(rng, 10 * k)),
        ("large_range_boundaries", gen_range_boundaries(rng, tokens, bytes_only, texts, longest)),
    ]


def token_material(token_bytes):
    """What the case generators take from the vocab: its non-empty tokens, those of them that
    are not valid UTF-8 on their own, and the longest one."""
    tokens = [t for t in token_bytes if t]
    bytes_only = []
    for t in tokens:
        try:
            t.decode("utf-8")
        except UnicodeDecodeError:
            bytes_only.append(t)
    return tokens, bytes_only, max(tokens, key=len)


def small_cases(rng, tokens, bytes_only, longest):
    emoji = "😀".encode()
    cases = [
        ("empty", b""),
        ("one_space", b" "),
        ("one_high_byte", b"\xff"),
        ("all_bytes_ascending", bytes(range(256))),
        ("all_bytes_descending", bytes(range(255, -1, -1))),
        ("continuation_bytes", bytes(range(0x80, 0xC0)) * 3),
        ("invalid_utf8_forms", b"\xc0\x80 \xe0\x80\x80 \xed\xa0\x80 \xf4\x90\x80\x80 \xf5\xfe\xff \xc2 \xe4\xbd \xf0\x9f\x98"),
        ("truncated_emoji_prefixes", b"".join(emoji[:k] + b"x" + emoji[:k] for k in (1, 2, 3)) + emoji),
        ("truncated_cjk_tail", "今天是美好的一天".encode()[:-1]),
        ("truncated_cjk_head", "今天是美好的一天".encode()[1:]),
        ("bytes_only_tokens", b"".join(bytes_only)),
        ("longest_token_and_more", longest + b" " + longest + b"  x" + longest[:-1]),
        ("spaces_runs", b"".join(b" " * k + b"x" for k in (1, 2, 127, 128, 129, 255, 256, 257, 1000))),
        ("newline_runs", b"\n" * 1000 + b"\r\n" * 500 + b"\t" * 333),
        ("digits", b"0123456789" * 100 + b" 12345 " + b"9" * 1001),
        ("bom_and_text", b"\xef\xbb\xbf" + MULTILINGUAL_SNIPPETS[0].encode() + b"\xef\xbb\xbf"),
        ("nul_bytes", b"\x00" * 50 + b"a\x00b\x00" * 20),
        ("multilingual", "".join(MULTILINGUAL_SNIPPETS).encode()),
        ("combining_marks", ("e\u0301\u0302\u0303" * 50 + "\u0915\u094d\u0937" * 30).encode()),
        ("random_bytes_short", rng.randbytes(777)),
        ("token_concat_short", gen_token_concat(rng, tokens, bytes_only, 5000)),
        # Around the size where Encode() switches to the segmented walk (4096 bytes) and at a
        # size with many segments: the stitching must be exact on every input.
        ("segmented_4095", gen_token_concat(rng, tokens, bytes_only, 4095)),
        ("segmented_4096", gen_token_concat(rng, tokens, bytes_only, 4096)),
        ("segmented_4097", gen_token_concat(rng, tokens, bytes_only, 4097)),
        ("segmented_spaces_20000", b" " * 20000),
        ("segmented_digits_odd", b"1" + b"23" * 20000),  # every range start is mis-aligned
        ("segmented_single_letter", b"a" * 50001),
        ("segmented_random_65536", rng.randbytes(65536)),
    ]
    cases += [(name, data) for name, data, _ in PINNED_VECTORS]
    return cases


# ----------------------------------------------------------------------------------------------
# The checks.


class GoldenTest:
    def __init__(self, args, tmp):
        self.args, self.tmp, self.report = args, tmp, Report()
        self.pool = concurrent.futures.ThreadPoolExecutor(max_workers=2)  # rwkvkit calls, two at a time
        self.calls = 0
        self.ref, self.token_bytes = None, None

    def attach_reference(self, ref):
        self.ref = ref
        self.token_bytes = [b""] * (max(ref.idx2token) + 1)
        for i, t in ref.idx2token.items():
            self.token_bytes[i] = t

    def cli(self, *argv, stdin_path=None, env=None):
        """Submits one rwkvkit call; returns a future of CliRun."""
        self.calls += 1
        out = os.path.join(self.tmp, f"out_{self.calls:03d}")
        return self.pool.submit(run_cli, [self.args.rwkvkit, *argv], out, stdin_path, env)

    def encode(self, data):
        return array.array("H", self.ref.encodeBytes(data))

    # (a) ---------------------------------------------------------------------------------

    def start_corpus(self):
        v = ["--vocab", self.args.vocab]
        c = self.args.corpus
        return [self.cli("tokenize", "--jsonl", *v, c),
                self.cli("tokenize", "--jsonl", "--threads", "1", *v, c),
                self.cli("tokenize", "--jsonl", "--threads", "2", *v, c)]

    def corpus_reference(self):
        """Per line: the reference ids (array) of `text`, or None for a line the contract
        says must give null."""
        with open(self.args.corpus, "rb") as f:
            lines = f.read().split(b"\n")
        if lines and lines[-1] == b"":
            lines.pop()
        texts, expected = [], []
        for line in lines:
            try:
                obj = json.loads(line)
            except ValueError:
                obj = None
            text = obj.get("text") if isinstance(obj, dict) else None
            if isinstance(text, str):
                data = text.encode("utf-8")
                texts.append(text)
                expected.append((data, self.encode(data)))
            else:
                expected.append(None)
        return texts, expected

    def check_corpus(self, futures, expected):
        runs = [f.result() for f in futures]
        want_rc = 1 if any(e is None for e in expected) else 0
        for run in runs:
            if run.rc != want_rc:
                self.report.fail("corpus", f"`{run.describe()}` exited {run.rc}, want {want_rc}; stderr: {run.stderr[:500]}")
            if self.args.expect_compiled and ".compiled: ignored" in run.stderr:
                self.report.fail("compiled", f"`{run.describe()}` ignored the compiled tokenizer file: {run.stderr[:500]}")
        for run in runs[1:]:
            if not filecmp.cmp(runs[0].stdout_path, run.stdout_path, shallow=False):
                self.report.fail("corpus_threads", f"`{run.describe()}` output differs from `{runs[0].describe()}`")
        got_lines = runs[0].stdout().split(b"\n")
        if got_lines and got_lines[-1] == b"":
            got_lines.pop()
        if len(got_lines) != len(expected):
            self.report.fail("corpus", f"{len(got_lines)} output lines for {len(expected)} input lines")
        bad = 0
        for n, (line, exp) in enumerate(zip(got_lines, expected), start=1):
            try:
                got = json.loads(line)
            except ValueError:
                got = "<not JSON>"
            if exp is None:
                if got is not None:
                    bad += 1
                    self.report.fail("corpus", f"line {n}: want null, got {line[:80]!r}")
                continue
            data, ids = exp
            if not isinstance(got, list) or array.array("H", [x for x in got if isinstance(x, int) and 0 <= x < 65536]) != ids \
                    or len(got) != len(ids):
                bad += 1
                actual = got if isinstance(got, list) else []
                self.report.fail("corpus", f"line {n}: ids differ from the reference",
                                 mismatch_detail(f"corpus line {n}", ids, actual, data, self.token_bytes))
        if bad == 0 and len(got_lines) == len(expected):
            ntok = sum(len(e[1]) for e in expected if e)
            nbytes = sum(len(e[0]) for e in expected if e)
            self.report.ok("corpus", f"{len(expected)} documents, {nbytes:,} bytes, {ntok:,} tokens identical "
                           f"(default, --threads 1, --threads 2; {max(r.seconds for r in runs):.2f} s per call)")

    # (b) ---------------------------------------------------------------------------------

    def write_case(self, name, data):
        path = os.path.join(self.tmp, f"case_{name}.bin")
        with open(path, "wb") as f:
            f.write(data)
        return path

    def check_plain(self, check, name, data, ids, run):
        if run.rc != 0:
            self.report.fail(check, f"{name}: `{run.describe()}` exited {run.rc}; stderr: {run.stderr[:500]}")
            return False
        got, well_formed = parse_plain_ids(run.stdout())
        if array.array("H", [x for x in got if 0 <= x < 65536]) != ids or len(got) != len(ids):
            self.report.fail(check, f"{name} ({len(data)} bytes): ids differ from the reference ({run.describe()})",
                             mismatch_detail(name, ids, got, data, self.token_bytes))
            return False
        if not well_formed:
            self.report.fail(check, f"{name}: output is not 'ids separated by single spaces, then a newline': "
                             f"{run.stdout()[:60]!r}...{run.stdout()[-20:]!r}")
            return False
        return True

    # (c) ---------------------------------------------------------------------------------

    def write_ids(self, name, id_lists):
        """Ids separated by spaces, with a newline every 1000 ids (whitespace-separated)."""
        path = os.path.join(self.tmp, f"ids_{name}.txt")
        with open(path, "w") as f:
            for ids in id_lists:
                for k in range(0, len(ids), 1000):
                    f.write(" ".join(map(str, ids[k:k + 1000])))
                    f.write("\n")
        return path

    def check_roundtrip(self, name, cases, run):
        """cases: (name, bytes) in the order their ids were written."""
        want = b"".join(d for _, d in cases)
        if run.rc != 0:
            self.report.fail("detokenize", f"{name}: `{run.describe()}` exited {run.rc}; stderr: {run.stderr[:500]}")
            return
        got = run.stdout()
        if got == want:
            self.report.ok("detokenize", f"{name}: {len(cases)} inputs, {len(want):,} bytes round-trip exactly")
            return
        i = first_difference(want, got)
        at, case = i, "?"
        for cname, d in cases:
            if at < len(d):
                case = cname
                break
            at -= len(d)
        self.report.fail("detokenize", f"{name}: bytes differ at byte {i} (case {case}, byte {at}); "
                         f"want {len(want)} bytes, got {len(got)}",
                         f"  want[{i}:{i + 32}] = {want[i:i + 32].hex(' ')}\n  got [{i}:{i + 32}] = {got[i:i + 32].hex(' ')}")

    # (d) ---------------------------------------------------------------------------------

    def error_contract_lines(self):
        """JSONL lines (without their newline), each one that any JSON parser reads the same way."""
        return [
            b'{"id": 1, "text": "Hello world", "body": "body one"}',
            b'[1, 2, 3]',                                     # not an object
            b'{"id": 2, "body": "only a body"}',              # missing `text`
            b'{"id": 3, "text": 123, "body": ["x"]}',         # non-string values
            b'{"id": 4, "text": "unterminated',               # invalid JSON
            b'{"id": 5, "text": "caf\\u00e9 \\ud83d\\ude00 tab\\there\\nnewline \\u0000 \\"q\\" \\\\"}',
            b'{"id": 6, "text": null}',                       # null is not a string
            b'"just a string"',                               # a JSON value, not an object
            b'{"meta": {"text": "nested"}, "body": "\xe6\x97\xa5\xe6\x9c\xac"}',  # `text` only nested
            b'{"id": 7, "text": "', b'x' * 3000 + b'"}',      # 2 lines: an unterminated string, then junk
            b'{"text": "\xe4\xbb\x8a\xe5\xa4\xa9 \xf0\x9f\x98\x80", "id": 8}',
            b'',                                              # an empty line is not an object
            b'{"text": "CRLF line end", "body": "crlf"}\r',   # \r is JSON whitespace
            b'   ',                                           # nor is a blank one
            b'{"text": "last line, no newline", "body": "b"}',
        ]

    def error_contract_expected(self, lines, key):
        expected = []
        for line in lines:
            try:
                obj = json.loads(line)
            except ValueError:
                obj = None
            value = obj.get(key) if isinstance(obj, dict) else None
            expected.append(self.encode(value.encode("utf-8")) if isinstance(value, str) else None)
        return expected

    def check_error_contract(self, key, lines, run):
        check = f"jsonl_errors --text-key {key}"
        expected = self.error_contract_expected(lines, key)
        got_lines = run.stdout().split(b"\n")
        if got_lines and got_lines[-1] == b"":
            got_lines.pop()
        ok = True
        if run.rc != 1:
            ok = False
            self.report.fail(check, f"`{run.describe()}` exited {run.rc}, want 1 (some lines are bad)")
        if len(got_lines) != len(lines):
            ok = False
            self.report.fail(check, f"{len(got_lines)} output lines for {len(lines)} input lines")
        for n, (exp, out) in enumerate(zip(expected, got_lines), start=1):
            try:
                got = json.loads(out)
            except ValueError:
                got = "<not JSON>"
            if exp is None:
                if got is not None:
                    ok = False
                    self.report.fail(check, f"line {n} is bad input: want null, got {out[:80]!r}")
                if not re.search(rf"(:{n}:|\bline {n}\b)", run.stderr, re.IGNORECASE):  # path:N: or line N
                    ok = False
                    self.report.fail(check, f"stderr does not name bad line {n}: {run.stderr[:800]!r}")
            elif not isinstance(got, list) or got != list(exp):
                ok = False
                self.report.fail(check, f"line {n}: want {list(exp)[:20]}, got {out[:120]!r}")
        if ok:
            bad = sum(e is None for e in expected)
            self.report.ok(check, f"{bad} bad lines -> null + named on stderr, {len(lines) - bad} good lines, exit 1")


# ----------------------------------------------------------------------------------------------


def check_setup(args):
    problems = []
    if not os.path.isfile(args.rwkvkit) or not os.access(args.rwkvkit, os.X_OK):
        problems.append(f"rwkvkit binary not found or not executable: {args.rwkvkit} (build it first)")
    if not os.path.isfile(args.vocab):
        problems.append(f"vocab not found: {args.vocab} ({SETUP_HINT})")
    elif args.expect_compiled and not os.path.isfile(args.vocab + ".compiled"):
        problems.append(f"no compiled tokenizer file beside {args.vocab} (the build writes it: build the rwkvkit target)")
    if not os.path.isfile(args.corpus):
        problems.append(f"corpus not found: {args.corpus} ({SETUP_HINT})")
    try:
        from rwkv.rwkv_tokenizer import TRIE_TOKENIZER  # noqa: F401  (the official package)
    except ImportError as e:
        problems.append(f"the official `rwkv` package is not importable from {sys.executable} ({e}); {SETUP_HINT}")
    for p in problems:
        print(f"golden_reference_test: SET-UP MISSING: {p}", file=sys.stderr)
    return not problems


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rwkvkit", required=True, help="path of the rwkvkit CLI")
    ap.add_argument("--vocab", required=True, help="the World vocab file the reference and rwkvkit both use")
    ap.add_argument("--corpus", required=True, help="JSONL corpus (objects with a string `text`)")
    ap.add_argument("--expect-compiled", action="store_true", help="require VOCAB.compiled beside the vocab, so "
                    "that rwkvkit runs on the compiled tokenizer file (it says so on stderr when it ignores one)")
    ap.add_argument("--seed", type=int, default=20240404, help="seed of the generated inputs")
    ap.add_argument("--scale", type=float, default=1.0, help="size factor of the large generated files "
                    "(not of the range-boundary file, which must span several ranges)")
    ap.add_argument("--keep-temp", action="store_true", help="keep the inputs and outputs (the path is printed)")
    args = ap.parse_args()
    if not check_setup(args):
        return 2
    from rwkv.rwkv_tokenizer import TRIE_TOKENIZER

    t_start = time.monotonic()
    tmp_obj = tempfile.TemporaryDirectory(prefix="rwkvkit_golden_")
    tmp = tmp_obj.name
    if args.keep_temp:
        tmp_obj._finalizer.detach()  # keep the folder
        print(f"temp folder: {tmp}")

    test = GoldenTest(args, tmp)
    corpus_runs = test.start_corpus()  # needs no reference: runs while it loads
    test.attach_reference(TRIE_TOKENIZER(args.vocab))
    t_loaded = time.monotonic()
    return run_all(test, corpus_runs, t_start, t_loaded)


def run_all(test, corpus_runs, t_start, t_loaded):
    args, report = test.args, test.report
    v = ["--vocab", args.vocab]

    # The oracle itself.
    for name, data, ids in PINNED_VECTORS:
        if list(test.ref.encodeBytes(data)) != ids:
            report.fail("oracle", f"the reference gives {test.ref.encodeBytes(data)} for {data!r}, "
                        f"published ids are {ids}: the rwkv package or vocab is not the expected one")

    rng = random.Random(args.seed)
    tokens, bytes_only, longest = token_material(test.token_bytes)
    with open(args.corpus, "rb") as f:
        sample_texts = [json.loads(l).get("text", "") for l in f.read().split(b"\n")[:2000] if l.startswith(b"{")]
    sample_texts = [t for t in sample_texts if isinstance(t, str) and t]

    # Submit every independent CLI call now; the reference works while they run.
    large = large_cases(rng, tokens, bytes_only, sample_texts, longest, args.scale)
    small = small_cases(rng, tokens, bytes_only, longest)
    large_runs = []
    for name, data in large:
        path = test.write_case(name, data)
        threads = ["1", "2", "3"] if len(data) >= 2 * RANGE_BYTES else ["2"]
        runs = [test.cli("tokenize", *v, path)] + [test.cli("tokenize", "--threads", t, *v, path) for t in threads]
        large_runs.append((name, data, threads, runs))
    small_runs = []
    for k, (name, data) in enumerate(small):
        path = test.write_case(name, data)
        if k == 0:
            run = test.cli("tokenize", *v, "-", stdin_path=path)  # stdin
        elif k == 1:
            env = dict(os.environ, RWKVKIT_VOCAB=args.vocab)
            run = test.cli("tokenize", path, env=env)  # vocab from the environment
        else:
            run = test.cli("tokenize", *v, path)
        small_runs.append((name, data, run))
    err_lines = test.error_contract_lines()
    err_path = os.path.join(test.tmp, "errors.jsonl")
    with open(err_path, "wb") as f:
        f.write(b"\n".join(err_lines))  # the last line has no newline
    err_runs = [("text", test.cli("tokenize", "--jsonl", *v, err_path)),
                ("body", test.cli("tokenize", "--jsonl", "--text-key", "body", *v, err_path))]

    # (a) corpus.
    t0 = time.monotonic()
    texts, corpus_expected = test.corpus_reference()
    t_corpus_ref = time.monotonic() - t0
    test.check_corpus(corpus_runs, corpus_expected)
    corpus_cases = [(f"corpus line {n}", e[0]) for n, e in enumerate(corpus_expected, start=1) if e]
    corpus_ids_path = test.write_ids("corpus", [e[1] for e in corpus_expected if e])
    rt_corpus = test.cli("detokenize", *v, corpus_ids_path)

    # (b) generated bytes.
    t0 = time.monotonic()
    large_ids = [test.encode(data) for _, data, _, _ in large_runs]
    small_ids = [test.encode(data) for _, data, _ in small_runs]
    t_gen_ref = time.monotonic() - t0
    for (name, data, threads, runs), ids in zip(large_runs, large_ids):
        oks = [test.check_plain("large", name, data, ids, r.result()) for r in runs]
        if all(oks):
            report.ok("large", f"{name}: {len(data):,} bytes, {len(ids):,} ids identical (default threads, "
                      + ", ".join(f"--threads {t}" for t in threads) + ")")
    small_bad = 0
    for (name, data, run), ids in zip(small_runs, small_ids):
        small_bad += not test.check_plain("small", name, data, ids, run.result())
    if small_bad == 0:
        report.ok("small", f"{len(small_runs)} edge cases identical (incl. stdin and $RWKVKIT_VOCAB)")

    # (c) round trips: all small cases in one file, all large in one, the corpus, and stdin.
    small_ids_path = test.write_ids("small", small_ids)
    large_ids_path = test.write_ids("large", large_ids)
    rt = [("small cases", [(n, d) for n, d, _ in small_runs], test.cli("detokenize", *v, small_ids_path)),
          ("large cases (stdin)", [(n, d) for n, d, _, _ in large_runs],
           test.cli("detokenize", *v, "-", stdin_path=large_ids_path)),
          ("corpus", corpus_cases, rt_corpus)]
    for name, cases, run in rt:
        test.check_roundtrip(name, cases, run.result())

    # (d) --jsonl error contract.
    for key, run in err_runs:
        test.check_error_contract(key, err_lines, run.result())

    test.pool.shutdown()
    total = time.monotonic() - t_start
    print(f"timing: reference load {t_loaded - t_start:.1f} s, corpus reference {t_corpus_ref:.1f} s, "
          f"generated-input reference {t_gen_ref:.1f} s, {test.calls} rwkvkit calls, total {total:.1f} s")
    if report.failures:
        print(f"golden_reference_test: FAILED ({len(report.failures)} failures: {report.summary()}; "
              f"first: [{report.failures[0][0]}] {report.failures[0][1]})")
        return 1
    print("golden_reference_test: PASSED")
    return 0


if __name__ == "__main__":
    sys.exit(main())
