"""Done marks: a coder says "I have finished this transcript", and can take it back.

One row per (document version, coder), written with its audit row. A revision that carries
the codings over (`Project.revise`, pseudonymisation) carries the marks too (`carry_done`),
so "done" follows the codings; a changed file ingested again is a new text to look at, so a
mark on the old version does not count for it. Merging coders moves the marks
(`store.coders.merge_coder`).
"""

from __future__ import annotations

from sqlalchemy import Connection, select

from qualcode.errors import CodingError, QualcodeError
from qualcode.model import DocumentRef, clean_name, is_suggestion
from qualcode.store import audit, schema
from qualcode.store.coders import coder_row
from qualcode.store.documents import document_row
from qualcode.store.identity import coder_for
from qualcode.store.stamps import now


def mark_done(conn: Connection, document: DocumentRef, *, coder: str, done: bool) -> bool:
    """Mark the current version of `document` done (or not done) for `coder`, with an audit
    row, in the caller's transaction. True if the mark changed, False if it already was so."""
    if not isinstance(done, bool):
        raise QualcodeError(f"done is True or False, got {done!r}")
    coder = clean_name(coder, "coder")
    if is_suggestion(coder):
        raise CodingError(
            f"{coder!r} is a model's suggestions, not a person; only people mark a transcript done"
        )
    row = document_row(conn, document)
    if not row.is_current:
        raise QualcodeError(
            f"version {row.version} of {row.title!r} is not the current version; "
            "mark the current one (Refresh the Coder to see it)"
        )
    t = schema.done_marks
    if done:
        coder_id, name = coder_for(conn, coder)
    else:
        known = coder_row(conn, coder)
        if known is None:
            return False
        coder_id, name = known.id, known.name
    where = (t.c.document_id == row.id) & (t.c.coder_id == coder_id)
    mark = conn.execute(select(t.c.id).where(where)).scalar_one_or_none()
    if (mark is not None) == done:
        return False
    what = {"coder": name, "title": row.title, "version": row.version}
    if done:
        values = {"document_id": row.id, "coder_id": coder_id, "done_at": now()}
        mark = conn.execute(t.insert().values(**values)).inserted_primary_key[0]
        audit.record(
            conn,
            actor=name,
            action="add",
            object="done",
            object_id=mark,
            document_id=row.id,
            after=what,
        )
    else:
        conn.execute(t.delete().where(t.c.id == mark))
        audit.record(
            conn,
            actor=name,
            action="delete",
            object="done",
            object_id=mark,
            document_id=row.id,
            before=what,
        )
    return True


def carry_done(conn: Connection, old_id: int, new_id: int, *, actor: str) -> int:
    """Copy the done marks of version `old_id` onto its revision `new_id` (audited, in the
    caller's transaction); returns how many were carried."""
    t = schema.done_marks
    marks = conn.execute(select(t.c.coder_id, t.c.done_at).where(t.c.document_id == old_id)).all()
    for coder_id, done_at in marks:
        mark = conn.execute(
            t.insert().values(document_id=new_id, coder_id=coder_id, done_at=done_at)
        ).inserted_primary_key[0]
        audit.record(
            conn,
            actor=actor,
            action="add",
            object="done",
            object_id=mark,
            document_id=new_id,
            after={"coder_id": coder_id, "carried_from": old_id},
        )
    return len(marks)
