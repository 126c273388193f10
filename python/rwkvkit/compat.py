"""Drop-in replacements for the tokenizers RWKV code is written against.

* :class:`TRIE_TOKENIZER` — ``rwkv.rwkv_tokenizer.TRIE_TOKENIZER`` of the official ``rwkv``
  package: ``encode``, ``encodeBytes``, ``decode`` (``'\\ufffd'`` for invalid UTF-8, as the
  original), ``decodeBytes``, ``printTokens``, ``idx2token`` / ``token2idx``.
* :class:`RWKVTokenizer` — ``pyrwkv_tokenizer.RWKVTokenizer`` (the Rust tokenizer on PyPI):
  ``encode``, ``encode_batch``, ``decode``, ``vocab_size()``, ``get_vocab()``.

Replace the import and nothing else (``from rwkvkit import TRIE_TOKENIZER``). Both return the
same ids as the originals (lists of ints) and are rwkvkit Tokenizers, so ``encode_numpy`` and
``encode_batch`` (all cores) are there too. docs/python.md ("Tokenizer").
"""

from __future__ import annotations

import os
from typing import Dict, Iterable, List, Optional

from ._rwkvkit import Tokenizer

__all__ = ["TRIE_TOKENIZER", "RWKVTokenizer"]


class TRIE_TOKENIZER(Tokenizer):  # noqa: N801 (the original's name)
    """``rwkv.rwkv_tokenizer.TRIE_TOKENIZER`` with rwkvkit's encoder (same ids)."""

    def __init__(self, file_name: "str | os.PathLike[str]") -> None:
        super().__init__(file_name)
        self._idx2token: Optional[Dict[int, bytes]] = None
        self._token2idx: Optional[Dict[bytes, int]] = None

    @property
    def idx2token(self) -> Dict[int, bytes]:
        """id -> token bytes, for every id in the vocab file (built on first use)."""
        if self._idx2token is None:
            self._idx2token = {i: self.token_bytes(i) for i in range(1, self.vocab_size) if self.is_valid_id(i)}
        return self._idx2token

    @property
    def token2idx(self) -> Dict[bytes, int]:
        """token bytes -> id (built on first use)."""
        if self._token2idx is None:
            self._token2idx = {v: k for k, v in self.idx2token.items()}
        return self._token2idx

    def encodeBytes(self, src: bytes) -> List[int]:  # noqa: N802
        return Tokenizer.encode(self, src)

    def decodeBytes(self, tokens: Iterable[int]) -> bytes:  # noqa: N802
        return self.decode_bytes(tokens)

    def encode(self, src: str) -> List[int]:  # type: ignore[override]
        return Tokenizer.encode(self, src)

    def decode(self, tokens: Iterable[int]) -> str:  # type: ignore[override]
        try:
            return Tokenizer.decode(self, tokens)
        except UnicodeDecodeError:
            return "\ufffd"  # bad utf-8, as the original

    def printTokens(self, tokens: Iterable[int]) -> None:  # noqa: N802
        for i in tokens:
            s = self.token_bytes(i)
            try:
                s = s.decode("utf-8")
            except UnicodeDecodeError:
                pass
            print(f"{repr(s)}{i}", end=" ")
        print()


class RWKVTokenizer(Tokenizer):
    """``pyrwkv_tokenizer.RWKVTokenizer`` with rwkvkit's encoder (same ids).

    Differences: ``decode`` of bytes that are not valid UTF-8 raises UnicodeDecodeError (the
    Rust package panics); ``get_vocab()`` maps the text of every token that is valid UTF-8
    to its id (the Rust package adds one placeholder key for all the others).
    """

    def __init__(self, name: str = "WorldTokenizer", vocab_filepath: "str | os.PathLike[str] | None" = None) -> None:
        if name != "WorldTokenizer":
            raise Exception(f"The {name} is not supported.")
        super().__init__(vocab_filepath)
        self.vocab_filepath = self.vocab_path

    def encode(self, text: str) -> List[int]:  # type: ignore[override]
        return Tokenizer.encode(self, text)

    def encode_batch(self, text_list: List[str]) -> List[List[int]]:  # type: ignore[override]
        return Tokenizer.encode_batch(self, text_list)

    def decode(self, tokens_ids: Iterable[int]) -> str:  # type: ignore[override]
        return Tokenizer.decode(self, tokens_ids)

    def vocab_size(self) -> int:  # type: ignore[override]
        return Tokenizer.vocab_size.__get__(self)  # type: ignore[attr-defined]

    def get_vocab(self) -> Dict[str, int]:
        vocab: Dict[str, int] = {}
        for i in range(1, Tokenizer.vocab_size.__get__(self)):  # type: ignore[attr-defined]
            if not self.is_valid_id(i):
                continue
            try:
                vocab[self.token_bytes(i).decode("utf-8")] = i
            except UnicodeDecodeError:
                pass
        return vocab
