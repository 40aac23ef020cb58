"""Agreement on free spans of a continuum (a text): unitizing alpha and overlap agreement.

Pure statistics on `(start, end, coder, code)` spans, no project and no SQL; the per-project
table is `qualcode.coding.agreement.span_agreement`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from qualcode.coding.statistics import AgreementError, is_number

__all__ = [
    "UnitizingAlpha",
    "overlap_agreement",
    "unitizing_alpha",
    "unitizing_alpha_1995",
]


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
    ends = [row[1] for row in rows if len(row) == 4 and is_number(row[1])]
    return float(max(ends)) if ends else 1.0
