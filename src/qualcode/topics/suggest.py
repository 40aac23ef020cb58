"""CodeSuggester: learns a coder's codes from the units their codings cover, proposes codes
for other units with calibrated scores, and never applies them.

A unit is labelled with every code whose coding covers at least half of the unit or at least
half of the coding (a short coded phrase inside a long turn still counts). Uncoded units of
coded documents are negatives for every code. The classifier is one-vs-rest logistic
regression on the (cached) embeddings, each calibrated by cross-validation (Platt scaling),
so a score of 0.8 means roughly "right 8 times in 10" on the coder's own data.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from qualcode.topics.embed import EmbeddingCache, embed_texts, get_embedder
from qualcode.topics.errors import NoCodingsError, NotFittedError, TopicsError
from qualcode.topics.proposals import Proposed, propose_codings
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

    >>> s = CodeSuggester(embedder="tfidf").fit(p, coder="consensus")
    >>> s.suggest(p, documents=[doc])   # document_id, start, end, code, score; best first
    """

    def __init__(
        self,
        *,
        embedder: Any = "minilm",
        seed: int = 0,
        min_examples: int = 5,
        C: float = 1.0,
        cv: int = 3,
        include_interviewer: bool = False,
    ) -> None:
        self.embedder = embedder
        self.seed = seed
        self.min_examples = min_examples
        self.C = C
        self.cv = cv
        self.include_interviewer = include_interviewer

    def __repr__(self) -> str:
        if not hasattr(self, "codes_"):
            return f"<CodeSuggester embedder={self.embedder!r}>"
        return (
            f"<CodeSuggester {len(self.codes_)} codes learned from {self.n_units_} "
            f"{self.unit_}s coded by {self.coder_}>"
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

    def fit(
        self,
        project: Project,
        *,
        coder: str = "consensus",
        documents: Sequence[Any] | None = None,
        unit: str = "sentence",
    ) -> CodeSuggester:
        """Learn the codes `coder` applied to units of the documents they coded."""
        units, labels = self._training_data(project, coder, documents, unit)
        embedder = get_embedder(self.embedder, seed=self.seed)
        X = embed_texts(units["text"].tolist(), embedder, EmbeddingCache.for_project(project))
        self._fit_arrays(X, labels, coder=coder)
        self.embedder_ = embedder
        self.unit_ = unit
        self.coder_ = coder
        self.n_units_ = len(units)
        return self

    def _fit_arrays(self, X: np.ndarray, labels: list[set[str]], *, coder: str) -> None:
        from sklearn.calibration import CalibratedClassifierCV
        from sklearn.linear_model import LogisticRegression
        from sklearn.multiclass import OneVsRestClassifier
        from sklearn.preprocessing import MultiLabelBinarizer

        counts = pd.Series([c for s in labels for c in s]).value_counts()
        kept = sorted(counts[counts >= self.min_examples].index)
        self.skipped_codes_ = sorted(set(counts.index) - set(kept))
        if not kept:
            raise NoCodingsError(
                f"no code has {self.min_examples} or more units coded by {coder!r} yet "
                f"(most: {counts.max() if len(counts) else 0}); code more, or lower min_examples"
            )
        binarizer = MultiLabelBinarizer(classes=kept)
        Y = binarizer.fit_transform([s & set(kept) for s in labels])
        negatives = int((Y == 0).all(axis=1).sum())
        if len(kept) == 1 and negatives < self.min_examples:
            raise NoCodingsError(
                f"{coder!r} used one code on every unit; suggestions need units without it too"
            )
        base = LogisticRegression(C=self.C, class_weight="balanced", max_iter=2000)
        folds = max(2, min(self.cv, int(counts[kept].min()), max(negatives, 2)))
        self.classifier_ = OneVsRestClassifier(
            CalibratedClassifierCV(base, cv=folds, method="sigmoid")
        ).fit(X, Y)
        self.codes_ = kept
        self.code_counts_ = counts[kept].to_dict()

    def _check_fitted(self) -> None:
        if not hasattr(self, "classifier_"):
            raise NotFittedError("this CodeSuggester is not fitted yet: call .fit(project, ...)")

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """Calibrated scores, one column per code in `codes_`."""
        self._check_fitted()
        scores = np.asarray(self.classifier_.predict_proba(X))
        if len(self.codes_) == 1 and scores.shape[1] == 2:  # one code is fitted as binary:
            return scores[:, 1:]  # its columns are (without the code, with it)
        return scores

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
        X = embed_texts(units["text"].tolist(), self.embedder_, EmbeddingCache.for_project(project))
        scores = self.predict_proba(X)
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
    ) -> dict[str, float]:
        """Precision@1, precision@3 and recall@3 on held-out coded units (a seeded split of
        units that carry at least one code; the model is refitted on the rest, this object is
        left as it was)."""
        from sklearn.model_selection import train_test_split

        coder = coder or getattr(self, "coder_", "consensus")
        unit = unit or getattr(self, "unit_", "sentence")
        units, labels = self._training_data(project, coder, documents, unit)
        embedder = get_embedder(self.embedder, seed=self.seed)
        X = embed_texts(units["text"].tolist(), embedder, EmbeddingCache.for_project(project))
        rows = np.arange(len(units))
        coded = np.array([bool(s) for s in labels])
        train, test = train_test_split(
            rows[coded], test_size=test_size, random_state=self.seed, shuffle=True
        )
        train = np.concatenate([train, rows[~coded]])  # uncoded units only ever train
        held = CodeSuggester(
            embedder=embedder,
            seed=self.seed,
            min_examples=self.min_examples,
            C=self.C,
            cv=self.cv,
            include_interviewer=self.include_interviewer,
        )
        held._fit_arrays(X[train], [labels[i] for i in train], coder=coder)
        if len(held.codes_) < 2:
            others = ", ".join(map(repr, held.skipped_codes_)) or "none"
            raise NoCodingsError(
                f"cannot evaluate suggestions with one code: only {held.codes_[0]!r} has "
                f"{self.min_examples} or more units coded by {coder!r} in the training part "
                f"(other codes: {others}), and precision and recall rank codes against each "
                "other; code more units with a second code, or lower min_examples"
            )
        scores = held.predict_proba(X[test])
        order = np.argsort(-scores, axis=1, kind="stable")
        p1 = p3 = r3 = 0.0
        for row, i in zip(order, test, strict=True):
            truth = labels[i]
            top = [held.codes_[j] for j in row[:3]]
            p1 += top[0] in truth
            p3 += len(set(top) & truth) / 3
            r3 += len(set(top) & truth) / len(truth)
        n = max(len(test), 1)
        return {
            "precision@1": p1 / n,
            "precision@3": p3 / n,
            "recall@3": r3 / n,
            "test_units": float(len(test)),
            "codes": float(len(held.codes_)),
        }
