#!/usr/bin/env python3
"""make_demo_corpus.py — turn extracted Debian packages into the rwkvkit demo corpus (JSONL).

Reads the files that build_demo_corpus.sh unpacked from the .debs (`--members PACKAGE` prints
their tar patterns) and writes, under --out, <source>.jsonl per manifest source, demo.jsonl
(all of them in SOURCES order) and demo_stats.json (documents and bytes per lang and source,
package versions). Each line is {"id", "text", "lang", "source"}, `source` being
`debian:<package>=<version>:<path inside the package>` (docs/demo_corpus.md).

Deterministic: sorted file lists, subsets chosen by sha256 of a path, nothing depends on time
or locale. Text is kept as found (no normalization); prose paragraphs have their markup
indentation collapsed, code is verbatim. Not done here: downloading and unpacking
(build_demo_corpus.sh), language id (from the package's directory names), dedup. Standard
library only; single-threaded.
"""

import argparse
import hashlib
import json
import os
import re
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

# Bump when the output for the same packages changes; build_demo_corpus.sh also hashes this file.
CONVERTER_VERSION = "1"

# Manifest sources, in the order they are concatenated into demo.jsonl.
SOURCES = ["gnome-user-docs", "debian-handbook", "unicode-cldr-core",
           "python-stdlib", "nlohmann-json", "node-semver"]
# Each source comes from one package: source name -> package name.
PACKAGE_OF = {"gnome-user-docs": "gnome-user-docs", "debian-handbook": "debian-handbook",
              "unicode-cldr-core": "unicode-cldr-core", "python-stdlib": "libpython3.11-stdlib",
              "nlohmann-json": "nlohmann-json3-dev", "node-semver": "node-semver"}

# Directory name -> BCP 47 tag: the languages we take. The packages ship more translations; the
# ones left out are mostly untranslated (GNOME tr, he, hi; handbook el, ko, ro, hr) or would
# push the corpus past ~20 MB with more of the same scripts (ca, nl, sv, sr, ...).
GNOME_LANGS = {"C": "en", "cs": "cs", "de": "de", "el": "el", "es": "es", "fr": "fr",
               "gu": "gu", "hu": "hu", "id": "id", "ja": "ja", "ko": "ko", "mr": "mr",
               "pl": "pl", "pt_BR": "pt-BR", "ru": "ru", "ta": "ta", "uk": "uk", "vi": "vi",
               "zh_CN": "zh-Hans"}
HANDBOOK_LANGS = {"en-US": "en", "ar-MA": "ar", "de-DE": "de", "es-ES": "es", "fa-IR": "fa",
                  "fr-FR": "fr", "id-ID": "id", "it-IT": "it", "ja-JP": "ja", "pt-BR": "pt-BR",
                  "ru-RU": "ru", "tr-TR": "tr", "vi-VN": "vi", "zh-CN": "zh-Hans",
                  "zh-TW": "zh-Hant"}
# CLDR's "pt" is Brazilian Portuguese and "zh" is Simplified Chinese.
CLDR_LANGS = {"en": "en", "ar": "ar", "bn": "bn", "de": "de", "el": "el", "es": "es",
              "fa": "fa", "fr": "fr", "he": "he", "hi": "hi", "id": "id", "ja": "ja",
              "ka": "ka", "ko": "ko", "pt": "pt-BR", "pt_PT": "pt-PT", "ru": "ru", "ta": "ta",
              "th": "th", "tr": "tr", "vi": "vi", "zh": "zh-Hans", "zh_Hant": "zh-Hant"}

# A translated page is kept only if at least this share of its paragraphs differs from the
# English page; the rest are untranslated fallbacks that the packages ship as English.
MIN_TRANSLATED = 0.6
# Even kept pages have paragraphs the translators have not reached yet (a third of a German
# handbook page, often). An identical paragraph this long is an English sentence, not a
# language-neutral token like "Ctrl+C" or "1..99", and is dropped so that `lang` tells the truth.
ENGLISH_SENTENCE = 40
MIN_PROSE_BYTES = 200        # shorter pages are link lists (GNOME guide pages), not prose
CLDR_BLOCK_LINES = 60
CODE_MIN_BYTES, CODE_MAX_BYTES = 1024, 40 * 1024

MAL_NS = "http://projectmallard.org/1.0/"
IF_NS = "http://projectmallard.org/if/1.0/"
TT_NS = "http://www.w3.org/ns/ttml"
XHTML_NS = "http://www.w3.org/1999/xhtml"


# ---------------------------------------------------------------------------------------------
# Text assembly shared by the Mallard and XHTML walkers.

