"""``python -m rwkvkit bench tokenizer``: the World tokenizer beside the tokenizers people compare
it with, per language, each run through its own library.

Tokenizer specs (``--tokenizer NAME=SPEC``; the first is the baseline of "% tok"): ``world``
(the World vocab), ``PATH.txt`` (a World-format vocab), ``PATH/tokenizer.json`` (Hugging Face
``tokenizers``, no special tokens), ``tiktoken:NAME`` (an encoding from tiktoken's cache) or
``tiktoken:PATH`` (a ``.tiktoken`` ranks file with GPT-2's split pattern), ``PATH.model``
(SentencePiece). Per language (the record's ``--lang-key``, ``un`` without one) and tokenizer
it prints the table of ``rwkvkit bench tokenizer`` (docs/tokenizer_bench.md) plus ``% tok``;
MB/s is one thread, one document per call of the library's own encode, the median of
``--repeats`` runs over ``--sample-mb`` MB. docs/python.md ("Tokenizer benchmark against other tokenizers").
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
import unicodedata
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

from . import _rwkvkit

__all__ = ["load_tokenizer", "run_benchmark", "main"]



def load_tokenizer(spec: str) -> Tuple[str, Callable[[str], Sequence[int]]]:
    """(kind, encode) for a tokenizer spec (see the module help); encode(text) -> ids."""
    if spec == "world" or spec.endswith(".txt"):
        from ._rwkvkit import Tokenizer

        tok = Tokenizer(None if spec == "world" else spec)
        return "rwkvkit World", tok.encode
    if spec.startswith("tiktoken:"):
        import tiktoken

        what = spec[len("tiktoken:"):]
        if os.path.exists(what):
            from tiktoken.load import load_tiktoken_bpe
            from tiktoken_ext.openai_public import r50k_pat_str

            ranks = load_tiktoken_bpe(what)
            enc = tiktoken.Encoding(name=os.path.basename(what), pat_str=r50k_pat_str, mergeable_ranks=ranks,
                                    special_tokens={})
        else:
            enc = tiktoken.get_encoding(what)
        return "tiktoken", enc.encode_ordinary
    if spec.endswith(".json"):
        from tokenizers import Tokenizer as HFTokenizer

        hf = HFTokenizer.from_file(spec)
        return "HF tokenizers", lambda text: hf.encode(text, add_special_tokens=False).ids
    if spec.endswith(".model"):
        import sentencepiece

        sp = sentencepiece.SentencePieceProcessor(model_file=spec)
        return "sentencepiece", lambda text: sp.encode(text)
    raise ValueError(f"{spec}: not a tokenizer spec (world, *.txt, *.json, tiktoken:NAME|PATH, *.model)")


def count_words(text: str) -> int:
    n = 0
    for piece in text.split():
        if any(unicodedata.category(c)[0] in "LN" for c in piece):
            n += 1
    return n


def read_records(paths: Sequence[str], text_key: str, lang_key: str) -> Dict[str, List[str]]:
    by_lang: Dict[str, List[str]] = {}
    for path in paths:
        with open(path, "rb") as f:
            for raw in f:
                try:
                    rec = json.loads(raw)
                except ValueError:
                    continue
                if not isinstance(rec, dict) or not isinstance(rec.get(text_key), str):
                    continue
                lang = rec.get(lang_key)
                by_lang.setdefault(lang if isinstance(lang, str) and lang else "un", []).append(rec[text_key])
    return dict(sorted(by_lang.items()))


def _speed(encode: Callable[[str], Sequence[int]], texts: List[str], sample_bytes: int, repeats: int) -> float:
    sample, size = [], 0
    for t in texts:
        if size >= sample_bytes:
            break
        sample.append(t)
        size += len(t.encode("utf-8"))
    if size == 0:
        return 0.0
    times = []
    for _ in range(max(1, repeats)):
        start = time.perf_counter()
        for t in sample:
            encode(t)
        times.append(time.perf_counter() - start)
    return size / 1e6 / statistics.median(times)


def run_benchmark(inputs: Sequence[str], tokenizers: Sequence[Tuple[str, str]], text_key: str = "text",
                  lang_key: str = "lang", sample_mb: float = 8.0, repeats: int = 3) -> Dict[str, Any]:
    """The benchmark as a dict: {'tokenizers': [{name, spec, kind}], 'languages': {lang: {docs,
    bytes, chars, words, 'by_tokenizer': {name: {tokens, bytes_per_token, chars_per_token,
    tokens_per_word, percent_tokens_vs_first, mb_per_s}}}}, 'total': {...}}."""
    by_lang = read_records(inputs, text_key, lang_key)
    loaded = [(name, spec) + load_tokenizer(spec) for name, spec in tokenizers]
    result: Dict[str, Any] = {"tokenizers": [{"name": n, "spec": s, "kind": k} for n, s, k, _ in loaded],
                              "languages": {}}
    total = {"docs": 0, "bytes": 0, "chars": 0, "words": 0, "tokens": {n: 0 for n, *_ in loaded},
             "words_tokens": {n: 0 for n, *_ in loaded}, "seconds": {n: 0.0 for n, *_ in loaded},
             "sample_bytes": 0}
    for lang, texts in by_lang.items():
        nbytes = sum(len(t.encode("utf-8")) for t in texts)
        chars = sum(len(t) for t in texts)
        words = None if _rwkvkit.written_without_spaces(lang) else sum(count_words(t) for t in texts)
        row: Dict[str, Any] = {"docs": len(texts), "bytes": nbytes, "chars": chars, "words": words, "by_tokenizer": {}}
        first_tokens = None
        for name, _, _, encode in loaded:
            tokens = sum(len(encode(t)) for t in texts)
            if first_tokens is None:
                first_tokens = tokens
            mbps = _speed(encode, texts, int(sample_mb * 1e6), repeats)
            row["by_tokenizer"][name] = {
                "tokens": tokens,
                "bytes_per_token": nbytes / tokens if tokens else None,
                "chars_per_token": chars / tokens if tokens else None,
                "tokens_per_word": tokens / words if words else None,
                "percent_tokens_vs_first": 100.0 * tokens / first_tokens if first_tokens else None,
                "mb_per_s": mbps,
            }
            total["tokens"][name] += tokens
            if words:
                total["words_tokens"][name] += tokens
            sample = min(nbytes, int(sample_mb * 1e6))
            if mbps > 0:
                total["seconds"][name] += sample / 1e6 / mbps
        total["sample_bytes"] += min(nbytes, int(sample_mb * 1e6))
        total["docs"] += len(texts)
        total["bytes"] += nbytes
        total["chars"] += chars
        total["words"] += words or 0
        result["languages"][lang] = row
    first = loaded[0][0] if loaded else None
    result["total"] = {
        "docs": total["docs"], "bytes": total["bytes"], "chars": total["chars"], "words": total["words"],
        "by_tokenizer": {
            n: {"tokens": total["tokens"][n],
                "bytes_per_token": total["bytes"] / total["tokens"][n] if total["tokens"][n] else None,
                "chars_per_token": total["chars"] / total["tokens"][n] if total["tokens"][n] else None,
                "tokens_per_word": total["words_tokens"][n] / total["words"] if total["words"] else None,
                "percent_tokens_vs_first": (100.0 * total["tokens"][n] / total["tokens"][first]
                                            if total["tokens"][first] else None),
                "mb_per_s": (total["sample_bytes"] / 1e6 / total["seconds"][n]) if total["seconds"][n] else None}
            for n, *_ in loaded},
    }
    return result


def _fmt(x: Optional[float], digits: int = 3) -> str:
    return "n/a" if x is None else f"{x:.{digits}f}"


def format_table(result: Dict[str, Any]) -> str:
    """The per-language table (Markdown), one row per language and tokenizer."""
    lines = ["| lang | tokenizer | docs | bytes | chars | words | tokens | % tok vs first | bytes/tok | chars/tok "
             "| tok/word | MB/s 1 thread |",
             "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|"]
    rows = list(result["languages"].items()) + [("TOTAL", result["total"])]
    for lang, row in rows:
        for name, t in row["by_tokenizer"].items():
            lines.append(f"| {lang} | {name} | {row['docs']} | {row['bytes']} | {row['chars']} | "
                         f"{'n/a' if row['words'] is None else row['words']} | {t['tokens']} | "
                         f"{_fmt(t['percent_tokens_vs_first'], 1)} | {_fmt(t['bytes_per_token'])} | "
                         f"{_fmt(t['chars_per_token'])} | {_fmt(t['tokens_per_word'])} | {_fmt(t['mb_per_s'], 1)} |")
    return "\n".join(lines) + "\n"


def main(argv: Optional[Sequence[str]] = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m rwkvkit bench tokenizer",
                                 description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog="Specs: world | VOCAB.txt | tokenizer.json | tiktoken:NAME | tiktoken:PATH | "
                                        "SPM.model (see help(rwkvkit.bench))")
    ap.add_argument("--input", action="append", required=True, help="a JSON Lines file (repeatable)")
    ap.add_argument("--tokenizer", action="append", default=[], metavar="NAME=SPEC",
                    help="a tokenizer to compare (repeatable; the first is the baseline; default: world)")
    ap.add_argument("--text-key", default="text")
    ap.add_argument("--lang-key", default="lang")
    ap.add_argument("--sample-mb", type=float, default=8.0, help="MB per language timed (default 8)")
    ap.add_argument("--repeats", type=int, default=3, help="timed runs, the median is reported (default 3)")
    ap.add_argument("--json", help="also write the result as JSON to this file")
    args = ap.parse_args(argv)
    specs = []
    for t in args.tokenizer or ["world=world"]:
        name, sep, spec = t.partition("=")
        if not sep:
            name, spec = os.path.basename(t), t
        specs.append((name, spec))
    try:
        result = run_benchmark(args.input, specs, args.text_key, args.lang_key, args.sample_mb, args.repeats)
    except (OSError, ValueError, ImportError) as e:
        print(f"rwkvkit bench tokenizer: {e}", file=sys.stderr)
        return 1
    sys.stdout.write(format_table(result))
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(result, f, indent=1)
    return 0
