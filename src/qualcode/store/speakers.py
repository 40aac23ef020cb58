"""A document's speakers: read its turns, rename a speaker, set a speaker's role.

A rename or a new role re-labels every unit (turns, and the sentences inside them) that the
speaker's turns hold, in one transaction with one audit row; the text, the turns' spans and
every coding stay exactly as they are. The document's `meta["roles"]` (how roles were
decided, see `ingest.roles`) follows: a rename keeps its names true, a set role says so.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Row, select

from qualcode.errors import NotFoundError, QualcodeError
from qualcode.model import SPEAKER_ROLES, DocumentRef, clean_name
from qualcode.store import audit, schema
from qualcode.store.documents import document_row


def turn_rows(conn: Connection, document_id: int) -> list[Row[Any]]:
    """A document version's turns (start, end, speaker, role), in text order."""
    u = schema.units
    return conn.execute(
        select(u.c.start, u.c.end, u.c.speaker, u.c.role)
        .where(u.c.document_id == document_id, u.c.kind == "turn")
        .order_by(u.c.start)
    ).all()


def rename_speaker(
    conn: Connection, document: DocumentRef, old: str, new: str, *, actor: str
) -> int:
    """Call speaker `old` `new` in one document version (onto another speaker's name joins
    them); returns the number of units re-labelled."""
    new = clean_name(new, "speaker name")
    row, _ = _speakers(conn, document, old)
    roles = dict(row.meta.get("roles") or {}) if row.meta else {}
    if roles.get("interviewer"):
        roles["interviewer"] = sorted({new if s == old else s for s in roles["interviewer"]})
    return _relabel(conn, row, old, {"speaker": new}, roles, actor=actor, before={"speaker": old})


def set_speaker_role(
    conn: Connection, document: DocumentRef, speaker: str, role: str, *, actor: str
) -> int:
    """Give `speaker` the role `role` ("interviewer" or "participant") in one document
    version; returns the number of units re-labelled. The roles record says it was set."""
    if role not in SPEAKER_ROLES:
        raise QualcodeError(
            f"speaker role {role!r} is not one of {', '.join(SPEAKER_ROLES)}; nothing was changed"
        )
    row, speakers = _speakers(conn, document, speaker)
    interviewers = {s for s, r in speakers.items() if r == "interviewer" and s != speaker}
    interviewers |= {speaker} if role == "interviewer" else set()
    roles = {"rule": "set", "by": actor, "interviewer": sorted(interviewers)}
    before = {"speaker": speaker, "role": speakers[speaker]}
    return _relabel(conn, row, speaker, {"role": role}, roles, actor=actor, before=before)


def _speakers(conn: Connection, document: DocumentRef, speaker: str) -> tuple[Row[Any], dict]:
    """The document's row and its speakers' roles; refused if `speaker` is not one of them."""
    row = document_row(conn, document)
    speakers = {t.speaker: t.role for t in turn_rows(conn, row.id) if t.speaker}
    if speaker not in speakers:
        known = ", ".join(repr(s) for s in speakers) or "none (no speaker turns were found)"
        raise NotFoundError(
            f"document {row.title!r} has no speaker {speaker!r}; its speakers are {known}"
        )
    return row, speakers


def _relabel(
    conn: Connection,
    row: Row[Any],
    speaker: str,
    values: dict[str, str],
    roles: dict[str, Any],
    *,
    actor: str,
    before: dict[str, Any],
) -> int:
    """Re-label the speaker's units, keep the roles record, and write the audit row."""
    u, d = schema.units, schema.documents
    changed = conn.execute(
        u.update().where(u.c.document_id == row.id, u.c.speaker == speaker).values(**values)
    ).rowcount
    if roles:
        meta = {**(row.meta or {}), "roles": roles}
        conn.execute(d.update().where(d.c.id == row.id).values(meta=meta))
    audit.record(
        conn,
        actor=actor,
        action="update",
        object="speaker",
        object_id=row.id,
        document_id=row.id,
        before=before,
        after={**values, "units": changed},
    )
    return changed