# XML white space only: NBSP, U+3000 and friends are text. Runs with a line break are matched
# apart because only they need the CJK check (a callback per run doubled the converter's time).
_XML_WS = " \t\r\n"
_LINE_BREAK_RUN = re.compile(r"[ \t\r]*\n[ \t\r\n]*")
_SPACE_RUN = re.compile(r"[ \t\r]+")


def _is_cjk(ch):
    """True for Han, kana and full-width forms: scripts written without spaces between words."""
    o = ord(ch)
    if 0x3130 <= o <= 0x318F:            # Hangul compatibility jamo: Korean uses spaces
        return False
    return (0x2E80 <= o <= 0x9FFF or 0xF900 <= o <= 0xFAFF or 0xFF00 <= o <= 0xFFEF
            or 0x20000 <= o <= 0x3FFFF)


def collapse(text):
    """Collapses XML white space to one space, or to nothing at a line break between two CJK
    characters (as browsers do): '中文\\n  中文' is one word wrapped by the source file. That
    happens once in the current packages (handbook ja-JP), more if languages are added."""
    text = text.strip(_XML_WS)
    if "\n" in text:
        def repl(m):
            return "" if _is_cjk(text[m.start() - 1]) and _is_cjk(text[m.end()]) else " "
        text = _LINE_BREAK_RUN.sub(repl, text)
    return _SPACE_RUN.sub(" ", text)


class Blocks:
    """Collects paragraphs: inline text accumulates until a block boundary flushes it."""

    def __init__(self):
        self.blocks = []     # [(kind, text)], kind is "p" (prose) or "code" (verbatim)
        self._buf = []

    def add(self, s):
        if s:
            self._buf.append(s)

    def flush(self):
        if self._buf:
            text = collapse("".join(self._buf))
            self._buf = []
            if text:
                self.blocks.append(("p", text))

    def verbatim(self, s):
        self.flush()
        lines = s.rstrip().split("\n")
        while lines and not lines[0].strip():
            lines.pop(0)
        if lines:
            self.blocks.append(("code", "\n".join(lines)))


def parse_xml(path):
    """ElementTree.parse, with a parse error turned into a `path:line:column: ...` exit."""
    try:
        return ET.parse(path)
    except ET.ParseError as e:
        line, column = e.position
        what = str(e).split(": line ")[0]                 # expat appends the position
        sys.exit(f"make_demo_corpus: {path}:{line}:{column}: {what}")


def _doc(doc_id, blocks, lang, pkg, version, path):
    """A prose document, or None if it is shorter than MIN_PROSE_BYTES."""
    text = "\n\n".join(t for _, t in blocks)
    if len(text.encode("utf-8")) < MIN_PROSE_BYTES:
        return None
    return {"id": doc_id, "text": text, "lang": lang, "source": f"debian:{pkg}={version}:{path}"}


def _split_tag(tag):
    if tag.startswith("{"):
        ns, _, local = tag[1:].partition("}")
        return ns, local
    return "", tag


def translated_part(blocks, english_paragraphs):
    """The blocks of a translated page without its untranslated English sentences, or None if
    fewer than MIN_TRANSLATED of its prose paragraphs differ from the English page."""
    prose = [t for kind, t in blocks if kind == "p"]
    differ = sum(1 for t in prose if t not in english_paragraphs)
    if not prose or differ < MIN_TRANSLATED * len(prose):
        return None
    return [(kind, t) for kind, t in blocks
            if not (kind == "p" and t in english_paragraphs and len(t) >= ENGLISH_SENTENCE)]


# ---------------------------------------------------------------------------------------------
# GNOME help: Mallard .page files under /usr/share/help/<lang>/gnome-help/.

# Containers and paragraphs: each starts and ends a paragraph.
_MAL_BLOCK = {"page", "section", "title", "subtitle", "p", "desc", "steps", "list", "item",
              "terms", "tree", "note", "example", "figure", "table", "thead", "tbody", "tfoot",
              "tr", "td", "th", "quote", "synopsis", "media", "div", "listing"}
_MAL_TEXT = {"title", "subtitle", "p", "desc"}          # inside these everything is inline
# Dropped with their content: metadata (names, e-mails, revisions), editor comments, link
# lists that the renderer fills in, and the ITS translation rules.
_MAL_DROP = {"info", "comment", "links"}
_MAL_SEQ_JOIN = {"keyseq": "+", "guiseq": " ▸ "}


