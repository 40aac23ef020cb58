"""The Coder widget driven by the messages its front end sends, checked against the store."""

from __future__ import annotations

import pytest

import qualcode
from qualcode.errors import QualcodeError
from qualcode.spans import snap_to_words
from qualcode.widgets.coder import Coder


def send(widget: Coder, **content) -> None:
    """What the browser does: a custom message on the transcript view's comm."""
    widget.view._handle_custom_msg(content, [])


@pytest.fixture
def coder(project, doc) -> Coder:
    project.codebook.add("Access to GP", shortcut="1", color="#0072B2")
    project.codebook.add("Transport", shortcut="7")
    return Coder(project, coder="amina")


def _span(doc, words: str) -> tuple[int, int]:
    start = doc.text.index(words)
    return start, start + len(words)


def test_snap_to_words() -> None:
    text = "You ring at eight and you're twentieth."
    assert text[slice(*snap_to_words(text, 5, 10))] == "ring at"  # "ing a" widened
    assert text[slice(*snap_to_words(text, 3, 13))] == "ring at eight"  # space trimmed
    assert snap_to_words(text, 3, 4) is None  # only a space
    assert text[slice(*snap_to_words(text, 22, 30))] == "you're twentieth"


def test_opens_the_first_transcript_with_turns_sentences_and_codes(coder, doc) -> None:
    view = coder.view
    assert view.text == doc.text
    assert len(view.turns) == 4 and {t["role"] for t in view.turns} == {
        "interviewer",
        "participant",
    }
    assert all(doc.text[s:e].strip() for s, e in view.sentences)
    assert [c["shortcut"] for c in view.codes] == ["1", "7"]


def test_a_key_press_saves_at_once_and_survives_a_restart(coder, project, doc) -> None:
    start, end = _span(doc, "nightmare")
    send(coder, type="code", start=start + 2, end=end - 2, code_id=coder.view.codes[0]["id"], id=1)
    assert coder.view.codings[0]["start"] == start and coder.view.codings[0]["mine"]
    again = qualcode.open_project(project.location)  # a new kernel, in effect
    (row,) = again.codings_df().itertuples()
    assert (row.text, row.code, row.coder) == ("nightmare", "Access to GP", "amina")
    again.close()


def test_undo_redo_remove_and_memo(coder, project, doc) -> None:
    gp = coder.view.codes[0]["id"]
    send(
        coder,
        type="code",
        **dict(zip(("start", "end"), _span(doc, "twentieth"), strict=True)),
        code_id=gp,
    )
    assert len(project.codings()) == 1
    send(coder, type="undo")
    assert project.codings() == []
    send(coder, type="redo")
    (c,) = project.codings()
    send(coder, type="memo", coding_id=c.id, memo="queue at 8am")
    assert project.codings()[0].memo == "queue at 8am"
    send(coder, type="undo")
    assert project.codings()[0].memo is None
    send(coder, type="uncode", coding_id=c.id)
    assert project.codings() == []
    send(coder, type="undo")
    assert [x.text for x in project.codings()] == ["twentieth"]
    assert coder.view.status.startswith("Undone")
    shown = sorted((d["id"], d["start"], d["memo"]) for d in coder.view.codings)
    assert shown == sorted((c.id, c.start, c.memo or "") for c in project.codings())
    actions = project.audit_df(actor="amina")["action"].tolist()
    assert actions.count("add") == 3 and actions.count("delete") == 2


def test_only_my_codings_are_editable_and_others_show_on_request(coder, project, doc) -> None:
    theirs = project.code(doc, *_span(doc, "neighbour"), "Transport", coder="bob")
    coder.refresh()
    assert [c["mine"] for c in coder.view.codings] == [False]
    send(coder, type="uncode", coding_id=theirs.id)
    assert coder.view.status.startswith("Could not do that: that coding is bob's")
    assert len(project.codings()) == 1
    coder.view.show_all = True
    assert "every coder" in coder.view.status


