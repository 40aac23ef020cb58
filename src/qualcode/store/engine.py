"""Open a store by path or URL, with the settings that keep many coders' work safe.

SQLite gets WAL (readers never block the writer), foreign keys, a busy timeout and
`BEGIN IMMEDIATE` for writes, so two coders saving at once queue instead of failing. The same
code runs on PostgreSQL by URL, where a write transaction starts by taking a transaction-level
advisory lock: writers queue the same way, so each check-then-write (the next version of a
document, a coder's first use, a code name already taken, a coding already removed) sees
every earlier write, as it does on SQLite, instead of failing or doubling under READ COMMITTED.

A writer waits up to BUSY_TIMEOUT_MS for the lock; past that (or on PostgreSQL's lock timeout
or serialization failure, after one retry) the caller gets a StoreError in plain words, never
the driver's text. Another laptop's file is opened so that nothing is written beside it.
"""

from __future__ import annotations

import contextlib
import os
import random
import re
import shutil
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, OperationalError

from qualcode.errors import StoreError
from qualcode.store import changes

BUSY_TIMEOUT_MS = 30_000
WRITE = "qualcode_write"  # execution option: this transaction writes
WRITE_LOCK = 0x7175616C  # PostgreSQL advisory lock key ("qual") that writers queue on


def resolve_url(path_or_url: str | os.PathLike[str]) -> str:
    """A path becomes a SQLite URL (its folder is created); a URL is checked and kept."""
    text = os.fspath(path_or_url)
    if "://" in text:
        try:
            url = make_url(text)
        except (ArgumentError, ValueError) as exc:  # ValueError: a port that is not a number
            raise StoreError(
                f"{text!r} is not a database URL ({exc}); give a file path or "
                "a URL such as postgresql://user@host/dbname"
            ) from exc
        if url.get_backend_name() not in ("sqlite", "postgresql"):
            raise StoreError(
                f"{text!r}: qualcode stores work on SQLite or PostgreSQL, "
                f"not {url.get_backend_name()}"
            )
        if url.get_backend_name() == "postgresql" and url.drivername == "postgresql":
            url = url.set(drivername="postgresql+psycopg")
        return url.render_as_string(hide_password=False)
    if re.match(r"^[A-Za-z][\w+.-]*:/", text):
        raise StoreError(
            f"{text!r} looks like a database URL with a slash missing after the scheme; "
            "write it as postgresql://user@host/dbname"
        )
    path = Path(text).expanduser().resolve()
    if path.is_dir():
        raise StoreError(f"{path} is a folder; give the project file, e.g. {path}/project.qualcode")
    path.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{path}"


def hide_password(target: str) -> str:
    """A store as it may be written down (in a log or a manifest): a URL's password becomes
    `***`; a file path is kept as it is."""
    if "://" not in target:
        return target
    return make_url(target).render_as_string(hide_password=True)


def has_password(target: str) -> bool:
    """Whether a store's URL carries a password (a file path never does)."""
    return "://" in target and make_url(target).password is not None


SQLITE_BUSY_CODES = (5, 6)  # SQLITE_BUSY, SQLITE_LOCKED (the primary result codes)
PG_BUSY_STATES = ("55P03", "40001", "40P01")  # lock timeout, serialization failure, deadlock


