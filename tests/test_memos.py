"""Memos as first-class work: the list a coder may see (`p.memos_df`), its search, who may
change what, the blind round, bad input; and the Coder's memo panel driven as a person would."""

from __future__ import annotations

import pytest

from qualcode.errors import QualcodeError
from qualcode.widgets.coder import Coder


def _span(doc, words: str) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    start = doc.text.index(words)
    return start, start + len(words)


@pytest.fixture
def memos(project, doc):  # type: ignore[no-untyped-def]
    """Amina's transcript, code and coding memos, Bob's coding memo and a free note."""
    project.codebook.add("Access to GP")
    project.codebook.add("Transport")
    gp = project.code(doc, *_span(doc, "nightmare"), "Access to GP", coder="amina")
    walk = project.code(doc, *_span(doc, "walk-in"), "Transport", coder="bob")
    ids = {
        "transcript": project.add_memo(
            "Queue story: ask about mornings.", coder="amina", document=doc
        ),
        "code": project.add_memo("Any trip to care counts.", coder="amina", code="Transport"),
        "free": project.add_memo("Follow up the lift scheme", coder="bob"),
    }
    project.set_memo(gp, "Phone queue as a barrier", coder="amina")
    project.set_memo(walk, "Neighbour as driver: informal care", coder="bob")
    return ids, gp, walk


def test_the_list_shows_every_kind_with_what_it_is_on(project, doc, memos) -> None:  # type: ignore[no-untyped-def]
    ids, gp, walk = memos
    frame = project.memos_df(viewer="amina")
    assert sorted(frame["kind"]) == ["code", "coding", "coding", "free", "transcript"]
    assert frame["updated_at"].is_monotonic_decreasing  # newest first
    by_coding = frame.dropna(subset=["coding_id"]).set_index("coding_id")
    assert by_coding.loc[gp.id, "passage"] == "nightmare"  # cut in code points, both stores
    assert by_coding.loc[gp.id, "code"] == "Access to GP" and by_coding.loc[gp.id, "mine"]
    assert by_coding.loc[walk.id, "author"] == "bob" and not by_coding.loc[walk.id, "mine"]
    transcript = frame[frame["kind"] == "transcript"].iloc[0]
    assert (transcript["document"], transcript["area"]) == ("hp-test", "hartlepool")
    assert transcript["memo_id"] == ids["transcript"]
    assert frame.loc[frame["kind"] == "code", "code"].tolist() == ["Transport"]
    here = project.memos_df(document=doc, viewer="amina")  # the transcript's own
    assert sorted(here["kind"]) == ["coding", "coding", "transcript"]


def test_search_finds_words_in_memo_code_passage_or_transcript(project, doc, memos) -> None:  # type: ignore[no-untyped-def]
    def found(words: str) -> list[str]:
        return sorted(project.memos_df(search=words, viewer="amina")["kind"])

    assert found("QUEUE") == ["coding", "transcript"]  # memo text, any case
    assert found("transport") == ["code", "coding"]  # the code's name
    assert found("nightmare") == ["coding"]  # the passage
    assert found("hp-test mornings") == ["transcript"]  # every word, anywhere in the row
    assert found("bob lift") == ["free"]  # the author
    assert found("nothing-like-this") == []
    assert len(project.memos_df(search="   ", viewer="amina")) == 5  # no words: everything


