"""The store: creation, settings, schema versions and upgrades, refusals."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import inspect, text

import qualcode
from qualcode.errors import SchemaVersionError, StoreError
from qualcode.store import migrations, schema
from tests.conftest import ROOT, TRANSCRIPT

FIXTURES = ROOT / "tests" / "data" / "stores"


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


def test_new_store_matches_schema_columns(tmp_path: Path) -> None:
    p = qualcode.open_project(tmp_path / "p.qualcode")
    with p.engine.connect() as conn:
        inspector = inspect(conn)
        for table in schema.metadata.sorted_tables:
            stored = {col["name"] for col in inspector.get_columns(table.name)}
            assert stored == set(table.columns.keys()), table.name
    p.close()


def test_reopen_keeps_everything(tmp_path: Path) -> None:
    path = tmp_path / "p.qualcode"
    p = qualcode.open_project(path)
    d = p.add_document(TRANSCRIPT, area="a", title="t")
    p.codebook.add("Access to GP")
    c = p.code(d, 15, 30, "Access to GP", coder="amina")
    p.close()
    again = qualcode.open_project(str(path))
    assert again.codings()[0].id == c.id
    assert again.document(d.id).text == d.text
    again.close()


def test_environment_variable_names_the_store(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("QUALCODE_DB", str(tmp_path / "env.qualcode"))
    p = qualcode.open_project()
    assert p.location == str(tmp_path / "env.qualcode")
    p.close()


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


def test_another_programs_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY)")
    with pytest.raises(StoreError, match="not a qualcode project"):
        qualcode.open_project(path)
    with sqlite3.connect(path) as conn:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
    assert tables == {"invoices"}


def test_folder_and_unsupported_urls_are_refused(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="is a folder"):
        qualcode.open_project(tmp_path)
    with pytest.raises(StoreError, match="SQLite or PostgreSQL"):
        qualcode.open_project("mysql://localhost/x")


def test_store_from_a_newer_qualcode_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "future.qualcode"
    qualcode.open_project(path).close()
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE qualcode_meta SET value = '99' WHERE key = 'schema_version'")
    with pytest.raises(SchemaVersionError, match="newer qualcode"):
        qualcode.open_project(path)


def test_older_store_is_upgraded_without_loss(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "old.qualcode"
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
    assert (tmp_path / f"old.qualcode.v{version}.bak").is_file()
    p.close()


def test_a_failed_upgrade_changes_nothing(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "old.qualcode"
    qualcode.open_project(path).close()

    def broken(ops) -> None:
        ops.create_table("half_done", schema.Column("id", schema.Integer, primary_key=True))
        raise RuntimeError("upgrade failed half way")

    version = migrations.SCHEMA_VERSION
    monkeypatch.setattr(migrations, "SCHEMA_VERSION", version + 1)
    monkeypatch.setitem(migrations.UPGRADES, version + 1, broken)
    with pytest.raises(RuntimeError):
        qualcode.open_project(path)
    with sqlite3.connect(path) as conn:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
        stored = conn.execute(
            "SELECT value FROM qualcode_meta WHERE key='schema_version'"
        ).fetchone()
    assert "half_done" not in tables
    assert stored == (str(version),)


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
