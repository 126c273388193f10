"""Shared set-up of the rwkvkit Python tests (run by ctest, or `pytest python/tests` with the
package on PYTHONPATH; docs/python.md, "Tests").

The environment names what the CMake build made (tests/CMakeLists.txt sets it):
    RWKVKIT_TEST_VOCAB    the World vocab (tools/setup.sh: .rwkvkit/vocab/...)
    RWKVKIT_TEST_CORPUS   the demo corpus JSONL (.rwkvkit/demo/demo.jsonl)
    RWKVKIT_TEST_CLI      the rwkvkit binary (to make shards to read, and `rwkvkit merge`)
"""

import json
import os
import struct
import sys

import numpy as np
import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def _env_path(name, default):
    path = os.environ.get(name, default)
    if not os.path.exists(path):
        pytest.exit(f"{name}: {path} does not exist (run tools/setup.sh --test and build first)", returncode=2)
    return path


@pytest.fixture(scope="session")
def vocab_path():
    return _env_path("RWKVKIT_TEST_VOCAB", os.path.join(ROOT, ".rwkvkit", "vocab", "rwkv_vocab_v20230424.txt"))


@pytest.fixture(scope="session")
def corpus_path():
    return _env_path("RWKVKIT_TEST_CORPUS", os.path.join(ROOT, ".rwkvkit", "demo", "demo.jsonl"))


@pytest.fixture(scope="session")
def cli_path():
    return _env_path("RWKVKIT_TEST_CLI", os.path.join(ROOT, "build", "bin", "rwkvkit"))


@pytest.fixture(scope="session")
def corpus_texts(corpus_path):
    with open(corpus_path, encoding="utf-8") as f:
        return [json.loads(line)["text"] for line in f if line.strip()]


@pytest.fixture(scope="session")
def official(vocab_path):
    """The oracle: TRIE_TOKENIZER of the official `rwkv` package."""
    from rwkv.rwkv_tokenizer import TRIE_TOKENIZER

    return TRIE_TOKENIZER(vocab_path)


@pytest.fixture(scope="session")
def tok(vocab_path):
    import rwkvkit

    return rwkvkit.Tokenizer(vocab_path)


def golden_module():
    """tests/golden/golden_reference_test.py: its generators of hard inputs (invalid UTF-8,
    range boundaries, runs), shared so that both suites see the same cases."""
    sys.path.insert(0, os.path.join(ROOT, "tests", "golden"))
    try:
        import golden_reference_test
    finally:
        sys.path.pop(0)
    return golden_reference_test


def read_binidx(prefix):
    """An independent reader of the binidx format as RWKV-LM's binidx.py / Megatron's
    MMapIndexedDataset parse it (header, sizes, pointers, doc_idx), returning the documents
    as lists of ints and the whole .bin as one array."""
    with open(prefix + ".idx", "rb") as f:
        idx = f.read()
    assert idx[:9] == b"MMIDIDX\x00\x00", "magic"
    version, = struct.unpack_from("<Q", idx, 9)
    assert version == 1
    dtype_code = idx[17]
    dtype = {8: np.uint16, 4: np.int32}[dtype_code]
    n, m = struct.unpack_from("<QQ", idx, 18)
    pos = 34
    sizes = np.frombuffer(idx, dtype=np.int32, count=n, offset=pos)
    pos += 4 * n
    pointers = np.frombuffer(idx, dtype=np.int64, count=n, offset=pos)
    pos += 8 * n
    doc_idx = np.frombuffer(idx, dtype=np.int64, count=m, offset=pos)
    data = np.fromfile(prefix + ".bin", dtype=dtype)
    item = np.dtype(dtype).itemsize
    docs = []
    for d in range(m - 1):
        toks = []
        for s in range(doc_idx[d], doc_idx[d + 1]):
            start = pointers[s] // item
            toks.extend(data[start:start + sizes[s]].tolist())
        docs.append(toks)
    return docs, data
