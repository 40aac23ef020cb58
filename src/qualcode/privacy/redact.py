"""Scan, review and apply: pseudonymise a project's transcripts without losing any coding.

    key = PseudonymKey.open(p)                  # apart from the project, mode 0600
    scan(p, key, area="hartlepool")             # findings, pending review
    decide(key, [3, 4], accept=False)           # or accept_kind(key, "postcode")
    apply(p, key, by="dawn")                    # new pseudonymised versions, codings carried

Applying makes a new version of each scanned document through `Project.revise`, which maps
every coding's offsets onto the new text; the originals stay only in the key file and in the
document's earlier versions, until `purge` removes them from those.
"""

from __future__ import annotations

import inspect
import os
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from qualcode.model import attribute_text, attribute_values
from qualcode.privacy.detect import KINDS, REPEATED, detect, repeats
from qualcode.privacy.errors import NotPseudonymisedError, PendingFindingsError, PrivacyError
from qualcode.privacy.key import PseudonymKey

if TYPE_CHECKING:
    import pandas as pd

    from qualcode.model import Document, DocumentRef
    from qualcode.project import Project

KeyRef = PseudonymKey | str | os.PathLike[str] | None
STATUSES = ("pending", "accepted", "rejected", "applied")
COLUMNS = [
    "document",
    "area",
    "kind",
    "text",
    "context",
    "pseudonym",
    "status",
    "document_id",
    "start",
    "end",
    "rule",
]
CONTEXT = 40


def open_key(project: Project, key: KeyRef = None) -> PseudonymKey:
    """`key` itself, or the key file at the path given, or the project's default key file."""
    if isinstance(key, PseudonymKey):
        return key
    return PseudonymKey.open(project, key)


def context(text: str, start: int, end: int, width: int = CONTEXT) -> str:
    """The finding with `width` characters either side, marked [[like this]], on one line."""
    before = text[max(0, start - width) : start]
    after = text[end : end + width]
    line = (
        ("…" if start > width else "")
        + before
        + "[["
        + text[start:end]
        + "]]"
        + after
        + ("…" if end + width < len(text) else "")
    )
    return " ".join(line.split())


def scan(
    project: Project,
    key: KeyRef = None,
    *,
    area: str | None = None,
    documents: Sequence[DocumentRef] | None = None,
    nlp: Any = "auto",
    progress: bool = False,
) -> pd.DataFrame:
    """Find personal data in the current documents (of `area`, or `documents`) and store the
    findings in the key file as pending review; returns them (see `findings_df`). A name or
    place found once (in these documents, or accepted in an earlier scan) is found again
    wherever else it is written (rule "repeat").

    Scanning a document again keeps the decisions already made; a document re-ingested since
    its last scan replaces that scan.
    """
    from tqdm.auto import tqdm

    from qualcode.privacy.detect import default_ner

    k = open_key(project, key)
    try:
        docs = (
            [project.document(d) for d in documents]
            if documents is not None
            else project.documents(area=area)
        )
        if nlp == "auto":
            nlp = default_ner()
        found = {
            doc.id: detect(doc.text, nlp=nlp)
            for doc in tqdm(docs, desc="scanning", unit="doc", disable=not progress)
        }
        # names and places found anywhere (here, or accepted before) are looked for everywhere
        values = {text: kind for text, (kind, _) in k.accepted(REPEATED).items()}
        values.update({f.text: f.kind for fs in found.values() for f in fs if f.kind in REPEATED})
        for doc in docs:
            findings = found[doc.id] + repeats(doc.text, found[doc.id], values)
            k.record_scan(doc, [(f, context(doc.text, f.start, f.end)) for f in findings])
        return findings_df(k, documents=[d.id for d in docs])
    finally:
        if k is not key:
            k.close()


def _pseudonymise_case_attributes(
    project: Project, key: PseudonymKey, documents: Iterable[int], *, by: str
) -> None:
    """A case attribute that is an accepted name (`interviewer: Dawn`) takes its pseudonym:
    otherwise it would sit beside the pseudonymised text and give the name back."""
    from qualcode.store.identity import merge_case_attributes
    from qualcode.views import redaction as redaction_views

    names = {text: pseudonym for text, (_, pseudonym) in key.accepted(REPEATED).items()}
    ids = list(documents)
    if not names or not ids:
        return
    with project.writing() as conn:
        for row in redaction_views.cases_of(conn, ids):
            changed = {
                name: _renamed(value, names)
                for name, value in (row.attributes or {}).items()
                if any(v in names for v in attribute_values(value))
            }
            if changed:
                merge_case_attributes(conn, row, changed, actor=by)


