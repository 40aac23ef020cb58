"""Opening the other project to merge from: a .qualcode file (never modified), a .qdpx (read
into a scratch project) or a project on a PostgreSQL server, all read in one snapshot."""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from qualcode.errors import SchemaVersionError, StoreError
from qualcode.interop.merge.report import MergeError
from qualcode.store.engine import (
    connect,
    connect_readonly,
    copy_sqlite,
    resolve_url,
    snapshot,
    sqlite_file,
)
from qualcode.store.migrations import SCHEMA_VERSION, UnreadableStoreError, migrate, version_at
from qualcode.views.merge import ProjectRows, project_rows

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from qualcode.project import Project


def read_other(
    other: Project | str | Path, target: Project, area: str | None
) -> tuple[ProjectRows, str, bool]:
    """(the other project's rows, a label for messages and audit, whether its areas are
    known: a .qdpx has none)."""
    with (
        other_engine(other, target, area) as (engine, label, areas_known),
        snapshot(engine) as conn,
    ):
        return project_rows(conn), label, areas_known


@contextlib.contextmanager
def other_engine(
    other: Project | str | Path, target: Project, area: str | None
) -> Iterator[tuple[Engine, str, bool]]:
    """(engine to read, label for messages and audit, whether its areas are known)."""
    from qualcode.project import Project

    if isinstance(other, Project):
        yield other.engine, other.location, True
        return
    path = Path(other) if not isinstance(other, str) or "://" not in other else local_file(other)
    if path is None:  # a project on a PostgreSQL server
        engine, label = server_engine(str(other))
        try:
            yield engine, label, True
        finally:
            engine.dispose()
        return
    path = path.expanduser()
    if not path.is_file():
        raise MergeError(
            f"no such project file: {path}; give another laptop's .qualcode project or a "
            ".qdpx. Nothing was merged"
        )
    with tempfile.TemporaryDirectory(prefix="qualcode-merge-") as folder:
        qdpx = path.suffix.lower() == ".qdpx"
        engine = (
            qdpx_engine(path, target, area, Path(folder))
            if qdpx
            else sqlite_snapshot(path, Path(folder))
        )
        try:
            yield engine, str(path), not qdpx
        finally:
            engine.dispose()


def local_file(url: str) -> Path | None:
    """The file of a sqlite:// URL (opened like a path: read-only, never created), or None
    for a server's URL."""
    try:
        return sqlite_file(url)
    except (StoreError, ValueError) as exc:
        raise MergeError(f"{exc}; nothing was merged") from None


def qdpx_engine(path: Path, target: Project, area: str | None, folder: Path) -> Engine:
    """Import the .qdpx into a scratch project (the one REFI-QDA reader), to merge from."""
    from qualcode.interop.refi import DEFAULT_AREA, import_qdpx
    from qualcode.project import open_project

    scratch = open_project(folder / "from-qdpx.qualcode", user=target.user)
    import_qdpx(path, scratch, area=area or DEFAULT_AREA)
    return scratch.engine


def sqlite_snapshot(path: Path, folder: Path) -> Engine:
    """A read-only engine on another laptop's store, never modified nor written beside (see
    `connect_readonly`): a store from an older qualcode is copied and the copy upgraded; one
    from a newer qualcode is refused."""
    engine = connect_readonly(path, folder)
    version = checked_version(engine, str(path), "give a .qualcode file or a .qdpx")
    if version == SCHEMA_VERSION:
        return engine
    copy = folder / "older.qualcode"
    copy_sqlite(engine, copy)
    engine.dispose()
    upgraded = connect(f"sqlite:///{copy}")
    migrate(upgraded)
    return upgraded


def server_engine(url: str) -> tuple[Engine, str]:
    """An engine on a project on a server, and its URL without the password for messages.
    An older schema is not upgraded from here."""
    try:
        resolved = resolve_url(url)
    except StoreError as exc:
        raise MergeError(f"{exc}; nothing was merged") from None
    engine = connect(resolved)
    label = engine.url.render_as_string(hide_password=True)
    version = checked_version(engine, label, "check the URL")
    if version < SCHEMA_VERSION:
        engine.dispose()
        raise MergeError(
            f"{label} is a project of an older qualcode (schema version {version}); upgrade it "
            f"by opening it once with this qualcode (qualcode status --project URL), then merge. "
            "Nothing was merged"
        )
    return engine, label


def checked_version(engine: Engine, label: str, what_to_do: str) -> int:
    """The schema version of the project behind `engine`, refusing what is not a project
    or is from a newer qualcode (the engine is disposed then)."""
    try:
        version = version_at(engine)
    except UnreadableStoreError as exc:
        engine.dispose()
        raise MergeError(f"{label} is not a qualcode project ({exc}); {what_to_do}") from None
    except StoreError as exc:
        engine.dispose()
        raise MergeError(f"{label} is not a qualcode project ({exc}); nothing was merged") from None
    if version is None:
        engine.dispose()
        raise MergeError(f"{label} is an empty database, not a qualcode project; nothing to merge")
    if version > SCHEMA_VERSION:
        engine.dispose()
        raise SchemaVersionError(
            f"{label} was written by a newer qualcode (schema version {version}; this qualcode "
            f"reads up to {SCHEMA_VERSION}); update qualcode to merge it. Nothing was merged"
        )
    return version
