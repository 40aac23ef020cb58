"""The codebook: a tree of codes with descriptions, criteria, colours and shortcut keys.

Codes are found by object, id, guid, name (when unique) or path ("Parent/Child"). Renames
keep the id, so codings follow. Colours default to colour-blind-safe palettes.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from qualcode.errors import CodebookError, NotFoundError
from qualcode.model import Code, clean_name, is_suggestion
from qualcode.store import coders as coder_store
from qualcode.store import codes as code_store
from qualcode.store import codings as coding_store
from qualcode.store import memos as memo_store
from qualcode.store import restore as restore_store
from qualcode.store.changes import Listening, listen, store_key
from qualcode.store.codes import TEXT_FIELDS
from qualcode.views import code_counts as code_count_views
from qualcode.views import coders as coder_views

if TYPE_CHECKING:
    from qualcode.store.access import StoreAccess

__all__ = ["TEXT_FIELDS", "Codebook", "whose_codings"]


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

    def watch(self, callback: Callable[[], Any]) -> Listening:
        """Call `callback()` after every committed change to the codebook (a code added,
        renamed, re-keyed, moved, merged, deleted or restored, from any `Project` on this store
        in this kernel), so an open panel can redraw at once. A bound method is held weakly;
        `.stop()` on the returned handle ends it."""
        with self._project.reading() as conn:
            return listen(store_key(conn), callback)

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

    def update(self, ref: Code | int | str, *, by: str | None = None, **changes: Any) -> Code:
        """Change a code's name, parent, colour, shortcut, description or criteria. Anyone
        may (a change loses no one's codings); `by` (default `p.user`) is who the audit
        row names, as the Coder names its coder when a key is set from its code tree."""
        user = self._acting(by)
        with self._project.writing() as conn:
            return code_store.change_code(conn, ref, changes, actor=user)

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

    def counts(self, coder: str) -> dict[int, tuple[int, int]]:
        """(`coder`'s codings, all people's codings) per code id, codes never used left out,
        in one query: the numbers beside each code in the Coder's code tree."""
        with self._project.reading() as conn:
            return code_count_views.code_counts(conn, coder)

    def merge(
        self, source: Code | int | str, into: Code | int | str, *, by: str | None = None
    ) -> Code:
        """Fold `source` into `into`: its codings and child codes move over, then it goes.

        Two codings that become the same span, coder and code are kept once (memos are kept).
        `by` (default `p.user`) is who acts: a code others have coded with needs a lead.
        """
        user = self._acting(by)
        with self._project.writing() as conn:
            tree = code_store.tree(conn)
            src = code_store.resolve(conn, source, tree)
            dst = code_store.resolve(conn, into, tree)
            children = _check_merge(tree, src, dst)
            _require_rights(conn, user, [src.id], f"merge code {src.path!r}")
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

    def delete(self, ref: Code | int | str, *, confirm: bool = False, by: str | None = None) -> int:
        """Delete a code, with the codes under it and all their codings; returns codings removed.

        A code in use (or with codes under it) is only deleted with `confirm=True`, so work is
        never lost by a slip; merging keeps the codings instead. `by` (default `p.user`) is
        who acts: only a lead may delete a code someone else has coded with. The audit log
        keeps what went, so `restore` can bring it back.
        """
        user = self._acting(by)
        with self._project.writing() as conn:
            tree = code_store.tree(conn)
            code = code_store.resolve(conn, ref, tree)
            # depth-first, the code first
            subtree = [c for c in tree if code_store.is_within(tree, c.id, code.id)]
            ids = [c.id for c in subtree]
            whose = _require_rights(conn, user, ids, f"delete code {code.path!r}")
            rows = coding_store.coding_rows_of_codes(conn, ids)
            below = len(subtree) - 1
            if (rows or below) and not confirm:
                parts = [f"is used in {_plural(len(rows), 'coding')}, by {whose}"] if rows else []
                if below:
                    parts.append(f"has {_plural(below, 'child code')} under it")
                raise CodebookError(
                    f"code {code.path!r} {' and '.join(parts)}, which would be deleted with it; "
                    f"pass confirm=True to delete them, or merge it into another code to keep them"
                )
            # codings first (they point at codes), then codes leaf-first (children point at parents)
            paths = {c.id: c.path for c in subtree}
            coding_store.delete_code_codings(conn, rows, paths, actor=user)
            memos = memo_store.move_code_memos(conn, ids, None)
            used = Counter(row.code_id for row in rows)
            for doomed in reversed(subtree):
                before = {**code_store.code_record(doomed), "codings": used[doomed.id]}
                # the code named last lists all that went with it: what `restore` brings back
                went = restore_store.deleted_with(subtree, rows, memos) if doomed is code else None
                code_store.delete_code(conn, doomed.id, actor=user, before=before, after=went)
            return len(rows)

    def check_delete(self, ref: Code | int | str, *, by: str | None = None) -> dict[str, int]:
        """Whose codings deleting `ref` (with the codes under it) would remove, per coder,
        most first; a CodebookError if `by` (default `p.user`) may not: what a confirm step
        shows before anything goes."""
        user = self._acting(by)
        with self._project.reading() as conn:
            tree = code_store.tree(conn)
            code = code_store.resolve(conn, ref, tree)
            ids = [c.id for c in tree if code_store.is_within(tree, c.id, code.id)]
            used = coder_views.codings_by_coder(conn, ids)
            _require_rights(conn, user, ids, f"delete code {code.path!r}", used)
            return used

    def restore(self, ref: str, *, by: str | None = None) -> Code:
        """Bring back a deleted code (by name, path or guid) with the codes under it, their
        codings and memos, from the audit log: same ids and guids where still free, audited
        as "restore". Refused if its parent or a coded document is gone; another coder's
        codings need a lead (`by`, default `p.user`)."""
        user = self._acting(by)
        with self._project.writing() as conn:
            plan = restore_store.plan_restore(conn, clean_name(ref, "code"))
            _require_rights(conn, user, [], f"restore code {plan.path!r}", plan.coders)
            code_id = restore_store.restore(conn, plan, actor=user)
            return code_store.resolve(conn, code_id)

    def _acting(self, by: str | None) -> str:
        return self._project.user if by is None else clean_name(by, "person acting (by=)")


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


def _require_rights(
    conn: Any,
    by: str,
    code_ids: list[int],
    what: str,
    coders: dict[str, int] | None = None,
) -> str:
    """Who has coded with these codes ("bob (12 codings) and chen (3)"), once sure `by` may
    take their codings: their own only, unless `by` is a lead."""
    used = coders if coders is not None else coder_views.codings_by_coder(conn, code_ids)
    others = {  # a model's suggestions are nobody's work
        name: n
        for name, n in used.items()
        if not (coder_store.same_person(name, by) or is_suggestion(name))
    }
    named = whose_codings(used)
    if others and not coder_store.is_lead(conn, by):
        current = coder_store.leads(conn)
        ask = (
            f"ask a lead ({', '.join(current)})"
            if current
            else "no lead is set yet: p.add_lead('name', by='name')"
        )
        raise CodebookError(
            f"cannot {what}: it holds codings by {whose_codings(others)}, which only a lead "
            f"may take; {by} is not a lead ({ask}). Nothing was changed"
        )
    return named


def whose_codings(counts: dict[str, int]) -> str:
    """ "bob (12 codings) and chen (3)", most first."""
    if not counts:
        return "no one"
    parts = [f"{name} ({n})" for name, n in counts.items()]
    first = next(iter(counts))
    parts[0] = f"{first} ({_plural(counts[first], 'coding')})"
    return parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} and {parts[-1]}"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"
