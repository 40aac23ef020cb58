"""CodeSuggester: learns a coder's codes from the units their codings cover, proposes codes
for other units with calibrated scores, and never applies them.

A unit is labelled with every code whose coding covers at least half of the unit or at least
half of the coding (a short coded phrase inside a long turn still counts). Uncoded units of
coded documents are negatives for every code. Two kinds of evidence are weighed
(`qualcode.topics.scorers`): the unit's words (TF-IDF and one-vs-rest logistic regression,
the plain baseline) and its meaning (the same on cached MiniLM embeddings). How much of each
is chosen by cross-validation on the coder's own codings (`qualcode.topics.choice`), keeping
words alone unless meaning helps by more than noise, and the held-out scores calibrate the
result, so a score of 0.8 means roughly "right 8 times in 10" on the coder's own data.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from qualcode.topics.choice import METHODS, Choice, choose, held_out_scores
from qualcode.topics.embed import EmbeddingCache, embed_texts, get_embedder
from qualcode.topics.errors import (
    ModelNotInstalledError,
    NoCodingsError,
    NotFittedError,
    TopicsError,
)
from qualcode.topics.proposals import Proposed, propose_codings
from qualcode.topics.ranking import no_scores, rank_metrics
from qualcode.topics.scorers import (
    Calibration,
    OneVsRest,
    Probe,
    blend,
    fit_words_features,
    logit,
)
from qualcode.topics.units import document_ids, select_units

if TYPE_CHECKING:
    from qualcode.project import Project


def label_units(units: pd.DataFrame, codings: pd.DataFrame) -> list[set[str]]:
    """For each unit (row), the codes whose codings cover half the unit or half the coding."""
    labels: list[set[str]] = [set() for _ in range(len(units))]
    by_doc = {doc: group for doc, group in codings.groupby("document_id")}
    positions = {uid: i for i, uid in enumerate(units.index)}
    for doc, group in units.groupby("document_id"):
        spans = by_doc.get(doc)
        if spans is None:
            continue
        s0, e0, codes = (
            spans["start"].to_numpy(),
            spans["end"].to_numpy(),
            spans["code"].to_numpy(),
        )
        for uid, start, end in zip(group.index, group["start"], group["end"], strict=True):
            overlap = np.minimum(e0, end) - np.maximum(s0, start)
            covered = (overlap * 2 >= (end - start)) | (overlap * 2 >= (e0 - s0))
            labels[positions[uid]].update(codes[(overlap > 0) & covered])
    return labels


class CodeSuggester:
    """Code suggestions learned from one coder's (or the consensus') codings.

    >>> s = CodeSuggester().fit(p, coder="consensus")
    >>> s.choice_   # what it weighs and why, e.g. "blend (0.6 words, 0.4 meaning): ..."
    >>> s.suggest(p, documents=[doc])   # document_id, start, end, code, score; best first

    `method`: "auto" (choose by cross-validation), "words" (TF-IDF alone: no embeddings),
    "meaning" (embeddings alone) or "blend" (both, the share chosen by cross-validation).
    """

    def __init__(
        self,
        *,
        embedder: Any = "minilm",
        method: str = "auto",
        seed: int = 0,
        min_examples: int = 5,
        C: float = 1.0,
        cv: int = 5,
        include_interviewer: bool = False,
    ) -> None:
        if method not in METHODS:
            raise TopicsError(f"method {method!r} is not one of {', '.join(map(repr, METHODS))}")
        self.embedder = embedder
        self.method = method
        self.seed = seed
        self.min_examples = min_examples
        self.C = C
        self.cv = cv
        self.include_interviewer = include_interviewer

    def __repr__(self) -> str:
        if not hasattr(self, "codes_"):
            return f"<CodeSuggester method={self.method!r} embedder={self.embedder!r}>"
        return (
            f"<CodeSuggester {len(self.codes_)} codes learned from {self.n_units_} "
            f"{self.unit_}s coded by {self.coder_} in {self.fit_seconds_:.1f} s; "
            f"{self.choice_}>"
        )

    def _training_data(
        self, project: Project, coder: str, documents: Any, unit: str
    ) -> tuple[pd.DataFrame, list[set[str]]]:
        ids = document_ids(project, documents)
        codings = project.codings_df(coder=coder)
        if ids is not None:
            codings = codings[codings["document_id"].isin(ids)]
        if codings.empty:
            where = " in those documents" if ids is not None else ""
            coders = sorted(set(project.codings_df()["coder"]))
            raise NoCodingsError(
                f"coder {coder!r} has no codings{where} to learn from "
                f"(coders with codings: {', '.join(coders) or 'none'})"
            )
        coded_docs = sorted(set(codings["document_id"]))
        units = select_units(
            project, unit, documents=coded_docs, include_interviewer=self.include_interviewer
        )
        return units, label_units(units, codings)

    def _vectors(self, project: Project, texts: list[str]) -> np.ndarray | None:
        """Embeddings of `texts` (cached), or None when words alone are asked for, or when
        "auto" finds no embedding model installed (the choice then says so)."""
        self.embedder_ = None
        self.embedder_note_ = ""
        if METHODS[self.method] == (1.0,):
            return None
        try:
            self.embedder_ = get_embedder(self.embedder, seed=self.seed)
        except ModelNotInstalledError as exc:
            if self.method != "auto":
                raise
            self.embedder_note_ = f"no embeddings ({exc})"
            return None
        return embed_texts(texts, self.embedder_, EmbeddingCache.for_project(project))

    def fit(
        self,
        project: Project,
        *,
        coder: str = "consensus",
        documents: Sequence[Any] | None = None,
        unit: str = "sentence",
    ) -> CodeSuggester:
        """Learn the codes `coder` applied to units of the documents they coded, choosing
        between words, meaning and a blend by cross-validation (see `choice_`)."""
        started = time.perf_counter()
        units, labels = self._training_data(project, coder, documents, unit)
        texts = units["text"].tolist()
        self._fit_arrays(texts, self._vectors(project, texts), labels, coder=coder)
        self.unit_ = unit
        self.coder_ = coder
        self.n_units_ = len(units)
        self.fit_seconds_ = time.perf_counter() - started
        return self

    def _label_matrix(self, labels: list[set[str]], coder: str) -> np.ndarray:
        """The 0/1 unit x code matrix of the codes with `min_examples` units (`codes_`)."""
        counts = pd.Series([c for s in labels for c in s]).value_counts()
        kept = sorted(counts[counts >= self.min_examples].index)
        self.skipped_codes_ = sorted(set(counts.index) - set(kept))
        if not kept:
            raise NoCodingsError(
                f"no code has {self.min_examples} or more units coded by {coder!r} yet "
                f"(most: {counts.max() if len(counts) else 0}); code more, or lower min_examples"
            )
        column = {code: j for j, code in enumerate(kept)}
        Y = np.zeros((len(labels), len(kept)), dtype=np.int8)
        for i, codes in enumerate(labels):
            Y[i, [column[c] for c in codes if c in column]] = 1
        negatives = int((Y == 0).all(axis=1).sum())
        if len(kept) == 1 and negatives < self.min_examples:
            raise NoCodingsError(
                f"{coder!r} used one code on every unit; suggestions need units without it too"
            )
        self.codes_ = kept
        self.code_counts_ = counts[kept].to_dict()
        return Y

    def _fit_arrays(
        self, texts: list[str], vectors: np.ndarray | None, labels: list[set[str]], *, coder: str
    ) -> None:
        Y = self._label_matrix(labels, coder)
        self.vectorizer_, words_X = fit_words_features(texts)
        weights = METHODS[self.method] if vectors is not None else (1.0,)
        folds = min(self.cv, int(Y.any(axis=1).sum()))
        self.calibrations_ = (Calibration(), Calibration(), Calibration())  # words, meaning, blend
        if folds < 2:
            self.choice_ = Choice(weights[0], note="too few coded units to cross-validate")
        else:
            words, meaning = held_out_scores(
                words_X if max(weights) > 0 else None,
                vectors if min(weights) < 1 else None,
                Y,
                folds=folds,
                seed=self.seed,
                C=self.C,
            )
            # each side on one scale ("right this often"), so that a blend's weight means it
            words, meaning = (
                None if side is None else calibration.fit(side, Y).apply(side)
                for side, calibration in zip((words, meaning), self.calibrations_, strict=False)
            )
            self.choice_ = choose(words, meaning, Y, weights=weights, folds=folds)
            self.calibrations_[2].fit(logit(blend(words, meaning, self.choice_.weight)), Y)
        note = self.embedder_note_ if vectors is None and self.method == "auto" else ""
        if len(self.codes_) == 1:
            note = "one code learned, so there are no codes to rank against each other"
        if note:
            self.choice_ = replace(self.choice_, note=note)
        weight = self.choice_.weight
        self.words_ = OneVsRest(self.C).fit(words_X, Y) if weight > 0 else None
        self.meaning_ = None
        if weight < 1 and vectors is not None:
            self.meaning_ = Probe().fit(vectors, Y)

    def _check_fitted(self) -> None:
        if not hasattr(self, "choice_"):
            raise NotFittedError("this CodeSuggester is not fitted yet: call .fit(project, ...)")

    def predict_proba(self, texts: Sequence[str], vectors: np.ndarray | None = None) -> np.ndarray:
        """Calibrated scores, one column per code in `codes_`, for `texts` (and their
        embeddings, needed unless the choice is words alone)."""
        self._check_fitted()
        words_cal, meaning_cal, blend_cal = self.calibrations_
        words = meaning = None
        if self.words_ is not None:
            words = words_cal.apply(self.words_.margins(self.vectorizer_.transform(list(texts))))
        if self.meaning_ is not None:
            if vectors is None:
                raise TopicsError("this CodeSuggester weighs meaning: pass the texts' vectors")
            meaning = meaning_cal.apply(self.meaning_.margins(vectors))
        return blend_cal.apply(logit(blend(words, meaning, self.choice_.weight)))

    def _scores(self, project: Project, texts: list[str]) -> np.ndarray:
        vectors = None
        if self.meaning_ is not None:
            vectors = embed_texts(texts, self.embedder_, EmbeddingCache.for_project(project))
        return self.predict_proba(texts, vectors)

    def suggest(
        self,
        project: Project,
        *,
        documents: Sequence[Any] | Any,
        top_k: int = 3,
        min_score: float = 0.3,
        include_coded: bool = False,
    ) -> pd.DataFrame:
        """Suggested codes for the units of `documents` (objects, ids or titles), best first:
        document_id, start, end, code, score, text. Units the coder already coded are left out
        unless `include_coded`. Nothing is written to the project."""
        self._check_fitted()
        ids = document_ids(project, documents) or []
        columns = ["document_id", "start", "end", "code", "score", "text"]
        if not ids:
            raise TopicsError("name at least one document to suggest codes for")
        units = select_units(
            project, self.unit_, documents=ids, include_interviewer=self.include_interviewer
        )
        if units.empty:
            return pd.DataFrame(columns=columns)
        scores = self._scores(project, units["text"].tolist())
        done: list[set[str]] = [set() for _ in range(len(units))]
        if not include_coded:
            coded = project.codings_df(coder=self.coder_)
            done = label_units(units, coded[coded["document_id"].isin(ids)])
        rows = []
        k = min(top_k, len(self.codes_))
        for i, (start, end, doc, text) in enumerate(
            zip(units["start"], units["end"], units["document_id"], units["text"], strict=True)
        ):
            if done[i]:
                continue
            for j in np.argsort(-scores[i], kind="stable")[:k]:
                code = self.codes_[j]
                if scores[i, j] >= min_score:
                    rows.append((int(doc), int(start), int(end), code, float(scores[i, j]), text))
        frame = pd.DataFrame(rows, columns=columns)
        return frame.sort_values(
            ["score", "document_id", "start"], ascending=[False, True, True], kind="stable"
        ).reset_index(drop=True)

    def propose(
        self,
        project: Project,
        *,
        documents: Sequence[Any] | Any,
        model: str = "classifier",
        top_k: int = 1,
        min_score: float = 0.5,
        include_coded: bool = False,
    ) -> Proposed:
        """Write `suggest`'s suggestions into the project as codings owned by
        `suggest:<model>` (role "model"), in one transaction: to review in the Coder widget
        (accept or reject each) and to score with `model_agreement` as one more coder. Each
        memo holds the score. Proposing again adds only what is new. For a fair score, fit on
        documents other than those the model is compared on."""
        from qualcode.model import SUGGESTION_PREFIX

        if not isinstance(model, str) or not model.strip() or model.startswith(SUGGESTION_PREFIX):
            raise TopicsError(
                f"model is a short name such as 'classifier' (the coder becomes "
                f"{SUGGESTION_PREFIX}classifier); got {model!r}"
            )
        found = self.suggest(
            project,
            documents=documents,
            top_k=top_k,
            min_score=min_score,
            include_coded=include_coded,
        ).sort_values(["document_id", "start", "code"], kind="stable")
        return propose_codings(
            project,
            (
                (
                    doc,
                    start,
                    end,
                    code,
                    f"score {score:.2f} from a CodeSuggester fitted on {self.coder_}'s codings",
                )
                for doc, start, end, code, score in zip(
                    found["document_id"],
                    found["start"],
                    found["end"],
                    found["code"],
                    found["score"],
                    strict=True,
                )
            ),
            coder=SUGGESTION_PREFIX + model.strip(),
        )

    def evaluate(
        self,
        project: Project,
        *,
        coder: str | None = None,
        documents: Sequence[Any] | None = None,
        unit: str | None = None,
        test_size: float = 0.25,
    ) -> dict[str, Any]:
        """Precision@1, precision@3 and recall@3 on held-out coded units (a seeded share
        `test_size` of the units that carry a code; a model with these settings is fitted on
        the rest and uncoded units, this object is left as it was).

        Never fails on a small or lopsided set: `units_scored` says how many held-out units
        were scored, `units_skipped` how many were not, and `note` why (the metrics are NaN
        when none was scored)."""
        coder = coder or getattr(self, "coder_", "consensus")
        unit = unit or getattr(self, "unit_", "sentence")
        try:
            units, labels = self._training_data(project, coder, documents, unit)
        except NoCodingsError as exc:
            return no_scores(f"nothing to score: {exc}")
        rows = np.arange(len(units))
        coded = rows[[bool(s) for s in labels]]
        uncoded = len(units) - len(coded)
        if len(coded) < 2:
            return no_scores(
                f"{len(coded)} coded unit(s) by {coder!r}: need two or more to hold one out",
                skipped=len(coded),
                uncoded=uncoded,
            )
        held_n = min(len(coded) - 1, max(1, round(test_size * len(coded))))
        shuffled = np.random.default_rng(self.seed).permutation(coded)
        test = shuffled[:held_n]
        train = np.concatenate([shuffled[held_n:], rows[~np.isin(rows, coded)]])
        texts = units["text"].tolist()
        held = self._unfitted_copy()
        vectors = held._vectors(project, texts)
        try:
            held._fit_arrays(
                [texts[i] for i in train],
                None if vectors is None else vectors[train],
                [labels[i] for i in train],
                coder=coder,
            )
        except NoCodingsError as exc:
            return no_scores(f"in the training part: {exc}", skipped=len(test), uncoded=uncoded)
        if len(held.codes_) < 2:
            others = ", ".join(map(repr, held.skipped_codes_)) or "none"
            return no_scores(
                f"cannot evaluate suggestions with one code: only {held.codes_[0]!r} has "
                f"{self.min_examples} or more units coded by {coder!r} in the training part "
                f"(other codes: {others}), and precision and recall rank codes against each "
                "other; code more units with a second code, or lower min_examples",
                skipped=len(test),
                uncoded=uncoded,
            )
        learned = set(held.codes_)
        scored = [i for i in test if labels[i] & learned]
        scores = held.predict_proba(
            [texts[i] for i in scored], None if vectors is None else vectors[scored]
        )
        result = rank_metrics(scores, held.codes_, [labels[i] for i in scored])
        skipped = len(test) - len(scored)
        note = (
            f"{skipped} held-out unit(s) skipped: their codes have fewer than "
            f"{self.min_examples} units in the training part"
            if skipped
            else ""
        )
        return {
            **result,
            "units_skipped": skipped,
            "units_uncoded": uncoded,
            "codes": len(held.codes_),
            "method": str(held.choice_),
            "note": note,
        }

    def _unfitted_copy(self) -> CodeSuggester:
        return CodeSuggester(
            embedder=self.embedder,
            method=self.method,
            seed=self.seed,
            min_examples=self.min_examples,
            C=self.C,
            cv=self.cv,
            include_interviewer=self.include_interviewer,
        )
