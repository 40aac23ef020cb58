"""No network at run time: ingest, coding, a theme model and the personal-data scan run with
every socket connection refused, and none is attempted; the pipeline runs its notebooks in
kernels that refuse (and record) any connection that leaves this machine."""

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


# Loaded by every Python process the pipeline starts (its kernels), via PYTHONPATH: a
# connection or name lookup for anything but this machine is refused and written down.
GUARD = """
import os, socket

_LOCAL = {"127.0.0.1", "::1", "localhost", "0.0.0.0", "", None}
_connect, _connect_ex, _getaddrinfo = (
    socket.socket.connect, socket.socket.connect_ex, socket.getaddrinfo)

def _check(where):
    host = where[0] if isinstance(where, tuple) else None
    if isinstance(where, (str, bytes)) or host in _LOCAL:
        return
    with open(os.environ["QUALCODE_NET_LOG"], "a") as log:
        log.write(repr(where) + "\\n")
    raise OSError(f"network connection refused in a qualcode test: {where!r}")

def connect(self, where):
    _check(where)
    return _connect(self, where)

def connect_ex(self, where):
    _check(where)
    return _connect_ex(self, where)

def getaddrinfo(host, *args, **kwargs):
    _check((host, 0))
    return _getaddrinfo(host, *args, **kwargs)

socket.socket.connect, socket.socket.connect_ex, socket.getaddrinfo = (
    connect, connect_ex, getaddrinfo)
"""


def guard_processes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every Python process started from now on (PYTHONPATH) refuses connections off this
    machine and writes them to the log returned."""
    import os

    guard = tmp_path / "guard"
    guard.mkdir()
    (guard / "sitecustomize.py").write_text(GUARD)
    log = tmp_path / "network.log"
    monkeypatch.setenv("QUALCODE_NET_LOG", str(log))
    monkeypatch.setenv(
        "PYTHONPATH", os.pathsep.join([str(guard), os.environ.get("PYTHONPATH", "")])
    )
    return log


def test_the_pipeline_makes_no_connection_off_this_machine(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:

    import yaml

    from qualcode import pipeline
    from qualcode.interop.codebook_files import import_codebook

    log = guard_processes(tmp_path, monkeypatch)
    monkeypatch.setenv("QUALCODE_CACHE_DIR", str(tmp_path / "cache"))
    store = tmp_path / "offline.qualcode"
    p = qualcode.open_project(store, user="tester")
    import_codebook(p, ROOT / "data" / "raw" / "codebook.yaml")
    assert p.ingest(ROOT / "data" / "raw" / "worcester", area="worcester", progress=False).ok
    doc = p.documents(area="worcester")[0]
    p.code(doc, 0, 40, "Support and care/Peer support", coder="amina")
    p.close()
    config = tmp_path / "areas.yaml"
    config.write_text(
        yaml.safe_dump(
            {"defaults": {"notebooks_dir": str(ROOT / "notebooks"),
                          "notebooks": ["05_area_report.ipynb", "03_themes.ipynb"],
                          "parameters": {"embedder": "minilm"}}}
        )
    )  # fmt: skip
    (result,) = pipeline.run(store, areas=["worcester"], config=config, reports=tmp_path / "r")
    assert result.status == "ok", result
    themes = (Path(result.run_dir) / "03_themes.html").read_text()
    assert "turns of <strong>worcester</strong>" in themes  # MiniLM loaded, themes found
    assert not log.exists(), log.read_text()
    # and the guard does refuse: a kernel-like child process that tries is stopped and logged
    import subprocess
    import sys

    probe = subprocess.run(
        [sys.executable, "-c", "import socket; socket.create_connection(('192.0.2.1', 80), 1)"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert probe.returncode != 0 and "refused in a qualcode test" in probe.stderr
    assert "192.0.2.1" in log.read_text()
