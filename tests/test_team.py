"""The team's work in the Coder: the coders listed with counts and colours, the coder filter,
and a blind round that hides everyone else (the browser side: test_browser_team.py)."""

from __future__ import annotations

import pytest

import qualcode
from qualcode.coding.team import MINE, PALETTE, coder_colors, coders_on
from qualcode.errors import QualcodeError
from qualcode.widgets.coder import Coder


def _span(doc, words: str) -> tuple[int, int]:
    at = doc.text.index(words)
    return at, at + len(words)


@pytest.fixture
def team(project: qualcode.Project, doc):
    """amina (twice), bob (three times), carol (once) and a machine suggester on one transcript."""
    for name in ("Access to GP", "Transport"):
        project.codebook.add(name)
    project.code(doc, *_span(doc, "nightmare"), "Access to GP", coder="amina")
    project.code(doc, *_span(doc, "twentieth"), "Access to GP", coder="amina")
    for words in ("nightmare", "twentieth", "queue"):
        project.code(doc, *_span(doc, words), "Access to GP", coder="bob")
    project.code(doc, *_span(doc, "queue"), "Transport", coder="carol")
    project.code(doc, *_span(doc, "ring at eight"), "Transport", coder="suggest:themes")
    return project, doc


def test_the_coders_of_a_transcript_with_their_counts_you_first(team) -> None:
    project, _ = team
    widget = Coder(project, coder="amina")
    rows = widget.view.coders
    assert [(r["name"], r["count"], r["mine"]) for r in rows] == [
        ("amina", 2, True),
        ("bob", 3, False),
        ("carol", 1, False),
    ]  # people only: suggest:themes stays with the suggestions
    assert rows[0]["color"] == MINE
    assert rows[1]["color"] != rows[2]["color"] and {rows[1]["color"], rows[2]["color"]} <= set(
        PALETTE
    )


def test_a_coder_keeps_one_colour_across_sessions_and_viewers(team) -> None:
    project, doc = team
    colors = coder_colors(project)
    assert "suggest:themes" not in colors and len(set(colors.values())) == 3
    project.code(doc, 0, 5, "Transport", coder="abdi")  # a newcomer, first by name
    again = qualcode.open_project(project.location)
    try:
        later = coder_colors(again)
    finally:
        again.close()
    assert {n: later[n] for n in colors} == colors  # nobody's colour moved
    seen_by_bob = {r["name"]: r["color"] for r in Coder(project, coder="bob").view.coders}
    assert seen_by_bob["carol"] == colors["carol"] and seen_by_bob["bob"] == MINE


def test_you_are_listed_before_your_first_coding() -> None:
    rows = coders_on([{"coder": "bob", "mine": False}], "dawn", {"bob": PALETTE[0]})
    assert [(r["name"], r["count"], r["mine"]) for r in rows] == [
        ("dawn", 0, True),
        ("bob", 1, False),
    ]


def test_counts_follow_a_key_press(team) -> None:
    project, doc = team
    widget = Coder(project, coder="carol")
    widget.code(*_span(doc, "nightmare"), "Transport")
    assert widget.view.coders[0] == {"name": "carol", "count": 2, "mine": True, "color": MINE}
    widget.undo()
    assert widget.view.coders[0]["count"] == 1


def test_the_filter_shows_chosen_coders_and_says_so(team) -> None:
    project, _ = team
    widget = Coder(project, coder="amina")
    assert widget.team.shown() == ["amina"]
    widget.team.show("carol")
    assert widget.view.show_all and widget.view.hidden_coders == ["bob"]
    assert widget.team.shown() == ["amina", "carol"]
    assert widget.view.status == "Showing codings by you and carol."
    widget.team.everyone()
    assert widget.team.shown() == ["amina", "bob", "carol"]
    assert widget.view.status == "Showing every coder's codings."
    widget.team.only_mine()
    assert widget.team.shown() == ["amina"] and widget.view.status == "Showing your coding."
    with pytest.raises(QualcodeError, match="dave coded nothing on this transcript; its coders"):
        widget.team.show("dave")


def test_show_all_still_means_everyone(team) -> None:
    project, _ = team
    widget = Coder(project, coder="amina", show_all=True)
    assert widget.team.shown() == ["amina", "bob", "carol"]
    widget.view.show_all = False
    assert widget.team.shown() == ["amina"]


def test_hiding_your_own_codings_then_coding_shows_them_again(team) -> None:
    project, doc = team
    widget = Coder(project, coder="amina", show_all=True)
    widget.view.hidden_coders = ["amina"]  # as the browser's checkbox does
    assert widget.team.shown() == ["bob", "carol"]
    assert widget.view.status == "Showing codings by bob and carol."
    widget.code(*_span(doc, "queue"), "Transport")
    assert widget.view.hidden_coders == [] and "amina" in widget.team.shown()


def test_a_blind_round_lists_only_you_and_says_why(project: qualcode.Project, doc) -> None:
    project.codebook.add("Transport")
    project.open_round("R1", coders=["amina", "bob"], lead="dawn", documents=[doc])
    project.code(doc, *_span(doc, "nightmare"), "Transport", coder="bob")
    widget = Coder(project, coder="amina", show_all=True)
    assert [r["name"] for r in widget.view.coders] == ["amina"]
    assert widget.view.coders_note == (
        "Blind round 'R1' is open: others' codings are hidden until dawn closes it."
    )
    project.close_round("R1", lead="dawn")
    widget.refresh()
    assert [r["name"] for r in widget.view.coders] == ["amina", "bob"]
    assert widget.view.coders_note == ""
