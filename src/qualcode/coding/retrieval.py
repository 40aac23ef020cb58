"""Retrieval: every passage for a code, or for a query that combines codes (see `query`).

    r = Retrieval(p, '"Access to GP" AND Transport', area="hartlepool")
    r.df          # one row per passage, with context, codes, coders and case attributes
    r             # in a notebook: a search box and the passages as cards

Codings are read with one query, filtered in the database by code, coder and area; the
interval work is done in Python, which keeps a query on 100,000 codings well under 0.2 s.
"""

from __future__ import annotations

import difflib
import gc
import html
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets
from sqlalchemy import Connection, select

from qualcode.coding.query import (
    CodeRef,
    Node,
    Passages,
    code_refs,
    evaluate,
    parse,
    uses_near,
)
from qualcode.errors import NotFoundError, QualcodeError
from qualcode.ingest.source import UNIT_KINDS
from qualcode.store import codes as code_store
from qualcode.store import schema
from qualcode.store.bulk import in_chunks
from qualcode.store.documents import document_span

if TYPE_CHECKING:
    import pandas as pd

    from qualcode.model import Code, DocumentRef
    from qualcode.project import Project

__all__ = ["COLUMNS", "Retrieval", "RetrievalView", "card_html", "context_around", "count_line"]

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
]
_KEEP: Any = object()  # "leave this filter as it is" in Retrieval.search