def test_bad_messages_become_a_status_line_not_an_exception(coder, project, doc) -> None:
    gp = coder.view.codes[0]["id"]
    space = doc.text.index(" test")
    send(coder, type="code", start=space, end=space + 1, code_id=gp)  # a space only
    assert "holds no words" in coder.view.status
    send(coder, type="code", start=0, end=10**6, code_id=gp)
    assert coder.view.status.startswith("Could not do that")
    send(coder, type="code", start=0, end=5, code_id=9999)
    assert coder.view.status.startswith("Could not do that")
    send(coder, type="undo")  # nothing to undo
    assert coder.view.status == "Nothing to undo."
    assert project.codings() == []


def test_pickers_filter_by_area_and_case_attribute_and_step(project, doc) -> None:
    other = project.add_document(
        "Interviewer: Bus?\nParticipant: Never comes.\n",
        area="worcester",
        title="wr-test",
        attributes={"population_group": "Young people"},
    )
    widget = Coder(project, coder="amina")
    assert len(widget.document_picker.options) == 2
    widget.attribute_picker.value = "population_group"
    widget.value_picker.value = "Young people"
    assert [v for _, v in widget.document_picker.options] == [other.id]
    assert widget.view.text == other.text
    widget.attribute_picker.value = "(any)"
    widget.area_picker.value = "hartlepool"
    assert widget.view.text == doc.text
    widget.area_picker.value = "(any)"
    send(widget, type="navigate", step=1)
    assert widget.document is not None and widget.document.id == other.id
    widget.go_to(doc.id, 0, 5)
    assert widget.view.text == doc.text and widget.view.selected_span == [0, 5]


def test_refresh_brings_new_transcripts_and_keeps_the_filters(coder, project, doc) -> None:
    """Others ingest and code while the widget is open; Refresh shows it, filters kept."""
    coder.area_picker.value = "hartlepool"
    coder.attribute_picker.value = "population_group"
    coder.value_picker.value = "Carers"
    new = project.add_document(
        "Interviewer: Help?\nParticipant: My sister, on Sundays.\n",
        area="hartlepool",
        title="hp-new",
        attributes={"population_group": "Carers", "setting": "home"},
    )
    project.add_document(
        "Interviewer: Bus?\nParticipant: Never comes.\n", area="worcester", title="wr-new"
    )
    start, end = _span(doc, "nightmare")
    project.code(doc, start, end, "Transport", coder="ben")
    assert len(coder.document_picker.options) == 1  # not yet
    coder.refresh_button.click()
    assert list(coder.area_picker.options) == ["(any)", "hartlepool", "worcester"]
    assert (coder.area_picker.value, coder.value_picker.value) == ("hartlepool", "Carers")
    assert "setting" in coder.attribute_picker.options
    assert sorted(v for _, v in coder.document_picker.options) == [doc.id, new.id]
    assert coder.document.id == doc.id  # still reading the same transcript
    assert [(c["coder"], c["mine"]) for c in coder.view.codings] == [("ben", False)]


def test_refreshing_the_list_does_not_reload_the_transcript(
    coder, project, doc, monkeypatch
) -> None:
    """Each load sends a whole transcript to the browser: a new list of transcripts that
    still holds the one shown loads nothing, not the first one and then this one again."""
    later = project.add_document("Interviewer: Z?\nParticipant: Zzz.\n", area="x", title="zz")
    coder.refresh()
    coder.go_to(later)
    loads: list[int] = []
    monkeypatch.setattr(coder, "_load", loads.append)
    coder.refresh()
    coder.area_picker.value = "x"
    assert loads == [] and coder.document.id == later.id
    coder.area_picker.value = "hartlepool"
    assert loads == [doc.id]


