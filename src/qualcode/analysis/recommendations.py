"""The recommendations register: each recommendation linked to the codes (themes) and the
coded passages (quotes) that support it, with the commissioner's response and a status, so
findings can be followed up. Every change is one transaction with one audit row."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import pandas as pd
from sqlalchemy import select

from qualcode.errors import NotFoundError, QualcodeError
from qualcode.model import Code
from qualcode.store import audit, new_guid, now, schema
from qualcode.store import codes as code_store
from qualcode.store.schema import RECOMMENDATION_STATUSES

if TYPE_CHECKING:
    from qualcode.project import Project

r, a = schema.recommendations, schema.areas
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
    if value not in RECOMMENDATION_STATUSES:
        raise QualcodeError(f"status {value!r} is not one of: {', '.join(RECOMMENDATION_STATUSES)}")
    return value


def _links(
    project: Project, conn: Any, codes: Sequence[Code | int | str], quotes: Sequence[int]
) -> tuple[list[int], list[int]]:
    code_ids = [code_store.resolve(conn, c).id for c in codes]
    k = schema.codings
    ids = [int(q) for q in quotes]
    found = set(conn.execute(select(k.c.id).where(k.c.id.in_(ids))).scalars()) if ids else set()
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
            area_id = conn.execute(select(a.c.id).where(a.c.name == area)).scalar()
            if area_id is None:
                raise NotFoundError(f"no area {area!r} in this project")
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
        rec_id = conn.execute(r.insert().values(**values)).inserted_primary_key[0]
        audit.record(
            conn,
            actor=by or project.user,
            action="add",
            object="recommendation",
            object_id=rec_id,
            after={k: v for k, v in values.items() if k not in ("guid",)},
        )
    return int(rec_id)


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
        row = conn.execute(select(r).where(r.c.id == recommendation)).first()
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
        conn.execute(r.update().where(r.c.id == row.id).values(**changes, updated_at=now()))
        audit.record(
            conn,
            actor=by or project.user,
            action="update",
            object="recommendation",
            object_id=row.id,
            before={k: getattr(row, k) for k in changes},
            after=changes,
        )


def recommendations_df(
    project: Project, *, area: str | None = None, status: str | None = None
) -> pd.DataFrame:
    """The register: one row per recommendation, codes as paths, quotes as coding ids with
    their texts. With `area`, that area's recommendations and those for every area."""
    query = select(r, a.c.name.label("area")).outerjoin(a, a.c.id == r.c.area_id).order_by(r.c.id)
    if area is not None:
        query = query.where((a.c.name == area) | r.c.area_id.is_(None))
    if status is not None:
        query = query.where(r.c.status == _status(status))
    with project.reading() as conn:
        rows = conn.execute(query).all()
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