class Retrieval:
    """The passages a query finds, as a DataFrame (`df`) and, in a notebook, as cards.

    `area`, `coder` (a name or a list), `where` ({case attribute: value or list of values})
    and `documents` narrow which codings count, for every code in the query alike. NEAR
    looks for both sides in the same `unit` (turn, sentence or paragraph; documents without
    speaker turns use paragraphs). `context` is how many characters of surrounding text to
    show each side, cut at a word boundary. A parent code includes its children's codings
    unless `include_children=False`. `open_with` is the coding screen the "Open in coder"
    buttons move: anything with `go_to(document_id, start, end)` (a `Coder`) or
    `open(document_id, start, end)`; without it, a Coder is made on the first click.
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
        unit: str = "turn",
        context: int = 150,
        include_children: bool = True,
        open_with: Any = None,
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
        self.open_with = open_with
        self._view: RetrievalView | None = None
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
            frame = self._run(tree, area, coders)
        self.query, self.tree, self.area, self.df = query, tree, area, frame
        self.coder = coders[0] if isinstance(coder, str) and coders else coders
        return self

    # the view -------------------------------------------------------------------------------

    def widget(self) -> RetrievalView:
        """The search box and passage cards for this retrieval (made once, then reused)."""
        if self._view is None:
            self._view = RetrievalView(self)
        return self._view

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self.widget()._repr_mimebundle_(**kwargs)

    # the work -------------------------------------------------------------------------------

    def _run(self, tree: Node, area: str | None, coders: list[str] | None) -> pd.DataFrame:
        project = self.project
        with project.reading() as conn:
            codes = code_store.tree(conn)
            ids_of = {ref.name: self._code_ids(conn, ref, codes) for ref in code_refs(tree)}
            if area is not None:
                _check_name(conn, schema.areas, area, "area")
            for name in coders or ():
                _check_name(conn, schema.coders, name, "coder")
            case_ids = self._cases(conn)
            doc_ids = (
                None
                if self.documents is None
                else {document_span(conn, ref)[0] for ref in _as_list(self.documents)}
            )
            found = self._codings(conn, ids_of, area, coders, case_ids, doc_ids)
            docs_of, starts, ends = found.document_id, found.start, found.end
            by_code: dict[int, list[int]] = {}
            for i, code_id in enumerate(found.code_id):
                by_code.setdefault(code_id, []).append(i)

            def leaf(ref: CodeRef) -> Passages:
                out: Passages = {}
                for code_id in ids_of[ref.name]:
                    for i in by_code.get(code_id, ()):
                        out.setdefault(docs_of[i], []).append((starts[i], ends[i], (i,)))
                return {doc: sorted(ps) for doc, ps in out.items()}

            units = self._units(conn, set(docs_of)) if uses_near(tree) else {}
            passages = evaluate(
                tree, leaf, lambda doc: units.get(doc, []), lambda i: (starts[i], ends[i])
            )
            docs = _documents(conn, passages.keys())
        paths = {c.id: (n, c.path) for n, c in enumerate(codes)}
        return _frame(passages, found, paths, docs, self.context)

    def _code_ids(self, conn: Connection, ref: CodeRef, tree: list[Code]) -> set[int]:
        """The code and, with include_children, every code below it."""
        code = code_store.resolve(conn, ref.name, tree)
        ids = {code.id}
        if self.include_children:
            grew = True
            while grew:
                more = {c.id for c in tree if c.parent_id in ids} - ids
                ids |= more
                grew = bool(more)
        return ids

    def _cases(self, conn: Connection) -> set[int] | None:
        """Ids of the cases whose attributes match `where` (None: no such filter)."""
        if not self.where:
            return None
        t = schema.cases
        rows = conn.execute(select(t.c.id, t.c.attributes)).all()
        known = {key for row in rows for key in (row.attributes or {})}
        matched = {row.id for row in rows}
        for key, value in self.where.items():
            if key not in known:
                close = difflib.get_close_matches(key, sorted(known), n=3, cutoff=0.6)
                hint = (
                    f"did you mean {' or '.join(map(repr, close))}?"
                    if close
                    else f"case attributes are: {', '.join(sorted(known)) or 'none yet'}"
                )
                raise NotFoundError(f"no case has an attribute named {key!r}; {hint}")
            wanted = {str(v) for v in _as_list(value)}
            matched &= {
                row.id
                for row in rows
                if key in (row.attributes or {}) and str(row.attributes[key]) in wanted
            }
        return matched

    def _codings(
        self,
        conn: Connection,
        ids_of: dict[str, set[int]],
        area: str | None,
        coders: list[str] | None,
        case_ids: set[int] | None,
        doc_ids: set[int] | None,
    ) -> _Codings:
        """The one query: every coding that counts, as columns. Case and document filters
        are applied here, in Python, so no list of ids ever goes into the SQL."""
        c, k, d, a = schema.codings, schema.coders, schema.documents, schema.areas
        query = (
            select(c.c.document_id, c.c.start, c.c.end, c.c.code_id, k.c.name, d.c.case_id)
            .join(k, k.c.id == c.c.coder_id)
            .join(d, d.c.id == c.c.document_id)
            .where(c.c.code_id.in_(sorted(set().union(*ids_of.values()))))
        )
        if coders is not None:
            query = query.where(k.c.name.in_(coders))
        if doc_ids is None:  # current versions only, unless documents were named
            query = query.where(d.c.is_current == 1)
        if area is not None:
            query = query.join(a, a.c.id == d.c.area_id).where(a.c.name == area)
        for condition in self.project._visible(conn, None):  # an open blind round's
            query = query.where(condition)
        rows: list[Any] = conn.execute(query).all()
        if case_ids is not None or doc_ids is not None:
            rows = [
                r
                for r in rows
                if (case_ids is None or r[5] in case_ids) and (doc_ids is None or r[0] in doc_ids)
            ]
        columns = list(zip(*rows, strict=True)) if rows else [()] * 6
        return _Codings(*(list(col) for col in columns[:5]))

    def _units(self, conn: Connection, doc_ids: set[int]) -> dict[int, list[tuple[int, int]]]:
        """Unit spans per document for NEAR: the chosen kind, or paragraphs for documents
        without turns."""
        found = _unit_spans(conn, doc_ids, self.unit)
        if self.unit == "turn" and (bare := doc_ids - found.keys()):
            found.update(_unit_spans(conn, bare, "paragraph"))
        return {doc: sorted(spans) for doc, spans in found.items()}


def _unit_spans(conn: Connection, doc_ids: set[int], kind: str) -> dict[int, list[tuple[int, int]]]:
    u = schema.units
    found: dict[int, list[tuple[int, int]]] = {}
    for chunk in in_chunks(sorted(doc_ids)):
        rows = conn.execute(
            select(u.c.document_id, u.c.start, u.c.end).where(
                u.c.document_id.in_(chunk), u.c.kind == kind
            )
        ).all()
        for doc, start, end in rows:
            found.setdefault(doc, []).append((start, end))
    return found


@dataclass(frozen=True, slots=True)
class _Codings:
    """The codings a retrieval works on, column by column; a coding is its index here."""

    document_id: list[int]
    start: list[int]
    end: list[int]
    code_id: list[int]
    coder: list[str]


# building the DataFrame -------------------------------------------------------------------------


def _documents(conn: Connection, doc_ids: Iterable[int]) -> dict[int, Any]:
    """Title, text, area, case and case attributes of the documents with passages."""
    d, a, cs = schema.documents, schema.areas, schema.cases
    out: dict[int, Any] = {}
    for chunk in in_chunks(sorted(doc_ids)):
        query = (
            select(
                d.c.id,
                d.c.title,
                d.c.text,
                a.c.name.label("area"),
                cs.c.name.label("case"),
                cs.c.attributes,
            )
            .join(a, a.c.id == d.c.area_id)
            .outerjoin(cs, cs.c.id == d.c.case_id)
            .where(d.c.id.in_(chunk))
        )
        out.update({row.id: row for row in conn.execute(query)})
    return out


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
                    **{f"case_{k}" if k in COLUMNS else k: v for k, v in attrs.items()},
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


def _check_name(conn: Connection, table: Any, name: str, what: str) -> None:
    names = list(conn.execute(select(table.c.name)).scalars())
    if name in names:
        return
    close = difflib.get_close_matches(name, names, n=3, cutoff=0.6)
    hint = f"did you mean {' or '.join(map(repr, close))}?" if close else f"{what}s: "
    if not close:
        hint += ", ".join(sorted(names)) or "none yet"
    raise NotFoundError(f"no {what} named {name!r} in this project; {hint}")


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


# the notebook view ------------------------------------------------------------------------------

_CARD = (
    '<div style="border:1px solid #ddd;border-radius:6px;padding:8px 10px;margin:2px 0">'
    '<div style="color:#555;font-size:0.9em;margin-bottom:4px">{heading}</div>'
    '<div style="white-space:pre-wrap;line-height:1.5">'
    '<span style="color:#888">{before}</span><b>{text}</b>'
    '<span style="color:#888">{after}</span></div>'
    '<div style="color:#555;font-size:0.85em;margin-top:4px">'
    "Codes: {codes} &middot; Coded by: {coders}</div></div>"
)


def card_html(row: Any) -> str:
    """One passage as HTML: where it is from, the passage in bold in grey context, who coded it."""
    heading = [row["title"]]
    if row["case"] and row["case"] != row["title"]:
        heading.append(row["case"])
    heading.append(row["area"])
    return _CARD.format(
        heading=" &middot; ".join(html.escape(str(h)) for h in heading),
        before=html.escape("…" + row["before"] if row["before"] else ""),
        text=html.escape(row["text"]),
        after=html.escape(row["after"] + "…" if row["after"] else ""),
        codes=html.escape(", ".join(row["codes"])),
        coders=html.escape(", ".join(row["coders"])),
    )


class RetrievalView(widgets.VBox):
    """Search box, area and coder choice, a count line, and one card per passage.

    Pressing Enter in the box (or Search) runs the query again; a query that cannot be read
    shows what is wrong instead of the passages.
    """

    PAGE = 50

    def __init__(self, retrieval: Retrieval) -> None:
        self.retrieval = retrieval
        project = retrieval.project
        self.query_box = widgets.Text(
            value=retrieval.query,
            description="Find",
            placeholder='a code, or e.g. "Access to GP" AND Transport',
            continuous_update=False,
            layout=widgets.Layout(width="60%"),
        )
        self.search_button = widgets.Button(description="Search", button_style="primary")
        self.area_box = widgets.Dropdown(
            options=[("All areas", None)] + [(a, a) for a in project.areas()],
            value=retrieval.area,
            description="Area",
        )
        with project.reading() as conn:
            coder_names = list(
                conn.execute(select(schema.coders.c.name).order_by(schema.coders.c.name)).scalars()
            )
        options: list[tuple[str, Any]] = [("All coders", None)] + [(n, n) for n in coder_names]
        chosen = retrieval.coder
        if isinstance(chosen, list):
            chosen = tuple(chosen)
            options.append((", ".join(chosen), chosen))
        self.coder_box = widgets.Dropdown(options=options, value=chosen, description="Coder")
        self.count = widgets.HTML()
        self.cards = widgets.VBox()
        self.more = widgets.Button(description="Show more", layout=widgets.Layout(display="none"))
        self.opened = widgets.Output()
        self.open_buttons: list[widgets.Button] = []
        self._pool: list[tuple[widgets.VBox, widgets.HTML, widgets.Button]] = []
        self._targets: dict[widgets.Button, tuple[int, int, int]] = {}
        self.coder_screen: Any = None
        self.shown = 0

        self.query_box.observe(self.search, names="value")
        self.search_button.on_click(self.search)
        self.area_box.observe(self.search, names="value")
        self.coder_box.observe(self.search, names="value")
        self.more.on_click(lambda _: self._show(self.shown + self.PAGE))
        super().__init__(
            [
                widgets.HBox([self.query_box, self.search_button]),
                widgets.HBox([self.area_box, self.coder_box]),
                self.count,
                self.cards,
                self.more,
                self.opened,
            ]
        )
        self.render()

    def search(self, *_: Any) -> None:
        """Run the query in the box with the chosen area and coder."""
        coder = self.coder_box.value
        try:
            self.retrieval.search(
                self.query_box.value,
                area=self.area_box.value,
                coder=list(coder) if isinstance(coder, tuple) else coder,
            )
        except QualcodeError as error:
            self.count.value = (
                '<div style="color:#B00020">Could not search: '
                f"{html.escape(str(getattr(error, 'reason', error)))}</div>"
            )
            if hasattr(error, "pointer"):
                self.count.value += f"<pre>{html.escape(error.pointer())}</pre>"
            self.cards.children = ()
            self.more.layout.display = "none"
            return
        self.render()

    def render(self) -> None:
        """Show the count line and the first page of cards."""
        self._show(self.PAGE)

    def _card(self, index: int) -> tuple[widgets.VBox, widgets.HTML, widgets.Button]:
        """The index-th card, made once and reused: a new search only changes their text
        (creating ~150 widgets per search cost more than the query itself)."""
        while len(self._pool) <= index:
            text = widgets.HTML()
            button = widgets.Button(description="Open in coder", icon="external-link")
            button.on_click(lambda b: self.open_passage(*self._targets[b]))
            self._pool.append((widgets.VBox([text, button]), text, button))
        return self._pool[index]

    def _show(self, upto: int) -> None:
        df = self.retrieval.df
        shown = min(upto, len(df))
        self._targets = {}
        for index in range(shown):
            row = df.iloc[index]
            _, text, button = self._card(index)
            text.value = card_html(row)
            self._targets[button] = (int(row["document_id"]), int(row["start"]), int(row["end"]))
        self.cards.children = tuple(card for card, _, _ in self._pool[:shown])
        self.open_buttons = [button for _, _, button in self._pool[:shown]]
        self.shown = shown
        line = count_line(len(df), df["document_id"].nunique())
        if self.shown < len(df):
            line += f" (showing the first {self.shown})"
        self.count.value = f"<b>{html.escape(line)}</b>"
        self.more.layout.display = None if self.shown < len(df) else "none"

    def open_passage(self, document_id: int, start: int, end: int) -> Any:
        """Show the passage in the coding screen: `open_with` if given, else a Coder for the
        chosen coder (or the project's user), made on first use and reused after."""
        target = self.retrieval.open_with
        if target is None:
            coder = self.retrieval.coder
            if isinstance(coder, list):
                coder = coder[0] if len(coder) == 1 else None
            name = coder or self.retrieval.project.user
            if self.coder_screen is not None and getattr(self.coder_screen, "coder", name) == name:
                target = self.coder_screen
            else:
                return self._new_coder(name, document_id, start, end)
        # A Coder is an ipywidgets VBox, whose open() opens its comm: it moves with go_to()
        move = getattr(target, "go_to", None) or target.open
        move(document_id, start, end)
        return target

    def _new_coder(self, name: str, document_id: int, start: int, end: int) -> Any:
        from IPython.display import display

        try:
            from qualcode.coding.coder import Coder
        except ImportError:
            with self.opened:
                print("The coding screen is not available in this version of qualcode.")
            return None
        self.coder_screen = Coder(
            self.retrieval.project, coder=name, document=document_id, focus=(start, end)
        )
        self.opened.clear_output()
        with self.opened:
            display(self.coder_screen)
        return self.coder_screen
