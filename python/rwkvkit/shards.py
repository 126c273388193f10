"""Reading binidx shards: documents as zero-copy numpy views, and RWKV-LM's training samples.

``open_shards(path)`` takes a build directory (with its ``build.json``), a directory of shards,
a shard prefix, a ``.bin``/``.idx`` path, or a list of those. Every index is validated by the
same reader as ``rwkvkit inspect``; the ``.bin`` files are memory-mapped read-only and every
document is a numpy view of the mapping (no copy, no read until touched).

    >>> shards = rwkvkit.open_shards("build/demo_corpus")
    >>> doc = shards[0]                                # numpy.uint16 view; ends with token 0
    >>> x = shards.training_sample(0, ctx_len=4096)    # what RWKV-LM's trainer reads for sample 0

docs/python.md describes every method.
"""

from __future__ import annotations

import bisect
import json
import math
import mmap
import os
from typing import Any, Dict, Iterator, List, Optional, Sequence, Union

import numpy as np

from . import _rwkvkit
from .errors import DataLossError, InvalidArgumentError

__all__ = ["Shards", "open_shards", "training_numbers"]

PathLike = Union[str, "os.PathLike[str]"]

# RWKV-LM's trainers assert epoch_steps * real_bsz == 40320 samples per "epoch".
RWKV_LM_SAMPLES_PER_EPOCH = 40320


def training_numbers(tokens: int, ctx_len: int) -> Dict[str, Any]:
    """RWKV-LM's ``--my_exit_tokens`` and ``--magic_prime`` for ``tokens`` (make_data.py's rule).

    Returns a dict: ``my_exit_tokens``, ``ctx_len``, ``magic_prime`` (``None`` below
    3 * ctx_len tokens), ``trainer_accepts`` (the trainer's own assert
    ``0.9 < magic_prime / (tokens // ctx_len) <= 1``) and ``problem`` (why not, or "").
    """
    return _rwkvkit.training_numbers(int(tokens), int(ctx_len))


class _Shard:
    """One shard: its validated index and, once touched, its mapped .bin."""

    __slots__ = ("index", "_tokens", "_map")

    def __init__(self, index: "_rwkvkit.ShardIndex") -> None:
        self.index = index
        self._tokens: Optional[np.ndarray] = None
        self._map: Optional[mmap.mmap] = None

    def tokens(self) -> np.ndarray:
        if self._tokens is None:
            dtype = np.uint16 if self.index.dtype == "uint16" else np.int32
            if self.index.num_tokens == 0:
                self._tokens = np.empty(0, dtype=dtype)
            else:
                with open(self.index.bin_path, "rb") as f:
                    self._map = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
                have = len(self._map) // np.dtype(dtype).itemsize
                if have < self.index.num_tokens:
                    raise DataLossError(
                        f"{self.index.bin_path}: holds {have} tokens, its index "
                        f"{self.index.num_tokens} (truncated after it was opened?)", "DATA_LOSS",
                        self.index.bin_path)
                self._tokens = np.frombuffer(self._map, dtype=dtype, count=self.index.num_tokens)
        return self._tokens

    def close(self) -> None:
        self._tokens = None
        # Views handed out keep the mapping alive through their base; mmap.close() would
        # fail with them exported, so the mapping is left to the garbage collector.
        self._map = None


