"""The pseudonym key: which pseudonym stands for which original, kept apart from the project.

One SQLite file per project (default `<store>.key.sqlite` beside a SQLite store; a path must
be given for a PostgreSQL store), readable by its owner only (0600). It holds the pseudonyms,
the findings awaiting review (which contain the originals) and which documents were scanned.
Nothing in it is ever written to the project store or to an export.
"""

from __future__ import annotations

import contextlib
import os
import re
import sqlite3
import stat
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qualcode.privacy.detect import LABELS
from qualcode.privacy.errors import PrivacyError

if TYPE_CHECKING:
    from qualcode.model import Document
    from qualcode.privacy.detect import Finding
    from qualcode.project import Project

KEY_SUFFIX = ".key.sqlite"
FILE_MODE = 0o600

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS pseudonyms (
    id INTEGER PRIMARY KEY,
    label TEXT NOT NULL,          -- PERSON, PLACE, POSTCODE, ...
    norm TEXT NOT NULL,           -- the original, normalised for comparison
    original TEXT NOT NULL,       -- the original as first seen
    number INTEGER NOT NULL,
    pseudonym TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    UNIQUE (label, norm)
);
CREATE TABLE IF NOT EXISTS scans (
    document_id INTEGER PRIMARY KEY,  -- the document version scanned
    document_guid TEXT NOT NULL,
    area TEXT NOT NULL,
    title TEXT NOT NULL,
    version INTEGER NOT NULL,
    scanned_at TEXT NOT NULL,
    applied_to INTEGER,               -- the pseudonymised version made from it
    applied_at TEXT
);
CREATE TABLE IF NOT EXISTS findings (
    id INTEGER PRIMARY KEY,
    document_id INTEGER NOT NULL REFERENCES scans (document_id) ON DELETE CASCADE,
    start INTEGER NOT NULL,
    "end" INTEGER NOT NULL,
    kind TEXT NOT NULL,
    text TEXT NOT NULL,
    context TEXT NOT NULL,
    pseudonym TEXT NOT NULL,
    rule TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT 'pending',  -- pending, accepted, rejected, applied
    decided_by TEXT,
    decided_at TEXT,
    UNIQUE (document_id, start, "end", kind)
);
CREATE INDEX IF NOT EXISTS findings_status ON findings (status);
"""


def normalise(kind: str, value: str) -> str:
    """The form two mentions of one identifier share: case, spacing and punctuation removed."""
    from qualcode.privacy.detect import uk_phone

    text = " ".join(value.split())
    if kind == "phone":
        return uk_phone(text) or re.sub(r"\D", "", text)
    if kind in ("nhs_number",):
        return re.sub(r"\D", "", text)
    if kind == "postcode":
        return text.upper().replace(" ", "")
    if kind == "email":
        text = text.lower()
        if "@" not in text:  # spoken: "sarah dot jones at example dot com"
            text = re.sub(r"\s+at\s+", "@", text, count=1)
            text = re.sub(r"\s+dot\s+", ".", text).replace(" ", "")
        return text
    if kind == "date_of_birth":
        return _date_key(text)
    text = re.sub(r"['’]s$", "", text.strip(" .,;:!?\"'“”‘’"))
    return text.casefold()


_MONTHS = {
    m: i
    for i, m in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"),
        start=1,
    )
}


def _date_key(text: str) -> str:
    """12/03/1957, 12 March 1957 and 12th of March '57 share the key 1957-03-12."""
    low = text.casefold()
    numbers = [int(n) for n in re.findall(r"\d+", low)]
    month = next((v for k, v in _MONTHS.items() if re.search(rf"\b{k}", low)), None)
    if month is not None:
        day = numbers[0] if numbers else 0
        year = numbers[1] if len(numbers) > 1 else None
    elif len(numbers) == 3:
        day, month, year = numbers
    else:
        return " ".join(low.split())
    if year is not None and year < 100:
        year += 1900 if year > datetime.now(UTC).year % 100 else 2000
    return f"{year or '????'}-{month:02d}-{day:02d}"


def default_key_path(project: Project) -> Path:
    """`<store>.key.sqlite` beside a SQLite store; a server store needs a path given."""
    url = project.engine.url
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        raise PrivacyError(
            f"project {project.location} is not a SQLite file, so there is no place beside it "
            "for the pseudonym key: give a key file path (key=... in Python, --key PATH on the "
            "command line) on a disk only the redaction team can read"
        )
    return Path(f"{url.database}{KEY_SUFFIX}")


