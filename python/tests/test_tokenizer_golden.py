"""rwkvkit.Tokenizer against the official TRIE_TOKENIZER: every id, on the demo corpus and on
the generated hard inputs (invalid UTF-8 included) of tests/golden/; decode gives the bytes back."""

import random

import numpy as np

from conftest import golden_module


def test_demo_corpus_every_id(tok, official, corpus_texts):
    assert len(corpus_texts) > 1000
    batch = tok.encode_batch(corpus_texts)
    flat, offsets = tok.encode_batch_numpy(corpus_texts, threads=2)
    for i, text in enumerate(corpus_texts):
        want = official.encode(text)
        assert tok.encode(text) == want, f"document {i}"
        assert batch[i] == want, f"document {i} (encode_batch)"
        assert flat[offsets[i]:offsets[i + 1]].tolist() == want, f"document {i} (encode_batch_numpy)"
        assert tok.decode(want) == text


def hard_cases(official):
    golden = golden_module()
    rng = random.Random(20240404)
    tokens, bytes_only, longest = golden.token_material(official.idx2token.values())
    cases = golden.small_cases(rng, tokens, bytes_only, longest)
    cases += golden.large_cases(rng, tokens, bytes_only, [], longest, 0.25)
    return cases


def test_generated_bytes_every_id(tok, official):
    cases = hard_cases(official)
    assert any(name == "invalid_utf8_forms" for name, _ in cases)
    for name, data in cases:
        want = official.encodeBytes(data)
        assert tok.encode(data) == want, name
        assert tok.encode(bytearray(data)) == want, name
        assert tok.encode(memoryview(data)) == want, name
        assert tok.encode_numpy(data).tolist() == want, name
        assert tok.decode_bytes(want) == data, name
        assert tok.decode_bytes(np.array(want, dtype=np.int64)) == data, name
        assert tok.count_bytes(want) == len(data), name
        assert int(tok.token_lengths[np.array(want, dtype=np.int64)].sum()) == len(data), name
        text = data.decode("utf-8", errors="replace")
        assert tok.decode(want, errors="replace") == text, name


def test_decode_errors(tok):
    import pytest

    ids = tok.encode(b"ok \xe4\xbd")  # a cut character
    with pytest.raises(UnicodeDecodeError):
        tok.decode(ids)
    assert tok.decode(ids, errors="replace") == "ok \ufffd"
    assert tok.decode(ids, errors="ignore") == "ok "
    with pytest.raises(ValueError, match="not a token id"):
        tok.decode([1, 70000])
    with pytest.raises(ValueError):
        tok.decode([1, -1])
    with pytest.raises(ValueError):
        tok.token_bytes(tok.vocab_size + 5)
    with pytest.raises(UnicodeEncodeError):  # as str.encode("utf-8")
        tok.encode("\ud800")


def test_vocab_properties(tok, official):
    assert tok.vocab_size == 65530
    assert tok.num_entries == len(official.idx2token)
    for i, b in list(official.idx2token.items())[::97]:
        assert tok.token_bytes(i) == b
        assert tok.token_lengths[i] == len(b)
    assert tok.token_bytes(0) == b"" and tok.token_lengths[0] == 0
    assert tok.max_token_bytes == max(len(b) for b in official.idx2token.values())


def test_every_token_alone(tok, official):
    # Every id the vocab defines, each from its own token's bytes: the list of every id object
    # is checked (they are made on first use, in the order the texts need them).
    ids = sorted(official.idx2token)
    data = [official.idx2token[i] for i in ids]
    want = [official.encodeBytes(b) for b in data]
    assert want == [[i] for i in ids]
    assert [tok.encode(b) for b in data] == want
    assert tok.encode_batch(data, threads=2) == want
    assert all(type(x[0]) is int for x in tok.encode_batch(data))
    assert tok.encode(b"".join(reversed(data))) == official.encodeBytes(b"".join(reversed(data)))
