"""Identity rules: which area, coder, case or code an incoming name is, created on first use.

Ingest, the project, REFI-QDA import and merge all ask here, so they never disagree. (Which
document an incoming text is: `store.documents.KnownDocuments`.)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Row, func, select

from qualcode.errors import CodingError, NotFoundError, QualcodeError
from qualcode.model import CODER_ROLES, CONSENSUS, Code, check_name, coder_role
from qualcode.store import audit, schema
from qualcode.store import coders as coder_store
from qualcode.store import codes as code_store
from qualcode.store import meta as meta_store
from qualcode.store.stamps import new_guid, now


def coder_id_for(
    conn: Connection, name: str, role: str | None = None, *, guid: str | None = None
) -> int:
    """The id of a coder, in any spelling of their name ("amina" is "Amina"), created on
    first use: see `coder_for`."""
    return coder_for(conn, name, role, guid=guid)[0]


def coder_for(
    conn: Connection, name: str, role: str | None = None, *, guid: str | None = None
) -> tuple[int, str]:
    """The id and stored name of a coder, in any spelling of their name, from one lookup;
    created on first use (with `role`, else `coder_role(name)`, and `guid`, else a fresh one;
    a name close to another coder's warns). An adjudicated layer (role "adjudicator", such
    as "consensus") is written only through `Project.adjudicate`."""
    check_name(name, "coder")
    role = role or coder_role(name)
    t = schema.coders
    found = coder_store.coder_row(conn, name)
    layer = found is not None and found.role == "adjudicator"
    if (layer or (found is None and name == CONSENSUS)) and role != "adjudicator":
        raise CodingError(
            f"{name!r} is an adjudicated layer, not a coder; write it with "
            f"p.adjudicate(..., adjudicator='your name')"
        )
    if found is not None:
        return found.id, found.name
    if role not in CODER_ROLES:
        raise QualcodeError(f"coder role {role!r} is not one of {', '.join(CODER_ROLES)}")
    name = coder_store.display_name(name)
    if role == "coder":
        coder_store.warn_near_duplicates(name, coder_store.coder_names(conn))
    coder_id = conn.execute(
        t.insert().values(guid=guid or new_guid(), name=name, role=role, created_at=now())
    ).inserted_primary_key[0]
    return coder_id, name


def find_coder(conn: Connection, *, guid: str | None = None, name: str | None = None) -> int | None:
    """The coder an incoming GUID (in any case) is, else the one of that name; None if
    neither is known (a file from another project names its users by GUID and name)."""
    t = schema.coders
    if guid is not None:
        found = conn.execute(
            select(t.c.id).where(func.lower(t.c.guid) == guid.lower()).order_by(t.c.id)
        ).first()
        if found is not None:
            return int(found.id)
    if name is not None:
        row = coder_store.coder_row(conn, name)
        return None if row is None else int(row.id)
    return None


def require_area(conn: Connection, name: str) -> int:
    """The id of an existing area, or a clear error naming the areas there are."""
    t = schema.areas
    found = conn.execute(select(t.c.id).where(t.c.name == name)).scalar_one_or_none()
    if found is None:
        names = ", ".join(conn.execute(select(t.c.name).order_by(t.c.name)).scalars())
        raise NotFoundError(f"no area named {name!r}; the areas are: {names or 'none yet'}")
    return found


def require_coders(conn: Connection, names: Sequence[str]) -> list[str]:
    """The coders' names as stored ("amina" is "Amina"), refusing names nobody has used (a
    typo would give an empty table); the consensus layer is always a name, empty until
    someone adjudicates."""
    t = schema.coders
    known = {coder_store.coder_key(n): n for n in conn.execute(select(t.c.name)).scalars()}
    if unknown := [
        n for n in names if coder_store.coder_key(n) not in known and n != CONSENSUS
    ]:
        raise NotFoundError(
            f"no coder named {', '.join(unknown)} in this project "
            f"(coders: {', '.join(sorted(known.values())) or 'none yet'})"
        )
    return [known.get(coder_store.coder_key(n), n) for n in names]


def area_id_for(conn: Connection, name: str) -> int:
    t = schema.areas
    check_name(name, "area")
    found = conn.execute(select(t.c.id).where(t.c.name == name)).scalar_one_or_none()
    if found is not None:
        return found
    return conn.execute(
        t.insert().values(name=name, config={}, created_at=now())
    ).inserted_primary_key[0]


def merge_case_attributes(
    conn: Connection, row: Row[Any], attributes: dict[str, Any], *, actor: str
) -> bool:
    """Set attribute values of an existing case (a row with id and attributes), audited with
    before and after; an attribute given as None (an empty cell in a later file) is removed,
    those not given are kept. Returns whether anything changed."""
    merged = dict(row.attributes or {})
    for key, value in attributes.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = value
    if merged == (row.attributes or {}):
        return False
    t = schema.cases
    conn.execute(t.update().where(t.c.id == row.id).values(attributes=merged))
    audit.record(
        conn,
        actor=actor,
        action="update",
        object="case",
        object_id=row.id,
        before={"attributes": row.attributes},
        after={"attributes": merged},
    )
    return True


def find_case(
    conn: Connection, area_id: int | None, *, guid: str | None = None, name: str | None = None
) -> Row[Any] | None:
    """A case (its row) by GUID, else by name, within an area (any area when `area_id` is
    None); None when there is no such case."""
    t = schema.cases
    in_area = [] if area_id is None else [t.c.area_id == area_id]
    if guid is not None:
        row = conn.execute(select(t).where(t.c.guid == guid, *in_area)).first()
        if row is not None:
            return row
    if name is not None:
        return conn.execute(select(t).where(t.c.name == name, *in_area)).first()
    return None


def free_guid(conn: Connection, table: str, guid: str) -> str:
    """`guid` for a row arriving from another project, or a new GUID when one of our rows of
    `table` (coders, codes, cases, documents) already has it: a GUID names one row only."""
    t = schema.metadata.tables[table]
    taken = conn.execute(select(t.c.id).where(t.c.guid == guid)).first()
    return new_guid() if taken else guid


def insert_coder(
    conn: Connection,
    name: str,
    role: str,
    *,
    actor: str,
    guid: str | None = None,
    created_at: str | None = None,
    after: dict[str, Any] | None = None,
) -> int:
    """Insert a coder (name and role checked by the caller) with its "add" audit row, in the
    caller's transaction: how a coder from another project (a merge) enters the store.
    `after` is what the audit row keeps (default: name and role)."""
    check_name(name, "coder")
    coder_id: int = conn.execute(
        schema.coders.insert().values(
            guid=guid or new_guid(), name=name, role=role, created_at=created_at or now()
        )
    ).inserted_primary_key[0]
    audit.record(
        conn,
        actor=actor,
        action="add",
        object="coder",
        object_id=coder_id,
        after=after if after is not None else {"name": name, "role": role},
    )
    return coder_id




def insert_case(
    conn: Connection,
    area_id: int,
    name: str,
    attributes: dict[str, Any],
    *,
    actor: str,
    guid: str | None = None,
    created_at: str | None = None,
    after: dict[str, Any] | None = None,
) -> int:
    """Insert a case with its "add" audit row, in the caller's transaction: the one way a case
    enters the store. A `guid` from elsewhere must be free here (`free_guid`); None gives a
    new one. `after` is what the audit row keeps (default: name and attributes)."""
    check_name(name, "case")
    case_id: int = conn.execute(
        schema.cases.insert().values(
            guid=guid or new_guid(),
            area_id=area_id,
            name=name,
            attributes=dict(attributes),
            created_at=created_at or now(),
        )
    ).inserted_primary_key[0]
    audit.record(
        conn,
        actor=actor,
        action="add",
        object="case",
        object_id=case_id,
        after=after if after is not None else {"name": name, "attributes": dict(attributes)},
    )
    return case_id


def case_id_for(
    conn: Connection, area_id: int, name: str, attributes: dict[str, Any], *, actor: str
) -> int:
    """The id of a case of an area, created on first use; its attributes updated (see
    `ensure_case`)."""
    return ensure_case(conn, area_id, name, attributes, actor=actor)[0]


def ensure_case(
    conn: Connection, area_id: int, name: str, attributes: dict[str, Any], *, actor: str
) -> tuple[int, bool]:
    """The id of a case of an area, created on first use, and whether an existing case's
    attributes changed. The values given replace the case's (audited); an empty value (None
    or "") removes that attribute; attributes not given are kept."""
    t = schema.cases
    row = conn.execute(
        select(t.c.id, t.c.attributes).where(t.c.area_id == area_id, t.c.name == name)
    ).first()
    given = {str(k): (None if v in (None, "", []) else v) for k, v in attributes.items()}
    if row is None:
        values = {k: v for k, v in given.items() if v is not None}
        return insert_case(conn, area_id=area_id, name=name, attributes=values, actor=actor), False
    return row.id, merge_case_attributes(conn, row, given, actor=actor)


def assign_case(conn: Connection, document_id: int, case_id: int, *, actor: str) -> bool:
    """Put a document under a case (a participants file, added later, names its participant),
    audited; returns whether it moved."""
    d = schema.documents
    before = conn.execute(select(d.c.case_id).where(d.c.id == document_id)).scalar_one()
    if before == case_id:
        return False
    conn.execute(d.update().where(d.c.id == document_id).values(case_id=case_id))
    audit.record(
        conn,
        actor=actor,
        action="update",
        object="document",
        object_id=document_id,
        document_id=document_id,
        before={"case_id": before},
        after={"case_id": case_id},
    )
    return True


@dataclass(frozen=True)
class KnownCoder:
    """One of our coders, as `KnownCoders` holds them."""

    id: int
    guid: str
    name: str
    role: str


@dataclass
class KnownCoders:
    """Our coders, to recognise another project's: the same coder has the same GUID (or a GUID
    remembered as the same person, `store.meta.coder_aliases`). One name with two GUIDs is not
    taken as one person here: only the user can say so (then `remember_same_coder`)."""

    by_guid: dict[str, KnownCoder] = field(default_factory=dict)
    by_name: dict[str, KnownCoder] = field(default_factory=dict)
    aliases: dict[str, str] = field(default_factory=dict)  # their GUID -> our GUID

    @classmethod
    def load(cls, conn: Connection) -> KnownCoders:
        known = cls(aliases=meta_store.coder_aliases(conn))
        for row in conn.execute(select(schema.coders)):
            known.add(KnownCoder(row.id, row.guid, row.name, row.role))
        return known

    def same(self, guid: str) -> KnownCoder | None:
        """Our coder with this GUID, or remembered as the same person, else None."""
        alias = self.aliases.get(guid)
        return self.by_guid.get(guid) or (self.by_guid.get(alias) if alias else None)

    def named(self, name: str) -> KnownCoder | None:
        """Our coder with this name (in any spelling): the same person only if the user
        says so."""
        return self.by_name.get(coder_store.coder_key(name))

    def add(self, coder: KnownCoder) -> None:
        self.by_guid[coder.guid] = self.by_name[coder_store.coder_key(coder.name)] = coder


def remember_same_coder(conn: Connection, their_guid: str, ours: KnownCoder) -> None:
    """Remember that another project's coder is ours, so the next merge asks nothing."""
    meta_store.write_coder_alias(conn, their_guid, ours.guid)


