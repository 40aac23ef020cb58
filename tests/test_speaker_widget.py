"""The speaker panel of the ingest notebook, driven as a researcher would. SYNTHETIC text."""

from __future__ import annotations

import pytest

from qualcode.widgets import SpeakerEditor

TEXT = (
    "[SYNTHETIC]\n"
    "Kerry: What help do you get with your son's care?\n"
    "Ana: A carer comes twice a week. The rest is me, and my sister on Sundays.\n"
    "Kerry: How did you find out about the carers' centre?\n"
    "Ana: A leaflet at the school gate, of all places.\n"
)


@pytest.mark.sqlite_only
def test_table_rename_and_set_role(project) -> None:  # type: ignore[no-untyped-def]
    doc = project.add_document(TEXT, area="gy", title="gy-w")
    project.add_document("An answer about buses.", area="gy", title="q", format="csv")
    project.codebook.add("Support")
    start = TEXT.index("A carer")
    coding = project.code(doc, start, start + 30, "Support", coder="amina")
    w = SpeakerEditor(project, area="gy")
    assert w.document.options == (("gy-w", doc.id),)  # transcripts only
    assert "Kerry: 2 (I), Ana: 2 (P)" in w.table_text() and "inferred" in w.table_text()
    assert w.speaker.options == ("Kerry", "Ana")

    w.speaker.value = "Ana"
    w.new_name.value = "Participant 1"
    assert w.rename() == project.units_df("sentence")["speaker"].eq("Participant 1").sum() + 2
    assert "Participant 1: 2 (P)" in w.table.value and w.speaker.value == "Participant 1"

    w.role.value = "interviewer"
    w.set_role()
    assert "Participant 1: 2 (I)" in w.table_text() and "roles by" in w.table_text()
    assert "warning gy-w: interviewer turns" in w.table_text()
    assert project.document(doc.id).text == TEXT and project.codings(doc) == [coding]

    w.speaker.value = "Kerry"
    w.new_name.value = ""
    assert w.rename() is None and "speaker name" in w.status.value
    assert w.speaker.options == ("Kerry", "Participant 1")