class MallardPage:
    def __init__(self, path):
        self.root = parse_xml(path).getroot()
        self.id = self.root.get("id") or path.stem
        self.titles = {}                                  # "page" / "page#section" -> title
        self._collect_titles(self.root, self.id)

    def _collect_titles(self, el, key):
        for child in el:
            ns, tag = _split_tag(child.tag)
            if ns == MAL_NS and tag == "title" and key not in self.titles:
                self.titles[key] = collapse("".join(child.itertext()))
            elif ns == MAL_NS and tag == "section" and child.get("id"):
                self._collect_titles(child, self.id + "#" + child.get("id"))

    def blocks(self, titles):
        """titles: "page[#section]" -> title in this language, used to fill empty <link>s."""
        out = Blocks()
        self._walk(self.root, out, False, titles)
        out.flush()
        return out.blocks

    def _walk(self, el, out, inline, titles):
        ns, tag = _split_tag(el.tag)
        if ns == IF_NS and tag == "choose":              # conditional text: first branch only
            branches = [c for c in el if _split_tag(c.tag)[0] == IF_NS]
            if branches:
                self._walk(branches[0], out, inline, titles)
            return
        if ns not in (MAL_NS, IF_NS, TT_NS) or tag in _MAL_DROP:
            return                                        # its:rules, xi:include, ...
        if tag in ("code", "screen") and not inline:
            out.verbatim("".join(el.itertext()))
            return
        block = tag in _MAL_BLOCK and not inline
        if block:
            out.flush()
        if tag == "link" and not "".join(el.itertext()).strip():
            out.add(titles.get(el.get("xref") or "", el.get("href") or ""))
        out.add(el.text)
        join = _MAL_SEQ_JOIN.get(tag)
        for i, child in enumerate(el):
            if join and i > 0:
                out.add(join)
            self._walk(child, out, inline or tag in _MAL_TEXT, titles)
            if not join or (child.tail or "").strip():    # no blanks around the "+"
                out.add(child.tail)
        if block:
            out.flush()


def gnome_docs(pkg, version, root):
    help_dir = root / "usr/share/help"
    pages = {}                                            # dir -> {file name: MallardPage}
    for lang_dir in sorted(GNOME_LANGS):
        d = help_dir / lang_dir / "gnome-help"
        pages[lang_dir] = {p.name: MallardPage(p) for p in sorted(d.glob("*.page"))}
    english = {name: {t for k, t in page.blocks(_titles(pages["C"])) if k == "p"}
               for name, page in pages["C"].items()}
    docs = []
    for lang_dir in sorted(GNOME_LANGS):
        titles = _titles(pages[lang_dir])
        for name, page in pages[lang_dir].items():
            blocks = page.blocks(titles)
            if lang_dir != "C":
                blocks = translated_part(blocks, english[name]) if name in english else None
                if blocks is None:
                    continue
            docs.append(_doc(f"gnome-user-docs/{lang_dir}/{page.id}", blocks,
                             GNOME_LANGS[lang_dir], pkg, version,
                             f"/usr/share/help/{lang_dir}/gnome-help/{name}"))
    return [d for d in docs if d is not None]


def _titles(pages):
    titles = {}
    for page in pages.values():
        titles.update(page.titles)
    return titles


# ---------------------------------------------------------------------------------------------
# Debian Administrator's Handbook: Publican XHTML, one file per section.

_HTML_BLOCK = {"body", "div", "p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "dl",
               "dt", "dd", "table", "thead", "tbody", "tfoot", "tr", "td", "th", "caption",
               "blockquote", "br", "hr"}
_HTML_DROP = {"head", "script", "style", "img"}


def _html_dropped(tag, el):
    """Navigation and index anchors: everything that is not the section's own text."""
    cls = (el.get("class") or "").split()
    return (tag in _HTML_DROP or el.get("id") in ("banner", "title", "site_footer")
            or (tag == "ul" and "docnav" in cls) or (tag == "div" and "toc" in cls)
            or (tag == "a" and "indexterm" in cls))


def _html_walk(el, out):
    tag = _split_tag(el.tag)[1]
    if _html_dropped(tag, el):
        return
    if tag == "pre":
        out.verbatim("".join(el.itertext()))
        return
    block = tag in _HTML_BLOCK
    if block:
        out.flush()
    out.add(el.text)
    for child in el:
        _html_walk(child, out)
        out.add(child.tail)
    if block:
        out.flush()


def handbook_blocks(path):
    body = parse_xml(path).getroot().find(f"{{{XHTML_NS}}}body")
    out = Blocks()
    if body is not None:
        _html_walk(body, out)
    out.flush()
    return out.blocks


