"""Tidying the codebook: usage, merge and delete in the API, and the CodebookEditor widget."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from sqlalchemy import select

from qualcode.errors import CodebookError
from qualcode.store import schema
from qualcode.widgets import CodebookEditor
from qualcode.widgets.codebook_editor import CONFIRM_SECONDS


@pytest.fixture
def book(project, doc):
    """A small tree with codings by two coders: Access > (GP, Walk-in), Family, Neighbours."""
    cb = project.codebook
    access = cb.add("Access", shortcut="a")
    gp = cb.add("GP", parent=access, shortcut="g")
    walk_in = cb.add("Walk-in", parent=access)
    family = cb.add("Family")
    neighbours = cb.add("Neighbours", shortcut="n")
    project.code(doc, 0, 10, gp, coder="amina")
    project.code(doc, 20, 30, gp, coder="amina")
    project.code(doc, 40, 50, walk_in, coder="amina")
    project.code(doc, 60, 70, neighbours, coder="amina", memo="drives her")
    project.code(doc, 60, 70, family, coder="amina")  # the same span as Neighbours, same coder
    project.code(doc, 60, 70, family, coder="bo")  # the same span, another coder
    project.add_lead("tester", by="tester")  # p.user tidies others' codes: that needs a lead
    return {"access": access, "gp": gp, "walk_in": walk_in, "family": family, "nb": neighbours}


def _code_audit(project):
    log = project.audit_df()
    return log[log["object"] == "code"]


# the Codebook API ---------------------------------------------------------------------------


def test_usage_counts_the_code_itself_only(project, book) -> None:
    assert project.codebook.usage("Access/GP") == 2
    assert project.codebook.usage("Access") == 0  # its children's codings are not its own
    assert project.codebook.usage_counts() == {
        book["gp"].id: 2,
        book["walk_in"].id: 1,
        book["nb"].id: 1,
        book["family"].id: 2,
    }


def test_merge_moves_codings_and_children_and_drops_the_source(project, book) -> None:
    into = project.codebook.merge("Access", "Family")
    assert into.id == book["family"].id
    assert "Access" not in project.codebook
    assert [c.path for c in project.codebook.all()] == [
        "Family",
        "Family/GP",
        "Family/Walk-in",
        "Neighbours",
    ]
    assert project.codebook.get("Family/GP").id == book["gp"].id  # children keep their ids
    assert project.codebook.usage("Family/GP") == 2


def test_merge_collapses_codings_that_become_duplicates(project, doc, book) -> None:
    before = {c.id for c in project.codings()}
    project.codebook.merge("Neighbours", "Family")
    codings = project.codings()
    spans = sorted((c.start, c.end, c.code, c.coder) for c in codings)
    assert spans == [
        (0, 10, "Access/GP", "amina"),
        (20, 30, "Access/GP", "amina"),
        (40, 50, "Access/Walk-in", "amina"),
        (60, 70, "Family", "amina"),  # once, not twice
        (60, 70, "Family", "bo"),  # another coder's coding is not a duplicate
    ]
    kept = next(c for c in codings if c.coder == "amina" and c.start == 60)
    assert kept.memo == "drives her"  # the dropped copy's memo is not lost
    assert {c.id for c in codings} < before
    assert project.codebook.usage("Family") == 2


def test_merge_moves_distinct_codings_and_keeps_their_ids(project, doc, book) -> None:
    gp_codings = [c.id for c in project.codings() if c.code == "Access/GP"]
    project.codebook.merge("Access/GP", "Access/Walk-in")
    moved = [c for c in project.codings() if c.id in gp_codings]
    assert [c.code for c in moved] == ["Access/Walk-in", "Access/Walk-in"]
    assert project.codebook.usage("Access/Walk-in") == 3


@pytest.mark.parametrize(
    ("source", "into", "message"),
    [
        ("Access", "Access", "into itself"),
        ("Access", "Access/GP", "one of its own sub-codes"),
    ],
)
def test_merge_refuses_itself_and_descendants(project, book, source, into, message) -> None:
    before = (project.codebook.all(), project.codings())
    with pytest.raises(CodebookError, match=message):
        project.codebook.merge(source, into)
    assert (project.codebook.all(), project.codings()) == before


def test_merge_refuses_clashing_child_names(project, book) -> None:
    project.codebook.add("GP", parent="Family")
    with pytest.raises(CodebookError, match="both have a code named 'GP'"):
        project.codebook.merge("Access", "Family")
    assert "Access/GP" in project.codebook and project.codebook.usage("Access/GP") == 2


def test_merge_writes_audit_rows(project, doc, book) -> None:
    project.codebook.merge("Neighbours", "Family")
    rows = _code_audit(project)
    merge = rows[rows["action"] == "merge"].iloc[-1]
    assert merge["object_id"] == book["nb"].id
    assert merge["before"]["name"] == "Neighbours"
    assert (
        merge["after"]["into"] == "Family" and len(merge["after"]["duplicate_codings_removed"]) == 1
    )
    per_doc = project.audit_df(document=doc)
    dropped = per_doc[(per_doc["object"] == "coding") & (per_doc["action"] == "delete")]
    assert dropped.iloc[-1]["before"]["code"] == "Neighbours"


def test_delete_refuses_codes_in_use_without_confirm(project, book) -> None:
    with pytest.raises(CodebookError) as info:
        project.codebook.delete("Access")
    message = str(info.value)
    assert "'Access'" in message and "3 codings" in message and "2 child codes" in message
    assert "confirm=True" in message
    with pytest.raises(CodebookError, match=r"'Access/GP' is used in 2 codings"):
        project.codebook.delete("Access/GP")
    assert len(project.codebook) == 5 and len(project.codings()) == 6


def test_delete_with_confirm_removes_the_subtree_and_its_codings(project, doc, book) -> None:
    removed = project.codebook.delete("Access", confirm=True)
    assert removed == 3
    assert [c.path for c in project.codebook.all()] == ["Family", "Neighbours"]
    assert sorted(c.code for c in project.codings()) == ["Family", "Family", "Neighbours"]
    rows = _code_audit(project)
    deleted = rows[rows["action"] == "delete"]
    assert sorted(deleted["object_id"]) == sorted(
        [book["access"].id, book["gp"].id, book["walk_in"].id]
    )
    per_doc = project.audit_df(document=doc)
    gone = per_doc[(per_doc["object"] == "coding") & (per_doc["action"] == "delete")]
    assert len(gone) == 3


def test_delete_unused_leaf_needs_no_confirm(project, book) -> None:
    project.codebook.add("Spare")
    assert project.codebook.delete("Spare") == 0
    assert "Spare" not in project.codebook


def test_delete_and_merge_detach_and_move_code_memos(project, book) -> None:
    """Memos may point at a code; the foreign key must not block merge or delete."""
    with project.writing() as conn:
        coder = conn.execute(select(schema.coders.c.id)).scalars().first()
        for code in ("nb", "walk_in"):
            conn.execute(
                schema.memos.insert().values(
                    guid=f"memo-{code}",
                    coder_id=coder,
                    title=code,
                    text="a note",
                    code_id=book[code].id,
                    created_at="2026-01-01T00:00:00Z",
                    updated_at="2026-01-01T00:00:00Z",
                )
            )
    project.codebook.merge("Neighbours", "Family")
    project.codebook.delete("Access/Walk-in", confirm=True)
    with project.reading() as conn:
        memos = dict(conn.execute(select(schema.memos.c.guid, schema.memos.c.code_id)).all())
    assert memos == {"memo-nb": book["family"].id, "memo-walk_in": None}


# the editor -----------------------------------------------------------------------------------


def test_import_qualcode_does_not_load_ipywidgets() -> None:
    code = (
        "import sys, json, qualcode, qualcode.coding; "
        "print(json.dumps('ipywidgets' in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) is False


def test_editor_shows_the_tree_with_keys_and_counts(project, book) -> None:
    editor = CodebookEditor(project)
    labels = [label for label, _ in editor.tree.options]
    assert labels[0] == "Access [a] (0 codings)"
    assert labels[1] == "\u00a0" * 4 + "GP [g] (2 codings)"
    assert labels[2].endswith("Walk-in (1 coding)")
    assert editor.selected == book["access"]
    assert editor.name.value == "Access" and editor.shortcut.value == "a"


def test_editor_on_an_empty_codebook(project) -> None:
    editor = CodebookEditor(project)
    assert editor.tree.options == () and editor.selected is None
    assert editor.save_button.disabled and editor.delete_button.disabled
    editor.save()
    assert "Add a code first" in editor.status.value
    editor.add_button.click()  # nothing typed yet: nothing is made up
    assert "Theme name" in editor.status.value and len(project.codebook) == 0
    editor.name.value = "Transport"
    editor.add_button.click()
    (code,) = project.codebook.all()
    assert code.name == "Transport" and code.color != "#000000"  # a palette colour, not black


def test_select_edit_and_save(project, book) -> None:
    editor = CodebookEditor(project)
    editor.select("Access/GP")
    assert editor.name.value == "GP" and editor.parent.value == book["access"].id
    editor.texts["description"].value = "Getting an appointment with a family doctor"
    editor.name.value = "GP appointments"
    editor.parent.value = 0  # (top level)
    editor.save_button.click()
    saved = project.codebook.get(book["gp"].id)
    assert saved.path == "GP appointments"
    assert saved.description == "Getting an appointment with a family doctor"
    assert saved.shortcut == "g" and saved.color == book["gp"].color
    assert "Saved 'GP appointments'" in editor.status.value
    assert editor.tree.value == book["gp"].id
    update = _code_audit(project).iloc[-1]
    assert set(update["after"]) == {"name", "parent_id", "description"}  # only what changed


def test_saving_an_unchanged_form_writes_nothing(project, book) -> None:
    editor = CodebookEditor(project)
    before = len(project.audit_df())
    editor.save()
    assert "Nothing has changed" in editor.status.value
    assert len(project.audit_df()) == before


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("color", "blue", "hex colour"),
        ("shortcut", "g", "already used by 'Access/GP'"),
        ("name", "Family", "already exists"),
    ],
)
def test_invalid_form_shows_an_error_and_changes_nothing(
    project, book, field, value, message
) -> None:
    editor = CodebookEditor(project)
    editor.select("Neighbours")
    editor.texts["description"].value = "would be saved with the bad value"
    getattr(editor, field).value = value
    before = (project.codebook.all(), len(project.audit_df()))
    assert editor.save() is None  # no exception
    assert message in editor.status.value and "Nothing was changed" in editor.status.value
    assert (project.codebook.all(), len(project.audit_df())) == before
    assert getattr(editor, field).value == value  # the form keeps what was typed, to fix it


def test_add_makes_the_code_the_form_describes(project, book) -> None:
    editor = CodebookEditor(project)
    editor.select("Access/GP")
    editor.name.value = "Pharmacy"
    editor.parent.value = book["family"].id
    editor.shortcut.value = "P"
    editor.color.value = "#aa3377"
    editor.texts["description"].value = "Getting medicines"
    editor.texts["inclusion"].value = "prescriptions, chemists"
    rows = len(_code_audit(project))
    editor.add_button.click()
    code = project.codebook.get("Family/Pharmacy")
    assert (code.shortcut, code.color.upper()) == ("p", "#AA3377")
    assert (code.description, code.inclusion) == ("Getting medicines", "prescriptions, chemists")
    assert len(_code_audit(project)) == rows + 1  # one add, no follow-up change
    assert editor.selected == code and "Added 'Family/Pharmacy'" in editor.status.value
    assert project.codebook.get("Access/GP") == book["gp"]  # the code shown before is as it was


def test_add_beside_the_selected_code_takes_neither_its_key_nor_its_colour(project, book) -> None:
    editor = CodebookEditor(project)
    editor.select("Access/GP")  # key "g"
    editor.name.value = "Walk-in centre"
    code = editor.add()
    assert code.path == "Access/Walk-in centre"  # beside GP: the form's "Belongs under"
    assert code.shortcut is None and code.color != book["gp"].color
    assert editor.add("Pharmacy").path == "Access/Pharmacy"  # a name passed from Python


@pytest.mark.parametrize(
    ("name", "key", "message"),
    [
        (None, "", "the form still shows 'Access/GP'"),  # nothing typed
        ("  ", "", "Theme name"),
        ("walk-in", "", "already exists under 'Access'"),
        ("Pharmacy", "n", "already used by 'Neighbours'"),
        ("Pharmacy", "??", "must be one key"),
    ],
)
def test_add_with_a_bad_or_taken_name_or_key_writes_nothing(
    project, book, name, key, message
) -> None:
    editor = CodebookEditor(project)
    editor.select("Access/GP")
    if name is not None:
        editor.name.value = name
    editor.shortcut.value = key
    before = (project.codebook.all(), len(project.audit_df()))
    assert editor.add() is None
    assert message in editor.status.value and "Nothing was changed" in editor.status.value
    assert (project.codebook.all(), len(project.audit_df())) == before
    assert editor.shortcut.value == key  # the form keeps what was typed, to fix it


def test_merge_through_the_editor(project, book) -> None:
    editor = CodebookEditor(project)
    editor.select("Neighbours")
    target_labels = [label for label, _ in editor.merge_target.options]
    assert "Neighbours" not in target_labels and "Family" in target_labels
    editor.merge_button.click()  # no target chosen yet
    assert "Choose" in editor.status.value and "Neighbours" in project.codebook
    editor.merge_target.value = book["family"].id
    editor.merge_button.click()
    assert "Neighbours" not in project.codebook
    assert project.codebook.usage("Family") == 2
    assert editor.selected.id == book["family"].id
    assert "Merged 'Neighbours' into 'Family'" in editor.status.value
    assert not any(label.startswith("Neighbours") for label, _ in editor.tree.options)


def test_merge_into_a_sub_code_shows_an_error(project, book) -> None:
    editor = CodebookEditor(project)
    editor.select("Access")
    assert all(not label.startswith("Access/") for label, _ in editor.merge_target.options)
    assert editor.merge_into("Access/GP") is None
    assert "sub-codes" in editor.status.value and "Access/GP" in project.codebook


def test_delete_asks_twice_for_a_code_in_use(project, book) -> None:
    editor = CodebookEditor(project)
    editor.select("Access/GP")
    assert editor.delete() is None
    assert "This code is used in 2 codings; they will be removed too." in editor.status.value
    assert "Press Delete again to confirm." in editor.status.value
    assert "Access/GP" in project.codebook
    editor.delete_button.click()
    assert "Access/GP" not in project.codebook and project.codebook.usage("Access/Walk-in") == 1
    assert "Deleted 'Access/GP' and 2 codings" in editor.status.value
    assert editor.selected == project.codebook.get("Access")


def test_delete_warning_counts_codes_underneath(project, book) -> None:
    editor = CodebookEditor(project)
    editor.select("Access")
    editor.delete()
    assert "the 2 codes under it are used in 3 codings" in editor.status.value
    assert editor.delete() == 3
    assert [c.path for c in project.codebook.all()] == ["Family", "Neighbours"]


def test_choosing_another_code_cancels_a_pending_delete(project, book) -> None:
    editor = CodebookEditor(project)
    editor.select("Access/GP")
    editor.delete()
    editor.select("Family")
    editor.select("Access/GP")
    editor.delete()
    assert "Access/GP" in project.codebook  # the second press was a new first press


def test_delete_warns_again_when_use_grew_since_the_warning(project, doc, book) -> None:
    editor = CodebookEditor(project)
    editor.select("Access/GP")
    editor.delete()
    project.code(doc, 80, 90, "Access/GP", coder="bo")  # someone else codes meanwhile
    editor.delete()
    assert "used in 3 codings" in editor.status.value and "Access/GP" in project.codebook


def test_unused_code_goes_with_one_press(project, book) -> None:
    project.codebook.add("Spare")
    editor = CodebookEditor(project)
    editor.select("Spare")
    assert editor.delete() == 0
    assert "Spare" not in project.codebook


def test_select_unknown_code_shows_an_error(project, book) -> None:
    editor = CodebookEditor(project)
    assert editor.select("Nope") is None
    assert "no code named 'Nope'" in editor.status.value


def test_select_finds_a_code_added_elsewhere_after_the_editor_opened(project, book) -> None:
    editor = CodebookEditor(project)
    project.codebook.add("Transport", description="Buses and lifts")  # e.g. from another laptop
    assert editor.select("Transport").name == "Transport"
    assert editor.texts["description"].value == "Buses and lifts"
    assert any(label.startswith("Transport") for label, _ in editor.tree.options)


# the editor acts as its coder ---------------------------------------------------------------


def test_a_non_lead_in_the_editor_cannot_erase_others_work(project, book) -> None:
    """Two presses (or ten) by a coder who is not a lead remove nobody's codings."""
    editor = CodebookEditor(project, coder="bo")
    editor.select("Access")
    for _ in range(3):
        assert editor.delete_button.click() is None
    assert "Access" in project.codebook and len(project.codings()) == 6
    assert "amina (3 codings)" in editor.status.value and "bo is not a lead" in editor.status.value
    editor.select("Neighbours")
    editor.merge_into("Family")
    assert "Neighbours" in project.codebook and "not a lead" in editor.status.value


