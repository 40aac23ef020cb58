"""Coders by name, and who leads: one person is one coder however their name is typed.

"Amina", "amina" and " amina " are one coder (the name's key: spaces folded, case folded; the
first spelling stays the display name). A new name close to an existing one is let in with a
warning naming both, since only a person can tell "Amina K" from "Amina". Leads (a list in
`qualcode_meta`) may rename coders, merge one coder into another, and delete or merge codes
other people have used.
"""

from __future__ import annotations

import inspect
import json
import warnings
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, select

from qualcode.errors import CoderNameWarning, CodingError, NotFoundError, QualcodeError
from qualcode.model import CONSENSUS, clean_name, is_suggestion
from qualcode.store import audit, meta, schema
from qualcode.store.codings import move_coder_codings

LEADS = "leads"  # qualcode_meta key: {"leads": [display names]}


def coder_key(name: str) -> str:
    """What makes two spellings of a name one coder: spaces folded, case folded."""
    return " ".join(name.split()).casefold()


def display_name(name: str) -> str:
    """A name as it is shown and stored: stripped, inner spaces folded to one."""
    return " ".join(name.split())


def same_person(a: str, b: str) -> bool:
    """Whether two spellings name the same coder ("Amina" and " amina")."""
    return coder_key(a) == coder_key(b)


def near_duplicates(name: str, names: Sequence[str]) -> list[str]:
    """Names in `names` close to `name` but not the same: one or two letters apart (names of
    four letters or more) or one the start of the other ("Amina" and "Amina K")."""
    key = coder_key(name)
    close = []
    for other in names:
        theirs = coder_key(other)
        if theirs == key:
            continue
        short, long = sorted((key, theirs), key=len)
        prefix = len(short) >= 3 and long.startswith(short)
        if prefix or (len(short) >= 4 and _within_two(key, theirs)):
            close.append(other)
    return close


def _within_two(a: str, b: str) -> bool:
    """Whether the edit distance of `a` and `b` is at most 2 (a banded Levenshtein)."""
    if abs(len(a) - len(b)) > 2:
        return False
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb))
        previous = current
    return previous[-1] <= 2


def warn_near_duplicates(name: str, names: Sequence[str]) -> None:
    """Warn (CoderNameWarning) when a new coder's name is close to existing ones."""
    close = near_duplicates(name, names)
    if close:
        others = " and ".join(repr(n) for n in close)
        warnings.warn(
            CoderNameWarning(
                f"new coder {name!r} is close to existing coder {others}; if they are one "
                f"person, a lead can merge them: p.merge_coders({name!r}, into={close[0]!r}, "
                "by=...)"
            ),
            stacklevel=_outside_qualcode(),
        )


def _outside_qualcode() -> int:
    """The stack level of the first caller outside qualcode, so the warning names the
    user's line (a notebook cell) however deep the call came in."""
    frame, level = inspect.currentframe(), 0
    while frame is not None and frame.f_globals.get("__name__", "").startswith("qualcode"):
        frame, level = frame.f_back, level + 1
    return max(level, 1)


def coder_row(conn: Connection, name: str) -> Any | None:
    """The coder (row: id, guid, name, role) this name is, in any spelling; None if new."""
    k = schema.coders
    exact = conn.execute(select(k).where(k.c.name == name)).first()
    if exact is not None:
        return exact
    key = coder_key(name)
    return next((row for row in conn.execute(select(k)) if coder_key(row.name) == key), None)


def coder_names(conn: Connection) -> list[str]:
    """Every coder's display name, sorted."""
    return sorted(conn.execute(select(schema.coders.c.name)).scalars())


def require_coder(conn: Connection, name: str) -> Any:
    """The coder this name is, or a clear error listing the coders there are."""
    row = coder_row(conn, name)
    if row is None:
        known = ", ".join(coder_names(conn)) or "none yet"
        raise NotFoundError(f"no coder named {name!r} in this project (coders: {known})")
    return row


