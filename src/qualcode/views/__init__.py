"""DataFrames computed from the store: the readable face of the data model.

Each function takes an open connection and returns a fresh DataFrame with readable column
names; nothing here writes. Texts are sliced in Python from each document's text, fetched
once, which is much faster than asking the database for one substring per coding.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import pandas as pd
from sqlalchemy import JSON, Connection, Integer, func, select

from qualcode.errors import QualcodeError
from qualcode.ingest.source import UNIT_KINDS
from qualcode.model import Code, attribute_text, document_question, path_depth
from qualcode.store import schema
from qualcode.store.rounds import visible_codings

d, a, cs, u, c, k = (
    schema.documents,
    schema.areas,
    schema.cases,
    schema.units,
    schema.codings,
    schema.coders,
)


def documents_df(
    conn: Connection,
    *,
    area: str | None,
    all_versions: bool,
    question: str | Sequence[str] | None = None,
) -> pd.DataFrame:
    """One row per document: area, case, title, question (a questionnaire's column, else
    empty), format, version, words, units, turns, codings, then the case's attributes;
    with `question`, only the answers to it (or to any of several)."""
    unit_counts = (
        select(
            u.c.document_id,
            func.sum((u.c.kind == "sentence").cast(Integer)).label("units"),
            func.sum((u.c.kind == "turn").cast(Integer)).label("turns"),
        )
        .group_by(u.c.document_id)
        .subquery()
    )
    coding_counts = (
        select(c.c.document_id, func.count().label("codings")).group_by(c.c.document_id).subquery()
    )
    query = (
        select(
            d.c.id,
            a.c.name.label("area"),
            cs.c.name.label("case"),
            d.c.title,
            d.c.format,
            d.c.version,
            d.c.words,
            func.coalesce(unit_counts.c.units, 0).label("units"),
            func.coalesce(unit_counts.c.turns, 0).label("turns"),
            func.coalesce(coding_counts.c.codings, 0).label("codings"),
            d.c.source,
            d.c.sha256,
            d.c.created_at,
            d.c.is_current,
            d.c.case_id,
            d.c.meta,
        )
        .join(a, a.c.id == d.c.area_id)
        .outerjoin(cs, cs.c.id == d.c.case_id)
        .outerjoin(unit_counts, unit_counts.c.document_id == d.c.id)
        .outerjoin(coding_counts, coding_counts.c.document_id == d.c.id)
        .order_by(a.c.name, d.c.title, d.c.version)
    )
    if area is not None:
        query = query.where(a.c.name == area)
    if not all_versions:
        query = query.where(d.c.is_current == 1)
    frame = _frame(conn, (query))
    frame.insert(4, "question", [document_question(m) for m in frame.pop("meta")])
    if question is not None:
        frame = frame[frame["question"].isin(_as_list(question))]
    frame["is_current"] = frame["is_current"].astype(bool)
    frame["created_at"] = pd.to_datetime(frame["created_at"], utc=True, format="ISO8601")
    if not all_versions:
        frame = frame.drop(columns="is_current")
    frame = _with_case_attributes(conn, frame)
    return frame.set_index("id")


def codes_df(conn: Connection, tree: list[Code]) -> pd.DataFrame:
    """The codebook depth-first, with depth, parent path and use counts."""
    counts = {
        row.code_id: (row.codings, row.documents)
        for row in conn.execute(
            select(
                c.c.code_id,
                func.count().label("codings"),
                func.count(c.c.document_id.distinct()).label("documents"),
            ).group_by(c.c.code_id)
        )
    }
    paths = {code.id: code.path for code in tree}
    rows = [
        {
            "id": code.id,
            "name": code.name,
            "path": code.path,
            "parent": paths.get(code.parent_id) if code.parent_id else None,
            "depth": path_depth(code.path),
            "description": code.description,
            "inclusion": code.inclusion,
            "exclusion": code.exclusion,
            "example": code.example,
            "color": code.color,
            "shortcut": code.shortcut,
            "codings": counts.get(code.id, (0, 0))[0],
            "documents": counts.get(code.id, (0, 0))[1],
        }
        for code in tree
    ]
    columns = [
        "id",
        "name",
        "path",
        "parent",
        "depth",
        "description",
        "inclusion",
        "exclusion",
        "example",
        "color",
        "shortcut",
        "codings",
        "documents",
    ]
    return pd.DataFrame(rows, columns=columns).set_index("id")


# codings_df's own columns, in order (case attributes follow; the index is coding_id)
CODING_COLUMNS = (
    "area",
    "case",
    "title",
    "question",
    "document_id",
    "start",
    "end",
    "text",
    "code",
    "coder",
    "memo",
    "created_at",
    "updated_at",
    "code_id",
)


def codings_df(
    conn: Connection,
    tree: list[Code],
    *,
    area: str | None = None,
    coders: Sequence[str] | None = None,
    code_id: int | None = None,
    all_versions: bool = False,
    viewer: str | None = None,
    question: str | Sequence[str] | None = None,
) -> pd.DataFrame:
    """Every coding with its text, code path, coder, area, case, question (of a
    questionnaire answer) and the case's attributes; codings of earlier document versions
    only with `all_versions`; on documents of an open blind round only `viewer`'s own (when
    a viewer is given); with `question`, only codings of the answers to it."""
    query = select(
        c.c.id.label("coding_id"),
        c.c.document_id,
        c.c.start,
        c.c.end,
        c.c.code_id,
        k.c.name.label("coder"),
        c.c.memo,
        c.c.created_at,
        c.c.updated_at,
    ).join(k, k.c.id == c.c.coder_id)
    query = query.join(d, d.c.id == c.c.document_id)
    if not all_versions:
        query = query.where(d.c.is_current == 1)
    if coders is not None:
        query = query.where(k.c.name.in_(list(coders)))
    if code_id is not None:
        query = query.where(c.c.code_id == code_id)
    if viewer is not None and (blind := visible_codings(conn, viewer)) is not None:
        query = query.where(blind)
    if area is not None:
        query = query.join(a, a.c.id == d.c.area_id).where(a.c.name == area)
    # sorted here rather than in SQL: SQLite's sort of 500,000 rows costs more than the fetch
    codings = _frame(conn, query).sort_values(["document_id", "start", "coding_id"], kind="stable")

    docs = _frame(
        conn,
        (
            select(
                d.c.id.label("document_id"),
                a.c.name.label("area"),
                d.c.case_id,
                cs.c.name.label("case"),
                d.c.title,
                d.c.text,
                d.c.meta,
            )
            .join(a, a.c.id == d.c.area_id)
            .outerjoin(cs, cs.c.id == d.c.case_id)
            .where(d.c.id.in_(select(c.c.document_id).distinct()))
        ),
    )
    docs["question"] = [document_question(m) for m in docs.pop("meta")]
    if question is not None:
        wanted = set(docs.loc[docs["question"].isin(_as_list(question)), "document_id"])
        codings = codings[codings["document_id"].isin(wanted)]
    texts = dict(zip(docs["document_id"], docs["text"], strict=True))
    codings["text"] = [
        texts[doc][start:end]
        for doc, start, end in zip(
            codings["document_id"], codings["start"], codings["end"], strict=True
        )
    ]
    paths = {code.id: code.path for code in tree}
    codings["code"] = codings["code_id"].map(paths)
    codings = codings.merge(docs.drop(columns="text"), on="document_id", how="left")

    codings = _with_case_attributes(conn, codings, keep_case_id=True)
    for col in ("created_at", "updated_at"):
        codings[col] = pd.to_datetime(codings[col], utc=True, format="ISO8601")
    first = ["coding_id", *CODING_COLUMNS]
    rest = [col for col in codings.columns if col not in first and col != "case_id"]
    return codings[first + rest].set_index("coding_id")


def units_df(
    conn: Connection, unit: str, *, area: str | None = None, document_id: int | None = None
) -> pd.DataFrame:
    """Units of one kind with their text, speaker and role, for current documents."""
    if unit not in UNIT_KINDS:
        raise QualcodeError(f"unit {unit!r} is not one of {', '.join(UNIT_KINDS)}")
    query = (
        select(
            u.c.id.label("unit_id"),
            u.c.document_id,
            a.c.name.label("area"),
            cs.c.name.label("case"),
            d.c.title,
            u.c.kind,
            u.c.start,
            u.c.end,
            u.c.speaker,
            u.c.role,
            u.c.meta,
        )
        .join(d, d.c.id == u.c.document_id)
        .join(a, a.c.id == d.c.area_id)
        .outerjoin(cs, cs.c.id == d.c.case_id)
        .where(u.c.kind == unit)
        .order_by(u.c.document_id, u.c.start)
    )
    doc_query = select(d.c.id, d.c.text)
    if document_id is not None:
        query = query.where(u.c.document_id == document_id)
        doc_query = doc_query.where(d.c.id == document_id)
    else:
        query = query.where(d.c.is_current == 1)
        doc_query = doc_query.where(d.c.is_current == 1)
    if area is not None:
        query = query.where(a.c.name == area)
        doc_query = doc_query.join(a, a.c.id == d.c.area_id).where(a.c.name == area)
    frame = _frame(conn, (query))
    texts = dict(conn.execute(doc_query).all())
    frame.insert(
        frame.columns.get_loc("speaker"),
        "text",
        [
            texts[doc][s:e]
            for doc, s, e in zip(frame["document_id"], frame["start"], frame["end"], strict=True)
        ],
    )
    return frame.set_index("unit_id")


def audit_df(conn: Connection, *, document_id: int | None, actor: str | None) -> pd.DataFrame:
    """The audit log, oldest first."""
    t = schema.audit
    query = select(t).order_by(t.c.id)
    if document_id is not None:
        query = query.where(t.c.document_id == document_id)
    if actor is not None:
        query = query.where(t.c.actor == actor)
    frame = _frame(conn, (query))
    frame["at"] = pd.to_datetime(frame["at"], utc=True)
    return frame.set_index("id")


def status(conn: Connection) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per area: documents, words, units, codings; per area and coder: codings, documents."""
    docs = documents_df(conn, area=None, all_versions=False)
    per_area = docs.groupby("area").agg(
        documents=("title", "size"),
        words=("words", "sum"),
        units=("units", "sum"),
        turns=("turns", "sum"),
        codings=("codings", "sum"),
    )
    per_coder = _frame(
        conn,
        (
            select(
                a.c.name.label("area"),
                k.c.name.label("coder"),
                func.count().label("codings"),
                func.count(c.c.document_id.distinct()).label("documents"),
            )
            .select_from(c)
            .join(k, k.c.id == c.c.coder_id)
            .join(d, d.c.id == c.c.document_id)
            .join(a, a.c.id == d.c.area_id)
            .group_by(a.c.name, k.c.name)
            .order_by(a.c.name, k.c.name)
        ),
    )
    return per_area, per_coder


