"""Auto-coding by search: find a word, phrase, pattern or lemma (or a speaker's turns) across
transcripts, show the hits in context, then code them all as one coder in one transaction.

A search hit becomes a coding of the words found, or of the sentence or turn holding them
(several hits in one unit make one coding). The coder's identical codings are never doubled,
and the result names the new codings so one call (`Project.uncode_many`) takes the batch back.

Where a transcript has speaker turns, only the words spoken are searched (not the labels or
headings), and the interviewer's turns are left out unless `interviewer=True` or `speaker=`
names them: a question that mentions "waiting" is not evidence about waiting.
"""

from __future__ import annotations

import bisect
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from qualcode.errors import CodingError, QualcodeError
from qualcode.model import clean_name, is_suggestion
from qualcode.store import codes as code_store
from qualcode.store import new_guid, now
from qualcode.store.codings import insert_codings
from qualcode.store.documents import document_row
from qualcode.store.identity import coder_id_for, require_area
from qualcode.views import autocode as autocode_views
from qualcode.views import objects

if TYPE_CHECKING:
    import pandas as pd
    from sqlalchemy import Connection

    from qualcode.model import Code, Document
    from qualcode.project import Project

MODES = ("text", "regex", "lemma")
EXPANDS = ("match", "sentence", "turn")
DEFAULT_MAX_HITS = 10_000
CONTEXT = 60  # characters of context shown on each side of a hit
PREVIEW_COLUMNS = (
    "document_id",
    "title",
    "area",
    "case",
    "speaker",
    "start",
    "end",
    "text",
    "left",
    "right",
    "hits",
    "already_coded",
)

Span = tuple[int, int, int]  # document id, start, end


@dataclass
class AutocodeResult:
    """What one auto-coding applied: the new codings' ids (for one undo) and what it skipped."""

    search: str
    code: str
    coder: str
    added: list[int] = field(default_factory=list)
    spans: list[Span] = field(default_factory=list)  # (document, start, end) of `added`
    skipped: int = 0  # identical codings that were already there

    def __str__(self) -> str:
        skipped = f"; {self.skipped:,} already coded, skipped" if self.skipped else ""
        return (
            f"{self.search}: added {len(self.added):,} codings of {self.code!r} "
            f"as {self.coder}{skipped}"
        )

    def undo(self, project: Project) -> int:
        """Remove exactly the codings this auto-coding added (one transaction)."""
        return project.uncode_many(self.added, coder=self.coder)


@dataclass(frozen=True)
class _Search:
    query: str | None
    mode: str
    expand: str
    speaker: str | None
    interviewer: bool

    def describe(self) -> str:
        what = f"search {self.query!r} ({self.mode})" if self.query else "every turn"
        who = f" by speaker {self.speaker!r}" if self.speaker else ""
        return what + who + ("" if self.expand == "match" else f", coding the {self.expand}")


def autocode(
    project: Project,
    query: str | None,
    code: Code | int | str,
    *,
    coder: str,
    mode: str = "text",
    expand: str = "match",
    area: str | None = None,
    speaker: str | None = None,
    interviewer: bool = False,
    documents: Iterable[Document | int | str] | None = None,
    max_hits: int | None = None,
    preview: bool = False,
) -> pd.DataFrame | AutocodeResult:
    """See `Project.autocode`."""
    coder = _person(coder)
    search = _check(query, mode, expand, speaker, interviewer)
    pattern = _pattern(search)
    limit = DEFAULT_MAX_HITS if max_hits is None else max_hits
    if not isinstance(limit, int) or limit < 1:
        raise QualcodeError(f"max_hits must be a whole number of at least 1, got {max_hits!r}")
    if preview:
        with project.reading() as conn:
            c = code_store.resolve(conn, code)
            coder_id = _existing_coder(conn, coder)
            found = _find(conn, project, search, pattern, area, documents, limit)
            return _preview(conn, found, c.id, coder_id)
    with project.writing() as conn:
        c = code_store.resolve(conn, code)
        coder_id = coder_id_for(conn, coder)
        found = _find(conn, project, search, pattern, area, documents, limit)
        result = AutocodeResult(search.describe(), c.path, coder)
        _write(conn, result, [(d, s, e) for d, s, e, _ in found.spans], c.id, coder_id)
    return result


