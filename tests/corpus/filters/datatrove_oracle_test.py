#!/usr/bin/env python3
"""rwkvkit's quality filters against datatrove's own filter classes, document by document.

datatrove 0.10.1's GopherQualityFilter, GopherRepetitionFilter, FineWebQualityFilter and
C4QualityFilter (defaults; C4 also with filter_no_terminal_punct=False) run on every record of a
JSONL corpus plus generated edge cases. Only their word and sentence splitters (NLTK/spaCy
models, not installed here) are replaced by Python versions of the splitting rwkvkit documents
(docs/filters.md); the rules, thresholds, ratios, order and C4's line removal are datatrove's.
The C++ side is the filter_verdicts tool: per record, each filter's verdict on its own and C4's
edited text. Any difference fails.

Usage: datatrove_oracle_test.py --tool build/bin/filter_verdicts --corpus demo.jsonl [--limit N]
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import unicodedata

import datatrove.pipeline.filters.c4_filters as c4_mod
import datatrove.pipeline.filters.fineweb_quality_filter as fw_mod
import datatrove.pipeline.filters.gopher_quality_filter as gq_mod
import datatrove.pipeline.filters.gopher_repetition_filter as gr_mod
from datatrove.data import Document
from datatrove.utils.text import PUNCTUATION_SET


def char_kind(c):
    if c.isspace():
        return 0
    if c in PUNCTUATION_SET or (ord(c) >= 0x80 and unicodedata.category(c).startswith("P")):
        return 2
    return 1


def split_words(text, language=None):
    words, start, kind = [], 0, 0
    for i, c in enumerate(text):
        k = char_kind(c)
        if k == kind:
            continue
        if kind:
            words.append(text[start:i])
        kind, start = k, i
    if kind:
        words.append(text[start:])
    return words


TERM = ".!?"
CLOSE = "\"')]\u00bb\u201d\u2019"


def split_sentences(line, language=None):
    pieces, start, i, n = [], 0, 0, len(line)
    while i < n:
        if line[i] not in TERM:
            i += 1
            continue
        j = i
        while j < n and line[j] in TERM:
            j += 1
        while j < n and line[j] in CLOSE:
            j += 1
        k = j
        while k < n and line[k].isspace():
            k += 1
        if k > j and k < n:
            pieces.append(line[start:j])
            start = k
        i = j
    pieces.append(line[start:])
    return pieces


for mod in (gq_mod, gr_mod, fw_mod):
    mod.split_into_words = split_words
c4_mod.split_into_sentences = split_sentences

FILTERS = {
    "gopher_quality": gq_mod.GopherQualityFilter(),
    "gopher_repetition": gr_mod.GopherRepetitionFilter(),
    "fineweb_quality": fw_mod.FineWebQualityFilter(),
    "c4": c4_mod.C4QualityFilter(),
    "c4_no_punct": c4_mod.C4QualityFilter(filter_no_terminal_punct=False),
}


def verdict(f, text):
    doc = Document(text=text, id="x")
    r = f.filter(doc)
    if r is True:
        return "keep", doc.text
    if isinstance(r, tuple):
        return r[1], None
    return "drop", None


def edge_cases():
    """Texts aimed at the places an optimized implementation can go wrong."""
    base = " ".join(f"word{i} the and of" for i in range(20)) + ".\n"
    cases = [
        base,
        "the the the the " * 20,  # one distinct stop word, many times
        "ab c d e f g " * 3 + "a bc d e f g " * 3 + base,  # n-grams equal once joined without spaces
        # Only the joined-without-spaces equality of find_all_duplicate makes these two 5-grams
        # a repeat (10 of 45 chars > 0.15); as word tuples they differ, and no top n-gram trips.
        "q r s t u v w k ab cd ef gh ij a bc de fg hij",
        # The reverse for find_top_duplicate: "abcdefgh ij" and "abcdefghi j" are different
        # 2-grams there (joined with a space); one 2-gram counted twice would be 22 of 45 > 0.2.
        "q r s t u v w k abcdefgh ij x y abcdefghi j z",
        "x y. " * 40,
        ("Alpha beta gamma delta. Epsilon zeta eta theta! Iota kappa lambda? Mu nu xi. Omicron pi rho.\n" * 2),
        "We use cookies on this site. Read the Terms of Use now. Fine text is here today.\n" * 3,
        "Real line one goes here. [1] Real line two goes here [edit].\nLine [12] three [citation needed] ends here.\n" * 3,
        "Some JavaScript text is here. Next sentence is here! And another one? Yes. Fine. Ok then.\n",
        "Lorem ipsum dolor sit amet. Two. Three. Four. Five. Six.\n",
        "Curly { bracket } in this one. Two. Three. Four. Five.\n",
        "\u212aelvin cookies are here. Uses \u212aookies yes.\nUse coo\u212aies now please. A. B. C. D. E.\n",
        "Ellipsis line ends here...\nQuote line ends \"here.\"\nA line 'ends here.' Yes. One. Two. Three.\n",
        "   \n\n  indented line here.  \n\u2028sep line here too.\r\nwindows line here now.\r" * 3,
        "a" * 1001 + " word word word.\n" + "Fine line here. One. Two. Three. Four. Five.\n",
        "\u0939\u093f\u0902\u0926\u0940 \u092a\u093e\u0920 \u0964 " * 60,  # Devanagari danda: a terminal, a symbol word
        # 3-letter words and dandas: the mean word length is 3.0 only if the danda is a symbol word.
        "\u092a\u093e\u0920 \u0915\u0925\u093e \u0932\u094b\u0917 \u0928\u092f\u093e \u0964 " * 15,
        "- item one here\n- item two here\n\u2022 item three\n" * 20,
        "dup line here\n" * 10 + base,
        "para one\n\npara one\n\npara two\n\n" * 5,
        "\n".join(f"line {i} ends." for i in range(40)),
    ]
    return cases


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tool", required=True)
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--limit", type=int, default=0)
    args = ap.parse_args()

    texts = []
    with open(args.corpus, encoding="utf-8") as f:
        for line in f:
            texts.append(json.loads(line)["text"])
            if args.limit and len(texts) >= args.limit:
                break
    texts += edge_cases()
    with tempfile.TemporaryDirectory() as tmp:
        inp = os.path.join(tmp, "in.jsonl")
        with open(inp, "w", encoding="utf-8") as f:
            for t in texts:
                f.write(json.dumps({"text": t}, ensure_ascii=False) + "\n")
        out = subprocess.run([args.tool, inp], check=True, capture_output=True).stdout.decode("utf-8")
    got = [json.loads(l) for l in out.splitlines()]
    if len(got) != len(texts):
        print(f"FAIL: {len(got)} results for {len(texts)} texts")
        return 1
    mismatches = 0
    tally = {name: {} for name in FILTERS}
    for i, (t, g) in enumerate(zip(texts, got)):
        for name, f in FILTERS.items():
            want, want_text = verdict(f, t)
            tally[name][want] = tally[name].get(want, 0) + 1
            have = g[name]
            bad = have != want
            if not bad and name.startswith("c4") and want == "keep" and g[name + "_text"] != want_text:
                bad = True
                want, have = "text " + repr(want_text[:200]), "text " + repr(g[name + "_text"][:200])
            if bad:
                mismatches += 1
                if mismatches <= 20:
                    print(f"MISMATCH record {i} {name}: datatrove {want} rwkvkit {have}; text {t[:120]!r}")
    for name in FILTERS:
        print(f"{name}: " + ", ".join(f"{k} {v}" for k, v in sorted(tally[name].items(), key=lambda kv: -kv[1])))
    print(f"{len(texts)} texts x {len(FILTERS)} filters, {mismatches} mismatches")
    return 1 if mismatches else 0


if __name__ == "__main__":
    sys.exit(main())
