"""Who may sign in to a workshop, and who a session belongs to: the only place identity is
decided. A person is seated by the facilitator with a short one-time code; signing in trades
the code for a session token (a long random string in an HttpOnly cookie); the server asks
`who(token)` on every request and never a name the browser sends.

Codes are 8 letters from an alphabet without look-alikes (no 0/O, 1/l/I), about 39 bits: with
sign-in limited to a few tries a minute (`limits.py`) nobody guesses one during a workshop.
The store keeps a salted scrypt hash of the code and a SHA-256 of the session token.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from qualcode.project import Project
from qualcode.store import seats as stored

ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
CODE_LENGTH = 8


@dataclass(frozen=True)
class Person:
    """Someone signed in: the name they code as, and whether they run the workshop."""

    name: str
    role: str

    @property
    def facilitator(self) -> bool:
        return self.role == "facilitator"


def new_code() -> str:
    """A one-time code to read out or write on a card, as 'abcd-efgh'."""
    raw = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
    return f"{raw[:4]}-{raw[4:]}"


def _plain(code: str) -> str:
    """What counts in a typed code: its letters and digits, lower case ('ABCD EFGH' works)."""
    return "".join(ch for ch in code.lower() if ch.isalnum())


def _hash_code(code: str, salt: bytes | None = None) -> str:
    salt = salt if salt is not None else secrets.token_bytes(16)
    digest = hashlib.scrypt(_plain(code).encode(), salt=salt, n=2**14, r=8, p=1, dklen=32)
    return f"scrypt${salt.hex()}${digest.hex()}"


def _code_matches(code: str, stored_hash: str) -> bool:
    try:
        kind, salt, _ = stored_hash.split("$")
    except ValueError:
        return False
    return kind == "scrypt" and hmac.compare_digest(
        _hash_code(code, bytes.fromhex(salt)), stored_hash
    )


def _hash_session(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def seat(project: Project, name: str, *, by: str, role: str = "researcher") -> tuple[str, str]:
    """Seat `name` (or give them a new code, signing out their old device): (name as stored,
    the one-time code to hand them)."""
    code = new_code()
    with project.writing() as conn:
        stored_name = stored.put_seat(conn, name, role=role, code_hash=_hash_code(code), by=by)
    return stored_name, code


def unseat(project: Project, name: str, *, by: str) -> bool:
    """Remove someone from the workshop (signed out at once; their codings stay)."""
    with project.writing() as conn:
        return stored.remove_seat(conn, name, by=by)


def sign_in(project: Project, name: str, code: str) -> tuple[Person, str] | None:
    """The person and a new session token if `code` is `name`'s waiting code, else None.
    A code works once."""
    if not isinstance(name, str) or not isinstance(code, str) or not name.strip() or not code:
        return None
    with project.reading() as conn:
        row = stored.seat_row(conn, name)
    if row is None or row["code_hash"] is None or not _code_matches(code, row["code_hash"]):
        return None
    token = secrets.token_urlsafe(32)
    with project.writing() as conn:
        if not stored.take_code(conn, row["id"], row["code_hash"], _hash_session(token)):
            return None
    return Person(str(row["name"]), str(row["role"])), token


def who(project: Project, token: str | None) -> Person | None:
    """Who holds this session token, or None (no token, an old one, a removed person)."""
    if not token or len(token) > 200:
        return None
    with project.reading() as conn:
        row = stored.seat_for_session(conn, _hash_session(token))
    return None if row is None else Person(str(row["name"]), str(row["role"]))


def sign_out(project: Project, token: str) -> None:
    """End this session (the person needs a new code to come back)."""
    with project.writing() as conn:
        stored.end_session(conn, _hash_session(token))


def seats(project: Project) -> list[dict[str, object]]:
    """Every seat (name, role, code waiting, signed in), for the facilitator's page."""
    with project.reading() as conn:
        return stored.seats(conn)