def test_a_transcript_given_a_new_version_is_never_coded_behind(coder, project, doc) -> None:
    """The lead pseudonymises while amina codes: her next key press saves nothing on the
    old text, and the widget moves to the new version, her codings carried."""
    start, end = _span(doc, "nightmare")
    coder.code(start, end, "Access to GP")
    new, _carried = project.revise(doc, [(0, 11, "[SYNTH]")], by="dawn")
    start, end = _span(new, "walk-in")
    send(coder, type="code", start=start, end=end, code_id=coder.view.codes[1]["id"], id=2)
    assert "newer version" in coder.view.status and "nothing was saved" in coder.view.status
    assert [c.code for c in project.codings(doc.id)] == ["Access to GP"]  # only the first
    assert coder.document.id == new.id and coder.view.text == new.text
    assert [new.text[c["start"] : c["end"]] for c in coder.view.codings] == ["nightmare"]
    send(coder, type="code", start=start, end=end, code_id=coder.view.codes[1]["id"], id=3)
    assert sorted(c.code for c in project.codings(new.id)) == ["Access to GP", "Transport"]


def test_coder_needs_a_name(project) -> None:
    with pytest.raises(QualcodeError, match="coder="):
        Coder(project, coder=" ")


def test_suggestions_are_reviewed_never_mixed_into_human_coding(coder, project, doc) -> None:
    start, end = _span(doc, "twentieth in the queue")
    made = project.code(doc, start, end, "Access to GP", coder="suggest:themes")
    other = project.code(doc, *_span(doc, "neighbour"), "Transport", coder="suggest:themes")
    coder.refresh()
    assert [c["suggestion"] for c in coder.view.codings] == [True, True]
    assert project.codings_df(coder="amina").empty  # nothing is amina's yet
    send(coder, type="accept", coding_id=made.id)
    (mine,) = project.codings(coder="amina")
    assert (mine.start, mine.end, mine.code, mine.memo) == (
        start,
        end,
        "Access to GP",
        "accepted from suggest:themes",
    )
    send(coder, type="reject", coding_id=other.id)
    assert project.codings(coder="suggest:themes") == []
    assert [d["id"] for d in coder.view.codings] == [mine.id]
    audit = project.audit_df(actor="amina")
    assert {"accept", "reject"} <= set(audit["action"])
    send(coder, type="accept", coding_id=mine.id)  # a human coding is not a suggestion
    assert "not a suggestion" in coder.view.status
    with pytest.raises(QualcodeError, match="reviewed by a person"):
        project.review_suggestion(mine.id, accept=True, coder="suggest:other")


# auto-coding by search ----------------------------------------------------------------------


def test_autocode_panel_previews_then_applies_as_one_undoable_action(coder, project, doc) -> None:
    other = project.add_document(
        "Interviewer: And the queue?\nParticipant: The queue at the pharmacy is worse.\n",
        area="worcester",
        title="wr-queue",
    )
    theirs = project.code(doc, *_span(doc, "queue"), "Transport", coder="bob")
    hand = project.code(doc, *_span(doc, "nightmare"), "Access to GP", coder="amina")
    panel = coder.autocode_panel
    panel.search_box.value = "queue"
    panel.search_code.value = coder.view.codes[0]["id"]
    assert panel.apply_button.disabled  # nothing previewed yet
    panel.preview_button.click()
    assert "2 to code" in panel.search_results.value  # the interviewer's "queue" is left out
    assert "<mark>queue</mark>" in panel.search_results.value
    assert not panel.apply_button.disabled
    assert len(project.codings()) == 2  # a preview codes nothing
    panel.apply_button.click()
    mine = project.codings(coder="amina")
    assert sorted((c.document_id, c.text) for c in mine) == sorted(
        [(doc.id, "nightmare"), (doc.id, "queue"), (other.id, "queue")]
    )
    assert panel.apply_button.disabled and "added 2 codings" in coder.view.status
    assert sum(d["mine"] for d in coder.view.codings) == 2  # shown on the open transcript
    send(coder, type="undo")  # Ctrl+Z in the transcript
    assert {c.id for c in project.codings()} == {theirs.id, hand.id}
    assert coder.view.status.startswith("Undone: auto-coding of 2 passages")
    send(coder, type="redo")
    assert len(project.codings(coder="amina")) == 3
    send(coder, type="undo")
    assert [c.id for c in project.codings(coder="amina")] == [hand.id]