class PseudonymKey:
    """Pseudonyms and findings for one project, in a SQLite file of their own (mode 0600).

    >>> key = PseudonymKey.open(p)              # data/coded/sample.qualcode.key.sqlite
    >>> key.pseudonym("person", "Sarah")        # '[PERSON 1]', the same every time
    """

    def __init__(self, path: str | os.PathLike[str], *, project_guid: str | None = None) -> None:
        self.path = Path(path)
        if self.path.suffix in (".qualcode",) or self.path.name.endswith(".qualcode"):
            raise PrivacyError(
                f"{self.path}: the pseudonym key must be a file of its own, never the project "
                "store; use a name ending in .key.sqlite"
            )
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(FileExistsError):  # made with its mode, never world-readable
            os.close(os.open(self.path, os.O_CREAT | os.O_WRONLY | os.O_EXCL, FILE_MODE))
        os.chmod(self.path, FILE_MODE)  # also tightens a key copied with looser permissions
        try:
            self._conn = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            self._conn.row_factory = sqlite3.Row
            self._conn.execute("PRAGMA foreign_keys = ON")
            self._conn.executescript(_SCHEMA)
        except sqlite3.DatabaseError as exc:
            raise PrivacyError(f"{self.path} is not a pseudonym key file: {exc}") from exc
        if project_guid is not None:
            with self.transaction() as conn:
                row = conn.execute("SELECT value FROM meta WHERE key = 'project'").fetchone()
                if row is None:
                    conn.execute(
                        "INSERT INTO meta (key, value) VALUES ('project', ?)", (project_guid,)
                    )
            if row is not None and row["value"] != project_guid:
                self.close()
                raise PrivacyError(
                    f"{self.path} is the pseudonym key of another project; each project "
                    "has its own key file (give the right one with --key)"
                )

    @classmethod
    def open(cls, project: Project, path: str | os.PathLike[str] | None = None) -> PseudonymKey:
        """The key of `project`: at `path`, or beside a SQLite store by default."""
        target = Path(path) if path is not None else default_key_path(project)
        store = project.engine.url.database
        if store and project.engine.url.get_backend_name() == "sqlite":
            with contextlib.suppress(OSError):
                if target.resolve() == Path(store).resolve():
                    raise PrivacyError(
                        f"{target} is the project store itself; the key must be kept apart"
                    )
        return cls(target, project_guid=project.guid)

    def __repr__(self) -> str:
        return f"<PseudonymKey {self.path}>"

    def __enter__(self) -> PseudonymKey:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        self._conn.close()

    @property
    def mode(self) -> int:
        """The key file's permission bits (0o600 unless someone changed them)."""
        return stat.S_IMODE(self.path.stat().st_mode)

    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction, taking the lock at once (reviewers may work side by side)."""
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            yield self._conn
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise
        self._conn.execute("COMMIT")

    def read(self, sql: str, params: Any = ()) -> list[sqlite3.Row]:
        return self._conn.execute(sql, params).fetchall()

    # pseudonyms ---------------------------------------------------------------------------

    def pseudonym(self, kind: str, original: str, *, conn: sqlite3.Connection | None = None) -> str:
        """The pseudonym for `original` (made on first sight): `[PERSON 3]`, `[POSTCODE 1]`."""
        if conn is None:
            with self.transaction() as tx:
                return self.pseudonym(kind, original, conn=tx)
        label = LABELS.get(kind)
        if label is None:
            raise PrivacyError(f"unknown kind {kind!r}; kinds are {', '.join(LABELS)}")
        norm = normalise(kind, original)
        row = conn.execute(
            "SELECT pseudonym FROM pseudonyms WHERE label = ? AND norm = ?", (label, norm)
        ).fetchone()
        if row is not None:
            return row["pseudonym"]
        (number,) = conn.execute(
            "SELECT COALESCE(MAX(number), 0) + 1 FROM pseudonyms WHERE label = ?", (label,)
        ).fetchone()
        made = f"[{label} {number}]"
        conn.execute(
            "INSERT INTO pseudonyms (label, norm, original, number, pseudonym, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (label, norm, " ".join(original.split()), number, made, _now()),
        )
        return made

    def original(self, pseudonym: str) -> str:
        """The original a pseudonym stands for (as first seen)."""
        row = self._conn.execute(
            "SELECT original FROM pseudonyms WHERE pseudonym = ?", (pseudonym,)
        ).fetchone()
        if row is None:
            raise PrivacyError(f"{pseudonym} is not in the key {self.path}")
        return row["original"]

    def key_df(self) -> Any:
        """The key as a DataFrame: pseudonym, kind label, original (for the redaction team)."""
        import pandas as pd

        rows = self.read(
            "SELECT pseudonym, label, original, created_at FROM pseudonyms ORDER BY label, number"
        )
        return pd.DataFrame(
            [dict(r) for r in rows], columns=["pseudonym", "label", "original", "created_at"]
        )

    # scans and findings -------------------------------------------------------------------

    def record_scan(self, document: Document, findings: Sequence[tuple[Finding, str]]) -> None:
        """Keep a scan of a document version and its findings (each with its context), pending
        review, in one transaction. Decisions already made on this version stay; a scan of an
        earlier version not yet applied goes, with its pending decisions."""
        with self.transaction() as conn:
            stale = [
                r["document_id"]
                for r in conn.execute(
                    "SELECT document_id FROM scans WHERE area = ? AND title = ? "
                    "AND document_id != ? AND applied_to IS NULL",
                    (document.area, document.title, document.id),
                )
            ]
            for old in stale:  # that version is gone; its pending decisions go with it
                conn.execute("DELETE FROM findings WHERE document_id = ?", (old,))
                conn.execute("DELETE FROM scans WHERE document_id = ?", (old,))
            conn.execute(
                "INSERT INTO scans (document_id, document_guid, area, title, version, "
                "scanned_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (document_id) DO NOTHING",
                (
                    document.id,
                    document.guid,
                    document.area,
                    document.title,
                    document.version,
                    _now(),
                ),
            )
            for f, context in findings:
                conn.execute(
                    'INSERT INTO findings (document_id, start, "end", kind, text, context, '
                    "pseudonym, rule) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
                    'ON CONFLICT (document_id, start, "end", kind) DO NOTHING',
                    (
                        document.id,
                        f.start,
                        f.end,
                        f.kind,
                        f.text,
                        context,
                        self.pseudonym(f.kind, f.text, conn=conn),
                        f.rule,
                    ),
                )

    def accepted(self, kinds: Sequence[str]) -> dict[str, tuple[str, str]]:
        """Originals of `kinds` accepted (or applied) so far: text -> (kind, pseudonym)."""
        rows = self.read(
            "SELECT DISTINCT kind, text, pseudonym FROM findings WHERE status IN "
            f"('accepted', 'applied') AND kind IN ({', '.join('?' * len(kinds))})",
            list(kinds),
        )
        return {r["text"]: (r["kind"], r["pseudonym"]) for r in rows}

    def findings(
        self,
        *,
        status: str | None = None,
        kind: str | None = None,
        area: str | None = None,
        documents: Iterable[int] | None = None,
    ) -> list[sqlite3.Row]:
        """Findings (id, document, area, kind, text, context, pseudonym, status, document_id,
        start, end, rule), by area, document title and place in the text."""
        sql = (
            "SELECT f.id, s.title AS document, s.area, f.kind, f.text, f.context, f.pseudonym, "
            'f.status, f.document_id, f.start, f."end", f.rule FROM findings f '
            "JOIN scans s ON s.document_id = f.document_id WHERE 1 = 1"
        )
        params: list[Any] = []
        for column, value in (("f.status", status), ("f.kind", kind), ("s.area", area)):
            if value is not None:
                sql += f" AND {column} = ?"
                params.append(value)
        if documents is not None:
            ids = [int(d) for d in documents]
            sql += f" AND f.document_id IN ({', '.join('?' * len(ids)) or 'NULL'})"
            params.extend(ids)
        return self.read(sql + ' ORDER BY s.area, s.title, f.start, f."end"', params)

    def decide(self, ids: Sequence[int], *, accept: bool, by: str | None) -> None:
        """Mark findings accepted or rejected, refusing unknown ids and applied findings."""
        with self.transaction() as conn:
            marks = ", ".join("?" * len(ids))
            rows = conn.execute(
                f"SELECT id, status FROM findings WHERE id IN ({marks})", list(ids)
            ).fetchall()
            known = {r["id"]: r["status"] for r in rows}
            if missing := [i for i in ids if i not in known]:
                raise PrivacyError(
                    f"no finding with id {', '.join(map(str, missing))} in {self.path}; "
                    "see `qualcode redact list`"
                )
            if applied := [i for i in ids if known[i] == "applied"]:
                raise PrivacyError(
                    f"finding {', '.join(map(str, applied))} is already applied; "
                    "scan the new version to review it again"
                )
            conn.execute(
                "UPDATE findings SET status = ?, decided_by = ?, decided_at = ? "
                f"WHERE id IN ({marks})",
                ["accepted" if accept else "rejected", by, _now(), *ids],
            )

    def unapplied_scans(self) -> list[sqlite3.Row]:
        """Scans not yet applied (every column of `scans`), by area and title."""
        return self.read("SELECT * FROM scans WHERE applied_to IS NULL ORDER BY area, title")

    def mark_applied(self, document_id: int, applied_to: int) -> None:
        """Record that the scanned version `document_id` was applied as version `applied_to`:
        its accepted findings become applied."""
        with self.transaction() as conn:
            conn.execute(
                "UPDATE scans SET applied_to = ?, applied_at = ? WHERE document_id = ?",
                (applied_to, _now(), document_id),
            )
            conn.execute(
                "UPDATE findings SET status = 'applied' WHERE document_id = ? "
                "AND status = 'accepted'",
                (document_id,),
            )


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