def _with_case_attributes(
    conn: Connection, frame: pd.DataFrame, *, keep_case_id: bool = False
) -> pd.DataFrame:
    """Join the case attributes as columns (`case_` prefixed where a name is taken)."""
    attributes = case_attributes(conn, frame["case_id"].dropna().unique().tolist())
    if not attributes.empty:
        taken = set(frame.columns)
        attributes = attributes.rename(
            columns={col: f"case_{col}" for col in attributes.columns if col in taken}
        )
        frame = frame.merge(attributes, left_on="case_id", right_index=True, how="left")
    return frame if keep_case_id else frame.drop(columns="case_id")


def case_attributes(conn: Connection, case_ids: list[Any]) -> pd.DataFrame:
    """Case attributes as one column per attribute, indexed by case id; a multi-valued
    attribute reads "COPD; diabetes", as every table and report shows it."""
    if not case_ids:
        return pd.DataFrame()
    rows = conn.execute(select(cs.c.id, cs.c.attributes).where(cs.c.id.in_(case_ids))).all()
    return pd.DataFrame.from_records(
        [{k: attribute_text(v) for k, v in (row.attributes or {}).items()} for row in rows],
        index=[row.id for row in rows],
    )


def _as_list(value: str | Sequence[str]) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def _frame(conn: Connection, query: Any) -> pd.DataFrame:
    """A DataFrame from a query, keeping the column names even when empty.

    Rows come straight from the driver's cursor as plain tuples: pandas probes SQLAlchemy's
    Row objects attribute by attribute, which costs more than the query on 500,000 codings.
    """
    compiled = query.compile(dialect=conn.dialect, compile_kwargs={"render_postcompile": True})
    params = compiled.construct_params()
    if compiled.positional:
        args: Any = tuple(params[name] for name in compiled.positiontup or [])
    else:
        args = params
    cursor = conn.connection.driver_connection.cursor()
    try:
        cursor.execute(str(compiled), args)
        keys = [d[0] for d in cursor.description]
        rows = cursor.fetchall()
    finally:
        cursor.close()
    frame = pd.DataFrame.from_records(rows, columns=keys, coerce_float=False)
    for column in query.selected_columns:  # the driver hands back JSON as text on SQLite
        if isinstance(column.type, JSON) and column.name in frame:
            frame[column.name] = [
                json.loads(v) if isinstance(v, str) else v for v in frame[column.name]
            ]
    return frame
