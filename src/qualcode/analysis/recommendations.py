"""The recommendations register: each recommendation linked to the codes (themes) and the
coded passages (quotes) that support it, with the commissioner's response and a status, so
findings can be followed up. Every change is one transaction with one audit row."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import pandas as pd

from qualcode.errors import NotFoundError, QualcodeError
from qualcode.model import Code
from qualcode.store import areas as area_store
from qualcode.store import codes as code_store
from qualcode.store import new_guid, now
from qualcode.store import recommendations as recommendation_store
from qualcode.views import recommendations as recommendation_views

if TYPE_CHECKING:
    from qualcode.project import Project

COLUMNS = [
    "id",
    "area",
    "text",
    "codes",
    "quotes",
    "quote_texts",
    "response",
    "status",
    "created_by",
    "created_at",
    "updated_at",
]


def _status(value: str) -> str:
    statuses = recommendation_store.STATUSES
    if value not in statuses:
        raise QualcodeError(f"status {value!r} is not one of: {', '.join(statuses)}")
    return value


def _links(
    project: Project, conn: Any, codes: Sequence[Code | int | str], quotes: Sequence[int]
) -> tuple[list[int], list[int]]:
    code_ids = [code_store.resolve(conn, c).id for c in codes]
    ids = [int(q) for q in quotes]
    found = recommendation_views.existing_codings(conn, ids)
    missing = [q for q in ids if q not in found]
    if missing:
        raise NotFoundError(
            f"no coding with id {', '.join(map(str, missing))}; link quotes by coding id "
            "(the index of p.codings_df())"
        )
    return code_ids, ids


def add_recommendation(
    project: Project,
    text: str,
    *,
    area: str | None,
    codes: Sequence[Code | int | str] = (),
    quotes: Sequence[int] = (),
    status: str = "open",
    response: str | None = None,
    by: str | None = None,
) -> int:
    """Add a recommendation for `area` (None: every area), linked to codes (by object, id,
    name or path) and quotes (coding ids); returns its id."""
    if not isinstance(text, str) or not text.strip():
        raise QualcodeError("a recommendation needs its text")
    with project.writing() as conn:
        area_id = None
        if area is not None:
            found = area_store.find_area(conn, area)
            if found is None:
                raise NotFoundError(f"no area {area!r} in this project")
            area_id = found.id
        code_ids, coding_ids = _links(project, conn, codes, quotes)
        stamp = now()
        values = {
            "guid": new_guid(),
            "area_id": area_id,
            "text": text.strip(),
            "codes": code_ids,
            "codings": coding_ids,
            "response": response,
            "status": _status(status),
            "created_by": by or project.user,
            "created_at": stamp,
            "updated_at": stamp,
        }
        return recommendation_store.insert_recommendation(conn, values, actor=by or project.user)


def update_recommendation(
    project: Project,
    recommendation: int,
    *,
    status: str | None = None,
    response: str | None = None,
    text: str | None = None,
    codes: Sequence[Code | int | str] | None = None,
    quotes: Sequence[int] | None = None,
    by: str | None = None,
) -> None:
    """Change a recommendation (a commissioner's response, a new status, its links); audited
    with the values before and after."""
    with project.writing() as conn:
        row = recommendation_store.recommendation_row(conn, recommendation)
        if row is None:
            raise NotFoundError(f"no recommendation with id {recommendation}")
        changes: dict[str, Any] = {}
        if status is not None:
            changes["status"] = _status(status)
        if response is not None:
            changes["response"] = response
        if text is not None:
            if not text.strip():
                raise QualcodeError("a recommendation needs its text")
            changes["text"] = text.strip()
        if codes is not None or quotes is not None:
            code_ids, coding_ids = _links(
                project,
                conn,
                codes if codes is not None else row.codes,
                quotes if quotes is not None else row.codings,
            )
            changes.update(codes=code_ids, codings=coding_ids)
        changes = {k: v for k, v in changes.items() if getattr(row, k) != v}
        if not changes:
            return
        recommendation_store.update_recommendation(conn, row, changes, actor=by or project.user)


def recommendations_df(
    project: Project, *, area: str | None = None, status: str | None = None
) -> pd.DataFrame:
    """The register: one row per recommendation, codes as paths, quotes as coding ids with
    their texts. With `area`, that area's recommendations and those for every area."""
    if status is not None:
        _status(status)
    with project.reading() as conn:
        rows = recommendation_views.recommendation_rows(conn, area=area, status=status)
        paths = code_store.paths(conn)
    ids = sorted({i for row in rows for i in (row.codings or [])})
    texts: dict[int, str] = {}
    if ids:
        frame = project.codings_df()
        texts = frame.loc[frame.index.intersection(ids), "text"].to_dict()
    out = pd.DataFrame(
        [
            {
                "id": row.id,
                "area": row.area or "(all areas)",
                "text": row.text,
                "codes": [paths.get(c, f"(deleted code {c})") for c in row.codes or []],
                "quotes": list(row.codings or []),
                "quote_texts": [texts.get(i, "(coding removed)") for i in row.codings or []],
                "response": row.response,
                "status": row.status,
                "created_by": row.created_by,
                "created_at": pd.Timestamp(row.created_at),
                "updated_at": pd.Timestamp(row.updated_at),
            }
            for row in rows
        ],
        columns=COLUMNS,
    )
    return out.set_index("id")