class Shards(Sequence[np.ndarray]):
    """The documents of one or more binidx shards, in shard order.

    A sequence: ``len(shards)`` documents, ``shards[i]`` (negative indices too) is document
    ``i`` as a numpy array viewing the memory-mapped ``.bin`` (``uint16``; ``int32`` for
    Megatron-style int32 shards), iteration yields every document. Each document ends with
    the end-of-text token 0 in shards rwkvkit writes.

    Attributes:
        paths: the shard prefixes, in order.
        build_info: the ``build.json`` of the build directory as a dict, or ``None``.
    """

    def __init__(self, prefixes: Sequence[str], build_info: Optional[Dict[str, Any]] = None) -> None:
        self.paths: List[str] = list(prefixes)
        self._shards = [_Shard(_rwkvkit.open_shard_index(p)) for p in self.paths]
        self._doc_starts = [0]
        self._token_starts = [0]
        for s in self._shards:
            self._doc_starts.append(self._doc_starts[-1] + s.index.num_documents)
            self._token_starts.append(self._token_starts[-1] + s.index.num_tokens)
        self.build_info = build_info
        self._sources: Optional[List[str]] = None

    # --- the sequence of documents -------------------------------------------------------
    def __len__(self) -> int:
        return self._doc_starts[-1]

    def __getitem__(self, i):  # type: ignore[override]
        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(len(self)))]
        i = int(i)
        n = len(self)
        if i < 0:
            i += n
        if not 0 <= i < n:
            raise IndexError(f"document {i} out of range (0..{n - 1})")
        s = bisect.bisect_right(self._doc_starts, i) - 1
        shard = self._shards[s]
        j = i - self._doc_starts[s]
        offsets = shard.index.doc_offsets
        return shard.tokens()[int(offsets[j]): int(offsets[j + 1])]

    def __iter__(self) -> Iterator[np.ndarray]:
        for shard in self._shards:
            tokens = shard.tokens()
            offsets = shard.index.doc_offsets
            for j in range(shard.index.num_documents):
                yield tokens[int(offsets[j]): int(offsets[j + 1])]

    def __enter__(self) -> "Shards":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def close(self) -> None:
        """Drops the mappings (documents already handed out stay valid)."""
        for s in self._shards:
            s.close()

    def __repr__(self) -> str:
        return (f"rwkvkit.Shards({len(self._shards)} shard(s), {len(self)} documents, "
                f"{self.num_tokens} tokens)")

    # --- sizes --------------------------------------------------------------------------
    @property
    def num_tokens(self) -> int:
        """Total tokens of all shards (end-of-text tokens included): RWKV-LM's data size."""
        return self._token_starts[-1]

    @property
    def num_shards(self) -> int:
        return len(self._shards)

    def document_lengths(self) -> np.ndarray:
        """Tokens of every document (numpy int64)."""
        parts = [np.diff(s.index.doc_offsets).astype(np.int64) for s in self._shards]
        return np.concatenate(parts) if parts else np.empty(0, dtype=np.int64)

    def shard_tokens(self, shard: int) -> np.ndarray:
        """Every token of one shard: the mapped ``.bin`` as one array."""
        return self._shards[shard].tokens()

    # --- sources (build.json) -------------------------------------------------------------
    def source_of(self, i: int) -> Optional[str]:
        """The source name of document ``i`` from build.json's ``source_runs`` (``None``
        without a build.json listing the shard)."""
        if self._sources is None:
            self._sources = self._document_sources()
        if i < 0:
            i += len(self)
        return self._sources[i] if self._sources else None

    def _document_sources(self) -> List[str]:
        info = self.build_info
        if not info or "shards" not in info or "sources" not in info:
            return []
        names = [s["name"] for s in info["sources"]]
        by_shard = {s["name"]: s for s in info["shards"]}
        out: List[str] = []
        for prefix, shard in zip(self.paths, self._shards):
            entry = by_shard.get(os.path.basename(prefix))
            if entry is None or "source_runs" not in entry:
                return []
            runs = [names[src] for src, count in entry["source_runs"] for _ in range(count)]
            if len(runs) != shard.index.num_documents:
                return []
            out.extend(runs)
        return out

    # --- the flat token stream, as RWKV-LM reads it ---------------------------------------
    def tokens(self, offset: int, length: int) -> np.ndarray:
        """``length`` tokens from token position ``offset`` of the shards read as one stream
        (what ``rwkvkit merge`` writes as one .bin). A view when the range lies in one shard,
        else a copy joining the pieces."""
        if offset < 0 or length < 0 or offset + length > self.num_tokens:
            raise IndexError(f"tokens [{offset}, {offset + length}) outside 0..{self.num_tokens}")
        s = bisect.bisect_right(self._token_starts, offset) - 1
        pieces = []
        while length > 0:
            local = offset - self._token_starts[s]
            take = min(length, self._shards[s].index.num_tokens - local)
            if take > 0:
                pieces.append(self._shards[s].tokens()[local: local + take])
            offset += take
            length -= take
            s += 1
        if len(pieces) == 1:
            return pieces[0]
        dtype = self._shards[0].tokens().dtype if self._shards else np.uint16
        return np.concatenate(pieces) if pieces else np.empty(0, dtype=dtype)

    def training_numbers(self, ctx_len: int) -> Dict[str, Any]:
        """RWKV-LM's numbers for these shards (see :func:`training_numbers`)."""
        return training_numbers(self.num_tokens, ctx_len)

    def training_sample_offset(self, idx: int, ctx_len: int, *, magic_prime: Optional[int] = None,
                               epoch: int = 0, rank: int = 0, world_size: int = 1,
                               samples_per_epoch: int = RWKV_LM_SAMPLES_PER_EPOCH,
                               pile_shift: int = 0) -> int:
        """The token offset RWKV-LM's dataset (``MyDataset.__getitem__``, RWKV-v5 with
        ``--my_pile_stage`` > 0 and RWKV-v7) reads sample ``idx`` from::

            ii = 1 + epoch * samples_per_epoch + idx * world_size + rank
            factor = int(magic_prime * (sqrt(5) - 1) / 2)
            offset = ((factor * ii**3) % magic_prime) * ctx_len + pile_shift

        ``magic_prime`` defaults to the one make_data.py computes for these shards; the
        trainer's asserts (prime, ``% 3 == 2``, ``0.9 < p / (tokens // ctx_len) <= 1``) are
        checked and an InvalidArgumentError says which one fails.
        """
        ctx_len = int(ctx_len)
        if ctx_len <= 0:
            raise InvalidArgumentError(f"ctx_len must be > 0 (saw {ctx_len})", "INVALID_ARGUMENT")
        if magic_prime is None:
            numbers = self.training_numbers(ctx_len)
            if numbers["magic_prime"] is None or not numbers["trainer_accepts"]:
                raise InvalidArgumentError(
                    f"RWKV-LM cannot train on these shards at ctx_len {ctx_len}: {numbers['problem']}",
                    "INVALID_ARGUMENT")
            magic_prime = numbers["magic_prime"]
        p = int(magic_prime)
        slots = self.num_tokens // ctx_len
        # The ratio first: a prime is tested only once 0 < p <= slots (a 64-bit number).
        if p % 3 != 2 or not (slots > 0 and 0.9 < p / slots <= 1) or not _rwkvkit.is_prime(p):
            raise InvalidArgumentError(
                f"magic_prime {p} fails RWKV-LM's asserts for {self.num_tokens} tokens at ctx_len "
                f"{ctx_len} (it must be a prime, % 3 == 2, and 0.9 < p / {slots} <= 1)", "INVALID_ARGUMENT")
        ii = 1 + int(epoch) * int(samples_per_epoch) + int(idx) * int(world_size) + int(rank)
        factor = int(p * ((math.sqrt(5) - 1) / 2))
        return ((factor * ii * ii * ii) % p) * ctx_len + int(pile_shift)

    def training_sample(self, idx: int, ctx_len: int, **kwargs: Any) -> np.ndarray:
        """The ``ctx_len + 1`` tokens RWKV-LM's trainer reads for sample ``idx``
        (``x = sample[:-1]``, ``y = sample[1:]``); keyword arguments as
        :meth:`training_sample_offset`."""
        offset = self.training_sample_offset(idx, ctx_len, **kwargs)
        return self.tokens(offset, int(ctx_len) + 1)


def open_shards(path: Union[PathLike, Sequence[PathLike]]) -> Shards:
    """Opens binidx shards for reading (see the module help).

    Args:
        path: a build directory, a directory of shards, a shard prefix, a ``.bin``/``.idx``
            path, or a list of those (read in the order given; a directory's shards by name).

    Raises:
        rwkvkit.NotFoundError: a path that is none of these.
        rwkvkit.DataLossError: a damaged shard (the message names the file and byte offset).
    """
    paths = [path] if isinstance(path, (str, bytes, os.PathLike)) else list(path)
    strs = [os.fsdecode(os.fspath(p)) for p in paths]
    prefixes = _rwkvkit.resolve_shards(strs)
    build_info = None
    if len(strs) == 1 and os.path.isdir(strs[0]):
        build_json = os.path.join(strs[0], "build.json")
        if os.path.exists(build_json):
            with open(build_json, "r", encoding="utf-8") as f:
                build_info = json.load(f)
    return Shards(prefixes, build_info)
