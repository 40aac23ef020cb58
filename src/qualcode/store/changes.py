"""Telling open panels in this kernel that a committed write changed the codebook.

The store is the only writer, so it is the one place that knows: a code writer marks its
transaction (`mark`), and `engine.write_transaction` tells the store's listeners once that
transaction has committed (never for one rolled back). Listeners are per store (its URL), so
two `Project`s opened on one file both hear it. A bound method is held weakly, so a panel
nobody holds any more is not kept alive by listening; `Listening.stop()` ends it at once.
"""

from __future__ import annotations

import logging
import threading
import weakref
from collections.abc import Callable
from typing import Any

CODEBOOK = "codebook"
_INFO_KEY = "qualcode.changed"
_log = logging.getLogger(__name__)
_lock = threading.Lock()
_listeners: dict[tuple[str, str], list[Listening]] = {}


class Listening:
    """One listener of one store's changes; `stop()` ends it (closing a panel does)."""

    def __init__(self, key: tuple[str, str], callback: Callable[[], Any]) -> None:
        self._key = key
        self._ref: Callable[[], Callable[[], Any] | None]
        if hasattr(callback, "__self__") and hasattr(callback, "__func__"):
            self._ref = weakref.WeakMethod(callback)  # type: ignore[arg-type]
        else:
            self._ref = lambda: callback  # a plain function lives until stop()

    @property
    def active(self) -> bool:
        """Still listening: not stopped, and its object still alive."""
        with _lock:
            alive = self in _listeners.get(self._key, [])
        return alive and self._ref() is not None

    def stop(self) -> None:
        """Listen no more (idempotent)."""
        with _lock:
            kept = [x for x in _listeners.get(self._key, []) if x is not self]
            _listeners[self._key] = kept

    def _callback(self) -> Callable[[], Any] | None:
        return self._ref()


def store_key(conn: Any) -> str:
    """Which store a connection (or engine) is on: its URL, password hidden."""
    return str(conn.engine.url)


def listen(store: str, callback: Callable[[], Any], topic: str = CODEBOOK) -> Listening:
    """Call `callback()` after each committed write that changes `topic` in `store`."""
    listening = Listening((store, topic), callback)
    with _lock:
        _listeners.setdefault((store, topic), []).append(listening)
    return listening


def mark(conn: Any, topic: str = CODEBOOK) -> None:
    """Note that this transaction changes `topic` (a code writer calls this)."""
    conn.info.setdefault(_INFO_KEY, set()).add(topic)


def take(conn: Any) -> set[str]:
    """The topics this connection's transaction changed, forgetting them."""
    return set(conn.info.pop(_INFO_KEY, ()))


def tell(store: str, topics: set[str]) -> None:
    """Call the listeners of `topics` in `store`, after the commit; a failing listener is
    logged, never the writer's error (its write is saved)."""
    for topic in sorted(topics):
        with _lock:
            alive = [x for x in _listeners.get((store, topic), []) if x._callback() is not None]
            _listeners[(store, topic)] = alive
        for listening in alive:
            callback = listening._callback()
            if callback is None:
                continue
            try:
                callback()
            except Exception:
                _log.exception("a listener of %s changes in %s failed", topic, store)