def handbook_docs(pkg, version, root):
    html_dir = root / "usr/share/doc/debian-handbook/html"
    # index.html is the title page: table of contents and the legal notice. The same half of
    # the sections in every language keeps the handbook near 0.5 MB a language and makes the
    # languages parallel texts (handy for comparing tokens per byte across languages).
    names = sorted(p.name for p in (html_dir / "en-US").glob("*.html")
                   if p.name != "index.html" and _in_half(p.name))
    english = {n: handbook_blocks(html_dir / "en-US" / n) for n in names}
    english_paras = {n: {t for k, t in b if k == "p"} for n, b in english.items()}
    docs = []
    for lang_dir in sorted(HANDBOOK_LANGS):
        for name in names:
            path = html_dir / lang_dir / name
            if not path.is_file():
                continue
            blocks = english[name]
            if lang_dir != "en-US":
                blocks = translated_part(handbook_blocks(path), english_paras[name])
                if blocks is None:
                    continue
            docs.append(_doc(f"debian-handbook/{lang_dir}/{path.stem}", blocks,
                             HANDBOOK_LANGS[lang_dir], pkg, version,
                             f"/usr/share/doc/debian-handbook/html/{lang_dir}/{name}"))
    return [d for d in docs if d is not None]


# ---------------------------------------------------------------------------------------------
# CLDR emoji annotations: "<emoji> <tts name> — <keyword | keyword ...>", 60 lines a document.

def cldr_lines(path):
    names, keywords, order = {}, {}, []
    for el in parse_xml(path).getroot().iter("annotation"):
        cp, value = el.get("cp"), (el.text or "").strip()
        if not cp or not value or value == "↑↑↑":         # ↑↑↑: inherit from the parent locale
            continue
        if cp not in names and cp not in keywords:
            order.append(cp)
        (names if el.get("type") == "tts" else keywords)[cp] = value
    lines = []
    for cp in order:
        line = cp + (" " + names[cp] if cp in names else "")
        if cp in keywords and keywords[cp] != names.get(cp):   # many symbols: keywords == name
            line += " — " + keywords[cp]
        lines.append(line)
    return lines


def cldr_docs(pkg, version, root):
    rel = "usr/share/unicode/cldr/common/annotations"
    docs = []
    for stem in sorted(CLDR_LANGS):
        lines = cldr_lines(root / rel / f"{stem}.xml")
        for i in range(0, len(lines), CLDR_BLOCK_LINES):
            docs.append({"id": f"unicode-cldr-core/{stem}/{i // CLDR_BLOCK_LINES:03d}",
                         "text": "\n".join(lines[i:i + CLDR_BLOCK_LINES]),
                         "lang": CLDR_LANGS[stem],
                         "source": f"debian:{pkg}={version}:/{rel}/{stem}.xml"})
    return docs


# ---------------------------------------------------------------------------------------------
# Source code: whole files, verbatim.

def code_docs(source, pkg, version, root, base, suffix, lang, keep=lambda rel: True,
              min_bytes=CODE_MIN_BYTES):
    """Files under <root>/<base> ending in suffix, min_bytes..CODE_MAX_BYTES, for which
    keep(relative path) holds. Files that are not UTF-8 are skipped (none are, today)."""
    docs = []
    for path in sorted((root / base).rglob("*" + suffix)):
        rel = path.relative_to(root / base).as_posix()
        if path.is_symlink() or not path.is_file() or not keep(rel):
            continue          # symlinks: _sysconfigdata points into another package
        if not min_bytes <= path.stat().st_size <= CODE_MAX_BYTES:
            continue
        try:
            text = path.read_bytes().decode("utf-8")
        except UnicodeDecodeError:
            print(f"make_demo_corpus: skipping {path}: not UTF-8", file=sys.stderr)
            continue
        docs.append({"id": f"{source}/{rel}", "text": text, "lang": lang,
                     "source": f"debian:{pkg}={version}:/{base}/{rel}"})
    return docs


def _in_half(name):
    """A fixed half of all names: first byte of sha256(name) below 128."""
    return hashlib.sha256(name.encode("utf-8")).digest()[0] < 128


def _python_subset(rel):
    """Half of the library modules; no tests, no bundled demo packages."""
    return not rel.startswith(("test/", "__phello__/")) and _in_half(rel)


