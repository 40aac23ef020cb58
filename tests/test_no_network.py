"""No network at run time: ingest, coding, a theme model and the personal-data scan run with
every socket connection refused, and none is attempted. (The pipeline part comes later.)"""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

import qualcode
from tests.conftest import ROOT


class NetworkAttempt(AssertionError):
    pass


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Refuse (and record) every outgoing connection and name lookup."""
    attempts: list[object] = []

    def refuse(*args: object, **kwargs: object) -> None:
        attempts.append(args[1:] if args and isinstance(args[0], socket.socket) else args)
        raise NetworkAttempt(f"network connection attempted: {args!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    return attempts


def test_the_guard_catches_a_connection(no_network: list[object]) -> None:
    with pytest.raises(NetworkAttempt):
        socket.create_connection(("192.0.2.1", 80), timeout=0.1)
    with socket.socket() as s, pytest.raises(NetworkAttempt):
        s.connect(("192.0.2.1", 80))
    assert len(no_network) == 2


def test_ingest_code_themes_and_scan_make_no_connection(
    no_network: list[object], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("QUALCODE_CACHE_DIR", str(tmp_path / "cache"))
    p = qualcode.open_project(tmp_path / "offline.qualcode", user="tester")
    from qualcode.interop.codebook_files import import_codebook

    import_codebook(p, ROOT / "data" / "raw" / "codebook.yaml")
    report = p.ingest(ROOT / "data" / "raw" / "worcester", area="worcester", progress=False)
    assert report.ok and len(p.documents()) > 5

    doc = p.documents(area="worcester")[0]
    p.code(doc, 0, 20, "Access to services/Access to GP", coder="amina")
    assert len(p.codings()) == 1

    from qualcode.topics import ThemeModel  # exists: a theme fit is part of the check

    themes = ThemeModel(seed=7, embedder="tfidf").fit(p, area="worcester", unit="paragraph")
    assert len(themes.topic_sizes_) >= 1

    from qualcode.privacy import PseudonymKey, scan

    with PseudonymKey.open(p) as key:
        found = scan(p, key, area="worcester")
    assert not found.empty
    p.close()
    assert no_network == []