def as_known(names: Sequence[str], known: Sequence[str]) -> list[str]:
    """Each of `names` as `known` spells it ("amina" is "Amina"); names not known stay."""
    spelled = {coder_key(name): name for name in known}
    return [spelled.get(coder_key(name), name) for name in names]


def known_name(conn: Connection, name: str) -> str:
    """The display name of the coder `name` is, else `name` with its spaces folded: how every
    entry point that takes a coder's name stores and compares it."""
    row = coder_row(conn, name)
    return row.name if row is not None else display_name(name)


# leads -------------------------------------------------------------------------------------


def leads(conn: Connection) -> list[str]:
    """The project's leads (display names), in the order they were made leads."""
    text = meta.read(conn, LEADS)
    return list(json.loads(text).get("leads", [])) if text else []


def is_lead(conn: Connection, name: str) -> bool:
    """Whether `name` (any spelling) is one of the project's leads."""
    return any(same_person(name, lead) for lead in leads(conn))


def require_lead(conn: Connection, by: str, what: str) -> str:
    """The lead `by` is (as the leads list spells the name), else refuse `what`, saying who
    the leads are."""
    current = leads(conn)
    found = next((lead for lead in current if same_person(by, lead)), None)
    if found is not None:
        return found
    who = (
        f"the leads are {', '.join(current)}"
        if current
        else "no lead is set yet (p.add_lead('name', by='name'))"
    )
    raise CodingError(f"{what} needs a lead; {by} is not a lead ({who})")


def add_lead(conn: Connection, name: str, *, by: str) -> list[str]:
    """Make `name` a lead (audited): anyone may name the first lead, later only a lead."""
    by = clean_name(by, "person acting (by=)")
    name = _person(known_name(conn, clean_name(name, "lead")), "lead")
    current = leads(conn)
    if current:
        by = require_lead(conn, by, f"making {name} a lead")
    if any(same_person(name, lead) for lead in current):
        return current
    _write_leads(conn, [*current, name], actor=by)
    return [*current, name]


def _write_leads(conn: Connection, names: list[str], *, actor: str) -> None:
    meta.write_json(conn, LEADS, {"leads": names}, actor=actor, object="leads")


def _person(name: str, what: str) -> str:
    if not name or is_suggestion(name) or coder_key(name) == CONSENSUS:
        raise QualcodeError(f"{name!r} cannot be a {what}; a {what} is a person's name")
    return name


# renaming and merging coders ------------------------------------------------------------------


def rename_coder(conn: Connection, old: str, new: str, *, by: str) -> str:
    """Give a coder a new display name (a lead's change, audited); their codings, memos,
    rounds and lead role follow. Onto another coder's name it is a merge, and refused."""
    by = require_lead(conn, clean_name(by, "person acting (by=)"), f"renaming coder {old!r}")
    row = _person_coder(conn, old)
    new = _person(display_name(clean_name(new, "new name")), "coder's name")
    other = coder_row(conn, new)
    if other is not None and other.id != row.id:
        raise CodingError(
            f"{other.name!r} is already a coder: renaming {row.name!r} onto it would merge two "
            f"people's work; if they are one person use p.merge_coders({row.name!r}, "
            f"into={other.name!r}, by=...) (qualcode coder merge {row.name!r} {other.name!r})"
        )
    if new == row.name:
        return new
    k = schema.coders
    conn.execute(k.update().where(k.c.id == row.id).values(name=new))
    rounds = _rename_in_rounds(conn, row.name, new)
    _rename_lead(conn, row.name, new, actor=by)
    audit.record(
        conn,
        actor=by,
        action="rename",
        object="coder",
        object_id=row.id,
        before={"name": row.name},
        after={"name": new, "rounds": rounds},
    )
    return new


