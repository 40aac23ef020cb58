"""Agreement statistics on any data: coders x units arrays in, numbers out.

Krippendorff's alpha (every level of measurement), percent agreement, Cohen's and Fleiss'
kappa, usable on lists, numpy arrays or data frames as the `krippendorff` package is; no
project, no SQL. The bootstrap interval of alpha is in `qualcode.coding.bootstrap`, the
span-based statistics in `qualcode.coding.unitizing`, the per-project tables in
`qualcode.coding.agreement`.

Every statistic that is undefined for the data (for example alpha when every coder gave every
unit the same answer: there is no variation to agree on) is returned as NaN; it is never
silently replaced by 0 or 1.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from qualcode.errors import QualcodeError

__all__ = [
    "LEVELS",
    "MAX_PAIRWISE_VALUES",
    "AgreementError",
    "check_level",
    "cohen_kappa",
    "fleiss_kappa",
    "is_number",
    "krippendorff_alpha",
    "percent_agreement",
    "presence_statistics",
    "reliability_codes",
    "squared_distances",
    "value_counts",
]

LEVELS = ("nominal", "ordinal", "interval", "ratio")

# Above this many unit x value cells the value counts are kept in a sparse matrix.
_MAX_DENSE_CELLS = 50_000_000
# Ordinal and ratio alpha need a values x values matrix; beyond this it would not fit.
MAX_PAIRWISE_VALUES = 2_000


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


def is_number(value: Any) -> bool:
    """A plain number (bools count, as numpy's do); labels are not."""
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
        if numeric and not all(is_number(v) for v in values):
            raise AgreementError("interval and ratio alpha need numbers in value_domain")
    elif kind in "biuf" or (kind == "O" and all(is_number(v) for v in present)):
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


def value_counts(codes: np.ndarray, n_values: int) -> tuple[Any, np.ndarray]:
    """(units x values counts of how many coders gave each value, values per unit).

    `codes` are coders x units indices into the values (-1 where missing), as
    `reliability_codes` gives them. Dense float64 when it fits, else a scipy sparse matrix.
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
    counts, m = value_counts(codes, n_values)
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
        if n_values > MAX_PAIRWISE_VALUES:
            raise AgreementError(
                f"{level} alpha compares every pair of values, and the data have {n_values} "
                f"different values (at most {MAX_PAIRWISE_VALUES}); round or bin them"
            )
        if dense:
            weighted = counts * w[:, None]
            o = counts.T @ weighted - np.diag(weighted.sum(axis=0))
        else:
            weighted = counts.multiply(w[:, None]).tocsr()
            o = (counts.T @ weighted).toarray() - np.diag(np.asarray(weighted.sum(axis=0)).ravel())
        delta = squared_distances(level, values, n_c)
        observed = float(np.sum(o * delta))
        expected = float(np.sum(np.outer(n_c, n_c) * delta))
    if expected <= 0:
        return math.nan, int(n)
    return 1.0 - (n - 1.0) * observed / expected, int(n)


def squared_distances(level: str, values: np.ndarray, n_c: np.ndarray) -> np.ndarray:
    """Squared distances between values (Krippendorff 2011, section E); `n_c` are the value
    margins, which the ordinal distance depends on."""
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


def check_level(level: str) -> str:
    """The level of measurement, or a clear error naming the levels there are."""
    if level not in LEVELS:
        raise AgreementError(
            f"level {level!r} is not a level of measurement; use one of {', '.join(LEVELS)}"
        )
    return level


def reliability_codes(
    data: Any, level: str, *, value_domain: Sequence[Any] | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """(codes, values) of coders x units data for alpha at `level`, or a clear error.

    `codes` holds each cell as an index into `values` (-1 where missing); `values` are sorted
    numbers, or labels (in the order of `value_domain` when given).
    """
    arr = _matrix(data)
    codes, values = _encode(arr, numeric=level in ("interval", "ratio"), value_domain=value_domain)
    if level == "ordinal" and value_domain is None and values.dtype == object:
        raise AgreementError(
            "ordinal alpha needs numbers, or ordered labels passed as value_domain=[...]"
        )
    return codes, values


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
    check_level(level)
    codes, values = reliability_codes(data, level, value_domain=value_domain)
    alpha, n = _alpha(codes, values, level)
    if n == 0:
        raise AgreementError(
            "no unit has values from two or more coders, so nothing can be compared"
        )
    return alpha


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


def presence_statistics(data: np.ndarray) -> dict[str, Any]:
    """The four statistics for one coders x units 0/1 table (NaN = not coded): is a code
    present in each unit? A statistic the data leave undefined is NaN, never an error.

    Keys: `percent_agreement` (units at least two coders coded), `cohen_kappa` (only for two
    coders), `fleiss_kappa` (units every coder coded), `krippendorff_alpha` (nominal).
    """
    m = data.shape[0]
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
