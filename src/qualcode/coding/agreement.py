"""Inter-coder agreement in a project: how far its coders agree, in statistics evaluators cite.

- `agreement_table`: is each code present in each sentence, turn or paragraph, and how far do
  the coders' answers agree (percent agreement, Cohen's and Fleiss' kappa, Krippendorff's
  alpha with its bootstrap interval)?
- `model_agreement`: a machine's suggestions scored as one more coder, next to the people.
- `span_agreement`: do the coded spans themselves line up (unitizing alpha, overlap)?
- `agreement_in_words`: a table's intervals as sentences for a report.

The statistics themselves work on any data and live in `qualcode.coding.statistics`,
`qualcode.coding.bootstrap` and `qualcode.coding.unitizing`; this module chooses the coders,
documents, codes and units to compare (`select_codings`, `unit_table`, `presence_matrix`, also
used by `qualcode.coding.consensus`). A statistic that is undefined for the data is NaN and
explained in the `note` column; it is never silently replaced by 0 or 1.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from qualcode.coding.bootstrap import (
    MINIMUMS,
    BootstrapAlpha,
    alpha_in_words,
    bootstrap_presence,
    check_bootstrap,
)
from qualcode.coding.statistics import AgreementError, presence_statistics
from qualcode.coding.unitizing import overlap_agreement, unitizing_alpha, unitizing_alpha_1995
from qualcode.store import codes as code_store
from qualcode.store.coders import as_known
from qualcode.store.documents import document_span
from qualcode.views import agreement as agreement_views
from qualcode.views import objects

if TYPE_CHECKING:
    from qualcode.model import DocumentRef
    from qualcode.project import Project

__all__ = [
    "ALL_CODES",
    "PEOPLE",
    "Selection",
    "agreement_in_words",
    "agreement_table",
    "model_agreement",
    "presence_matrix",
    "select_codings",
    "span_agreement",
    "unit_table",
]

ALL_CODES = "(all codes)"
PEOPLE = "(people)"


@dataclass
class Selection:
    """What a comparison of coders covers (see `select_codings`)."""

    codings: pd.DataFrame  # document_id, start, end, code, coder
    documents: list[int]
    lengths: dict[int, int]
    codes: list[str]
    coders: list[str]
    not_coded: dict[str, set[int]]  # coder -> selected documents they did not code
    notes: dict[str, list[str]]  # code -> notes


def select_codings(
    project: Project,
    coders: Sequence[str],
    documents: Sequence[DocumentRef] | None,
    codes: Sequence[Any] | None,
) -> Selection:
    """The codings, documents and codes an agreement table compares, or a clear error.

    Documents: those coded (with any code) by every named coder, or `documents`; codes: those
    the coders used there, or `codes` (by name, path or id). Documents of an open blind round
    are refused.
    """
    from qualcode.store.rounds import require_revealed

    names = _coder_list(coders)
    with project.reading() as conn:
        known = objects.coder_names(conn)
        names = _coder_list(as_known(names, known))  # "amina" is "Amina"
        unknown = [n for n in names if n not in known]
        if unknown:
            raise AgreementError(
                f"no coder named {', '.join(map(repr, unknown))} in this project; coders are: "
                f"{', '.join(known) or 'none yet (nobody has coded anything)'}"
            )
        # current versions only, unless documents were named
        frame = agreement_views.codings_by(conn, names, current_only=documents is None)
        paths = code_store.paths(conn)
        wanted = None
        if codes is not None:
            wanted = list(dict.fromkeys(code_store.resolve(conn, x).path for x in codes))
            if not wanted:
                raise AgreementError("codes= is empty; name at least one code, or leave it out")
        chosen = None
        if documents is not None:
            chosen = list(dict.fromkeys(document_span(conn, x)[0] for x in documents))
            if not chosen:
                raise AgreementError("documents= is empty; name at least one document")
        frame["code"] = frame["code_id"].map(paths)
        by_coder = {n: set(frame.loc[frame["coder"] == n, "document_id"]) for n in names}
        if chosen is None:
            chosen = _common_documents(by_coder)
        require_revealed(conn, chosen, "comparing coders")
        coded = set().union(*by_coder.values())
        nobody = [x for x in chosen if x not in coded]
        if nobody:
            titles = agreement_views.document_titles(conn, nobody)
            raise AgreementError(
                f"nobody among {', '.join(names)} coded "
                f"{', '.join(repr(titles.get(x, x)) for x in nobody)}; "
                "leave out documents that were not coded"
            )
        lengths = agreement_views.document_lengths(conn, chosen)
    frame = frame[frame["document_id"].isin(chosen)]
    if wanted is not None:
        frame = frame[frame["code"].isin(wanted)]
        used = wanted
    else:
        order = {path: i for i, path in enumerate(paths.values())}
        used = sorted(set(frame["code"]), key=lambda p: order.get(p, len(order)))
        if not used:
            raise AgreementError("the selected codings are empty: there is nothing to compare")
    return Selection(
        codings=frame[["document_id", "start", "end", "code", "coder"]].reset_index(drop=True),
        documents=list(chosen),
        lengths=lengths,
        codes=used,
        coders=names,
        not_coded={n: set(chosen) - by_coder[n] for n in names if set(chosen) - by_coder[n]},
        notes=_never_used(frame, used, names),
    )


def _coder_list(coders: Sequence[str]) -> list[str]:
    """The coders' names once each, or a clear error when fewer than two are named."""
    if isinstance(coders, str):
        raise AgreementError(f"coders is a list of names, e.g. coders=[{coders!r}, 'another']")
    names = list(dict.fromkeys(coders))
    if len(names) < 2:
        raise AgreementError(
            f"agreement needs at least two coders; got {len(names)}: {', '.join(names) or 'none'}"
        )
    return names


