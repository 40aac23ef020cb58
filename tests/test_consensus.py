"""Disagreements, the consensus layer, its review widget, and training against a gold standard."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from qualcode.coding.autocode import autocode
from qualcode.coding.consensus import (
    disagreements,
    gold_standard,
    set_gold_standard,
    settle,
    training_report,
)
from qualcode.coding.statistics import AgreementError
from qualcode.errors import CodingError
from qualcode.store import schema
from qualcode.widgets.consensus_review import ConsensusReview

TEXT = (
    "Interviewer: How do you get to the surgery?\n"
    "Participant: I take the bus. The bus is late. My daughter helps.\n"
    "Interviewer: And your husband?\n"
    "Participant: I care for him. Nobody asks about me.\n"
)


@pytest.fixture
def coded(project):
    for name in ("Transport", "Carers", "Family"):
        project.codebook.add(name)
    doc = project.add_document(TEXT, area="a", title="t1")

    def span(words: str) -> tuple[int, int]:
        at = TEXT.index(words)
        return at, at + len(words)

    # amina and bob agree on the bus; differ on the daughter and on caring
    for coder in ("amina", "bob"):
        project.code(doc, *span("I take the bus."), "Transport", coder=coder)
    project.code(doc, *span("My daughter helps."), "Family", coder="amina")
    project.code(doc, *span("I care for him."), "Carers", coder="amina")
    project.code(doc, *span("I care for him."), "Family", coder="bob")
    return project, doc, span


def test_disagreements_lists_only_the_units_where_coders_differ(coded) -> None:
    project = coded[0]
    frame = disagreements(project, coders=["amina", "bob"])
    assert frame["text"].tolist() == ["My daughter helps.", "I care for him."]
    assert frame["amina"].tolist() == [["Family"], ["Carers"]]
    assert frame["bob"].tolist() == [[], ["Family"]]
    assert frame["differ_on"].tolist() == [["Family"], ["Carers", "Family"]]


def test_settle_writes_the_consensus_layer_and_is_idempotent(coded) -> None:
    project, doc, span = coded
    start, end = span("I care for him.")
    settle(project, doc.id, start, end, ["Carers", "Family"], adjudicator="dawn")
    settle(project, doc.id, start, end, ["Carers", "Family"], adjudicator="dawn")
    assert sorted(c.code for c in project.codings(coder="consensus")) == ["Carers", "Family"]
    settle(project, doc.id, start, end, ["Carers"], adjudicator="dawn")
    assert [c.code for c in project.codings(coder="consensus")] == ["Carers"]
    audit = project.audit_df(actor="dawn")
    assert set(audit["action"]) == {"adjudicate", "delete"}
    with pytest.raises(CodingError, match="adjudicated layer"):
        project.code(doc, start, end, "Carers", coder="consensus")  # not by the back door
    mine = project.codings(coder="amina")[0]
    with pytest.raises(CodingError, match="not part of a consensus"):
        project.unadjudicate(mine.id, adjudicator="dawn")


def test_the_consensus_name_is_kept_for_the_layer_before_it_exists(coded) -> None:
    """Before anyone adjudicates, "consensus" is still not a coder's name: coding or
    auto-coding as it is refused, so the layer is never born as an ordinary coder."""
    project, doc, span = coded
    start, end = span("I care for him.")
    for write in (
        lambda: project.code(doc, start, end, "Carers", coder="consensus"),
        lambda: autocode(project, "care", "Carers", coder="consensus"),
    ):
        with pytest.raises(CodingError, match="adjudicated layer"):
            write()
    assert project.codings(coder="consensus") == []
    project.adjudicate(doc, start, end, "Carers", adjudicator="dawn")
    with project.reading() as conn:
        role = conn.execute(
            select(schema.coders.c.role).where(schema.coders.c.name == "consensus")
        ).scalar_one()
    assert role == "adjudicator"


def test_review_widget_takes_a_version_or_saves_agreed_codes(coded) -> None:
    project, _, _ = coded
    review = ConsensusReview(project, coders=["amina", "bob"], adjudicator="dawn")
    assert "Passage 1 of 2" in review.heading.value
    assert "My daughter helps." in review.passage.value
    review.take[0].click()  # use amina's codes: Family
    assert "Passage 2 of 2" in review.heading.value
    review.choice.value = ("Carers", "Family")
    review.save_button.click()
    got = sorted((c.text, c.code) for c in project.codings(coder="consensus"))
    assert got == [
        ("I care for him.", "Carers"),
        ("I care for him.", "Family"),
        ("My daughter helps.", "Family"),
    ]
    review.go(0)
    assert review.choice.value == ("Family",)  # the consensus so far is shown


def test_training_report_against_the_gold_standard(coded) -> None:
    project, doc, span = coded
    with pytest.raises(AgreementError, match="no gold standard yet"):
        gold_standard(project)
    with pytest.raises(AgreementError, match="no 'consensus' coding yet"):
        set_gold_standard(project, [doc], by="dawn")
    for words, codes in (
        ("I take the bus.", ["Transport"]),
        ("My daughter helps.", ["Family"]),
        ("I care for him.", ["Carers"]),
    ):
        settle(project, doc.id, *span(words), codes, adjudicator="dawn")
    set_gold_standard(project, [doc], by="dawn")
    assert gold_standard(project) == ("consensus", [doc.id])
    report = training_report(project, "bob")
    rows = report.per_code.set_index("code")
    assert rows.loc["Transport", "agreement"] == 100.0
    assert rows.loc["Transport", "verdict"].startswith("Good")
    assert rows.loc["Carers", "verdict"].startswith("Needs a talk")
    assert report.differences["text"].tolist() == ["My daughter helps.", "I care for him."]
    assert report.differences["you"].tolist() == [[], ["Family"]]
    assert "compared with the gold standard" in report._repr_html_()
    project.add_document("Interviewer: Hello?\nParticipant: Hi.\n", area="a", title="t2")
    with pytest.raises(AgreementError, match="no coder named 'carol'"):
        training_report(project, "carol")


def test_review_with_nothing_to_settle(project) -> None:
    project.codebook.add("Transport")
    doc = project.add_document(TEXT, area="a", title="t1")
    for coder in ("amina", "bob"):
        project.code(doc, 0, 10, "Transport", coder=coder)
    review = ConsensusReview(project, coders=["amina", "bob"], adjudicator="dawn")
    assert "nothing to settle" in review.heading.value
    assert review.save_button.disabled
