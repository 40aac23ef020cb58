"""Speaker turns in the common transcript forms, with roles, timestamps and no labels."""

from __future__ import annotations

from pathlib import Path

import pytest

from qualcode.ingest.roles import assign_roles
from qualcode.ingest.turns import find_turns
from tests import speakers_corpus


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


# the conventions transcripts arrive in (issue 19) -------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (  # padded labels, a participant code, hard-wrapped lines that continue a turn
            "   INTERVIEWER   :   How do you get to\n"
            "                     the surgery?\n"
            "   admin-1       :   Two buses. The\n"
            "Council: they said it was\n"
            "                     not their job.\n",
            [
                ("INTERVIEWER", "How do you get to\n                     the surgery?"),
                (
                    "admin-1",
                    "Two buses. The\nCouncil: they said it was\n"
                    "                     not their job.",
                ),
            ],
        ),
        (  # bracketed ids, as other QDA tools ship focus groups
            "[id1] hello, I like the course\n[id2] the tea was good\n[id1] and the bus\n",
            [
                ("id1", "hello, I like the course"),
                ("id2", "the tea was good"),
                ("id1", "and the bus"),
            ],
        ),
        (  # codes, titles and initials
            "Moderator: Welcome, all.\nP-07: Thanks.\nDr. Khan: Hello.\nMr. J. Smith: Evening.\n"
            "Speaker 12: Hiya.\nSpeaker 3: Hi.\nP-07: Go on.\n",
            [
                ("Moderator", "Welcome, all."),
                ("P-07", "Thanks."),
                ("Dr. Khan", "Hello."),
                ("Mr. J. Smith", "Evening."),
                ("Speaker 12", "Hiya."),
                ("Speaker 3", "Hi."),
                ("P-07", "Go on."),
            ],
        ),
        (  # the label alone on its line with a timestamp, the words below
            "Amina  0:03\nHow are you keeping?\n\nBob  0:15\nFair to middling.\n\n"
            "Amina  1:02:03\nGood.\n",
            [("Amina", "How are you keeping?"), ("Bob", "Fair to middling."), ("Amina", "Good.")],
        ),
        (  # bold labels, as Markdown has them
            "**Interviewer:** Any help at home?\n**Amina**: Not much.\n**Amina**: My son.\n",
            [("Interviewer", "Any help at home?"), ("Amina", "Not much."), ("Amina", "My son.")],
        ),
        (  # a tab after the label, and after the time, as Word exports have it
            "Interviewer\tAny help?\nP2\t0:09\tMy son.\nThen\tnothing.\n",
            [("Interviewer", "Any help?"), ("P2", "My son.\nThen\tnothing.")],
        ),
        (  # the label on a line of its own, the words on the next
            "Interviewer:\nWho cooks?\nParticipant:\nI do.\n",
            [("Interviewer", "Who cooks?"), ("Participant", "I do.")],
        ),
    ],
)
def test_speaker_conventions(text: str, expected: list[tuple[str, str]]) -> None:
    assert [(s, words) for words, _, s in _turns(text)] == expected


@pytest.mark.parametrize(
    ("line", "stamp"),
    [
        ("Amina (00:01:23): Hello.", "00:01:23"),
        ("[00:01:23] Amina: Hello.", "00:01:23"),
        ("00:01:23 Amina: Hello.", "00:01:23"),
        ("Amina [1:02:03]: Hello.", "1:02:03"),
        ("Amina: (00:01:23) Hello.", "00:01:23"),
    ],
)
def test_timestamps_in_service_formats(line: str, stamp: str) -> None:
    text = f"{line}\nInterviewer: And then?\n{line}\n"
    turns = find_turns(text)
    assert [(t.speaker, text[t.start : t.end]) for t in turns[:2]] == [
        ("Amina", "Hello."),
        ("Interviewer", "And then?"),
    ]
    assert turns[0].meta == {"timestamp": stamp}


