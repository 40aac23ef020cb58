"""Inter-coder agreement: how far independent coders agree, in statistics evaluators can cite.

Two layers:

- plain functions on any data (lists, numpy arrays): `krippendorff_alpha`, `cohen_kappa`,
  `fleiss_kappa`, `percent_agreement` for units that each coder classified, and
  `unitizing_alpha`, `overlap_agreement` for free spans on a continuum (a text);
- per project: `agreement_table` (is each code present in each sentence, turn or paragraph?)
  and `span_agreement` (do the coded spans themselves line up?).

Every statistic that is undefined for the data (for example alpha when every coder gave every
unit the same answer: there is no variation to agree on) is returned as NaN and, in the
per-project tables, explained in the `note` column; it is never silently replaced by 0 or 1.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from qualcode.errors import QualcodeError
from qualcode.store.documents import document_span

if TYPE_CHECKING:
    from qualcode.model import DocumentRef
    from qualcode.project import Project

__all__ = [
    "LEVELS",
    "MINIMUMS",
    "PEOPLE",
    "AgreementError",
    "BootstrapAlpha",
    "UnitizingAlpha",
    "agreement_in_words",
    "agreement_table",
    "alpha_in_words",
    "bootstrap_alpha",
    "cohen_kappa",
    "fleiss_kappa",
    "krippendorff_alpha",
    "model_agreement",
    "overlap_agreement",
    "percent_agreement",
    "span_agreement",
    "unitizing_alpha",
]

LEVELS = ("nominal", "ordinal", "interval", "ratio")
ALL_CODES = "(all codes)"

# Above this many unit x value cells the value counts are kept in a sparse matrix.
_MAX_DENSE_CELLS = 50_000_000
# Ordinal and ratio alpha need a values x values matrix; beyond this it would not fit.
_MAX_PAIRWISE_VALUES = 2_000


class AgreementError(QualcodeError):
    """Agreement cannot be computed from the data or the arguments given."""


# ------------------------------------------------------------------------------------------
# reliability data: coders x units
# ------------------------------------------------------------------------------------------


def _matrix(data: Any, what: str = "reliability data") -> np.ndarray:
    """`data` as a 2-D array with one row per coder, or a clear error."""
    if isinstance(data, pd.DataFrame):
        data = data.to_numpy()
    try:
        arr = np.asarray(data)
    except ValueError as exc:  # ragged rows
        raise AgreementError(
            f"{what} must have one row per coder and the same number of units in every row "
            "(use None for a unit a coder did not code)"
        ) from exc
    if arr.ndim != 2:
        raise AgreementError(
            f"{what} must be a table with one row per coder and one column per unit; "
            f"got {arr.ndim} dimension(s)"
        )
    if arr.shape[0] < 2:
        raise AgreementError(
            f"agreement needs at least two coders; {what} has {arr.shape[0]} row(s)"
        )
    if arr.shape[1] == 0:
        raise AgreementError(f"{what} is empty: there are no units to compare")
    return arr


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float | np.integer | np.floating | np.bool_)


def _encode(
    arr: np.ndarray, *, numeric: bool, value_domain: Sequence[Any] | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """(codes, values): each cell as an index into `values` (-1 where missing).

    `values` is sorted when the data are numbers, and in the order of `value_domain` when
    given (that order is what ordinal alpha uses).
    """
    kind = arr.dtype.kind
    if value_domain is None and kind in "biuf":
        fast = _whole_number_codes(arr)
        if fast is not None:
            return fast
    if kind in "biu":
        missing = None
        present = arr.ravel()
    elif kind == "f":
        missing = np.isnan(arr)
        present = arr[~missing]
    elif kind in "OUS":
        missing = np.asarray(pd.isna(arr), dtype=bool) if kind == "O" else None
        present = arr[~missing] if missing is not None else arr.ravel()
    else:
        raise AgreementError(f"values of type {arr.dtype} cannot be compared; use labels")

    if value_domain is not None:
        domain = pd.Index(list(value_domain))
        if not domain.is_unique or len(domain) == 0:
            raise AgreementError("value_domain must list each possible value once")
        codes_present = domain.get_indexer(present)
        if (codes_present < 0).any():
            bad = present[codes_present < 0][0]
            raise AgreementError(
                f"value {bad!r} is not in value_domain ({', '.join(map(repr, domain[:10]))})"
            )
        values = np.asarray(domain)
        if numeric and not all(_is_number(v) for v in values):
            raise AgreementError("interval and ratio alpha need numbers in value_domain")
    elif kind in "biuf" or (kind == "O" and all(_is_number(v) for v in present)):
        numbers = present.astype(np.float64, copy=False)
        codes_present, values = _number_codes(numbers)
    elif numeric:
        raise AgreementError(
            "this level of measurement needs numbers; for ordered labels such as "
            "'low', 'medium', 'high' pass value_domain=[...] in their order"
        )
    else:
        try:
            codes_present, uniques = pd.factorize(present, sort=True)
        except TypeError:  # labels of mixed types cannot be sorted
            codes_present, uniques = pd.factorize(present, sort=False)
        values = np.asarray(uniques, dtype=object)

    codes_present = np.asarray(codes_present, dtype=np.int64)
    if missing is None:
        codes = codes_present.reshape(arr.shape)
    else:
        codes = np.full(arr.shape, -1, dtype=np.int64)
        codes[~missing] = codes_present
    return codes, values


def _number_codes(numbers: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sorted distinct values and each number's index; O(n) for small whole numbers."""
    if numbers.size == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0)
    low, high = float(numbers.min()), float(numbers.max())
    if high - low < 1_000_000 and np.array_equal(numbers, np.floor(numbers)):
        offset = (numbers - low).astype(np.int64)
        seen = np.bincount(offset, minlength=int(high - low) + 1) > 0
        index = np.cumsum(seen) - 1
        return index[offset], low + np.flatnonzero(seen).astype(np.float64)
    values, codes = np.unique(numbers, return_inverse=True)
    return codes.ravel(), values