def test_autocode_panel_scope_changes_and_bad_input(project, doc) -> None:
    project.codebook.add("Access to GP")
    project.codebook.add("Transport")
    project.add_document("Participant: The queue again.\n", area="worcester", title="wr-queue")
    coder = Coder(project, coder="amina", document=doc.id)
    panel = coder.autocode_panel
    panel.search_box.value = "queue"
    panel.search_code.value = coder.view.codes[1]["id"]
    panel.search_scope.value = "document"
    panel.preview_button.click()
    assert "1 to code" in panel.search_results.value
    panel.search_box.value = "queues"  # a changed search needs a new preview
    assert panel.apply_button.disabled and panel.search_results.value == ""
    with pytest.raises(QualcodeError, match="preview the search first"):
        panel.apply_search()
    panel.search_mode.value = "regex"
    panel.search_box.value = "queue("
    panel.preview_button.click()
    assert coder.view.status.startswith("Could not do that: the pattern 'queue(' is not a valid")
    assert project.codings() == []
    panel.search_mode.value = "text"
    panel.search_box.value = "queue"
    panel.search_expand.value = "sentence"
    panel.search_scope.value = "listed"
    coder.area_picker.value = "worcester"
    hits = panel.preview_search()
    assert hits["text"].tolist() == ["The queue again."]
    result = panel.apply_search()
    assert [c.text for c in project.codings(coder="amina")] == ["The queue again."]
    assert result.added and "Transport" in coder.view.status


# the codebook live in every open Coder ------------------------------------------------------


def _paths(widget: Coder) -> dict[str, str | None]:
    return {c["path"]: c["shortcut"] for c in widget.view.codes}


def test_a_code_added_in_the_editor_reaches_an_open_coder_at_once(coder, project) -> None:
    from qualcode.widgets import CodebookEditor

    editor = CodebookEditor(project)
    editor.select("Transport")
    editor.name.value = "Loneliness"
    editor.shortcut.value = "3"
    editor.add_button.click()
    assert _paths(coder)["Loneliness"] == "3"  # no Refresh pressed
    assert "Loneliness" in [label for label, _ in coder.autocode_panel.search_code.options]


def test_codebook_changes_from_python_reach_every_open_coder(coder, project, doc) -> None:
    second = Coder(project, coder="bo")
    project.codebook.add("Waiting lists", parent="Access to GP", shortcut="w")
    for widget in (coder, second):
        assert _paths(widget)["Access to GP/Waiting lists"] == "w"
    project.codebook.update("Transport", name="Getting there", shortcut="8")
    assert _paths(coder)["Getting there"] == "8" and "Transport" not in _paths(coder)
    again = qualcode.open_project(project.location)  # the first cell run twice, say
    again.codebook.rename("Getting there", "Buses and lifts")
    assert "Buses and lifts" in _paths(second)
    again.close()


def test_a_deleted_code_leaves_an_open_coder_with_its_codings(coder, project, doc) -> None:
    start, end = _span(doc, "nightmare")
    transport = project.codebook.get("Transport")
    send(coder, type="code", start=start, end=end, code_id=transport.id, id=1)
    assert [c["code_id"] for c in coder.view.codings] == [transport.id]
    project.codebook.delete("Transport", confirm=True, by="amina")
    assert "Transport" not in _paths(coder) and coder.view.codings == []


def test_a_closed_coder_hears_no_more_codebook_changes(coder, project) -> None:
    still_open = Coder(project, coder="bo")
    shown = list(coder.view.codes)
    coder.close()
    project.codebook.add("Loneliness")
    assert coder.view.codes == shown and "Loneliness" in _paths(still_open)


def test_a_failed_codebook_change_tells_no_one(coder, project) -> None:
    shown = list(coder.view.codes)
    with pytest.raises(QualcodeError):
        project.codebook.add("Transport")  # taken: rolled back
    with pytest.raises(QualcodeError), project.writing() as conn:
        from qualcode.store import codes as code_store

        code_store.add_code(conn, "Loneliness", actor="amina")
        raise QualcodeError("something after it failed")  # the whole transaction goes
    assert coder.view.codes == shown and "Loneliness" not in project.codebook
    project.codebook.add("Loneliness")  # and the next one that commits is heard
    assert "Loneliness" in _paths(coder)