def test_a_wrapped_line_that_opens_like_a_label_continues_the_turn() -> None:
    text = "".join(
        f"   INTERVIEWER :   Question {n}?\n   admin-1     :   Well, my husband\n"
        "Derek: he says it is fine. Derek: he would.\n"
        for n in range(3)
    )
    turns = find_turns(text)
    assert [t.speaker for t in turns] == ["INTERVIEWER", "admin-1"] * 3
    assert text[turns[1].start : turns[1].end].endswith("Derek: he would.")


def test_a_file_layout_confirms_a_label_used_once() -> None:
    text = (
        "Amina (00:00:01): Shall we start?\nBob (00:00:04): Aye.\n"
        "Amina (00:00:09): Where do you live?\n"
    )
    assert [s for _, _, s in _turns(text)] == ["Amina", "Bob", "Amina"]


def test_no_false_speakers_from_prose_lists_notes_links_and_times() -> None:
    prose = (
        "The thing is: buses.\n- Transport: none.\n1. Housing: damp.\nNote: the tape stopped.\n"
        "https://example.org/leaflet\nAt 10:30 the bus came.\nSo: what now.\n"
        "Monday: nothing.\nThe GP said: come back.\n[laughs] yes.\n[00:01:02] and then.\n"
    )
    text = "Interviewer: Tell me.\nParticipant: Well.\n" + prose + prose
    turns = find_turns(text)
    assert [t.speaker for t in turns] == ["Interviewer", "Participant"]
    assert text[turns[1].start : turns[1].end] == "Well.\n" + (prose + prose).strip()


@pytest.mark.parametrize(
    ("label", "role"),
    [
        ("Interviewer 2", "interviewer"),
        ("I1", "interviewer"),
        ("P-07", "participant"),
        ("R2", "participant"),
        ("Speaker 12", None),  # says who, not which side of the interview
        ("admin-1", None),
        ("Dr. Khan", None),
    ],
)
def test_roles_a_label_states(label: str, role: str | None) -> None:
    from qualcode.ingest.turns import role_of

    assert role_of(label) == role


HOSTILE_LABEL_RUNS = ["   ", "[id1] ", "Mr. ", "A-1 ", "0:00 ", "**", "(0:00)", "A (", "[", "a b "]


@pytest.mark.timeout(60)  # each is linear: well under a second; a quadratic one hangs here
@pytest.mark.parametrize("run", HOSTILE_LABEL_RUNS)
def test_hostile_runs_finish_finding_turns(run: str) -> None:
    body = run * (200_000 // len(run))
    text = f"Interviewer: hello?\n{body}\n{body}:\n" + (run + "\n") * 20_000 + "P1: bye\n"
    turns = find_turns(text)
    assert all(0 <= t.start < t.end <= len(text) for t in turns)
    assert {"Interviewer", "P1"} <= {t.speaker for t in turns}


# the measuring corpus -----------------------------------------------------------------------

CORPUS_NAMES = speakers_corpus.names()


@pytest.mark.parametrize("name", CORPUS_NAMES)
def test_speaker_corpus_turns_speakers_and_roles(name: str, tmp_path: Path) -> None:
    want = speakers_corpus.expected(name)
    found = speakers_corpus.find(name, tmp_path)
    assert [(s, w) for s, _, w in found.turns] == [
        (t["speaker"], t["starts"]) for t in want["turns"]
    ]
    assert [r for _, r, _ in found.turns] == [t["role"] for t in want["turns"]]
    assert found.words == want["words"]


def test_the_corpus_covers_every_convention_of_issue_19() -> None:
    assert len(CORPUS_NAMES) >= 13
    for name in CORPUS_NAMES:
        want = speakers_corpus.expected(name)
        assert want["synthetic"] is True and want["turns"], name
    carer = speakers_corpus.expected("padded-wrapped")["turns"]
    assert sum(t["speaker"] == "admin-1" for t in carer) >= 10
