"""Paragraph, turn and sentence units: offsets into the text, no labels, no crossing turns."""

from __future__ import annotations

import itertools

from qualcode.ingest.segment import Segmenter

TEXT = (
    "[SYNTHETIC]\n"
    "Interviewer: How is it? Tell me.\n"
    "Participant: Awful. It never comes, and when it does it's full\n"
    "so I walk.\n"
)


def test_units_of_each_kind_cover_the_spoken_text() -> None:
    units = Segmenter().units(TEXT)
    by_kind: dict[str, list[str]] = {}
    for u in units:
        by_kind.setdefault(u.kind, []).append(TEXT[u.start : u.end])
    assert by_kind["paragraph"] == [line for line in TEXT.splitlines() if line]
    assert by_kind["turn"] == [
        "How is it? Tell me.",
        "Awful. It never comes, and when it does it's full\nso I walk.",
    ]
    assert by_kind["sentence"] == [
        "[SYNTHETIC]",
        "How is it?",
        "Tell me.",
        "Awful.",
        "It never comes, and when it does it's full",  # a line break ends a sentence unit
        "so I walk.",
    ]


def test_sentences_carry_the_speaker_and_role_of_their_turn() -> None:
    sentences = [u for u in Segmenter().units(TEXT) if u.kind == "sentence"]
    assert [(u.speaker, u.role) for u in sentences[1:4]] == [
        ("Interviewer", "interviewer"),
        ("Interviewer", "interviewer"),
        ("Participant", "participant"),
    ]
    assert sentences[0].speaker is None


def test_given_turns_are_used_as_they_are() -> None:
    from qualcode.ingest.source import Unit

    text = "Ana: Hello there. Bye.\n"
    turn = Unit("turn", 5, len(text) - 1, speaker="Ana", role="participant")
    units = Segmenter().units(text, [turn])
    assert [u for u in units if u.kind == "turn"] == [turn]
    assert [text[u.start : u.end] for u in units if u.kind == "sentence"] == [
        "Hello there.",
        "Bye.",
    ]


def test_no_text_gives_no_units_and_the_model_is_named() -> None:
    s = Segmenter()
    assert s.units("\n\n") == []
    assert "sentencizer" in s.model_name or "core" in s.model_name


def test_the_array_rule_equals_spacys_sentencizer_on_the_sample_corpus() -> None:
    from qualcode.ingest.readers import read_file
    from tests.conftest import ROOT

    s = Segmenter()
    assert s._rule is not None  # the blank pipeline takes the fast path
    texts = [
        read_file(p)[0].text
        for p in sorted((ROOT / "data" / "raw").rglob("*"))
        if p.suffix in (".txt", ".docx", ".vtt")
    ]
    texts += [
        'He said "stop." Then... nothing?! Dr. Smith paid £3.50 at 8 a.m. Right.\n\nOK',
        "...",
        "Hi",
        " . a",
        "a .. b",
        "Wait!? Yes",
        "",
    ]
    for text in texts:
        expected = [(x.start_char, x.end_char) for x in s.nlp(text).sents] if text else []
        assert s.sentence_spans(text) == expected, text[:60]


HOSTILE = {
    "bangs": "!" * 200_000,
    "dots": "." * 200_000,
    "interrobangs": "?!" * 100_000,
    "one word": "w" * 200_000,
    "emoji": "".join(chr(0x1F600 + i % 80) for i in range(200_000)),
    "newlines": "\n" * 199_999 + "x",
    "mixed scripts": "Hi! 中文。Ελληνικά; عربي؟ हिन्दी। " * 6_000,
    "url-like word": ("http://a.b/" + "c" * 50) * 3_300,
    "speech then bangs": "Ana: It was fine" + "!" * 200_000 + " Then we left.\nBen: Yes.",
}


def test_hostile_texts_segment_into_ordered_units_inside_the_text() -> None:
    s = Segmenter()
    for name, text in HOSTILE.items():
        units = s.units(text)
        assert units, name
        for kind in ("paragraph", "turn", "sentence"):
            spans = [(u.start, u.end) for u in units if u.kind == kind]
            assert all(0 <= a < b <= len(text) for a, b in spans), (name, kind)
            assert spans == sorted(spans), (name, kind)
            assert all(b <= c for (_, b), (c, _) in itertools.pairwise(spans)), (name, kind)
        sentences = [text[u.start : u.end] for u in units if u.kind == "sentence"]
        assert all(t == t.strip() and t for t in sentences), name


def test_long_runs_are_cut_for_spacy_without_moving_any_offset() -> None:
    from qualcode.ingest.segment import MAX_RUN, MAX_WORD, cut_runs

    text = "Ok " + "!" * (3 * MAX_RUN) + " and " + "x" * (2 * MAX_WORD + 5) + " end."
    view = cut_runs(text)
    assert len(view) == len(text)
    assert max(len(w) for w in view.split() if not w[0].isalnum()) <= MAX_RUN
    assert max(len(w) for w in view.split()) <= MAX_WORD
    # nothing but the cut characters changes, and ordinary text is left alone
    assert [i for i, (a, b) in enumerate(zip(text, view, strict=True)) if a != b] == [
        i for i, c in enumerate(view) if c == " " and text[i] != " "
    ]
    ordinary = 'He said "stop." Then... nothing?! Dr. Smith paid £3.50.'
    assert cut_runs(ordinary) == ordinary


def test_a_sentence_ending_in_a_long_run_keeps_its_run() -> None:
    text = "It was awful" + "!" * 5_000 + " We left."
    sentences = [text[u.start : u.end] for u in Segmenter().units(text) if u.kind == "sentence"]
    assert sentences == ["It was awful" + "!" * 5_000, "We left."]


def test_reading_in_pieces_gives_the_same_units(monkeypatch) -> None:
    from qualcode.ingest import segment
    from qualcode.ingest.readers import read_file
    from tests.conftest import ROOT

    texts = [
        read_file(p)[0].text
        for p in sorted((ROOT / "data" / "raw").rglob("*"))
        if p.suffix in (".txt", ".vtt")
    ][:6]
    texts += [TEXT, 'Stop.\n"Yes" he said. Then.\n\n...and so!\nNo']
    texts += ["x " * 500 + "\n" + "y. " * 300]
    s = Segmenter()
    for text in texts:  # pieces as short as the longest line: cut at every line break
        whole = s.units(text)
        monkeypatch.setattr(segment, "CHUNK", max(len(line) for line in text.split("\n")) + 1)
        assert len(segment._chunks(text)) > 1
        assert s.units(text) == whole
        monkeypatch.undo()
    monkeypatch.setattr(segment, "CHUNK", 40)  # one long line: cut at spaces
    assert max(b - a for a, b in segment._chunks("word " * 1000)) <= 40


def test_a_label_on_its_own_line_is_no_sentence() -> None:
    text = (
        "[SYNTHETIC]\n\nSpeaker 1  0:03\nHow are you?\n\n"
        "Speaker 2  0:09\nFine.\nSpeaker 1  0:15\nGood.\n"
    )
    sentences = [u for u in Segmenter().units(text) if u.kind == "sentence"]
    assert [(text[u.start : u.end], u.speaker) for u in sentences] == [
        ("[SYNTHETIC]", None),
        ("How are you?", "Speaker 1"),
        ("Fine.", "Speaker 2"),
        ("Good.", "Speaker 1"),
    ]
