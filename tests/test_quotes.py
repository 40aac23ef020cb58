"""Quotes that stand alone (analysis.quote_spans and the quote bank): whole sentences of the
speaker's turn, a minimum length, one per passage however many coders coded it, balanced
across groups, never the interviewer's words. SYNTHETIC text."""

from __future__ import annotations

from pathlib import Path

import qualcode
from qualcode import analysis as qa
from qualcode.analysis.quote_spans import drop_overlaps, whole_sentences

TEXT = "It was late. The bus never came on a Sunday, so we walked in the rain. Then home."
SENTENCES = [(0, 12), (13, 70), (71, 81)]


def test_a_fragment_becomes_its_whole_sentence() -> None:
    start = TEXT.index("never came")
    span = whole_sentences(TEXT, start, start + 10, sentences=SENTENCES, min_words=5)
    assert span is not None and TEXT[slice(*span)] == TEXT[13:70]


def test_a_short_sentence_grows_by_the_next_then_the_previous() -> None:
    span = whole_sentences(TEXT, 0, 5, sentences=SENTENCES, min_words=6)
    assert span == (0, 70)
    last = whole_sentences(TEXT, 72, 76, sentences=SENTENCES, min_words=3)
    assert last is not None and TEXT[slice(*last)].endswith("rain. Then home.")
    assert whole_sentences(TEXT, 0, 5, sentences=SENTENCES, min_words=100) is None


def test_a_long_passage_is_cut_at_a_sentence_end() -> None:
    span = whole_sentences(TEXT, 0, len(TEXT), sentences=SENTENCES, min_words=1, max_words=16)
    assert span == (0, 70)


def test_the_interviewer_is_never_quoted_and_a_quote_stays_in_its_turn() -> None:
    text = "What is hard? The bus is late every single day of the week."
    turns = [(0, 12, "interviewer"), (13, len(text), "participant")]
    sentences = [(0, 12), (13, len(text))]
    assert whole_sentences(text, 0, 12, sentences=sentences, turns=turns, min_words=1) is None
    span = whole_sentences(text, 5, 30, sentences=sentences, turns=turns, min_words=3)
    assert span == (13, len(text))


def test_overlapping_spans_of_a_document_are_one() -> None:
    assert drop_overlaps([(1, 0, 10), (1, 5, 12), (2, 0, 10), (1, 10, 20)]) == [0, 2, 3]


def test_quote_bank_quotes_a_passage_once_in_whole_sentences_across_groups(
    tmp_path: Path,
) -> None:
    p = qualcode.open_project(tmp_path / "q.qualcode", user="tester")
    p.codebook.add("Transport")
    said = {
        "c1": ("Carers", "The bus to the surgery is late. It never comes on a Sunday at all."),
        "c2": ("Carers", "The bus is always late for my hospital appointments in town."),
        "c3": ("Young people", "I cannot get the bus to college when it rains in winter."),
    }
    for case, (group, answer) in said.items():
        text = f"Interviewer: How do you get about by bus?\nParticipant: {answer}\n"
        d = p.add_document(text, area="x", title=case, case=case,
                           attributes={"population_group": group})  # fmt: skip
        at = text.index("bus", text.index("Participant"))
        for coder in ("amina", "bob"):  # both coders coded the same fragment
            p.code(d, at, at + 10 + (coder == "bob"), "Transport", coder=coder)
        p.code(d, text.index("bus"), text.index("bus") + 3, "Transport", coder="amina")
    bank = qa.quote_bank(p, per_code=2)
    quotes = bank["quote"].tolist()
    assert len(quotes) == len(set(quotes)) == 2  # one per passage, not one per coder
    assert all(any(q == a for _, a in said.values()) for q in quotes)  # whole answers
    assert not any("How do you get about" in q for q in quotes)  # never the interviewer
    assert set(bank["group"]) == {"Carers", "Young people"}  # both groups before a second carer
    p.close()


def test_a_passage_coded_with_two_themes_is_quoted_under_one() -> None:
    import pandas as pd

    from qualcode.analysis.report import quote_sources, quotes_markdown

    quotes = pd.DataFrame(
        {
            "code": ["A", "A", "B", "B"],
            "name": ["A", "A", "B", "B"],
            "quote": ["one said", "two said", "one said again", "three said"],
            "case_id": ["X-1", "X-2", "X-1", "X-3"],
            "group": ["G", None, "G", "H"],
            "document_id": [1, 2, 1, 3],
            "start": [0, 0, 5, 0],
            "end": [20, 20, 25, 20],
        }
    )
    text = quotes_markdown(quotes, codes=["A", "B"], per_code=2)
    assert "one said again" not in text and "three said" in text
    assert "[doc" not in text and "<sup>3</sup>" in text
    assert quote_sources(quotes, codes=["A", "B"], per_code=2)["Participant"].tolist() == [
        "X-1", "X-2", "X-3"
    ]
