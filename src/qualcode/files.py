"""Writing files so that a crash or an error never leaves half a file behind."""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
from collections.abc import Iterator
from pathlib import Path

SHARED_MODE = 0o666  # what open() asks for: the umask then decides who may read an export


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str], *, mode: int = SHARED_MODE) -> Iterator[Path]:
    """Yield a temporary path beside `path`; it replaces `path` only if the block succeeds.

    The file is created with `mode` less the umask, as open() would create it (0644 under
    the usual umask 0022), so an export can be shared like any saved file; pass 0o600 for a
    secret (mkstemp's 0600 made every export private whatever the umask said). Like open(),
    writing over a file keeps its permissions (never looser than `mode`): an export someone
    made private stays private when it is written again."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    while True:
        tmp = target.parent / f".{target.name}.{secrets.token_hex(4)}{target.suffix}"
        try:
            fd = os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, mode)
        except FileExistsError:
            continue
        os.close(fd)
        break
    try:
        yield tmp
        with contextlib.suppress(FileNotFoundError):  # as open() keeps them, once written
            os.chmod(tmp, stat.S_IMODE(target.stat().st_mode) & mode)
        os.replace(tmp, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
