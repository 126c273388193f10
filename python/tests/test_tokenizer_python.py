"""The Python side of rwkvkit.Tokenizer: zero-copy arrays, the GIL released by encode_batch,
no memory growth over many calls, pickling, the default vocab and its compiled tokenizer file,
errors with file and line."""

import gc
import os
import pickle
import shutil
import subprocess
import sys
import threading
import warnings

import numpy as np
import pytest

import rwkvkit


def test_encode_numpy_into_out_is_a_view(tok):
    out = np.zeros(64, dtype=np.uint16)
    ids = tok.encode_numpy("Hello world", out=out)
    assert ids.tolist() == [33155, 40213]
    assert ids.base is out and np.shares_memory(ids, out)
    assert out[:2].tolist() == [33155, 40213]
    with pytest.raises(ValueError, match="room"):
        tok.encode_numpy("Hello world", out=np.zeros(3, dtype=np.uint16))


def test_encode_numpy_owns_the_encoder_buffer(tok):
    ids = tok.encode_numpy("Hello world " * 1000)
    assert ids.dtype == np.uint16 and ids.ndim == 1
    assert not ids.flags.owndata  # numpy wraps the encoder's buffer; nothing was copied into it
    assert ids.base is not None
    assert ids.tolist() == tok.encode("Hello world " * 1000)


def test_encode_batch_numpy_offsets(tok):
    ids, offsets = tok.encode_batch_numpy(["Hello world", "", "a b"])
    assert offsets.tolist() == [0, 2, 2, 4]
    assert ids.tolist() == [33155, 40213, 98, 333]
    assert tok.encode_batch(iter(["x", "y"])) == [[121], [122]]
    with pytest.raises(ValueError):
        tok.encode_batch(["x"], threads=0)


def test_encode_batch_releases_the_gil(tok, corpus_texts):
    texts = corpus_texts * 2  # ~32 MB: long enough that the other thread gets to run
    running = threading.Event()
    stop = threading.Event()
    count = [0]

    def spin():
        running.set()
        while not stop.is_set():
            count[0] += 1

    t = threading.Thread(target=spin)
    t.start()
    running.wait()
    before = count[0]
    tok.encode_batch(texts, threads=1)
    during = count[0] - before
    stop.set()
    t.join()
    # With the GIL held for the whole call, the other thread could run a few bytecodes at most
    # (between reading `before` and the call); released, it runs the whole time.
    assert during > 10000, f"the other Python thread ran only {during} iterations during encode_batch"


def test_encode_batch_any_thread_count_equals_the_official_tokenizer(tok, official, corpus_texts):
    # Texts are encoded in chunks of about 128 KB by several threads while the lists are made:
    # many small texts, empty ones, bytes-like ones and one text larger than a chunk.
    texts = corpus_texts[:600] + ["", b"", bytearray(b"x y"), "".join(corpus_texts[600:700]), ""]
    want = [official.encode(t) if isinstance(t, str) else official.encodeBytes(bytes(t)) for t in texts]
    assert len(texts[-2].encode()) > 128 * 1024
    for threads in (1, 2, 3, 16, None):
        got = tok.encode_batch(texts, threads=threads)
        assert type(got) is list and all(type(ids) is list for ids in got)
        assert got == want, f"threads={threads}"
    assert tok.encode_batch([]) == []


def test_id_lists_are_ordinary_lists(tok):
    # The lists share one int object per id; each holds its own reference to it.
    ids = tok.encode("Hello world")
    assert type(ids) is list and ids == [33155, 40213]
    assert gc.is_tracked(ids)  # an ordinary list: the cycle collector sees it
    hello = ids[0]
    base = sys.getrefcount(hello)
    lists = [tok.encode("Hello world") for _ in range(1000)] + tok.encode_batch(["Hello"] * 1000, threads=2)
    assert sys.getrefcount(hello) == base + 2000
    lists[0].append(lists[0])  # a cycle through an id list is collected like any other
    del lists
    gc.collect()
    assert sys.getrefcount(hello) == base
    ids.append(7)
    ids.sort()
    assert ids == [7, 33155, 40213]


def test_encode_numpy_keeps_only_the_ids(tok):
    text = "Hello world " * 1000  # room for 12,000 ids is made, then cut to the ids
    ids = tok.encode_numpy(text)
    assert ids.shape == (len(tok.encode(text)),) and ids.tolist() == tok.encode(text)
    assert tok.encode_numpy("").shape == (0,)


