"""The codebook tree and codebook files."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from sqlalchemy import select

import qualcode
from qualcode.errors import CodebookError, NotFoundError
from qualcode.interop.codebook_files import export_codebook, import_codebook, read_codebook
from qualcode.store import schema
from tests.conftest import ROOT


def test_add_tree_colours_and_shortcuts(project) -> None:
    parent = project.codebook.add("Support and care", description="How people are supported")
    child = project.codebook.add(
        "Peer support",
        parent=parent,
        color="#cc79a7",
        shortcut="3",
        inclusion="Help from people with the same experience",
    )
    assert child.path == "Support and care/Peer support"
    assert child.color == "#CC79A7" and child.shortcut == "3"
    assert parent.color.startswith("#") and len(parent.color) == 7
    assert project.codebook.get("Peer support") == child
    assert "Support and care/Peer support" in project.codebook
    assert "Nothing" not in project.codebook
    assert len(project.codebook) == 2


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"name": ""}, "non-empty"),
        ({"name": "Health\x07care"}, "control character U\\+0007"),
        ({"name": "   "}, "non-empty"),
        ({"name": "Buses", "color": "blue"}, "hex colour"),
        ({"name": "Other", "shortcut": "1"}, "already used by 'Transport'"),
        ({"name": "Other", "shortcut": "F1"}, "must be one key"),
        ({"name": "transport"}, "already exists at the top"),
    ],
)
def test_bad_codes_are_refused(project, kwargs, message) -> None:
    project.codebook.add("Transport", shortcut="1")
    with pytest.raises(CodebookError, match=message):
        project.codebook.add(**kwargs)
    assert len(project.codebook) == 1


def test_rename_and_move_keep_the_id_and_codings(project, doc) -> None:
    code = project.codebook.add("Acess to GP")
    services = project.codebook.add("Access to services")
    coding = project.code(doc, 0, 10, code, coder="amina")
    renamed = project.codebook.rename(code, "Access to GP")
    moved = project.codebook.update(renamed, parent=services, description="Getting seen")
    assert moved.id == code.id
    assert moved.path == "Access to services/Access to GP"
    assert project.codings()[0].id == coding.id
    assert project.codings()[0].code == "Access to services/Access to GP"
    with pytest.raises(CodebookError, match="under itself"):
        project.codebook.update(services, parent=moved)
    with pytest.raises(CodebookError, match="cannot change colour"):
        project.codebook.update(moved, colour="#000000")
    log = project.audit_df()
    assert log[log["object"] == "code"]["action"].tolist() == ["add", "add", "update", "update"]


def test_sample_codebook_reads_as_a_tree() -> None:
    specs = read_codebook(ROOT / "data" / "raw" / "codebook.yaml")
    leaves = [s for s in specs if len(s.path) == 2]
    assert 15 <= len(leaves) <= 25
    assert all(s.fields.get("description") and s.fields.get("inclusion") for s in leaves)
    assert ("Access to services", "Access to GP") in {s.path for s in specs}


@pytest.mark.parametrize("suffix", [".yaml", ".csv"])
def test_codebook_round_trip_and_idempotent_import(project, tmp_path: Path, suffix) -> None:
    first = import_codebook(project, ROOT / "data" / "raw" / "codebook.yaml")
    assert first.added == len(project.codebook) and first.updated == 0
    again = import_codebook(project, ROOT / "data" / "raw" / "codebook.yaml")
    assert (again.added, again.updated) == (0, 0)
    out = export_codebook(project, tmp_path / f"book{suffix}")
    second = qualcode.open_project(tmp_path / "second.qualcode")
    import_codebook(second, out)
    columns = ["path", "description", "inclusion", "exclusion", "example", "color", "shortcut"]
    assert second.codes_df()[columns].to_dict("records") == project.codes_df()[columns].to_dict(
        "records"
    )
    second.close()


def test_import_updates_changed_fields(project, tmp_path: Path) -> None:
    book = tmp_path / "book.yaml"
    book.write_text(yaml.safe_dump({"codes": [{"name": "Transport", "description": "old"}]}))
    import_codebook(project, book)
    book.write_text(yaml.safe_dump({"codes": [{"name": "Transport", "description": "new"}]}))
    result = import_codebook(project, book)
    assert (result.added, result.updated) == (0, 1)
    assert project.codebook.get("Transport").description == "new"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("codes: [{name: A}, {name: A}]", "appears twice"),
        ("codes: [{name: A, colour: red}]", "unknown fields colour"),
        ("codes: [{description: no name}]", "has no name"),
        ("- just a list", "top-level 'codes:'"),
        (
            "codes: [{name: A, children: [{name: B, shortcut: '1'}, {name: C, shortcut: '1'}]}]",
            "already used",
        ),
        ('codes: [{name: A}, {name: "B\\x01C"}]', "control character U\\+0001"),
        ("codes: [{name: A\n", "not readable YAML"),
    ],
)
def test_bad_codebook_files_import_nothing(project, tmp_path: Path, content, message) -> None:
    book = tmp_path / "bad.yaml"
    book.write_text(content)
    with pytest.raises(CodebookError, match=message) as info:
        import_codebook(project, book)
    assert "bad.yaml" in str(info.value)
    assert len(project.codebook) == 0


def test_codebook_file_types(project, tmp_path: Path) -> None:
    with pytest.raises(CodebookError, match="no such codebook"):
        import_codebook(project, tmp_path / "missing.yaml")
    (tmp_path / "book.txt").write_text("x")
    with pytest.raises(CodebookError, match=r"\.yaml, \.yml or \.csv"):
        import_codebook(project, tmp_path / "book.txt")
    (tmp_path / "book.csv").write_text("name\nA\n")
    with pytest.raises(CodebookError, match="'path' column"):
        import_codebook(project, tmp_path / "book.csv")
    (tmp_path / "orphan.csv").write_text("path\nA/B\n")
    with pytest.raises(CodebookError, match="parent 'A' of 'B' is not in the file"):
        import_codebook(project, tmp_path / "orphan.csv")


# who may delete or merge a code, and bringing a deleted one back -------------------------------


@pytest.fixture
def used(project):
    """Transport (Buses under it) coded by amina, bob (twice) and chen; dawn leads."""
    doc = project.add_document(
        "Two buses and a prayer. The bus never comes. I walk. My son drives me.",
        area="hartlepool",
        title="hp-rights",
    )
    project.codebook.add("Transport", shortcut="t")
    project.codebook.add("Buses", parent="Transport")
    project.codebook.add("Mine")
    project.code(doc, 0, 22, "Transport", coder="amina", memo="two buses!")
    project.code(doc, 24, 42, "Transport/Buses", coder="bob")
    project.code(doc, 43, 50, "Transport", coder="bob")
    project.code(doc, 51, 69, "Transport/Buses", coder="chen")
    project.code(doc, 51, 69, "Mine", coder="amina")
    project.add_memo("buses are the theme", coder="chen", code="Transport/Buses")
    project.add_lead("dawn", by="dawn")
    return doc


def test_a_non_lead_cannot_delete_or_merge_others_codings(project, used) -> None:
    before = sorted((c.id, c.code) for c in project.codings())
    with pytest.raises(CodebookError) as caught:
        project.codebook.delete("Transport", confirm=True, by="amina")
    message = str(caught.value)
    assert "bob (2 codings) and chen (1)" in message and "amina is not a lead" in message
    assert "dawn" in message and "Nothing was changed" in message
    with pytest.raises(CodebookError, match=r"cannot merge code 'Transport'.*bob \(1 coding\)"):
        project.codebook.merge("Transport", "Mine", by="Amina")
    assert sorted((c.id, c.code) for c in project.codings()) == before
    assert project.codebook.delete("Mine", confirm=True, by="AMINA") == 1  # only her own


def test_a_leads_delete_says_whose_codings_go_before_they_go(project, used) -> None:
    with pytest.raises(CodebookError) as caught:
        project.codebook.delete("Transport", by="dawn")
    message = str(caught.value)
    assert "used in 4 codings, by bob (2 codings), amina (1) and chen (1)" in message
    assert "confirm=True" in message and "Transport" in project.codebook
    assert project.codebook.check_delete("Transport", by="Dawn") == {
        "bob": 2,
        "amina": 1,
        "chen": 1,
    }
    assert project.codebook.delete("Transport", confirm=True, by="dawn") == 4


def test_delete_then_restore_keeps_every_coding_of_every_coder(project, used) -> None:
    def state():
        codings = sorted(
            (c.id, c.guid, c.document_id, c.start, c.end, c.code, c.coder, c.memo)
            for c in project.codings()
        )
        codes = [(c.id, c.guid, c.path, c.shortcut, c.color) for c in project.codebook.all()]
        with project.reading() as conn:
            memos = conn.execute(select(schema.memos.c.guid, schema.memos.c.code_id)).all()
        return codings, codes, sorted(tuple(m) for m in memos)

    before = state()
    project.codebook.delete("Transport", confirm=True, by="dawn")
    assert len(project.codings()) == 1
    restored = project.restore_code("Transport", by="Dawn")
    assert restored.path == "Transport"
    after = state()
    assert after[0] == before[0]  # same ids, guids, spans, coders and memos
    assert sorted(after[1]) == sorted(before[1])
    assert after[2] == before[2]
    log = project.audit_df()
    back = log[log["action"] == "restore"]
    assert sorted(back["object"].value_counts().items()) == [("code", 2), ("coding", 4)]
    with pytest.raises(CodebookError, match="is in the codebook; nothing to restore"):
        project.restore_code("Transport", by="dawn")


def test_restore_is_refused_clearly(project, used) -> None:
    with pytest.raises(NotFoundError, match="no deleted code named 'Nope'"):
        project.restore_code("Nope", by="dawn")
    project.codebook.delete("Transport", confirm=True, by="dawn")
    with pytest.raises(NotFoundError, match=r"deleted with 'Transport'.*restore 'Transport'"):
        project.restore_code("Transport/Buses", by="dawn")
    with pytest.raises(CodebookError, match=r"cannot restore code 'Transport'.*not a lead"):
        project.restore_code("Transport", by="amina")  # others' codings come back with it
    project.codebook.add("Transport")
    with pytest.raises(CodebookError, match="a code named 'Transport' already exists"):
        project.restore_code("Transport", by="dawn")


def test_restore_is_refused_when_the_parent_or_a_document_is_gone(project, used) -> None:
    project.codebook.delete("Transport/Buses", confirm=True, by="dawn")
    project.codebook.delete("Transport", confirm=True, by="dawn")
    with pytest.raises(CodebookError, match="the code it was under, 'Transport', is gone"):
        project.restore_code("Transport/Buses", by="dawn")
    project.restore_code("Transport", by="dawn")
    with project.writing() as conn:  # a purge took the document
        conn.execute(schema.memos.delete())
        conn.execute(schema.codings.delete())
        conn.execute(schema.units.delete())
        conn.execute(schema.documents.delete())
    with pytest.raises(CodebookError, match=r"documents that are gone \(ids"):
        project.restore_code("Transport/Buses", by="dawn")
    assert sorted(c.path for c in project.codebook.all()) == ["Mine", "Transport"]
