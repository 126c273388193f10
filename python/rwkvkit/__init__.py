"""rwkvkit: the RWKV World tokenizer, binidx shards and the corpus pipeline from Python.

    >>> import rwkvkit
    >>> tok = rwkvkit.Tokenizer()                 # the World vocab
    >>> tok.encode("Hello world")
    [33155, 40213]
    >>> shards = rwkvkit.open_shards("build/demo_corpus")
    >>> shards[0]                                 # numpy.uint16 view of the mapped .bin

Contents:
    Tokenizer        the World tokenizer (encode, encode_numpy, encode_batch, decode, ...)
    TRIE_TOKENIZER   drop-in for rwkv.rwkv_tokenizer.TRIE_TOKENIZER
    RWKVTokenizer    drop-in for pyrwkv_tokenizer.RWKVTokenizer
    open_shards      documents of binidx shards as zero-copy numpy views; RWKV-LM samples
    training_numbers RWKV-LM's --my_exit_tokens / --magic_prime for a token count
    ShardWriter      writes one binidx shard (the writer of rwkvkit build)
    build            the corpus pipeline (rwkvkit build) with progress, Ctrl-C, resume
    stats            the corpus report (rwkvkit stats): report.{json,html,md}
    evaluate         perplexity and bits per byte under a checkpoint (rwkvkit eval), CPU or CUDA
    Error, ...       exceptions (rwkvkit.errors)
    rwkvkit.datatrove.RwkvDocumentTokenizer   a datatrove step writing binidx (needs datatrove)
    python -m rwkvkit bench tokenizer   World vs HF / tiktoken / SentencePiece tokenizers (rwkvkit.bench)

docs/python.md in the source tree describes everything.
"""

from __future__ import annotations

from . import errors
from ._rwkvkit import ShardWriter, Tokenizer
from .compat import RWKVTokenizer, TRIE_TOKENIZER
from .errors import (DataLossError, Error, FailedPreconditionError, InvalidArgumentError, NotFoundError,
                     UnavailableError)
from .pipeline import build, evaluate, stats
from .shards import Shards, open_shards, training_numbers

__version__ = "0.1.0"

__all__ = [
    "Tokenizer",
    "TRIE_TOKENIZER",
    "RWKVTokenizer",
    "Shards",
    "open_shards",
    "ShardWriter",
    "training_numbers",
    "build",
    "stats",
    "evaluate",
    "Error",
    "NotFoundError",
    "InvalidArgumentError",
    "DataLossError",
    "FailedPreconditionError",
    "UnavailableError",
    "errors",
]
