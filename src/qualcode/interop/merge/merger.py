"""One merge inside the caller's write transaction: their rows matched to ours by the store's
identity rules (`store.identity`, `store.documents.KnownDocuments`), conflicts collected, and
what is new written through the store's writers, each with its audit row."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from qualcode.interop.merge.history import History, when
from qualcode.interop.merge.report import Conflict, MergeReport
from qualcode.model import Code, is_under, join_path, plain_path, split_path
from qualcode.store import audit, now
from qualcode.store import codes as code_store
from qualcode.store import identity as ids
from qualcode.store import memos as memo_store
from qualcode.store import recommendations as recommendation_store
from qualcode.store.coders import coder_key
from qualcode.store.codings import insert_codings
from qualcode.store.documents import (
    DocumentVersion,
    IncomingDocument,
    KnownDocuments,
    insert_document,
    question_of,
    retire_version,
)
from qualcode.views import merge as merge_views

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from qualcode.views.merge import ProjectRows

CODE_FIELDS = ("description", "inclusion", "exclusion", "example")


@dataclass
class MergeOptions:
    """How the user settled conflicts (docs/exchange.md)."""

    same_coders: set[str]
    rename_coders: dict[str, str]
    keep: str | None
    keep_codes: dict[str, str]
    new_versions: set[str]


def as_paths(keep_codes: dict[str, str], paths: set[str]) -> dict[str, str]:
    """`keep_codes` by the codes' paths: a path typed without the escape for a "/" inside a
    name ("Access/Transport to/ from services") stands for the one code that reads so."""
    out = {}
    for typed, keep in keep_codes.items():
        read_so = [p for p in paths if plain_path(p) == typed]
        out[read_so[0] if typed not in paths and len(read_so) == 1 else typed] = keep
    return out


class Merger:
    """One merge inside the caller's write transaction; maps their ids to ours as it goes."""

    def __init__(
        self,
        conn: Connection,
        actor: str,
        side: ProjectRows,
        report: MergeReport,
        options: MergeOptions,
        area: str | None,
        areas_known: bool,
    ) -> None:
        from qualcode.interop.refi import DEFAULT_AREA

        self.conn, self.actor, self.side = conn, actor, side
        self.report, self.options = report, options
        self.areas_known = areas_known  # False for a .qdpx, whose documents have no area
        self.default_area = area or DEFAULT_AREA
        self.area_ids = merge_views.area_ids(conn)
        self.coder_map: dict[int, int] = {}
        self.code_map: dict[int, int] = {}
        self.case_map: dict[int, int] = {}
        self.doc_map: dict[int, int] = {}
        self.coding_map: dict[int, int] = {}
        self.purged: set[int] = set()
        self.gone_codes: set[int] = set()  # their codes deleted here, left out
        self.their_paths: dict[int, str] = {}
        self.by_guid, self.by_key = merge_views.coding_index(conn)
        self.history = History.of(
            {kind: merge_views.tombstones(conn, kind) for kind in merge_views.REMOVALS},
            side.tombstones,
            {
                "coding": {r.guid for r in side.codings},
                "memo": {r.guid for r in side.memos},
                "code": {r.guid for r in side.codes},
            },
            options.keep,
            report,
        )

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
        self.history.remove_codings(self.conn, self.actor, self.by_guid)
        self.memos()
        self.history.remove_memos(self.conn, self.actor)
        self.recommendations()
        if not self.report.rows_added and not self.report.rows_removed:
            return  # merging the same work again writes nothing, not even an audit row
        audit.record(
            self.conn,
            actor=self.actor,
            action="merge",
            object="project",
            object_id=None,
            after={
                "from": self.report.source,
                "added": dict(self.report.added),
                "removed": dict(self.report.removed),
            },
        )

    def conflict(self, kind: str, name: str, detail: str, resolve: str) -> None:
        self.report.conflicts.append(Conflict(kind, name, detail, resolve))

    def add(self, kind: str, n: int = 1) -> None:
        self.report.added[kind] += n

    def present(self, kind: str, n: int = 1) -> None:
        self.report.present[kind] += n

    def merged(self, after: dict[str, Any]) -> dict[str, Any]:
        """An audit row's `after` for something this merge added: where it came from."""
        return {**after, "merged_from": self.report.source}

    def area_id(self, name: str) -> int:
        if name not in self.area_ids:
            self.area_ids[name] = ids.area_id_for(self.conn, name)
            self.add("areas")
        return self.area_ids[name]

    # coders -----------------------------------------------------------------------------------

    def coders(self) -> None:
        known = ids.KnownCoders.load(self.conn)
        # the options name coders as people type them: "amina" is "Amina"
        renames = {coder_key(k): v for k, v in self.options.rename_coders.items()}
        same = {coder_key(n) for n in self.options.same_coders}
        for theirs in self.side.coders:
            name = renames.get(coder_key(theirs.name), theirs.name).strip()
            mine = known.same(theirs.guid)
            named = known.named(name) if mine is None else None
            if named is not None:
                mine = named
                layer = theirs.role in ("adjudicator", "model") and theirs.role == mine.role
                if coder_key(theirs.name) in same:
                    ids.remember_same_coder(self.conn, theirs.guid, mine)
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
            guid = ids.free_guid(self.conn, "coders", theirs.guid)
            coder_id = ids.insert_coder(
                self.conn,
                name,
                theirs.role,
                actor=self.actor,
                guid=guid,
                created_at=theirs.created_at,
                after=self.merged({"name": name, "role": theirs.role}),
            )
            known.add(ids.KnownCoder(coder_id, guid, name, theirs.role))
            self.coder_map[theirs.id] = coder_id
            self.add("coders")

    # codes ------------------------------------------------------------------------------------

    def codes(self) -> None:
        known = ids.KnownCodes.load(self.conn)
        raw = {r.id: r for r in self.side.codes}
        theirs_tree = code_store.code_tree(self.side.codes)
        every = {*known.paths.values(), *(c.path for c in theirs_tree)}
        self.options.keep_codes = as_paths(self.options.keep_codes, every)
        for path in sorted(set(self.options.keep_codes) - every):  # a typo settles nothing
            self.conflict(
                "code",
                path,
                "keep_codes names a code that is on neither side",
                "check the path: names from the root joined by '/', as in codes_df() "
                "(a '/' inside a name written '\\/' where a path could be read two ways)",
            )
        self.their_paths = {c.id: c.path for c in theirs_tree}
        for code in theirs_tree:  # parents before children
            theirs = raw[code.id]
            if theirs.parent_id in self.gone_codes:
                self.gone_codes.add(theirs.id)
                continue
            parent = self.code_map.get(theirs.parent_id) if theirs.parent_id else None
            if theirs.parent_id is not None and parent is None:
                continue  # under a code that could not be placed
            mine = known.same(theirs.guid, parent, theirs.name)
            if mine is None and self.deleted_here(code.path, theirs, known):
                continue
            if mine is not None:
                self.code_map[theirs.id] = mine.id
                self.present("codes")
                self.compare_code(code.path, known.paths[mine.id], mine, theirs)
                continue
            self.code_map[theirs.id] = self.add_code(known, theirs, parent)
        for guid, tomb in self.history.theirs["code"].items():
            if guid in known.by_guid:
                how = "merged into another" if tomb.action == "merge" else "deleted"
                self.history.line(
                    f"code {known.paths[known.by_guid[guid].id]!r}: {how} on their side "
                    f"{when(tomb)}; kept here (delete or merge it here too if you agree)"
                )

    def deleted_here(self, path: str, theirs: Any, known: ids.KnownCodes) -> bool:
        """Whether their code, which we deleted (or merged into another), stays out; their
        new codings on it are a conflict, or come back with it on keep='theirs'."""
        tomb = self.history.ours["code"].get(theirs.guid)
        if tomb is None:
            return False
        into = (tomb.after or {}).get("into_id") if tomb.action == "merge" else None
        if into in known.paths:
            self.code_map[theirs.id] = into
            self.present("codes")
            self.history.line(
                f"code {path!r}: merged into {known.paths[into]!r} here {when(tomb)}; "
                "their codings on it go there"
            )
            return True
        work = self.new_work(path)
        if work and self.history.settle(
            "code",
            path,
            f"deleted here {when(tomb)}, but they have {work} codings on it (or under it) "
            "that were never here or changed since",
            back="brought back with their codings",
            gone="left deleted, their codings on it left out",
        ):
            return False
        if not work:
            self.history.line(f"code {path!r}: deleted here {when(tomb)}; not brought back")
        self.gone_codes.add(theirs.id)
        return True

    def new_work(self, path: str) -> int:
        """How many of their codings on the code at `path` (or under it) would come back."""
        under = {i for i, p in self.their_paths.items() if is_under(p, path)}
        on = [c for c in self.side.codings if c.code_id in under]
        return self.history.coming_back("coding", on, self.by_guid)

    def add_code(self, known: ids.KnownCodes, theirs: Any, parent: int | None) -> int:
        """Add their code under our `parent`; its shortcut only if ours has no such one."""
        stamp = now()
        values = {
            "guid": ids.free_guid(self.conn, "codes", theirs.guid),
            "parent_id": parent,
            "name": theirs.name,
            **{f: getattr(theirs, f) or "" for f in CODE_FIELDS},
            "color": theirs.color,
            "shortcut": theirs.shortcut if theirs.shortcut not in known.shortcuts else None,
            "position": known.children(parent),
            "created_at": theirs.created_at or stamp,
            "updated_at": theirs.updated_at or stamp,
        }
        above = split_path(known.paths[parent]) if parent in known.paths else ()
        path = join_path((*above, theirs.name))
        code_id = code_store.insert_code(
            self.conn,
            values,
            actor=self.actor,
            after=self.merged({"path": path, "guid": values["guid"]}),
        )
        fields = {f: values[f] for f in (*CODE_FIELDS, "color", "shortcut")}
        known.add(
            Code(
                id=code_id,
                guid=values["guid"],
                name=theirs.name,
                path=path,
                parent_id=parent,
                **fields,
            )
        )
        self.add("codes")
        return code_id

    def compare_code(self, their_path: str, our_path: str, mine: Code, theirs: Any) -> None:
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
            code_store.update_code(self.conn, mine.id, changes, actor=self.actor)
            self.report.notes.append(f"code {our_path!r}: their {', '.join(differ)} kept")

    # cases and documents ------------------------------------------------------------------------

    def case(self, area: str, theirs: Any) -> int:
        """Our case for theirs (by area and name), made if missing; attributes merged."""
        if theirs.id in self.case_map:
            return self.case_map[theirs.id]
        area_id = self.area_id(area)
        mine = ids.find_case(self.conn, area_id, name=theirs.name)
        if mine is None:
            attributes = dict(theirs.attributes or {})
            case_id = ids.insert_case(
                self.conn,
                area_id,
                theirs.name,
                attributes,
                actor=self.actor,
                guid=ids.free_guid(self.conn, "cases", theirs.guid),
                created_at=theirs.created_at,
                after=self.merged({"name": theirs.name, "attributes": attributes}),
            )
            self.add("cases")
        else:
            case_id = mine.id
            self.present("cases")
            self.merge_attributes(f"{area}/{theirs.name}", mine, dict(theirs.attributes or {}))
        self.case_map[theirs.id] = case_id
        return case_id

    def merge_attributes(self, name: str, mine: Any, theirs: dict[str, Any]) -> None:
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
        ids.merge_case_attributes(self.conn, mine, theirs, actor=self.actor)

    def documents(self) -> None:
        known = KnownDocuments.load(self.conn, areas_known=self.areas_known)
        self.purged = known.purged
        for theirs in self.side.documents:
            area = self.side.areas[theirs.area_id] if self.areas_known else None
            incoming = self.incoming(theirs)
            found = known.same(area, incoming)
            if found is not None:
                self.doc_map[theirs.id] = found
                self.present("documents")
                self.matched_case(theirs, known.case_of.get(found))
                continue
            if area is None:  # from a .qdpx: a known title in any area is the same document
                area = known.area_of_title(theirs.title, self.default_area)
            mine = known.newest(area, theirs.title)
            previous = self.doc_map.get(theirs.previous_id) if theirs.previous_id else None
            settled = previous == mine.id if mine is not None else True
            if mine is not None and not settled and theirs.title not in self.options.new_versions:
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
            added = self.add_document(theirs, area, mine)
            self.doc_map[theirs.id] = added.id
            known.add(area, incoming, added)

    def incoming(self, theirs: Any) -> IncomingDocument:
        """What identifies their document: GUID, title, text, case name and question."""
        case = self.side.cases.get(theirs.case_id) if theirs.case_id else None
        return IncomingDocument(
            guid=theirs.guid,
            title=theirs.title,
            sha256=theirs.sha256,
            case=case.name if case is not None else "",
            question=question_of(theirs.meta),
        )

    def matched_case(self, theirs: Any, our_case_id: int | None) -> None:
        """Their case attributes merged into the case of a document already here."""
        case = self.side.cases.get(theirs.case_id) if theirs.case_id else None
        if case is None or our_case_id is None:
            return
        if case.id in self.case_map:
            return
        mine = merge_views.case_row(self.conn, our_case_id)
        self.case_map[case.id] = mine.id
        self.present("cases")
        self.merge_attributes(f"{mine.area}/{mine.name}", mine, dict(case.attributes or {}))

    def add_document(
        self, theirs: Any, area: str, mine: DocumentVersion | None
    ) -> DocumentVersion:
        """Add their document as a new document, or as the next version of ours."""
        case = self.side.cases.get(theirs.case_id) if theirs.case_id else None
        case_id = self.case(area, case) if case is not None else None
        version = mine.version + 1 if mine is not None else 1
        if mine is not None:
            retire_version(self.conn, mine.id)
        values = {
            "guid": ids.free_guid(self.conn, "documents", theirs.guid),
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
            after=self.merged(
                {
                    "guid": values["guid"],
                    "area": area,
                    "title": theirs.title,
                    "version": version,
                    "sha256": theirs.sha256,
                }
            ),
        )
        self.add("documents")
        return DocumentVersion(doc_id, version, theirs.sha256)

    # codings, memos, recommendations ------------------------------------------------------------

    def codings(self) -> None:
        by_guid, by_key = self.by_guid, self.by_key
        tombs = self.history.ours["coding"]
        rows: list[tuple[Any, ...]] = []
        pending: dict[int, str] = {}  # their id -> guid of the coding added for it
        adding: dict[merge_views.Key, str] = {}  # key -> guid, within theirs
        blocked = 0
        on_purged: dict[int, int] = {}  # our purged version -> their codings made on it
        for theirs in self.side.codings:
            doc = self.doc_map.get(theirs.document_id)
            code = self.code_map.get(theirs.code_id)
            coder = self.coder_map.get(theirs.coder_id)
            if theirs.code_id in self.gone_codes:
                continue  # on a code deleted here: listed with the code
            if doc is None or code is None or coder is None:
                blocked += 1  # on a document, code or coder in conflict
                continue
            key = (doc, theirs.start, theirs.end, code, coder)
            found = by_guid.get(theirs.guid) or by_key.get(key)
            tomb = tombs.get(theirs.guid) if found is None else None
            if tomb is not None and not self.history.bring_back(
                "coding", self.their_coding(theirs), theirs.updated_at, tomb
            ):
                continue
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
            rows.append((theirs.guid, *key, theirs.memo, theirs.created_at, theirs.updated_at))
        for doc, n in on_purged.items():
            self.conflict(
                "document",
                merge_views.document_title(self.conn, doc),
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
        added = insert_codings(
            self.conn,
            rows,
            actor=self.actor,
            after=lambda row: self.merged(
                {"start": row[2], "end": row[3], "code": row[4], "coder_id": row[5]}
            ),
        )
        by_guid_added = {row[0]: coding_id for row, coding_id in zip(rows, added, strict=True)}
        for their_id, guid in pending.items():
            self.coding_map[their_id] = by_guid_added[guid]
        self.add("codings", len(rows))

    def their_coding(self, theirs: Any) -> str:
        """Their coding, named for a message."""
        doc = next(d.title for d in self.side.documents if d.id == theirs.document_id)
        coder = next(c.name for c in self.side.coders if c.id == theirs.coder_id)
        path = self.their_paths.get(theirs.code_id, "?")
        return f"{path!r} on {doc!r} at {theirs.start}-{theirs.end} by {coder}"

    def memos(self) -> None:
        guids, same = merge_views.memo_index(self.conn)
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
            tomb = self.history.ours["memo"].get(theirs.guid)
            if tomb is not None and not self.history.bring_back(
                "memo", repr(theirs.title), theirs.updated_at, tomb
            ):
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
            memo_store.insert_memo(
                self.conn, values, actor=self.actor, after=self.merged({"title": theirs.title})
            )
            guids.add(theirs.guid)
            same.add(key)
            self.add("memos")

    def recommendations(self) -> None:
        guids = merge_views.recommendation_guids(self.conn)
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
            recommendation_store.insert_recommendation(
                self.conn,
                values,
                actor=self.actor,
                after=self.merged({"text": theirs.text[:200]}),
            )
            self.add("recommendations")