def _renamed(value: object, names: dict[str, str]) -> object:
    """An attribute value with each accepted name in it replaced by its pseudonym (every
    value of a multi-valued attribute)."""
    renamed = [names.get(v, v) for v in attribute_values(value)]
    if isinstance(value, list):
        return renamed
    return names[value] if value in names else attribute_text(renamed)


def findings_df(
    key: PseudonymKey,
    *,
    status: str | None = None,
    kind: str | None = None,
    area: str | None = None,
    documents: Iterable[int] | None = None,
) -> pd.DataFrame:
    """Findings (indexed by id): document, area, kind, text, context, pseudonym, status, ..."""
    import pandas as pd

    if status is not None and status not in STATUSES:
        raise PrivacyError(f"status {status!r} is not one of {', '.join(STATUSES)}")
    if kind is not None and kind not in KINDS:
        raise PrivacyError(f"kind {kind!r} is not one of {', '.join(KINDS)}")
    rows = key.findings(status=status, kind=kind, area=area, documents=documents)
    frame = pd.DataFrame([dict(r) for r in rows], columns=["id", *COLUMNS])
    return frame.set_index("id")


def decide(
    key: PseudonymKey, finding_ids: Iterable[int], *, accept: bool, by: str | None = None
) -> int:
    """Accept (replace with the pseudonym) or reject (leave as it is) findings, by id.

    A decision can be changed until the finding is applied. Returns how many were decided.
    """
    ids = sorted({int(i) for i in finding_ids})
    if not ids:
        return 0
    key.decide(ids, accept=accept, by=by)
    return len(ids)


def accept_kind(
    key: PseudonymKey,
    kind: str,
    *,
    accept: bool = True,
    by: str | None = None,
    area: str | None = None,
) -> int:
    """Accept (or reject) every pending finding of one kind, e.g. all postcodes."""
    pending = findings_df(key, status="pending", kind=kind, area=area)
    return decide(key, pending.index, accept=accept, by=by)


def apply(project: Project, key: KeyRef = None, *, by: str) -> pd.DataFrame:
    """Make a pseudonymised version of every scanned document not yet applied.

    Accepted findings are replaced by their pseudonyms; every coding is carried over with its
    offsets mapped (`Project.revise`); a case attribute that is an accepted name or place
    (`interviewer: Dawn`) takes its pseudonym too. Refused while any finding is pending
    review, or when a scanned document has changed since it was scanned. Returns one row per
    document.
    """
    import pandas as pd

    if not isinstance(by, str) or not by.strip():
        raise PrivacyError("apply needs by='your name' for the audit log")
    k = open_key(project, key)
    try:
        scans = k.unapplied_scans()
        ids = [s["document_id"] for s in scans]
        pending = findings_df(k, status="pending", documents=ids)
        if not pending.empty:
            kinds = Counter(pending["kind"])
            what = ", ".join(f"{n} {kind}" for kind, n in sorted(kinds.items()))
            raise PendingFindingsError(
                f"{len(pending)} findings are still pending review ({what}) in "
                f"{pending['document_id'].nunique()} documents; nothing was applied. Accept "
                "or reject each one (RedactionReview, or `qualcode redact accept/reject`), "
                "then apply again"
            )
        current = {d.id: d for d in project.documents()}
        if stale := [s for s in scans if s["document_id"] not in current]:
            names = ", ".join(f"{s['area']}/{s['title']} v{s['version']}" for s in stale[:10])
            raise PrivacyError(
                f"{len(stale)} scanned documents have changed since they were scanned "
                f"({names}); nothing was applied. Scan again, review, then apply"
            )
        accepted = findings_df(k, status="accepted", documents=ids)
        rows = []
        for s in scans:
            doc = current[s["document_id"]]
            row = _pseudonymise(project, doc, accepted[accepted["document_id"] == doc.id], by=by)
            k.mark_applied(doc.id, row["document_id"])
            rows.append(row)
        _pseudonymise_case_attributes(project, k, [r["document_id"] for r in rows], by=by)
        return pd.DataFrame(
            rows,
            columns=[
                "area",
                "document",
                "from_version",
                "to_version",
                "document_id",
                "replaced",
                "codings_carried",
            ],
        )
    finally:
        if k is not key:
            k.close()


