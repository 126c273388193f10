"""rwkvkit.datatrove.RwkvDocumentTokenizer in a datatrove pipeline: the shards are byte for
byte what datatrove's own binidx writer (MegatronTokenizedFile, the writer of its
MegatronDocumentTokenizer) writes for the official TRIE_TOKENIZER's ids of the documents
datatrove's reader gives each rank, each followed by the end-of-text token 0."""

import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from datatrove.data import Document
from datatrove.executor import LocalPipelineExecutor
from datatrove.pipeline.readers import ParquetReader
from datatrove.pipeline.tokens.megatron_tokenizer import MegatronTokenizedFile

import rwkvkit
from rwkvkit.datatrove import RwkvDocumentTokenizer


def test_shards_equal_datatrove_megatron_writer(tmp_path, corpus_texts, official, vocab_path):
    inputs = tmp_path / "in"
    inputs.mkdir()
    # Two Parquet files, two tasks: rank r reads file r. An empty text is skipped by the reader.
    files = [corpus_texts[:150] + ["", "naïve 今天 😀 \x00 end"], corpus_texts[150:400]]
    for k, texts in enumerate(files):
        pq.write_table(pa.table({"id": [f"{k}-{i}" for i in range(len(texts))], "text": texts}),
                       inputs / f"part{k}.parquet")
    out = tmp_path / "out"
    step = RwkvDocumentTokenizer(str(out), save_filename="demo", vocab=vocab_path, batch_size=64, threads=2)
    LocalPipelineExecutor(pipeline=[ParquetReader(str(inputs)), step], tasks=2, workers=1,
                          logging_dir=str(tmp_path / "logs")).run()

    ref = tmp_path / "ref"
    total = 0
    for rank in range(2):
        writer = MegatronTokenizedFile(str(ref), f"demo_{rank:05d}_tokens", token_size=2)
        docs = 0
        for doc in ParquetReader(str(inputs))(rank=rank, world_size=2):
            ids = official.encode(doc.text) + [0]
            writer.write(ids)
            total += len(ids)
            docs += 1
        writer.close()
        assert docs == len([t for t in files[rank] if t])
        for ext in (".bin", ".idx"):
            name = f"demo_{rank:05d}_tokens{ext}"
            assert (out / name).read_bytes() == (ref / name).read_bytes(), name
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in ref.iterdir())
    with rwkvkit.open_shards(str(out)) as shards:
        assert shards.num_tokens == total and shards.num_shards == 2
    stats = json.loads((tmp_path / "logs" / "stats.json").read_text())
    tokens = [s["stats"]["tokens"] for s in stats if s["name"].startswith("🔢")]
    assert tokens[0]["total"] == total


def test_output_must_be_local_and_nothing_partial_on_error(tmp_path, vocab_path):
    with pytest.raises(ValueError, match="local folder"):
        RwkvDocumentTokenizer("memory://shards")

    step = RwkvDocumentTokenizer(str(tmp_path), vocab=vocab_path)
    docs = [Document(text="fine", id="0"), Document(text=None, id="1")]  # no text: encoding the batch fails
    with pytest.raises(TypeError):
        step.run(iter(docs), rank=3)
    assert list(tmp_path.iterdir()) == []  # no shard, no temporary file left


def test_shard_writer_checks_its_input(tmp_path, tok):
    ids, offsets = tok.encode_batch_numpy(["Hello world", "", "a b"])
    w = rwkvkit.ShardWriter(tmp_path / "x")
    with pytest.raises(TypeError):  # no silent narrowing of wider ids
        w.add_documents(ids.astype("int32"), offsets)
    with pytest.raises(ValueError, match="non-decreasing"):
        w.add_documents(ids, offsets[::-1].copy())
    w.add_documents(ids, offsets, end_of_text=False)
    assert (w.documents, w.tokens) == (3, 4)
    assert w.finish()["bin_bytes"] == 8
    with pytest.raises(rwkvkit.FailedPreconditionError):
        w.add_documents(ids, offsets)
    with rwkvkit.open_shards(str(tmp_path / "x")) as shards:
        assert [d.tolist() for d in shards] == [[33155, 40213], [], [98, 333]]


def test_shard_writer_from_several_threads(tmp_path, tok):
    # Calls on one writer from several Python threads (each releases the GIL while it writes)
    # are ordered by the writer's mutex: every document arrives whole.
    import threading

    ids, offsets = tok.encode_batch_numpy(["Hello world"] * 50)
    w = rwkvkit.ShardWriter(tmp_path / "t")

    def add():
        for _ in range(20):
            w.add_documents(ids, offsets)

    threads = [threading.Thread(target=add) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert (w.documents, w.tokens) == (4 * 20 * 50, 4 * 20 * 50 * 3)
    summary = w.finish()
    assert summary["documents"] == 4000
    with rwkvkit.open_shards(str(tmp_path / "t")) as shards:
        assert all(d.tolist() == [33155, 40213, 0] for d in shards)

    closed = rwkvkit.ShardWriter(tmp_path / "c")
    closed.close()
    with pytest.raises(ValueError, match="closed"):
        closed.add_documents(ids, offsets)
    assert (closed.documents, closed.tokens) == (0, 0)