def _whole_number_codes(arr: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """Codes for whole numbers in a small range, by offset rather than sorting (labels 0..k).

    One pass per step over the array: this is what keeps alpha on 10 million values fast.
    Returns None when the numbers are not whole or span too wide a range.
    """
    if arr.dtype.kind == "f":
        missing = np.isnan(arr)
        if missing.all():
            return None
        low, high = float(np.nanmin(arr)), float(np.nanmax(arr))
        if not (math.isfinite(low) and math.isfinite(high)) or high - low >= 1_000_000:
            return None
        if not np.all((arr == np.floor(arr)) | missing):
            return None
        raw = np.where(missing, -1.0, arr - low).astype(np.int64)
    else:
        if arr.size == 0:
            return None
        low, high = int(arr.min()), int(arr.max())
        if high - low >= 1_000_000:
            return None
        raw = (arr.astype(np.int64) - low) if arr.dtype.kind != "b" else arr.astype(np.int64)
        low = 0 if arr.dtype.kind == "b" else low
    span = int(high - low) + 1
    seen = np.bincount((raw + 1).ravel(), minlength=span + 1)[1:] > 0
    values = low + np.flatnonzero(seen).astype(np.float64)
    if not seen.all():
        lookup = np.concatenate([[-1], np.cumsum(seen) - 1])
        raw = lookup[raw + 1]
    return raw, values


def _value_counts(codes: np.ndarray, n_values: int) -> tuple[Any, np.ndarray]:
    """(units x values counts of how many coders gave each value, values per unit).

    Dense float64 when it fits, else a scipy sparse matrix.
    """
    n_coders, n_units = codes.shape
    if n_units * (n_values + 1) <= _MAX_DENSE_CELLS:
        width = n_values + 1  # column 0 counts missing cells, then is dropped
        base = np.arange(n_units, dtype=np.int64) * width + 1
        index = codes + base
        full = np.bincount(index.ravel(), minlength=n_units * width).reshape(n_units, width)
        m = (n_coders - full[:, 0]).astype(np.float64)
        return np.ascontiguousarray(full[:, 1:], dtype=np.float64), m
    from scipy import sparse

    rows, cols = np.nonzero(codes >= 0)
    keys = cols.astype(np.int64) * n_values + codes[rows, cols]
    keys, counts = np.unique(keys, return_counts=True)
    matrix = sparse.csr_matrix(
        (counts.astype(np.float64), (keys // n_values, keys % n_values)),
        shape=(n_units, n_values),
    )
    return matrix, np.asarray(matrix.sum(axis=1)).ravel()


def _alpha(codes: np.ndarray, values: np.ndarray, level: str) -> tuple[float, int]:
    """(alpha, number of pairable values) from encoded data; alpha is NaN when undefined."""
    n_values = len(values)
    if n_values == 0:
        return math.nan, 0
    counts, m = _value_counts(codes, n_values)
    dense = isinstance(counts, np.ndarray)
    pairable = m >= 2
    n = float(m[pairable].sum())
    if n == 0:
        return math.nan, 0
    w = np.zeros_like(m)
    w[pairable] = 1.0 / (m[pairable] - 1.0)
    n_c = np.asarray(counts.T @ pairable.astype(np.float64)).ravel()

    if level == "nominal":
        # o_cc = sum_u (n_uc (n_uc - 1)) / (m_u - 1); only the diagonal is needed
        pairs_same = counts * (counts - 1) if dense else counts.multiply(counts) - counts
        same = pairs_same.T @ w
        observed = n - float(np.sum(same))
        expected = n * n - float(np.sum(n_c * n_c))
    elif level == "interval":
        # sum over pairs of (c - k)^2 from per-unit sums of values and squares: O(n)
        v = values.astype(np.float64) - float(values[int(np.argmax(n_c))])
        s1 = np.asarray(counts @ v).ravel()
        s2 = np.asarray(counts @ (v * v)).ravel()
        observed = float(np.sum(w * 2.0 * (m * s2 - s1 * s1)))
        t1, t2 = float(n_c @ v), float(n_c @ (v * v))
        expected = 2.0 * (n * t2 - t1 * t1)
    else:
        if n_values > _MAX_PAIRWISE_VALUES:
            raise AgreementError(
                f"{level} alpha compares every pair of values, and the data have {n_values} "
                f"different values (at most {_MAX_PAIRWISE_VALUES}); round or bin them"
            )
        if dense:
            weighted = counts * w[:, None]
            o = counts.T @ weighted - np.diag(weighted.sum(axis=0))
        else:
            weighted = counts.multiply(w[:, None]).tocsr()
            o = (counts.T @ weighted).toarray() - np.diag(np.asarray(weighted.sum(axis=0)).ravel())
        delta = _delta(level, values, n_c)
        observed = float(np.sum(o * delta))
        expected = float(np.sum(np.outer(n_c, n_c) * delta))
    if expected <= 0:
        return math.nan, int(n)
    return 1.0 - (n - 1.0) * observed / expected, int(n)


def _delta(level: str, values: np.ndarray, n_c: np.ndarray) -> np.ndarray:
    """Squared distances between values (Krippendorff 2011, section E)."""
    if level == "ordinal":
        cum = np.cumsum(n_c)
        # sum_{g=c}^{k} n_g - (n_c + n_k)/2 for c <= k, symmetric
        d = cum[None, :] - cum[:, None] + (n_c[:, None] - n_c[None, :]) / 2.0
        return d * d
    v = values.astype(np.float64)
    diff = v[:, None] - v[None, :]
    if level == "interval":
        return diff * diff
    total = v[:, None] + v[None, :]
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(total == 0, 0.0, diff / total)
    return ratio * ratio


def _check_level(level: str) -> str:
    if level not in LEVELS:
        raise AgreementError(
            f"level {level!r} is not a level of measurement; use one of {', '.join(LEVELS)}"
        )
    return level


def krippendorff_alpha(
    data: Any, level: str = "nominal", *, value_domain: Sequence[Any] | None = None
) -> float:
    """Krippendorff's alpha for coders x units data; None or NaN marks a missing value.

    Follows the coincidence-matrix definition in Krippendorff (2011), "Computing
    Krippendorff's Alpha-Reliability" (Annenberg School for Communication, Departmental Papers
    43): alpha = 1 - (n - 1) * sum_ck o_ck d2_ck / sum_ck n_c n_k d2_ck, with o_ck the
    coincidences within units weighted by 1 / (m_u - 1), n_c their margins and d2 the
    nominal, ordinal, interval or ratio distance of section E. Units with fewer than two
    values are not pairable and drop out.

    Labels may be any hashable values for nominal data; the other levels need numbers, or
    ordered labels listed in order as `value_domain`. Returns NaN when alpha is undefined:
    every pairable value is the same, so there is no variation to agree on. Vectorised:
    1,000,000 units x 10 coders take well under a second.
    """
    _check_level(level)
    arr = _matrix(data)
    codes, values = _encode(arr, numeric=level in ("interval", "ratio"), value_domain=value_domain)
    if level == "ordinal" and value_domain is None and values.dtype == object:
        raise AgreementError(
            "ordinal alpha needs numbers, or ordered labels passed as value_domain=[...]"
        )
    alpha, n = _alpha(codes, values, level)
    if n == 0:
        raise AgreementError(
            "no unit has values from two or more coders, so nothing can be compared"
        )
    return alpha


# ------------------------------------------------------------------------------------------
# confidence in alpha: the bootstrap
# ------------------------------------------------------------------------------------------

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


def agreement_in_words(table: pd.DataFrame) -> str:
    """The intervals of an `agreement_table` in plain words, one Markdown bullet per code."""
    if "alpha_low" not in table.columns:
        raise AgreementError("this table has no intervals; make it with bootstrap=1000 (not 0)")
    prefix = "p_alpha_below_"
    lines = []
    for row in table.to_dict("records"):
        p_below = {float(k[len(prefix) :]): row[k] for k in row if str(k).startswith(prefix)}
        words = alpha_in_words(
            row["krippendorff_alpha"],
            row["alpha_low"],
            row["alpha_high"],
            p_below,
            table.attrs.get("confidence", 0.95),
        )
        lines.append(f"- **{row['code']}**: {words}.")
    return "\n".join(lines)


def _unit_stats(codes: np.ndarray, values: np.ndarray, level: str) -> np.ndarray:
    """Each unit's additive share of alpha's sums: units x columns (see `_alpha_from_sums`).

    Alpha depends on the data only through sums over units (n, the observed disagreement and
    the value margins n_c, or for ordinal data the coincidence matrix), so a resample's alpha
    is the same sums weighted by how often each unit was drawn. Units with fewer than two
    values are rows of zeros.
    """
    n_values = len(values)
    counts, m = _value_counts(codes, n_values)
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
    if n_values > _MAX_PAIRWISE_VALUES:
        raise AgreementError(
            f"{level} alpha compares every pair of values, and the data have {n_values} "
            f"different values (at most {_MAX_PAIRWISE_VALUES}); round or bin them"
        )
    if level == "ratio":
        delta = _delta("ratio", values, counts.sum(axis=0))
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
        expected = np.einsum("bc,bc->b", n_c @ _delta("ratio", values, n_c[0]), n_c)
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


def _check_bootstrap(n_resamples: int, confidence: float, minimums: Sequence[float]) -> None:
    if isinstance(n_resamples, bool) or not isinstance(n_resamples, int | np.integer):
        raise AgreementError(f"n_resamples is a whole number such as 1000, got {n_resamples!r}")
    if n_resamples < 1:
        raise AgreementError(f"n_resamples must be 1 or more (1000 is usual), got {n_resamples}")
    if not (isinstance(confidence, float | int) and 0 < confidence < 1):
        raise AgreementError(
            f"confidence is a share between 0 and 1 such as 0.95, got {confidence!r}"
        )
    if isinstance(minimums, str | float | int) or not all(_is_number(x) for x in minimums):
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
    _check_level(level)
    _check_bootstrap(n_resamples, confidence, minimums)
    arr = _matrix(data)
    codes, values = _encode(arr, numeric=level in ("interval", "ratio"), value_domain=value_domain)
    if level == "ordinal" and value_domain is None and values.dtype == object:
        raise AgreementError(
            "ordinal alpha needs numbers, or ordered labels passed as value_domain=[...]"
        )
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


def percent_agreement(data: Any) -> float:
    """Percentage (0-100) of units on which every coder who coded the unit gave the same value.

    The plain "simple agreement" of the content-analysis literature (e.g. Krippendorff 2004,
    Content Analysis, 2nd ed., section 11.1 on %-agreement, which explains why it is not
    chance-corrected). Units with fewer than two values drop out, as for alpha.
    """
    arr = _matrix(data)
    codes, values = _encode(arr, numeric=False)
    present = codes >= 0
    pairable = present.sum(axis=0) >= 2
    if not pairable.any():
        raise AgreementError(
            "no unit has values from two or more coders, so nothing can be compared"
        )
    highest = codes.max(axis=0)
    lowest = np.where(present, codes, len(values)).min(axis=0)
    agree = (highest == lowest) & pairable
    return 100.0 * float(agree.sum()) / float(pairable.sum())


def cohen_kappa(a: Sequence[Any], b: Sequence[Any]) -> float:
    """Cohen's kappa for two coders' labels of the same units; pairs with a missing label drop.

    Cohen (1960), "A coefficient of agreement for nominal scales", Educational and
    Psychological Measurement 20(1): kappa = (p_o - p_e) / (1 - p_e), with p_e from each
    coder's own label frequencies (the same as scikit-learn's `cohen_kappa_score`). Returns
    NaN when p_e = 1 (both coders used one and the same label throughout: kappa is undefined).
    """
    a, b = list(a), list(b)
    if len(a) != len(b):
        raise AgreementError(
            f"the two coders' label lists differ in length ({len(a)} and {len(b)}); "
            "give one label per unit, None where a unit was not coded"
        )
    codes, values = _encode(_matrix([a, b], "labels"), numeric=False)
    keep = (codes >= 0).all(axis=0)
    if not keep.any():
        raise AgreementError("no unit has a label from both coders, so nothing can be compared")
    x, y = codes[0, keep], codes[1, keep]
    k = len(values)
    table = np.bincount(x * k + y, minlength=k * k).reshape(k, k) / float(keep.sum())
    p_o = float(np.trace(table))
    p_e = float(table.sum(axis=1) @ table.sum(axis=0))
    if 1.0 - p_e <= 1e-12:
        return math.nan
    return (p_o - p_e) / (1.0 - p_e)


def fleiss_kappa(counts: Any) -> float:
    """Fleiss' kappa from a units x categories table of how many coders chose each category.

    Fleiss (1971), "Measuring nominal scale agreement among many raters", Psychological
    Bulletin 76(5): kappa = (P - P_e) / (1 - P_e), with P the mean pairwise agreement per unit
    and P_e the sum of squared category proportions. Every unit must be rated by the same
    number (>= 2) of coders. Returns NaN when P_e = 1 (a single category used throughout).
    """
    try:
        table = np.asarray(counts, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise AgreementError(
            "the counts table must have one row per unit and one count per category in every row"
        ) from exc
    if table.ndim != 2 or table.size == 0:
        raise AgreementError(
            "the counts table must be a non-empty table: one row per unit, one column per category"
        )
    if np.isnan(table).any() or (table < 0).any():
        raise AgreementError("the counts table must hold non-negative counts, no missing cells")
    raters = table.sum(axis=1)
    n = float(raters[0])
    if not np.allclose(raters, n):
        raise AgreementError(
            "Fleiss' kappa needs the same number of coders for every unit; row totals range "
            f"from {raters.min():g} to {raters.max():g}"
        )
    if n < 2:
        raise AgreementError("Fleiss' kappa needs at least two coders per unit")
    p_j = table.sum(axis=0) / (table.shape[0] * n)
    p_i = ((table * table).sum(axis=1) - n) / (n * (n - 1.0))
    p_bar, p_e = float(p_i.mean()), float(np.sum(p_j * p_j))
    if 1.0 - p_e <= 1e-12:
        return math.nan
    return (p_bar - p_e) / (1.0 - p_e)


# ------------------------------------------------------------------------------------------
# spans on a continuum
# ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class UnitizingAlpha:
    """Krippendorff's unitizing alpha for one continuum: overall, per code, and |uα.

    `alpha` is uα over all codes, `per_code` is uα for each code alone, `binary` is |uα (any
    code versus none); NaN where undefined. See `unitizing_alpha` for the exact variant.
    """

    alpha: float
    per_code: dict[str, float]
    binary: float
    length: float
    coders: tuple[str, ...]

    def __float__(self) -> float:
        return self.alpha

    def as_dict(self) -> dict[str, Any]:
        return {"alpha": self.alpha, "binary": self.binary, "per_code": dict(self.per_code)}


@dataclass
class _Spans:
    start: np.ndarray  # float64
    end: np.ndarray
    coder: np.ndarray  # int64 index into coders
    code: np.ndarray  # int64 index into codes
    coders: tuple[str, ...]
    codes: tuple[str, ...]
    length: float


def _spans(spans: Iterable[Sequence[Any]], length: float, coders: Sequence[str] | None) -> _Spans:
    """Check and encode (start, end, coder, code) tuples on [0, length)."""
    if not isinstance(length, int | float | np.integer | np.floating) or not length > 0:
        raise AgreementError(f"the continuum length must be a positive number, got {length!r}")
    rows = list(spans)
    if not rows:
        raise AgreementError("there are no spans to compare: nobody coded anything")
    for row in rows:
        if len(row) != 4:
            raise AgreementError(f"a span is (start, end, coder, code), got {row!r}")
    frame = pd.DataFrame(rows, columns=["start", "end", "coder", "code"])
    try:
        start = frame["start"].to_numpy(dtype=np.float64)
        end = frame["end"].to_numpy(dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise AgreementError("span start and end must be numbers (character offsets)") from exc
    bad = ~((start >= 0) & (start < end) & (end <= length))
    if bad.any():
        row = rows[int(np.flatnonzero(bad)[0])]
        raise AgreementError(
            f"span {tuple(row)!r} is not inside the continuum [0, {length:g}) with start < end"
        )
    names = list(dict.fromkeys([*(coders or []), *frame["coder"]]))
    if coders is not None:
        extra = sorted(set(frame["coder"]) - set(coders), key=str)
        if extra:
            raise AgreementError(
                f"spans by {', '.join(map(str, extra))} but coders= names only "
                f"{', '.join(map(str, coders))}"
            )
    if len(names) < 2:
        raise AgreementError(
            f"agreement needs at least two coders; the spans come from {len(names)}: "
            f"{', '.join(map(str, names))} (pass coders=[...] to include coders who found nothing)"
        )
    code_names = list(dict.fromkeys(frame["code"]))
    return _Spans(
        start=start,
        end=end,
        coder=pd.Index(names).get_indexer(frame["coder"]).astype(np.int64),
        code=pd.Index(code_names).get_indexer(frame["code"]).astype(np.int64),
        coders=tuple(names),
        codes=tuple(code_names),
        length=float(length),
    )


def _unitizing_stats(
    start: np.ndarray,
    end: np.ndarray,
    coder: np.ndarray,
    group: np.ndarray,
    m: int,
    groups: int,
    length: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per group: total unit length, sum over coder pairs i != j of |U_i & U_j|, sum of l^2.

    A coder's overlapping spans of one group are merged into one unit first (spans that only
    touch stay separate units). Everything is a sort and a sweep: O(n log n).
    """
    stride = length + 1.0
    key = group * m + coder
    order = np.lexsort((start, key))
    s = start[order] + key[order] * stride  # each (group, coder) on its own stretch
    e = end[order] + key[order] * stride
    k = key[order]
    reach = np.maximum.accumulate(e)
    new = np.empty(len(s), dtype=bool)
    new[0] = True
    new[1:] = s[1:] >= reach[:-1]
    firsts = np.flatnonzero(new)
    unit_start, unit_end, unit_key = s[firsts], np.maximum.reduceat(e, firsts), k[firsts]
    lengths = unit_end - unit_start
    unit_group = unit_key // m
    total = np.bincount(unit_group, weights=lengths, minlength=groups)
    squares = np.bincount(unit_group, weights=lengths * lengths, minlength=groups)

    # coverage sweep per group: c(x) coders cover x; sum over ordered pairs = integral c(c-1)
    shift = (unit_group - unit_key) * stride  # back from (group, coder) to group stretches
    pos = np.concatenate([unit_start + shift, unit_end + shift])
    step = np.concatenate([np.ones(len(lengths)), -np.ones(len(lengths))])
    order = np.argsort(pos, kind="stable")
    pos, step = pos[order], step[order]
    cover = np.cumsum(step)[:-1]
    width = np.diff(pos)
    where = np.floor(pos[:-1] / stride).astype(np.int64)
    pairs = np.bincount(where, weights=width * cover * (cover - 1.0), minlength=groups)
    return total, pairs[:groups], squares


def _binary_ualpha(total: float, pairs: float, squares: float, m: int, length: float) -> float:
    """uα for one code (values: the code, or a gap) from its coincidences."""
    l_all = m * length
    l_unit, l_gap = total, l_all - total
    l_unit_gap = l_unit - pairs / (m - 1)
    if l_unit <= 0 or l_gap <= 0:
        return math.nan
    denominator = l_all * l_all - (squares + l_gap)
    return 1.0 - l_unit_gap * denominator / (l_all * l_unit * l_gap)


def unitizing_alpha(
    spans: Iterable[Sequence[Any]], length: float, *, coders: Sequence[str] | None = None
) -> UnitizingAlpha:
    """Krippendorff's unitizing alpha (uα) for spans `(start, end, coder, code)` on [0, length).

    Variant: the uα of Krippendorff, Mathet, Bouvry & Widlöcher (2016), "On the reliability of
    unitizing textual continua: further developments", Quality & Quantity 50, sections 3-5,
    which builds on Krippendorff (1995), "On the reliability of unitizing continuous data",
    Sociological Methodology 25. Each coder partitions the continuum into units (a code) and
    gaps; observed coincidences l_ck are the lengths of intersection of coder i's sections of
    value c with coder j's sections of value k, summed over ordered pairs i != j and divided by
    m - 1; expected coincidences are l_.. (l_c. l_.k - [c = k] S_c) / (l_..^2 - S), where S_c
    sums each unit's length squared (a unit cannot pair with itself) and, for gaps, each gap's
    length (gaps have no structure: every position is its own value); the nominal difference
    applies. So the distance between two coders' overlapping segments grows with the squared
    lengths by which they differ, and a unit against a gap costs its whole length.

    Qualitative codes overlap (one coder may give one passage several codes), which the
    partition of the paper does not allow, so:

    - `per_code[c]` is uα with only code c's units (a coder's overlapping spans of c merged);
      with one value this is also the paper's |uα for that code;
    - `alpha` (overall) is uα of the continuum repeated once per code, copy c carrying only
      code c's units: disagreement on where a code applies and on which code applies both
      count;
    - `binary` is |uα: any code versus none, each coder's spans of all codes merged.

    Positions are the units of length (characters in qualcode). Coders named in `coders` but
    with no spans count as having found nothing. NaN where undefined (no unit, or no gap, in
    anyone's coding of that code).
    """
    data = _spans(spans, length, coders)
    m, n_codes, L = len(data.coders), len(data.codes), data.length
    total, pairs, squares = _unitizing_stats(
        data.start, data.end, data.coder, data.code, m, n_codes, L
    )
    per_code = {
        name: float(_binary_ualpha(total[i], pairs[i], squares[i], m, L))
        for i, name in enumerate(data.codes)
    }
    # overall: the code copies laid end to end, values 0 (gap) and one per code
    l_all = m * n_codes * L
    l_units = total
    l_unit_gap = float(np.sum(l_units - pairs / (m - 1)))
    l_gap = l_all - float(np.sum(l_units))
    s = float(np.sum(squares)) + l_gap
    spread = l_all * l_all - float(np.sum(l_units * l_units)) - l_gap * l_gap
    expected = spread * l_all / (l_all * l_all - s)
    overall = 1.0 - 2.0 * l_unit_gap / expected if expected > 0 and l_gap > 0 else math.nan
    b_total, b_pairs, b_squares = _unitizing_stats(
        data.start, data.end, data.coder, np.zeros_like(data.code), m, 1, L
    )
    binary = _binary_ualpha(b_total[0], b_pairs[0], b_squares[0], m, L)
    return UnitizingAlpha(
        alpha=float(overall),
        per_code=per_code,
        binary=float(binary),
        length=L,
        coders=data.coders,
    )


def unitizing_alpha_1995(
    spans: Iterable[Sequence[Any]], length: float, *, coders: Sequence[str] | None = None
) -> UnitizingAlpha:
    """Krippendorff's uα as first defined: Krippendorff (1995), "On the reliability of
    unitizing continuous data", Sociological Methodology 25: 47-76, and Content Analysis
    (2nd ed., 2004), section 12.4.

    Per code c, each coder divides the continuum into units of c and the gaps between them.
    Observed disagreement sums, over every pair of coders and every pair of their sections that
    overlap, the squared distance: for two units, (start difference)² + (end difference)²; for
    a unit lying wholly inside the other coder's gap, the unit's length²; otherwise 0; divided
    by m(m-1)L². Expected disagreement follows the paper's formula over all unitizations:
    (2/L) Σ_units [(N_c - 1)(2l³ - 3l² + l)/3 + l² Σ_{gaps g ≥ l} (g - l + 1)] divided by
    mL(mL - 1) - Σ_units l(l - 1). uα_c = 1 - D_o/D_e; the overall value uses the means of
    D_o and D_e over codes, and `binary` treats every code as one. Adjacent units of one coder
    stay separate units (the paper's examples B and D rely on that); a coder's overlapping
    spans of one code are merged. The tests reproduce the paper's worked example (p. 57).
    """
    data = _spans(spans, length, coders)
    m, L = len(data.coders), data.length
    observed, expected = [], []
    per_code = {}
    for i, name in enumerate(data.codes):
        d_o, d_e = _ualpha_1995_parts(data, data.code == i, m, L)
        observed.append(d_o)
        expected.append(d_e)
        per_code[name] = 1.0 - d_o / d_e if d_e > 0 else math.nan
    d_o, d_e = _ualpha_1995_parts(data, np.ones(len(data.code), dtype=bool), m, L)
    binary = 1.0 - d_o / d_e if d_e > 0 else math.nan
    mean_e = float(np.mean(expected))
    overall = 1.0 - float(np.mean(observed)) / mean_e if mean_e > 0 else math.nan
    return UnitizingAlpha(
        alpha=overall, per_code=per_code, binary=binary, length=L, coders=data.coders
    )


def _sections(units: list[tuple[float, float]], L: float) -> list[tuple[float, float, bool]]:
    """A coder's continuum as (start, end, is_unit) sections: units and the gaps between."""
    out, at = [], 0.0
    for start, end in units:
        if start > at:
            out.append((at, start, False))
        out.append((start, end, True))
        at = end
    if at < L:
        out.append((at, L, False))
    return out


def _coder_units(data: _Spans, chosen: np.ndarray, coder: int) -> list[tuple[float, float]]:
    """One coder's units of the chosen code(s), sorted, overlapping ones merged."""
    mask = chosen & (data.coder == coder)
    pairs = sorted(zip(data.start[mask].tolist(), data.end[mask].tolist(), strict=True))
    merged: list[list[float]] = []
    for start, end in pairs:
        if merged and start < merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(a, b) for a, b in merged]


def _ualpha_1995_parts(data: _Spans, chosen: np.ndarray, m: int, L: float) -> tuple[float, float]:
    """(D_o, D_e) of the 1995 uα for the spans selected by `chosen`."""
    units = [_coder_units(data, chosen, r) for r in range(m)]
    sections = [_sections(u, L) for u in units]
    total = 0.0
    for i in range(m):
        for j in range(i + 1, m):
            a, b = sections[i], sections[j]
            x = y = 0
            while x < len(a) and y < len(b):  # walk both coders' sections in step
                (s1, e1, u1), (s2, e2, u2) = a[x], b[y]
                if u1 and u2:
                    total += (s1 - s2) ** 2 + (e1 - e2) ** 2
                elif u1 and not u2 and s2 <= s1 and e1 <= e2:
                    total += (e1 - s1) ** 2
                elif u2 and not u1 and s1 <= s2 and e2 <= e1:
                    total += (e2 - s2) ** 2
                if e1 <= e2:
                    x += 1
                if e2 <= e1:
                    y += 1
    d_o = 2.0 * total / (m * (m - 1) * L * L)
    lengths = np.array([e - s for u in units for s, e in u], dtype=np.float64)
    gaps = np.sort(
        np.array([e - s for sec in sections for s, e, unit in sec if not unit], dtype=np.float64)
    )
    if lengths.size == 0:
        return d_o, 0.0
    n_c = lengths.size
    # Σ over gaps g >= l of (g - l + 1), for every unit length l at once
    tail_count = gaps.size - np.searchsorted(gaps, lengths, side="left")
    suffix = np.concatenate((np.cumsum(gaps[::-1])[::-1], [0.0]))
    tail_sum = suffix[np.searchsorted(gaps, lengths, side="left")]
    fit = tail_sum - tail_count * (lengths - 1.0)
    body = (n_c - 1) * (2 * lengths**3 - 3 * lengths**2 + lengths) / 3.0 + lengths**2 * fit
    denominator = m * L * (m * L - 1) - float(np.sum(lengths * (lengths - 1)))
    d_e = (2.0 / L) * float(np.sum(body)) / denominator if denominator > 0 else 0.0
    return d_o, d_e


def overlap_agreement(
    spans: Iterable[Sequence[Any]],
    min_overlap: float = 0.9,
    *,
    coders: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Per code, the share of coded segments the other coder(s) also coded: MAXQDA-style.

    Follows the segment-level check of MAXQDA's Intercoder Agreement ("segment agreement"):
    every segment of every coder is checked against each other coder; it counts as matched
    when that coder has a segment of the same code overlapping at least `min_overlap` (0-1) of
    its length; a code's agreement is matched checks / all checks x 100. With two coders that
    is MAXQDA's "agreements / (agreements + disagreements)". Not chance-corrected. The overlap
    is taken as a share of the checked segment, as described here: MAXQDA versions differ in
    details, so check the setting you compare with.

    Returns one row per code: code, segments, checks, matched, percent_agreement.
    """
    if not 0 < min_overlap <= 1:
        raise AgreementError(f"min_overlap is a share between 0 and 1, got {min_overlap!r}")
    rows = list(spans)
    data = _spans(rows, _extent(rows), coders)
    m, n_codes = len(data.coders), len(data.codes)
    stride = data.length + 1.0
    pos_s = data.start + data.code * stride
    pos_e = data.end + data.code * stride
    seg_len = data.end - data.start
    matched = np.zeros(n_codes)
    checks = np.zeros(n_codes)
    for other in range(m):
        mine = data.coder != other
        theirs = np.flatnonzero(data.coder == other)
        checks += np.bincount(data.code[mine], minlength=n_codes)
        if len(theirs) == 0:
            continue
        order = theirs[np.argsort(pos_s[theirs], kind="stable")]
        t_s, t_e = pos_s[order], pos_e[order]
        longest = float(np.max(t_e - t_s))
        a = np.flatnonzero(mine)
        lo = np.searchsorted(t_s, pos_s[a] - longest, side="left")
        hi = np.searchsorted(t_s, pos_s[a] + seg_len[a], side="left")
        n_cand = np.maximum(hi - lo, 0)
        if n_cand.sum() == 0:
            continue
        owner = np.repeat(np.arange(len(a)), n_cand)
        offsets = np.arange(n_cand.sum()) - np.repeat(np.cumsum(n_cand) - n_cand, n_cand)
        cand = np.repeat(lo, n_cand) + offsets
        inter = np.minimum(pos_e[a][owner], t_e[cand]) - np.maximum(pos_s[a][owner], t_s[cand])
        best = np.full(len(a), -np.inf)
        np.maximum.at(best, owner, inter)
        hit = best >= min_overlap * seg_len[a] - 1e-9
        matched += np.bincount(data.code[a][hit], minlength=n_codes)
    with np.errstate(invalid="ignore", divide="ignore"):
        percent = np.where(checks > 0, 100.0 * matched / checks, np.nan)
    return pd.DataFrame(
        {
            "code": list(data.codes),
            "segments": np.bincount(data.code, minlength=n_codes),
            "checks": checks.astype(np.int64),
            "matched": matched.astype(np.int64),
            "percent_agreement": percent,
        }
    )


def _extent(rows: list[Sequence[Any]]) -> float:
    """A continuum long enough for every span (overlap agreement needs no true length)."""
    ends = [row[1] for row in rows if len(row) == 4 and _is_number(row[1])]
    return float(max(ends)) if ends else 1.0


# ------------------------------------------------------------------------------------------
# per project
# ------------------------------------------------------------------------------------------


@dataclass
class _Selection:
    codings: pd.DataFrame  # document_id, start, end, code, coder
    documents: list[int]
    lengths: dict[int, int]
    codes: list[str]
    coders: list[str]
    not_coded: dict[str, set[int]]  # coder -> selected documents they did not code
    notes: dict[str, list[str]]  # code -> notes


def _select(
    project: Project,
    coders: Sequence[str],
    documents: Sequence[DocumentRef] | None,
    codes: Sequence[Any] | None,
) -> _Selection:
    """The codings, documents and codes an agreement table compares, or a clear error."""
    from sqlalchemy import select

    from qualcode.store import schema
    from qualcode.store.rounds import require_revealed

    if isinstance(coders, str):
        raise AgreementError(f"coders is a list of names, e.g. coders=[{coders!r}, 'another']")
    names = list(dict.fromkeys(coders))
    if len(names) < 2:
        raise AgreementError(
            f"agreement needs at least two coders; got {len(names)}: {', '.join(names) or 'none'}"
        )
    c, k, d = schema.codings, schema.coders, schema.documents
    with project.reading() as conn:
        known = list(conn.execute(select(k.c.name).order_by(k.c.name)).scalars())
        unknown = [n for n in names if n not in known]
        if unknown:
            raise AgreementError(
                f"no coder named {', '.join(map(repr, unknown))} in this project; coders are: "
                f"{', '.join(known) or 'none yet (nobody has coded anything)'}"
            )
        query = (
            select(c.c.document_id, c.c.start, c.c.end, c.c.code_id, k.c.name)
            .join(k, k.c.id == c.c.coder_id)
            .join(d, d.c.id == c.c.document_id)
            .where(k.c.name.in_(names))
        )
        if documents is None:  # current versions only, unless documents were named
            query = query.where(d.c.is_current == 1)
        rows = conn.execute(query).all()
        paths = project.codebook._paths(conn)
        wanted = None
        if codes is not None:
            wanted = list(dict.fromkeys(project.codebook._resolve(conn, x).path for x in codes))
            if not wanted:
                raise AgreementError("codes= is empty; name at least one code, or leave it out")
        chosen = None
        if documents is not None:
            chosen = list(dict.fromkeys(document_span(conn, x)[0] for x in documents))
            if not chosen:
                raise AgreementError("documents= is empty; name at least one document")
        frame = pd.DataFrame(rows, columns=["document_id", "start", "end", "code_id", "coder"])
        frame["code"] = frame["code_id"].map(paths)
        by_coder = {n: set(frame.loc[frame["coder"] == n, "document_id"]) for n in names}
        if chosen is None:
            common = set.intersection(*by_coder.values())
            if not common:
                counts = ", ".join(f"{n} coded {len(by_coder[n])}" for n in names)
                raise AgreementError(
                    f"no document was coded by all of {', '.join(names)} ({counts} documents); "
                    "pass documents=[...] to compare the documents you choose"
                )
            chosen = sorted(common)
        require_revealed(conn, chosen, "comparing coders")
        coded = set().union(*by_coder.values())
        nobody = [x for x in chosen if x not in coded]
        if nobody:
            titles = dict(conn.execute(select(d.c.id, d.c.title).where(d.c.id.in_(nobody))).all())
            raise AgreementError(
                f"nobody among {', '.join(names)} coded "
                f"{', '.join(repr(titles.get(x, x)) for x in nobody)}; "
                "leave out documents that were not coded"
            )
        lengths = dict(conn.execute(select(d.c.id, d.c.length).where(d.c.id.in_(chosen))).all())
    frame = frame[frame["document_id"].isin(chosen)]
    if wanted is not None:
        frame = frame[frame["code"].isin(wanted)]
        used = wanted
    else:
        order = {path: i for i, path in enumerate(paths.values())}
        used = sorted(set(frame["code"]), key=lambda p: order.get(p, len(order)))
        if not used:
            raise AgreementError("the selected codings are empty: there is nothing to compare")
    notes: dict[str, list[str]] = {}
    for code in used:
        users = set(frame.loc[frame["code"] == code, "coder"])
        never = [n for n in names if n not in users]
        if never:
            notes.setdefault(code, []).append(f"never used by {', '.join(never)}")
    not_coded = {n: set(chosen) - by_coder[n] for n in names if set(chosen) - by_coder[n]}
    return _Selection(
        codings=frame[["document_id", "start", "end", "code", "coder"]].reset_index(drop=True),
        documents=list(chosen),
        lengths=lengths,
        codes=used,
        coders=names,
        not_coded=not_coded,
        notes=notes,
    )


def _units(project: Project, unit: str, documents: list[int]) -> pd.DataFrame:
    """Units of the chosen documents (older versions fetched one by one), in text order."""
    frame = project.units_df(unit)
    frame = frame[frame["document_id"].isin(documents)]
    missing = set(documents) - set(frame["document_id"])
    extra = [project.units_df(unit, document=x) for x in sorted(missing)]
    frame = pd.concat([frame, *extra]) if extra else frame
    frame = frame[frame["end"] > frame["start"]]
    if frame.empty:
        raise AgreementError(f"the selected documents have no {unit} units to compare")
    columns = ["document_id", "start", "end", "title", "case", "text"]
    return frame.sort_values(["document_id", "start", "end"])[columns]


def _presence(sel: _Selection, units: pd.DataFrame) -> np.ndarray:
    """coders x codes x units: did the coder code the code somewhere overlapping the unit?"""
    offsets, at = {}, 0
    for doc in sel.documents:
        offsets[doc] = at
        at += sel.lengths[doc] + 1
    u_off = units["document_id"].map(offsets).to_numpy(np.int64)
    u_s = units["start"].to_numpy(np.int64) + u_off
    u_e = units["end"].to_numpy(np.int64) + u_off
    cod = sel.codings
    c_off = cod["document_id"].map(offsets).to_numpy(np.int64)
    c_s = cod["start"].to_numpy(np.int64) + c_off
    c_e = cod["end"].to_numpy(np.int64) + c_off
    coder = pd.Index(sel.coders).get_indexer(cod["coder"])
    code = pd.Index(sel.codes).get_indexer(cod["code"])
    present = np.zeros((len(sel.coders), len(sel.codes), len(units)), dtype=bool)
    if np.all(np.diff(u_e) >= 0):  # units in text order: overlapping ones form a range
        first = np.searchsorted(u_e, c_s, side="right")
        stop = np.searchsorted(u_s, c_e, side="left")
        n = np.maximum(stop - first, 0)
        owner = np.repeat(np.arange(len(cod)), n)
        unit = np.repeat(first, n) + np.arange(n.sum()) - np.repeat(np.cumsum(n) - n, n)
    else:  # nested units: compare every coding with every unit of its document
        pairs = np.nonzero((c_s[:, None] < u_e[None, :]) & (c_e[:, None] > u_s[None, :]))
        owner, unit = pairs
    present[coder[owner], code[owner], unit] = True
    return present


def _table_row(data: np.ndarray, m: int) -> dict[str, Any]:
    """The four statistics for one coders x units 0/1 table (NaN = not coded)."""
    codes = np.where(np.isnan(data), -1, data).astype(np.int64)
    values = np.array([0.0, 1.0])
    alpha, _ = _alpha(codes, values, "nominal")
    present = codes >= 0
    pairable = present.sum(axis=0) >= 2
    row: dict[str, Any] = {
        "percent_agreement": math.nan,
        "cohen_kappa": math.nan,
        "fleiss_kappa": math.nan,
        "krippendorff_alpha": alpha,
    }
    if pairable.any():
        row["percent_agreement"] = percent_agreement(data[:, pairable])
        if m == 2:
            row["cohen_kappa"] = cohen_kappa(data[0, pairable], data[1, pairable])
        complete = present.all(axis=0)
        if complete.any():
            ones = codes[:, complete].sum(axis=0)
            row["fleiss_kappa"] = fleiss_kappa(np.stack([m - ones, ones], axis=1))
    return row


def _bootstrap_tables(
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


def _interval_columns(result: BootstrapAlpha) -> dict[str, Any]:
    """The bootstrap's columns in a table row: alpha_low, alpha_high, p_alpha_below_<m>."""
    row: dict[str, Any] = {"alpha_low": result.low, "alpha_high": result.high}
    for minimum, p in result.p_below.items():
        row[f"p_alpha_below_{minimum:.3f}"] = p
    return row


def _interval_note(result: BootstrapAlpha) -> list[str]:
    if result.undefined and not math.isnan(result.alpha):
        return [
            f"{result.undefined} of {result.n_resamples} resamples had no variation "
            "(left out of the interval)"
        ]
    return []


def _pairable_data(present: np.ndarray, missing: np.ndarray, j: int) -> np.ndarray:
    """Coders x units 0/1 answers for code `j`, NaN where the coder did not code the unit."""
    data = present[:, j, :].astype(np.float64)
    data[missing] = np.nan
    return data


def _pooled_data(present: np.ndarray, missing: np.ndarray) -> np.ndarray:
    """Coders x (codes x units) 0/1 answers on every code and unit, NaN where not coded."""
    m, n_codes, n_units = present.shape
    data = present.reshape(m, n_codes * n_units).astype(np.float64)
    data[np.tile(missing, (1, n_codes))] = np.nan
    return data


def _missing(sel: _Selection, units: pd.DataFrame) -> np.ndarray:
    """Coders x units: True where the coder did not code the unit's document at all."""
    missing = np.zeros((len(sel.coders), len(units)), dtype=bool)
    unit_docs = units["document_id"].to_numpy()
    for i, name in enumerate(sel.coders):
        if name in sel.not_coded:
            missing[i] = np.isin(unit_docs, list(sel.not_coded[name]))
    return missing


def _check_bootstrap_count(bootstrap: int, confidence: float, minimums: Sequence[float]) -> None:
    """The bootstrap options of the per-project tables: a count (0 for none) and the rest."""
    if isinstance(bootstrap, bool) or not isinstance(bootstrap, int | np.integer) or bootstrap < 0:
        raise AgreementError(
            f"bootstrap is the number of resamples (1000 is usual, 0 for none), got {bootstrap!r}"
        )
    if bootstrap:
        _check_bootstrap(bootstrap, confidence, minimums)


def agreement_table(
    project: Project,
    *,
    coders: Sequence[str],
    unit: str = "sentence",
    documents: Sequence[DocumentRef] | None = None,
    codes: Sequence[Any] | None = None,
    bootstrap: int = 1000,
    seed: int | None = 0,
    confidence: float = 0.95,
    minimums: Sequence[float] = MINIMUMS,
) -> pd.DataFrame:
    """Agreement per code on units (sentences, turns or paragraphs), one row per code.

    Each coder's answer for a code and a unit is "present" when a coding of that code by that
    coder overlaps the unit, else "absent". Columns: `code`; `percent_agreement` (0-100, units
    where all coders agree); `cohen_kappa` (Cohen 1960; NaN unless exactly two coders);
    `fleiss_kappa` (Fleiss 1971, units every coder coded); `krippendorff_alpha` (nominal,
    Krippendorff 2011); `alpha_low`, `alpha_high` (the `confidence` bootstrap interval of
    alpha) and `p_alpha_below_0.667`, `p_alpha_below_0.800` (the chance alpha is below each
    of `minimums`), from `bootstrap` resamples of the units (see `bootstrap_alpha`; 0 leaves
    these columns out); `units` (units compared); `note` (codes some coder never used,
    undefined statistics). A last row, code "(all codes)", pools every code x unit decision:
    the same statistics over codes x units present/absent answers (its bootstrap resamples
    units with their answers on every code).

    Documents: those coded (with any code) by every named coder, or `documents=`; then a coder
    who did not code a document has no answer for its units (missing, not "absent"). Codes:
    those the coders used there, or `codes=` (by name, path or id). A machine's suggestions
    (coder `suggest:<model>`) can be named as one more coder. A statistic that is undefined
    (all answers identical, e.g. a code nobody used) is NaN, with a note.
    """
    _check_bootstrap_count(bootstrap, confidence, minimums)
    sel = _select(project, coders, documents, codes)
    units = _units(project, unit, sel.documents)
    present = _presence(sel, units)
    m, n_codes, n_units = present.shape
    missing = _missing(sel, units)
    general = [
        f"{name} did not code {len(docs)} of the {len(sel.documents)} documents "
        "(their units count as not coded)"
        for name, docs in sel.not_coded.items()
    ]
    tables = [_pairable_data(present, missing, j) for j in range(n_codes)]
    intervals: list[BootstrapAlpha | None] = [None] * (n_codes + 1)
    if bootstrap:
        intervals = list(
            _bootstrap_tables(
                tables,
                pooled=True,
                n_resamples=bootstrap,
                seed=seed,
                confidence=confidence,
                minimums=minimums,
            )
        )
    rows = []
    for j, code in enumerate([*sel.codes, ALL_CODES]):
        data = _pooled_data(present, missing) if code == ALL_CODES else tables[j]
        row = {"code": code, **_table_row(data, m)}
        interval = intervals[j]
        if interval is not None:
            row.update(_interval_columns(interval))
        row["units"] = n_units
        notes = list(sel.notes.get(code, [])) + (general if code == ALL_CODES else [])
        if math.isnan(row["krippendorff_alpha"]):
            notes.append(
                "alpha undefined: every coder gave every unit the same answer"
                if not np.isnan(data).all()
                else "alpha undefined: no unit was coded by two coders"
            )
        elif interval is not None:
            notes.extend(_interval_note(interval))
        row["note"] = "; ".join(notes)
        rows.append(row)
    frame = pd.DataFrame(rows)
    frame.attrs["confidence"] = confidence
    return frame


PEOPLE = "(people)"


def model_agreement(
    project: Project,
    *,
    model: str,
    coders: Sequence[str],
    unit: str = "sentence",
    documents: Sequence[DocumentRef] | None = None,
    codes: Sequence[Any] | None = None,
    bootstrap: int = 1000,
    seed: int | None = 0,
    confidence: float = 0.95,
    minimums: Sequence[float] = MINIMUMS,
) -> pd.DataFrame:
    """How far a machine's suggestions agree with people, next to how far people agree.

    The model (a coder named `suggest:<model>`, e.g. "suggest:themes" or
    "suggest:classifier") is scored as one more coder on the same present/absent decisions as
    `agreement_table`, pooled over codes (the "(all codes)" row). One row per person:
    `alpha_with_model`, its bootstrap interval `alpha_with_model_low`/`_high` and
    `kappa_with_model` (Cohen) for the person against the model; `alpha_with_people` and
    `kappa_with_people`, the mean of the same statistics for the person against each other
    person; `difference` (with model minus with people: near 0 or above means the model agrees
    with this person about as well as the other people do). A last row, "(people)", holds the
    means over people, and its note says so in words. Documents are those every coder and the
    model coded, or `documents=` (then a model that proposed nothing in a document counts as
    not having coded it).
    """
    from qualcode.model import is_suggestion

    _check_bootstrap_count(bootstrap, confidence, minimums)
    if not isinstance(model, str) or not is_suggestion(model):
        raise AgreementError(
            f"model is the machine's coder, named suggest:<model> such as 'suggest:themes'; "
            f"got {model!r} (compare people with agreement_table)"
        )
    if isinstance(coders, str):
        raise AgreementError(f"coders is a list of names, e.g. coders=[{coders!r}, 'another']")
    people = [c for c in dict.fromkeys(coders) if c != model]
    if not people:
        raise AgreementError(f"name the people to compare with {model}: coders=['ann', ...]")
    sel = _select(project, [*people, model], documents, codes)
    units = _units(project, unit, sel.documents)
    present = _presence(sel, units)
    missing = _missing(sel, units)
    n_codes = present.shape[1]
    me = len(people)

    def pair(a: int, b: int) -> dict[str, Any]:
        two_present, two_missing = present[[a, b]], missing[[a, b]]
        row = _table_row(_pooled_data(two_present, two_missing), 2)
        return {"alpha": row["krippendorff_alpha"], "kappa": row["cohen_kappa"]}

    between = {(a, b): pair(a, b) for a in range(me) for b in range(a + 1, me)}
    rows = []
    for i, person in enumerate(people):
        with_model = pair(i, me)
        others = [between[(min(i, j), max(i, j))] for j in range(me) if j != i]
        row: dict[str, Any] = {
            "coder": person,
            "alpha_with_model": with_model["alpha"],
            "alpha_with_model_low": math.nan,
            "alpha_with_model_high": math.nan,
            "kappa_with_model": with_model["kappa"],
            "alpha_with_people": _mean([o["alpha"] for o in others]),
            "kappa_with_people": _mean([o["kappa"] for o in others]),
        }
        notes = []
        if bootstrap:
            tables = [_pairable_data(present[[i, me]], missing[[i, me]], j) for j in range(n_codes)]
            interval = _bootstrap_tables(
                tables,
                pooled=True,
                n_resamples=bootstrap,
                seed=seed,
                confidence=confidence,
                minimums=minimums,
            )[-1]
            row["alpha_with_model_low"], row["alpha_with_model_high"] = interval.low, interval.high
            notes.extend(_interval_note(interval))
        if not others:
            notes.append("no other person to compare with")
        if math.isnan(row["alpha_with_model"]):
            notes.append("alpha with the model undefined: no variation in the answers")
        row["difference"] = row["alpha_with_model"] - row["alpha_with_people"]
        row["units"] = len(units)
        row["note"] = "; ".join(notes)
        rows.append(row)
    frame = pd.DataFrame(rows)
    summary: dict[str, Any] = {"coder": PEOPLE}
    for column in frame.columns[1:-2]:
        summary[column] = _mean(frame[column].tolist())
    summary["alpha_with_model_low"] = summary["alpha_with_model_high"] = math.nan
    summary["alpha_with_people"] = _mean([v["alpha"] for v in between.values()])
    summary["kappa_with_people"] = _mean([v["kappa"] for v in between.values()])
    summary["difference"] = summary["alpha_with_model"] - summary["alpha_with_people"]
    summary["units"] = len(units)
    summary["note"] = _model_in_words(
        model, summary["alpha_with_model"], summary["alpha_with_people"]
    )
    if not bootstrap:
        frame = frame.drop(columns=["alpha_with_model_low", "alpha_with_model_high"])
        summary = {k: v for k, v in summary.items() if k in frame.columns}
    return pd.concat([frame, pd.DataFrame([summary])], ignore_index=True)


def _mean(values: Sequence[float]) -> float:
    """Mean of the defined values; NaN when none is defined."""
    defined = [v for v in values if not math.isnan(v)]
    return float(np.mean(defined)) if defined else math.nan


def _model_in_words(model: str, with_model: float, with_people: float) -> str:
    """One sentence comparing the model's agreement with people to people's with each other."""
    if math.isnan(with_model):
        return f"alpha between {model} and the people is undefined"
    if math.isnan(with_people):
        return f"mean alpha with {model}: {with_model:.3f} (only one person to compare)"
    gap = with_model - with_people
    how = (
        "about as well as" if abs(gap) < 0.05 else ("better than" if gap > 0 else "less well than")
    )
    return (
        f"{model} agrees with the people (mean alpha {with_model:.3f}) {how} they agree with "
        f"each other (mean alpha {with_people:.3f})"
    )


def span_agreement(
    project: Project,
    *,
    coders: Sequence[str],
    documents: Sequence[DocumentRef] | None = None,
    codes: Sequence[Any] | None = None,
    min_overlap: float = 0.9,
) -> pd.DataFrame:
    """Agreement on the coded spans themselves, per code: segment overlap and unitizing alpha.

    The documents are laid end to end as one continuum (Krippendorff's unitizing alpha treats
    several texts as one continuum). Columns: `code`; `segments` (coded spans);
    `overlap_agreement` (0-100, MAXQDA-style, see `overlap_agreement`); `unitizing_alpha`
    (uα per code, see `unitizing_alpha`); `unitizing_alpha_1995` (Krippendorff's 1995
    definition, see `unitizing_alpha_1995`); `note`. The "(all codes)" row pools all segment
    checks and gives the overall uα. Documents and codes are chosen as in `agreement_table`;
    with `documents=`, a coder who did not code a document counts as having found nothing in it.
    """
    sel = _select(project, coders, documents, codes)
    offsets, at = {}, 0
    for doc in sel.documents:
        offsets[doc] = at
        at += sel.lengths[doc]
    cod = sel.codings
    shift = cod["document_id"].map(offsets).to_numpy(np.int64)
    spans = list(
        zip(
            (cod["start"].to_numpy(np.int64) + shift).tolist(),
            (cod["end"].to_numpy(np.int64) + shift).tolist(),
            cod["coder"],
            cod["code"],
            strict=True,
        )
    )
    ualpha = unitizing_alpha(spans, at, coders=sel.coders)
    ualpha_1995 = unitizing_alpha_1995(spans, at, coders=sel.coders)
    overlap = overlap_agreement(spans, min_overlap, coders=sel.coders).set_index("code")
    general = [
        f"{name} did not code {len(docs)} of the {len(sel.documents)} documents "
        "(counted as finding nothing there)"
        for name, docs in sel.not_coded.items()
    ]
    rows = []
    for code in sel.codes:
        notes = list(sel.notes.get(code, []))
        value = ualpha.per_code.get(code, math.nan)
        if math.isnan(value):
            notes.append("unitizing alpha undefined: no variation between units and gaps")
        rows.append(
            {
                "code": code,
                "segments": int(overlap.loc[code, "segments"]),
                "overlap_agreement": float(overlap.loc[code, "percent_agreement"]),
                "unitizing_alpha": value,
                "unitizing_alpha_1995": ualpha_1995.per_code.get(code, math.nan),
                "note": "; ".join(notes),
            }
        )
    checks, matched = overlap["checks"].sum(), overlap["matched"].sum()
    rows.append(
        {
            "code": ALL_CODES,
            "segments": int(overlap["segments"].sum()),
            "overlap_agreement": 100.0 * matched / checks if checks else math.nan,
            "unitizing_alpha": ualpha.alpha,
            "unitizing_alpha_1995": ualpha_1995.alpha,
            "note": "; ".join(general),
        }
    )
    return pd.DataFrame(rows)