def _common_documents(by_coder: dict[str, set[int]]) -> list[int]:
    """The documents every coder coded, or a clear error saying how many each coded."""
    common = set.intersection(*by_coder.values())
    if not common:
        names = list(by_coder)
        counts = ", ".join(f"{n} coded {len(by_coder[n])}" for n in names)
        raise AgreementError(
            f"no document was coded by all of {', '.join(names)} ({counts} documents); "
            "pass documents=[...] to compare the documents you choose"
        )
    return sorted(common)


def _never_used(frame: pd.DataFrame, codes: list[str], names: list[str]) -> dict[str, list[str]]:
    """Code -> a note naming the coders who never used it in the selected codings."""
    notes: dict[str, list[str]] = {}
    for code in codes:
        users = set(frame.loc[frame["code"] == code, "coder"])
        never = [n for n in names if n not in users]
        if never:
            notes.setdefault(code, []).append(f"never used by {', '.join(never)}")
    return notes


def unit_table(project: Project, unit: str, documents: list[int]) -> pd.DataFrame:
    """Units (sentence, turn or paragraph) of the chosen documents, in text order: what the
    coders' answers are compared on. Older versions are fetched one by one. Columns:
    document_id, start, end, title, case, text."""
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


def presence_matrix(sel: Selection, units: pd.DataFrame) -> np.ndarray:
    """coders x codes x units, in the order of `sel.coders`, `sel.codes` and the rows of
    `units` (from `unit_table`): did the coder code the code somewhere overlapping the unit?"""
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


def _missing(sel: Selection, units: pd.DataFrame) -> np.ndarray:
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
        check_bootstrap(bootstrap, confidence, minimums)


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
    sel = select_codings(project, coders, documents, codes)
    units = unit_table(project, unit, sel.documents)
    present = presence_matrix(sel, units)
    _, n_codes, n_units = present.shape
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
            bootstrap_presence(
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
        row = {"code": code, **presence_statistics(data)}
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
    _check_bootstrap_count(bootstrap, confidence, minimums)
    people = _people(model, coders)
    sel = select_codings(project, [*people, model], documents, codes)
    units = unit_table(project, unit, sel.documents)
    present = presence_matrix(sel, units)
    missing = _missing(sel, units)
    n_codes = present.shape[1]
    me = len(people)

    def pair(a: int, b: int) -> dict[str, Any]:
        two_present, two_missing = present[[a, b]], missing[[a, b]]
        row = presence_statistics(_pooled_data(two_present, two_missing))
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
            options = dict(n_resamples=bootstrap, seed=seed, confidence=confidence)
            interval = bootstrap_presence(tables, pooled=True, minimums=minimums, **options)[-1]
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
    summary = _people_summary(frame, list(between.values()), model, len(units))
    if not bootstrap:
        frame = frame.drop(columns=["alpha_with_model_low", "alpha_with_model_high"])
        summary = {k: v for k, v in summary.items() if k in frame.columns}
    return pd.concat([frame, pd.DataFrame([summary])], ignore_index=True)


def _people(model: str, coders: Sequence[str]) -> list[str]:
    """The people to compare with `model` (a `suggest:<model>` coder), or a clear error."""
    from qualcode.model import is_suggestion

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
    return people


def _people_summary(
    frame: pd.DataFrame, between: list[dict[str, Any]], model: str, units: int
) -> dict[str, Any]:
    """The "(people)" row of `model_agreement`: means over the people's rows, and over every
    pair of people (`between`) for agreement among people, with a sentence as its note."""
    summary: dict[str, Any] = {"coder": PEOPLE}
    for column in frame.columns[1:-2]:
        summary[column] = _mean(frame[column].tolist())
    summary["alpha_with_model_low"] = summary["alpha_with_model_high"] = math.nan
    summary["alpha_with_people"] = _mean([v["alpha"] for v in between])
    summary["kappa_with_people"] = _mean([v["kappa"] for v in between])
    summary["difference"] = summary["alpha_with_model"] - summary["alpha_with_people"]
    summary["units"] = units
    summary["note"] = _model_in_words(
        model, summary["alpha_with_model"], summary["alpha_with_people"]
    )
    return summary


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
    sel = select_codings(project, coders, documents, codes)
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
