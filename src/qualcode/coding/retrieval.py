"""Retrieval: every passage for a code, or for a query that combines codes (see `query`).

    r = Retrieval(p, '"Access to GP" AND Transport', area="hartlepool")
    r.df          # one row per passage, with context, codes, coders and case attributes

A row is a passage: a stretch of text the query matches, overlapping codings joined (two
coders on one sentence give one row, `codings` 2), so "Transport", "Transport OR Transport"
and "Transport AND Transport" give the same rows.

Codings are read with one query (`qualcode.views.retrieval`), filtered in the database by
code, coder and area; the interval work is done in Python, which keeps a query on 100,000
codings well under 0.2 s. The search box and passage cards of a notebook are
`qualcode.widgets.retrieval`.
"""

from __future__ import annotations

import difflib
import gc
import re
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from qualcode.coding.query import (
    CodeRef,
    Node,
    Passages,
    code_refs,
    evaluate,
    merge,
    parse,
    uses_near,
)
from qualcode.errors import NotFoundError, QualcodeError
from qualcode.ingest.source import UNIT_KINDS
from qualcode.model import attribute_matches, attribute_text
from qualcode.store import codes as code_store
from qualcode.store.coders import as_known
from qualcode.store.documents import document_span
from qualcode.views import objects
from qualcode.views import retrieval as reads

if TYPE_CHECKING:
    import pandas as pd

    from qualcode.model import Code, DocumentRef
    from qualcode.project import Project

__all__ = ["COLUMNS", "Retrieval", "coder_names", "context_around", "count_line"]

COLUMNS = [
    "document_id",
    "area",
    "title",
    "case",
    "start",
    "end",
    "text",
    "before",
    "after",
    "codes",
    "coders",
    "codings",
]
_KEEP: Any = object()  # "leave this filter as it is" in Retrieval.search


class Retrieval:
    """The passages a query finds, as a DataFrame (`df`).

    `area`, `coder` (a name or a list), `where` ({case attribute: value or list of values};
    a multi-valued attribute matches by any of its values), `question` (a questionnaire
    column, or a list) and `documents` narrow which codings count, for every code in the
    query alike. NEAR
    looks for both sides in the same `unit` (turn, sentence or paragraph; documents without
    speaker turns use paragraphs). `context` is how many characters of surrounding text to
    show each side, cut at a word boundary. A parent code includes its children's codings
    unless `include_children=False`.
    """

    def __init__(
        self,
        project: Project,
        query: str,
        *,
        area: str | None = None,
        coder: str | Sequence[str] | None = None,
        where: dict[str, Any] | None = None,
        documents: Iterable[DocumentRef] | DocumentRef | None = None,
        question: str | Sequence[str] | None = None,
        unit: str = "turn",
        context: int = 150,
        include_children: bool = True,
    ) -> None:
        if unit not in UNIT_KINDS:
            raise QualcodeError(f"unit {unit!r} is not one of {', '.join(UNIT_KINDS)}")
        if not isinstance(context, int) or context < 0:
            raise QualcodeError(f"context is a number of characters (0 or more), not {context!r}")
        self.project = project
        self.unit = unit
        self.context = context
        self.include_children = include_children
        self.where = dict(where) if where else None
        self.documents = documents
        self.question = question
        self.query = ""
        self.area: str | None = None
        self.coder: str | list[str] | None = None
        self.tree: Node | None = None
        self.df: pd.DataFrame
        self.search(query, area=area, coder=coder)

    def __repr__(self) -> str:
        return f"<Retrieval {self.query!r}: {self.summary()}>"

    def __len__(self) -> int:
        return len(self.df)

    def to_frame(self) -> pd.DataFrame:
        """The passages as a new DataFrame (a copy, safe to change)."""
        return self.df.copy()

    def summary(self) -> str:
        """ "12 passages in 7 transcripts", in plain words."""
        return count_line(len(self.df), self.df["document_id"].nunique())

    def search(
        self,
        query: str | None = None,
        *,
        area: str | None = _KEEP,
        coder: str | Sequence[str] | None = _KEEP,
    ) -> Retrieval:
        """Run again with a new query, area or coder; on an error nothing changes."""
        query = self.query if query is None else query
        area = self.area if area is _KEEP else area
        coder = self.coder if coder is _KEEP else coder
        coders = [coder] if isinstance(coder, str) else list(coder) if coder is not None else None
        tree = parse(query)
        with _gc_paused():
            frame, coders = self._run(tree, area, coders)
        self.query, self.tree, self.area, self.df = query, tree, area, frame
        self.coder = coders[0] if isinstance(coder, str) and coders else coders
        return self

    # the work -------------------------------------------------------------------------------

    def _run(
        self, tree: Node, area: str | None, coders: list[str] | None
    ) -> tuple[pd.DataFrame, list[str] | None]:
        """The passages, and the coders asked for as the project spells them."""
        project = self.project
        with project.reading() as conn:
            codes = code_store.tree(conn)
            ids_of = {
                ref.name: self._code_ids(_resolve(conn, ref.name, codes), codes)
                for ref in code_refs(tree)
            }
            if area is not None:
                _check_name(area, objects.area_names(conn), "area")
            if coders:
                known = objects.coder_names(conn)
                coders = as_known(coders, known)  # "amina" is "Amina"
                for name in coders:
                    _check_name(name, known, "coder")
            case_ids = _cases_where(reads.case_attributes_by_id(conn), self.where)
            doc_ids = (
                None
                if self.documents is None
                else {document_span(conn, ref)[0] for ref in _as_list(self.documents)}
            )
            if self.question is not None:
                answers = objects.answering(conn, self.question, area)
                doc_ids = answers if doc_ids is None else doc_ids & answers
            rows = reads.codings(
                conn,
                set().union(*ids_of.values()),
                coders=coders,
                area=area,
                current_only=self.documents is None,  # current versions, unless documents named
                viewer=project.user,  # an open blind round stays blind
            )
            found = _Codings.of(rows, case_ids, doc_ids)
            units: dict[int, list[tuple[int, int]]] = {}
            if uses_near(tree):  # the chosen kind, or paragraphs for documents without turns
                units = objects.unit_spans(conn, set(found.document_id), self.unit)
                if self.unit == "turn" and (bare := set(found.document_id) - units.keys()):
                    units.update(objects.unit_spans(conn, bare, "paragraph"))
            passages = _passages(tree, found, ids_of, units)
            docs = reads.documents(conn, passages.keys())
        paths = {c.id: (n, c.path) for n, c in enumerate(codes)}
        return _frame(passages, found, paths, docs, self.context), coders

    def _code_ids(self, code: Code, tree: list[Code]) -> set[int]:
        """The code and, with include_children, every code below it."""
        ids = {code.id}
        if self.include_children:
            grew = True
            while grew:
                more = {c.id for c in tree if c.parent_id in ids} - ids
                ids |= more
                grew = bool(more)
        return ids


