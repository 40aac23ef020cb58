"""The two kinds of evidence a CodeSuggester weighs, and how its scores become probabilities.

Words: TF-IDF of words and word pairs (sublinear counts) and one logistic regression per code,
the plain baseline that is hard to beat on real text; fitted per code, so that a code with no
unit in a training part gets a constant there instead of failing the fit. Meaning: a linear
probe on the unit's embedding (MiniLM), which finds a code in words the coder never used.
Both give margins; `Calibration` maps margins to "right this often" on the coder's own
held-out units with one increasing curve for all codes, so it never reorders a unit's codes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

PROBE_ALPHAS = (0.1, 1.0, 10.0, 100.0)
_SURE = 20.0  # the margin of a code every (or no) training unit has
_EPS = 1e-9


def words_vectorizer() -> Any:
    """TF-IDF of words and word pairs with sublinear counts (fitted on the training texts)."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(sublinear_tf=True, ngram_range=(1, 2), dtype=np.float32)


def fit_words_features(texts: Sequence[str]) -> tuple[Any, Any]:
    """The fitted vectorizer and the training matrix; text with no words at all gets a
    one-token vocabulary so that fitting never fails on "aye" and "..." alone."""
    vectorizer = words_vectorizer()
    try:
        return vectorizer, vectorizer.fit_transform(list(texts))
    except ValueError:  # empty vocabulary
        vectorizer = words_vectorizer().set_params(token_pattern=r"(?u).")
        return vectorizer, vectorizer.fit_transform([*texts, " "])[: len(texts)]


class OneVsRest:
    """Words: one logistic regression per code column of Y. A column that is all 0 (or all 1)
    in the training rows gets a constant margin."""

    def __init__(self, C: float) -> None:
        self.C = C
        self.models: list[Any] = []

    def fit(self, X: Any, Y: np.ndarray) -> OneVsRest:
        from sklearn.linear_model import LogisticRegression

        self.models = []
        for column in Y.T:
            positives = int(column.sum())
            if positives in (0, len(column)):
                self.models.append(_SURE if positives else -_SURE)
            else:
                model = LogisticRegression(C=self.C, max_iter=2000)
                self.models.append(model.fit(X, column))
        return self

    def margins(self, X: Any) -> np.ndarray:
        """Log-odds, one column per code (the logit of the regression's probability)."""
        out = np.empty((X.shape[0], len(self.models)), dtype=np.float64)
        for j, model in enumerate(self.models):
            out[:, j] = model if isinstance(model, float) else model.decision_function(X)
        return out


class Probe:
    """Meaning: a ridge regression from the embedding to all codes at once (one solve, its
    penalty chosen by leave-one-out), fast enough for thousands of units at every fold."""

    def __init__(self) -> None:
        self.model: Any = None

    def fit(self, X: np.ndarray, Y: np.ndarray) -> Probe:
        from sklearn.linear_model import Ridge, RidgeCV

        few = len(X) < 20  # leave-one-out is degenerate on a handful of units
        model = Ridge(alpha=1.0) if few else RidgeCV(alphas=PROBE_ALPHAS)
        self.model = model.fit(X, Y.astype(np.float64))
        return self

    def margins(self, X: np.ndarray) -> np.ndarray:
        return np.asarray(self.model.predict(X), dtype=np.float64).reshape(len(X), -1)


def blend(words: np.ndarray | None, meaning: np.ndarray | None, weight: float) -> np.ndarray:
    """`weight` of the words probabilities and the rest of the meaning ones; a side whose
    weight is 0 may be None (it was never computed)."""
    if meaning is None or (weight >= 1 and words is not None):
        return words if words is not None else np.zeros((0, 0))
    if words is None or weight <= 0:
        return meaning
    return weight * words + (1 - weight) * meaning


def logit(probabilities: np.ndarray) -> np.ndarray:
    clipped = np.clip(probabilities, _EPS, 1 - _EPS)
    return np.log(clipped / (1 - clipped))


class Calibration:
    """Platt scaling shared by all codes: an increasing map from a margin to the share of
    (unit, code) pairs with that margin that the coder coded, fitted on held-out margins."""

    def __init__(self) -> None:
        self.slope = 1.0
        self.intercept = 0.0

    def fit(self, margins: np.ndarray, Y: np.ndarray) -> Calibration:
        from sklearn.linear_model import LogisticRegression

        target = Y.ravel()
        if target.min() == target.max():
            return self  # nothing to calibrate against: the plain logistic curve
        model = LogisticRegression(C=1e4, max_iter=1000)
        model.fit(margins.reshape(-1, 1), target)
        slope = float(model.coef_[0, 0])
        if slope > 0:  # a reversed curve would mean the margins carry nothing: keep them
            self.slope, self.intercept = slope, float(model.intercept_[0])
        return self

    def apply(self, margins: np.ndarray) -> np.ndarray:
        return 1 / (1 + np.exp(-(self.slope * margins + self.intercept)))
