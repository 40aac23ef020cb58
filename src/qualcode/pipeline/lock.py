"""One run of an area at a time: a lock file per area, `reports/<area>/.lock`.

The lock holds the pid, host and start time of its run. A lock left by a process that is gone
(same host), or older than `max_age_hours` (another host), is stale and taken over. On a
PostgreSQL store the run also holds the area's claim in the store (`store.claims`: an
advisory lock the server drops when the holder's connection ends), so hosts that share the
store never run one area at once even if their reports folders' locks disagree.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from qualcode.pipeline.errors import PipelineError
from qualcode.store.claims import ClaimedError, claim

LOCK_NAME = ".lock"


class LockedError(PipelineError):
    """Another run holds an area's lock."""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def lock_holder(path: Path, *, max_age_hours: float = 12.0) -> dict[str, Any] | None:
    """Who holds the lock at `path`, or None if it is free or stale (a dead process on this
    host, a lock older than `max_age_hours` from another host, or an unreadable old file)."""
    try:
        raw = path.read_text(encoding="utf-8")
        age = time.time() - path.stat().st_mtime
    except FileNotFoundError:
        return None
    try:
        holder = json.loads(raw)
        pid, host = int(holder["pid"]), str(holder["host"])
    except (ValueError, KeyError, TypeError):
        return None if age > 60 else {"pid": "?", "host": "?", "started": "just now"}
    if host == socket.gethostname():
        return holder if _alive(pid) else None
    return holder if age < max_age_hours * 3600 else None


def _take(path: Path, mine: dict[str, Any], *, max_age_hours: float) -> None:
    """Create the lock file atomically, taking over a stale one; LockedError names a live
    holder."""
    for _attempt in range(2):
        try:
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            holder = lock_holder(path, max_age_hours=max_age_hours)
            if holder is not None:
                raise LockedError(
                    f"area {path.parent.name!r} is being run by pid {holder.get('pid')} on "
                    f"{holder.get('host')} since {holder.get('started')} (lock {path}); "
                    "wait for it to finish, or remove the lock if that process is gone"
                ) from None
            with contextlib.suppress(FileNotFoundError):
                path.unlink()  # stale: the process that wrote it is gone
            continue
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(mine, fh)
        return
    raise LockedError(f"could not take the lock {path}; another run took it first")


@contextlib.contextmanager
def area_lock(
    folder: Path, *, run_id: str, max_age_hours: float = 12.0, store: str | None = None
) -> Iterator[Path]:
    """Hold `folder/.lock` for the block (created atomically), and the area's claim in
    `store` if it is PostgreSQL; a stale lock is taken over, a live lock or claim raises
    LockedError naming its holder."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / LOCK_NAME
    mine = {
        "pid": os.getpid(),
        "host": socket.gethostname(),
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
        "run": run_id,
    }
    _take(path, mine, max_age_hours=max_age_hours)
    try:
        with contextlib.ExitStack() as stack:
            if store is not None:
                who = f"pid {mine['pid']} on {mine['host']} since {mine['started']}"
                try:
                    stack.enter_context(claim(store, f"pipeline:{folder.name}", holder=who))
                except ClaimedError as exc:
                    raise LockedError(
                        f"area {folder.name!r} is being run by {exc.holder} (its claim in the "
                        "store); wait for that run to finish"
                    ) from None
            yield path
    finally:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
