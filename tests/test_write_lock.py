"""Writes never stall coders: a long transcript holds the write lock only to copy its
prepared rows in, a coder waits for a busy project rather than failing, and past the wait is
told in plain words that the change was not saved (never the driver's "database is locked").
Killed in the middle of an ingest, the store holds the whole document or none of it.

Tests taking `store_url` run on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import event, func, select

import qualcode
from qualcode.errors import StoreError
from qualcode.ingest.add import units_of
from qualcode.ingest.decode import normalise
from qualcode.store import engine as store_engine
from qualcode.store import schema
from tests.conftest import TRANSCRIPT

LONG = TRANSCRIPT * 40  # ~ 700 units: enough rows that binding them is the slow part
SHORT_WAIT_MS = 400


def _coded_project(url: str, user: str = "lead") -> qualcode.Project:
    p = qualcode.open_project(url, user=user)
    if not p.documents():
        p.add_document(TRANSCRIPT, area="a", title="t1")
        p.codebook.add("Access")
    return p


def _units(p: qualcode.Project, document_id: int) -> int:
    with p.reading() as conn:
        u = schema.units
        return conn.execute(
            select(func.count()).select_from(u).where(u.c.document_id == document_id)
        ).scalar_one()


def test_a_coder_saves_while_a_long_transcript_is_being_written(
    store_url: str, monkeypatch
) -> None:
    """The moment the ingest binds its many unit rows, another coder's key press is saved at
    once: binding happens outside the write lock, which is held only for a few statements."""
    monkeypatch.setattr(store_engine, "BUSY_TIMEOUT_MS", SHORT_WAIT_MS)
    ingest, coder = _coded_project(store_url), _coded_project(store_url, "amina")
    doc = coder.documents()[0]
    saved, statements = [], []

    @event.listens_for(ingest.engine, "before_cursor_execute")
    def _seen(conn, _cursor, statement, parameters, _context, executemany) -> None:  # type: ignore[no-untyped-def]
        rows = len(parameters) if executemany else 1
        in_lock = conn.in_transaction() and conn.get_execution_options().get(store_engine.WRITE)
        statements.append((bool(in_lock), rows, statement.split()[0]))
        if rows > 100 and not saved:  # the units, one row each
            saved.append(coder.code(doc, 0, 5, "Access", coder="amina"))

    added = ingest.add_document(LONG, area="a", title="long")
    units = _units(ingest, added.id)
    assert units > 500
    assert [c.coder for c in saved] == ["amina"]
    assert [c.id for c in coder.codings(doc)] == [saved[0].id]
    assert max(rows for in_lock, rows, _ in statements if in_lock) == 1
    assert any(rows == units for in_lock, rows, _ in statements if not in_lock)
    if ingest.engine.url.get_backend_name() == "sqlite":  # checks are back on for what follows
        with ingest.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar_one() == 1
    ingest.close()
    coder.close()


def test_a_busy_project_is_a_plain_error_and_nothing_is_saved(store_url: str, monkeypatch) -> None:
    """Another person holds the write lock past the wait: the coder is told in plain words,
    and the half-done change is not in the store."""
    monkeypatch.setattr(store_engine, "BUSY_TIMEOUT_MS", SHORT_WAIT_MS)
    coder, other = _coded_project(store_url, "amina"), _coded_project(store_url, "bea")
    doc = coder.documents()[0]
    with other.writing():  # e.g. a merge that takes longer than the wait
        with pytest.raises(StoreError) as info:
            coder.code(doc, 0, 5, "Access", coder="amina")
        with pytest.raises(StoreError, match="press again"):
            coder.codebook.add("Transport")
    message = str(info.value)
    assert "is busy" in message and "not saved" in message and "press again" in message
    assert coder.location in message
    words = message.replace(coder.location, "")
    for raw in ("OperationalError", "database is locked", "sqlite3", "psycopg", "LockNotAvailable"):
        assert raw not in words
    assert info.value.__cause__ is None and info.value.__suppress_context__
    assert coder.codings() == [] and [c.path for c in coder.codebook.all()] == ["Access"]
    assert coder.code(doc, 0, 5, "Access", coder="amina").coder == "amina"  # free again
    coder.close()
    other.close()


def test_a_coder_waits_for_a_short_write_instead_of_failing(store_url: str, monkeypatch) -> None:
    monkeypatch.setattr(store_engine, "BUSY_TIMEOUT_MS", 5_000)
    coder, other = _coded_project(store_url, "amina"), _coded_project(store_url, "bea")
    doc = coder.documents()[0]
    holding, release = threading.Event(), threading.Event()

    def hold() -> None:
        with other.writing():
            holding.set()
            release.wait(10)

    holder = threading.Thread(target=hold)
    holder.start()
    holding.wait(10)
    threading.Timer(0.3, release.set).start()
    began = time.monotonic()
    coding = coder.code(doc, 0, 5, "Access", coder="amina")
    waited = time.monotonic() - began
    holder.join(10)
    assert release.is_set() and waited > 0  # it queued behind the holder, then saved
    assert [c.id for c in coder.codings()] == [coding.id]
    coder.close()
    other.close()


def _killed_ingest(url: str, ready: str) -> None:
    """Ingest a long transcript and stop dead (to be killed) just before it commits."""
    p = qualcode.open_project(url, user="ingest")

    @event.listens_for(p.engine, "before_cursor_execute")
    def _stall(conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        if statement.startswith("INSERT INTO audit") and conn.get_execution_options().get(
            store_engine.WRITE
        ):
            Path(ready).touch()
            time.sleep(120)

    p.add_document(LONG, area="a", title="long")


@pytest.mark.sqlite_only
def test_an_ingest_killed_before_it_commits_leaves_nothing(store_url: str, tmp_path: Path) -> None:
    p = _coded_project(store_url)
    ready = tmp_path / "ready"
    child = multiprocessing.get_context("spawn").Process(
        target=_killed_ingest, args=(store_url, str(ready))
    )
    child.start()
    deadline = time.monotonic() + 120
    while not ready.exists() and child.is_alive() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert ready.exists(), "the ingest never reached its commit"
    os.kill(child.pid, signal.SIGKILL)
    child.join(10)
    assert [d.title for d in p.documents()] == ["t1"]
    with p.reading() as conn:
        doc_ids = set(conn.execute(select(schema.units.c.document_id)).scalars())
        logged = conn.execute(select(func.count()).select_from(schema.audit)).scalar_one()
    assert doc_ids == {p.documents()[0].id}
    assert logged == len(p.audit_df())
    added = p.add_document(LONG, area="a", title="long")  # and it can be ingested again
    assert _units(p, added.id) == len(units_of(normalise(LONG), None))
    p.close()