@dataclass
class KnownCodes:
    """Our codebook, to recognise another project's codes: the same code has the same GUID,
    else the same name (ignoring case) under the same parent, i.e. the same path."""

    by_guid: dict[str, Code] = field(default_factory=dict)
    siblings: dict[int | None, dict[str, Code]] = field(default_factory=dict)
    shortcuts: set[str] = field(default_factory=set)
    paths: dict[int, str] = field(default_factory=dict)

    @classmethod
    def load(cls, conn: Connection) -> KnownCodes:
        known = cls()
        for code in code_store.tree(conn):
            known.add(code)
        return known

    def same(self, guid: str, parent_id: int | None, name: str) -> Code | None:
        """Our code with this GUID, else the one named `name` under our `parent_id`."""
        return self.by_guid.get(guid) or self.siblings.get(parent_id, {}).get(name.casefold())

    def children(self, parent_id: int | None) -> int:
        """How many codes are under `parent_id` (the position of a code added there)."""
        return len(self.siblings.get(parent_id, {}))

    def add(self, code: Code) -> None:
        self.by_guid[code.guid] = code
        self.siblings.setdefault(code.parent_id, {})[code.name.casefold()] = code
        if code.shortcut:
            self.shortcuts.add(code.shortcut)
        self.paths[code.id] = code.path