def members(pkg):
    """tar patterns (GNU tar --wildcards; '*' matches '/') for the files we read from pkg, so
    that build_demo_corpus.sh unpacks 86 MB instead of 430 MB (mostly CLDR and images)."""
    if pkg == "gnome-user-docs":
        return [f"./usr/share/help/{d}/gnome-help/*.page" for d in sorted(GNOME_LANGS)]
    if pkg == "debian-handbook":
        return [f"./usr/share/doc/debian-handbook/html/{d}/*.html" for d in sorted(HANDBOOK_LANGS)]
    if pkg == "unicode-cldr-core":
        return [f"./usr/share/unicode/cldr/common/annotations/{s}.xml" for s in sorted(CLDR_LANGS)]
    return {"libpython3.11-stdlib": ["./usr/lib/python3.11/*.py"],
            "nlohmann-json3-dev": ["./usr/include/nlohmann/*.hpp"],
            "node-semver": ["./usr/share/nodejs/semver/*.js"]}[pkg]


def build_source(source, pkg, version, root):
    if source == "gnome-user-docs":
        return gnome_docs(pkg, version, root)
    if source == "debian-handbook":
        return handbook_docs(pkg, version, root)
    if source == "unicode-cldr-core":
        return cldr_docs(pkg, version, root)
    if source == "python-stdlib":
        return code_docs(source, pkg, version, root, "usr/lib/python3.11", ".py",
                         "code:python", _python_subset)
    if source == "nlohmann-json":
        return code_docs(source, pkg, version, root, "usr/include/nlohmann", ".hpp", "code:cpp")
    if source == "node-semver":       # most modules are a few lines: all with 200+ bytes
        return code_docs(source, pkg, version, root, "usr/share/nodejs/semver", ".js",
                         "code:javascript", min_bytes=200)
    raise ValueError(f"unknown source {source}")


# ---------------------------------------------------------------------------------------------
# Output.

def write_atomic(path, data):
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def jsonl_bytes(docs):
    return "".join(json.dumps(d, ensure_ascii=False) + "\n" for d in docs).encode("utf-8")


def stats(per_source, versions):
    def add(table, key, doc):
        entry = table.setdefault(key, {"docs": 0, "bytes": 0})
        entry["docs"] += 1
        entry["bytes"] += len(doc["text"].encode("utf-8"))
    by_lang, by_source, total = {}, {}, {}
    for source, docs in per_source.items():
        for d in docs:
            add(by_lang, d["lang"], d)
            add(by_source, source, d)
            add(total, "all", d)
    return {"converter_version": CONVERTER_VERSION, "packages": versions,
            "total": total.get("all", {"docs": 0, "bytes": 0}),
            "by_source": by_source, "by_lang": by_lang,
            "langs_by_source": {s: sorted({d["lang"] for d in docs})
                                for s, docs in per_source.items()}}


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", type=Path, help="output directory")
    ap.add_argument("--pkg", nargs=3, action="append", default=[],
                    metavar=("PACKAGE", "VERSION", "ROOT"),
                    help="a package, its version and the directory it was unpacked into")
    ap.add_argument("--members", metavar="PACKAGE",
                    help="print the tar patterns of the files read from PACKAGE and exit")
    args = ap.parse_args(argv)
    if args.members:
        if args.members not in PACKAGE_OF.values():
            ap.error(f"unknown package {args.members}")
        print("\n".join(members(args.members)))
        return 0
    if args.out is None:
        ap.error("--out is required")
    packages = {name: (version, Path(root)) for name, version, root in args.pkg}
    missing = sorted(set(PACKAGE_OF.values()) - set(packages))
    if missing:
        ap.error("missing --pkg for " + ", ".join(missing))

    args.out.mkdir(parents=True, exist_ok=True)
    per_source = {}
    for source in SOURCES:
        pkg = PACKAGE_OF[source]
        version, root = packages[pkg]
        per_source[source] = build_source(source, pkg, version, root)
        ids = [d["id"] for d in per_source[source]]
        if len(ids) != len(set(ids)):
            sys.exit(f"make_demo_corpus: duplicate ids in {source} (a bug)")
    for source in SOURCES:
        write_atomic(args.out / f"{source}.jsonl", jsonl_bytes(per_source[source]))
    write_atomic(args.out / "demo.jsonl",
                 b"".join(jsonl_bytes(per_source[s]) for s in SOURCES))
    versions = {pkg: packages[pkg][0] for pkg in sorted(packages)}
    summary = stats(per_source, versions)
    write_atomic(args.out / "demo_stats.json",
                 (json.dumps(summary, ensure_ascii=False, indent=2, sort_keys=True) + "\n")
                 .encode("utf-8"))
    t = summary["total"]
    print(f"make_demo_corpus: {t['docs']} documents, {t['bytes']} text bytes, "
          f"{len(summary['by_lang'])} langs -> {args.out / 'demo.jsonl'}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