def test_a_leads_confirm_step_lists_whose_codings_go(project, book) -> None:
    editor = CodebookEditor(project, coder="tester")
    editor.select("Family")
    assert editor.delete() is None
    assert "Codings by amina (1 coding) and bo (1) go." in editor.status.value
    assert editor.delete() == 2


def test_the_delete_warning_clears_when_the_user_does_anything_else(project, book) -> None:
    editor = CodebookEditor(project)
    editor.select("Access/GP")
    editor.delete()
    assert "Press Delete again" in editor.status.value
    editor.texts["description"].value = "seeing a family doctor"  # typing in the form
    assert editor.status.value == ""
    editor.delete()  # a first press again
    assert "Access/GP" in project.codebook and "Press Delete again" in editor.status.value


def test_a_delete_warning_expires(project, book) -> None:
    now = [1000.0]
    editor = CodebookEditor(project, clock=lambda: now[0])
    editor.select("Access/GP")
    editor.delete()
    now[0] += CONFIRM_SECONDS + 1  # minutes later, the second press is a first press again
    assert editor.delete() is None
    assert "Access/GP" in project.codebook and "Press Delete again" in editor.status.value
    editor.expire_warning()  # what the kernel's timer calls: too soon, the warning stays
    assert "Press Delete again" in editor.status.value
    now[0] += CONFIRM_SECONDS + 1
    editor.expire_warning()
    assert editor.status.value == "" and "Access/GP" in project.codebook
    editor.delete()
    assert "Access/GP" in project.codebook  # a warning again, not a delete