_LOWER_OPERATORS = re.compile(r"\s+((?:and|or|not|near)(?:\s+(?:and|or|not|near))*)\s+")


def _resolve(conn: Any, name: str, codes: list[Code]) -> Code:
    """The code a query names; a name that is codes joined by lowercase operator words
    ("Carers not Dementia support") says that operators are written in capitals."""
    try:
        return code_store.resolve(conn, name, codes)
    except NotFoundError as error:
        parts = _LOWER_OPERATORS.split(name)
        if len(parts) < 3:
            raise
        for part in parts[::2]:
            try:
                code_store.resolve(conn, part, codes)
            except NotFoundError:
                raise error from None
        meant = " ".join(" ".join(p.upper().split()) if i % 2 else p for i, p in enumerate(parts))
        raise NotFoundError(
            f"no code named {name!r}; AND, OR, NOT and NEAR are written in capitals: "
            f"did you mean {meant}?"
        ) from None


def _cases_where(
    attributes_of: dict[int, dict[str, Any]], where: dict[str, Any] | None
) -> set[int] | None:
    """Ids of the cases whose attributes match `where` (None: no such filter)."""
    if not where:
        return None
    known = {key for attributes in attributes_of.values() for key in attributes}
    matched = set(attributes_of)
    for key, value in where.items():
        if key not in known:
            close = difflib.get_close_matches(key, sorted(known), n=3, cutoff=0.6)
            hint = (
                f"did you mean {' or '.join(map(repr, close))}?"
                if close
                else f"case attributes are: {', '.join(sorted(known)) or 'none yet'}"
            )
            raise NotFoundError(f"no case has an attribute named {key!r}; {hint}")
        wanted = list(_as_list(value))
        matched &= {
            case_id
            for case_id, attributes in attributes_of.items()
            if key in attributes and attribute_matches(attributes[key], wanted)
        }
    return matched


@dataclass(frozen=True, slots=True)
class _Codings:
    """The codings a retrieval works on, column by column; a coding is its index here."""

    document_id: list[int]
    start: list[int]
    end: list[int]
    code_id: list[int]
    coder: list[str]

    @classmethod
    def of(cls, rows: list[Any], case_ids: set[int] | None, doc_ids: set[int] | None) -> _Codings:
        """The rows of `views.retrieval.codings`, kept where their case and document are
        wanted: these filters are applied here, in Python, so no list of ids goes into the SQL."""
        if case_ids is not None or doc_ids is not None:
            rows = [
                r
                for r in rows
                if (case_ids is None or r[5] in case_ids) and (doc_ids is None or r[0] in doc_ids)
            ]
        columns = list(zip(*rows, strict=True)) if rows else [()] * 6
        return cls(*(list(col) for col in columns[:5]))