def is_busy(exc: BaseException) -> bool:
    """Whether a database error means "someone else holds the lock": SQLite's busy or locked,
    PostgreSQL's lock timeout, serialization failure or deadlock."""
    if not isinstance(exc, DBAPIError):
        return False
    orig = exc.orig
    code = getattr(orig, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in SQLITE_BUSY_CODES
    if getattr(orig, "sqlstate", None) in PG_BUSY_STATES:
        return True
    return isinstance(exc, OperationalError) and "database is locked" in str(orig)


def busy_message(where: str) -> str:
    """What a coder is told when the wait for the write lock ran out."""
    return (
        f"the project {where} is busy (another person is saving, perhaps a large transcript "
        "or a merge); your change was not saved: press again in a moment"
    )


@contextlib.contextmanager
def busy_as_store_error(bind: Engine | Connection) -> Iterator[None]:
    """Turn a database's "busy" (see `is_busy`) into a StoreError in plain words; other
    database errors pass through."""
    try:
        yield
    except DBAPIError as exc:
        if not is_busy(exc):
            raise
        raise StoreError(busy_message(store_label(bind))) from None


def store_label(bind: Engine | Connection) -> str:
    """The file of a SQLite store, or the URL (password hidden) of a server store."""
    url = bind.engine.url
    return url.database or "" if url.get_backend_name() == "sqlite" else str(url)


@contextlib.contextmanager
def locked_as_store_error() -> Iterator[None]:
    """Turn the database's "database is locked" (another program kept writing for longer
    than the busy timeout) into a StoreError, so callers above the store can name the wait
    without importing sqlalchemy; other database errors pass through."""
    try:
        yield
    except OperationalError as exc:
        if not is_busy(exc):
            raise
        raise StoreError(f"database is locked ({exc.orig})") from exc


def connect(url: str) -> Engine:
    """Create the engine for a resolved URL."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})
        _configure_sqlite(engine)
        return engine
    engine = create_engine(url, pool_pre_ping=True)
    _configure_postgresql(engine)
    return engine


def connect_readonly(path: Path, scratch: Path) -> Engine:
    """An engine reading another laptop's SQLite file that can never change it nor write
    beside it (no -wal or -shm left next to it), also on a read-only mount. Each transaction
    is one snapshot. A file nobody has open (no -wal beside it) is read as immutable; one
    open in another program (-wal and -shm beside it) read-only through its WAL; one whose
    -wal is there without its -shm, or on a read-only mount, is copied with its -wal into
    `scratch` first. A missing file is a StoreError: nothing is created."""
    path = Path(path).expanduser().resolve()
    if not path.is_file():
        raise StoreError(f"no such project file: {path}")
    wal, shm = Path(f"{path}-wal"), Path(f"{path}-shm")
    if not wal.exists():
        target, options = path, "mode=ro&immutable=1"
    elif shm.exists() and os.access(path.parent, os.W_OK):
        target, options = path, "mode=ro"
    else:
        target, options = scratch / path.name, "mode=ro"
        shutil.copyfile(path, target)
        shutil.copyfile(wal, f"{target}-wal")
    engine = create_engine(
        f"sqlite:///file:{quote(str(target))}?{options}&uri=true",
        connect_args={"check_same_thread": False},
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        dbapi_connection.isolation_level = None

    @event.listens_for(engine, "begin")
    def _on_begin(connection) -> None:  # type: ignore[no-untyped-def]
        connection.exec_driver_sql("BEGIN")  # one snapshot for every read

    return engine


def sqlite_file(url: str) -> Path | None:
    """The file a sqlite:// URL names (None for another database); a URL with no file (an
    in-memory database) is a StoreError, since nothing could be read from it."""
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):
        return None  # `resolve_url` names what is wrong with it
    if parsed.get_backend_name() != "sqlite":
        return None
    if parsed.database in (None, "", ":memory:"):
        raise StoreError(f"{url!r} names no file; give the path of a .qualcode project")
    return Path(parsed.database)


def copy_sqlite(source: Engine, dest: Path) -> None:
    """Copy the SQLite store behind `source` (an engine from `connect_readonly`) with SQLite's
    backup, which reads one consistent state."""
    raw = source.raw_connection()
    try:
        with contextlib.closing(sqlite3.connect(dest)) as copy:
            raw.driver_connection.backup(copy)  # type: ignore[union-attr]
    finally:
        raw.close()


@contextlib.contextmanager
def snapshot(engine: Engine) -> Iterator[Connection]:
    """A connection whose reads all see one snapshot of the store: REPEATABLE READ on
    PostgreSQL (SQLite's transaction is one snapshot already)."""
    with engine.connect() as conn:
        if engine.url.get_backend_name() == "postgresql":
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
        yield conn


def writer(engine: Engine) -> Engine:
    """The same engine, whose transactions take the write lock at BEGIN."""
    return engine.execution_options(**{WRITE: True})


@contextlib.contextmanager
def reading(engine: Engine) -> Iterator[Connection]:
    """A connection for reading; a busy database is a plain StoreError."""
    with busy_as_store_error(engine), engine.connect() as conn:
        yield conn


@contextlib.contextmanager
def write_transaction(bind: Engine | Connection) -> Iterator[Connection]:
    """One write transaction holding the write lock, committed at the end or rolled back on
    an error. On a connection (one that staged rows outside the lock, see
    `store.documents.stage_units`), that connection is used and left open. A wait for the lock
    that runs out is a plain StoreError; PostgreSQL tries to take its lock twice first."""
    with busy_as_store_error(bind):
        conn = bind.connect() if isinstance(bind, Engine) else bind
    if conn.in_transaction():
        conn.commit()  # a read snapshot (and staged rows) end here; the write starts afresh
    conn.execution_options(**{WRITE: True})
    changes.take(conn)  # a mark left by a write outside this door is not this one's
    changed: set[str] = set()
    try:
        with busy_as_store_error(conn):
            _begin_write(conn)
            try:
                yield conn
            except BaseException:
                conn.rollback()
                changes.take(conn)
                raise
            conn.commit()
            changed = changes.take(conn)
    finally:
        conn.execution_options(**{WRITE: False})
        if conn is not bind:
            conn.close()
    if changed:  # committed and the lock let go: open panels may read it now
        changes.tell(changes.store_key(bind), changed)


def _begin_write(conn: Connection) -> None:
    """BEGIN with the write lock; on PostgreSQL a lock timeout is tried once more."""
    tries = 2 if conn.engine.url.get_backend_name() == "postgresql" else 1
    for attempt in range(tries):
        try:
            conn.begin()
            return
        except DBAPIError as exc:
            conn.rollback()
            if attempt + 1 == tries or not is_busy(exc):
                raise


def use_wal(con: sqlite3.Connection, timeout_s: float = BUSY_TIMEOUT_MS / 1000) -> None:
    """Put a SQLite file in WAL mode, waiting out another process that is doing the same.

    Switching the journal mode needs an exclusive lock, and SQLite answers "database is
    locked" at once, without its busy handler, when two connections both hold a shared lock
    and want it (two pipeline kernels creating one file). So: skip the switch when the file is
    already in WAL mode, and otherwise retry with a little jitter until `timeout_s`.
    """
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            if con.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                con.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.02 + random.random() * 0.05)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves, below
        use_wal(dbapi_connection)
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection) -> None:  # type: ignore[no-untyped-def]
        write = connection.get_execution_options().get(WRITE, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def _configure_postgresql(engine: Engine) -> None:
    @event.listens_for(engine, "begin")
    def _on_begin(connection) -> None:  # type: ignore[no-untyped-def]
        if connection.get_execution_options().get(WRITE, False):
            connection.exec_driver_sql(f"SET LOCAL lock_timeout = {int(BUSY_TIMEOUT_MS)}")
            connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({WRITE_LOCK})")
