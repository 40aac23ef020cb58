"""Confidence in Krippendorff's alpha: a bootstrap interval and the chance alpha is too low.

Pure statistics on any coders x units data, as in `qualcode.coding.statistics`; one matrix
product per block of resamples rather than a loop over them.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from qualcode.coding.statistics import (
    MAX_PAIRWISE_VALUES,
    AgreementError,
    check_level,
    is_number,
    reliability_codes,
    squared_distances,
    value_counts,
)

__all__ = [
    "MINIMUMS",
    "BootstrapAlpha",
    "alpha_in_words",
    "bootstrap_alpha",
    "bootstrap_presence",
    "check_bootstrap",
]

MINIMUMS = (0.667, 0.800)
# Above this many cells a unit's statistics (units x columns) are refused rather than built.
_MAX_STAT_CELLS = 50_000_000
# Resample indices are drawn and counted in blocks of about this many cells.
_BLOCK_CELLS = 2_000_000


@dataclass(frozen=True)
class BootstrapAlpha:
    """Krippendorff's alpha with a bootstrap confidence interval (see `bootstrap_alpha`).

    `p_below` maps each minimum (e.g. 0.667, 0.800) to the share of resamples whose alpha fell
    below it: Krippendorff's "probability q of failing to reach the smallest acceptable alpha".
    `undefined` counts resamples without variation (alpha undefined), left out of the interval
    and of `p_below`. `replicates` holds every resample's alpha (NaN where undefined).
    """

    alpha: float
    low: float
    high: float
    confidence: float
    p_below: dict[float, float]
    n_resamples: int
    units: int
    undefined: int = 0
    replicates: np.ndarray = field(default_factory=lambda: np.zeros(0), repr=False, compare=False)

    def __float__(self) -> float:
        return self.alpha

    def __str__(self) -> str:
        return alpha_in_words(self.alpha, self.low, self.high, self.p_below, self.confidence)


def alpha_in_words(
    alpha: float,
    low: float,
    high: float,
    p_below: dict[float, float] | None = None,
    confidence: float = 0.95,
) -> str:
    """One plain sentence for a report: alpha, its interval, and the chance it is too low."""
    if math.isnan(alpha):
        return "alpha is undefined: every coder gave every unit the same answer"
    text = f"alpha = {alpha:.3f}"
    if math.isnan(low):
        return text + " (no interval: the resamples had no variation)"
    text += f"; with {confidence:.0%} confidence it lies between {low:.3f} and {high:.3f}"
    chances = [
        f"{_percent(p)} that it is below {m:.3f}"
        for m, p in sorted((p_below or {}).items())
        if not math.isnan(p)
    ]
    return text + ("; the chance is " + " and ".join(chances) if chances else "")


def _percent(p: float) -> str:
    """A resampled chance as a reader should take it: never a certain 0% or 100% from 1,000
    resamples, only under 1% or over 99%."""
    if p < 0.01:
        return "under 1%"
    if p > 0.99:
        return "over 99%"
    return f"{100 * p:.0f}%"


def _unit_stats(codes: np.ndarray, values: np.ndarray, level: str) -> np.ndarray:
    """Each unit's additive share of alpha's sums: units x columns (see `_alpha_from_sums`).

    Alpha depends on the data only through sums over units (n, the observed disagreement and
    the value margins n_c, or for ordinal data the coincidence matrix), so a resample's alpha
    is the same sums weighted by how often each unit was drawn. Units with fewer than two
    values are rows of zeros.
    """
    n_values = len(values)
    counts, m = value_counts(codes, n_values)
    if not isinstance(counts, np.ndarray):
        raise AgreementError(
            f"the bootstrap needs units x values counts in memory; {codes.shape[1]} units x "
            f"{n_values} values is too many: round or bin the values"
        )
    pairable = m >= 2
    counts[~pairable] = 0.0
    m = np.where(pairable, m, 0.0)
    w = np.zeros_like(m)
    w[pairable] = 1.0 / (m[pairable] - 1.0)
    if level == "nominal":
        observed = (m * m - np.einsum("uc,uc->u", counts, counts)) * w
        return np.column_stack([m, observed, counts])
    if level == "interval":
        v = values.astype(np.float64) - float(values[int(np.argmax(counts.sum(axis=0)))])
        s1, s2 = counts @ v, counts @ (v * v)
        return np.column_stack([m, 2.0 * w * (m * s2 - s1 * s1), s1, s2])
    if n_values > MAX_PAIRWISE_VALUES:
        raise AgreementError(
            f"{level} alpha compares every pair of values, and the data have {n_values} "
            f"different values (at most {MAX_PAIRWISE_VALUES}); round or bin them"
        )
    if level == "ratio":
        delta = squared_distances("ratio", values, counts.sum(axis=0))
        observed = np.einsum("uc,uc->u", counts @ delta, counts) * w
        return np.column_stack([m, observed, counts])
    if codes.shape[1] * n_values * n_values > _MAX_STAT_CELLS:
        raise AgreementError(
            f"the ordinal bootstrap keeps a {n_values} x {n_values} table per unit, too much "
            f"for {codes.shape[1]} units; bin the values into fewer ordered categories"
        )
    pairs = np.einsum("uc,uk->uck", counts * w[:, None], counts)
    idx = np.arange(n_values)
    pairs[:, idx, idx] -= counts * w[:, None]
    return np.column_stack([m, counts, pairs.reshape(len(m), -1)])


def _alpha_from_sums(sums: np.ndarray, values: np.ndarray, level: str) -> np.ndarray:
    """Alpha for each row of summed unit statistics (NaN where undefined)."""
    n = sums[:, 0]
    n_values = len(values)
    if level == "nominal":
        n_c = sums[:, 2:]
        observed = sums[:, 1]
        expected = n * n - np.einsum("bc,bc->b", n_c, n_c)
    elif level == "interval":
        observed = sums[:, 1]
        expected = 2.0 * (n * sums[:, 3] - sums[:, 2] * sums[:, 2])
    elif level == "ratio":
        n_c = sums[:, 2:]
        observed = sums[:, 1]
        expected = np.einsum("bc,bc->b", n_c @ squared_distances("ratio", values, n_c[0]), n_c)
    else:
        n_c = sums[:, 1 : 1 + n_values]
        o = sums[:, 1 + n_values :].reshape(-1, n_values, n_values)
        cum = np.cumsum(n_c, axis=1)
        d = cum[:, None, :] - cum[:, :, None] + (n_c[:, :, None] - n_c[:, None, :]) / 2.0
        d *= d
        observed = np.einsum("bck,bck->b", o, d)
        expected = np.einsum("bc,bck,bk->b", n_c, d, n_c)
    with np.errstate(divide="ignore", invalid="ignore"):
        alpha = 1.0 - (n - 1.0) * observed / expected
    return np.where((expected > 1e-12 * np.maximum(n * n, 1.0)) & (n > 0), alpha, np.nan)


def _resample_counts(rng: np.random.Generator, n_units: int, n_resamples: int) -> Iterable[Any]:
    """Blocks of resamples x units: how often each unit was drawn (n_units draws with
    replacement per resample). The indices are drawn in this order and no other, so a slow
    reference can replay them (`_resample_indices`)."""
    for idx in _resample_indices(rng, n_units, n_resamples):
        k = idx.shape[0]
        flat = idx + (np.arange(k, dtype=np.int64) * n_units)[:, None]
        yield np.bincount(flat.ravel(), minlength=k * n_units).reshape(k, n_units)


def _resample_indices(rng: np.random.Generator, n_units: int, n_resamples: int) -> Iterable[Any]:
    """The drawn unit indices, a block of resamples at a time."""
    block = max(1, _BLOCK_CELLS // max(n_units, 1))
    for first in range(0, n_resamples, block):
        k = min(block, n_resamples - first)
        yield rng.integers(0, n_units, size=(k, n_units))


def _bootstrap_sums(
    stats: np.ndarray, n_resamples: int, seed: int | np.random.Generator | None
) -> np.ndarray:
    """Resamples x columns: the unit statistics summed over each resample of the units."""
    rng = np.random.default_rng(seed)
    out = np.empty((n_resamples, stats.shape[1]))
    at = 0
    for weights in _resample_counts(rng, stats.shape[0], n_resamples):
        out[at : at + len(weights)] = weights.astype(np.float64) @ stats
        at += len(weights)
    return out


def _summarise(
    alpha: float,
    replicates: np.ndarray,
    *,
    confidence: float,
    minimums: Sequence[float],
    units: int,
) -> BootstrapAlpha:
    """Percentile interval and p_below from the resamples' alphas."""
    defined = replicates[~np.isnan(replicates)]
    if math.isnan(alpha) or defined.size == 0:
        low = high = math.nan
        p_below = {float(x): math.nan for x in minimums}
    else:
        tail = (1.0 - confidence) / 2.0
        low, high = (float(x) for x in np.quantile(defined, [tail, 1.0 - tail]))
        p_below = {float(x): float(np.mean(defined < x)) for x in minimums}
    return BootstrapAlpha(
        alpha=alpha,
        low=low,
        high=high,
        confidence=confidence,
        p_below=p_below,
        n_resamples=len(replicates),
        units=units,
        undefined=int(len(replicates) - defined.size),
        replicates=replicates,
    )


