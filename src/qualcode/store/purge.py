"""Purging: an earlier version of a pseudonymised document loses its original text for good.

The version keeps its row, title, number and sha256 (so a merge still recognises the original
and does not bring it back) but loses its text, units and codings; `compact` then rewrites
the store so no free page or write-ahead log still holds the text.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Engine, Row

from qualcode.store import audit, schema
from qualcode.store.stamps import now


def purge_version(
    conn: Connection,
    old: Row[Any],
    *,
    actor: str,
    units: int,
    codings: int,
    pseudonymised_version: int,
) -> None:
    """Remove the text, units and codings of a document version (a row with id, version,
    sha256 and meta; `units` and `codings`: how many it has) with a "purge" audit row, in the
    caller's transaction. `pseudonymised_version`: the id of the version that replaces it."""
    d, u, c = schema.documents, schema.units, schema.codings
    conn.execute(c.delete().where(c.c.document_id == old.id))
    conn.execute(u.delete().where(u.c.document_id == old.id))
    stamp = now()
    conn.execute(
        d.update()
        .where(d.c.id == old.id)
        .values(
            text="",
            length=0,
            words=0,
            # the roles record names the speakers, as the units did
            meta={
                **{k: v for k, v in (old.meta or {}).items() if k != "roles"},
                "purged_at": stamp,
                "purged_by": actor,
            },
        )
    )
    audit.record(
        conn,
        actor=actor,
        action="purge",
        object="document",
        object_id=old.id,
        document_id=old.id,
        before={"version": old.version, "sha256": old.sha256, "units": units, "codings": codings},
        after={"text": "", "pseudonymised_version": pseudonymised_version},
    )


def compact(engine: Engine) -> None:
    """Rewrite the store so deleted text is not left in free pages or the write-ahead log.
    VACUUM cannot run inside a transaction, so this uses the driver's own connection."""
    raw = engine.raw_connection()
    driver: Any = raw.driver_connection
    try:
        cursor = raw.cursor()
        if engine.dialect.name == "sqlite":  # autocommit: qualcode issues BEGIN itself
            cursor.execute("VACUUM")
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        else:  # a server's backups and WAL archives are its administrator's to expire
            driver.autocommit = True
            try:
                cursor.execute("VACUUM FULL documents")
            finally:
                driver.autocommit = False
        cursor.close()
    finally:
        raw.close()
