"""rwkvkit.datatrove: a datatrove pipeline step that tokenizes with rwkvkit and writes binidx.

``RwkvDocumentTokenizer`` takes the place of datatrove's ``MegatronDocumentTokenizer``: the
same file names (``<save_filename>_<rank:05d>_tokens.bin`` / ``.idx`` in ``output_folder``, one
shard per task) and the same binidx bytes as datatrove's own writer, with the ids of the RWKV
World tokenizer and the end-of-text token 0 after every document, as RWKV-LM trains on them.
datatrove is not a dependency of rwkvkit: import this module where it is installed.

    LocalPipelineExecutor(pipeline=[JsonlReader("data/"), RwkvDocumentTokenizer("shards/")], tasks=4).run()

docs/python.md ("datatrove step").
"""

from __future__ import annotations

import os
from typing import Optional, Union

from datatrove.data import DocumentsPipeline
from datatrove.io import DataFolderLike, get_datafolder
from datatrove.pipeline.base import PipelineStep
from datatrove.utils.batching import batched
from datatrove.utils.logging import logger

from ._rwkvkit import ShardWriter, Tokenizer

__all__ = ["RwkvDocumentTokenizer"]


class RwkvDocumentTokenizer(PipelineStep):
    """Tokenizes the documents with rwkvkit's World tokenizer and writes one binidx shard per rank.

    Args:
        output_folder: the local folder of the shards (made if missing).
        save_filename: the start of the shard names (``None``: none), as in datatrove's
            ``MegatronDocumentTokenizer``: ``<save_filename>_<rank:05d>_tokens``.
        vocab: a World-format vocab file (``None``: the World vocab, as ``rwkvkit.Tokenizer()``).
        end_of_text: append the end-of-text token 0 after every document (RWKV-LM's shards).
        batch_size: documents encoded per ``encode_batch_numpy`` call.
        threads: encoding threads per task (``None``: every core; give 1 when many tasks run
            at once).

    The shard appears under its name only when the task has read all its documents (the
    files are written under temporary names, fsynced and renamed); a failed task leaves
    nothing under the final names. Stats: ``tokens`` per document, end-of-text included.
    """

    name = "✍️ rwkvkit binidx writer"
    type = "🔢 - TOKENIZER"

    def __init__(self, output_folder: DataFolderLike, save_filename: Optional[str] = None,
                 vocab: Optional[Union[str, os.PathLike]] = None, end_of_text: bool = True,
                 batch_size: int = 10000, threads: Optional[int] = None) -> None:
        super().__init__()
        self.output_folder = get_datafolder(output_folder)
        if not self.output_folder.is_local():
            raise ValueError(f"output_folder must be a local folder (rwkvkit's binidx writer writes local files), "
                             f"got {output_folder!r}")
        if batch_size < 1:
            raise ValueError("batch_size must be >= 1")
        self.save_filename = save_filename
        self.vocab = None if vocab is None else os.fspath(vocab)
        self.end_of_text = end_of_text
        self.batch_size = batch_size
        self.threads = threads

    def shard_prefix(self, rank: int) -> str:
        """The path of rank ``rank``'s shard without .bin/.idx."""
        name = "_".join(x for x in (self.save_filename, f"{rank:05d}", "tokens") if x)
        return os.path.join(self.output_folder.path, name)

    def run(self, data: DocumentsPipeline, rank: int = 0, world_size: int = 1) -> None:
        """Writes rank ``rank``'s shard from ``data``; yields no documents (the last step)."""
        tok = Tokenizer(self.vocab)
        prefix = self.shard_prefix(rank)
        os.makedirs(os.path.dirname(prefix), exist_ok=True)
        logger.info(f'Tokenizing in "{prefix}"...')
        writer = ShardWriter(prefix)
        try:
            for batch in batched(data, self.batch_size):
                with self.track_time(unit="batch"):
                    ids, offsets = tok.encode_batch_numpy([doc.text for doc in batch], threads=self.threads)
                    writer.add_documents(ids, offsets, end_of_text=self.end_of_text)
                for n in (offsets[1:] - offsets[:-1]).tolist():
                    self.stat_update("tokens", value=n + int(self.end_of_text))
            if writer.documents == 0:
                logger.warning("No data saved.")
            writer.finish()
        finally:
            writer.close()