def check_bootstrap(n_resamples: int, confidence: float, minimums: Sequence[float]) -> None:
    """The bootstrap's options, or a clear error: a count of resamples, a share, alphas."""
    if isinstance(n_resamples, bool) or not isinstance(n_resamples, int | np.integer):
        raise AgreementError(f"n_resamples is a whole number such as 1000, got {n_resamples!r}")
    if n_resamples < 1:
        raise AgreementError(f"n_resamples must be 1 or more (1000 is usual), got {n_resamples}")
    if not (isinstance(confidence, float | int) and 0 < confidence < 1):
        raise AgreementError(
            f"confidence is a share between 0 and 1 such as 0.95, got {confidence!r}"
        )
    if isinstance(minimums, str | float | int) or not all(is_number(x) for x in minimums):
        raise AgreementError(f"minimums is a list of alphas such as (0.667, 0.8), got {minimums!r}")


def bootstrap_alpha(
    data: Any,
    level: str = "nominal",
    *,
    n_resamples: int = 1000,
    seed: int | np.random.Generator | None = 0,
    confidence: float = 0.95,
    minimums: Sequence[float] = MINIMUMS,
    value_domain: Sequence[Any] | None = None,
) -> BootstrapAlpha:
    """Krippendorff's alpha with a bootstrap confidence interval and the chance it is too low.

    Krippendorff (2004, Content Analysis, 2nd ed., section 11.4.2; 2011, "Computing
    Krippendorff's Alpha-Reliability") recommends reporting, besides alpha, a confidence
    interval and the probability q that alpha falls below the smallest acceptable value
    (0.800 for firm conclusions, 0.667 for tentative ones); Hayes & Krippendorff (2007,
    Communication Methods and Measures 1(1)) give a bootstrap for it. Their bootstrap
    resamples pairable values; this one resamples units (columns of the coders x units data,
    with replacement, among the units that have two or more values), as a cluster bootstrap:
    a unit's values stay together, which respects that they were judged together.

    Each resample's alpha is the same sums as alpha's (n, observed disagreement, margins or,
    for ordinal data, the coincidence matrix), weighted by how often each unit was drawn:
    one matrix product per block of resamples, not a loop. The interval is the percentile
    interval of the resamples' alphas; `p_below[m]` is the share of resamples below `m`.
    Resamples without variation (alpha undefined) are left out and counted in `undefined`.
    When alpha itself is undefined (every value the same) low, high and p_below are NaN.
    The same data and seed give the same result.
    """
    check_level(level)
    check_bootstrap(n_resamples, confidence, minimums)
    codes, values = reliability_codes(data, level, value_domain=value_domain)
    if len(values) == 0:
        raise AgreementError(
            "no unit has values from two or more coders, so nothing can be compared"
        )
    stats = _unit_stats(codes, values, level)
    stats = stats[stats[:, 0] > 0]
    if len(stats) == 0:
        raise AgreementError(
            "no unit has values from two or more coders, so nothing can be compared"
        )
    alpha = float(_alpha_from_sums(stats.sum(axis=0)[None, :], values, level)[0])
    replicates = _alpha_from_sums(_bootstrap_sums(stats, n_resamples, seed), values, level)
    return _summarise(alpha, replicates, confidence=confidence, minimums=minimums, units=len(stats))


