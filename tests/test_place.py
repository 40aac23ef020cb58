"""Place and progress (issue 15): done marks in the store and in the Coder's transcript list,
and Retrieval's "Open in coder" moving the Coder already open. SYNTHETIC texts only."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import qualcode
from qualcode.errors import CoderNameWarning, CodingError, NotFoundError, QualcodeError
from qualcode.widgets import place
from qualcode.widgets.coder import Coder
from qualcode.widgets.retrieval import Retrieval
from tests.conftest import ROOT

OTHER = "Interviewer: Bus?\nParticipant: [SYNTHETIC] Never comes, twice a day if lucky.\n"


def done(project: qualcode.Project, **kw: object) -> list[tuple[str, str]]:
    frame = project.done_df(**kw)  # type: ignore[arg-type]
    return list(zip(frame["title"], frame["coder"], strict=True))


def test_a_done_mark_is_saved_audited_and_taken_back(project, doc) -> None:
    assert project.mark_done(doc, coder="amina") is True
    assert project.mark_done("hp-test", coder="Amina") is False  # one coder, however spelled
    assert done(project) == [("hp-test", "amina")]
    row = project.done_df().iloc[0]
    assert (row["area"], row["version"], bool(row["current"])) == ("hartlepool", 1, True)
    assert row["document_id"] == doc.id and row["done_at"]
    assert project.mark_done(doc, coder="ben") is True
    assert done(project, coder="BEN") == [("hp-test", "ben")]
    assert project.mark_done(doc, coder="amina", done=False) is True
    assert project.mark_done(doc, coder="amina", done=False) is False
    assert project.mark_done(doc, coder="carla", done=False) is False  # never marked
    assert done(project) == [("hp-test", "ben")]
    audit = project.audit_df(document=doc)
    marks = audit[audit["object"] == "done"]
    assert list(zip(marks["action"], marks["actor"], strict=True)) == [
        ("add", "amina"),
        ("add", "ben"),
        ("delete", "amina"),
    ]
    assert "carla" not in set(project.coders_df()["coder"])  # un-marking makes no coder


def test_bad_done_marks_are_refused_and_write_nothing(project, doc) -> None:
    before = len(project.audit_df())
    with pytest.raises(NotFoundError):
        project.mark_done("no-such-title", coder="amina")
    with pytest.raises(QualcodeError, match="non-empty"):
        project.mark_done(doc, coder="  ")
    with pytest.raises(QualcodeError, match="True or False"):
        project.mark_done(doc, coder="amina", done="yes")  # type: ignore[arg-type]
    with pytest.raises(CodingError, match="not a person"):
        project.mark_done(doc, coder="suggest:themes")
    with pytest.raises(CodingError, match="adjudicated layer"):
        project.mark_done(doc, coder="consensus")
    with pytest.raises(NotFoundError, match="area"):
        project.done_df(area="atlantis")
    assert len(project.audit_df()) == before and done(project) == []


def test_done_follows_the_codings_to_a_revision_not_to_a_new_file(project, doc) -> None:
    """A pseudonymised version carries the codings, so it carries the mark; an old version
    cannot be marked; a changed file ingested again is a new text, not marked."""
    project.mark_done(doc, coder="amina")
    revised, _ = project.revise(doc, [(0, 11, "[SYNTHETIC]")], by="lead")
    assert project.done_df()["document_id"].tolist() == [revised.id]
    assert len(project.done_df(all_versions=True)) == 2
    with pytest.raises(QualcodeError, match="not the current version"):
        project.mark_done(doc, coder="ben")
    changed = project.add_document(
        revised.text + "Participant: One more thing.\n", area="hartlepool", title="hp-test"
    )
    assert changed.version == 3 and done(project) == []
    assert done(project, all_versions=True) == [("hp-test", "amina")] * 2


def test_merging_coders_moves_their_done_marks(project, doc) -> None:
    other = project.add_document(OTHER, area="hartlepool", title="hp-other")
    project.mark_done(doc, coder="amina")
    with pytest.warns(CoderNameWarning):  # close to amina: one person, to be merged
        project.mark_done(doc, coder="amina.d")
    project.mark_done(other, coder="amina.d")
    project.add_lead("lead", by="lead")
    summary = project.merge_coders("amina.d", into="amina", by="lead")
    assert summary["done_marks_moved"] == 1
    assert done(project) == [("hp-other", "amina"), ("hp-test", "amina")]


@pytest.mark.sqlite_only
def test_an_older_store_gains_the_done_marks_table(tmp_path: Path, store_url: str) -> None:
    copy = tmp_path / "old.qualcode"
    shutil.copy(ROOT / "tests" / "data" / "stores" / "schema-v2.qualcode", copy)
    with qualcode.open_project(copy, user="t") as p:
        (first, *_) = p.documents()
        assert p.mark_done(first, coder="amina") and len(p.done_df()) == 1


# the Coder's transcript list -------------------------------------------------------------


@pytest.fixture
def two(project, doc):
    other = project.add_document(OTHER, area="worcester", title="wr-other")
    return doc, other


def test_the_list_shows_done_with_a_tick_and_a_count(project, two) -> None:
    doc, other = two
    project.mark_done(other, coder="ben")  # someone else's mark is not amina's
    coder = Coder(project, coder="amina")
    labels = dict((v, k) for k, v in coder.document_picker.options)
    assert not labels[doc.id].startswith("✓") and not labels[other.id].startswith("✓")
    assert "0 of 2 done" in coder.progress.count.value
    assert coder.document.id == doc.id and coder.progress.toggle.description == "Mark as done"
    coder.progress.toggle.value = True  # the button pressed
    assert done(project, coder="amina") == [("hp-test", "amina")]
    labels = dict((v, k) for k, v in coder.document_picker.options)
    assert labels[doc.id].startswith("✓ hp-test") and not labels[other.id].startswith("✓")
    assert "1 of 2 done" in coder.progress.count.value
    assert coder.document_picker.value == doc.id and coder.progress.toggle.description == "Done"
    assert "Marked as done" in coder.view.status and "1 of 2 done" in coder.view.status
    coder.go_to(other)
    assert coder.progress.toggle.value is False  # the button follows the transcript shown
    coder.area_picker.value = "hartlepool"
    assert "1 of 1 done" in coder.progress.count.value and coder.progress.toggle.value is True
    coder.progress.toggle.value = False
    assert done(project, coder="amina") == [] and "0 of 1 done" in coder.progress.count.value
    assert not coder.document_picker.options[0][0].startswith("✓")


def test_marks_made_elsewhere_show_after_refresh_and_errors_go_to_the_status(
    project, two, monkeypatch
) -> None:
    doc, _ = two
    coder = Coder(project, coder="amina")
    project.mark_done(doc, coder="amina")  # from a cell, or another laptop's merge
    coder.refresh()
    assert "1 of 2 done" in coder.progress.count.value and coder.progress.toggle.value is True

    def busy(*_a: object, **_k: object) -> bool:
        raise QualcodeError("the project is busy; press again")

    monkeypatch.setattr(project, "mark_done", busy)
    coder.progress.toggle.value = False
    assert "Could not do that: the project is busy" in coder.view.status
    assert coder.progress.toggle.value is True  # the button shows what the store holds


# retrieval -> the open Coder ---------------------------------------------------------------


@pytest.fixture
def coded(project, doc):
    project.codebook.add("Transport")
    start = doc.text.index("My neighbour drives me")
    project.code(doc, start, start + 22, "Transport", coder="ben")
    return doc, start, start + 22


def _sent(widget: Coder, monkeypatch) -> list[dict]:
    sent: list[dict] = []
    monkeypatch.setattr(widget.view, "send", lambda content, buffers=None: sent.append(content))
    return sent


def test_open_in_coder_moves_the_coder_already_open(project, coded, monkeypatch) -> None:
    doc, start, end = coded
    other = project.add_document(OTHER, area="worcester", title="wr-other")
    first = Coder(project, coder="amina")
    mine = Coder(project, coder="amina", document=other)  # the most recent
    sent = _sent(mine, monkeypatch)
    view = Retrieval(project, "Transport").widget()
    view.open_buttons[0].click()
    assert mine.document.id == doc.id and mine.view.selected_span == [start, end]
    assert [m["type"] for m in sent] == ["focus", "reveal"]
    assert mine.view.status.startswith("Opened from Retrieval")
    assert view.coder_screen is None and view.opened.outputs == ()  # no second Coder
    assert place.open_coders(project) == [mine, first]
    first.close()
    mine.close()
    assert place.open_coders(project) == []


def test_the_chosen_coders_screen_wins_and_a_used_one_comes_first(project, coded) -> None:
    ben = Coder(project, coder="Ben")
    amina = Coder(project, coder="amina")
    assert place.open_coder(project) is amina
    assert place.open_coder(project, "ben") is ben  # Retrieval(coder="ben") opens Ben's
    ben.view._handle_custom_msg({"type": "navigate", "step": 1}, [])  # ben presses a key
    assert place.open_coders(project)[0] is ben
    again = qualcode.open_project(project.location, user="x")  # another Project, same store
    assert place.open_coder(again) is ben
    again.close()
    ben.close()
    amina.close()


def test_with_no_coder_open_one_is_made_below_the_cards(project, coded) -> None:
    _doc, start, end = coded
    for screen in place.open_coders(project):
        screen.close()
    view = Retrieval(project, "Transport", coder="ben").widget()
    view.open_buttons[0].click()
    made = view.coder_screen
    assert made is not None and made.coder == "ben" and made.view.selected_span == [start, end]
    assert place.open_coders(project) == [made]
    view.open_buttons[0].click()  # the same one moves
    assert view.coder_screen is made
    made.close()
