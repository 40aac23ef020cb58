"""Merge a project coded on another laptop into this one (`Project.merge`, `qualcode merge`).

Community researchers code offline on their own laptops, each with a copy of the project;
the lead brings their work together. Objects are matched the way people recognise them:
documents by their text's sha256 within the area, codes by GUID or else by path, coders by
GUID or else by name (only when the user says the two are the same person), codings by GUID
or else by (document, start, end, code, coder). New things are added with their own GUIDs,
coders and timestamps; what is already here is counted, not copied twice.

Conflicts (the same code path meaning different things, one coder name on both sides for
two GUIDs, a different text under a known title, a case attribute with two values) are never
resolved silently: the merge is refused with every conflict and the option that settles it.
Everything is written in one write transaction, or nothing is.
"""

from __future__ import annotations

import contextlib
import sqlite3
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, create_engine, event, inspect, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from qualcode.errors import QualcodeError, SchemaVersionError, StoreError
from qualcode.store import audit, new_guid, now, schema
from qualcode.store.migrations import SCHEMA_VERSION, stored_version

if TYPE_CHECKING:
    from qualcode.project import Project

KINDS = ("areas", "coders", "codes", "cases", "documents", "codings", "memos", "recommendations")
KEEP = ("ours", "theirs")
ALIAS_KEY = "coder_alias:"  # qualcode_meta key prefix: their coder GUID -> our coder GUID
CODE_FIELDS = ("description", "inclusion", "exclusion", "example")


class MergeError(QualcodeError):
    """The other project cannot be merged as asked; nothing was written."""


@dataclass(frozen=True)
class Conflict:
    """One thing the two projects disagree on, and the option that settles it."""

    kind: str  # coder | code | document | case
    name: str
    detail: str
    resolve: str

    def __str__(self) -> str:
        return f"{self.kind} {self.name!r}: {self.detail}; {self.resolve}"


@dataclass
class MergeReport:
    """What a merge added, what was already here, and what conflicts (if any) stopped it."""

    source: str
    target: str
    dry_run: bool = False
    added: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    present: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    conflicts: list[Conflict] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # decisions applied, things left as ours

    @property
    def rows_added(self) -> int:
        return sum(self.added.values())

    def __str__(self) -> str:
        verb = "would merge" if self.dry_run else "merged"
        lines = [f"{verb} {self.source} into {self.target}"]
        width = max(len(k) for k in KINDS)
        lines.append(f"{'':{width}}  {'added':>7}  {'already here':>12}")
        for kind in KINDS:
            lines.append(f"{kind:{width}}  {self.added[kind]:>7}  {self.present[kind]:>12}")
        lines += [f"note: {n}" for n in self.notes]
        if self.conflicts:
            lines.append(f"{len(self.conflicts)} conflicts (nothing was written):")
            lines += [f"  - {c}" for c in self.conflicts]
        elif self.dry_run:
            lines.append("no conflicts; dry run: nothing was written")
        return "\n".join(lines)


class MergeConflict(MergeError):
    """The projects disagree; the merge was refused and nothing was written."""

    def __init__(self, report: MergeReport) -> None:
        self.report = report
        listed = "\n".join(f"  - {c}" for c in report.conflicts)
        super().__init__(
            f"{len(report.conflicts)} conflicts merging {report.source}; nothing was merged. "
            f"Settle each with the option named, or see the plan with dry_run=True "
            f"(--dry-run):\n{listed}"
        )


# =============================================================================================
# reading the other project
# =============================================================================================


@dataclass
class _Side:
    """Everything merge reads from the other project, read in one snapshot."""

    areas: dict[int, str]
    coders: list[Any]
    codes: list[Any]
    cases: dict[int, Any]
    documents: list[Any]
    units: dict[int, list[tuple[Any, ...]]]
    codings: list[Any]
    memos: list[Any]
    recommendations: list[Any]


