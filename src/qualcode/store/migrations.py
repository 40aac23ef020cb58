"""Versioned schema: create new stores at the current version, upgrade older ones in steps.

A new store is built from `schema.metadata` and stamped with `SCHEMA_VERSION` (Alembic's
"create_all and stamp" recipe). A store from an older qualcode is upgraded one version at a
time by the functions in `UPGRADES`, written with Alembic operations (`batch_alter_table`
makes column changes work on SQLite too), inside one transaction, after a backup copy of a
SQLite file is taken. A store from a newer qualcode is refused rather than guessed at.
"""

from __future__ import annotations

import glob
import shutil
from collections.abc import Callable
from pathlib import Path

from alembic.migration import MigrationContext
from alembic.operations import Operations
from sqlalchemy import Connection, Engine, inspect, select
from sqlalchemy.exc import DBAPIError

from qualcode.errors import SchemaVersionError, StoreError
from qualcode.store import schema
from qualcode.store.stamps import new_guid, now

SCHEMA_VERSION = 5


def _add_recommendations(ops: Operations) -> None:
    """Version 2: the recommendations register (findings followed up with commissioners)."""
    ops.create_table("recommendations", *schema.recommendation_columns())
    ops.create_index("ix_recommendations_area", "recommendations", ["area_id"])


def _add_rounds(ops: Operations) -> None:
    """Version 3: blind coding rounds (each coder sees only their own codings until reveal),
    and on SQLite, ids of codings, memos and recommendations that are never reused: without
    AUTOINCREMENT SQLite hands a deleted newest row's id to the next row, so an audit row or a
    recommendation's quote could name another coding. Nothing references these tables, so
    they can be rebuilt with foreign keys on."""
    ops.create_table("rounds", *schema.round_columns(), sqlite_autoincrement=True)
    if ops.get_bind().dialect.name != "sqlite":
        return
    for name in ("codings", "memos", "recommendations"):
        with ops.batch_alter_table(
            name, recreate="always", table_kwargs={"sqlite_autoincrement": True}
        ):
            pass


def _add_done_marks(ops: Operations) -> None:
    """Version 4: done marks (which transcripts each coder has finished)."""
    ops.create_table("done_marks", *schema.done_columns())


def _add_seats(ops: Operations) -> None:
    """Version 5: workshop seats (who may sign in to `qualcode workshop`)."""
    ops.create_table("workshop_seats", *schema.seat_columns())


# UPGRADES[n] upgrades a store from version n - 1 to version n.
UPGRADES: dict[int, Callable[[Operations], None]] = {
    2: _add_recommendations,
    3: _add_rounds,
    4: _add_done_marks,
    5: _add_seats,
}


class UnreadableStoreError(StoreError):
    """The database driver cannot read it at all (a file that is not SQLite); the message is
    the driver's reason."""


def version_at(engine: Engine) -> int | None:
    """The schema version of the store behind `engine`, read without changing anything (None
    for an empty database); `StoreError` for a database that is not a project."""
    try:
        with engine.connect() as conn:
            return stored_version(conn)
    except DBAPIError as exc:
        raise UnreadableStoreError(str(exc.orig).strip().splitlines()[0]) from None


def stored_version(conn: Connection) -> int | None:
    """The schema version a store declares, or None for an empty database."""
    tables = set(inspect(conn).get_table_names())
    if schema.meta.name not in tables:
        if tables:
            raise StoreError(
                f"{_where(conn)} holds tables but is not a qualcode project "
                f"({', '.join(sorted(tables)[:5])}); open a .qualcode file or an empty database"
            )
        return None
    row = conn.execute(
        select(schema.meta.c.value).where(schema.meta.c.key == "schema_version")
    ).scalar_one_or_none()
    if row is None or not str(row).isdigit():
        raise StoreError(f"{_where(conn)} has no readable schema version; it may be damaged")
    return int(row)


def migrate(engine: Engine) -> int:
    """Bring the store at `engine` to `SCHEMA_VERSION`; return the version it had (0 if new)."""
    try:
        return _migrate(engine)
    except DBAPIError as exc:
        where = engine.url.database or engine.url.render_as_string()
        reason = str(exc.orig).strip().splitlines()[0]
        raise StoreError(
            f"cannot open {where} as a qualcode project ({reason}); "
            "check the path or URL, and that it is a .qualcode file or a reachable database"
        ) from exc


def _migrate(engine: Engine) -> int:
    from qualcode.store.engine import writer

    with writer(engine).begin() as conn:
        version = stored_version(conn)
        if version is None:
            schema.metadata.create_all(conn)
            conn.execute(
                schema.meta.insert(),
                [
                    {"key": "schema_version", "value": str(SCHEMA_VERSION)},
                    {"key": "project_guid", "value": new_guid()},
                    {"key": "created_at", "value": now()},
                ],
            )
            return 0
        if version > SCHEMA_VERSION:
            raise SchemaVersionError(
                f"{_where(conn)} was written by a newer qualcode (schema version {version}; "
                f"this qualcode reads up to {SCHEMA_VERSION}); upgrade qualcode to open it"
            )
        if version == SCHEMA_VERSION:
            return version
    _backup(engine, version)
    with writer(engine).begin() as conn:
        ops = Operations(MigrationContext.configure(conn))
        for step in range(version + 1, SCHEMA_VERSION + 1):
            if step not in UPGRADES:
                raise SchemaVersionError(f"no upgrade from schema version {step - 1} to {step}")
            UPGRADES[step](ops)
        conn.execute(
            schema.meta.update()
            .where(schema.meta.c.key == "schema_version")
            .values(value=str(SCHEMA_VERSION))
        )
    return version


def _backup(engine: Engine, version: int) -> None:
    """Copy a SQLite file before upgrading it, so an upgrade can never cost data."""
    database = engine.url.database
    if engine.url.get_backend_name() != "sqlite" or not database or database == ":memory:":
        return
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    source = Path(database)
    shutil.copy2(source, source.with_name(f"{source.name}.v{version}.bak"))


def upgrade_backups(engine: Engine) -> list[Path]:
    """The copies `_backup` left beside a SQLite store (`NAME.qualcode.vN.bak`): they hold
    whatever the store held before each upgrade, original texts included."""
    database = engine.url.database
    if engine.url.get_backend_name() != "sqlite" or not database or database == ":memory:":
        return []
    source = Path(database)
    return sorted(source.parent.glob(f"{glob.escape(source.name)}.v*.bak"))


def _where(conn: Connection) -> str:
    url = conn.engine.url
    return url.database if url.get_backend_name() == "sqlite" else url.render_as_string()
