"""How good a ranking of codes is on units a person coded: the figures `evaluate` reports.

precision@1: share of units whose top code is one of theirs; precision@3: mean share of the
top three that are theirs (at most 1/3 for a unit with one code: compare methods, not with 1);
recall@3: mean share of a unit's codes found among its top three.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

TOP = 3


def rank_metrics(
    scores: np.ndarray, codes: Sequence[str], truths: Sequence[set[str]]
) -> dict[str, Any]:
    """The three figures over units (rows of `scores`, columns `codes`) with their true codes;
    NaN when there is no unit."""
    if not len(truths):
        return no_scores("")
    order = np.argsort(-scores, axis=1, kind="stable")[:, :TOP]
    p1 = p3 = r3 = 0.0
    for row, truth in zip(order, truths, strict=True):
        top = [codes[j] for j in row]
        hits = len(set(top) & truth)
        p1 += top[0] in truth
        p3 += hits / TOP
        r3 += hits / len(truth)
    n = len(truths)
    return {
        "precision@1": p1 / n,
        "precision@3": p3 / n,
        "recall@3": r3 / n,
        "units_scored": n,
        "test_units": n,  # the older name of units_scored
    }


def no_scores(note: str, *, skipped: int = 0, uncoded: int = 0) -> dict[str, Any]:
    """An evaluation that scored nothing, and why."""
    nan = float("nan")
    return {
        "precision@1": nan,
        "precision@3": nan,
        "recall@3": nan,
        "units_scored": 0,
        "test_units": 0,
        "units_skipped": skipped,
        "units_uncoded": uncoded,
        "codes": 0,
        "method": "",
        "note": note,
    }