def _read_side(engine: Engine) -> _Side:
    s = schema
    with engine.connect() as conn:
        if engine.url.get_backend_name() == "postgresql":
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
        tables = set(inspect(conn).get_table_names())
        units: dict[int, list[tuple[Any, ...]]] = {}
        u = s.units
        for row in conn.execute(
            select(u.c.document_id, u.c.kind, u.c.start, u.c.end, u.c.speaker, u.c.role, u.c.meta)
        ):
            units.setdefault(row.document_id, []).append(tuple(row)[1:])
        return _Side(
            areas={r.id: r.name for r in conn.execute(select(s.areas))},
            coders=conn.execute(select(s.coders).order_by(s.coders.c.id)).all(),
            codes=conn.execute(select(s.codes)).all(),
            cases={r.id: r for r in conn.execute(select(s.cases))},
            documents=conn.execute(
                select(s.documents).order_by(
                    s.documents.c.area_id, s.documents.c.title, s.documents.c.version
                )
            ).all(),
            units=units,
            codings=conn.execute(select(s.codings).order_by(s.codings.c.id)).all(),
            memos=conn.execute(select(s.memos).order_by(s.memos.c.id)).all(),
            recommendations=conn.execute(
                select(s.recommendations).order_by(s.recommendations.c.id)
            ).all()
            if s.recommendations.name in tables
            else [],
        )


@contextlib.contextmanager
def _other_engine(
    other: Project | str | Path, target: Project, area: str | None
) -> Iterator[tuple[Engine, str, bool]]:
    """(engine to read, label for messages and audit, whether its areas are known)."""
    from qualcode.project import Project

    if isinstance(other, Project):
        yield other.engine, other.location, True
        return
    if isinstance(other, str) and "://" in other:  # a project on a PostgreSQL server
        engine, label = _server_engine(other)
        try:
            yield engine, label, True
        finally:
            engine.dispose()
        return
    path = Path(other).expanduser()
    if not path.is_file():
        raise MergeError(
            f"{path}: no such file; give another laptop's .qualcode project or a .qdpx"
        )
    with tempfile.TemporaryDirectory(prefix="qualcode-merge-") as folder:
        qdpx = path.suffix.lower() == ".qdpx"
        engine = (
            _qdpx_engine(path, target, area, Path(folder))
            if qdpx
            else _sqlite_snapshot(path, Path(folder))
        )
        try:
            yield engine, str(path), not qdpx
        finally:
            engine.dispose()


def _qdpx_engine(path: Path, target: Project, area: str | None, folder: Path) -> Engine:
    """Import the .qdpx into a scratch project (the one REFI-QDA reader), to merge from."""
    from qualcode.interop.refi import DEFAULT_AREA, import_qdpx
    from qualcode.project import open_project

    scratch = open_project(folder / "from-qdpx.qualcode", user=target.user)
    import_qdpx(path, scratch, area=area or DEFAULT_AREA)
    return scratch.engine


def _sqlite_snapshot(path: Path, folder: Path) -> Engine:
    """A read-only engine on another laptop's store, never modified: a store from an older
    qualcode is copied and the copy upgraded; one from a newer qualcode is refused."""
    from qualcode.store import connect, migrate

    engine = _readonly(path)
    version = _checked_version(engine, str(path), "give a .qualcode file or a .qdpx")
    if version == SCHEMA_VERSION:
        return engine
    copy = folder / "older.qualcode"
    source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        with sqlite3.connect(copy) as dest:
            source.backup(dest)
    finally:
        source.close()
    engine.dispose()
    upgraded = connect(f"sqlite:///{copy}")
    migrate(upgraded)
    return upgraded


def _server_engine(url: str) -> tuple[Engine, str]:
    """An engine on a project on a server (read in one REPEATABLE READ snapshot), and its URL
    without the password for messages. An older schema is not upgraded from here."""
    from qualcode.store import connect, resolve_url

    try:
        resolved = resolve_url(url)
    except StoreError as exc:
        raise MergeError(f"{exc}; nothing was merged") from None
    label = make_url(resolved).render_as_string(hide_password=True)
    engine = connect(resolved)
    version = _checked_version(engine, label, "check the URL")
    if version < SCHEMA_VERSION:
        engine.dispose()
        raise MergeError(
            f"{label} is a project of an older qualcode (schema version {version}); upgrade it "
            f"by opening it once with this qualcode (qualcode status --project URL), then merge. "
            "Nothing was merged"
        )
    return engine, label


