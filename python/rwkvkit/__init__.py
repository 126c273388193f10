"""rwkvkit: the RWKV World tokenizer, binidx shards and the corpus pipeline from Python.

    >>> tok = rwkvkit.Tokenizer()                 # the World vocab
    >>> tok.encode("Hello world")
    [33155, 40213]

Contents: Tokenizer (encode, encode_numpy, encode_batch, decode, ...); TRIE_TOKENIZER and
RWKVTokenizer (drop-ins for rwkv's and pyrwkv_tokenizer's); open_shards (binidx documents as
zero-copy numpy views, RWKV-LM samples) and ShardWriter; training_numbers (RWKV-LM's
--my_exit_tokens / --magic_prime); build, stats and evaluate (rwkvkit build, stats, eval);
Error and its subclasses (rwkvkit.errors); rwkvkit.datatrove.RwkvDocumentTokenizer (a datatrove
step writing binidx); ``python -m rwkvkit bench tokenizer`` (rwkvkit.bench).

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
