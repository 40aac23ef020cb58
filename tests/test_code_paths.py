"""Code names with "/" in them ("Transport to/ from services"), as real codebooks write them:
a path escapes a "/" inside a name as "\\/", so it stays unambiguous, and every reader and
writer of paths (the codebook, retrieval, codebook files, REFI-QDA, merge, restore, the
editor, an older store) agrees."""

from __future__ import annotations

import shutil
import sqlite3
import zipfile
from contextlib import closing
from pathlib import Path

import pytest
from lxml import etree

import qualcode
from qualcode.analysis.selection import code_name, select_codings
from qualcode.coding.retrieval import Retrieval
from qualcode.errors import CodebookError, NotFoundError
from qualcode.interop import refi
from qualcode.interop.codebook_files import export_codebook, import_codebook
from qualcode.interop.merge import MergeConflict, merge_project
from qualcode.interop.merge.report import parse_pairs
from qualcode.model import is_under, join_path, parent_path, path_depth, plain_path, split_path
from qualcode.widgets import CodebookEditor
from tests.conftest import ROOT

TRANSPORT = "Transport to/ from services"
TYPED = f"Access/{TRANSPORT}"  # the path as someone types it, without the escape
PATH = "Access/Transport to\\/ from services"  # the path as qualcode writes it


@pytest.mark.parametrize(
    "names",
    [
        ("Access", TRANSPORT),
        ("Impact of treatment/ care",),
        ("/", "//", "a/"),
        ("C:\\temp", "ends with a backslash\\", "back\\/slash"),
        ("two\\\\backslashes", "\\/"),
    ],
)
def test_a_path_splits_back_into_its_names(names: tuple[str, ...]) -> None:
    path = join_path(names)
    assert split_path(path) == names
    assert path_depth(path) == len(names) - 1
    assert parent_path(path) == (join_path(names[:-1]) if len(names) > 1 else None)
    assert plain_path(path) == "/".join(names)
    assert is_under(path, join_path(names[:1])) and is_under(path, path)


def test_names_without_a_slash_join_as_they_always_did() -> None:
    names = ("Support and care", "C:\\odd name", "Peer support")
    assert join_path(names) == "/".join(names)
    assert not is_under("Access to GP", "Access")


def test_add_find_rename_and_move_a_code_with_a_slash(project, doc) -> None:
    cb = project.codebook
    cb.add("Access")
    code = cb.add(TRANSPORT, parent="Access")
    assert (code.name, code.path) == (TRANSPORT, PATH)
    buses = cb.add("Buses", parent=code)
    assert buses.path == f"{PATH}/Buses"
    for ref in (TRANSPORT, PATH, TYPED, code.id):
        assert cb.get(ref) == code, ref
    assert cb.get(f"{TYPED}/Buses") == buses
    assert PATH in cb and TYPED in cb and "Access/Transport to" not in cb

    coding = project.code(doc, 0, 10, TYPED, coder="amina")
    assert coding.code == PATH
    frame = project.codes_df().set_index("name")
    assert frame.loc[TRANSPORT, "depth"] == 1 and frame.loc["Buses", "depth"] == 2
    assert frame.loc["Buses", "parent"] == PATH
    assert select_codings(project)["code_name"].tolist() == [TRANSPORT]

    renamed = cb.rename(code, "Impact of treatment/ care")
    assert renamed.path == "Access/Impact of treatment\\/ care"
    assert cb.get("Buses").path == "Access/Impact of treatment\\/ care/Buses"
    moved = cb.update(renamed, parent=None)
    assert (moved.id, moved.path) == (code.id, "Impact of treatment\\/ care")
    assert cb.get("Impact of treatment/ care/Buses") == cb.get(buses.id)
    assert [c.code for c in project.codings(doc)] == [moved.path]  # the coding followed
    with pytest.raises(CodebookError, match="already exists at the top"):
        cb.add("impact of treatment/ care")