def code_spans(
    project: Project, spans: Sequence[Span], code: Code | int | str, *, coder: str, search: str
) -> AutocodeResult:
    """Code (document, start, end) spans as `coder` in one transaction, skipping identical
    codings: how the widget's redo applies an undone auto-coding again."""
    coder = _person(coder)
    with project.writing() as conn:
        c = code_store.resolve(conn, code)
        coder_id = coder_id_for(conn, coder)
        for doc_id, start, end in spans:
            length = autocode_views.document_length(conn, doc_id)
            if length is None or not 0 <= start < end <= length:
                raise CodingError(f"span [{start}:{end}] is not inside document {doc_id}")
        result = AutocodeResult(search, c.path, coder)
        _write(conn, result, list(spans), c.id, coder_id)
    return result


# the search -------------------------------------------------------------------------------


@dataclass
class _Found:
    """Spans to code (document, start, end, hits) with the documents they are in."""

    spans: list[tuple[int, int, int, int]]
    docs: dict[int, Any]  # id -> row (id, title, area, case, text)
    turns: dict[int, list[tuple[int, int, str | None, str | None]]]


def _person(coder: str) -> str:
    """The coder's name; machine suggestion coders cannot auto-code."""
    coder = clean_name(coder, "coder")
    if is_suggestion(coder):
        raise CodingError(
            f"{coder!r} is a machine suggestion coder; auto-coding is a person's act, "
            "give your own coder name"
        )
    return coder


def _check(
    query: str | None, mode: str, expand: str, speaker: str | None, interviewer: bool
) -> _Search:
    if mode not in MODES:
        raise QualcodeError(f"mode {mode!r} is not one of {', '.join(MODES)}")
    if expand not in EXPANDS:
        raise QualcodeError(f"expand {expand!r} is not one of {', '.join(EXPANDS)}")
    if query is not None and not isinstance(query, str):
        raise QualcodeError(f"a search query is a text, got {query!r}")
    if speaker is not None and not (isinstance(speaker, str) and speaker.strip()):
        raise QualcodeError(f"speaker must be a speaker's label or role, got {speaker!r}")
    query = query if query and query.strip() else None
    if query is None and speaker is None:
        raise QualcodeError(
            "nothing to search for: give words to find, or speaker=... to code every turn "
            "of one speaker"
        )
    return _Search(query, mode, expand, speaker.strip() if speaker else None, interviewer)


def _pattern(search: _Search) -> re.Pattern[str] | None:
    """The compiled search: whole words, any case, any white space between phrase words."""
    query = search.query
    if query is None:
        return None
    if search.mode == "regex":
        try:
            return re.compile(query)
        except re.error as exc:
            raise QualcodeError(
                f"the pattern {query!r} is not a valid regular expression: {exc}; "
                "fix it, or use mode='text' to search for these characters as they are"
            ) from None
    words = [_word(w) for w in query.split()] if search.mode == "text" else None
    pieces = words if words is not None else _lemma_pieces(query)
    return re.compile(r"\s+".join(pieces), re.IGNORECASE)


def _word(*forms: str) -> str:
    """A regex for any of `forms` as a whole word (not "care" inside "careful")."""
    parts = []
    for form in sorted(set(forms), key=lambda f: (-len(f), f)):
        body = re.sub(r"['’]", "['’]", re.escape(form))
        before = r"(?<!\w)" if re.match(r"\w", form) else ""
        after = r"(?!\w)" if re.search(r"\w$", form) else ""
        parts.append(before + body + after)
    return parts[0] if len(parts) == 1 else "(?:" + "|".join(parts) + ")"


def _lemma_pieces(query: str) -> list[str]:
    """One regex per word of the query, matching every word form with the same lemma."""
    nlp, table, forms = _lemmas()
    pieces = []
    for token in nlp(query.lower()):
        if token.is_space:
            continue
        lemma = token.lemma_
        same = set(forms.get(lemma, ()))
        if table.get(lemma, lemma) == lemma:
            same.add(lemma)
        same.add(token.text)
        pieces.append(_word(*same))
    if not pieces:
        raise QualcodeError(f"the query {query!r} holds no words to look up")
    return pieces


