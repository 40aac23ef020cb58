"""Codes as stored: the tree read once, a code found by id, guid, path or name, and the
writes that keep the tree valid (unique names among siblings, one code per shortcut key, no
code under itself).

Every module that needs a code's path or id asks here (the project, analysis, REFI-QDA, merge).
"""

from __future__ import annotations

import difflib
import re
from numbers import Integral
from typing import Any

from sqlalchemy import Connection, func, select

from qualcode.errors import CodebookError, NotFoundError
from qualcode.model import (
    PALETTE,
    Code,
    check_code_name,
    check_color,
    check_name,
    clean_text,
    join_path,
    parent_path,
    plain_path,
    split_path,
)
from qualcode.store import audit, schema
from qualcode.store.changes import mark as mark_changed
from qualcode.store.stamps import new_guid, now

TEXT_FIELDS = ("description", "inclusion", "exclusion", "example")
CHANGEABLE = frozenset({"name", "parent", "color", "shortcut", *TEXT_FIELDS})
_SHORTCUT = re.compile(r"^[0-9a-z]$")
# what the Coder does with keys that are not a code's (named when a bad key is refused)
RESERVED_KEYS = "/ . [ ] Enter, Backspace, Esc and the arrows"


def code_tree(rows: list[Any]) -> list[Code]:
    """Codes from rows of the codes table, depth-first by position, with their paths."""
    children: dict[int | None, list[Any]] = {}
    for row in rows:
        children.setdefault(row.parent_id, []).append(row)
    out: list[Code] = []

    def walk(parent_id: int | None, above: tuple[str, ...]) -> None:
        for row in sorted(children.get(parent_id, []), key=lambda r: (r.position, r.name, r.id)):
            names = (*above, row.name)
            path = join_path(names)
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
            walk(row.id, names)

    walk(None, ())
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
    """A code by object, id, guid, path or (unique) name, or an error suggesting close names.
    A path typed without the escape for a "/" inside a name ("Access/Transport to/ from
    services") finds its code too, when only one code reads that way."""
    if isinstance(ref, Code):
        ref = ref.id
    tree = tree if tree is not None else code_tree(conn.execute(select(schema.codes)).all())
    if isinstance(ref, Integral) and not isinstance(ref, bool):
        for c in tree:
            if c.id == ref:
                return c
        raise NotFoundError(f"no code with id {ref} in the codebook")
    if not isinstance(ref, str):
        raise TypeError(f"a code is a Code, an id, a name or a path, not {type(ref).__name__}")
    wanted = ref.strip()
    matches = [c for c in tree if wanted in (c.path, c.guid)] or [
        c for c in tree if wanted in (c.name, plain_path(c.path))
    ]
    if len(matches) == 1:
        return matches[0]
    if matches:
        paths = ", ".join(repr(c.path) for c in matches)
        escape = ", with a '/' inside a name written '\\/'" if "/" in wanted else ""
        raise NotFoundError(
            f"more than one code is named {wanted!r} ({paths}); use its path{escape}"
        )
    candidates = list(dict.fromkeys([c.name for c in tree] + [c.path for c in tree]))
    close = difflib.get_close_matches(wanted, candidates, n=3, cutoff=0.6)
    hint = (
        f"; did you mean {' or '.join(repr(c) for c in close)}?"
        if close
        else (f"; add it with p.codebook.add({wanted!r})")
    )
    raise NotFoundError(f"no code named {wanted!r} in the codebook{hint}")


def insert_code(
    conn: Connection,
    values: dict[str, Any],
    *,
    actor: str,
    after: dict[str, Any] | None = None,
    action: str = "add",
) -> int:
    """Insert a code (a row of the codes table, checked by the caller) with its audit row, in
    the caller's transaction: the one way a code enters the store (the codebook, a REFI-QDA
    import, a merge, a restore). `after` is what the audit row keeps (default: the row's
    public fields)."""
    values = _storable(values)
    code_id: int = conn.execute(schema.codes.insert().values(**values)).inserted_primary_key[0]
    mark_changed(conn)
    audit.record(
        conn,
        actor=actor,
        action=action,
        object="code",
        object_id=code_id,
        after=after if after is not None else public_fields(values),
    )
    return code_id