def _pseudonymise(
    project: Project, doc: Document, mine: pd.DataFrame, *, by: str
) -> dict[str, Any]:
    """Make the pseudonymised version of one document from its accepted findings `mine`
    (none needed when it is one already); the row `apply` reports for it."""
    replacements = []
    for f in mine.itertuples():
        if doc.text[f.start : f.end] != f.text:
            raise PrivacyError(
                f"finding {f.Index} no longer matches document {doc.title!r}; scan again"
            )
        replacements.append((int(f.start), int(f.end), str(f.pseudonym)))
    if not replacements and doc.meta.get("pseudonymised"):
        new, carried = doc, 0  # already pseudonymised and nothing more to replace
    else:
        options: dict[str, Any] = {}
        if "speakers" in inspect.signature(project.revise).parameters:
            options["speakers"] = {
                f.text: f.pseudonym for f in mine.itertuples() if f.kind == "person"
            }
        new, carried = project.revise(
            doc,
            replacements,
            by=by,
            meta={"pseudonymised": True, "pseudonyms": len(replacements)},
            **options,
        )
    return {
        "area": doc.area,
        "document": doc.title,
        "from_version": doc.version,
        "to_version": new.version,
        "document_id": new.id,
        "replaced": len(replacements),
        "codings_carried": carried,
    }


def purge(
    project: Project, *, by: str, area: str | None = None, dry_run: bool = False
) -> pd.DataFrame:
    """Remove the original text of every earlier version of a pseudonymised document.

    `apply` keeps the originals as earlier versions; before the project file itself is shared
    (merged into another laptop's project, say) they must go. Each earlier version keeps its
    row, title, number and sha256 (so a merge still recognises the original and does not bring
    it back) but loses its text, units and codings (`apply` copied those to the pseudonymised
    version). One transaction, audited; then a SQLite file is vacuumed and its write-ahead log
    emptied so no deleted page still holds the text. Returns one row per version purged;
    `.attrs["backups"]` lists upgrade backups beside the store, which purge does not touch
    and which still hold the originals.
    """
    import pandas as pd

    from qualcode.store import purge as purge_store
    from qualcode.store.migrations import upgrade_backups
    from qualcode.views import redaction as redaction_views

    if not isinstance(by, str) or not by.strip():
        raise PrivacyError("purge needs by='your name' for the audit log")
    columns = ["area", "document", "version", "document_id", "units", "codings"]
    rows: list[dict[str, Any]] = []
    pseudonymised = [x for x in project.documents(area=area) if is_pseudonymised(x)]
    with project.writing() as conn:
        for current in pseudonymised:
            earlier = redaction_views.earlier_versions(
                conn, current.id, current.title, current.version
            )
            for old in earlier:
                n_units, n_codings = redaction_views.contents(conn, old.id)
                rows.append(
                    {
                        "area": current.area,
                        "document": current.title,
                        "version": old.version,
                        "document_id": old.id,
                        "units": n_units,
                        "codings": n_codings,
                    }
                )
                if not dry_run:
                    purge_store.purge_version(
                        conn,
                        old,
                        actor=by,
                        units=n_units,
                        codings=n_codings,
                        pseudonymised_version=current.id,
                    )
    if rows and not dry_run:
        purge_store.compact(project.engine)
    frame = pd.DataFrame(rows, columns=columns)
    frame.attrs["backups"] = upgrade_backups(project.engine)
    return frame


def is_pseudonymised(document: Document) -> bool:
    """True for a version made by `apply` (its meta says so)."""
    return bool((document.meta or {}).get("pseudonymised"))


def require_pseudonymised(
    project: Project,
    documents: Iterable[DocumentRef] | None = None,
    *,
    area: str | None = None,
) -> list[Document]:
    """The documents (default: the current ones, of `area`), if every one is pseudonymised;
    otherwise a clear error naming those that are not. Call before any restricted export."""
    docs = (
        [project.document(d) for d in documents]
        if documents is not None
        else project.documents(area=area)
    )
    if missing := [d for d in docs if not is_pseudonymised(d)]:
        names = ", ".join(f"{d.area}/{d.title} (version {d.version})" for d in missing[:10])
        more = f" and {len(missing) - 10} more" if len(missing) > 10 else ""
        raise NotPseudonymisedError(
            f"{len(missing)} of {len(docs)} documents are not pseudonymised: {names}{more}. "
            "Run `qualcode redact scan`, review the findings, and `qualcode redact apply` first "
            "(or export without restricting to pseudonymised text)"
        )
    return docs
