#!/usr/bin/env python3
"""Oracle test for corpus/text: an independent Python implementation of the repair rules
(docs/formats/text_repair.md), written from the rules rather than from the C++ code, against
text_repair_driver on seeded generated inputs, for --normalize nfc, nfkc, none and --json-line.
Python supplies its own pieces: bytes.decode with an error handler (one error per maximal
subpart, as Unicode recommends), unicodedata.normalize, and re for JSON escapes.

CPython 3.11's unicodedata is Unicode 14.0, ICU 72 is 15.0; normalization is stable for assigned
characters, so generated text uses characters assigned in 14.0. Cases where random bytes decode
to a code point unassigned in 14.0 (category Cn, noncharacters excepted) are skipped and
counted; the test fails if fewer than 90% of the cases were compared.

Usage: repair_oracle_test.py --driver build/bin/text_repair_driver [--cases N] [--seed S]
"""
import argparse
import codecs
import random
import re
import struct
import subprocess
import sys
import unicodedata

FFFD = "\ufffd"


class Counter:
    """A codecs error handler that replaces each reported ill-formed subpart with U+FFFD."""

    def __init__(self):
        self.n = 0

    def __call__(self, exc):
        self.n += 1
        return (FFFD, exc.end)


def decode_counting(data):
    counter = Counter()
    name = "rwkvkit_oracle_%d" % id(counter)
    codecs.register_error(name, counter)
    return data.decode("utf-8", name), counter.n


def is_removed_control(ch):
    cp = ord(ch)
    return (cp < 0x20 and ch not in "\t\n\r") or 0x7F <= cp <= 0x9F


def oracle_text(data, form):
    counts = dict.fromkeys(FIELDS, 0)
    text, counts["invalid_utf8"] = decode_counting(data)
    out = []
    for i, ch in enumerate(text):
        if ch == "\r":
            if text[i + 1 : i + 2] == "\n":
                counts["crlf_to_lf"] += 1
            else:
                counts["lone_cr_to_lf"] += 1
                out.append("\n")
        elif is_removed_control(ch):
            counts["control_chars_removed"] += 1
        elif ch == "\ufeff" and not out:
            counts["bom_removed"] += 1
        else:
            out.append(ch)
    cleaned = "".join(out)
    if form is None:
        return cleaned.encode("utf-8"), counts, cleaned
    result = unicodedata.normalize(form, cleaned)
    counts["normalized"] = int(result != cleaned)
    return result.encode("utf-8"), counts, cleaned


ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})|\\.", re.S)


def oracle_json_line(data):
    counts = dict.fromkeys(FIELDS, 0)
    text, counts["invalid_utf8"] = decode_counting(data)
    matches = list(ESCAPE.finditer(text))
    lone = []  # (start, end) of escapes to replace
    k = 0
    while k < len(matches):
        m = matches[k]
        value = int(m.group(1), 16) if m.group(1) else None
        if value is not None and 0xD800 <= value <= 0xDBFF and k + 1 < len(matches):
            n = matches[k + 1]
            if n.start() == m.end() and n.group(1) and 0xDC00 <= int(n.group(1), 16) <= 0xDFFF:
                k += 2
                continue
        if value is not None and 0xD800 <= value <= 0xDFFF:
            lone.append((m.start(), m.end()))
        k += 1
    counts["lone_surrogates"] = len(lone)
    pieces, last = [], 0
    for start, end in lone:
        pieces += [text[last:start], "\\ufffd"]
        last = end
    pieces.append(text[last:])
    return "".join(pieces).encode("utf-8"), counts, ""  # no normalization: nothing to skip


# --- generated inputs ---

def assigned_in_ucd(ch):
    cp = ord(ch)
    noncharacter = 0xFDD0 <= cp <= 0xFDEF or (cp & 0xFFFE) == 0xFFFE
    return noncharacter or unicodedata.category(ch) != "Cn"


def random_assigned(rng):
    while True:
        # Half from the BMP (most scripts), half from anywhere.
        cp = rng.randrange(0x10000) if rng.random() < 0.5 else rng.randrange(0x110000)
        if 0xD800 <= cp <= 0xDFFF:
            continue
        ch = chr(cp)
        if assigned_in_ucd(ch):
            return ch


COMBINING = [chr(c) for c in range(0x300, 0x370)] + ["\u0323", "\u05b0", "\u093c", "\u3099", "\u309a"]
TEXT_PIECES = [
    "a", "e", "A", " ", "\t", "\n", "\r", "\r\n", "\x00", "\x01", "\x0b", "\x0c", "\x1b", "\x7f", "\x85", "\x9b",
    "\xa0", "\ufeff", "\u200b", "\u200c", "\u200d", "\u2060", "\u202e", "\u2066", "\u2028", "\ufffe", "\uffff",
    "\U0010ffff", "\ufb01", "\uff21", "\u2460", "\xb2", "\u1112", "\u1161", "\u11ab", "\uac00", "\u00e9",
    "\u1ebf", "\U0001f600", "\u4eba", FFFD, "\u212b", "\u0958", "\u2126",
]
BAD_BYTES = [b"\x80", b"\xbf", b"\xc0\xaf", b"\xc1", b"\xf5", b"\xff", b"\xfe", b"\xed\xa0\x80", b"\xed\xbf\xbf",
             b"\xf0\x9f\x98", b"\xf4\x90\x80\x80", b"\xe3", b"\xe3\x81", b"\xe0\x80\x80", b"\xf0\x80\x80\x80",
             b"\xc2", b"\xef\xbb"]


