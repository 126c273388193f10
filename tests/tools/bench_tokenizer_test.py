#!/usr/bin/env python3
"""tests/tools/bench_tokenizer_test.py — `rwkvkit bench tokenizer` against an independent Python oracle.

The oracle counts per `lang` with Python's json: documents, UTF-8 bytes, code points, words
(str.split() pieces holding an L*/N* character) and tokens under the official `rwkv`
TRIE_TOKENIZER, for the World vocab and a second vocab derived from it. Requires: (a) --json
counts and ratios equal the oracle's (tokens/word null for zh/ja/th), totals are sums, bad
lines counted and named `file:line`; (b) the stdout table shows the same numbers; (c) the same
JSON for --threads 1 and 2, a .zst copy and a directory, and `--vocab A --vocab B` as
`--compare NAME=B`; (d) languages without `lang` (and --detect-lang) come from CLD2; (e)
--manifest groups a source's documents, a `text` source is one document; (f) the speed run
writes positive finite MB/s; (g) a missing input and a bad --compare fail with a message, a
truncated .zst is named, counted and the run goes on; (h) progress only on stderr, and
--no-progress changes nothing else. No timing is asserted; exit 1 on failure, 2 without set-up.
Usage: bench_tokenizer_test.py --rwkvkit build/bin/rwkvkit --vocab VOCAB
"""

import json
import math
import os
import random
import struct
import sys
import tempfile
import unicodedata

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import testlib  # noqa: E402

NO_SPACE = {"zh", "ja", "th", "lo", "km", "my", "bo"}

# Own sentences, a few per language; documents are random mixes of them.
SNIPPETS = {
    "en": ["The quick brown fox jumps over the lazy dog.", "Open the Settings panel and click Keyboard.",
           "It costs 12.50 dollars — or 3 for 30!", "Rain is expected tomorrow, so take an umbrella."],
    "de": ["Größenwahn, Äpfel und Öl sind drei Wörter.", "Öffnen Sie die Einstellungen und wählen Sie Tastatur.",
           "Morgen regnet es wahrscheinlich den ganzen Tag."],
    "ru": ["Привет, как дела? Всё хорошо.", "Откройте настройки и выберите клавиатуру.", "Завтра будет дождь — 15 мм."],
    "el": ["Γειά σου Κόσμε, τι κάνεις;", "Ανοίξτε τις ρυθμίσεις του συστήματος."],
    "ar": ["مرحبا بالعالم، كيف حالك اليوم؟", "افتح الإعدادات واختر لوحة المفاتيح."],
    "hi": ["नमस्ते दुनिया, आप कैसे हैं?", "सेटिंग्स खोलें और कीबोर्ड चुनें।"],
    "ko": ["안녕하세요, 오늘 날씨가 좋네요.", "설정을 열고 키보드를 선택하세요."],
    "vi": ["Xin chào thế giới, bạn khỏe không?", "Mở phần cài đặt và chọn bàn phím."],
    "zh-Hans": ["今天是美好的一天，我们去公园散步吧。", "打开设置并选择键盘。", "明天会下雨，记得带伞。"],
    "ja": ["東京の天気は晴れです。明日も晴れるでしょう。", "設定を開いてキーボードを選択します。"],
    "th": ["สวัสดีชาวโลก วันนี้อากาศดีมาก", "เปิดการตั้งค่าแล้วเลือกแป้นพิมพ์"],
    "code:python": ["def f(x):\n\tif x > 0:\n\t\treturn x * 2\n    return -x  # done", "import os\nprint(os.getcwd())"],
}
EXTRAS = [" ", "\n", "\n\n", "  ", " — ", " 😀🧑\u200d🚀 ", " 2026 ", "\u00a0", "\u3000", " ... ", "\t"]