@lru_cache(maxsize=1)
def _lemmas() -> tuple[Any, dict[str, str], dict[str, list[str]]]:
    """spaCy's English lookup lemmatizer and its table, inverted (lemma -> word forms), so a
    lemma search is one regular expression rather than lemmatizing every transcript."""
    try:
        import spacy_lookups_data
    except ImportError:
        raise QualcodeError(
            "lemma search needs spaCy's lemma tables: pip install spacy-lookups-data"
        ) from None
    import spacy
    import srsly

    nlp = spacy.blank("en")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.initialize()
    table: dict[str, str] = srsly.read_gzip_json(
        spacy_lookups_data.get_file("en_lemma_lookup.json.gz")
    )
    forms: dict[str, list[str]] = defaultdict(list)
    for word, lemma in table.items():
        if word == word.lower():
            forms[lemma].append(word)
    return nlp, table, dict(forms)


def _find(
    conn: Connection,
    project: Project,
    search: _Search,
    pattern: re.Pattern[str] | None,
    area: str | None,
    documents: Iterable[Any] | None,
    limit: int,
) -> _Found:
    """Every hit in the current documents, filtered by speaker and expanded to units."""
    if area is not None:
        require_area(conn, area)
    ids = _current_ids(conn, project, documents) if documents is not None else None
    turns = autocode_views.current_turns(conn, area, ids)
    wanted = search.speaker.lower() if search.speaker else None

    def allowed(turn: tuple[int, int, str | None, str | None]) -> bool:
        _s, _e, speaker, role = turn
        if wanted is not None:
            return wanted in ((speaker or "").lower(), (role or "").lower())
        return search.interviewer or role != "interviewer"

    hits: dict[int, list[tuple[int, int]]] = {}
    docs: dict[int, Any] = {}
    count = 0
    # streamed: only the documents with hits are kept
    for row in autocode_views.current_texts(conn, area, ids):
        doc_turns = turns.get(row.id)
        if doc_turns is None:  # no speaker turns (a survey answer): all its text, no speaker
            spans = [] if wanted is not None else [(0, len(row.text))]
        else:
            spans = [(s, e) for s, e, *_ in (t for t in doc_turns if allowed(t))]
        if not spans:
            continue
        found = _hits(row.text, pattern, spans)
        if not found:
            continue
        count += len(found)
        if count <= limit:
            hits[row.id] = found
            docs[row.id] = row
    if count > limit:
        raise QualcodeError(
            f"{search.describe()} has {count:,} hits, more than max_hits={limit:,}; "
            "narrow it with area=, speaker= or documents=, or raise max_hits= "
            "(nothing was coded)"
        )
    spans_out = _expand(conn, search, hits, turns)
    return _Found(spans_out, docs, turns)


def _hits(
    text: str, pattern: re.Pattern[str] | None, spans: list[tuple[int, int]]
) -> list[tuple[int, int]]:
    """Matches lying wholly inside one of `spans` (sorted), trimmed of white space."""
    if pattern is None:
        return spans
    starts = [s for s, _ in spans]
    found = []
    for m in pattern.finditer(text):
        start, end = m.span()
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if start >= end:
            continue
        i = bisect.bisect_right(starts, start) - 1
        if i >= 0 and end <= spans[i][1]:
            found.append((start, end))
    return found


def _expand(
    conn: Connection,
    search: _Search,
    hits: dict[int, list[tuple[int, int]]],
    turns: dict[int, list[tuple[int, int, str | None, str | None]]],
) -> list[tuple[int, int, int, int]]:
    """Hits widened to their unit (sentence, or turn; a paragraph where there are no turns),
    several hits in one unit merged into one span with a hit count."""
    units: dict[int, list[tuple[int, int]]] = {}
    if search.expand == "sentence":
        units = objects.unit_spans(conn, hits, "sentence")
    elif search.expand == "turn":
        units = {doc_id: [(s, e) for s, e, *_ in turns[doc_id]] for doc_id in hits if turns[doc_id]}
        no_turns = [doc_id for doc_id in hits if not turns[doc_id]]
        units.update(objects.unit_spans(conn, no_turns, "paragraph"))
    out = []
    for doc_id, found in hits.items():
        merged: dict[tuple[int, int], int] = {}
        doc_units = units.get(doc_id)
        each = search.query is None and search.expand == "sentence"  # a turn's every sentence
        for start, end in found:
            for span in _covering(doc_units, start, end, each):
                merged[span] = merged.get(span, 0) + 1
        out.extend((doc_id, s, e, n) for (s, e), n in sorted(merged.items()))
    return out