def update_code(conn: Connection, code_id: int, values: dict[str, Any], *, actor: str) -> None:
    """Change a code's stored fields (checked by the caller) with its audit row of what they
    were and are, in the caller's transaction; its `updated_at` becomes now."""
    t = schema.codes
    values = _storable(values)
    current = conn.execute(select(t).where(t.c.id == code_id)).one()._mapping
    before = {k: current[k] for k in values}
    conn.execute(t.update().where(t.c.id == code_id).values(**values, updated_at=now()))
    mark_changed(conn)
    audit.record(
        conn,
        actor=actor,
        action="update",
        object="code",
        object_id=code_id,
        before=before,
        after=public_fields(values),
    )


def _storable(values: dict[str, Any]) -> dict[str, Any]:
    """A code row as it can be stored: a name without control characters (else an error),
    descriptions and criteria without NULs or lone surrogates."""
    if "name" in values:
        check_name(values["name"], "code", CodebookError)
    texts = {k: clean_text(values[k]) for k in TEXT_FIELDS if isinstance(values.get(k), str)}
    return {**values, **texts}


def public_fields(values: dict[str, Any]) -> dict[str, Any]:
    """A code row's fields as the audit log keeps them (no timestamps or position)."""
    return {k: v for k, v in values.items() if k not in ("created_at", "updated_at", "position")}


def count(conn: Connection) -> int:
    """How many codes the codebook has."""
    return conn.execute(select(func.count()).select_from(schema.codes)).scalar_one()


def usage_counts(conn: Connection, code_ids: list[int] | None = None) -> dict[int, int]:
    """Codings per code id (of `code_ids`, default all; codes never used are left out)."""
    c = schema.codings
    query = select(c.c.code_id, func.count()).group_by(c.c.code_id)
    if code_ids is not None:
        query = query.where(c.c.code_id.in_(code_ids))
    return {code_id: n for code_id, n in conn.execute(query)}


def add_code(
    conn: Connection,
    name: str,
    *,
    actor: str,
    parent: Code | int | str | None = None,
    description: str = "",
    color: str | None = None,
    inclusion: str = "",
    exclusion: str = "",
    example: str = "",
    shortcut: str | None = None,
) -> Code:
    """Check and add a code (last under `parent`, if given) with its audit row, in the
    caller's transaction (the codebook, a codebook file); colours default to the palette."""
    name = check_code_name(name)
    codes = tree(conn)
    parent_id = resolve(conn, parent, codes).id if parent is not None else None
    check_unique(codes, name, parent_id)
    stamp = now()
    values = {
        "guid": new_guid(),
        "parent_id": parent_id,
        "name": name,
        "color": check_color(color) if color else PALETTE[len(codes) % len(PALETTE)],
        "shortcut": check_shortcut(codes, shortcut, _path_of(codes, parent_id, name)),
        "description": description or "",
        "inclusion": inclusion or "",
        "exclusion": exclusion or "",
        "example": example or "",
        "position": sum(1 for c in codes if c.parent_id == parent_id),
        "created_at": stamp,
        "updated_at": stamp,
    }
    return resolve(conn, insert_code(conn, values, actor=actor))


def change_code(
    conn: Connection, ref: Code | int | str, changes: dict[str, Any], *, actor: str
) -> Code:
    """Check and make `changes` (keys of `CHANGEABLE`) to a code with its audit row, in the
    caller's transaction (the codebook, a codebook file, a merge); the code as it now is."""
    unknown = set(changes) - CHANGEABLE
    if unknown:
        raise CodebookError(
            f"cannot change {', '.join(sorted(unknown))} of a code; "
            f"changeable: {', '.join(sorted(CHANGEABLE))}"
        )
    codes = tree(conn)
    code = resolve(conn, ref, codes)
    others = [c for c in codes if c.id != code.id]
    values: dict[str, Any] = {}
    if "parent" in changes:
        parent = changes["parent"]
        parent_id = resolve(conn, parent, codes).id if parent is not None else None
        if parent_id is not None and is_within(codes, parent_id, code.id):
            raise CodebookError(f"cannot move {code.path!r} under itself or its children")
        values["parent_id"] = parent_id
    name = check_code_name(changes["name"]) if "name" in changes else code.name
    parent_id = values.get("parent_id", code.parent_id)
    if (name, parent_id) != (code.name, code.parent_id):
        check_unique(others, name, parent_id)
        values["name"] = name
    if "color" in changes:
        values["color"] = check_color(changes["color"])
    if "shortcut" in changes:
        values["shortcut"] = check_shortcut(others, changes["shortcut"], code.path)
    for key in TEXT_FIELDS:
        if key in changes:
            values[key] = changes[key] or ""
    if not values:
        return code
    update_code(conn, code.id, values, actor=actor)
    return resolve(conn, code.id)


