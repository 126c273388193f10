"""Where the package finds its files: the World vocab."""

from __future__ import annotations

import os

VOCAB_FILE_NAME = "rwkv_vocab_v20230424.txt"


def packaged_vocab() -> str:
    """The World vocab shipped inside the package (it may be missing in a bare build)."""
    return os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", VOCAB_FILE_NAME)


def default_vocab() -> str:
    """``$RWKVKIT_VOCAB``, else the vocab inside the package (as the CLI: --vocab, the
    environment, then its own copy)."""
    env = os.environ.get("RWKVKIT_VOCAB")
    if env:
        return env
    path = packaged_vocab()
    if os.path.exists(path):
        return path
    from .errors import NotFoundError

    raise NotFoundError(
        f"no vocab: pass vocab=PATH, set RWKVKIT_VOCAB, or reinstall rwkvkit with the vocab "
        f"(tools/setup.sh fetches it; the build copies it to {path})", "NOT_FOUND", path)
