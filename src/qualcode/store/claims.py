"""A claim on a named piece of work (one pipeline area), held in a PostgreSQL store while
the work runs, so two hosts sharing the store never run it at once.

The claim is a session-level advisory lock (`pg_try_advisory_lock`) on a connection of its
own, keyed by the name; advisory locks belong to one database, so two projects never
collide. The server drops it when the holder's connection ends, so a crashed or killed host
leaves no stale claim to time out (unlike a lock file on a shared folder). The connection's
`application_name` says who holds it (host, pid, start), read back from `pg_stat_activity`
for the message another host shows. A SQLite store is one file on one host: there is
nothing to claim (`claim` yields without a lock; the reports folder's lock file is enough).
No table is added: the schema is unchanged.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Iterator

from sqlalchemy import text

from qualcode.errors import StoreError
from qualcode.store.engine import connect, resolve_url

PREFIX = "qualcode claim "  # application_name of a claiming connection


class ClaimedError(StoreError):
    """Another connection holds the claim; `holder` says whose it is, as far as known."""

    def __init__(self, name: str, holder: str) -> None:
        super().__init__(f"{name!r} is claimed in the store by {holder}")
        self.holder = holder


def claim_key(name: str) -> int:
    """The advisory lock key of `name`: a positive 63-bit number from its sha256."""
    digest = hashlib.sha256(f"qualcode-claim:{name}".encode()).digest()
    return int.from_bytes(digest[:8], "big") >> 1


@contextlib.contextmanager
def claim(target: str, name: str, *, holder: str) -> Iterator[bool]:
    """Hold the store's claim on `name` for the block (True), or raise ClaimedError naming
    who holds it; on SQLite, yields False and claims nothing."""
    url = resolve_url(target)
    if not url.startswith("postgresql"):
        yield False
        return
    engine = connect(url)
    key = claim_key(name)
    try:
        with engine.connect() as conn:
            conn.execute(
                text("SELECT set_config('application_name', :n, false)"),
                {"n": (PREFIX + holder)[:63]},
            )
            taken = conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": key}).scalar()
            conn.commit()
            if not taken:
                raise ClaimedError(name, _holder(conn, key))
            try:
                yield True
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
                conn.commit()
    finally:
        engine.dispose()


def _holder(conn: object, key: int) -> str:
    """Who holds the advisory lock `key`: the holder's application_name, else its address."""
    row = conn.execute(  # type: ignore[attr-defined]
        text(
            "SELECT a.application_name, a.client_addr FROM pg_locks l "
            "JOIN pg_stat_activity a ON a.pid = l.pid WHERE l.locktype = 'advisory' "
            "AND l.granted AND l.database = (SELECT oid FROM pg_database "
            "WHERE datname = current_database()) "
            "AND ((l.classid::bigint << 32) | l.objid::bigint) = :k"
        ),
        {"k": key},
    ).first()
    if row is None:
        return "another run (it has just finished)"
    name, address = row
    if name and name.startswith(PREFIX):
        return name[len(PREFIX) :]
    return f"a connection from {address or 'this server'}"