def _checked_version(engine: Engine, label: str, what_to_do: str) -> int:
    """The schema version of the project behind `engine`, refusing what is not a project
    or is from a newer qualcode (the engine is disposed then)."""
    try:
        with engine.connect() as conn:
            version = stored_version(conn)
    except StoreError as exc:
        engine.dispose()
        raise MergeError(f"{label} is not a qualcode project ({exc}); nothing was merged") from None
    except DBAPIError as exc:
        engine.dispose()
        reason = str(exc.orig).strip().splitlines()[0]
        raise MergeError(f"{label} is not a qualcode project ({reason}); {what_to_do}") from None
    if version is None:
        engine.dispose()
        raise MergeError(f"{label} is an empty database, not a qualcode project; nothing to merge")
    if version > SCHEMA_VERSION:
        engine.dispose()
        raise SchemaVersionError(
            f"{label} was written by a newer qualcode (schema version {version}; this qualcode "
            f"reads up to {SCHEMA_VERSION}); update qualcode to merge it. Nothing was merged"
        )
    return version


def _readonly(path: Path) -> Engine:
    """SQLite opened read-only (mode=ro): nothing we do can change the other laptop's file."""
    engine = create_engine(
        f"sqlite:///file:{path.resolve()}?mode=ro&uri=true",
        connect_args={"uri": True, "check_same_thread": False},
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        dbapi_connection.isolation_level = None

    @event.listens_for(engine, "begin")
    def _on_begin(connection) -> None:  # type: ignore[no-untyped-def]
        connection.exec_driver_sql("BEGIN")  # one snapshot for every read

    return engine


# =============================================================================================
# merging, in one transaction
# =============================================================================================


class _Rollback(Exception):
    def __init__(self, report: MergeReport) -> None:
        self.report = report


def merge_project(
    target: Project,
    other: Project | str | Path,
    *,
    same_coders: Sequence[str] = (),
    rename_coders: Mapping[str, str] | None = None,
    keep: str | None = None,
    keep_codes: Mapping[str, str] | None = None,
    new_versions: Sequence[str] = (),
    area: str | None = None,
    dry_run: bool = False,
) -> MergeReport:
    """Merge `other` into `target`; see `Project.merge` for the options."""
    options = _Options(
        same_coders=set(same_coders),
        rename_coders=dict(rename_coders or {}),
        keep=_keep(keep, "keep"),
        keep_codes={str(k): _keep(v, f"keep_codes[{k!r}]") for k, v in (keep_codes or {}).items()},
        new_versions=set(new_versions),
    )
    for old, new in options.rename_coders.items():
        if not isinstance(new, str) or not new.strip() or new.strip() == old:
            raise MergeError(f"rename_coders[{old!r}] must be a new, non-empty name; got {new!r}")
    with _other_engine(other, target, area) as (engine, label, areas_known):
        side = _read_side(engine)
    report = MergeReport(source=label, target=target.location, dry_run=dry_run)
    try:
        with target.writing() as conn:
            _Merger(conn, target, side, report, options, area, areas_known).run()
            if dry_run or report.conflicts:
                raise _Rollback(report)
    except _Rollback:
        pass
    if report.conflicts and not dry_run:
        raise MergeConflict(report)
    return report


def _keep(value: str | None, what: str) -> str | None:
    if value is None or value in KEEP:
        return value
    raise MergeError(f"{what} must be 'ours' or 'theirs', not {value!r}")


@dataclass
class _Options:
    same_coders: set[str]
    rename_coders: dict[str, str]
    keep: str | None
    keep_codes: dict[str, str]
    new_versions: set[str]


class _Merger:
    """One merge inside the caller's write transaction; maps their ids to ours as it goes."""

    def __init__(
        self,
        conn: Connection,
        target: Project,
        side: _Side,
        report: MergeReport,
        options: _Options,
        area: str | None,
        areas_known: bool,
    ) -> None:
        from qualcode.interop.refi import DEFAULT_AREA

        self.conn, self.target, self.side = conn, target, side
        self.report, self.options = report, options
        self.actor = target.user
        self.areas_known = areas_known  # False for a .qdpx, whose documents have no area
        self.default_area = area or DEFAULT_AREA
        self.area_ids = {r.name: r.id for r in conn.execute(select(schema.areas))}
        self.coder_map: dict[int, int] = {}
        self.code_map: dict[int, int] = {}
        self.case_map: dict[int, int] = {}
        self.doc_map: dict[int, int] = {}
        self.coding_map: dict[int, int] = {}

    def run(self) -> None:
        if self.areas_known:
            self.present("areas", len(set(self.side.areas.values()) & set(self.area_ids)))
        self.coders()
        self.codes()
        self.documents()
        if self.areas_known:  # cases without documents come too
            used = {d.case_id for d in self.side.documents}
            for case in self.side.cases.values():
                if case.id not in used:
                    self.case(self.side.areas[case.area_id], case)
        self.codings()
        self.memos()
        self.recommendations()
        if not self.report.rows_added:
            return  # merging the same work again writes nothing, not even an audit row
        audit.record(
            self.conn,
            actor=self.actor,
            action="merge",
            object="project",
            object_id=None,
            after={"from": self.report.source, "added": dict(self.report.added)},
        )

    def conflict(self, kind: str, name: str, detail: str, resolve: str) -> None:
        self.report.conflicts.append(Conflict(kind, name, detail, resolve))

    def add(self, kind: str, n: int = 1) -> None:
        self.report.added[kind] += n

    def present(self, kind: str, n: int = 1) -> None:
        self.report.present[kind] += n

    def record(self, object: str, object_id: int, after: dict[str, Any], **kw: Any) -> None:
        audit.record(
            self.conn,
            actor=self.actor,
            action="add",
            object=object,
            object_id=object_id,
            after={**after, "merged_from": self.report.source},
            **kw,
        )

    def area_id(self, name: str) -> int:
        from qualcode.store.identity import area_id_for

        if name not in self.area_ids:
            self.area_ids[name] = area_id_for(self.conn, name)
            self.add("areas")
        return self.area_ids[name]

    def free_guid(self, table: Any, guid: str) -> str:
        taken = self.conn.execute(select(table.c.id).where(table.c.guid == guid)).first()
        return new_guid() if taken else guid

    # coders -----------------------------------------------------------------------------------

    def coders(self) -> None:
        k, m = schema.coders, schema.meta
        ours = self.conn.execute(select(k)).all()
        by_guid = {r.guid: r for r in ours}
        by_name = {r.name: r for r in ours}
        aliases = dict(
            self.conn.execute(select(m.c.key, m.c.value).where(m.c.key.startswith(ALIAS_KEY))).all()
        )
        for theirs in self.side.coders:
            name = self.options.rename_coders.get(theirs.name, theirs.name).strip()
            alias = aliases.get(ALIAS_KEY + theirs.guid)
            mine = by_guid.get(theirs.guid) or (by_guid.get(alias) if alias else None)
            if mine is None and name in by_name:
                mine = by_name[name]
                layer = theirs.role in ("adjudicator", "model") and theirs.role == mine.role
                if theirs.name in self.options.same_coders:
                    key = ALIAS_KEY + theirs.guid  # remembered, so the next merge asks nothing
                    self.conn.execute(m.delete().where(m.c.key == key))
                    self.conn.execute(m.insert().values(key=key, value=mine.guid))
                    self.report.notes.append(f"coder {name!r} taken as the same person here")
                elif not layer:
                    self.conflict(
                        "coder",
                        name,
                        f"the name is used on both sides by different coders "
                        f"(GUIDs {theirs.guid[:8]}… and {mine.guid[:8]}…)",
                        f"if one person: same_coders=[{name!r}] (--same-coder {name}); "
                        f"if two: rename_coders={{{name!r}: 'NEW'}} (--rename-coder {name}=NEW)",
                    )
                    continue
            if mine is not None:
                self.coder_map[theirs.id] = mine.id
                self.present("coders")
                continue
            values = {
                "guid": self.free_guid(k, theirs.guid),
                "name": name,
                "role": theirs.role,
                "created_at": theirs.created_at,
            }
            coder_id = self.conn.execute(k.insert().values(**values)).inserted_primary_key[0]
            row = self.conn.execute(select(k).where(k.c.id == coder_id)).one()
            by_guid[row.guid] = by_name[row.name] = row
            self.coder_map[theirs.id] = coder_id
            self.record("coder", coder_id, {"name": name, "role": theirs.role})
            self.add("coders")

    # codes ------------------------------------------------------------------------------------

    def codes(self) -> None:
        from qualcode.store.codes import code_tree

        t = schema.codes
        rows = self.conn.execute(select(t)).all()
        by_guid = {r.guid: r for r in rows}
        siblings: dict[int | None, dict[str, Any]] = {}
        for r in rows:
            siblings.setdefault(r.parent_id, {})[r.name.casefold()] = r
        shortcuts = {r.shortcut for r in rows if r.shortcut}
        ours_paths = {c.id: c.path for c in code_tree(rows)}
        raw = {r.id: r for r in self.side.codes}
        known = {*ours_paths.values(), *(c.path for c in code_tree(self.side.codes))}
        for path in sorted(set(self.options.keep_codes) - known):  # a typo settles nothing
            self.conflict(
                "code",
                path,
                "keep_codes names a code that is on neither side",
                "check the path: names from the root joined by '/', as in codes_df()",
            )
        for code in code_tree(self.side.codes):  # parents before children
            theirs = raw[code.id]
            parent = self.code_map.get(theirs.parent_id) if theirs.parent_id else None
            if theirs.parent_id is not None and parent is None:
                continue  # under a code that could not be placed
            mine = by_guid.get(theirs.guid) or siblings.get(parent, {}).get(theirs.name.casefold())
            if mine is not None:
                self.code_map[theirs.id] = mine.id
                self.present("codes")
                self.compare_code(code.path, ours_paths[mine.id], mine, theirs)
                continue
            stamp = now()
            taken = siblings.setdefault(parent, {})
            values = {
                "guid": self.free_guid(t, theirs.guid),
                "parent_id": parent,
                "name": theirs.name,
                **{f: getattr(theirs, f) or "" for f in CODE_FIELDS},
                "color": theirs.color,
                "shortcut": theirs.shortcut if theirs.shortcut not in shortcuts else None,
                "position": len(taken),
                "created_at": theirs.created_at or stamp,
                "updated_at": theirs.updated_at or stamp,
            }
            code_id = self.conn.execute(t.insert().values(**values)).inserted_primary_key[0]
            row = self.conn.execute(select(t).where(t.c.id == code_id)).one()
            taken[row.name.casefold()] = by_guid[row.guid] = row
            if row.shortcut:
                shortcuts.add(row.shortcut)
            parent_path = ours_paths.get(parent) if parent else None
            ours_paths[code_id] = f"{parent_path}/{row.name}" if parent_path else row.name
            self.code_map[theirs.id] = code_id
            self.record("code", code_id, {"path": ours_paths[code_id], "guid": row.guid})
            self.add("codes")

    def compare_code(self, their_path: str, our_path: str, mine: Any, theirs: Any) -> None:
        """Same code, different meaning: a conflict unless `keep`/`keep_codes` settles it."""
        if their_path != our_path:
            self.report.notes.append(
                f"code {their_path!r} is {our_path!r} here (renamed or moved); ours kept"
            )
        differ = [f for f in CODE_FIELDS if (getattr(mine, f) or "") != (getattr(theirs, f) or "")]
        if not differ:
            return
        decision = (
            self.options.keep_codes.get(our_path)
            or self.options.keep_codes.get(their_path)
            or self.options.keep
        )
        if decision is None:
            self.conflict(
                "code",
                our_path,
                f"{', '.join(differ)} {'differs' if len(differ) == 1 else 'differ'} "
                "between the two projects",
                f"keep_codes={{{our_path!r}: 'ours' or 'theirs'}} "
                f"(--keep-code '{our_path}=ours'), or keep='ours'/'theirs' for all (--keep)",
            )
        elif decision == "theirs":
            changes = {f: getattr(theirs, f) or "" for f in differ}
            self.target.codebook._update(self.conn, mine.id, **changes)
            self.report.notes.append(f"code {our_path!r}: their {', '.join(differ)} kept")

    # cases and documents ------------------------------------------------------------------------

    def case(self, area: str, theirs: Any) -> int:
        """Our case for theirs (by area and name), made if missing; attributes merged."""
        if theirs.id in self.case_map:
            return self.case_map[theirs.id]
        t = schema.cases
        area_id = self.area_id(area)
        mine = self.conn.execute(
            select(t).where(t.c.area_id == area_id, t.c.name == theirs.name)
        ).first()
        if mine is None:
            values = {
                "guid": self.free_guid(t, theirs.guid),
                "area_id": area_id,
                "name": theirs.name,
                "attributes": dict(theirs.attributes or {}),
                "created_at": theirs.created_at,
            }
            case_id = self.conn.execute(t.insert().values(**values)).inserted_primary_key[0]
            self.record("case", case_id, {"name": theirs.name, "attributes": values["attributes"]})
            self.add("cases")
        else:
            case_id = mine.id
            self.present("cases")
            self.merge_attributes(f"{area}/{theirs.name}", mine, dict(theirs.attributes or {}))
        self.case_map[theirs.id] = case_id
        return case_id

    def merge_attributes(self, name: str, mine: Any, theirs: dict[str, Any]) -> None:
        from qualcode.store.identity import merge_case_attributes

        ours = mine.attributes or {}
        differ = sorted(k for k, v in theirs.items() if k in ours and ours[k] != v)
        if differ and self.options.keep is None:
            shown = ", ".join(f"{k}: {ours[k]!r} here, {theirs[k]!r} there" for k in differ)
            self.conflict(
                "case",
                name,
                f"attributes differ ({shown})",
                "keep='ours' or 'theirs' (--keep ours|theirs)",
            )
            return
        if self.options.keep != "theirs":
            theirs = {k: v for k, v in theirs.items() if k not in ours}
        merge_case_attributes(self.conn, mine, theirs, actor=self.actor)

    def documents(self) -> None:
        d = schema.documents
        ours = self.conn.execute(
            select(
                d.c.id,
                d.c.area_id,
                d.c.case_id,
                d.c.title,
                d.c.version,
                d.c.sha256,
                d.c.is_current,
                d.c.length,
                d.c.meta,
            )
        ).all()
        # versions whose original text was purged after pseudonymising (qualcode redact purge)
        self.purged = {r.id for r in ours if r.length == 0 and (r.meta or {}).get("purged_at")}
        area_names = {v: k for k, v in self.area_ids.items()}
        # the same text under the same title in the same area (any area, for a .qdpx), else
        # the one document with that text there: two answers that both read "n/a" are two
        # documents, matched by title, and a third "n/a" under a new title is a new one
        by_title: dict[tuple[str | None, str, str], int] = {}
        by_sha: dict[tuple[str | None, str], list[int]] = {}
        # the same text under the same title in another area (a .qdpx merged into "imported"
        # before): the same document, when there is only one such
        elsewhere: dict[tuple[str, str], list[int]] = {}
        latest: dict[tuple[str | None, str], Any] = {}  # (area, title) -> newest version of ours
        for r in ours:
            area = area_names[r.area_id] if self.areas_known else None
            by_title.setdefault((area, r.title, r.sha256), r.id)
            by_sha.setdefault((area, r.sha256), []).append(r.id)
            elsewhere.setdefault((r.title, r.sha256), []).append(r.id)
            key = (area_names[r.area_id], r.title)
            if key not in latest or r.version > latest[key].version:
                latest[key] = r
        titled: dict[str, list[str]] = {}  # title -> areas holding it (a .qdpx has no areas)
        for area, title in latest:
            titled.setdefault(title, []).append(area)
        case_of = {r.id: r.case_id for r in ours}
        for theirs in self.side.documents:
            area = self.side.areas[theirs.area_id] if self.areas_known else None
            found = by_title.get((area, theirs.title, theirs.sha256))
            if found is None and len(by_sha.get((area, theirs.sha256), [])) == 1:
                found = by_sha[(area, theirs.sha256)][0]
            if found is None and len(elsewhere.get((theirs.title, theirs.sha256), [])) == 1:
                found = elsewhere[(theirs.title, theirs.sha256)][0]
            if found is not None:
                self.doc_map[theirs.id] = found
                self.present("documents")
                self.matched_case(theirs, case_of.get(found))
                continue
            if area is None:  # from a .qdpx: a known title in any area is the same document
                places = titled.get(theirs.title, [])
                area = places[0] if len(places) == 1 else self.default_area
            key = (area, theirs.title)
            mine = latest.get(key)
            previous = self.doc_map.get(theirs.previous_id) if theirs.previous_id else None
            settled = previous == mine.id if mine is not None else True
            if not settled and theirs.title not in self.options.new_versions:
                self.conflict(
                    "document",
                    f"{area}/{theirs.title}",
                    f"the other project's text (version {theirs.version}, sha256 "
                    f"{theirs.sha256[:12]}…) is not a version of ours (version "
                    f"{mine.version}, {mine.sha256[:12]}…)",
                    f"to make theirs our newest version: new_versions=[{theirs.title!r}] "
                    f"(--new-version '{theirs.title}')",
                )
                continue
            doc_id, version = self.add_document(theirs, area, mine)
            self.doc_map[theirs.id] = doc_id
            mapped = area if self.areas_known else None
            by_title[(mapped, theirs.title, theirs.sha256)] = doc_id
            by_sha.setdefault((mapped, theirs.sha256), []).append(doc_id)
            latest[key] = _Latest(doc_id, version, theirs.sha256)
            if mine is None:
                titled.setdefault(theirs.title, []).append(area)

    def matched_case(self, theirs: Any, our_case_id: int | None) -> None:
        """Their case attributes merged into the case of a document already here."""
        case = self.side.cases.get(theirs.case_id) if theirs.case_id else None
        if case is None or our_case_id is None:
            return
        if case.id in self.case_map:
            return
        t, a = schema.cases, schema.areas
        mine = self.conn.execute(
            select(t, a.c.name.label("area"))
            .join(a, a.c.id == t.c.area_id)
            .where(t.c.id == our_case_id)
        ).one()
        self.case_map[case.id] = mine.id
        self.present("cases")
        self.merge_attributes(f"{mine.area}/{mine.name}", mine, dict(case.attributes or {}))

    def add_document(self, theirs: Any, area: str, mine: Any) -> tuple[int, int]:
        """Add their document as a new document, or as the next version of ours."""
        from qualcode.store.documents import insert_document

        d = schema.documents
        case = self.side.cases.get(theirs.case_id) if theirs.case_id else None
        case_id = self.case(area, case) if case is not None else None
        version = mine.version + 1 if mine is not None else 1
        if mine is not None:
            self.conn.execute(d.update().where(d.c.id == mine.id).values(is_current=0))
        values = {
            "guid": self.free_guid(d, theirs.guid),
            "area_id": self.area_id(area),
            "case_id": case_id,
            "title": theirs.title,
            "version": version,
            "previous_id": mine.id if mine is not None else None,
            "is_current": 1,
            "format": theirs.format,
            "source": theirs.source,
            "sha256": theirs.sha256,
            "text": theirs.text,
            "length": theirs.length,
            "words": theirs.words,
            "meta": theirs.meta or {},
            "created_at": theirs.created_at,
        }
        doc_id = insert_document(
            self.conn,
            values,
            self.side.units.get(theirs.id, []),
            actor=self.actor,
            after={
                "guid": values["guid"],
                "area": area,
                "title": theirs.title,
                "version": version,
                "sha256": theirs.sha256,
                "merged_from": self.report.source,
            },
        )
        self.add("documents")
        return doc_id, version

    # codings, memos, recommendations ------------------------------------------------------------

    def codings(self) -> None:
        from qualcode.store.codings import insert_codings

        c = schema.codings
        by_guid: dict[str, int] = {}
        by_key: dict[tuple[int, int, int, int, int], int] = {}
        for r in self.conn.execute(
            select(c.c.id, c.c.guid, c.c.document_id, c.c.start, c.c.end, c.c.code_id, c.c.coder_id)
        ):
            by_guid[r.guid] = r.id
            by_key[(r.document_id, r.start, r.end, r.code_id, r.coder_id)] = r.id
        rows: list[tuple[Any, ...]] = []
        pending: dict[int, str] = {}  # their id -> guid of the coding added for it
        adding: dict[tuple[int, int, int, int, int], str] = {}  # key -> guid, within theirs
        blocked = 0
        on_purged: dict[int, int] = {}  # our purged version -> their codings made on it
        for theirs in self.side.codings:
            doc = self.doc_map.get(theirs.document_id)
            code = self.code_map.get(theirs.code_id)
            coder = self.coder_map.get(theirs.coder_id)
            if doc is None or code is None or coder is None:
                blocked += 1  # on a document, code or coder in conflict
                continue
            key = (doc, theirs.start, theirs.end, code, coder)
            found = by_guid.get(theirs.guid) or by_key.get(key)
            if found is None and doc in self.purged:
                on_purged[doc] = on_purged.get(doc, 0) + 1
                continue
            if found is not None:
                self.coding_map[theirs.id] = found
                self.present("codings")
                continue
            if key in adding:  # their project holds the same coding twice: add it once
                pending[theirs.id] = adding[key]
                continue
            pending[theirs.id] = adding[key] = theirs.guid
            rows.append(
                (
                    theirs.guid,
                    doc,
                    theirs.start,
                    theirs.end,
                    code,
                    coder,
                    theirs.memo,
                    theirs.created_at,
                    theirs.updated_at,
                )
            )
        for doc, n in on_purged.items():
            title = self.conn.execute(
                select(schema.documents.c.title).where(schema.documents.c.id == doc)
            ).scalar_one()
            self.conflict(
                "document",
                title,
                f"{n} of their codings were made on the original text, which was pseudonymised "
                "and then purged here, so they cannot be placed",
                "merge laptops' work before purging, or have that laptop merge our project "
                "first and code the pseudonymised version",
            )
        if blocked:
            self.report.notes.append(
                f"{blocked} codings wait on a conflicting document, code or coder"
            )
        if not rows:
            return
        ids = insert_codings(
            self.conn,
            rows,
            actor=self.actor,
            after=lambda row: {
                "start": row[2],
                "end": row[3],
                "code": row[4],
                "coder_id": row[5],
                "merged_from": self.report.source,
            },
        )
        by_guid_added = {row[0]: coding_id for row, coding_id in zip(rows, ids, strict=True)}
        for their_id, guid in pending.items():
            self.coding_map[their_id] = by_guid_added[guid]
        self.add("codings", len(rows))

    def memos(self) -> None:
        m = schema.memos
        ours = self.conn.execute(select(m)).all()
        guids = {r.guid for r in ours}
        same = {(r.coder_id, r.title, r.text, r.document_id, r.code_id) for r in ours}
        for theirs in self.side.memos:
            coder = self.coder_map.get(theirs.coder_id)
            doc = self.doc_map.get(theirs.document_id) if theirs.document_id else None
            code = self.code_map.get(theirs.code_id) if theirs.code_id else None
            if coder is None or (theirs.document_id and doc is None):
                continue
            key = (coder, theirs.title, theirs.text, doc, code)
            if theirs.guid in guids or key in same:
                self.present("memos")
                continue
            values = {
                "guid": theirs.guid,
                "coder_id": coder,
                "title": theirs.title,
                "text": theirs.text,
                "document_id": doc,
                "code_id": code,
                "created_at": theirs.created_at,
                "updated_at": theirs.updated_at,
            }
            memo_id = self.conn.execute(m.insert().values(**values)).inserted_primary_key[0]
            guids.add(theirs.guid)
            same.add(key)
            self.record("memo", memo_id, {"title": theirs.title}, document_id=doc)
            self.add("memos")

    def recommendations(self) -> None:
        r = schema.recommendations
        guids = set(self.conn.execute(select(r.c.guid)).scalars())
        for theirs in self.side.recommendations:
            if theirs.guid in guids:
                self.present("recommendations")
                continue
            area = (
                self.area_id(self.side.areas[theirs.area_id])
                if theirs.area_id is not None and self.areas_known
                else None
            )
            values = {
                "guid": theirs.guid,
                "area_id": area,
                "text": theirs.text,
                "codes": [self.code_map[i] for i in theirs.codes or [] if i in self.code_map],
                "codings": [
                    self.coding_map[i] for i in theirs.codings or [] if i in self.coding_map
                ],
                "response": theirs.response,
                "status": theirs.status,
                "created_by": theirs.created_by,
                "created_at": theirs.created_at,
                "updated_at": theirs.updated_at,
            }
            rec_id = self.conn.execute(r.insert().values(**values)).inserted_primary_key[0]
            self.record("recommendation", rec_id, {"text": theirs.text[:200]})
            self.add("recommendations")


@dataclass(frozen=True)
class _Latest:
    """Our newest version of a title after a merge added it."""

    id: int
    version: int
    sha256: str


def parse_pairs(values: Sequence[str], what: str, option: str) -> dict[str, str]:
    """`NAME=VALUE` options from the command line, as a dict, or a clear error."""
    out: dict[str, str] = {}
    for value in values:
        name, sep, result = value.rpartition("=")
        if not sep or not name.strip() or not result.strip():
            raise MergeError(f"{option} takes {what}, not {value!r}")
        out[name.strip()] = result.strip()
    return out