def test_only_the_writer_changes_a_memo_and_the_log_keeps_the_old_text(project, memos) -> None:  # type: ignore[no-untyped-def]
    ids = memos[0]
    with pytest.raises(QualcodeError, match="written by amina, not bob"):
        project.edit_memo(ids["code"], "mine now", coder="bob")
    with pytest.raises(QualcodeError, match="only their own memos"):
        project.delete_memo(ids["transcript"], coder="bob")
    with pytest.raises(QualcodeError, match="needs some text"):
        project.edit_memo(ids["code"], "   ", coder="amina")
    with pytest.raises(QualcodeError, match="no memo with id 999"):
        project.edit_memo(999, "x", coder="amina")
    project.edit_memo(ids["code"], "Trips to any care.\nBuses, lifts.", coder="Amina ")
    row = project.memos_df(viewer="amina").set_index("memo_id").loc[ids["code"]]
    assert (row["title"], row["text"]) == (
        "Trips to any care.",
        "Trips to any care.\nBuses, lifts.",
    )
    update = project.audit_df().query("object == 'memo' and action == 'update'").iloc[0]
    assert update["before"]["text"] == "Any trip to care counts."  # nothing written is lost
    assert update["actor"] == "amina"  # the name as the project spells it


def test_a_blind_round_hides_others_memos_on_its_transcripts(project, doc, memos) -> None:  # type: ignore[no-untyped-def]
    project.open_round("R1", coders=["amina", "bob"], lead="dawn", documents=[doc])
    amina = project.memos_df(viewer="amina")
    assert sorted(amina["kind"]) == [
        "code",
        "coding",
        "free",
        "transcript",
    ]  # Bob's coding memo hidden
    assert set(amina.loc[amina["kind"] == "coding", "author"]) == {"amina"}
    bob = project.memos_df(viewer="bob", search="queue")
    assert bob.empty  # Amina's transcript and coding memos on the blind transcript
    assert "Any trip to care counts." in set(
        project.memos_df(viewer="bob")["text"]
    )  # codes: not blind
    project.close_round("R1", lead="dawn")
    assert len(project.memos_df(viewer="bob")) == 5


def test_bad_memos_are_refused_with_what_to_do_and_nothing_written(project, doc, memos) -> None:  # type: ignore[no-untyped-def]
    _, gp, walk = memos
    before = len(project.memos_df(viewer="amina"))
    project.codebook.add("Old code")
    old = project.codebook.get("Old code").id
    project.codebook.delete("Old code")
    with pytest.raises(QualcodeError, match=r"may have been deleted.*refresh"):
        project.add_memo("about the old code", coder="amina", code=old)
    with pytest.raises(QualcodeError, match=r"belongs to bob.*only on their own codings"):
        project.set_memo(walk, "not mine", coder="amina")
    project.uncode(gp, coder="amina")
    with pytest.raises(QualcodeError, match="may have been removed"):
        project.set_memo(gp, "gone", coder="amina")
    assert len(project.memos_df(viewer="amina")) == before - 1  # only the removed coding's memo


# the Coder's memo panel -------------------------------------------------------------------------


@pytest.fixture
def coder(project, doc) -> Coder:  # type: ignore[no-untyped-def]
    project.codebook.add("Access to GP", shortcut="1")
    project.codebook.add("Transport", shortcut="7")
    project.add_document(
        "Interviewer: And?\nParticipant: I wait for the GP.\n", area="hartlepool", title="hp-two"
    )
    return Coder(project, coder="amina", document=doc)


def test_the_panel_writes_changes_and_removes_the_transcript_memo(coder, project, doc) -> None:  # type: ignore[no-untyped-def]
    panel = coder.memo_panel
    assert panel.doc_text.value == "" and "hp-test" in panel.doc_label.value
    panel.doc_text.value = "Long wait stories."
    panel.save_transcript_memo()
    assert "saved" in panel.saved.value
    (row,) = project.memos_df(document=doc, viewer="amina").itertuples()
    assert (row.kind, row.author, row.text) == ("transcript", "amina", "Long wait stories.")
    panel.doc_text.value = "Long wait stories. Ask about the walk-in."
    panel.save_transcript_memo()
    panel.save_transcript_memo()
    assert "Nothing changed" in panel.saved.value
    assert project.memos_df(document=doc, viewer="amina")["text"].tolist() == [
        "Long wait stories. Ask about the walk-in."
    ]
    again = Coder(project, coder="amina", document=doc)  # a new kernel, in effect
    assert again.memo_panel.doc_text.value == "Long wait stories. Ask about the walk-in."
    panel.doc_text.value = ""
    panel.save_transcript_memo()
    assert "removed" in panel.saved.value and project.memos_df(document=doc).empty
    actions = project.audit_df().query("object == 'memo'")["action"].tolist()
    assert actions == ["add", "update", "delete"]


