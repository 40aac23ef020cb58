"""Codes as stored: the tree read once, and a code found by id, guid, path or name.

Every module that needs a code's path or id asks here (the project, analysis, REFI-QDA, merge).
"""

from __future__ import annotations

import difflib
from typing import Any

from sqlalchemy import Connection, select

from qualcode.errors import NotFoundError
from qualcode.model import Code
from qualcode.store import audit, schema
from qualcode.store.stamps import now


def code_tree(rows: list[Any]) -> list[Code]:
    """Codes from rows of the codes table, depth-first by position, with their paths."""
    children: dict[int | None, list[Any]] = {}
    for row in rows:
        children.setdefault(row.parent_id, []).append(row)
    out: list[Code] = []

    def walk(parent_id: int | None, prefix: str) -> None:
        for row in sorted(children.get(parent_id, []), key=lambda r: (r.position, r.name, r.id)):
            path = f"{prefix}/{row.name}" if prefix else row.name
            out.append(
                Code(
                    id=row.id,
                    guid=row.guid,
                    name=row.name,
                    path=path,
                    parent_id=row.parent_id,
                    description=row.description,
                    inclusion=row.inclusion,
                    exclusion=row.exclusion,
                    example=row.example,
                    color=row.color,
                    shortcut=row.shortcut,
                )
            )
            walk(row.id, path)

    walk(None, "")
    return out


def tree(conn: Connection) -> list[Code]:
    """The whole codebook, depth-first, with paths."""
    return code_tree(conn.execute(select(schema.codes)).all())


def paths(conn: Connection) -> dict[int, str]:
    """Each code's path by id."""
    return {c.id: c.path for c in tree(conn)}


def resolve(
    conn: Connection, ref: Code | int | str | None, tree: list[Code] | None = None
) -> Code:
    """A code by object, id, guid, path or (unique) name, or an error suggesting close names."""
    if isinstance(ref, Code):
        ref = ref.id
    tree = tree if tree is not None else code_tree(conn.execute(select(schema.codes)).all())
    if isinstance(ref, int) and not isinstance(ref, bool):
        for c in tree:
            if c.id == ref:
                return c
        raise NotFoundError(f"no code with id {ref} in the codebook")
    if not isinstance(ref, str):
        raise TypeError(f"a code is a Code, an id, a name or a path, not {type(ref).__name__}")
    wanted = ref.strip()
    matches = [c for c in tree if wanted in (c.path, c.guid)] or [
        c for c in tree if c.name == wanted
    ]
    if len(matches) == 1:
        return matches[0]
    if matches:
        paths = ", ".join(repr(c.path) for c in matches)
        raise NotFoundError(f"more than one code is named {wanted!r} ({paths}); use its path")
    candidates = list(dict.fromkeys([c.name for c in tree] + [c.path for c in tree]))
    close = difflib.get_close_matches(wanted, candidates, n=3, cutoff=0.6)
    hint = (
        f"; did you mean {' or '.join(repr(c) for c in close)}?"
        if close
        else (f"; add it with p.codebook.add({wanted!r})")
    )
    raise NotFoundError(f"no code named {wanted!r} in the codebook{hint}")


def insert_code(
    conn: Connection, values: dict[str, Any], *, actor: str, after: dict[str, Any] | None = None
) -> int:
    """Insert a code (a row of the codes table, checked by the caller) with its audit row, in
    the caller's transaction: the one way a code enters the store (the codebook, a REFI-QDA
    import, a merge). `after` is what the audit row keeps (default: the row's public fields)."""
    code_id: int = conn.execute(schema.codes.insert().values(**values)).inserted_primary_key[0]
    audit.record(
        conn,
        actor=actor,
        action="add",
        object="code",
        object_id=code_id,
        after=after if after is not None else public_fields(values),
    )
    return code_id


def public_fields(values: dict[str, Any]) -> dict[str, Any]:
    """A code row's fields as the audit log keeps them (no timestamps or position)."""
    return {k: v for k, v in values.items() if k not in ("created_at", "updated_at", "position")}


def update_code(conn: Connection, code: Code, values: dict[str, Any], *, actor: str) -> None:
    """Change a code's row (`values` checked by the caller) with its "update" audit row (before:
    the fields as they were), in the caller's transaction."""
    values = {**values, "updated_at": now()}
    conn.execute(schema.codes.update().where(schema.codes.c.id == code.id).values(**values))
    audit.record(
        conn,
        actor=actor,
        action="update",
        object="code",
        object_id=code.id,
        before={k: getattr(code, k) for k in values if hasattr(code, k)},
        after=public_fields(values),
    )