def test_a_name_that_reads_as_a_path_is_told_apart(project) -> None:
    cb = project.codebook
    child = cb.add("B", parent=cb.add("A"))
    whole = cb.add("A/B")
    assert (cb.get("A/B"), cb.get("A\\/B")) == (child, whole)  # a path first, as always
    cb.add("X/Y")
    cb.add("X/Y", parent="A")
    with pytest.raises(NotFoundError, match=r"more than one code is named 'X/Y'.*written '\\/'"):
        cb.get("X/Y")
    assert cb.get("A/X\\/Y").parent_id == child.parent_id


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "non-empty"),
        ("   ", "non-empty"),
        ("Transport\nfrom services", "control character U\\+000A"),
        ("Transport\x00", "control character U\\+0000"),
        ("Transport\u2028to", "control character U\\+2028"),
    ],
)
def test_empty_names_and_control_characters_are_still_refused(project, name, message) -> None:
    with pytest.raises(CodebookError, match=message) as caught:
        project.codebook.add(name)
    assert "\n" not in str(caught.value)
    assert len(project.codebook) == 0


def test_retrieval_finds_a_code_with_a_slash(project, doc) -> None:
    project.codebook.add("Carers")
    project.codebook.add(TRANSPORT, parent=project.codebook.add("Access"))
    project.code(doc, 0, 40, "Carers", coder="amina")
    project.code(doc, 20, 60, TRANSPORT, coder="amina")
    for query in (
        f'Carers AND "{TRANSPORT}"',
        f"Carers AND {TRANSPORT}",
        f'Carers AND "{TYPED}"',
        f'Carers AND "{PATH}"',
    ):
        found = Retrieval(project, query, context=0).df
        assert found[["start", "end"]].values.tolist() == [[20, 40]], query
        assert found["codes"].tolist() == [["Carers", PATH]], query


def build_book(p: qualcode.Project) -> None:
    """Two headings, a code with "/" in its name and one under it."""
    p.codebook.add("Access", description="Getting to a service.")
    p.codebook.add(TRANSPORT, parent="Access", inclusion="Buses, lifts, taxis.", shortcut="t")
    p.codebook.add("Night buses", parent=f"{TYPED}")
    p.codebook.add("Impact of treatment/ care", color="#CC79A7")


@pytest.mark.parametrize("suffix", [".yaml", ".csv"])
def test_codebook_files_keep_names_with_a_slash(project, tmp_path: Path, suffix: str) -> None:
    build_book(project)
    out = export_codebook(project, tmp_path / f"book{suffix}")
    with qualcode.open_project(tmp_path / "copy.qualcode", user="tester") as copy:
        assert str(import_codebook(copy, out)) == "4 codes added, 0 updated, 0 unchanged"
        fields = ("name", "path", "description", "inclusion", "color", "shortcut")
        assert [tuple(getattr(c, f) for f in fields) for c in copy.codebook.all()] == [
            tuple(getattr(c, f) for f in fields) for c in project.codebook.all()
        ]
        assert str(import_codebook(copy, out)) == "0 codes added, 0 updated, 4 unchanged"


def test_a_codebook_csv_without_the_escape_says_how_to_write_it(project, tmp_path: Path) -> None:
    book = tmp_path / "book.csv"
    book.write_text(f"path,description\nAccess,\n{TYPED},buses\n", encoding="utf-8")
    with pytest.raises(CodebookError, match=r"book\.csv: parent 'Access/Transport to'.*'\\/'"):
        import_codebook(project, book)
    assert len(project.codebook) == 0