def _covering(
    units: list[tuple[int, int]] | None, start: int, end: int, each: bool
) -> list[tuple[int, int]]:
    """The units overlapping [start:end] as one span (or each, with `each`); the hit itself
    when no unit holds it."""
    if not units:
        return [(start, end)]
    i = bisect.bisect_right(units, (start, float("inf"))) - 1
    if i < 0 or units[i][1] <= start:
        i += 1
    j = i
    while j < len(units) and units[j][0] < end:
        j += 1
    if j == i:
        return [(start, end)]
    if each:
        return units[i:j]
    return [(units[i][0], units[j - 1][1])]


def _current_ids(conn: Connection, project: Project, documents: Iterable[Any]) -> list[int]:
    ids = []
    for ref in documents:
        row = document_row(conn, ref)
        if not row.is_current:
            raise QualcodeError(
                f"document {row.title!r} version {row.version} is not the current version; "
                "auto-coding searches current versions only"
            )
        ids.append(row.id)
    return ids


# preview and writing ----------------------------------------------------------------------


def _existing_coder(conn: Connection, coder: str) -> int | None:
    """The coder's id if they exist (a preview creates nobody); an adjudicated layer is
    refused as `coder_id_for` refuses it."""
    row = autocode_views.coder_row(conn, coder)
    if row is not None and row.role == "adjudicator":
        coder_id_for(conn, coder)  # raises the adjudicated-layer error
    return row.id if row is not None else None


def _preview(conn: Connection, found: _Found, code_id: int, coder_id: int | None) -> pd.DataFrame:
    import pandas as pd

    done = autocode_views.coded_spans(conn, found.docs, code_id, coder_id)
    rows = []
    for doc_id, start, end, n in found.spans:
        doc = found.docs[doc_id]
        text = doc.text
        rows.append(
            (
                doc_id,
                doc.title,
                doc.area,
                doc.case,
                _speaker(found.turns.get(doc_id), start),
                start,
                end,
                text[start:end],
                _one_line(text[max(0, start - CONTEXT) : start]),
                _one_line(text[end : end + CONTEXT]),
                n,
                (doc_id, start, end) in done,
            )
        )
    return pd.DataFrame(rows, columns=list(PREVIEW_COLUMNS))


def _speaker(turns: list[tuple[int, int, str | None, str | None]] | None, at: int) -> str | None:
    if not turns:
        return None
    i = bisect.bisect_right(turns, (at, float("inf"))) - 1
    return turns[i][2] if i >= 0 and at < turns[i][1] else None


def _write(
    conn: Connection, result: AutocodeResult, spans: list[Span], code_id: int, coder_id: int
) -> None:
    """Insert the spans not already coded, with one audit row each; fill in `result`."""
    done = autocode_views.coded_spans(conn, (s[0] for s in spans), code_id, coder_id)
    new = []
    for span in spans:
        if span in done:
            result.skipped += 1
        else:
            done.add(span)
            new.append(span)
    stamp = now()
    result.added = insert_codings(
        conn,
        [
            (new_guid(), doc_id, start, end, code_id, coder_id, None, stamp, stamp)
            for doc_id, start, end in new
        ],
        actor=result.coder,
        after=lambda row: {
            "start": row[2],
            "end": row[3],
            "code": result.code,
            "coder": result.coder,
            "autocode": result.search,
        },
    )
    result.spans = new


def _one_line(context: str) -> str:
    """Context on one line, its spaces kept at the edges: "I " + "[waited]" + " two hours"."""
    return re.sub(r"\s+", " ", context)
