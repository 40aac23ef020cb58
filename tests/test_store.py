"""The store: creation, settings, schema versions and upgrades, refusals.

Tests taking `store_url` run on SQLite and on PostgreSQL; the rest are about SQLite files.
"""

from __future__ import annotations

import socket
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import Connection, create_engine, inspect, text

import qualcode
from qualcode.errors import SchemaVersionError, StoreError
from qualcode.store import connect, migrations, resolve_url, schema
from qualcode.store.engine import use_wal
from tests.conftest import ROOT, TRANSCRIPT

FIXTURES = ROOT / "tests" / "data" / "stores"


@contextmanager
def raw(store_url: str) -> Iterator[Connection]:
    """A plain SQLAlchemy transaction on the store, bypassing qualcode (as another program)."""
    engine = create_engine(resolve_url(store_url))
    try:
        with engine.begin() as conn:
            yield conn
    finally:
        engine.dispose()


def _tables(store_url: str) -> set[str]:
    with raw(store_url) as conn:
        return set(inspect(conn).get_table_names())


def _stored_version(store_url: str) -> str:
    with raw(store_url) as conn:
        return conn.execute(
            text("SELECT value FROM qualcode_meta WHERE key = 'schema_version'")
        ).scalar_one()


def test_open_creates_sqlite_store_with_safe_settings(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "new.qualcode"
    p = qualcode.open_project(path)
    assert path.is_file()
    with p.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30000
        tables = set(inspect(conn).get_table_names())
    assert set(schema.metadata.tables) == tables
    p.close()


def test_use_wal_waits_out_a_lock_that_sqlite_will_not_wait_for(tmp_path: Path) -> None:
    """Switching to WAL answers "locked" at once when another process holds the file (two
    pipeline kernels creating one cache); `use_wal` retries until its timeout, then says so."""
    path = tmp_path / "new.sqlite"
    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    holder.execute("CREATE TABLE t (x)")
    holder.execute("BEGIN EXCLUSIVE")
    other = sqlite3.connect(path, timeout=0)  # no busy handler: only use_wal's own retries wait
    with pytest.raises(sqlite3.OperationalError, match="locked"):
        use_wal(other, timeout_s=0.2)
    threading.Timer(0.3, holder.rollback).start()
    use_wal(other, timeout_s=10)
    assert other.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    other.close()
    holder.close()


@pytest.fixture
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Here a store's location starts empty (no schema): these tests create and open stores."""
    if request.param == "sqlite":
        return str(tmp_path / "test.qualcode")
    return str(request.getfixturevalue("postgres_url"))


def test_new_store_has_every_table_and_column(store_url: str) -> None:
    p = qualcode.open_project(store_url)
    backend = "postgresql" if store_url.startswith("postgresql") else "sqlite"
    assert p.engine.url.get_backend_name() == backend
    with p.engine.connect() as conn:
        assert set(inspect(conn).get_table_names()) == set(schema.metadata.tables)
        inspector = inspect(conn)
        for table in schema.metadata.sorted_tables:
            stored = {col["name"] for col in inspector.get_columns(table.name)}
            assert stored == set(table.columns.keys()), table.name
    p.close()


def test_reopen_keeps_everything(store_url: str) -> None:
    path = store_url
    p = qualcode.open_project(path)
    d = p.add_document(TRANSCRIPT, area="a", title="t")
    p.codebook.add("Access to GP")
    c = p.code(d, 15, 30, "Access to GP", coder="amina")
    p.close()
    again = qualcode.open_project(str(path))
    assert again.codings()[0].id == c.id
    assert again.document(d.id).text == d.text
    again.close()


def test_environment_variable_names_the_store(store_url: str, monkeypatch) -> None:
    monkeypatch.setenv("QUALCODE_DB", store_url)
    p = qualcode.open_project()
    assert p.location == store_url.replace("postgresql://", "postgresql+psycopg://")
    p.close()


def test_postgresql_urls_use_psycopg_and_keep_their_password() -> None:
    url = resolve_url("postgresql://amina:s3cret@db.example.org:5433/coding")
    assert url == "postgresql+psycopg://amina:s3cret@db.example.org:5433/coding"
    assert resolve_url("postgresql+psycopg://h/x") == "postgresql+psycopg://h/x"
    with pytest.raises(StoreError, match="is not a database URL"):
        resolve_url("postgresql://host:notaport/x")
    shown = qualcode.Project(connect(url), user="tester")  # no connection is made
    assert shown.location == "postgresql+psycopg://amina:***@db.example.org:5433/coding"


def test_no_store_named_is_a_clear_error(monkeypatch) -> None:
    monkeypatch.delenv("QUALCODE_DB", raising=False)
    with pytest.raises(qualcode.QualcodeError, match="QUALCODE_DB"):
        qualcode.open_project()


def test_a_file_that_is_not_a_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "notes.qualcode"
    path.write_text("these are my notes, not a database\n" * 100)
    with pytest.raises(StoreError) as info:
        qualcode.open_project(path)
    assert "notes.qualcode" in str(info.value)
    assert path.read_text().startswith("these are my notes")  # untouched


def test_a_missing_or_unreachable_server_database_is_a_clear_error(postgres) -> None:
    with pytest.raises(StoreError, match=r"cannot open no_such_db .*does not exist"):
        qualcode.open_project(postgres.url("no_such_db"))
    closed = f"postgresql://qc@127.0.0.1:{_closed_port()}/coding"
    with pytest.raises(StoreError, match="cannot open coding as a qualcode project"):
        qualcode.open_project(closed)


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # nothing listens once the socket closes


def test_another_programs_database_is_refused(store_url: str) -> None:
    with raw(store_url) as conn:
        conn.execute(text("CREATE TABLE invoices (id INTEGER PRIMARY KEY)"))
    with pytest.raises(StoreError, match="not a qualcode project"):
        qualcode.open_project(store_url)
    assert _tables(store_url) == {"invoices"}


def test_folder_and_unsupported_urls_are_refused(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="is a folder"):
        qualcode.open_project(tmp_path)
    with pytest.raises(StoreError, match="SQLite or PostgreSQL"):
        qualcode.open_project("mysql://localhost/x")


def test_store_from_a_newer_qualcode_is_refused(store_url: str) -> None:
    qualcode.open_project(store_url).close()
    with raw(store_url) as conn:
        conn.execute(text("UPDATE qualcode_meta SET value = '99' WHERE key = 'schema_version'"))
    with pytest.raises(SchemaVersionError, match="newer qualcode"):
        qualcode.open_project(store_url)
    assert _stored_version(store_url) == "99"  # refused, not rewritten


def test_older_store_is_upgraded_without_loss(store_url: str, tmp_path: Path, monkeypatch) -> None:
    path = store_url
    p = qualcode.open_project(path)
    d = p.add_document(TRANSCRIPT, area="a", title="t")
    p.codebook.add("Transport")
    p.code(d, 0, 10, "Transport", coder="amina")
    p.close()

    def add_confidence(ops) -> None:
        with ops.batch_alter_table("codings") as batch:
            batch.add_column(schema.Column("confidence", schema.Integer, nullable=True))

    version = migrations.SCHEMA_VERSION
    monkeypatch.setattr(migrations, "SCHEMA_VERSION", version + 1)
    monkeypatch.setitem(migrations.UPGRADES, version + 1, add_confidence)
    p = qualcode.open_project(path)
    with p.engine.connect() as conn:
        columns = {c["name"] for c in inspect(conn).get_columns("codings")}
        stored = conn.execute(
            text("SELECT value FROM qualcode_meta WHERE key = 'schema_version'")
        ).scalar()
    assert "confidence" in columns
    assert stored == str(version + 1)
    assert [c.text for c in p.codings()] == [d.text[0:10]]
    backups = sorted(tmp_path.glob("*.bak"))
    if store_url.startswith("postgresql"):  # a server is backed up by its administrator
        assert backups == []
    else:
        assert backups == [tmp_path / f"test.qualcode.v{version}.bak"]
    assert migrations.upgrade_backups(p.engine) == backups  # what purge warns about
    p.close()


def test_a_failed_upgrade_changes_nothing(store_url: str, monkeypatch) -> None:
    qualcode.open_project(store_url).close()

    def broken(ops) -> None:
        ops.create_table("half_done", schema.Column("id", schema.Integer, primary_key=True))
        raise RuntimeError("upgrade failed half way")

    version = migrations.SCHEMA_VERSION
    monkeypatch.setattr(migrations, "SCHEMA_VERSION", version + 1)
    monkeypatch.setitem(migrations.UPGRADES, version + 1, broken)
    with pytest.raises(RuntimeError):
        qualcode.open_project(store_url)
    assert _tables(store_url) == set(schema.metadata.tables)  # no "half_done"
    assert _stored_version(store_url) == str(version)


@pytest.mark.parametrize("fixture", sorted(FIXTURES.glob("*.qualcode")), ids=lambda p: p.name)
def test_stores_written_by_released_versions_open(fixture: Path, tmp_path: Path) -> None:
    """Each committed store from an earlier schema version opens with its codings intact."""
    copy = tmp_path / fixture.name
    copy.write_bytes(fixture.read_bytes())
    p = qualcode.open_project(copy)
    frame = p.codings_df()
    assert len(frame) == 3
    assert set(frame["coder"]) == {"amina", "bob"}
    assert frame["text"].str.len().gt(0).all()
    p.close()


def _delete_newest_then_code(p: qualcode.Project, doc) -> tuple[int, int]:
    newest = max(c.id for c in p.codings())
    p.uncode(newest)
    return newest, p.code(doc, 0, 5, p.codebook.all()[0].path, coder="amina").id


def test_a_deleted_codings_id_is_never_given_to_another(store_url: str) -> None:
    """Audit rows and recommendations name codings by id, so an id must not come back."""
    p = qualcode.open_project(store_url)
    doc = p.add_document(TRANSCRIPT, area="a", title="t")
    p.codebook.add("Transport")
    p.code(doc, 0, 10, "Transport", coder="amina")
    p.code(doc, 5, 15, "Transport", coder="amina")
    deleted, new = _delete_newest_then_code(p, doc)
    assert new > deleted
    p.close()


@pytest.mark.parametrize("fixture", sorted(FIXTURES.glob("*.qualcode")), ids=lambda p: p.name)
def test_upgraded_stores_never_reuse_ids_either(fixture: Path, tmp_path: Path) -> None:
    copy = tmp_path / fixture.name
    copy.write_bytes(fixture.read_bytes())
    p = qualcode.open_project(copy)
    before = {c.guid: (c.id, c.code, c.coder) for c in p.codings()}
    deleted, new = _delete_newest_then_code(p, p.documents()[0])
    assert new > deleted
    after = {c.guid: (c.id, c.code, c.coder) for c in p.codings()}
    assert {g: v for g, v in before.items() if v[0] != deleted}.items() <= after.items()
    with p.engine.connect() as conn:
        indexes = {i["name"] for i in inspect(conn).get_indexes("codings")}
    assert {"ix_codings_document", "ix_codings_code"} <= indexes
    p.close()
