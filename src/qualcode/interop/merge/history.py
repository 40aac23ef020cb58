"""Deletions travel: each side's audit log holds a tombstone for every coding, memo and code
it removed (`views.merge.tombstones`), and a merge reads both.

- Something we removed that they still hold as it was is not brought back (listed).
- Something they removed that we still hold as it was is removed here too (audited, listed).
- Removed on one side and changed on the other since is a conflict, settled with
  keep="ours" (our side's state wins) or keep="theirs" (theirs wins).

"Changed since" compares the row's `updated_at` with that of the row the tombstone removed
(or, for an older tombstone without it, with the time of the removal).
"""

from __future__ import annotations

from collections.abc import Container
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from qualcode.interop.merge.report import Conflict, MergeReport
from qualcode.store import codes as code_store
from qualcode.store import memos as memo_store
from qualcode.store.codings import coding_rows_by_id, delete_codings
from qualcode.views import merge as merge_views
from qualcode.views.merge import REMOVALS, Tombstone

if TYPE_CHECKING:
    from sqlalchemy import Connection

RESOLVE = (
    "keep='ours' (--keep ours) to leave it as it is here, or keep='theirs' (--keep theirs) "
    "to take their side's"
)


def changed_since(updated_at: Any, tomb: Tombstone) -> bool:
    """Whether a row was changed after the version `tomb` removed."""
    return str(updated_at) > str(tomb.before.get("updated_at") or tomb.at)


def when(tomb: Tombstone) -> str:
    """'on 2026-12-03 by amina', for a message."""
    return f"on {tomb.at[:10]} by {tomb.actor}"


@dataclass
class History:
    """Both sides' tombstones, and what the merge decided about each, told to `report`."""

    ours: dict[str, dict[str, Tombstone]]
    theirs: dict[str, dict[str, Tombstone]]
    keep: str | None
    report: MergeReport

    @classmethod
    def of(
        cls,
        ours: dict[str, dict[str, Tombstone]],
        theirs: dict[str, dict[str, Tombstone]],
        held: dict[str, set[str]],
        keep: str | None,
        report: MergeReport,
    ) -> History:
        """`held`: the GUIDs their side still holds per kind (a removal since undone there,
        as a restore does, is no tombstone)."""
        live = {
            kind: {g: t for g, t in theirs.get(kind, {}).items() if g not in held.get(kind, set())}
            for kind in REMOVALS
        }
        return cls({k: ours.get(k, {}) for k in REMOVALS}, live, keep, report)

    def line(self, text: str) -> None:
        self.report.deletions.append(text)

    def bring_back(self, kind: str, name: str, updated_at: Any, tomb: Tombstone) -> bool:
        """Whether their row, which we removed, comes back."""
        if not changed_since(updated_at, tomb):
            self.line(f"{kind} {name}: deleted here {when(tomb)}; not brought back")
            return False
        return self.settle(
            kind,
            name,
            f"deleted here {when(tomb)}, but changed on their side since",
            back="brought back",
            gone="left deleted",
        )

    def remove_here(self, kind: str, name: str, updated_at: Any, tomb: Tombstone) -> bool:
        """Whether our row, which they removed, goes here too."""
        if not changed_since(updated_at, tomb):
            self.line(f"{kind} {name}: deleted there {when(tomb)}; deleted here too")
            return True
        return self.settle(
            kind,
            name,
            f"deleted on their side {when(tomb)}, but changed here since",
            back="deleted here too",
            gone="kept here",
        )

    def coming_back(self, kind: str, rows: list[Any], held: Container[str]) -> int:
        """How many of their `rows` are new here: not `held` here, and not removed here
        as they still are."""
        tombs = self.ours[kind]
        return sum(
            1
            for r in rows
            if r.guid not in held
            and (r.guid not in tombs or changed_since(r.updated_at, tombs[r.guid]))
        )

    def settle(self, kind: str, name: str, detail: str, *, back: str, gone: str) -> bool:
        """A removal on one side and a change on the other: a conflict unless `keep` says;
        True when their side's state is taken."""
        if self.keep is None:
            self.report.conflicts.append(Conflict(kind, name, detail, RESOLVE))
            return False
        take = self.keep == "theirs"
        self.line(f"{kind} {name}: {detail}; {back if take else gone} (keep={self.keep!r})")
        return take

    def after(self, tomb: Tombstone) -> dict[str, Any]:
        """The audit `after` of a row removed here because their side removed it."""
        return {
            "merged_from": self.report.source,
            "deleted_there_at": tomb.at,
            "deleted_there_by": tomb.actor,
        }

    def remove_codings(self, conn: Connection, actor: str, by_guid: dict[str, int]) -> None:
        """Our codings that they deleted, unchanged here since, go here too (audited)."""
        tombs = self.theirs["coding"]
        held = [by_guid[guid] for guid in tombs if guid in by_guid]
        if not held:
            return
        paths = code_store.paths(conn)
        going: dict[tuple[str, str], list[Any]] = {}
        for row in coding_rows_by_id(conn, held):
            tomb = tombs[row.guid]
            title = merge_views.document_title(conn, row.document_id)
            name = f"{paths[row.code_id]!r} on {title!r} at {row.start}-{row.end} by {row.coder}"
            if self.remove_here("coding", name, row.updated_at, tomb):
                going.setdefault((tomb.at, tomb.actor), []).append(row)
        for rows in going.values():
            delete_codings(conn, rows, actor=actor, after=self.after(tombs[rows[0].guid]))
            self.report.removed["codings"] += len(rows)

    def remove_memos(self, conn: Connection, actor: str) -> None:
        """Our memos that they deleted, unchanged here since, go here too (audited)."""
        ours = merge_views.memo_ids(conn)
        for guid, tomb in self.theirs["memo"].items():
            row = memo_store.memo_row(conn, ours[guid]) if guid in ours else None
            if row is not None and self.remove_here("memo", repr(row.title), row.updated_at, tomb):
                memo_store.delete_memo(conn, row, actor=actor, after=self.after(tomb))
                self.report.removed["memos"] += 1