def _passages(
    tree: Node,
    found: _Codings,
    ids_of: dict[str, set[int]],
    units: dict[int, list[tuple[int, int]]],
) -> Passages:
    """Evaluate the query over the codings found; NEAR looks within `units`."""
    docs_of, starts, ends = found.document_id, found.start, found.end
    by_code: dict[int, list[int]] = {}
    for i, code_id in enumerate(found.code_id):
        by_code.setdefault(code_id, []).append(i)

    def leaf(ref: CodeRef) -> Passages:
        out: Passages = {}
        for code_id in ids_of[ref.name]:
            for i in by_code.get(code_id, ()):
                out.setdefault(docs_of[i], []).append((starts[i], ends[i], (i,)))
        return {doc: merge(ps) for doc, ps in out.items()}  # one passage per stretch

    return evaluate(tree, leaf, lambda doc: units.get(doc, []), lambda i: (starts[i], ends[i]))


# building the DataFrame -------------------------------------------------------------------------


def _frame(
    passages: Passages,
    found: _Codings,
    paths: dict[int, tuple[int, str]],
    docs: dict[int, Any],
    context: int,
) -> pd.DataFrame:
    import pandas as pd

    records = []
    attributes: dict[str, None] = {}
    for doc_id, passages_of_doc in passages.items():
        doc = docs[doc_id]
        attrs = doc.attributes or {}
        attributes.update(dict.fromkeys(attrs))
        for start, end, ids in passages_of_doc:
            before, after = context_around(doc.text, start, end, context)
            codes = sorted({paths[found.code_id[i]] for i in ids})
            records.append(
                {
                    "document_id": doc_id,
                    "area": doc.area,
                    "title": doc.title,
                    "case": doc.case,
                    "start": start,
                    "end": end,
                    "text": doc.text[start:end],
                    "before": before,
                    "after": after,
                    "codes": [path for _, path in codes],
                    "coders": sorted({found.coder[i] for i in ids}),
                    "codings": len(ids),
                    **{
                        f"case_{k}" if k in COLUMNS else k: attribute_text(v)
                        for k, v in attrs.items()
                    },
                }
            )
    extra = [f"case_{k}" if k in COLUMNS else k for k in attributes]
    frame = pd.DataFrame.from_records(records, columns=COLUMNS + extra)
    frame = frame.sort_values(["area", "title", "document_id", "start", "end"], kind="stable")
    return frame.reset_index(drop=True)


def context_around(text: str, start: int, end: int, size: int) -> tuple[str, str]:
    """Up to `size` characters each side of text[start:end], never cutting a word in half."""
    if size <= 0:
        return "", ""
    lo = max(0, start - size)
    if lo > 0 and not text[lo - 1].isspace() and not text[lo].isspace():  # mid-word: skip it
        lo = next((i + 1 for i in range(lo, start) if text[i].isspace()), start)
    hi = min(len(text), end + size)
    if hi < len(text) and not text[hi - 1].isspace() and not text[hi].isspace():
        hi = next((i for i in range(hi - 1, end - 1, -1) if text[i].isspace()), end)
    return text[lo:start], text[end:hi]


def count_line(passages: int, documents: int) -> str:
    """ "12 passages in 7 transcripts" (singular when there is one)."""
    if passages == 0:
        return "No passages found"
    p = "passage" if passages == 1 else "passages"
    d = "transcript" if documents == 1 else "transcripts"
    return f"{passages} {p} in {documents} {d}"


def _check_name(name: str, names: list[str], what: str) -> None:
    if name in names:
        return
    close = difflib.get_close_matches(name, names, n=3, cutoff=0.6)
    hint = f"did you mean {' or '.join(map(repr, close))}?" if close else f"{what}s: "
    if not close:
        hint += ", ".join(sorted(names)) or "none yet"
    raise NotFoundError(f"no {what} named {name!r} in this project; {hint}")


def coder_names(project: Project) -> list[str]:
    """Every coder's name, sorted: the names a retrieval can be narrowed to."""
    with project.reading() as conn:
        return objects.coder_names(conn)


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cycle collector while passages are built: the work makes tens of thousands
    of small tuples and no cycles, and collections triggered by them took ~40% of a NEAR
    query's time on 100,000 codings (see benchmarks/bench_retrieval.py)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _as_list(value: Any) -> list[Any]:
    if isinstance(value, list | tuple | set | frozenset):
        return list(value)
    return [value]
