"""Bringing a deleted code back from the audit log, with the codes under it, their codings and
the memos that were on them.

Deleting a code writes, on the audit row of the code named, what went with it (`deleted_with`);
each code's and coding's own "delete" row keeps its fields. `plan_restore` reads them back and
checks that the code can come back (its parent and the coded documents still there, its name
free); `restore` writes them in one transaction, with the same ids and guids where still free.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select

from qualcode.errors import CodebookError, NotFoundError
from qualcode.model import Code, parent_path, plain_path
from qualcode.store import audit, schema
from qualcode.store.bulk import in_chunks
from qualcode.store.codes import TEXT_FIELDS, check_unique, insert_code, tree
from qualcode.store.identity import coder_id_for
from qualcode.store.stamps import new_guid, now


def deleted_with(subtree: Sequence[Code], rows: Sequence[Any], memos: dict[int, int]) -> dict:
    """What a deleted code's audit row keeps of all that went with it: its codes (depth-first,
    itself first), the codings of them, and the memos that were on them."""
    return {
        "codes": [c.id for c in subtree],
        "codings": [row.id for row in rows],
        "memos": [[memo_id, code_id] for memo_id, code_id in memos.items()],
    }


@dataclass
class RestorePlan:
    """A deleted code as the audit log keeps it, checked and ready to write back."""

    audit_id: int
    path: str
    parent_id: int | None  # the parent it goes back under, as it is now
    codes: list[tuple[int, dict[str, Any]]]  # (old id, fields), depth-first
    codings: list[tuple[int, int, dict[str, Any]]]  # (old id, document id, fields)
    memos: list[tuple[int, int]]  # (memo id, old code id)
    coders: dict[str, int]  # whose codings come back, and how many


def plan_restore(conn: Connection, ref: str) -> RestorePlan:
    """The newest deletion of the code named `ref` (name, path or guid), or a clear error."""
    deletions = _code_deletions(conn)
    matching = [row for row in deletions if ref in _names(row.before)]
    top = next((row for row in matching if row.after and "codes" in row.after), None)
    if top is None:
        raise NotFoundError(_not_found(ref, matching, deletions))
    before = top.before
    gone = conn.execute(select(schema.codes.c.id).where(schema.codes.c.guid == before["guid"]))
    if gone.first() is not None:
        raise CodebookError(f"code {before['path']!r} is in the codebook; nothing to restore")
    parent_id = _parent_now(conn, before["path"])
    check_unique(tree(conn), before["name"], parent_id)
    latest = {row.object_id: row.before for row in deletions if row.id <= top.id}
    codes = [(code_id, latest[code_id]) for code_id in top.after["codes"] if code_id in latest]
    codings = _deleted_codings(conn, top.after["codings"], top.id)
    docs = {doc for _, doc, _ in codings}
    d = schema.documents
    there = set(conn.execute(select(d.c.id).where(d.c.id.in_(sorted(docs)))).scalars())
    if missing := sorted(docs - there):
        raise CodebookError(
            f"cannot restore code {before['path']!r}: its codings are on documents that are "
            f"gone (ids {', '.join(map(str, missing))}); nothing was restored"
        )
    return RestorePlan(
        audit_id=top.id,
        path=before["path"],
        parent_id=parent_id,
        codes=codes,
        codings=codings,
        memos=[(memo, code) for memo, code in top.after.get("memos", [])],
        coders=dict(Counter(fields["coder"] for _, _, fields in codings).most_common()),
    )


def restore(conn: Connection, plan: RestorePlan, *, actor: str) -> int:
    """Write a planned restore, audited as "restore"; the id of the code named."""
    new_ids: dict[int, int] = {}
    taken_keys = {c.shortcut for c in tree(conn) if c.shortcut}
    for position, (old_id, fields) in enumerate(plan.codes):
        parent = plan.parent_id if not new_ids else new_ids[fields["parent_id"]]
        shortcut = fields.get("shortcut")
        stamp = now()
        values = {
            "guid": fields["guid"],
            "parent_id": parent,
            "name": fields["name"],
            "color": fields["color"],
            "shortcut": None if shortcut in taken_keys else shortcut,
            **{k: fields.get(k) or "" for k in TEXT_FIELDS},
            "position": _last_position(conn, parent) if not new_ids else position,
            "created_at": stamp,
            "updated_at": stamp,
        }
        if _free(conn, schema.codes, old_id):
            values["id"] = old_id
        after = {**fields, "restored_from": plan.audit_id, "id_was": old_id}
        new_ids[old_id] = insert_code(conn, values, actor=actor, action="restore", after=after)
    paths = {fields["path"]: new_ids[old_id] for old_id, fields in plan.codes}
    for old_id, document_id, fields in plan.codings:
        _restore_coding(conn, old_id, document_id, fields, paths[fields["code"]], actor=actor)
    m = schema.memos
    for memo_id, old_code in plan.memos:
        conn.execute(
            m.update()
            .where(m.c.id == memo_id, m.c.code_id.is_(None))
            .values(code_id=new_ids[old_code])
        )
    return new_ids[plan.codes[0][0]]


def _restore_coding(
    conn: Connection,
    old_id: int,
    document_id: int,
    fields: dict[str, Any],
    code_id: int,
    *,
    actor: str,
) -> None:
    k = schema.codings
    guid = fields.get("guid")
    if not guid or conn.execute(select(k.c.id).where(k.c.guid == guid)).first() is not None:
        guid = new_guid()
    stamp = now()
    values = {
        "guid": guid,
        "document_id": document_id,
        "start": fields["start"],
        "end": fields["end"],
        "code_id": code_id,
        "coder_id": coder_id_for(conn, fields["coder"]),
        "memo": fields.get("memo"),
        "created_at": fields.get("created_at") or stamp,
        "updated_at": stamp,
    }
    if _free(conn, k, old_id):
        values["id"] = old_id
    coding_id = conn.execute(k.insert().values(**values)).inserted_primary_key[0]
    audit.record(
        conn,
        actor=actor,
        action="restore",
        object="coding",
        object_id=coding_id,
        document_id=document_id,
        after={
            **{f: fields.get(f) for f in ("start", "end", "code", "coder", "memo")},
            "id_was": old_id,
        },
    )


def _code_deletions(conn: Connection) -> list[Any]:
    a = schema.audit
    query = select(a.c.id, a.c.object_id, a.c.before, a.c.after).where(
        a.c.object == "code", a.c.action == "delete"
    )
    return list(conn.execute(query.order_by(a.c.id.desc())))


def _names(before: dict[str, Any] | None) -> set[str]:
    """What finds a deleted code: its guid, name or path (also typed without the escape)."""
    if not before:
        return set()
    path = before.get("path")
    typed = {plain_path(path)} if isinstance(path, str) else set()
    return {before.get(k) for k in ("guid", "path", "name")} | typed


def _not_found(ref: str, matching: list[Any], deletions: list[Any]) -> str:
    if not matching:
        return f"no deleted code named {ref!r} in the audit log (a name, path or guid)"
    ids = {row.object_id for row in matching}
    for row in deletions:
        if row.after and ids & set(row.after.get("codes", [])):
            return (
                f"code {ref!r} was deleted with {row.before['path']!r}, the code above it; "
                f"restore {row.before['path']!r} to bring both back"
            )
    return f"code {ref!r} was deleted before deletions could be restored; add it again"


def _parent_now(conn: Connection, path: str) -> int | None:
    parent = parent_path(path)
    if parent is None:
        return None
    found = next((c.id for c in tree(conn) if c.path == parent), None)
    if found is None:
        raise CodebookError(
            f"cannot restore code {path!r}: the code it was under, {parent!r}, is gone; "
            "restore or add that code first"
        )
    return found


def _deleted_codings(
    conn: Connection, ids: list[int], up_to: int
) -> list[tuple[int, int, dict[str, Any]]]:
    a = schema.audit
    found: dict[int, tuple[int, int, dict[str, Any]]] = {}
    for chunk in in_chunks(ids):
        query = select(a.c.object_id, a.c.document_id, a.c.before).where(
            a.c.object == "coding",
            a.c.action == "delete",
            a.c.id <= up_to,
            a.c.object_id.in_(chunk),
        )
        for object_id, document_id, before in conn.execute(query.order_by(a.c.id)):
            found[object_id] = (object_id, document_id, before)
    return [found[i] for i in ids if i in found]


def _free(conn: Connection, table: Any, row_id: int) -> bool:
    return conn.execute(select(table.c.id).where(table.c.id == row_id)).first() is None


def _last_position(conn: Connection, parent_id: int | None) -> int:
    return sum(1 for c in tree(conn) if c.parent_id == parent_id)
