#!/usr/bin/env python3
"""tests/corpus/stats/stats_report_test.py — `rwkvkit stats` checked against an independent oracle.

Builds a small multi-source corpus (demo slices, a "code:python" source of weight 2, a synthetic
source with exact and near duplicates, boilerplate lines, a bad line and an empty text, and one
whose documents and license hold HTML, Markdown and YAML metacharacters) into several shards
with near-dedup and filters on, runs `rwkvkit stats` with 1 and 2 threads (reports byte-identical)
and recomputes from the shards with the numpy binidx reader, the official tokenizer (`rwkv`,
TRIE_TOKENIZER.decodeBytes) and Python's json: totals, per-source numbers and shares, length
histograms and percentiles, the example documents (the same in all three reports), top tokens,
repeated lines, declared-language rows; drops, repairs and duplicate rates against build.json;
report.html parses with balanced tags, inline SVG, no script or external src/href; report.md's
tables hold report.json's numbers. Standard library + numpy + the rwkv package.
"""

import collections
import html
import html.parser
import json
import os
import random
import re
import subprocess
import sys
import tempfile

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
import testlib  # noqa: E402

check = testlib.Checks()


WORDS = ("river stone garden window morning letter people market summer music paper forest evening "
         "question answer kitchen teacher village bridge station winter doctor friend mountain ocean "
         "yellow quiet gentle careful bright simple ancient modern little heavy open closed warm "
         "carries finds builds writes reads opens brings watches follows remembers visits paints "
         "the the the and and of of to to that with have be").split()


def synthetic_lines():
    rng = random.Random(5)
    boiler = "Copyright (C) The Example Project authors, all rights reserved."
    footer = "This page was generated from the example manual; see the index."
    docs = []
    for i in range(60):
        sentences = [" ".join(rng.choice(WORDS) for _ in range(14)).capitalize() + "." for _ in range(8)]
        docs.append(f"{boiler}\n" + "\n".join(sentences) + f"\n  {footer}  ")
    docs += [docs[3], docs[5], docs[5]]                    # exact duplicates
    docs.append(docs[10].replace(" ", "  ", 1) + " Also")  # a near duplicate of document 10
    docs.append("Ünïcödé test: 日本語のテキスト, Ελληνικά, русский текст.\tTabs\r\nand CRLF, more words here to read.")
    lines = [json.dumps({"text": d, "id": f"syn-{i}"}, ensure_ascii=False) + "\n" for i, d in enumerate(docs)]
    lines.insert(7, "{not json\n")
    lines.insert(9, json.dumps({"text": ""}) + "\n")
    return lines


NASTY_LINE = ('Markup test: <script>alert("x & y")</script> | a | b | ```` four backticks `code` '
              '*stars* _under_ [link](http://example.com) # hash \\ backslash and more words here.')


def nasty_lines():
    """Documents full of HTML, Markdown and JSON metacharacters that pass the quality filters."""
    rng = random.Random(11)
    docs = []
    for _ in range(2):
        sentences = [" ".join(rng.choice(WORDS) for _ in range(14)).capitalize() + "." for _ in range(8)]
        docs.append(NASTY_LINE + "\n" + "\n".join(sentences))
    return [json.dumps({"text": d}, ensure_ascii=False) + "\n" for d in docs]


NASTY_LICENSE = 'weird: "license" # not a comment'