# Bad lines, each with the reason both sides must agree on.
BAD_LINES = [
    b"not json at all",
    b'{"text": 5, "lang": "en"}',
    b'{"lang": "en"}',
    b"[1, 2, 3]",
    b"",
    b'{"text": "lone \\ud800 surrogate", "lang": "en"}',
    b'{"text": "bad \xff byte", "lang": "en"}',
    b'{"text": "a", "lang": "en"} trailing',
]

ENGLISH_LONG = ("The committee met on Tuesday to discuss the budget for the coming year. After a long debate, "
                "the members agreed to spend more money on schools and public libraries, and less on roads. ")
GERMAN_LONG = ("Der Ausschuss traf sich am Dienstag, um den Haushalt für das kommende Jahr zu besprechen. Nach "
               "einer langen Debatte einigten sich die Mitglieder darauf, mehr Geld für Schulen auszugeben. ")

check = testlib.Checks()


def make_corpus(rng, n_docs):
    """Lines (bytes) of a multilingual JSONL with bad lines spliced in; BOM on line 1."""
    lines = []
    langs = sorted(SNIPPETS)
    for i in range(n_docs):
        lang = langs[i % len(langs)] if i < len(langs) else rng.choice(langs)
        parts = []
        for _ in range(rng.randint(0, 8)):
            parts.append(rng.choice(SNIPPETS[lang]))
            parts.append(rng.choice(EXTRAS))
        rec = {"id": i, "text": "".join(parts), "lang": lang}
        if rng.random() < 0.2:
            rec = {"lang": lang, "meta": {"n": [1, 2]}, "text": rec["text"]}
        lines.append(json.dumps(rec, ensure_ascii=rng.random() < 0.5).encode())
    for k, bad in enumerate(BAD_LINES):
        lines.insert(7 + 13 * k, bad)
    lines[0] = b"\xef\xbb\xbf" + lines[0]
    return lines


def words_of(text):
    return sum(1 for w in text.split() if any(unicodedata.category(c)[0] in "LN" for c in w))


def oracle(lines, tokenizers):
    """Per-language counts and the 1-based numbers of the bad lines."""
    langs, bad = {}, []
    for no, raw in enumerate(lines, 1):
        if no == 1 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        try:
            obj = json.loads(raw)
            text = obj["text"] if isinstance(obj, dict) else None
            if not isinstance(text, str):
                raise ValueError("no string text")
            data = text.encode("utf-8")
        except (ValueError, UnicodeError, KeyError):
            bad.append(no)
            continue
        c = langs.setdefault(obj["lang"], {"documents": 0, "bytes": 0, "characters": 0, "words": 0,
                                           "tokens": [0] * len(tokenizers)})
        c["documents"] += 1
        c["bytes"] += len(data)
        c["characters"] += len(text)
        c["words"] += words_of(text)
        for v, tok in enumerate(tokenizers):
            c["tokens"][v] += len(tok.encodeBytes(data))
    return langs, bad


def subset_vocab(world_path, out_path):
    """Every line of the World vocab except every third token longer than one byte."""
    with open(world_path, encoding="utf-8") as f, open(out_path, "w", encoding="utf-8") as out:
        for line in f:
            idx = int(line[:line.index(" ")])
            length = int(line[line.rindex(" "):])
            if length == 1 or idx % 3 != 0:
                out.write(line)