def gen_text_case(rng):
    parts = []
    for _ in range(rng.randrange(0, 30)):
        r = rng.random()
        if r < 0.35:
            parts.append(rng.choice(TEXT_PIECES).encode("utf-8"))
        elif r < 0.5:
            parts.append(rng.choice(COMBINING).encode("utf-8"))
        elif r < 0.65:
            parts.append(random_assigned(rng).encode("utf-8"))
        elif r < 0.8:
            parts.append(rng.choice(BAD_BYTES))
        else:
            parts.append(bytes([rng.randrange(256)]))
    return b"".join(parts)


JSON_PIECES = ["\\ud800", "\\udbff", "\\udc00", "\\udfff", "\\ud83d", "\\ude00", "\\uD83D", "\\uDE00", "\\\\",
               "\\\"", "\\n", "\\u00e9", "\\u0000", "\\u12", "\\u", "\\", "u", "d800", "a", " ", "\"", ":", "{",
               "}", "\u4eba", FFFD]


def gen_json_case(rng):
    parts = [b'{"text": "']
    for _ in range(rng.randrange(0, 20)):
        r = rng.random()
        if r < 0.75:
            parts.append(rng.choice(JSON_PIECES).encode("utf-8"))
        elif r < 0.9:
            parts.append(rng.choice(BAD_BYTES))
        else:
            parts.append(bytes([rng.randrange(256)]))
    if rng.random() < 0.8:
        parts.append(b'"}')
    return b"".join(parts)


# --- the driver protocol (see repair_driver_main.cc) ---

def run_driver(driver, args, inputs):
    payload = b"".join(struct.pack("<I", len(x)) + x for x in inputs)
    proc = subprocess.run([driver] + args, input=payload, capture_output=True, check=False)
    if proc.returncode != 0:
        sys.exit("driver failed (%d): %s" % (proc.returncode, proc.stderr.decode(errors="replace")))
    buf, pos = proc.stdout, 0

    def take(n):
        nonlocal pos
        pos += n
        return buf[pos - n : pos]

    names = [take(struct.unpack("<I", take(4))[0]).decode() for _ in range(struct.unpack("<I", take(4))[0])]
    results = []
    for _ in inputs:
        out = take(struct.unpack("<I", take(4))[0])
        counts = dict(zip(names, struct.unpack("<%dQ" % len(names), take(8 * len(names)))))
        results.append((out, counts))
    if pos != len(buf):
        sys.exit("driver wrote %d bytes more than expected" % (len(buf) - pos))
    return names, results


FIELDS = ["invalid_utf8", "lone_surrogates", "bom_removed", "crlf_to_lf", "lone_cr_to_lf",
          "control_chars_removed", "normalized"]


def check(mode, driver, inputs, oracle):
    args = ["--json-line"] if mode == "json-line" else ["--normalize", mode]
    names, results = run_driver(driver, args, inputs)
    if names != FIELDS:
        sys.exit("driver counters %s, oracle knows %s" % (names, FIELDS))
    compared = skipped = failures = 0
    for data, (out, counts) in zip(inputs, results):
        want_out, want_counts, decoded = oracle(data)
        if not all(assigned_in_ucd(ch) for ch in decoded):
            skipped += 1
            continue
        compared += 1
        if (out, counts) != (want_out, want_counts):
            failures += 1
            if failures <= 5:
                diff = {k: (counts[k], want_counts[k]) for k in FIELDS if counts[k] != want_counts[k]}
                print("MISMATCH %s\n  in:     %r\n  driver: %r\n  oracle: %r\n  counts (driver, oracle): %s"
                      % (mode, data, out, want_out, diff))
    print("%-9s compared %d, skipped %d (unassigned in Unicode %s), failures %d"
          % (mode, compared, skipped, unicodedata.unidata_version, failures))
    return failures == 0 and compared >= 0.9 * len(inputs)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--driver", required=True)
    ap.add_argument("--cases", type=int, default=20000)
    ap.add_argument("--seed", type=int, default=1234)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    text_inputs = [gen_text_case(rng) for _ in range(a.cases)]
    json_inputs = [gen_json_case(rng) for _ in range(a.cases)]
    ok = True
    for mode, form in (("nfc", "NFC"), ("nfkc", "NFKC"), ("none", None)):
        ok &= check(mode, a.driver, text_inputs, lambda d, f=form: oracle_text(d, f))
    ok &= check("json-line", a.driver, json_inputs, oracle_json_line)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
