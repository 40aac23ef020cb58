"""A document's speakers: read its turns, rename a speaker, set speakers' roles.

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
    u, d = schema.units, schema.documents
    where = (u.c.document_id == row.id) & (u.c.speaker == old)
    count = conn.execute(u.update().where(where).values(speaker=new)).rowcount
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
        before={"speaker": old},
        after={"speaker": new, "units": count},
    )
    return count


def set_roles(
    conn: Connection,
    document: DocumentRef,
    roles: dict[str, str],
    *,
    actor: str,
    record: dict[str, Any] | None = None,
) -> int:
    """Give speakers of one document version a role each ("interviewer" or "participant");
    returns the number of units re-labelled. `record` says how the roles were decided (see
    `ingest.roles`; default: set by `actor`)."""
    for role in roles.values():
        if role not in SPEAKER_ROLES:
            raise QualcodeError(
                f"speaker role {role!r} is not one of {', '.join(SPEAKER_ROLES)}; "
                "nothing was changed"
            )
    row, speakers = _speakers(conn, document, *roles)
    changed = {s: r for s, r in roles.items() if speakers[s] != r}
    u, d = schema.units, schema.documents
    count = 0
    for speaker, role in changed.items():
        where = (u.c.document_id == row.id) & (u.c.speaker == speaker)
        count += conn.execute(u.update().where(where).values(role=role)).rowcount
    after = {**speakers, **roles}
    interviewers = sorted(s for s, r in after.items() if r == "interviewer")
    record = {**(record or {"rule": "set", "by": actor}), "interviewer": interviewers}
    conn.execute(
        d.update().where(d.c.id == row.id).values(meta={**(row.meta or {}), "roles": record})
    )
    audit.record(
        conn,
        actor=actor,
        action="update",
        object="speaker",
        object_id=row.id,
        document_id=row.id,
        before={"roles": {s: speakers[s] for s in changed}},
        after={"roles": changed, "rule": record["rule"], "units": count},
    )
    return count


def _speakers(
    conn: Connection, document: DocumentRef, *wanted: str
) -> tuple[Row[Any], dict[str, str | None]]:
    """The document's row and its speakers' roles; refused if one wanted is not a speaker."""
    row = document_row(conn, document)
    speakers = {t.speaker: t.role for t in turn_rows(conn, row.id) if t.speaker}
    for speaker in (s for s in wanted if s not in speakers):
        known = ", ".join(repr(s) for s in speakers) or "none (no speaker turns were found)"
        raise NotFoundError(
            f"document {row.title!r} has no speaker {speaker!r}; its speakers are {known}"
        )
    return row, speakers
