"""The codebook: a tree of codes with descriptions, criteria, colours and shortcut keys.

Codes are found by object, id, guid, name (when unique) or path ("Parent/Child"). Renames
keep the id, so codings follow. Colours default to colour-blind-safe palettes.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any

from qualcode.errors import CodebookError, NotFoundError
from qualcode.model import Code
from qualcode.store import codes as code_store
from qualcode.store import codings as coding_store
from qualcode.store import memos as memo_store
from qualcode.store.codes import TEXT_FIELDS

if TYPE_CHECKING:
    from qualcode.store.access import StoreAccess

__all__ = ["TEXT_FIELDS", "Codebook"]


class Codebook:
    """The project's codes. Every change is saved at once, with an audit row."""

    def __init__(self, project: StoreAccess) -> None:
        self._project = project

    def __repr__(self) -> str:
        return f"<Codebook: {len(self)} codes>"

    def __len__(self) -> int:
        with self._project.reading() as conn:
            return code_store.count(conn)

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
            return code_store.add_code(
                conn,
                name,
                actor=self._project.user,
                parent=parent,
                description=description,
                color=color,
                inclusion=inclusion,
                exclusion=exclusion,
                example=example,
                shortcut=shortcut,
            )

    def update(self, ref: Code | int | str, **changes: Any) -> Code:
        """Change a code's name, parent, colour, shortcut, description or criteria."""
        with self._project.writing() as conn:
            return code_store.change_code(conn, ref, changes, actor=self._project.user)

    def rename(self, ref: Code | int | str, name: str) -> Code:
        """Rename a code; its id, and so its codings, stay."""
        return self.update(ref, name=name)

    def usage(self, ref: Code | int | str) -> int:
        """How many codings use this code (itself only, not the codes under it)."""
        with self._project.reading() as conn:
            code = code_store.resolve(conn, ref)
            return code_store.usage_counts(conn, [code.id]).get(code.id, 0)

    def usage_counts(self) -> dict[int, int]:
        """Codings per code id (codes never used are left out), in one query for tree views."""
        with self._project.reading() as conn:
            return code_store.usage_counts(conn)

    def merge(self, source: Code | int | str, into: Code | int | str) -> Code:
        """Fold `source` into `into`: its codings and child codes move over, then it goes.

        Two codings that become the same span, coder and code are kept once (memos are kept).
        """
        user = self._project.user
        with self._project.writing() as conn:
            tree = code_store.tree(conn)
            src = code_store.resolve(conn, source, tree)
            dst = code_store.resolve(conn, into, tree)
            children = _check_merge(tree, src, dst)
            moved, dropped = coding_store.move_codings(conn, src, dst, actor=user)
            code_store.append_children(conn, [child.id for child in children], dst.id)
            memo_store.move_code_memos(conn, [src.id], dst.id)
            code_store.delete_code(
                conn,
                src.id,
                actor=user,
                action="merge",
                before=code_store.code_record(src),
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
        user = self._project.user
        with self._project.writing() as conn:
            tree = code_store.tree(conn)
            code = code_store.resolve(conn, ref, tree)
            # depth-first, the code first
            subtree = [c for c in tree if code_store.is_within(tree, c.id, code.id)]
            ids = [c.id for c in subtree]
            rows = coding_store.coding_rows_of_codes(conn, ids)
            below = len(subtree) - 1
            if (rows or below) and not confirm:
                parts = [f"is used in {_plural(len(rows), 'coding')}"] if rows else []
                if below:
                    parts.append(f"has {_plural(below, 'child code')} under it")
                raise CodebookError(
                    f"code {code.path!r} {' and '.join(parts)}, which would be deleted with it; "
                    f"pass confirm=True to delete them, or merge it into another code to keep them"
                )
            # codings first (they point at codes), then codes leaf-first (children point at parents)
            paths = {c.id: c.path for c in subtree}
            coding_store.delete_code_codings(conn, rows, paths, actor=user)
            memo_store.move_code_memos(conn, ids, None)
            used = Counter(row.code_id for row in rows)
            for doomed in reversed(subtree):
                before = {**code_store.code_record(doomed), "codings": used[doomed.id]}
                code_store.delete_code(conn, doomed.id, actor=user, before=before)
            return len(rows)


def _check_merge(tree: list[Code], src: Code, dst: Code) -> list[Code]:
    """`src`'s children, once sure that `src` can fold into `dst`."""
    if src.id == dst.id:
        raise CodebookError(f"cannot merge {src.path!r} into itself; choose another code")
    if code_store.is_within(tree, dst.id, src.id):
        raise CodebookError(
            f"cannot merge {src.path!r} into {dst.path!r}, which is one of its own "
            f"sub-codes; move {dst.path!r} out from under it first, or merge the other way"
        )
    children = [c for c in tree if c.parent_id == src.id]
    taken = {c.name.casefold() for c in tree if c.parent_id == dst.id}
    for child in children:
        if child.name.casefold() in taken:
            raise CodebookError(
                f"cannot merge {src.path!r} into {dst.path!r}: both have a code named "
                f"{child.name!r} under them; merge or rename {child.path!r} first"
            )
    return children


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"
