"""The codebook: a tree of codes with descriptions, criteria, colours and shortcut keys.

Codes are found by object, id, guid, name (when unique) or path ("Parent/Child"). Renames
keep the id, so codings follow. Colours default to colour-blind-safe palettes.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, func, select

from qualcode.errors import CodebookError, NotFoundError
from qualcode.model import PALETTE, Code, check_code_name, check_color
from qualcode.store import audit, new_guid, now, schema
from qualcode.store import codes as code_store

if TYPE_CHECKING:
    from qualcode.project import Project

TEXT_FIELDS = ("description", "inclusion", "exclusion", "example")
_SHORTCUT = re.compile(r"^[0-9a-z]$")


class Codebook:
    """The project's codes. Every change is saved at once, with an audit row."""

    def __init__(self, project: Project) -> None:
        self._project = project

    def __repr__(self) -> str:
        return f"<Codebook: {len(self)} codes>"

    def __len__(self) -> int:
        with self._project.reading() as conn:
            return conn.execute(select(func.count()).select_from(schema.codes)).scalar_one()

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self.all())

    def __contains__(self, ref: object) -> bool:
        try:
            self.get(ref)  # type: ignore[arg-type]
        except NotFoundError:
            return False
        return True

    def all(self) -> list[Code]:
        """Every code, depth-first in codebook order."""
        with self._project.reading() as conn:
            return code_store.tree(conn)

    def get(self, ref: Code | int | str) -> Code:
        """A code by object, id, guid, unique name or path ("Parent/Child")."""
        with self._project.reading() as conn:
            return code_store.resolve(conn, ref)

    def add(
        self,
        name: str,
        *,
        parent: Code | int | str | None = None,
        description: str = "",
        color: str | None = None,
        inclusion: str = "",
        exclusion: str = "",
        example: str = "",
        shortcut: str | None = None,
    ) -> Code:
        """Add a code (under `parent`, if given) and return it."""
        with self._project.writing() as conn:
            return self._add(
                conn,
                name,
                parent=parent,
                description=description,
                color=color,
                inclusion=inclusion,
                exclusion=exclusion,
                example=example,
                shortcut=shortcut,
            )

    def _add(
        self,
        conn: Connection,
        name: str,
        *,
        parent: Code | int | str | None = None,
        description: str = "",
        color: str | None = None,
        inclusion: str = "",
        exclusion: str = "",
        example: str = "",
        shortcut: str | None = None,
    ) -> Code:
        name = check_code_name(name)
        tree = code_store.tree(conn)
        parent_id = code_store.resolve(conn, parent, tree).id if parent is not None else None
        self._check_unique(tree, name, parent_id)
        color = check_color(color) if color else PALETTE[len(tree) % len(PALETTE)]
        shortcut = self._check_shortcut(tree, shortcut)
        stamp = now()
        values = {
            "guid": new_guid(),
            "parent_id": parent_id,
            "name": name,
            "color": color,
            "shortcut": shortcut,
            "description": description or "",
            "inclusion": inclusion or "",
            "exclusion": exclusion or "",
            "example": example or "",
            "position": sum(1 for c in tree if c.parent_id == parent_id),
            "created_at": stamp,
            "updated_at": stamp,
        }
        code_id = code_store.insert_code(conn, values, actor=self._project.user)
        return code_store.resolve(conn, code_id)

    def update(self, ref: Code | int | str, **changes: Any) -> Code:
        """Change a code's name, parent, colour, shortcut, description or criteria."""
        with self._project.writing() as conn:
            return self._update(conn, ref, **changes)

    def _update(self, conn: Connection, ref: Code | int | str, **changes: Any) -> Code:
        allowed = {"name", "parent", "color", "shortcut", *TEXT_FIELDS}
        unknown = set(changes) - allowed
        if unknown:
            raise CodebookError(
                f"cannot change {', '.join(sorted(unknown))} of a code; "
                f"changeable: {', '.join(sorted(allowed))}"
            )
        tree = code_store.tree(conn)
        code = code_store.resolve(conn, ref, tree)
        values: dict[str, Any] = {}
        if "parent" in changes:
            parent = changes["parent"]
            parent_id = code_store.resolve(conn, parent, tree).id if parent is not None else None
            if parent_id is not None and _is_within(tree, parent_id, code.id):
                raise CodebookError(f"cannot move {code.path!r} under itself or its children")
            values["parent_id"] = parent_id
        name = check_code_name(changes["name"]) if "name" in changes else code.name
        parent_id = values.get("parent_id", code.parent_id)
        if (name, parent_id) != (code.name, code.parent_id):
            self._check_unique([c for c in tree if c.id != code.id], name, parent_id)
            values["name"] = name
        if "color" in changes:
            values["color"] = check_color(changes["color"])
        if "shortcut" in changes:
            values["shortcut"] = self._check_shortcut(
                [c for c in tree if c.id != code.id], changes["shortcut"]
            )
        for key in TEXT_FIELDS:
            if key in changes:
                values[key] = changes[key] or ""
        if not values:
            return code
        values["updated_at"] = now()
        conn.execute(schema.codes.update().where(schema.codes.c.id == code.id).values(**values))
        before = {k: getattr(code, k) for k in values if hasattr(code, k)}
        audit.record(
            conn,
            actor=self._project.user,
            action="update",
            object="code",
            object_id=code.id,
            before=before,
            after=code_store.public_fields(values),
        )
        return code_store.resolve(conn, code.id)

    def rename(self, ref: Code | int | str, name: str) -> Code:
        """Rename a code; its id, and so its codings, stay."""
        return self.update(ref, name=name)

    def usage(self, ref: Code | int | str) -> int:
        """How many codings use this code (itself only, not the codes under it)."""
        with self._project.reading() as conn:
            code = code_store.resolve(conn, ref)
            return _count_codings(conn, [code.id])

    def usage_counts(self) -> dict[int, int]:
        """Codings per code id (codes never used are left out), in one query for tree views."""
        c = schema.codings
        with self._project.reading() as conn:
            rows = conn.execute(select(c.c.code_id, func.count()).group_by(c.c.code_id))
            return {code_id: n for code_id, n in rows}

    def merge(self, source: Code | int | str, into: Code | int | str) -> Code:
        """Fold `source` into `into`: its codings and child codes move over, then it goes.

        Two codings that become the same span, coder and code are kept once (memos are kept).
        """
        with self._project.writing() as conn:
            return self._merge(conn, source, into)

    def _merge(self, conn: Connection, source: Code | int | str, into: Code | int | str) -> Code:
        tree = code_store.tree(conn)
        src = code_store.resolve(conn, source, tree)
        dst = code_store.resolve(conn, into, tree)
        if src.id == dst.id:
            raise CodebookError(f"cannot merge {src.path!r} into itself; choose another code")
        if _is_within(tree, dst.id, src.id):
            raise CodebookError(
                f"cannot merge {src.path!r} into {dst.path!r}, which is one of its own "
                f"sub-codes; move {dst.path!r} out from under it first, or merge the other way"
            )
        children = [c for c in tree if c.parent_id == src.id]
        taken = {c.name.casefold(): c for c in tree if c.parent_id == dst.id}
        for child in children:
            if child.name.casefold() in taken:
                raise CodebookError(
                    f"cannot merge {src.path!r} into {dst.path!r}: both have a code named "
                    f"{child.name!r} under them; merge or rename {child.path!r} first"
                )
        c, k = schema.codings, schema.coders
        columns = (c.c.id, c.c.document_id, c.c.start, c.c.end, c.c.coder_id, c.c.memo)
        # the coding each (document, span, coder) keeps: `into`'s own first, else the oldest
        keep: dict[tuple[int, int, int, int], dict[str, Any]] = {}
        for row in conn.execute(select(*columns).where(c.c.code_id == dst.id).order_by(c.c.id)):
            keep.setdefault(
                (row.document_id, row.start, row.end, row.coder_id),
                {"id": row.id, "memo": row.memo},
            )
        coder_names = dict(conn.execute(select(k.c.id, k.c.name)).all())
        moved: list[int] = []
        dropped: list[int] = []
        stamp = now()
        for row in conn.execute(
            select(*columns).where(c.c.code_id == src.id).order_by(c.c.id)
        ).all():
            before = {
                "start": row.start,
                "end": row.end,
                "code": src.path,
                "coder": coder_names[row.coder_id],
                "memo": row.memo,
            }
            twin = keep.setdefault(
                (row.document_id, row.start, row.end, row.coder_id),
                {"id": row.id, "memo": row.memo},
            )
            if twin["id"] == row.id:
                moved.append(row.id)
                audit.record(
                    conn,
                    actor=self._project.user,
                    action="update",
                    object="coding",
                    object_id=row.id,
                    document_id=row.document_id,
                    before=before,
                    after={**before, "code": dst.path},
                )
                continue
            memo = _joined_memo(twin["memo"], row.memo)
            if memo != twin["memo"]:  # keep what the coder wrote on the copy that goes
                conn.execute(
                    c.update().where(c.c.id == twin["id"]).values(memo=memo, updated_at=stamp)
                )
                twin["memo"] = memo
            conn.execute(c.delete().where(c.c.id == row.id))
            dropped.append(row.id)
            audit.record(
                conn,
                actor=self._project.user,
                action="delete",
                object="coding",
                object_id=row.id,
                document_id=row.document_id,
                before=before,
                after={"duplicate_of": twin["id"]},
            )
        conn.execute(
            c.update().where(c.c.code_id == src.id).values(code_id=dst.id, updated_at=stamp)
        )
        last = conn.execute(
            select(func.max(schema.codes.c.position)).where(schema.codes.c.parent_id == dst.id)
        ).scalar_one()
        position = 0 if last is None else last + 1
        for offset, child in enumerate(children):
            conn.execute(
                schema.codes.update()
                .where(schema.codes.c.id == child.id)
                .values(parent_id=dst.id, position=position + offset, updated_at=stamp)
            )
        m = schema.memos
        conn.execute(m.update().where(m.c.code_id == src.id).values(code_id=dst.id))
        conn.execute(schema.codes.delete().where(schema.codes.c.id == src.id))
        audit.record(
            conn,
            actor=self._project.user,
            action="merge",
            object="code",
            object_id=src.id,
            before=_code_record(src),
            after={
                "into": dst.path,
                "into_id": dst.id,
                "codings_moved": moved,
                "duplicate_codings_removed": dropped,
                "children_moved": [child.path for child in children],
            },
        )
        return code_store.resolve(conn, dst.id)

    def delete(self, ref: Code | int | str, *, confirm: bool = False) -> int:
        """Delete a code, with the codes under it and all their codings; returns codings removed.

        A code in use (or with codes under it) is only deleted with `confirm=True`, so work is
        never lost by a slip; merging keeps the codings instead.
        """
        with self._project.writing() as conn:
            return self._delete(conn, ref, confirm=confirm)

    def _delete(self, conn: Connection, ref: Code | int | str, *, confirm: bool) -> int:
        tree = code_store.tree(conn)
        code = code_store.resolve(conn, ref, tree)
        subtree = [c for c in tree if _is_within(tree, c.id, code.id)]  # depth-first, code first
        ids = [c.id for c in subtree]
        total = _count_codings(conn, ids)
        below = len(subtree) - 1
        if (total or below) and not confirm:
            parts = [f"is used in {_plural(total, 'coding')}"] if total else []
            if below:
                parts.append(f"has {_plural(below, 'child code')} under it")
            raise CodebookError(
                f"code {code.path!r} {' and '.join(parts)}, which would be deleted with it; "
                f"pass confirm=True to delete them, or merge it into another code to keep them"
            )
        c, k, m = schema.codings, schema.coders, schema.memos
        paths = {x.id: x.path for x in subtree}
        rows = conn.execute(
            select(c, k.c.name.label("coder"))
            .join(k, k.c.id == c.c.coder_id)
            .where(c.c.code_id.in_(ids))
            .order_by(c.c.id)
        ).all()
        # codings first (they point at codes), then codes leaf-first (children point at parents)
        conn.execute(c.delete().where(c.c.code_id.in_(ids)))
        for row in rows:
            audit.record(
                conn,
                actor=self._project.user,
                action="delete",
                object="coding",
                object_id=row.id,
                document_id=row.document_id,
                before={
                    "start": row.start,
                    "end": row.end,
                    "code": paths[row.code_id],
                    "coder": row.coder,
                    "memo": row.memo,
                },
            )
        conn.execute(m.update().where(m.c.code_id.in_(ids)).values(code_id=None))
        used = {x.id: 0 for x in subtree}
        for row in rows:
            used[row.code_id] += 1
        for doomed in reversed(subtree):
            conn.execute(schema.codes.delete().where(schema.codes.c.id == doomed.id))
            audit.record(
                conn,
                actor=self._project.user,
                action="delete",
                object="code",
                object_id=doomed.id,
                before={**_code_record(doomed), "codings": used[doomed.id]},
            )
        return len(rows)

    # internals used by Project and views ----------------------------------------------------

    @staticmethod
    def _check_unique(tree: list[Code], name: str, parent_id: int | None) -> None:
        for c in tree:
            if c.parent_id == parent_id and c.name.casefold() == name.casefold():
                where = (
                    "at the top of the codebook"
                    if parent_id is None
                    else (f"under {c.path.rsplit('/', 1)[0]!r}")
                )
                raise CodebookError(f"a code named {c.name!r} already exists {where}")

    @staticmethod
    def _check_shortcut(tree: list[Code], shortcut: str | None) -> str | None:
        if shortcut in (None, ""):
            return None
        shortcut = str(shortcut).strip().lower()
        if not _SHORTCUT.match(shortcut):
            raise CodebookError(f"shortcut {shortcut!r} must be one key: a digit or a letter")
        for c in tree:
            if c.shortcut == shortcut:
                raise CodebookError(f"shortcut {shortcut!r} is already used by {c.path!r}")
        return shortcut


def _is_within(tree: list[Code], node_id: int, ancestor_id: int) -> bool:
    parents = {c.id: c.parent_id for c in tree}
    current: int | None = node_id
    while current is not None:
        if current == ancestor_id:
            return True
        current = parents.get(current)
    return False


def _count_codings(conn: Connection, code_ids: list[int]) -> int:
    c = schema.codings
    query = select(func.count()).select_from(c).where(c.c.code_id.in_(code_ids))
    return conn.execute(query).scalar_one()


def _code_record(code: Code) -> dict[str, Any]:
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


def _joined_memo(kept: str | None, dropped: str | None) -> str | None:
    if not dropped or dropped == kept:
        return kept
    return f"{kept}\n\n{dropped}" if kept else dropped


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"
