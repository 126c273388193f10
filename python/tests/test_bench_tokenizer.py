"""`python -m rwkvkit bench tokenizer` with the tokenizers people compare with, each made offline
here (no hub is reachable): a BPE trained with HF `tokenizers`, a SentencePiece model, a tiktoken
ranks file; every count must equal what that library itself returns on the same texts, and the
word counts an independent str.split/unicodedata oracle."""

import base64
import collections
import io
import json
import os
import subprocess
import sys
import unicodedata

import pytest

import rwkvkit


@pytest.fixture(scope="module")
def corpus(tmp_path_factory, corpus_path):
    """Up to 40 documents of each language of the demo corpus (~1 MB), as JSONL."""
    d = tmp_path_factory.mktemp("bench")
    per_lang = collections.defaultdict(list)
    with open(corpus_path, encoding="utf-8") as f:
        for line in f:
            rec = json.loads(line)
            if len(per_lang[rec["lang"]]) < 40:
                per_lang[rec["lang"]].append({"text": rec["text"][:4000], "lang": rec["lang"]})
    path = d / "sample.jsonl"
    with open(path, "w", encoding="utf-8") as f:
        for recs in per_lang.values():
            for r in recs:
                f.write(json.dumps(r, ensure_ascii=False) + "\n")
        f.write("not json\n")
    return d, path, per_lang


@pytest.fixture(scope="module")
def made_tokenizers(corpus):
    d, _, per_lang = corpus
    texts = [r["text"] for recs in per_lang.values() for r in recs]
    from tokenizers import Tokenizer, models, pre_tokenizers, trainers

    hf = Tokenizer(models.BPE())
    hf.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    hf.train_from_iterator(texts, trainers.BpeTrainer(vocab_size=600, initial_alphabet=pre_tokenizers.ByteLevel.alphabet()))
    hf_path = d / "tokenizer.json"
    hf.save(str(hf_path))

    import sentencepiece as spm

    model = io.BytesIO()
    spm.SentencePieceTrainer.train(sentence_iterator=iter(texts), model_writer=model, vocab_size=2000,
                                   model_type="bpe", character_coverage=0.98, byte_fallback=True,
                                   minloglevel=2)
    sp_path = d / "small.model"
    sp_path.write_bytes(model.getvalue())

    # tiktoken ranks: every byte, then the 300 most frequent byte pairs of the texts
    pairs = collections.Counter()
    for t in texts[:200]:
        b = t.encode("utf-8")
        pairs.update(b[i:i + 2] for i in range(len(b) - 1))
    ranks = [bytes([i]) for i in range(256)] + [p for p, _ in pairs.most_common(300)]
    tt_path = d / "small.tiktoken"
    with open(tt_path, "w") as f:
        for rank, tok in enumerate(ranks):
            f.write(f"{base64.b64encode(tok).decode()} {rank}\n")
    return {"hf": str(hf_path), "sp": str(sp_path), "tt": str(tt_path)}


def words_oracle(text):
    return sum(1 for p in text.split() if any(unicodedata.category(c)[0] in "LN" for c in p))


def test_bench_counts_equal_each_library(corpus, made_tokenizers, vocab_path, tmp_path):
    d, path, per_lang = corpus
    out = tmp_path / "bench.json"
    r = subprocess.run([sys.executable, "-m", "rwkvkit", "bench", "tokenizer", "--input", str(path),
                        "--tokenizer", f"world={vocab_path}", "--tokenizer", f"hf={made_tokenizers['hf']}",
                        "--tokenizer", f"tt=tiktoken:{made_tokenizers['tt']}",
                        "--tokenizer", f"sp={made_tokenizers['sp']}", "--sample-mb", "0.05", "--repeats", "1",
                        "--json", str(out)], capture_output=True, text=True, env=dict(os.environ))
    assert r.returncode == 0, r.stderr
    result = json.load(open(out))
    assert [t["kind"] for t in result["tokenizers"]] == ["rwkvkit World", "HF tokenizers", "tiktoken", "sentencepiece"]

    from rwkv.rwkv_tokenizer import TRIE_TOKENIZER
    import sentencepiece as spm
    import tiktoken
    from tiktoken.load import load_tiktoken_bpe
    from tiktoken_ext.openai_public import r50k_pat_str
    from tokenizers import Tokenizer

    official = TRIE_TOKENIZER(vocab_path)
    hf = Tokenizer.from_file(made_tokenizers["hf"])
    sp = spm.SentencePieceProcessor(model_file=made_tokenizers["sp"])
    tt = tiktoken.Encoding("t", pat_str=r50k_pat_str, mergeable_ranks=load_tiktoken_bpe(made_tokenizers["tt"]),
                           special_tokens={})
    assert set(result["languages"]) == set(per_lang)
    for lang, recs in per_lang.items():
        texts = [x["text"] for x in recs]
        row = result["languages"][lang]
        assert row["docs"] == len(texts)
        assert row["bytes"] == sum(len(t.encode()) for t in texts)
        assert row["chars"] == sum(len(t) for t in texts)
        if lang.split("-")[0] in {"zh", "ja", "th", "lo", "km", "my", "bo"}:  # docs/tokenizer_bench.md
            assert row["words"] is None
        else:
            assert row["words"] == sum(words_oracle(t) for t in texts)
        want = {"world": sum(len(official.encode(t)) for t in texts),
                "hf": sum(len(hf.encode(t, add_special_tokens=False).ids) for t in texts),
                "tt": sum(len(tt.encode_ordinary(t)) for t in texts),
                "sp": sum(len(sp.encode(t)) for t in texts)}
        for name, tokens in want.items():
            got = row["by_tokenizer"][name]
            assert got["tokens"] == tokens, (lang, name)
            assert got["percent_tokens_vs_first"] == pytest.approx(100.0 * tokens / want["world"])
            assert got["mb_per_s"] > 0
    total = result["total"]["by_tokenizer"]
    assert total["world"]["percent_tokens_vs_first"] == pytest.approx(100.0)
    assert total["hf"]["tokens"] == sum(r["by_tokenizer"]["hf"]["tokens"] for r in result["languages"].values())
    # the table: a row per language and tokenizer, and the TOTAL rows
    lines = r.stdout.splitlines()
    assert lines[0].startswith("| lang | tokenizer |") and "% tok vs first" in lines[0]
    assert len(lines) == 2 + 4 * (len(per_lang) + 1)


def test_bench_bad_spec(corpus):
    _, path, _ = corpus
    r = subprocess.run([sys.executable, "-m", "rwkvkit", "bench", "tokenizer", "--input", str(path),
                        "--tokenizer", "x=nothing.bin"], capture_output=True, text=True)
    assert r.returncode == 1 and "not a tokenizer spec" in r.stderr
    r = subprocess.run([sys.executable, "-m", "rwkvkit", "bench"], capture_output=True, text=True)
    assert r.returncode == 2 and "usage" in r.stderr