def rss_bytes():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def test_no_rss_growth_over_100k_calls(tok):
    texts = ["Hello world", "今天是美好的一天。", "x" * 300, "def f(x):\n    return x\n"]
    ids = tok.encode(texts[1])
    arr = np.array(ids, dtype=np.uint16)
    out = np.zeros(400, dtype=np.uint16)

    def round_(n):
        for i in range(n):
            s = texts[i & 3]
            tok.encode(s)
            tok.encode_numpy(s)
            tok.encode_numpy(s, out=out)
            tok.decode(ids)
            tok.decode(arr)
            tok.decode_bytes(ids)
            if i % 100 == 0:
                tok.encode_batch(texts)
                tok.encode_batch_numpy(texts)

    round_(10000)  # warm-up: scratch buffers, allocator pools
    before = rss_bytes()
    round_(100000)
    grown = rss_bytes() - before
    assert grown < 4 * 1024 * 1024, f"RSS grew by {grown} bytes over 100k calls"


def test_pickle_and_repr(tok):
    copy = pickle.loads(pickle.dumps(tok))
    assert copy.vocab_path == tok.vocab_path
    assert copy.encode("Hello world") == [33155, 40213]
    assert "vocab_size=65530" in repr(tok)


def test_default_vocab(vocab_path, monkeypatch):
    monkeypatch.setenv("RWKVKIT_VOCAB", vocab_path)
    assert rwkvkit.Tokenizer().vocab_path == vocab_path
    monkeypatch.delenv("RWKVKIT_VOCAB")
    packaged = rwkvkit.Tokenizer()  # the copy inside the package
    assert os.path.dirname(packaged.vocab_path).endswith(os.path.join("rwkvkit", "data"))
    with open(packaged.vocab_path, "rb") as a, open(vocab_path, "rb") as b:
        assert a.read() == b.read()


def test_compiled_file(vocab_path, tmp_path, monkeypatch):
    # The package's vocab has its compiled tokenizer file, which loads without a warning.
    monkeypatch.delenv("RWKVKIT_VOCAB", raising=False)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        packaged = rwkvkit.Tokenizer()
    assert os.path.isfile(packaged.vocab_path + ".compiled")
    # A damaged one is ignored with a RuntimeWarning, and the vocab built: the same ids.
    v = tmp_path / "v.txt"
    shutil.copy(vocab_path, v)
    (tmp_path / "v.txt.compiled").write_bytes(b"RWKVTOKC" + bytes(100))
    with pytest.warns(RuntimeWarning, match=r"v\.txt\.compiled: ignored"):
        t = rwkvkit.Tokenizer(v)
    assert t.encode("Hello world") == packaged.encode("Hello world") == [33155, 40213]
    text = "Today is a beautiful day. 今天是美好的一天。\n\xff\x00 naïve"
    assert t.encode(text) == packaged.encode(text)


def test_errors_carry_file_and_line(tmp_path):
    bad = tmp_path / "v.txt"
    bad.write_text("1 'a' 1\n2 'bc' 3\n", encoding="utf-8")
    with pytest.raises(rwkvkit.InvalidArgumentError) as e:
        rwkvkit.Tokenizer(bad)
    assert e.value.path == str(bad) and e.value.line == 2
    assert "declared length 3" in str(e.value)
    assert isinstance(e.value, ValueError)
    with pytest.raises(FileNotFoundError) as e:
        rwkvkit.Tokenizer(tmp_path / "missing.txt")
    assert isinstance(e.value, rwkvkit.NotFoundError)
    assert e.value.path == str(tmp_path / "missing.txt")


def test_help_reads_well():
    doc = rwkvkit.Tokenizer.__doc__
    assert "TRIE_TOKENIZER" in doc and "Example" in doc
    for name in ("encode", "encode_numpy", "encode_batch", "decode", "decode_bytes", "token_bytes", "count_bytes"):
        assert getattr(rwkvkit.Tokenizer, name).__doc__, name
    stub = os.path.join(os.path.dirname(rwkvkit.__file__), "_rwkvkit.pyi")
    with open(stub, encoding="utf-8") as f:
        text = f.read()
    assert "def encode_batch(self, texts:" in text and "class Tokenizer" in text


def test_import_leaves_no_blas_workers():
    # The OpenBLAS the extension links starts worker threads when it loads (one per extra core);
    # they would spin on sched_yield for ~0.1 s of a core. Importing rwkvkit stops them again.
    code = """if True:
        import os
        def workers():  # threads named as the process: OpenBLAS's workers are, jemalloc's is not
            me = open("/proc/self/comm").read()
            return sum(open(f"/proc/self/task/{t}/comm").read() == me for t in os.listdir("/proc/self/task"))
        import numpy, pyarrow  # their own threads first
        before = workers()
        import rwkvkit
        print(before, workers())
    """
    env = {k: v for k, v in os.environ.items() if k not in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "GOTO_NUM_THREADS")}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout.split()
    assert out[0] == out[1], f"threads named as the process before/after import rwkvkit: {out}"
