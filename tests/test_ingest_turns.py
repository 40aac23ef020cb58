"""Speaker turns in the common transcript forms, with roles, timestamps and no labels."""

from __future__ import annotations

import pytest

from qualcode.ingest.roles import assign_roles
from qualcode.ingest.turns import find_turns


def _turns(text: str) -> list[tuple[str, str | None, str]]:
    return [(text[t.start : t.end], t.role, t.speaker) for t in find_turns(text)]


@pytest.mark.parametrize(
    ("asker", "answerer"),
    [
        ("Interviewer", "Participant"),
        ("I", "R"),
        ("Int", "P3"),
        ("Q", "A"),
        ("Facilitator", "Respondent"),
        ("Moderator", "R2"),
    ],
)
def test_label_forms(asker: str, answerer: str) -> None:
    text = f"{asker}: How do you get there?\n{answerer}: Two buses.\n{asker}: And back?\n"
    assert _turns(text) == [
        ("How do you get there?", "interviewer", asker),
        ("Two buses.", "participant", answerer),
        ("And back?", "interviewer", asker),
    ]


def test_timestamps_before_and_after_labels_are_kept_as_metadata() -> None:
    text = (
        "[00:01:23] Interviewer: Who helps?\n"
        "[00:01:31] Respondent: My daughter.\n"
        "Interviewer: (00:02:10) Anyone else?\n"
        "Respondent [00:02:15]: No.\n"
    )
    turns = find_turns(text)
    assert [text[t.start : t.end] for t in turns] == [
        "Who helps?",
        "My daughter.",
        "Anyone else?",
        "No.",
    ]
    assert [t.meta["timestamp"] for t in turns] == ["00:01:23", "00:01:31", "00:02:10", "00:02:15"]


def test_continuation_lines_and_header_lines() -> None:
    text = (
        "[SYNTHETIC header]\n\nI: Tell me about it.\nR: Well.\nIt went on a bit.\n\n"
        "And then some.\nI: Thanks.\n"
    )
    turns = find_turns(text)
    assert text[turns[1].start : turns[1].end] == "Well.\nIt went on a bit.\n\nAnd then some."
    assert turns[0].start > text.index("I:")


def test_named_speakers_and_interviewer_with_a_name() -> None:
    text = (
        "Interviewer (Dawn): Are you alright to start?\n"
        "Maureen: Go on, pet.\n"
        "Interviewer (Dawn): How's the bus?\n"
        "Maureen: Shocking.\n"
    )
    turns = find_turns(text)
    assert [(t.speaker, t.role) for t in turns[:2]] == [
        ("Interviewer (Dawn)", "interviewer"),
        ("Maureen", None),
    ]
    filled = assign_roles(turns, text)
    assert [t.role for t in filled] == ["interviewer", "participant"] * 2


def test_roles_of_named_speakers_from_the_interviewer_attribute_or_questions() -> None:
    text = "Priya: Shall we start?\nTom: Aye.\nPriya: Where do you live?\nTom: Up the lane. Why?\n"
    by_questions = assign_roles(find_turns(text), text)
    assert [t.role for t in by_questions] == ["interviewer", "participant"] * 2
    by_attribute = assign_roles(find_turns(text), text, interviewer="Tom")
    assert [t.role for t in by_attribute] == ["participant", "interviewer"] * 2


def test_sentences_with_colons_are_not_speakers() -> None:
    text = (
        "I: What did she say?\n"
        "R: She said it plainly.\n"
        "what she said: no way.\n"
        "Note: the line dropped.\n"
        "Note: again.\n"
    )
    assert [s for _, _, s in _turns(text)] == ["I", "R"]
