"""The drop-in aliases run code written for the originals unchanged and give the same results:
TRIE_TOKENIZER against the official `rwkv` package (its own call patterns: PIPELINE's encode,
decode and streaming decode, printTokens, the idx2token/token2idx tables), RWKVTokenizer against
pyrwkv-tokenizer (the Rust package on PyPI)."""

import contextlib
import io

import pytest

import rwkvkit

TEXTS = ["Hello world", "\nIn a shocking finding, scientist discovered a herd of dragons.",
         "今天是美好的一天。", "def f(x):\n    return x * 2\n", "Ünïcödé ✓ 😀", ""]


def test_trie_tokenizer_methods(vocab_path, official):
    ours = rwkvkit.TRIE_TOKENIZER(vocab_path)
    assert "Tokenizer" not in str(type(ours))  # PIPELINE.encode() tests this to pick HF's .ids
    for text in TEXTS:
        ids = official.encode(text)
        assert ours.encode(text) == ids and type(ours.encode(text)) is list
        assert all(type(i) is int for i in ours.encode(text))
        assert ours.encodeBytes(text.encode()) == official.encodeBytes(text.encode())
        assert ours.decode(ids) == official.decode(ids) == text
        assert ours.decodeBytes(ids) == official.decodeBytes(ids)
        out_a, out_b = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out_a):
            ours.printTokens(ids)
        with contextlib.redirect_stdout(out_b):
            official.printTokens(ids)
        assert out_a.getvalue() == out_b.getvalue()
    bad = official.encodeBytes(b"ab\xe4\xbd")
    assert ours.decode(bad) == official.decode(bad) == "\ufffd"
    assert ours.idx2token == official.idx2token
    assert ours.token2idx == official.token2idx


def test_pipeline_streaming_decode(vocab_path, official):
    """rwkv.utils.PIPELINE.generate's loop: decode the tokens since the last printed one and
    print once the text holds no U+FFFD (a character split across tokens)."""
    ours = rwkvkit.TRIE_TOKENIZER(vocab_path)
    text = "Streaming 今天是美好的一天。 😀 done"
    tokens = official.encode(text)
    tokens = official.encodeBytes("😀".encode()[:2]) + official.encodeBytes("😀".encode()[2:]) + tokens

    def stream(tokenizer):
        out, all_tokens, out_last = "", [], 0
        for token in tokens:
            all_tokens += [token]
            tmp = tokenizer.decode(all_tokens[out_last:])
            if "\ufffd" not in tmp:
                out += tmp
                out_last = len(all_tokens)
        return out

    assert stream(ours) == stream(official) == "😀" + text


def test_rwkv_tokenizer_alias_matches_the_rust_package():
    pyrwkv = pytest.importorskip("pyrwkv_tokenizer", reason="tools/setup.sh --test installs pyrwkv-tokenizer")
    theirs = pyrwkv.RWKVTokenizer()
    ours = rwkvkit.RWKVTokenizer()
    assert ours.vocab_size() == theirs.vocab_size()
    for text in TEXTS:
        assert ours.encode(text) == theirs.encode(text)
        assert ours.decode(theirs.encode(text)) == theirs.decode(theirs.encode(text))
    assert ours.encode_batch(TEXTS) == theirs.encode_batch(TEXTS)
    mine, rust = ours.get_vocab(), theirs.get_vocab()
    # The Rust package maps every token that is not valid UTF-8 to one placeholder key.
    assert {k: v for k, v in rust.items() if k != "Binary string (TODO)"} == mine
    with pytest.raises(Exception, match="not supported"):
        rwkvkit.RWKVTokenizer("GPT2")
    assert rwkvkit.RWKVTokenizer(vocab_filepath=ours.vocab_filepath).encode("Hello world") == [33155, 40213]
