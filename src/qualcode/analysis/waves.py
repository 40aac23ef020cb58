"""Waves: which round of fieldwork each person was heard in, and theme shares by wave.

A wave comes from a case attribute: either a wave itself (`wave`: "1", "2", "Spring 2026"),
or a date (`interview_date`: "2026-03-14" or "14/03/2026"), grouped into periods (quarters by
default; months, halves or years). No new table: waves are read from the case attributes
ingest already keeps (participants.csv), so adding a `wave` column is all a project needs.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING

import pandas as pd

from qualcode.analysis.selection import CoderChoice, select_codings, short_names
from qualcode.errors import QualcodeError
from qualcode.store import areas as area_store

if TYPE_CHECKING:
    from qualcode.project import Project

NOT_RECORDED = "(not recorded)"
PERIODS = ("month", "quarter", "half", "year")
DEFAULT_WAVES = {"by": "wave", "period": "quarter"}
_DATE = re.compile(r"^\s*(\d{4}-\d{1,2}(-\d{1,2})?|\d{1,2}/\d{1,2}/\d{4})")


def _as_dates(values: pd.Series) -> pd.Series | None:
    """The values as dates if every recorded one is a date (ISO or day/month/year)."""
    text = values.dropna().astype(str)
    if text.empty or not text.map(lambda v: bool(_DATE.match(v))).all():
        return None
    iso = pd.to_datetime(values.where(values.notna()), format="ISO8601", errors="coerce")
    uk = pd.to_datetime(values.where(values.notna()), format="%d/%m/%Y", errors="coerce")
    return iso.fillna(uk)


def period_of(when: pd.Timestamp, period: str) -> tuple[str, int]:
    """A date's period in plain words ("2026 Q1", "March 2026") and a key that sorts it."""
    if period not in PERIODS:
        raise QualcodeError(
            f"period {period!r} is not one of: {', '.join(PERIODS)}; set `period` in "
            "pipelines/areas.yaml"
        )
    year, month = when.year, when.month
    if period == "month":
        return when.strftime("%B %Y"), year * 100 + month
    if period == "quarter":
        return f"{year} Q{(month - 1) // 3 + 1}", year * 100 + (month - 1) // 3
    if period == "half":
        return f"{year} H{1 if month <= 6 else 2}", year * 100 + (month > 6)
    return str(year), year * 100


def wave_settings(project: Project, area: str) -> dict[str, str]:
    """How the area's waves are found: `by` (a case attribute) and `period` (for dates), as
    pipelines/areas.yaml set them (`waves:`), else a `wave` attribute by quarter."""
    with project.reading() as conn:
        stored = (area_store.area_row(conn, area).config or {}).get("waves") or {}
    return {**DEFAULT_WAVES, **stored}


def set_wave_settings(
    project: Project, area: str, *, by: str = "wave", period: str = "quarter", actor: str = ""
) -> bool:
    """Record how the area's waves are found (audited); returns whether anything changed."""
    if not isinstance(by, str) or not by.strip():
        raise QualcodeError(f"waves for area {area!r}: `by` must name a case attribute")
    if period not in PERIODS:
        raise QualcodeError(
            f"waves for area {area!r}: period {period!r} is not one of: {', '.join(PERIODS)}"
        )
    value = {"by": by.strip(), "period": period}
    with project.writing() as conn:
        return area_store.set_setting(conn, area, "waves", value, actor=actor or project.user)


def apply_wave_config(
    project: Project, settings: Mapping[str, Mapping[str, str]], *, actor: str = "pipeline"
) -> list[str]:
    """Record each area's `waves:` from pipelines/areas.yaml; returns the areas changed."""
    known = set(project.areas())
    changed = []
    for area, spec in settings.items():
        unknown = set(spec or {}) - set(DEFAULT_WAVES)
        if unknown:
            raise QualcodeError(
                f"waves for area {area!r}: unknown setting {', '.join(sorted(unknown))}; "
                "use `by:` (a case attribute) and `period:` (month, quarter, half or year)"
            )
        if area in known and spec:
            merged = {**DEFAULT_WAVES, **spec}
            if set_wave_settings(project, area, **merged, actor=actor):  # type: ignore[arg-type]
                changed.append(area)
    return changed


def _wave_label(value: str) -> str:
    return f"Wave {value}" if value.isdigit() else value


def case_waves(
    project: Project,
    *,
    area: str | None = None,
    by: str = "wave",
    period: str = "quarter",
) -> pd.DataFrame:
    """One row per person (area, case): `wave`, in plain words, and `order`, which sorts the
    waves in time. `by` is the case attribute holding a wave or a date; dates are grouped
    into `period`s. A person with no value is in the wave "(not recorded)", last."""
    docs = project.documents_df(area=area)
    if docs.empty:
        return pd.DataFrame(columns=["area", "case", "wave", "order"])
    if by not in docs.columns:
        attrs = [c for c in docs.columns if c not in _DOCUMENT_COLUMNS]
        raise QualcodeError(
            f"no case attribute {by!r} to take waves from in {project.location}; add a "
            f"`{by}` column to participants.csv, or set `wave_by` in pipelines/areas.yaml to "
            f"one of: {', '.join(attrs) or 'no attributes recorded'}"
        )
    people = docs.groupby(["area", "case"], sort=True)[by].first().reset_index()
    values = people[by].where(people[by].notna() & (people[by].astype(str).str.strip() != ""))
    dates = _as_dates(values)
    if dates is not None:
        found = [period_of(d, period) if not pd.isna(d) else (NOT_RECORDED, 10**9) for d in dates]
    else:
        text = [None if pd.isna(v) else str(v).strip() for v in values]
        numbers = sorted({t for t in text if t and t.isdigit()}, key=int)
        words = sorted({t for t in text if t and not t.isdigit()})
        rank = {t: i for i, t in enumerate([*numbers, *words])}
        found = [(_wave_label(t), rank[t]) if t else (NOT_RECORDED, 10**9) for t in text]
    people["wave"] = [label for label, _ in found]
    people["order"] = [key for _, key in found]
    return people[["area", "case", "wave", "order"]]


