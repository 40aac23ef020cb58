"""Auto-coding by search: each mode, expansion, speaker and area filters, duplicates, one undo,
and bad input that writes nothing."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from qualcode.coding.autocode import PREVIEW_COLUMNS, autocode
from qualcode.errors import CodingError, NotFoundError, QualcodeError
from qualcode.store import schema
from tests.cli import run_cli

CLINIC = """[SYNTHETIC transcript for auto-coding tests]

Interviewer: Do you have to wait long? Tell me about the waiting.
Participant: I waited two hours. The waiting room was full, and Waiting is the worst part.
My careful neighbour takes me to the day
centre because the bus never comes.
Interviewer: Who gives you care?
Participant: My daughter gives me care. She waits with me. It's hard on her.
"""

SURGERY = """[SYNTHETIC transcript for auto-coding tests]

Interviewer: How is the surgery?
P1: They make you wait on the phone. Then you wait again at the desk.
"""

QUALCODE = str(Path(sys.executable).parent / "qualcode")
SURVEY = "The wait for a carer's assessment was months. Care at home is good."


@pytest.fixture
def corpus(project):
    """Three documents in two areas, one without speaker turns, and two codes."""
    project.codebook.add("Waiting")
    project.codebook.add("Care")
    return {
        "clinic": project.add_document(CLINIC, area="hartlepool", title="clinic"),
        "surgery": project.add_document(SURGERY, area="stockton", title="surgery"),
        "survey": project.add_document(SURVEY, area="stockton", title="survey", format="csv"),
    }


def texts(frame) -> list[str]:
    return frame["text"].tolist()


def counts(project) -> tuple[int, int, int]:
    """(codings, audit rows, coders): what a failed or preview call must leave unchanged."""
    with project.reading() as conn:
        coders = conn.execute(select(func.count()).select_from(schema.coders)).scalar_one()
    return len(project.codings()), len(project.audit_df()), coders


def test_text_finds_whole_words_any_case_phrases_across_lines(project, corpus) -> None:
    hits = autocode(project, "care", "Care", coder="amina", preview=True)
    assert list(hits.columns) == list(PREVIEW_COLUMNS)
    # not "careful", not "carer's"; the interviewer's "care" is left out by default
    assert texts(hits) == ["care", "Care"]
    assert hits["title"].tolist() == ["clinic", "survey"]
    row = hits.iloc[0]
    assert (row.speaker, row.area, row.hits, row.already_coded) == (
        "Participant",
        "hartlepool",
        1,
        False,
    )
    assert row.left.endswith("My daughter gives me ") and row.right.startswith(". She waits")
    doc = corpus["clinic"]
    assert doc.text[row.start : row.end] == "care"
    phrase = autocode(project, "day centre", "Care", coder="amina", preview=True)
    assert texts(phrase) == ["day\ncentre"]


def test_interviewer_turns_by_choice_and_speaker_filter(project, corpus) -> None:
    with_interviewer = autocode(
        project,
        "care", "Care", coder="amina", interviewer=True, preview=True
    )
    assert with_interviewer["speaker"].fillna("-").tolist() == ["Interviewer", "Participant", "-"]
    only = autocode(project, "wait", "Waiting", coder="amina", speaker="P1", preview=True)
    assert only["speaker"].tolist() == ["P1", "P1"] and set(only["title"]) == {"surgery"}
    by_role = autocode(
        project,
        "wait", "Waiting", coder="amina", speaker="participant", preview=True
    )
    assert set(by_role["speaker"]) == {"P1"}  # the clinic has "waited", "waits", not "wait"
    # the speaker labels themselves are never hits
    assert autocode(project, "participant", "Care", coder="amina", preview=True).empty


def test_regex_is_used_as_written(project, corpus) -> None:
    hits = autocode(project, r"wait\w*", "Waiting", coder="amina", mode="regex", preview=True)
    assert texts(hits) == ["waited", "waiting", "waits", "wait", "wait", "wait"]
    # case-sensitive unless the pattern says (?i)
    assert "Waiting" in texts(
        autocode(project, r"(?i)wait\w*", "Waiting", coder="amina", mode="regex", preview=True)
    )


def test_lemma_finds_every_form(project, corpus) -> None:
    hits = autocode(project, "waiting", "Waiting", coder="amina", mode="lemma", preview=True)
    assert texts(hits) == ["waited", "waiting", "Waiting", "waits", "wait", "wait", "wait"]
    phrase = autocode(project, "waited with", "Care", coder="amina", mode="lemma", preview=True)
    assert texts(phrase) == ["waits with"]
    gap = autocode(project, "give care", "Care", coder="amina", mode="lemma", preview=True)
    assert texts(gap) == []  # "gives me care": words in between are not skipped
    assert texts(autocode(project, "takes", "Care", coder="amina", mode="lemma", preview=True)) == [
        "takes"
    ]


def test_lemma_hits_agree_with_spacy_lookup_lemmatizer(project, corpus) -> None:
    """Every participant word whose spaCy lookup lemma is "wait" is a hit, and nothing else."""
    import spacy

    nlp = spacy.blank("en")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.initialize()
    text = corpus["clinic"].text
    turns = project.units_df("turn", document=corpus["clinic"].id)
    expected = []
    for t in turns[turns["role"] == "participant"].itertuples():
        for token in nlp(text[t.start : t.end].lower()):
            if token.lemma_ == "wait":
                expected.append((t.start + token.idx, t.start + token.idx + len(token)))
    hits = autocode(
        project,
        "wait", "Waiting", coder="amina", mode="lemma", documents=["clinic"], preview=True
    )
    assert list(zip(hits["start"], hits["end"], strict=True)) == expected
    assert len(expected) == 4


def test_expand_to_sentence_and_turn_merges_hits(project, corpus) -> None:
    sentences = autocode(
        project,
        "waiting", "Waiting", coder="amina", mode="lemma", expand="sentence", preview=True
    )
    clinic = sentences[sentences["title"] == "clinic"]
    assert texts(clinic)[0] == "I waited two hours."
    merged = clinic[clinic["text"].str.startswith("The waiting room")]
    assert merged["hits"].tolist() == [2]  # "waiting" and "Waiting": one sentence, one coding
    turns = autocode(
        project,
        "waiting", "Waiting", coder="amina", mode="lemma", expand="turn", preview=True
    )
    first = turns.iloc[0]
    assert first.text.startswith("I waited two hours.") and first.text.endswith("never comes.")
    assert first.hits == 3
    # a document without turns: the paragraph holding the hit
    assert texts(turns[turns["title"] == "survey"]) == [SURVEY]


def test_every_turn_of_a_speaker(project, corpus) -> None:
    turns = autocode(project, None, "Care", coder="amina", speaker="Interviewer", preview=True)
    assert texts(turns) == [
        "Do you have to wait long? Tell me about the waiting.",
        "Who gives you care?",
        "How is the surgery?",
    ]
    sentences = autocode(
        project,
        "", "Care", coder="amina", speaker="Interviewer", expand="sentence", preview=True
    )
    assert texts(sentences)[:2] == ["Do you have to wait long?", "Tell me about the waiting."]


def test_area_documents_and_current_versions_only(project, corpus) -> None:
    assert set(
        autocode(project, "wait", "Waiting", coder="amina", area="stockton", preview=True)["title"]
    ) == {"surgery", "survey"}
    one = autocode(project, "wait", "Waiting", coder="amina", documents=["survey"], preview=True)
    assert texts(one) == ["wait"]
    project.add_document(SURVEY.replace("wait", "delay"), area="stockton", title="survey")
    assert set(autocode(project, "wait", "Waiting", coder="amina", preview=True)["title"]) == {
        "surgery"
    }
    with pytest.raises(QualcodeError, match="not the current version"):
        autocode(project, "wait", "Waiting", coder="amina", documents=[corpus["survey"].id])
    with pytest.raises(NotFoundError, match=r"no area named 'nowhere'.*hartlepool, stockton"):
        autocode(project, "wait", "Waiting", coder="amina", area="nowhere")


def test_apply_codes_as_the_coder_and_never_duplicates(project, corpus) -> None:
    clinic = corpus["clinic"]
    start = clinic.text.index("waits")
    project.code(clinic, start, start + 5, "Waiting", coder="amina")  # by hand, before
    project.code(clinic, start, start + 5, "Waiting", coder="bo")  # someone else's
    before_preview = counts(project)
    hits = autocode(project, "waiting", "Waiting", coder="amina", mode="lemma", preview=True)
    assert counts(project) == before_preview  # a preview writes nothing
    assert hits["already_coded"].sum() == 1
    result = autocode(project, "waiting", "Waiting", coder="amina", mode="lemma")
    assert (len(result.added), result.skipped) == (len(hits) - 1, 1)
    mine = project.codings(coder="amina")
    assert len(mine) == len(hits)
    assert {(c.document_id, c.start, c.end) for c in mine} == set(
        zip(hits["document_id"], hits["start"], hits["end"], strict=True)
    )
    assert {c.code for c in mine} == {"Waiting"}
    assert len(project.codings(coder="bo")) == 1
    again = autocode(project, "waiting", "Waiting", coder="amina", mode="lemma")
    assert (again.added, again.skipped) == ([], len(hits))
    assert len(project.codings(coder="amina")) == len(hits)
    assert "added 0 codings" in str(again)
    audit = project.audit_df(actor="amina")
    autocoded = [a for a in audit["after"] if isinstance(a, dict) and "autocode" in a]
    assert len(autocoded) == len(result.added)
    assert autocoded[0]["autocode"] == "search 'waiting' (lemma)"


def test_one_undo_removes_exactly_the_batch(project, corpus) -> None:
    clinic = corpus["clinic"]
    hand = project.code(clinic, 0, 11, "Care", coder="amina")
    other = project.code(clinic, 0, 11, "Waiting", coder="bo")
    result = autocode(project, "wait", "Waiting", coder="amina", mode="lemma")
    assert len(result.added) == 7  # clinic 4, surgery 2, survey 1
    removed = result.undo(project)
    assert removed == 7
    assert [c.id for c in project.codings()] == [hand.id, other.id]
    deletes = project.audit_df(actor="amina")
    assert (deletes["action"] == "delete").sum() == 7
    assert result.undo(project) == 0  # already removed: nothing to do


def test_uncode_many_refuses_others_codings_and_removes_nothing(project, corpus) -> None:
    result = autocode(project, "wait", "Waiting", coder="amina")
    other = project.code(corpus["surgery"], 0, 5, "Care", coder="bo")
    with pytest.raises(CodingError, match=rf"{other.id} \(bo\).*nothing was removed"):
        project.uncode_many([*result.added, other.id], coder="amina")
    assert len(project.codings(coder="amina")) == len(result.added)
    assert project.uncode_many(result.added, coder="amina") == len(result.added)


def test_bad_regex_names_the_pattern(project, corpus) -> None:
    before = counts(project)
    with pytest.raises(QualcodeError, match=re.escape("the pattern '(wait' is not a valid")):
        autocode(project, "(wait", "Waiting", coder="amina", mode="regex")
    assert counts(project) == before


def test_too_many_hits_is_refused_with_the_count(project, corpus) -> None:
    before = counts(project)
    with pytest.raises(QualcodeError) as caught:
        autocode(project, "the", "Care", coder="amina", interviewer=True, max_hits=3)
    message = str(caught.value)
    assert "search 'the' (text) has 9 hits, more than max_hits=3" in message
    assert "area=" in message and "speaker=" in message and "documents=" in message
    assert counts(project) == before


def test_default_limit_is_ten_thousand(project) -> None:
    project.codebook.add("Waiting")
    project.add_document("Participant: " + "wait " * 10_001, area="a", title="long")
    with pytest.raises(QualcodeError, match="has 10,001 hits, more than max_hits=10,000"):
        autocode(project, "wait", "Waiting", coder="amina")
    assert project.codings() == []
    hits = autocode(project, "wait", "Waiting", coder="amina", max_hits=20_000, preview=True)
    assert len(hits) == 10_001


@pytest.mark.parametrize(
    ("args", "kwargs", "error", "message"),
    [
        (("wait", "Nope"), {}, NotFoundError, "no code named 'Nope'"),
        (("wait", "Waiting"), {"coder": "suggest:tfidf"}, CodingError, "machine suggestion"),
        (("wait", "Waiting"), {"mode": "fuzzy"}, QualcodeError, "mode 'fuzzy' is not one of"),
        (("wait", "Waiting"), {"expand": "page"}, QualcodeError, "expand 'page' is not one of"),
        ((" ", "Waiting"), {}, QualcodeError, "nothing to search for"),
        (("wait", "Waiting"), {"max_hits": 0}, QualcodeError, "max_hits must be"),
        (("wait", "Waiting"), {"coder": " "}, QualcodeError, "coder must be a non-empty"),
    ],
)
def test_bad_input_writes_nothing(project, corpus, args, kwargs, error, message) -> None:
    before = counts(project)
    with pytest.raises(error, match=message):
        autocode(project, *args, **{"coder": "amina", **kwargs})
    assert counts(project) == before


def test_consensus_layer_cannot_autocode(project, corpus) -> None:
    project.adjudicate(corpus["survey"], 0, 8, "Waiting", adjudicator="lead")
    before = counts(project)
    for preview in (True, False):
        with pytest.raises(CodingError, match="adjudicated layer"):
            autocode(project, "wait", "Waiting", coder="consensus", preview=preview)
    assert counts(project) == before


@pytest.mark.sqlite_only
def test_command_line_lists_then_applies(project, corpus) -> None:
    args = ["autocode", "waiting", "--code", "Waiting", "--coder", "amina"]
    args += ["--mode", "lemma", "--project", project.location]
    listed = run_cli(*args, cwd=Path.cwd())
    assert listed.returncode == 0, listed.stderr
    assert "7 hits, 7 not yet coded; add --apply" in listed.stdout
    assert "I [waited] two hours" in listed.stdout and project.codings() == []  # as written
    applied = run_cli(*args, "--apply", cwd=Path.cwd())
    assert "added 7 codings of 'Waiting' as amina" in applied.stdout
    assert len(project.codings(coder="amina")) == 7
    bad = run_cli(args[0], "(wait", *args[2:7], "regex", *args[8:], cwd=Path.cwd())
    assert bad.returncode == 1 and "error: the pattern '(wait' is not a valid" in bad.stderr