def _path_of(codes: list[Code], parent_id: int | None, name: str) -> str:
    """The path a new code `name` under `parent_id` will have."""
    above = next((c.path for c in codes if c.id == parent_id), None)
    return join_path((*(split_path(above) if above is not None else ()), name))


def append_children(conn: Connection, code_ids: list[int], parent_id: int) -> None:
    """Move codes, in order, to the end of `parent_id`'s children. No audit row of its own:
    the caller's says why (a merge)."""
    t = schema.codes
    last = conn.execute(select(func.max(t.c.position)).where(t.c.parent_id == parent_id))
    start = last.scalar_one()
    position = 0 if start is None else start + 1
    stamp = now()
    for offset, code_id in enumerate(code_ids):
        conn.execute(
            t.update()
            .where(t.c.id == code_id)
            .values(parent_id=parent_id, position=position + offset, updated_at=stamp)
        )
    mark_changed(conn)


def delete_code(
    conn: Connection,
    code_id: int,
    *,
    actor: str,
    action: str = "delete",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    """Delete one code (its codings, memos and children already seen to) with its audit row,
    in the caller's transaction (a deleted code, one merged into another)."""
    conn.execute(schema.codes.delete().where(schema.codes.c.id == code_id))
    mark_changed(conn)
    audit.record(
        conn,
        actor=actor,
        action=action,
        object="code",
        object_id=code_id,
        before=before,
        after=after,
    )


def code_record(code: Code) -> dict[str, Any]:
    """A code's fields as the audit log keeps them, so a deleted code can be rebuilt."""
    return {
        "guid": code.guid,
        "name": code.name,
        "path": code.path,
        "parent_id": code.parent_id,
        "description": code.description,
        "inclusion": code.inclusion,
        "exclusion": code.exclusion,
        "example": code.example,
        "color": code.color,
        "shortcut": code.shortcut,
    }


def is_within(codes: list[Code], node_id: int, ancestor_id: int) -> bool:
    """Whether `node_id` is `ancestor_id` or one of the codes under it."""
    parents = {c.id: c.parent_id for c in codes}
    current: int | None = node_id
    while current is not None:
        if current == ancestor_id:
            return True
        current = parents.get(current)
    return False


def check_unique(codes: list[Code], name: str, parent_id: int | None) -> None:
    """Refuse a second code of this name (in any case) under the same parent."""
    for c in codes:
        if c.parent_id == parent_id and c.name.casefold() == name.casefold():
            where = (
                "at the top of the codebook"
                if parent_id is None
                else (f"under {parent_path(c.path)!r}")
            )
            raise CodebookError(f"a code named {c.name!r} already exists {where}")


def check_shortcut(codes: list[Code], shortcut: str | None, code: str = "") -> str | None:
    """The shortcut as stored (one lower-case key, or None), refused if another code has it.
    `code` (the path of the code getting it) names it in the message: with a key on any of
    200 codes, "which code?" is the first question."""
    if shortcut in (None, ""):
        return None
    shortcut = str(shortcut).strip().lower()
    which = f" for code {plain_path(code)!r}" if code else ""  # as a person would write it
    if not _SHORTCUT.match(shortcut):
        raise CodebookError(
            f"the key {shortcut!r}{which} must be one key: a letter (a-z) or a digit (0-9); "
            f"{RESERVED_KEYS} are the Coder's own keys"
        )
    for c in codes:
        if c.shortcut == shortcut:
            holder = plain_path(c.path)
            raise CodebookError(
                f"the key {shortcut!r}{which} is already used by {holder!r}; choose another "
                f"key, or take it off {holder!r} first"
            )
    return shortcut
