"""Workshop seats: the people who may sign in to `qualcode workshop`, kept in the store so a
workshop on a shared PostgreSQL server and one on a laptop keep them the same way, and a
restarted server still knows who was signed in.

A seat's name is the coder its person codes as; the facilitator's seat has the role
"facilitator". The store keeps hashes only (made by `qualcode.workshop.seating`): of the
one-time code, cleared as it is used, and of the session it was traded for. Adding, removing
and re-issuing are audited, without the hashes.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, select

from qualcode.errors import CodingError, QualcodeError
from qualcode.model import person_name
from qualcode.store import audit, schema
from qualcode.store.coders import same_person
from qualcode.store.stamps import now

ROLES = ("researcher", "facilitator")


def seats(conn: Connection) -> list[dict[str, Any]]:
    """Every seat, by name, without the hashes: name, role, whether a code waits to be used,
    whether someone is signed in, and when."""
    t = schema.seats
    rows = conn.execute(select(t).order_by(t.c.name)).mappings()
    return [
        {
            "name": r["name"],
            "role": r["role"],
            "code_waiting": r["code_hash"] is not None,
            "signed_in": r["session_hash"] is not None,
            "signed_in_at": r["signed_in_at"],
        }
        for r in rows
    ]


def seat_row(conn: Connection, name: str) -> Any:
    """The seat of `name` (any spelling of it), or None."""
    t = schema.seats
    for row in conn.execute(select(t)).mappings():
        if same_person(row["name"], name):
            return row
    return None


def put_seat(conn: Connection, name: str, *, role: str, code_hash: str, by: str) -> str:
    """Add a seat, or give an existing one a new code (which signs its person out): the
    seat's name as stored. A person's role never changes here: a researcher cannot be made
    the facilitator by re-adding them."""
    if role not in ROLES:
        raise QualcodeError(f"a seat's role is one of {', '.join(ROLES)}, got {role!r}")
    name = person_name(name, "person's name")
    found = seat_row(conn, name)
    t = schema.seats
    stamp = now()
    if found is None:
        conn.execute(
            t.insert().values(
                name=name, role=role, code_hash=code_hash, code_issued_at=stamp, created_at=stamp
            )
        )
        audit.record(
            conn,
            actor=by,
            action="add",
            object="seat",
            object_id=None,
            after={"name": name, "role": role},
        )
        return name
    if found["role"] != role:
        raise CodingError(
            f"{found['name']} is already in the workshop as {found['role']}; "
            "use another name, or remove them first"
        )
    values = {"code_hash": code_hash, "code_issued_at": stamp, "session_hash": None}
    conn.execute(t.update().where(t.c.id == found["id"]).values(**values))
    audit.record(
        conn,
        actor=by,
        action="update",
        object="seat",
        object_id=found["id"],
        after={"name": found["name"], "new_code": True},
    )
    return str(found["name"])


def remove_seat(conn: Connection, name: str, *, by: str) -> bool:
    """Remove a seat (its person is signed out at once; their codings stay). False if none."""
    found = seat_row(conn, name)
    if found is None:
        return False
    t = schema.seats
    conn.execute(t.delete().where(t.c.id == found["id"]))
    audit.record(
        conn,
        actor=by,
        action="delete",
        object="seat",
        object_id=found["id"],
        before={"name": found["name"], "role": found["role"]},
    )
    return True


def take_code(conn: Connection, seat_id: int, code_hash: str, session_hash: str) -> bool:
    """Trade a seat's one-time code (checked by the caller against `code_hash`, outside the
    write lock: the check is slow on purpose) for a session: only if that code still waits,
    so a used code never works twice, even for two sign-ins at the same moment."""
    t = schema.seats
    updated = conn.execute(
        t.update()
        .where((t.c.id == seat_id) & (t.c.code_hash == code_hash))
        .values(code_hash=None, session_hash=session_hash, signed_in_at=now())
    )
    return updated.rowcount == 1


def seat_for_session(conn: Connection, session_hash: str) -> Any:
    """The seat signed in with this session, or None."""
    t = schema.seats
    return conn.execute(select(t).where(t.c.session_hash == session_hash)).mappings().first()


def end_session(conn: Connection, session_hash: str) -> None:
    """Sign out whoever holds this session."""
    t = schema.seats
    conn.execute(t.update().where(t.c.session_hash == session_hash).values(session_hash=None))