def test_moving_to_another_transcript_keeps_what_was_typed(coder, project, doc) -> None:  # type: ignore[no-untyped-def]
    panel = coder.memo_panel
    panel.doc_text.value = "Typed, never saved by hand."
    coder.step(1)
    assert coder.document.title == "hp-two" and panel.doc_text.value == ""
    assert "last transcript was saved" in panel.saved.value
    assert project.memos_df(document=doc)["text"].tolist() == ["Typed, never saved by hand."]
    coder.step(-1)
    assert panel.doc_text.value == "Typed, never saved by hand."


def test_a_code_memo_follows_the_chosen_code(coder, project) -> None:  # type: ignore[no-untyped-def]
    panel = coder.memo_panel
    with pytest.raises(QualcodeError, match="choose a code"):
        panel.save_code_memo()
    transport = project.codebook.get("Transport").id
    panel.code_picker.value = transport
    panel.code_text.value = "Buses, lifts, taxis."
    panel.save_code_memo()
    gp = project.codebook.get("Access to GP").id
    panel.code_picker.value = gp
    assert panel.code_text.value == ""
    panel.code_picker.value = transport
    assert panel.code_text.value == "Buses, lifts, taxis."
    project.codebook.add("Carers")  # a new code reaches the picker at once
    assert "Carers" in [label for label, _ in panel.code_picker.options]


def test_the_list_searches_and_takes_the_coder_to_the_passage(coder, project, doc) -> None:  # type: ignore[no-untyped-def]
    panel = coder.memo_panel
    start, end = _span(doc, "walk-in")
    coding = project.code(doc, start, end, "Transport", coder="amina")
    coder.view._handle_custom_msg(
        {"type": "memo", "coding_id": coding.id, "memo": "Night trips", "id": 1}, []
    )
    assert panel.count.value.startswith("1 memo")  # the popover's memo is listed at once
    coder.step(1)
    panel.search.value = "night"
    (row,) = panel.rows.children
    assert "Night trips" in row.children[1].value and "walk-in" in row.children[1].value
    row.children[0].click()  # "Show passage"
    assert coder.document.id == doc.id and coder.view.selected_span == [start, end]
    panel.search.value = "no such words"
    assert panel.rows.children == () and panel.count.value.startswith("0 memos")
    project.add_memo("Bob's note on it", coder="bob", document=doc)
    coder.refresh()  # the Refresh button brings others' new memos
    panel.search.value = ""
    panel.only_mine.value = True
    assert [
        r.children[-1].value for r in panel.rows.children if "Bob" in r.children[-1].value
    ] == []
    assert len(panel.rows.children) == 1
    panel.only_mine.value = False
    assert len(panel.rows.children) == 2


def test_a_code_deleted_while_its_memo_is_typed_keeps_the_words(coder, project) -> None:  # type: ignore[no-untyped-def]
    panel = coder.memo_panel
    project.codebook.add("Old code")
    panel.code_picker.value = project.codebook.get("Old code").id
    panel.code_text.value = "Half a thought"
    project.codebook.delete("Old code")  # in the codebook editor, say
    assert panel.code_picker.value == 0
    assert "may have been deleted" in panel.saved.value
    assert panel.code_text.value == "Half a thought" and project.memos_df().empty
    panel.code_picker.value = project.codebook.get("Transport").id
    assert panel.code_text.value == "Half a thought"  # still there to save on another code
    panel.save_code_memo()
    (row,) = project.memos_df(viewer="amina").itertuples()
    assert (row.kind, row.code, row.text) == ("code", "Transport", "Half a thought")