def test_refi_import_and_export_keep_a_name_with_a_slash(project, doc, tmp_path: Path) -> None:
    build_book(project)
    project.code(doc, 0, 10, TYPED, coder="amina")
    first = refi.export_qdpx(project, tmp_path / "a" / "proj.qdpx")
    with zipfile.ZipFile(first) as zf:
        root = etree.fromstring(zf.read("project.qde"))
    names = [c.get("name") for c in root.iter(f"{{{refi.NS_PROJECT}}}Code")]
    assert TRANSPORT in names and "Impact of treatment/ care" in names
    with qualcode.open_project(tmp_path / "copy.qualcode", user="tester") as copy:
        refi.import_qdpx(first, copy, area="moved")
        assert [c.path for c in copy.codebook.all()] == [c.path for c in project.codebook.all()]
        assert [c.code for c in copy.codings()] == [PATH]
        second = refi.export_qdpx(copy, tmp_path / "b" / "proj.qdpx")
        with zipfile.ZipFile(first) as a, zipfile.ZipFile(second) as b:
            assert a.read("project.qde") == b.read("project.qde")
    codebook = refi.export_qdc(project, tmp_path / "book.qdc")
    with qualcode.open_project(tmp_path / "book.qualcode", user="tester") as other:
        refi.import_qdc(codebook, other)
        assert other.codebook.get(TYPED).name == TRANSPORT


def test_merge_with_a_code_with_a_slash(tmp_path: Path) -> None:
    hub = qualcode.open_project(tmp_path / "hub.qualcode", user="lead")
    hub.codebook.add(TRANSPORT, parent=hub.codebook.add("Access"), description="ours")
    laptop = qualcode.open_project(tmp_path / "laptop.qualcode", user="amina")
    laptop.codebook.add(TRANSPORT, parent=laptop.codebook.add("Access"), description="theirs")
    laptop.codebook.add("Night buses", parent=TYPED)
    laptop.close()
    with pytest.raises(MergeConflict) as caught:
        merge_project(hub, tmp_path / "laptop.qualcode")
    assert f"--keep-code '{PATH}=ours'" in str(caught.value)
    keep = parse_pairs([f"{TYPED}=theirs"], "PATH=ours|theirs", "--keep-code")  # as typed
    report = merge_project(hub, tmp_path / "laptop.qualcode", keep_codes=keep)
    assert not report.conflicts and report.added["codes"] == 1
    assert hub.codebook.get(TYPED).description == "theirs"
    assert hub.codebook.get("Night buses").path == f"{PATH}/Night buses"
    hub.close()


def test_a_deleted_code_with_a_slash_comes_back_under_its_parent(project, doc) -> None:
    build_book(project)
    project.code(doc, 0, 10, "Night buses", coder="tester")
    project.codebook.delete(TYPED, confirm=True)
    assert [c.path for c in project.codebook.all()] == ["Access", "Impact of treatment\\/ care"]
    restored = project.restore_code(TYPED, by="tester")  # as typed, without the escape
    assert restored.path == PATH
    assert [c.code for c in project.codings(doc)] == [f"{PATH}/Night buses"]


def test_the_editor_indents_by_path_not_by_slashes(project) -> None:
    build_book(project)
    editor = CodebookEditor(project)
    labels = [label.split(" (")[0] for label, _ in editor.tree.options]
    indent = "\u00a0" * 4
    assert labels == [
        "Access",
        f"{indent}{TRANSPORT} [t]",
        f"{indent * 2}Night buses",
        "Impact of treatment/ care",
    ]
    editor.select(TYPED)
    assert [label for label, _ in editor.parent.options] == [
        "(top level)",
        "Access",
        "Impact of treatment\\/ care",
    ]


def test_an_older_store_reads_the_same(tmp_path: Path) -> None:
    copy = tmp_path / "old.qualcode"
    shutil.copy(ROOT / "tests" / "data" / "stores" / "schema-v2.qualcode", copy)
    with closing(sqlite3.connect(copy)) as raw:
        rows = raw.execute("SELECT name, parent_id FROM codes ORDER BY position, name").fetchall()
    with qualcode.open_project(copy, user="tester") as p:
        frame = p.codes_df()
        assert frame["path"].tolist() == [name for name, _ in rows]  # all at the top
        assert frame["depth"].tolist() == [0] * len(rows)
        assert [p.codebook.get(name).name for name, _ in rows] == [name for name, _ in rows]
    assert code_name("Everyday life/Transport") == "Transport"