# watching the codebook ----------------------------------------------------------------------


class _Panel:
    def __init__(self) -> None:
        self.calls = 0

    def changed(self) -> None:
        self.calls += 1


def test_watch_is_told_after_each_committed_change_and_stops(project) -> None:
    panel = _Panel()
    watching = project.codebook.watch(panel.changed)
    project.codebook.add("Access")
    project.codebook.update("Access", shortcut="a")
    project.codebook.delete("Access")
    assert panel.calls == 3
    project.add_lead("tester", by="tester")  # not a codebook change
    assert panel.calls == 3
    watching.stop()
    project.codebook.add("Family")
    assert panel.calls == 3 and not watching.active


def test_watch_does_not_keep_a_panel_alive_and_a_failing_one_breaks_no_write(project) -> None:
    import gc
    import weakref

    panel = _Panel()
    watching = project.codebook.watch(panel.changed)
    gone = weakref.ref(panel)
    del panel
    gc.collect()
    assert gone() is None and not watching.active

    def broken() -> None:
        raise RuntimeError("a panel whose kernel state is gone")

    watching = project.codebook.watch(broken)  # a plain function is held until stop()
    assert project.codebook.add("Access").path == "Access"  # saved, and no error for the writer
    assert "Access" in project.codebook and watching.active
    watching.stop()
