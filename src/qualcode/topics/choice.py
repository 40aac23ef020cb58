"""Which evidence a CodeSuggester trusts, chosen by cross-validation on the coder's own codings.

Every unit is scored by models that never saw it (k folds). For each share of words evidence
in `WEIGHTS` (1.0 is words alone, 0.0 meaning alone) the choice counts how often the top code
of a coded unit is one the coder gave it. Words alone is kept unless another share beats it
by more than noise (one standard error of the paired difference), so embeddings that do not
help on this coder's text are left out, and ties go to words.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from qualcode.topics.scorers import OneVsRest, Probe, blend

WEIGHTS = (1.0, 0.8, 0.6, 0.4, 0.2, 0.0)
METHODS = {"auto": WEIGHTS, "words": (1.0,), "meaning": (0.0,), "blend": WEIGHTS[1:-1]}


@dataclass(frozen=True)
class Choice:
    """What a fitted CodeSuggester weighs, and the cross-validated evidence for it.

    `score` and `words_score` are the share of coded units whose top code was right (None
    without cross-validation); `str(choice)` is the sentence shown to the coder."""

    weight: float  # share of the words evidence; the rest is meaning
    score: float | None = None
    words_score: float | None = None
    runner_up: tuple[float, float] | None = None  # (weight, score) of the best other share
    noise: float = 0.0
    units: int = 0
    folds: int = 0
    note: str = ""  # a reason that is not in the scores (asked for, too few units, ...)

    @property
    def method(self) -> str:
        return "words" if self.weight >= 1 else "meaning" if self.weight <= 0 else "blend"

    def __str__(self) -> str:
        name = _name(self.weight)
        where = f"in {self.folds}-fold cross-validation on {self.units} units you coded"
        if self.note:
            said = f" ({self.score:.2f} {where})" if self.score is not None else ""
            return f"{name}: {self.note}{said}"
        if self.words_score is None:  # words alone was not on offer
            return f"{name}: top code right {self.score:.2f} {where}"
        if self.method != "words":
            versus = f"vs words alone {self.words_score:.2f}"
            return f"{name}: top code right {self.score:.2f} {versus} {where}"
        if self.runner_up is None:
            return f"{name}: top code right {self.score:.2f} {where}"
        weight, score = self.runner_up
        if score > (self.score or 0):
            why = f"only {score - (self.score or 0):.2f} better, within noise (±{self.noise:.2f})"
        else:
            why = "no better"
        return (
            f"{name}: top code right {self.score:.2f}; {_name(weight)} scored {score:.2f}, "
            f"{why}, {where}"
        )


def _name(weight: float) -> str:
    if weight >= 1:
        return "words alone"
    if weight <= 0:
        return "meaning alone"
    return f"blend ({weight:.1f} words, {1 - weight:.1f} meaning)"


def held_out_scores(
    words_X: Any,
    meaning_X: np.ndarray | None,
    Y: np.ndarray,
    *,
    folds: int,
    seed: int,
    C: float = 1.0,
) -> tuple[np.ndarray | None, np.ndarray | None]:
    """Each unit's margins from models fitted on the other folds (words, meaning; None for a
    side not asked for). `C`: the words model's regularisation (the baseline's 1.0)."""
    from sklearn.model_selection import KFold

    words = None if words_X is None else np.zeros(Y.shape)
    meaning = None if meaning_X is None else np.zeros(Y.shape)
    splits = KFold(n_splits=folds, shuffle=True, random_state=seed).split(np.arange(len(Y)))
    for train, test in splits:
        if words is not None:
            words[test] = OneVsRest(C).fit(words_X[train], Y[train]).margins(words_X[test])
        if meaning is not None:
            meaning[test] = Probe().fit(meaning_X[train], Y[train]).margins(meaning_X[test])
    return words, meaning


def top_hits(scores: np.ndarray, Y: np.ndarray) -> np.ndarray:
    """1 where a unit's top-scoring code is one of its codes, else 0."""
    return Y[np.arange(len(Y)), np.argmax(scores, axis=1)].astype(float)


def choose(
    words: np.ndarray | None,
    meaning: np.ndarray | None,
    Y: np.ndarray,
    *,
    weights: tuple[float, ...],
    folds: int,
) -> Choice:
    """The share of words evidence to use, from held-out scores (see the module docstring)."""
    coded = Y.any(axis=1)
    n = int(coded.sum())
    hits = {w: top_hits(blend(words, meaning, w)[coded], Y[coded]) for w in weights}
    rate = {w: float(h.mean()) for w, h in hits.items()}
    best = max(weights, key=lambda w: (rate[w], w))  # a tie goes to more words
    common = {"units": n, "folds": folds}
    if 1.0 not in hits:  # words alone was not on offer
        return Choice(best, rate[best], **common)
    others = [w for w in weights if w != 1.0]
    if not others:
        return Choice(1.0, rate[1.0], rate[1.0], **common)
    runner = max(others, key=lambda w: (rate[w], w))
    diff = hits[runner] - hits[1.0]
    noise = float(diff.std(ddof=1) / np.sqrt(n)) if n > 1 else float("inf")
    if best != 1.0 and rate[best] - rate[1.0] > noise:
        return Choice(best, rate[best], rate[1.0], noise=noise, **common)
    return Choice(1.0, rate[1.0], rate[1.0], (runner, rate[runner]), noise, **common)