def wave_order(waves: pd.DataFrame) -> list[str]:
    """The waves in time order."""
    return list(waves.sort_values("order").drop_duplicates("wave")["wave"])


def shares_by_wave(
    project: Project,
    *,
    area: str | None = None,
    coder: CoderChoice = None,
    by: str = "wave",
    period: str = "quarter",
    per_area: bool = False,
) -> pd.DataFrame:
    """Per wave (and per area with `per_area`) and code: `people` heard in that wave,
    `participants` who raised the code and `share`, the percentage of the wave's people
    who did. Every code used anywhere is listed in every wave, with zeros where unraised."""
    waves = case_waves(project, area=area, by=by, period=period)
    keys = ["area", "wave"] if per_area else ["wave"]
    columns = [*keys, "code", "name", "participants", "people", "share"]
    if waves.empty:
        return pd.DataFrame(columns=columns)
    waves = waves.assign(participant=waves["area"].astype(str) + "/" + waves["case"].astype(str))
    people = waves.groupby(keys)["participant"].nunique().rename("people").reset_index()
    codings = select_codings(project, area=area, coder=coder)
    coded = codings[["participant", "code"]].merge(
        waves[["participant", *keys]], on="participant", how="inner"
    )
    raised = coded.groupby([*keys, "code"])["participant"].nunique().rename("participants")
    codes = sorted(codings["code"].unique())
    grid = people.merge(pd.DataFrame({"code": codes}), how="cross")
    frame = grid.merge(raised.reset_index(), on=[*keys, "code"], how="left")
    frame["participants"] = frame["participants"].fillna(0).astype(int)
    frame["share"] = (100 * frame["participants"] / frame["people"]).round(1)
    frame["name"] = frame["code"].map(short_names(codes)) if codes else []
    order = {w: i for i, w in enumerate(wave_order(waves))}
    frame["_order"] = frame["wave"].map(order)
    sort = ["area", "_order", "code"] if per_area else ["_order", "code"]
    return frame.sort_values(sort).drop(columns="_order")[columns].reset_index(drop=True)


def wave_table(shares: pd.DataFrame, *, top: int = 12) -> pd.DataFrame:
    """Themes (rows, the `top` most raised) by wave (columns), each cell "3 of 5 people
    (60%)": the share with its base, so a change from one or two people reads as such."""
    if shares.empty:
        return pd.DataFrame()
    totals = shares.groupby("name")["participants"].sum().sort_values(ascending=False)
    names = [n for n in totals.index if totals[n] > 0][:top]
    waves = list(dict.fromkeys(shares["wave"]))
    table = pd.DataFrame(index=pd.Index(names, name="Theme"), columns=waves, dtype=object)
    for row in shares[shares["name"].isin(names)].itertuples():
        table.loc[row.name, row.wave] = people_of(row.participants, row.people)
    table.columns.name = None
    return table


def people_of(part: int, whole: int) -> str:
    """ "3 of 5 people (60%)", the percentage only with its base, and none for a base of 0."""
    if not whole:
        return "nobody heard"
    noun = "person" if whole == 1 else "people"
    return f"{part} of {whole} {noun} ({round(100 * part / whole)}%)"


_DOCUMENT_COLUMNS = {
    "area", "case", "title", "question", "format", "version", "words", "units", "turns",
    "codings", "source", "sha256", "created_at", "case_id",
}  # fmt: skip


def over_time(
    project: Project,
    *,
    area: str | None = None,
    coder: CoderChoice = None,
    by: str = "wave",
    period: str = "quarter",
) -> tuple[str, pd.DataFrame]:
    """The "over time" section: a sentence on the waves (Markdown) and the themes by wave
    (empty when there are no waves, or only one, to compare)."""
    try:
        found = case_waves(project, area=area, by=by, period=period)
    except QualcodeError:
        return (
            f"Waves are not recorded yet: add a {by} column (a wave number or an interview "
            "date) to participants.csv to follow themes over time.",
            pd.DataFrame(),
        )
    order = wave_order(found)
    counts = found.groupby("wave")["case"].size()
    each = "; ".join(f"{w}: {counts[w]} {'person' if counts[w] == 1 else 'people'}" for w in order)
    if len(order) < 2:
        return (f"Everyone was heard in one wave ({each}): nothing to compare yet.", pd.DataFrame())
    shares = shares_by_wave(project, area=area, coder=coder, by=by, period=period)
    text = (
        f"People were heard in {len(order)} waves ({each}). Each cell is the number of that "
        "wave's people who raised the theme, of everyone heard in the wave: with few people "
        "in a wave, a change of one or two people moves the percentage a lot."
    )
    return text, wave_table(shares)