def make_corpus(tmp, demo_dir):
    src_dir = os.path.join(tmp, "src")
    os.makedirs(src_dir)
    slices = {"gnome": ("gnome-user-docs.jsonl", 160), "handbook": ("debian-handbook.jsonl", 60),
              "cldr": ("unicode-cldr-core.jsonl", 40), "py": ("python-stdlib.jsonl", 50)}
    for name, (fname, n) in slices.items():
        with open(os.path.join(src_dir, name + ".jsonl"), "w", encoding="utf-8") as f:
            f.writelines(testlib.spread_lines(os.path.join(demo_dir, fname), n))
    with open(os.path.join(src_dir, "syn.jsonl"), "w", encoding="utf-8") as f:
        f.writelines(synthetic_lines())
    with open(os.path.join(src_dir, "nasty.jsonl"), "w", encoding="utf-8") as f:
        f.writelines(nasty_lines())
    def source(name, language=None, weight=1.0, license="test-license"):
        return {"name": name, "paths": [f"src/{name}.jsonl"], "format": "jsonl", "text_key": "text",
                "language": language, "license": license, "weight": weight}
    manifest = {"name": "statstest", "seed": 7,
                "sources": [source("gnome"), source("handbook"), source("cldr"),
                            source("py", "code:python", 2.0, "MIT"), source("syn"),
                            source("nasty", license=NASTY_LICENSE)],
                "output": {"dir": "out", "shard_tokens": 60000, "ctx_len": 512}}
    path = os.path.join(tmp, "manifest.json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump(manifest, f)
    return path


def undisplay(s):
    """Inverse of the report's DisplayText: \\\\ \\n \\t \\r \\xNN \\u{XXXX} back to bytes."""
    out, i = bytearray(), 0
    while i < len(s):
        if s[i] == "\\":
            c = s[i + 1]
            if c == "x":
                out.append(int(s[i + 2:i + 4], 16))
                i += 4
                continue
            if c == "u":
                end = s.index("}", i)
                out += chr(int(s[i + 3:end], 16)).encode("utf-8")
                i = end + 1
                continue
            out += {"\\": b"\\", "n": b"\n", "t": b"\t", "r": b"\r"}[c]
            i += 2
        else:
            out += s[i].encode("utf-8")
            i += 1
    return bytes(out)


def bucket(v):
    return v.bit_length()  # 0 -> 0; [2^(k-1), 2^k) -> k


def qbucket(v):
    """The report's percentile buckets (docs/stats_report.md): exact below 128, then 64 per octave."""
    if v < 128:
        return v
    e = v.bit_length() - 1
    return 128 + (e - 7) * 64 + ((v >> (e - 6)) - 64)


def qlow(b):
    if b < 128:
        return b
    e, step = 7 + (b - 128) // 64, (b - 128) % 64
    return (64 + step) << (e - 6)


def nearest_rank(values, p):
    v = sorted(values)
    return v[max(1, (len(v) * p + 99) // 100) - 1]


def oracle(out_dir, build, reader, ref, min_line_bytes):
    total = collections.Counter()
    per_source = [collections.Counter() for _ in build["sources"]]
    source_hists = [(collections.Counter(), collections.Counter()) for _ in build["sources"]]
    hist_chars, hist_tokens = collections.Counter(), collections.Counter()
    token_counts = collections.Counter()
    lines = collections.Counter()
    lengths = [([], []) for _ in build["sources"]]       # per source: chars, text tokens
    documents = [[] for _ in build["sources"]]           # per source, corpus order: (shard, index, text, text tokens)
    for shard in build["shards"]:
        srcs = [s for s, n in shard["source_runs"] for _ in range(n)]
        for k, seq in enumerate(reader.read_shard(os.path.join(out_dir, shard["name"]))):
            ids = [int(x) for x in seq]
            token_counts.update(ids)
            text_ids = ids[:-1] if ids and ids[-1] == 0 else ids
            data = ref.decodeBytes(text_ids)
            text = data.decode("utf-8")
            doc = collections.Counter(documents=1, tokens=len(ids), text_tokens=len(text_ids), bytes=len(data),
                                      chars=len(text))
            total.update(doc)
            per_source[srcs[k]].update(doc)
            lengths[srcs[k]][0].append(len(text))
            lengths[srcs[k]][1].append(len(text_ids))
            documents[srcs[k]].append((shard["name"], k, text, len(text_ids)))
            hist_chars[bucket(len(text))] += 1
            hist_tokens[bucket(len(text_ids))] += 1
            source_hists[srcs[k]][0][bucket(len(text))] += 1
            source_hists[srcs[k]][1][bucket(len(text_ids))] += 1
            for line in data.split(b"\n"):
                t = line.strip(b" \t\r")
                if len(t) >= min_line_bytes:
                    lines[t] += 1
    for i, (hc, ht) in enumerate(source_hists):
        per_source[i]["hist"] = (dict(hc), dict(ht))
        per_source[i]["lengths"] = lengths[i]
        per_source[i]["documents_in_order"] = documents[i]
    total["lengths"] = ([c for l in lengths for c in l[0]], [t for l in lengths for t in l[1]])
    return total, per_source, hist_chars, hist_tokens, token_counts, lines


def check_counts(rep, build, total, per_source, hist_chars, hist_tokens):
    for key in ("documents", "tokens", "text_tokens", "bytes", "chars"):
        check(rep["totals"][key] == total[key], f"totals.{key}: report {rep['totals'][key]}, oracle {total[key]}")
    check(rep["totals"]["tokens"] == build["output"]["tokens"], "totals.tokens != build.json output.tokens")
    check(rep["totals"]["documents"] == build["output"]["documents"], "totals.documents != build.json output.documents")
    check(abs(rep["totals"]["bytes_per_token"] - total["bytes"] / total["text_tokens"]) < 1e-5, "totals.bytes_per_token")
    for i, src in enumerate(rep["sources"]):
        check(src["name"] == build["sources"][i]["name"], f"sources[{i}] name")
        for key in ("documents", "tokens", "text_tokens", "bytes", "chars"):
            check(src[key] == per_source[i][key], f"sources[{i}].{key}: report {src[key]}, oracle {per_source[i][key]}")
        check(abs(src["share_of_tokens"] - per_source[i]["tokens"] / total["tokens"]) < 1e-6, f"sources[{i}] share")
        check(src["weight"] == build["sources"][i]["weight"], f"sources[{i}] weight")
        check_percentiles(src["length_percentiles"], per_source[i]["lengths"], f"sources[{i}]")
        got = tuple({b["low"].bit_length(): b["documents"] for b in src["length_histograms"][u] if b["documents"]}
                    for u in ("chars", "tokens"))
        check(got == per_source[i]["hist"], f"sources[{i}] length histograms: report {got}, oracle {per_source[i]['hist']}")
        c = build["sources"][i]["counts"]
        check(src["documents"] == c["documents_written"], f"sources[{i}] documents != documents_written")
        check(src["exact_duplicates"] == c["dropped"].get("duplicate", 0), f"sources[{i}] exact_duplicates")
        check(src["dropped"] == c["dropped"] and src["repairs"] == c["repairs"], f"sources[{i}] drops/repairs")
    check_percentiles(rep["totals"]["length_percentiles"], total["lengths"], "totals")
    for name, want in (("chars", hist_chars), ("tokens", hist_tokens)):
        h = rep["histograms"][name]
        got = {b["low"].bit_length(): b["documents"] for b in h["buckets"] if b["documents"]}
        check(got == dict(want), f"histogram {name}: report {got}, oracle {dict(want)}")
        for b in h["buckets"]:
            k = b["low"].bit_length()
            check(b["high"] == 1 << k, f"histogram {name} bucket [{b['low']}, {b['high']}) is not [2^(k-1), 2^k)")
        check(sum(b["documents"] for b in h["buckets"]) == total["documents"], f"histogram {name} sums to documents")


def check_percentiles(got, lengths, where):
    """Each reported percentile is the low end of the bucket of the exact nearest-rank value."""
    for unit, values in zip(("chars", "tokens"), lengths):
        for p in (10, 25, 50, 75, 90, 99):
            exact = nearest_rank(values, p) if values else 0
            have = got[unit][f"p{p}"]
            check(have == qlow(qbucket(exact)) and have <= exact and exact - have <= exact // 64,
                  f"{where} {unit} p{p}: report {have}, exact {exact}")


def check_examples(rep, per_source, out_dir):
    """Positions floor((2i+1)n/(2k)) of each source's documents in corpus order, cut to 500 code points."""
    texts = []
    for i, src in enumerate(rep["sources"]):
        docs = per_source[i]["documents_in_order"]
        k = min(3, len(docs))
        want = [docs[(2 * j + 1) * len(docs) // (2 * k)] for j in range(k)]
        got = src["examples"]
        check(len(got) == len(want), f"sources[{i}]: {len(got)} examples, want {len(want)}")
        for e, (shard, index, text, ntok) in zip(got, want):
            clipped = text[:500]
            check((e["shard"], e["document"], e["chars"], e["text_tokens"], e["truncated"]) ==
                  (shard, index, len(text), ntok, len(text) > 500), f"sources[{i}] example {shard}:{index}")
            check(undisplay(e["text"]) == clipped.encode("utf-8"), f"sources[{i}] example {shard}:{index} text")
            texts.append(e["text"] + ("…" if e["truncated"] else ""))
    check(any(NASTY_LINE in undisplay(e["text"]).decode("utf-8") for s in rep["sources"] for e in s["examples"]),
          "the markup test document is not among the examples")
    return texts


def check_tokens_lines_languages(rep, build, ref, total, token_counts, lines):
    top = rep["top_tokens"]["tokens"]
    check(rep["top_tokens"]["end_of_document_tokens"] == token_counts[0], "end_of_document_tokens")
    want = sorted(((-n, i) for i, n in token_counts.items() if i != 0))[:len(top)]
    check([(t["id"], t["count"]) for t in top] == [(i, -n) for n, i in want], "top tokens (id, count) differ from the oracle")
    for t in top:
        check(bytes.fromhex(t["hex"]) == ref.decodeBytes([t["id"]]) == undisplay(t["text"]),
              f"token {t['id']}: hex or text is not its bytes")
    rl = rep["repeated_lines"]
    check(rl["prunes"] == 0 and rl["count_undercount_bound"] == 0, "line table pruned on a small corpus")
    repeated = {t: n for t, n in lines.items() if n >= 2}
    check(rl["lines_counted"] == sum(lines.values()), f"lines_counted {rl['lines_counted']} != {sum(lines.values())}")
    for entry in rl["longest"] + rl["most_frequent"]:
        raw = undisplay(entry["text"])
        check(repeated.get(raw) == entry["count"] and len(raw) == entry["bytes"],
              f"repeated line {entry['text'][:40]!r}: report {entry['count']}, oracle {repeated.get(raw)}")
    want_longest = sorted(repeated.items(), key=lambda kv: (-len(kv[0]), -kv[1]))[:len(rl["longest"])]
    check([len(t) for t, _ in want_longest] == [e["bytes"] for e in rl["longest"]], "longest repeated line lengths")
    want_freq = sorted(repeated.items(), key=lambda kv: (-kv[1], -len(kv[0])))[:len(rl["most_frequent"])]
    check([n for _, n in want_freq] == [e["count"] for e in rl["most_frequent"]], "most frequent line counts")
    langs = {l["language"]: l for l in rep["languages"]}
    check(sum(l["documents"] for l in rep["languages"]) == total["documents"], "languages do not add up to the documents")
    for unit in ("chars", "tokens"):
        summed = collections.Counter()
        for l in rep["languages"]:
            for b in l["length_histograms"][unit]:
                summed[b["low"]] += b["documents"]
        want = {b["low"]: b["documents"] for b in rep["histograms"][unit]["buckets"] if b["documents"]}
        check({k: v for k, v in summed.items() if v} == want, f"language {unit} histograms do not add up to the total")
    check(sum(l["tokens"] for l in rep["languages"]) == total["tokens"], "language tokens do not add up")
    py = [i for i, s in enumerate(build["sources"]) if s["language"] == "code:python"][0]
    check("code:python" in langs and langs["code:python"]["documents"] == rep["sources"][py]["documents"]
          and langs["code:python"]["declared"], "code:python language row != the py source")
    cld2 = sum(l["cld2_documents"] for l in rep["languages"])
    check(cld2 == rep["language_id"]["cld2_documents"] == total["documents"] - rep["sources"][py]["documents"],
          "CLD2 ran on a number of documents other than the undeclared ones")
    check(sum(b["documents"] for b in rep["language_id"]["cld2_percent_histogram"]) == cld2, "CLD2 percent histogram")


def check_build_block(rep, build):
    b, t = rep["build"], build["total"]
    check(b["dropped"] == t["dropped"] and b["repairs"] == t["repairs"], "build drops/repairs != build.json total")
    check(b["exact_duplicates"] == t["dropped"].get("duplicate", 0) > 0, "exact duplicates missing")
    check(abs(b["exact_duplicate_rate"] - t["dropped"]["duplicate"] / t["documents_read"]) < 1e-6, "exact_duplicate_rate")
    check(b["near_duplicates"] == t["dropped"].get("near_duplicate", 0), "near duplicates")
    check(b["filter_drops"] == {k: v for k, v in t["dropped"].items() if k.startswith("filter_")}, "filter_drops")
    check(b["bad_input"] == {k: v["count"] for k, v in build["bad_input"].items()}, "bad_input counts")
    if "filters" in t:
        check(b["filter_drops_by_filter"] == t["filters"]["dropped"], "filter_drops_by_filter != build.json")
        flat = {f"filter_{r}": n for reasons in t["filters"]["dropped"].values() for r, n in reasons.items()}
        check(sum(flat.values()) == sum(b["filter_drops"].values()), "filter drops by filter do not add up")


class HtmlChecker(html.parser.HTMLParser):
    VOID = {"meta", "br", "img", "hr", "input", "link", "rect", "line", "path", "circle"}

    def __init__(self):
        super().__init__()
        self.stack, self.counts, self.errors = [], collections.Counter(), []

    def handle_starttag(self, tag, attrs):
        self.counts[tag] += 1
        for k, v in attrs:
            if k in ("src", "href") and v and re.match(r"\s*(https?:)?//", v):
                self.errors.append(f"external {k}={v}")
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.counts[tag] += 1

    def handle_endtag(self, tag):
        if tag in self.VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1] if self.stack else 'nothing'}")
        else:
            self.stack.pop()


def check_html(path, rep, example_texts):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    pres = [html.unescape(t) for t in re.findall(r'<pre class="doc">(.*?)</pre>', text, re.S)]
    check(pres == example_texts, "report.html example documents differ from report.json's")
    check("<script>alert" not in text and "&lt;script&gt;alert(&quot;x &amp; y&quot;)" in text,
          "report.html: the markup test document is not escaped")
    p = HtmlChecker()
    p.feed(text)
    p.close()
    check(not p.errors, f"report.html: {p.errors[:5]}")
    check(not p.stack, f"report.html: unclosed {p.stack[-5:]}")
    check(p.counts["svg"] >= 6, f"report.html: {p.counts['svg']} svg charts, want >= 6")
    check(p.counts["rect"] >= 20, "report.html: too few bars")
    check(p.counts["script"] == 0, "report.html has a script")
    check(not re.search(r"(src|href)\s*=\s*[\"']?\s*(https?:)?//|url\(\s*[\"']?\s*(https?:)?//|@import", text),
          "report.html loads something from the network")
    check(p.counts["table"] >= 6, "report.html: too few tables")
    for s in rep["sources"]:
        check(f"<td>{s['name']}</td>" in text, f"report.html lacks source {s['name']}")


def md_table(md, heading):
    part = md.split(f"## {heading}\n", 1)[1].split("\n## ", 1)[0]
    rows = [l for l in part.splitlines() if l.startswith("|")]
    return [[c.strip() for c in r.strip("|").split(" | ")] for r in rows[2:]]


def num(cell):
    return int(cell.replace(",", "").split(" ")[0])


def md_rows_after(md, header_start):
    """The body rows of the table whose header row starts with `header_start`."""
    lines = md.split("\n")
    start = next(i for i, l in enumerate(lines) if l.startswith(header_start))
    rows = []
    for l in lines[start + 2:]:
        if not l.startswith("|"):
            break
        rows.append([c.strip() for c in l.strip("|").split(" | ")])
    return rows


def check_markdown(path, rep, example_texts):
    with open(path, encoding="utf-8") as f:
        md = f.read()
    blocks = [m.group(2) for m in re.finditer(r"^(`{3,})text\n(.*?)\n\1$", md, re.M | re.S)]
    check([b + ("…" if e["truncated"] else "") for b, e in zip(blocks, [e for s in rep["sources"] for e in s["examples"]])]
          == example_texts and len(blocks) == len(example_texts), "report.md example blocks differ from report.json's")
    check(any(NASTY_LINE.replace("\\", "\\\\") in b for b in blocks), "report.md lacks the markup test document")
    for unit, header in (("tokens", "| text tokens per document |"), ("chars", "| characters per document |")):
        rows = md_rows_after(md, header)
        groups = [rep["totals"]] + rep["sources"]
        check([r[0].replace("\\", "") for r in rows] == ["all documents"] + [x["name"] for x in rep["sources"]],
              f"report.md {unit} percentile rows")
        for r, g in zip(rows, groups):
            want = [g["length_percentiles"][unit][f"p{p}"] for p in (10, 25, 50, 75, 90, 99)]
            check([num(c) for c in r[1:7]] == want, f"report.md {unit} percentiles of {r[0]}")
    summary = {r[0]: r[1] for r in md_table(md, "Summary")}
    for label, key in (("documents", "documents"), ("tokens (end-of-document tokens included)", "tokens"),
                       ("text tokens", "text_tokens"), ("bytes (UTF-8 text)", "bytes"), ("characters", "chars")):
        check(num(summary[label]) == rep["totals"][key], f"report.md summary {label}")
    check(float(summary["bytes per token"]) == round(rep["totals"]["bytes_per_token"], 3), "report.md bytes per token")
    rows = md_table(md, "Sources")
    check([r[0] for r in rows] == [s["name"].replace("_", "\\_") for s in rep["sources"]], "report.md source names")
    for r, s in zip(rows, rep["sources"]):
        check((num(r[4]), num(r[5]), num(r[7])) == (s["documents"], s["tokens"], s["bytes"]), f"report.md source {s['name']}")
        check(r[3] == f"{s['weight']:g}" and r[6] == f"{100 * s['tokens'] / rep['totals']['tokens']:.2f}%",
              f"report.md source {s['name']} weight / share")
    langs = md_table(md, "Languages")
    check(len(langs) == len(rep["languages"]), "report.md language rows")
    for r, l in zip(langs, rep["languages"]):
        check(r[0].replace("\\", "") == l["language"] and num(r[1]) == l["documents"] and num(r[2]) == l["tokens"],
              f"report.md language {l['language']}")
    tokens = md_table(md, "Most frequent tokens")
    for r, t in zip(tokens, rep["top_tokens"]["tokens"]):
        check(int(r[1]) == t["id"] and num(r[3]) == t["count"], f"report.md token {t['id']}")


def size_category(n):
    names = ["n<1K", "1K<n<10K", "10K<n<100K", "100K<n<1M", "1M<n<10M", "10M<n<100M", "100M<n<1B", "1B<n<10B",
             "10B<n<100B", "100B<n<1T"]
    for k, name in enumerate(names):
        if n < 1000 * 10 ** k:
            return name
    return "n>1T"


def check_front_matter(path, rep, build):
    """report.md opens with Hugging Face dataset-card metadata that real YAML parsers read back."""
    import yaml
    from huggingface_hub import DatasetCard
    with open(path, encoding="utf-8") as f:
        md = f.read()
    check(md.startswith("---\n"), "report.md does not open with front matter")
    meta = yaml.safe_load(md.split("---\n", 2)[1])
    card = DatasetCard(md).data.to_dict()
    check(card == meta, f"huggingface_hub reads other metadata than PyYAML: {card} vs {meta}")
    check(meta["pretty_name"] == build["corpus"], "pretty_name")
    check(meta["size_categories"] == [size_category(rep["totals"]["documents"])], f"size_categories {meta['size_categories']}")
    check(meta["task_categories"] == ["text-generation"] and meta["task_ids"] == ["language-modeling"], "task fields")
    check(meta["license"] == ["other", "mit"], f"license {meta['license']}")
    details = "; ".join(f"{s['name']}: {s['license']}" for s in build["sources"] if s["license"] != "MIT")
    check(meta["license_details"] == details, f"license_details {meta['license_details']!r}, want {details!r}")
    want_langs = []
    for l in rep["languages"]:
        code = "code" if l["language"].startswith("code:") else l["language"].split("-")[0]
        code = {"iw": "he", "jw": "jv", "in": "id", "ji": "yi"}.get(code, code)
        if l["tokens"] < 0.001 * rep["totals"]["tokens"] or code in want_langs:
            continue
        if code == "code" or (re.fullmatch(r"[a-z]{2,3}", code) and code not in ("un", "xx", "und")):
            want_langs.append(code)
    check(meta["language"] == want_langs and "en" in want_langs and "code" in want_langs,
          f"language {meta['language']}, want {want_langs}")
    check(meta["multilinguality"] == ["multilingual"], "multilinguality")


def check_progress(args, out, tmp):
    """Progress lines go to stderr (the last one says done); --no-progress silences them."""
    r = subprocess.run([args.rwkvkit, "stats", out, "--out", os.path.join(tmp, "progress"), "--vocab", args.vocab],
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=True)
    err = r.stderr.decode()
    check(re.search(r"^stats: [0-9.]+/[0-9.]+ MB \(100%\), \d+ docs, .*done$", err, re.M) is not None,
          f"no final progress line: {err!r}")
    r = subprocess.run([args.rwkvkit, "stats", out, "--out", os.path.join(tmp, "progress2"), "--vocab", args.vocab,
                        "--no-progress"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=True)
    check(r.stderr == b"", f"--no-progress printed {r.stderr.decode()!r}")


def check_language_modes(args, out, tmp, rep, build):
    """--language cld2 runs CLD2 on every document; --language manifest never does."""
    for mode in ("cld2", "manifest"):
        rdir = os.path.join(tmp, "lang_" + mode)
        subprocess.run([args.rwkvkit, "stats", out, "--out", rdir, "--language", mode, "--vocab", args.vocab, "--no-progress"],
                       check=True, stdout=subprocess.DEVNULL)
        with open(os.path.join(rdir, "report.json"), encoding="utf-8") as f:
            r = json.load(f)
        check(r["language_id"]["mode"] == mode, f"--language {mode}: mode")
        check({k: v for k, v in r["totals"].items() if k != "languages"} ==
              {k: v for k, v in rep["totals"].items() if k != "languages"}, f"--language {mode} changed the totals")
        check(sum(l["documents"] for l in r["languages"]) == rep["totals"]["documents"], f"--language {mode} rows")
        langs = {l["language"]: l for l in r["languages"]}
        if mode == "cld2":
            check(r["language_id"]["cld2_documents"] == rep["totals"]["documents"], "cld2 mode skipped documents")
            check(not any(l["declared"] for l in r["languages"]), "cld2 mode has declared languages")
        else:
            undeclared = sum(s["documents"] for s, b in zip(rep["sources"], build["sources"]) if b["language"] is None)
            check(r["language_id"]["cld2_documents"] == 0, "manifest mode ran CLD2")
            check(langs.get("(undeclared)", {}).get("documents", 0) == undeclared, "manifest mode (undeclared) row")


def check_bad_input(args, out, tmp, rep):
    """A truncated shard is skipped and named, the rest counted, exit 1; a bad build.json names the field;
    an --out that cannot be created fails before any shard is read."""
    import shutil
    bad = os.path.join(tmp, "bad")
    shutil.copytree(out, bad)
    with open(os.path.join(bad, "build.json"), encoding="utf-8") as f:
        build = json.load(f)
    victim = build["shards"][1]
    with open(os.path.join(bad, victim["name"] + ".bin"), "r+b") as f:
        f.truncate(os.path.getsize(f.name) - 2)
    rdir = os.path.join(tmp, "bad_report")
    r = subprocess.run([args.rwkvkit, "stats", bad, "--out", rdir, "--vocab", args.vocab, "--no-progress"],
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    check(r.returncode == 1, f"truncated shard: exit {r.returncode}, want 1")
    check(victim["name"] in r.stderr.decode(), "truncated shard not named on stderr")
    with open(os.path.join(rdir, "report.json"), encoding="utf-8") as f:
        bad_rep = json.load(f)
    check(len(bad_rep["shard_errors"]) == 1 and victim["name"] in bad_rep["shard_errors"][0], "shard_errors")
    check(bad_rep["totals"]["documents"] == rep["totals"]["documents"] - victim["documents"],
          "the other shards were not all counted")
    with open(os.path.join(rdir, "report.html"), encoding="utf-8") as f:
        check(victim["name"] in f.read(), "report.html does not name the bad shard")
    build["shards"][0]["source_runs"][0][1] += 1
    with open(os.path.join(bad, "build.json"), "w", encoding="utf-8") as f:
        json.dump(build, f)
    r = subprocess.run([args.rwkvkit, "stats", bad, "--out", rdir + "2", "--vocab", args.vocab, "--no-progress"],
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    err = r.stderr.decode()
    check(r.returncode == 1 and "build.json: shards[0].source_runs" in err, f"bad source_runs: exit {r.returncode}, {err!r}")
    r = subprocess.run([args.rwkvkit, "stats", os.path.join(tmp, "nowhere"), "--out", rdir + "3", "--vocab", args.vocab],
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    check(r.returncode == 1 and "build.json: cannot read" in r.stderr.decode(), "missing build.json")
    blocker = os.path.join(tmp, "a_file")
    with open(blocker, "w") as f:
        f.write("not a directory\n")
    r = subprocess.run([args.rwkvkit, "stats", out, "--out", os.path.join(blocker, "report"), "--vocab", args.vocab],
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    err = r.stderr.decode()
    check(r.returncode == 1 and "cannot create" in err and "shard" not in err,
          f"--out under a file must fail before any shard is read: exit {r.returncode}, {err!r}")


def main():
    ap = testlib.arg_parser(__doc__)
    ap.add_argument("--demo-dir", required=True)
    ap.add_argument("--numpy-reader", required=True)
    args = ap.parse_args()
    if testlib.missing_setup(args.vocab, args.demo_dir, args.numpy_reader):
        return 2
    reader = testlib.load_module(args.numpy_reader)
    from rwkv.rwkv_tokenizer import TRIE_TOKENIZER
    ref = TRIE_TOKENIZER(args.vocab)

    with tempfile.TemporaryDirectory(prefix="rwkvkit_stats_") as tmp:
        manifest = make_corpus(tmp, args.demo_dir)
        out = os.path.join(tmp, "out")
        subprocess.run([args.rwkvkit, "build", "--manifest", manifest, "--out", out, "--near-dedup", "on", "--filters",
                        "on", "--vocab", args.vocab, "--no-progress"], check=True, stdout=subprocess.DEVNULL)
        reports = []
        for threads in ("1", "2"):
            rdir = os.path.join(tmp, "report" + threads)
            subprocess.run([args.rwkvkit, "stats", out, "--out", rdir, "--threads", threads, "--vocab", args.vocab,
                            "--top-tokens", "40", "--no-progress"], check=True, stdout=subprocess.DEVNULL)
            reports.append({n: open(os.path.join(rdir, n), "rb").read() for n in ("report.json", "report.md", "report.html")})
        for n in reports[0]:
            check(reports[0][n] == reports[1][n], f"{n} differs between --threads 1 and 2")
        check(not any(f.endswith(".tmp") for f in os.listdir(rdir)), "temporary files left in the report directory")
        with open(os.path.join(out, "build.json"), encoding="utf-8") as f:
            build = json.load(f)
        rep = json.loads(reports[0]["report.json"])
        check(len(build["shards"]) >= 3, f"want several shards, got {len(build['shards'])}")
        total, per_source, hc, ht, token_counts, lines = oracle(out, build, reader, ref,
                                                                rep["repeated_lines"]["min_line_bytes"])
        check_counts(rep, build, total, per_source, hc, ht)
        example_texts = check_examples(rep, per_source, out)
        check_tokens_lines_languages(rep, build, ref, total, token_counts, lines)
        check_build_block(rep, build)
        check_html(os.path.join(rdir, "report.html"), rep, example_texts)
        check_markdown(os.path.join(rdir, "report.md"), rep, example_texts)
        check_front_matter(os.path.join(rdir, "report.md"), rep, build)
        check_progress(args, out, tmp)
        check_language_modes(args, out, tmp, rep, build)
        check_bad_input(args, out, tmp, rep)
        print(f"checked {total['documents']} documents, {total['tokens']} tokens in {len(build['shards'])} shards")
    return check.finish("stats report")


if __name__ == "__main__":
    sys.exit(main())
