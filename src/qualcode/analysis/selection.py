"""Which coding analysis uses: every person's, the consensus, or named coders."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import TYPE_CHECKING

import pandas as pd

from qualcode.model import is_suggestion, split_path
from qualcode.store.identity import require_coders
from qualcode.views import coders as coder_views
from qualcode.views import texts as text_views

if TYPE_CHECKING:
    from qualcode.project import Project

CoderChoice = str | Sequence[str] | None


def coders_for(project: Project, coder: CoderChoice) -> list[str]:
    """The coder names a choice stands for: None is every person (role "coder")."""
    with project.reading() as conn:
        if coder is not None:
            names = [coder] if isinstance(coder, str) else list(coder)
            return require_coders(conn, names)
        return coder_views.people(conn)


def select_codings(
    project: Project,
    *,
    area: str | None = None,
    coder: CoderChoice = None,
    question: str | Sequence[str] | None = None,
) -> pd.DataFrame:
    """`codings_df` for the chosen coding (see the package docstring), of the answers to
    `question` only when given, with `participant`: a unique key for the person (area and
    case), so counts never merge two areas' cases."""
    names = coders_for(project, coder)
    frame = project.codings_df(area=area, coder=names or None, question=question)
    if not names:
        frame = frame.iloc[0:0]
    if coder is None:  # belt and braces: a person's coding only
        frame = frame[~frame["coder"].map(is_suggestion).astype(bool)]  # bool when empty too
    frame = frame.copy()
    frame["participant"] = frame["area"].astype(str) + "/" + frame["case"].astype(str)
    frame["code_name"] = [code_name(path) for path in frame["code"].astype(str)]
    return frame


def pseudonym(guid: str, area: str, case: str) -> str:
    """A stable pseudonymous case id such as `WOR-3F9A1C`: a keyed hash (the project's guid
    is the key), so it cannot be turned back into the case name without the store."""
    digest = hashlib.sha256(f"{guid}\0{area}\0{case}".encode()).hexdigest()[:6].upper()
    prefix = "".join(ch for ch in area.upper() if ch.isalpha())[:3] or "CASE"
    return f"{prefix}-{digest}"


def case_ids(guid: str, areas: Sequence[str], cases: Sequence[str]) -> list[str]:
    """`pseudonym` of each (area, case): the one column of case ids every table shares."""
    return [pseudonym(guid, a, c) for a, c in zip(areas, cases, strict=True)]


def merge_passages(codings: pd.DataFrame, texts: dict[int, str]) -> pd.DataFrame:
    """One passage per code and stretch of text: overlapping codings of the same code (by any
    of the chosen coders) are merged, so two coders' highlight of one sentence counts once."""
    columns = ["code", "area", "case", "participant", "document_id", "title", "start", "end"]
    ordered = codings.sort_values(["code", "document_id", "start", "end"], kind="stable")
    rows: list[dict[str, object]] = []
    for values, coder in zip(
        ordered[columns].itertuples(index=False, name=None), ordered["coder"], strict=True
    ):
        row = dict(zip(columns, values, strict=True))
        last = rows[-1] if rows else None
        if (
            last is not None
            and last["code"] == row["code"]
            and last["document_id"] == row["document_id"]
            and row["start"] < last["end"]  # type: ignore[operator]
        ):
            last["end"] = max(last["end"], row["end"])  # type: ignore[type-var]
            last["coders"].add(coder)  # type: ignore[attr-defined]
            continue
        row["coders"] = {coder}
        rows.append(row)
    for row in rows:
        doc, s, e = int(row["document_id"]), int(row["start"]), int(row["end"])  # type: ignore[call-overload]
        row.update(document_id=doc, start=s, end=e, text=texts[doc][s:e])
        row["coders"] = ", ".join(sorted(row["coders"]))  # type: ignore[call-overload]
        row["code_name"] = code_name(str(row["code"]))
    order = [*columns[:1], "code_name", *columns[1:], "text", "coders"]
    return pd.DataFrame(rows, columns=order)


def document_texts(project: Project, ids: Sequence[int]) -> dict[int, str]:
    """Document id -> text, to slice the passages of many codings from."""
    with project.reading() as conn:
        return text_views.document_texts(conn, ids)


def code_name(path: str) -> str:
    """A code's own name, from its path."""
    return split_path(path)[-1]


def short_names(paths: Sequence[str]) -> dict[str, str]:
    """Code paths to readable labels: the code's own name, or its path where names repeat."""
    names = [code_name(p) for p in paths]
    return {p: n if names.count(n) == 1 else p for p, n in zip(paths, names, strict=True)}