def merge_coder(conn: Connection, source: str, into: str, *, by: str) -> dict[str, Any]:
    """Fold coder `source` into `into` (a lead's change, audited): codings (an identical one
    kept once, memos joined), memos, round places and lead role move, then `source` goes and
    is remembered as `into` for later merges of other laptops' projects."""
    by = require_lead(conn, clean_name(by, "person acting (by=)"), f"merging coder {source!r}")
    src, dst = _person_coder(conn, source), _person_coder(conn, into)
    if src.id == dst.id:
        raise CodingError(
            f"cannot merge coder {src.name!r} into itself ({source!r} and {into!r} are one "
            "coder); to change how the name is written use p.rename_coder"
        )
    moved, dropped = move_coder_codings(conn, src, dst, actor=by)
    memos = _move_memos(conn, src, dst, actor=by)
    done = _move_done_marks(conn, src.id, dst.id)
    rounds = _rename_in_rounds(conn, src.name, dst.name)
    _rename_lead(conn, src.name, dst.name, actor=by)
    for their_guid, ours in meta.coder_aliases(conn).items():
        if ours == src.guid:
            meta.write_coder_alias(conn, their_guid, dst.guid)
    meta.write_coder_alias(conn, src.guid, dst.guid)
    k = schema.coders
    conn.execute(k.delete().where(k.c.id == src.id))
    summary = {
        "into": dst.name,
        "into_id": dst.id,
        "codings_moved": len(moved),
        "duplicate_codings_removed": len(dropped),
        "memos_moved": memos,
        "done_marks_moved": done,
        "rounds": rounds,
    }
    audit.record(
        conn,
        actor=by,
        action="merge",
        object="coder",
        object_id=src.id,
        before={"name": src.name, "guid": src.guid, "role": src.role},
        after=summary,
    )
    return summary


def _person_coder(conn: Connection, name: str) -> Any:
    row = require_coder(conn, clean_name(name, "coder"))
    if row.role != "coder":
        raise CodingError(
            f"{row.name!r} is not a person (its role is {row.role}); only people's names are "
            "renamed or merged"
        )
    return row


def _move_memos(conn: Connection, src: Any, dst: Any, *, actor: str) -> int:
    m = schema.memos
    rows = conn.execute(select(m.c.id, m.c.document_id).where(m.c.coder_id == src.id)).all()
    conn.execute(m.update().where(m.c.coder_id == src.id).values(coder_id=dst.id))
    for row in rows:
        audit.record(
            conn,
            actor=actor,
            action="update",
            object="memo",
            object_id=row.id,
            document_id=row.document_id,
            before={"coder": src.name},
            after={"coder": dst.name},
        )
    return len(rows)


def _move_done_marks(conn: Connection, src_id: int, dst_id: int) -> int:
    """Give `src_id`'s done marks to `dst_id` (one mark per document: a document both
    marked keeps the one it had); the merge's audit row counts them."""
    t = schema.done_marks
    theirs = set(conn.execute(select(t.c.document_id).where(t.c.coder_id == dst_id)).scalars())
    conn.execute(t.delete().where((t.c.coder_id == src_id) & t.c.document_id.in_(theirs)))
    return conn.execute(
        t.update().where(t.c.coder_id == src_id).values(coder_id=dst_id)
    ).rowcount


def _rename_in_rounds(conn: Connection, old: str, new: str) -> list[str]:
    """Put `new` where rounds name `old` (as coder or lead); the rounds changed, by name."""
    r = schema.rounds
    changed = []
    for row in conn.execute(select(r.c.id, r.c.name, r.c.lead, r.c.coders)).all():
        coders = list(dict.fromkeys(new if same_person(c, old) else c for c in row.coders))
        lead = new if same_person(row.lead, old) else row.lead
        if coders != list(row.coders) or lead != row.lead:
            conn.execute(r.update().where(r.c.id == row.id).values(coders=coders, lead=lead))
            changed.append(row.name)
    return changed


def _rename_lead(conn: Connection, old: str, new: str, *, actor: str) -> None:
    current = leads(conn)
    renamed = list(dict.fromkeys(new if same_person(lead, old) else lead for lead in current))
    if renamed != current:
        _write_leads(conn, renamed, actor=actor)