def zstd_raw_frames(data):
    """A valid Zstandard stream of raw (stored) blocks, two frames: no compressor needed."""
    def frame(chunk):
        out = bytearray(struct.pack("<I", 0xFD2FB528)) + bytes([0x00, 0x58])  # FHD, window 2 MiB
        blocks = [chunk[i:i + 65536] for i in range(0, len(chunk), 65536)] or [b""]
        for k, b in enumerate(blocks):
            header = (len(b) << 3) | (1 if k == len(blocks) - 1 else 0)  # block type 0 = raw
            out += header.to_bytes(3, "little") + b
        return bytes(out)
    half = data.rfind(b"\n", 0, len(data) // 2) + 1
    return frame(data[:half]) + frame(data[half:])


def run(args, *cli):
    p = testlib.run([args.rwkvkit, "bench", "tokenizer", *cli], text=True, timeout=600)
    return p


def bench_json(args, tmp, name, *cli):
    out = os.path.join(tmp, name + ".json")
    p = run(args, *cli, "--json", out)
    if p.returncode != 0:
        check(False, f"{name}: exit {p.returncode}: {p.stderr.strip()}")
        return None, p
    check(not os.path.exists(out + ".tmp"), f"{name}: temporary JSON left behind")
    with open(out, encoding="utf-8") as f:
        return json.load(f), p


def check_progress(args, tmp, p, base, corpus, got):
    """(h) Progress goes to stderr only: stderr (not a TTY) ends the counting with a
    `bench tokenizer: ... done` line; --no-progress drops it and changes neither stdout nor the JSON."""
    done = [l for l in p.stderr.splitlines() if l.startswith("bench tokenizer: ") and l.endswith(", done")]
    size_mb = f"{os.path.getsize(corpus) / 1e6:.1f}/{os.path.getsize(corpus) / 1e6:.1f} MB (100%)"
    check(len(done) == 1 and size_mb in done[0] and f" {got['total']['documents']} docs" in done[0],
          f"progress: no final line naming {size_mb} in {p.stderr!r}")
    check("bench tokenizer" not in p.stdout, "progress: a progress line on stdout")
    quiet, pq = bench_json(args, tmp, "no_progress", *base, "--threads", "2", "--no-progress")
    check(quiet == got, "progress: --no-progress changed the JSON")
    check(pq.stdout == p.stdout, "progress: --no-progress changed stdout")
    check("bench tokenizer: " not in pq.stderr, f"progress: --no-progress still printed {pq.stderr!r}")


def ratio(a, b):
    return a / b if b else None


def close(x, y):
    return (x is None and y is None) or (x is not None and y is not None and abs(x - y) <= 1e-6 * max(1.0, abs(y)))


def check_against_oracle(name, got, want, vocab_names):
    check(sorted(got["languages"]) == sorted(want), f"{name}: languages {sorted(got['languages'])} != {sorted(want)}")
    for lang, w in want.items():
        g = got["languages"].get(lang)
        if g is None:
            continue
        has_words = lang.split("-")[0] not in NO_SPACE
        for key in ("documents", "bytes", "characters"):
            check(g[key] == w[key], f"{name}: {lang} {key} {g[key]} != oracle {w[key]}")
        check(g["words"] == (w["words"] if has_words else None), f"{name}: {lang} words {g['words']} != {w['words']}")
        check(g["detected_documents"] == 0, f"{name}: {lang} detected_documents {g['detected_documents']} != 0")
        for v, vn in enumerate(vocab_names):
            gv, t = g["vocabs"][vn], w["tokens"][v]
            check(gv["tokens"] == t, f"{name}: {lang}/{vn} tokens {gv['tokens']} != oracle {t}")
            check(close(gv["bytes_per_token"], ratio(w["bytes"], t)), f"{name}: {lang}/{vn} bytes_per_token")
            check(close(gv["characters_per_token"], ratio(w["characters"], t)), f"{name}: {lang}/{vn} chars_per_token")
            want_tpw = ratio(t, w["words"]) if has_words else None
            check(close(gv["tokens_per_word"], want_tpw),
                  f"{name}: {lang}/{vn} tokens_per_word {gv['tokens_per_word']} != {want_tpw}")
    total = got["total"]
    for key in ("documents", "bytes", "characters"):
        check(total[key] == sum(w[key] for w in want.values()), f"{name}: total {key}")
    spaced = [w for lang, w in want.items() if lang.split("-")[0] not in NO_SPACE]
    check(total["words"] == sum(w["words"] for w in spaced), f"{name}: total words")
    for v, vn in enumerate(vocab_names):
        check(total["vocabs"][vn]["tokens"] == sum(w["tokens"][v] for w in want.values()), f"{name}: total tokens {vn}")
        check(close(total["vocabs"][vn]["tokens_per_word"],
                    ratio(sum(w["tokens"][v] for w in spaced), sum(w["words"] for w in spaced))),
              f"{name}: total tokens_per_word {vn}")


def fmt(x, digits):
    return "n/a" if x is None else f"{x:.{digits}f}"


def check_table(name, stdout, got, vocab_names, speed):
    """Every row of the table, parsed back, against the JSON (same formatting as the CLI)."""
    lines = stdout.splitlines()
    header = lines[0].split()
    check(header[:5] == ["lang", "docs", "bytes", "chars", "words"], f"{name}: table header {header}")
    rows = iter(lines[1:])
    for lang, g in list(got["languages"].items()) + [("TOTAL", got["total"])]:
        for v, vn in enumerate(vocab_names):
            cells = next(rows, "").split()
            if v == 0:
                want_lang = [lang, str(g["documents"]), str(g["bytes"]), str(g["characters"]),
                             "n/a" if g["words"] is None else str(g["words"])]
                check(cells[:5] == want_lang, f"{name}: table row {cells[:5]} != {want_lang}")
                cells = cells[5:]
            gv = g["vocabs"][vn]
            if lang == "TOTAL":  # over the languages with words only: the JSON's own number
                tpw = gv["tokens_per_word"]
            else:
                tpw = None if g["words"] is None else ratio(gv["tokens"], g["words"])
            want = [vn, str(gv["tokens"]), fmt(ratio(g["bytes"], gv["tokens"]), 3),
                    fmt(ratio(g["characters"], gv["tokens"]), 3), fmt(tpw, 3)]
            check(cells[:5] == want, f"{name}: {lang}/{vn} table {cells[:5]} != {want}")
            if speed:
                check(len(cells) == 7 and cells[5:] == [fmt(gv["encode_mb_per_s_1_thread"], 1),
                                                        fmt(gv["encode_mb_per_s_all_threads"], 1)],
                      f"{name}: {lang}/{vn} speed cells {cells[5:]}")
            else:
                check(len(cells) == 5, f"{name}: {lang}/{vn} unexpected speed cells {cells[5:]}")


def main():
    ap = testlib.arg_parser(__doc__)
    args = ap.parse_args()
    try:
        from rwkv.rwkv_tokenizer import TRIE_TOKENIZER
    except ImportError as e:
        print(f"the official rwkv package is missing ({e}); run tools/setup.sh", file=sys.stderr)
        return 2
    if not os.path.exists(args.vocab):
        print(f"{args.vocab} is missing; run tools/setup.sh", file=sys.stderr)
        return 2
    rng = random.Random(7)
    with tempfile.TemporaryDirectory() as tmp:
        subset = os.path.join(tmp, "world_subset.txt")
        subset_vocab(args.vocab, subset)
        toks = [TRIE_TOKENIZER(args.vocab), TRIE_TOKENIZER(subset)]
        lines = make_corpus(rng, 260)
        corpus = os.path.join(tmp, "multi.jsonl")
        with open(corpus, "wb") as f:
            f.write(b"\n".join(lines) + b"\n")
        want, bad = oracle(lines, toks)
        check(len(bad) == len(BAD_LINES), f"oracle found {len(bad)} bad lines, the corpus has {len(BAD_LINES)}")
        names = ["world", "subset"]
        base = ["--input", corpus, "--vocab", args.vocab, "--compare", "subset=" + subset, "--no-speed"]

        # (a) + (b)
        got, p = bench_json(args, tmp, "main", *base, "--threads", "2")
        if got:
            vocab_names = [v["name"] for v in got["vocabs"]]
            check(vocab_names == [os.path.splitext(os.path.basename(args.vocab))[0], "subset"],
                  f"vocab names {vocab_names}")
            names[0] = vocab_names[0]
            check_against_oracle("main", got, want, names)
            check(got["bad_lines"] == len(bad), f"bad_lines {got['bad_lines']} != {len(bad)}")
            for no in bad:
                check(f"{corpus}:{no}:" in p.stderr, f"stderr does not name {corpus}:{no}")
            check_table("main", p.stdout, got, names, speed=False)
            check_progress(args, tmp, p, base, corpus, got)

        # (c) thread count, zstd input, --vocab twice
        got1, _ = bench_json(args, tmp, "threads1", *base, "--threads", "1")
        if got and got1:
            check({**got1, "threads": 0} == {**got, "threads": 0}, "--threads 1 and --threads 2 disagree")
        zst = os.path.join(tmp, "multi.jsonl.zst")
        with open(corpus, "rb") as f, open(zst, "wb") as out:
            out.write(zstd_raw_frames(f.read()))
        gotz, pz = bench_json(args, tmp, "zst", "--input", zst, "--vocab", args.vocab, "--compare",
                              "subset=" + subset, "--no-speed")
        if got and gotz:
            check(gotz["languages"] == got["languages"], ".zst input gives other numbers")
            check(gotz["bad_lines"] == len(bad), ".zst bad lines")
            check(f"{zst}:{bad[0]}:" in pz.stderr, ".zst bad line not named")
        cut = os.path.join(tmp, "cut.jsonl.zst")
        with open(zst, "rb") as f, open(cut, "wb") as out:
            data = f.read()
            out.write(data[:len(data) * 3 // 4])  # ends inside the second frame
        gotc, pc = bench_json(args, tmp, "cut", "--input", cut, "--input", corpus, "--vocab", args.vocab, "--no-speed")
        if got and gotc:
            docs = gotc["total"]["documents"] - got["total"]["documents"]
            check(gotc["bad_files"] == 1 and 0 < docs < got["total"]["documents"] and cut in pc.stderr,
                  f"truncated .zst: bad_files {gotc['bad_files']}, {docs} documents read from it")
        sub = os.path.join(tmp, "dir")
        os.makedirs(sub)
        os.link(corpus, os.path.join(sub, "part.jsonl"))
        gotdir, _ = bench_json(args, tmp, "dir", "--input", sub, "--vocab", args.vocab, "--compare",
                               "subset=" + subset, "--no-speed")
        if got and gotdir:
            check(gotdir["languages"] == got["languages"] and gotdir["inputs"] == [os.path.join(sub, "part.jsonl")],
                  "a directory --input gives other numbers or files")
        got2, _ = bench_json(args, tmp, "twovocab", "--input", corpus, "--vocab", args.vocab, "--vocab", subset,
                             "--no-speed")
        if got and got2:
            check([v["name"] for v in got2["vocabs"]] == [names[0], "world_subset"], "--vocab twice: names")
            for lang, g in got2["languages"].items():
                check(g["vocabs"]["world_subset"] == got["languages"][lang]["vocabs"]["subset"],
                      f"--vocab twice: {lang} differs from --compare")

        # (d) CLD2
        nolang = os.path.join(tmp, "nolang.jsonl")
        with open(nolang, "w", encoding="utf-8") as f:
            for k in range(3):
                f.write(json.dumps({"text": ENGLISH_LONG * (k + 2)}) + "\n")
                f.write(json.dumps({"text": GERMAN_LONG * (k + 2), "lang": None}) + "\n")
        gotd, _ = bench_json(args, tmp, "cld2", "--input", nolang, "--vocab", args.vocab, "--no-speed")
        if gotd:
            check(sorted(gotd["languages"]) == ["de", "en"], f"CLD2 groups {sorted(gotd['languages'])}")
            for lang in gotd["languages"].values():
                check(lang["documents"] == 3 and lang["detected_documents"] == 3, f"CLD2 counts {lang}")
        gotf, _ = bench_json(args, tmp, "forced", "--input", corpus, "--vocab", args.vocab, "--detect-lang",
                             "--no-speed")
        if gotf and got:
            check(gotf["total"]["documents"] == got["total"]["documents"]
                  and gotf["total"]["detected_documents"] == got["total"]["documents"], "--detect-lang totals")
            check(gotf["total"]["vocabs"][names[0]]["tokens"] == got["total"]["vocabs"][names[0]]["tokens"],
                  "--detect-lang total tokens")
            check(gotf["language_key"] is None, "--detect-lang: language_key not null")

        # (e) manifest
        whole = os.path.join(tmp, "whole.txt")
        with open(whole, "w", encoding="utf-8") as f:
            f.write(GERMAN_LONG * 4)
        manifest = os.path.join(tmp, "m.json")
        with open(manifest, "w", encoding="utf-8") as f:
            json.dump({"name": "t", "sources": [
                {"name": "a", "paths": ["multi.jsonl"], "format": "jsonl", "language": "xx-test", "license": "MIT"},
                {"name": "b", "paths": ["whole.txt"], "format": "text", "language": None, "license": "MIT"}],
                "output": {"dir": "out", "shard_tokens": 1000, "ctx_len": 16}}, f)
        gotm, _ = bench_json(args, tmp, "manifest", "--manifest", manifest, "--vocab", args.vocab, "--no-speed")
        if gotm:
            check(sorted(gotm["languages"]) == ["de", "xx-test"], f"manifest groups {sorted(gotm['languages'])}")
            xx = gotm["languages"].get("xx-test", {})
            check(xx.get("documents") == sum(w["documents"] for w in want.values())
                  and xx.get("vocabs", {}).get(names[0], {}).get("tokens") == sum(w["tokens"][0] for w in want.values()),
                  "manifest: the jsonl source's documents and tokens")
            de = gotm["languages"].get("de", {})
            check(de.get("documents") == 1 and de.get("bytes") == len((GERMAN_LONG * 4).encode())
                  and de.get("vocabs", {}).get(names[0], {}).get("tokens") == len(toks[0].encode(GERMAN_LONG * 4)),
                  f"manifest: the text source {de}")

        # (f) speed fields (values are not asserted)
        small = os.path.join(tmp, "small.jsonl")
        with open(small, "wb") as f:
            f.write(b"\n".join(lines[1:60]) + b"\n")
        gots, ps = bench_json(args, tmp, "speed", "--input", small, "--vocab", args.vocab, "--compare",
                              "subset=" + subset, "--repeats", "1", "--threads", "2")
        if gots:
            for lang, g in list(gots["languages"].items()) + [("TOTAL", gots["total"])]:
                for vn, gv in g["vocabs"].items():
                    for key in ("encode_mb_per_s_1_thread", "encode_mb_per_s_all_threads"):
                        x = gv[key]
                        ok = (x is None and g["bytes"] == 0) or (x is not None and math.isfinite(x) and x > 0)
                        check(ok, f"speed: {lang}/{vn} {key} = {x}")
            check("MB/s 2t" in ps.stdout.splitlines()[0], "speed: table header lacks MB/s 2t")
            check_table("speed", ps.stdout, gots, names, speed=True)

        # (g) errors
        p = run(args, "--input", os.path.join(tmp, "missing.jsonl"), "--vocab", args.vocab, "--no-speed")
        check(p.returncode != 0 and "missing.jsonl" in p.stderr, f"missing input: exit {p.returncode}, {p.stderr!r}")
        p = run(args, "--input", corpus, "--vocab", args.vocab, "--compare", "nonamehere", "--no-speed")
        check(p.returncode == 2 and "NAME=PATH" in p.stderr, f"bad --compare: exit {p.returncode}, {p.stderr!r}")
    return check.finish("bench tokenizer")


if __name__ == "__main__":
    sys.exit(main())
