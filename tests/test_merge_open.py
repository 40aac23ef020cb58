"""Opening the other side's file for a merge: strictly read-only. Nothing is created or left
beside it (no -wal, no -shm, no empty file for a mistyped name), a laptop's file on a
read-only mount merges, and a file still open in another program is read with its latest
saved work.

When the tests run as root, chmod does not stop writes; the read-only folder test then still
checks that nothing was created in it.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

import qualcode
from qualcode.interop.merge import MergeError, merge_project
from tests.conftest import TRANSCRIPT


def _laptop(path: Path, titles: tuple[str, ...] = ("t1",)) -> Path:
    """A closed laptop project: documents, a code and a coding each."""
    p = qualcode.open_project(path, user="amina")
    p.codebook.add("Access")
    for title in titles:
        doc = p.add_document(TRANSCRIPT + title, area="north", title=title)
        p.code(doc, 0, 10, "Access", coder="amina")
    p.close()
    return path


def _state(folder: Path) -> dict[str, str]:
    """Every file in a folder with its content's hash."""
    return {f.name: hashlib.sha256(f.read_bytes()).hexdigest() for f in sorted(folder.iterdir())}


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[qualcode.Project]:
    p = qualcode.open_project(tmp_path / "hub" / "hub.qualcode", user="lead")
    yield p
    p.close()


def test_merging_leaves_nothing_beside_the_laptops_file(hub, tmp_path: Path) -> None:
    laptop = _laptop(tmp_path / "usb" / "laptop.qualcode")
    before = _state(laptop.parent)
    report = merge_project(hub, laptop)
    assert report.added["documents"] == 1 and report.added["codings"] == 1
    assert _state(laptop.parent) == before  # no -wal, no -shm, the file unchanged
    assert merge_project(hub, laptop).rows_added == 0
    assert _state(laptop.parent) == before


def test_a_laptops_file_on_a_read_only_mount_merges(hub, tmp_path: Path) -> None:
    laptop = _laptop(tmp_path / "mount" / "laptop.qualcode")
    before = _state(laptop.parent)
    laptop.parent.chmod(stat.S_IRUSR | stat.S_IXUSR | stat.S_IRGRP | stat.S_IXGRP)
    laptop.chmod(stat.S_IRUSR | stat.S_IRGRP)
    try:
        report = merge_project(hub, laptop)
        after = _state(laptop.parent)
    finally:
        laptop.parent.chmod(0o755)
        laptop.chmod(0o644)
    assert report.added["documents"] == 1 and report.added["codings"] == 1
    assert after == before


def test_a_file_open_in_another_program_is_read_with_its_latest_work(hub, tmp_path: Path) -> None:
    laptop = _laptop(tmp_path / "live" / "laptop.qualcode")
    other = qualcode.open_project(laptop, user="bea")
    other.add_document(TRANSCRIPT + "later", area="north", title="t2")  # still in its -wal
    names = sorted(os.listdir(laptop.parent))
    assert names == ["laptop.qualcode", "laptop.qualcode-shm", "laptop.qualcode-wal"]
    report = merge_project(hub, laptop)
    assert report.added["documents"] == 2
    assert sorted(os.listdir(laptop.parent)) == names
    other.close()


def test_a_copy_with_its_wal_but_no_shm_is_read_whole_and_left_alone(hub, tmp_path: Path) -> None:
    """A laptop's folder copied while its project was open: the -wal came along, the -shm
    did not. Its last work is in the -wal; reading it must not write beside it."""
    live = _laptop(tmp_path / "live" / "laptop.qualcode")
    other = qualcode.open_project(live, user="bea")
    with sqlite3.connect(live) as con:
        con.execute("PRAGMA wal_autocheckpoint=0")
    other.add_document(TRANSCRIPT + "later", area="north", title="t2")
    copy = tmp_path / "copy" / "laptop.qualcode"
    copy.parent.mkdir()
    shutil.copyfile(live, copy)
    shutil.copyfile(f"{live}-wal", f"{copy}-wal")
    other.close()
    before = _state(copy.parent)
    report = merge_project(hub, copy)
    assert report.added["documents"] == 2
    assert _state(copy.parent) == before


def test_a_missing_file_or_url_is_refused_and_nothing_is_created(hub, tmp_path: Path) -> None:
    missing = tmp_path / "nowhere" / "laptop.qualcode"
    missing.parent.mkdir()
    for other in (missing, str(missing), f"sqlite:///{missing}"):
        with pytest.raises(MergeError, match=rf"no such project file: {missing}"):
            merge_project(hub, other)
    assert list(missing.parent.iterdir()) == []
    with pytest.raises(MergeError, match="names no file"):
        merge_project(hub, "sqlite://")
    assert hub.documents() == []


def test_a_sqlite_url_is_read_like_its_file(hub, tmp_path: Path) -> None:
    laptop = _laptop(tmp_path / "usb" / "laptop.qualcode", titles=("t1", "t2"))
    before = _state(laptop.parent)
    report = merge_project(hub, f"sqlite:///{laptop}")
    assert report.added["documents"] == 2 and report.source == str(laptop)
    assert _state(laptop.parent) == before