def bootstrap_presence(
    tables: Sequence[np.ndarray],
    *,
    pooled: bool,
    n_resamples: int,
    seed: int | np.random.Generator | None,
    confidence: float,
    minimums: Sequence[float],
) -> list[BootstrapAlpha]:
    """Bootstrap nominal alpha for coders x units 0/1 tables (NaN = not coded) of the same
    units, all on the same resamples of those units, so their intervals are comparable. With
    `pooled`, one more result for every table's decisions together: a resampled unit brings
    its answers on every code with it (a cluster bootstrap, as the decisions on one sentence
    are not independent)."""
    values = np.array([0.0, 1.0])
    stats = [
        _unit_stats(np.where(np.isnan(t), -1, t).astype(np.int64), values, "nominal")
        for t in tables
    ]
    if pooled:
        stats.append(np.sum(stats, axis=0))
    width = stats[0].shape[1]
    stacked = np.hstack(stats)
    stacked = stacked[stacked[:, 0::width].sum(axis=1) > 0]  # units no two coders coded drop
    sums = (
        _bootstrap_sums(stacked, n_resamples, seed)
        if len(stacked)
        else np.zeros((n_resamples, stacked.shape[1]))
    )
    out = []
    for i in range(len(stats)):
        part = slice(i * width, (i + 1) * width)
        total = stacked[:, part].sum(axis=0)[None, :]
        out.append(
            _summarise(
                float(_alpha_from_sums(total, values, "nominal")[0]),
                _alpha_from_sums(sums[:, part], values, "nominal"),
                confidence=confidence,
                minimums=minimums,
                units=len(stacked),
            )
        )
    return out
