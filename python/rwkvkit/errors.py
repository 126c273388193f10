"""Exceptions raised by rwkvkit.

Every error of the C++ libraries arrives as a subclass of :class:`Error`, with the library's
message unchanged and, where the message names one, the file (``path``) and line (``line``)
it is about::

    try:
        rwkvkit.Tokenizer("broken_vocab.txt")
    except rwkvkit.Error as e:
        print(e.path, e.line, e)   # broken_vocab.txt 257 broken_vocab.txt:257: declared length ...

The subclasses also derive from the matching built-in exception (``FileNotFoundError``,
``ValueError``), so code that catches those keeps working.
"""

from __future__ import annotations

import re
from typing import Optional

__all__ = [
    "Error",
    "NotFoundError",
    "InvalidArgumentError",
    "DataLossError",
    "FailedPreconditionError",
    "UnavailableError",
    "CancelledError",
    "from_status",
]

# "path:line: message" or "path:line:col: message" at the start of a library message.
_WHERE = re.compile(r"^(?P<path>[^\s:][^:\n]*?):(?P<line>\d+)(?::\d+)?: ")
# "path: ..." where path looks like a file (has a / or a dot), e.g. "demo.json: sources[2]..."
_PATH = re.compile(r"^(?P<path>[^\s:]*[./][^:\n]*?): ")


class Error(Exception):
    """An error reported by rwkvkit's C++ libraries.

    Attributes:
        code: the status code name (``"NOT_FOUND"``, ``"DATA_LOSS"``, ...).
        path: the file the message names, or ``None``.
        line: the line number the message names, or ``None``.
    """

    def __init__(self, message: str, code: str = "UNKNOWN", path: Optional[str] = None,
                 line: Optional[int] = None) -> None:
        super().__init__(message)
        self.code = code
        self.path = path
        self.line = line


class NotFoundError(Error, FileNotFoundError):
    """A file or directory does not exist."""

    def __str__(self) -> str:  # FileNotFoundError would print errno fields
        return str(self.args[0]) if self.args else ""


class InvalidArgumentError(Error, ValueError):
    """Bad input: a malformed file, an option out of range."""


class DataLossError(Error):
    """A damaged or truncated file (a shard, a checkpoint); the message names the byte offset."""


class FailedPreconditionError(Error):
    """The work cannot start as things are (a locked output directory, a missing CUDA plugin)."""


class UnavailableError(Error, OSError):
    """An I/O failure while writing output."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class CancelledError(Error):
    """The work was stopped on request (rwkvkit.build & co. raise KeyboardInterrupt instead)."""


_BY_CODE = {
    "CANCELLED": CancelledError,
    "NOT_FOUND": NotFoundError,
    "INVALID_ARGUMENT": InvalidArgumentError,
    "OUT_OF_RANGE": InvalidArgumentError,
    "DATA_LOSS": DataLossError,
    "FAILED_PRECONDITION": FailedPreconditionError,
    "UNAVAILABLE": UnavailableError,
    "PERMISSION_DENIED": FailedPreconditionError,
}


def from_status(code: str, message: str) -> Error:
    """The exception for a library status (called by the extension)."""
    path: Optional[str] = None
    line: Optional[int] = None
    m = _WHERE.match(message)
    if m:
        path, line = m.group("path"), int(m.group("line"))
    else:
        m = _PATH.match(message)
        if m:
            path = m.group("path")
    cls = _BY_CODE.get(code, Error)
    exc = cls(message, code, path, line)
    if isinstance(exc, OSError) and path is not None:
        exc.filename = path
    return exc
