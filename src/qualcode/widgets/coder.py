"""The Coder widget: pick a transcript, select words, press a key; the coding is saved at once.

Layout is plain ipywidgets (area, a case attribute filter, the transcript picker) around a
`TranscriptView`. Every action the view sends is written to the store in its own transaction
before the view is updated, so closing the laptop or restarting the kernel loses nothing.
The widget edits only its coder's codings; undo and redo replay the coder's own actions.
Its "Auto-code by search" panel (`widgets.autocode_panel`) previews a search's hits in context,
then codes them all in one action that one undo takes back.
"""

from __future__ import annotations

import html
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets

from qualcode.coding.autocode import AutocodeResult, code_spans
from qualcode.errors import NotFoundError, QualcodeError
from qualcode.model import attribute_matches, attribute_values, is_suggestion
from qualcode.spans import snap_to_words
from qualcode.widgets.autocode_panel import AutocodePanel
from qualcode.widgets.code_tree import CodeCounts, key_message, set_key
from qualcode.widgets.hits import short
from qualcode.widgets.memo_panel import MemoPanel
from qualcode.widgets.place import DoneBar, forget, remember
from qualcode.widgets.team import CoderTeam, blind_notice
from qualcode.widgets.transcript import TranscriptView

if TYPE_CHECKING:
    import pandas as pd

    from qualcode.model import Coding, Document
    from qualcode.project import Project

ANY = "(any)"


def _set_options(picker: widgets.Dropdown, choices: list[str]) -> None:
    """Give a filter new choices (after "(any)"), keeping its value where it still applies."""
    value = picker.value
    options = [ANY, *choices]
    if list(picker.options) != options:
        picker.options = options
    picker.value = value if value in options else ANY


@dataclass
class _Action:
    """One undoable step: a coding added or removed, a memo changed, or an auto-coding."""

    kind: str  # "code" | "uncode" | "memo" | "autocode"
    coding: Coding | None
    before: str | None = None  # memo before, for "memo"
    after: str | None = None
    batch: AutocodeResult | None = None  # for "autocode"


class Coder(widgets.VBox):
    """Hand-code transcripts as `coder`; `Coder(p, coder="amina")` in a notebook cell."""

    def __init__(
        self,
        project: Project,
        *,
        coder: str,
        area: str | None = None,
        document: Any = None,
        focus: tuple[int, int] | None = None,
        show_all: bool = False,
        font_size: int = 16,
    ) -> None:
        if not isinstance(coder, str) or not coder.strip():
            raise QualcodeError("Coder needs your name as coder=..., e.g. Coder(p, coder='amina')")
        self.project = project
        self.coder = coder.strip()
        self.document: Document | None = None
        self._undo: list[_Action] = []
        self._redo: list[_Action] = []
        self._docs = project.documents_df()
        self._codes: dict[int, Any] = {}
        self._rebuilding = False

        areas = sorted(self._docs["area"].unique().tolist())
        self.area_picker = widgets.Dropdown(
            options=[ANY, *areas], value=area if area in areas else ANY, description="Area"
        )
        attrs = self._attribute_columns()
        self.attribute_picker = widgets.Dropdown(
            options=[ANY, *attrs], value=ANY, description="Filter by"
        )
        self.value_picker = widgets.Dropdown(options=[ANY], value=ANY, description="is")
        self.document_picker = widgets.Dropdown(
            options=[], description="Transcript", layout=widgets.Layout(width="28rem")
        )
        self.progress = DoneBar(self)  # "Mark as done", "4 of 9 done", ✓ in the list
        self.view = TranscriptView(show_all=show_all, font_size=font_size)
        self.view.on_msg(self._on_message)
        self.counts = CodeCounts(project, self.coder, self.view)  # the code tree's numbers
        # the coders on this transcript, their colours, and whose codings the filter shows
        self.team = CoderTeam(self.view, project, self.coder, lambda: self.document)
        self.refresh_button = widgets.Button(
            description="Refresh",
            icon="refresh",
            tooltip="Load new transcripts, versions, codes and others' codings from the store",
        )
        self.refresh_button.on_click(lambda _: self.refresh())

        self.area_picker.observe(lambda _: self._refresh_documents(), names="value")
        self.attribute_picker.observe(self._on_attribute, names="value")
        self.value_picker.observe(lambda _: self._refresh_documents(), names="value")
        self.document_picker.observe(self._on_document, names="value")
        header = widgets.HTML(f"<b>Coding as {html.escape(self.coder)}</b>")
        self.autocode_panel = AutocodePanel(self)
        self.memo_panel = MemoPanel(self)  # transcript and code memos, the memo list
        super().__init__(
            [
                header,
                widgets.HBox(
                    [
                        self.area_picker,
                        self.attribute_picker,
                        self.value_picker,
                        self.refresh_button,
                    ]
                ),
                widgets.HBox([self.document_picker, self.progress]),
                self.view,
                self.memo_panel,
                self.autocode_panel,
            ]
        )
        self._load_codes()
        self._refresh_documents()
        # new, renamed, re-keyed and deleted codes show at once, without Refresh
        self._watching = project.codebook.watch(self.codebook_changed)
        self.observe(self._on_comm, names="comm")
        if document is not None:
            self.go_to(document, *(focus or ()))
        remember(self)  # Retrieval's "Open in coder" moves the most recent Coder

    def _on_comm(self, change: dict[str, Any]) -> None:
        """A closed Coder (its comm gone) hears no more codebook changes, and Retrieval no
        longer moves it. Not an override of `close`: ipywidgets calls its own."""
        if change["new"] is None:
            self._watching.stop()
            forget(self)

    # navigation ---------------------------------------------------------------------------

    def go_to(self, document: Any, start: int | None = None, end: int | None = None) -> None:
        """Show `document` (object, id or title), optionally selecting text[start:end]."""
        doc = self.project.document(document)
        if self.area_picker.value not in (ANY, doc.area):
            self.area_picker.value = doc.area
        if doc.id not in dict(self.document_picker.options).values():
            self.attribute_picker.value = ANY
            self.area_picker.value = ANY
        self.document_picker.value = doc.id
        if start is not None and end is not None:
            self.view.selected_span = [start, end]
            self.view.send({"type": "focus", "start": start, "end": end})

    def step(self, delta: int) -> None:
        """Go to the next (+1) or previous (-1) transcript in the picker."""
        ids = [value for _, value in self.document_picker.options]
        if not ids:
            return
        here = ids.index(self.document_picker.value) if self.document_picker.value in ids else -1
        self.document_picker.value = ids[max(0, min(len(ids) - 1, here + delta))]

    def _attribute_columns(self) -> list[str]:
        fixed = {"area", "case", "title", "format", "version", "words", "units", "turns"}
        fixed |= {"codings", "source", "sha256", "created_at"}
        return [c for c in self._docs.columns if c not in fixed]

    def _filtered(self) -> pd.DataFrame:
        docs = self._docs
        if self.area_picker.value != ANY:
            docs = docs[docs["area"] == self.area_picker.value]
        attr, value = self.attribute_picker.value, self.value_picker.value
        if attr != ANY and value != ANY:
            docs = docs[[attribute_matches(v, value) for v in docs[attr]]]
        return docs

    def _attribute_values(self) -> list[str]:
        """Each value once: "COPD; diabetes" offers "COPD" and "diabetes"."""
        attr = self.attribute_picker.value
        if attr == ANY:
            return []
        return sorted({v for cell in self._docs[attr].dropna() for v in attribute_values(cell)})

    def _on_attribute(self, _: Any) -> None:
        if self._rebuilding:
            return
        self.value_picker.options = [ANY, *self._attribute_values()]
        self.value_picker.value = ANY
        self._refresh_documents()

    def _refresh_documents(self, prefer: int | None = None) -> None:
        """List the transcripts the filters let through; stay on the one shown (or `prefer`)
        if it is listed, else show the first."""
        if self._rebuilding:
            return
        docs = self._filtered()
        options = self.progress.options(docs)
        current = prefer or self.document_picker.value
        with self._rebuild():  # new options select the first one: load nothing for that
            self.document_picker.options = options
        ids = [v for _, v in options]
        if not ids:
            self.document_picker.value = None
            self.view.text = ""
            self.view.title = "No transcript matches these filters."
            return
        target = current if current in ids else ids[0]
        if self.document_picker.value != target:
            self.document_picker.value = target
        elif self.document is None or self.document.id != target:
            self._load(target)

    @contextmanager
    def _rebuild(self) -> Iterator[None]:
        """Change pickers' options without their observers loading or listing anything."""
        self._rebuilding = True
        try:
            yield
        finally:
            self._rebuilding = False

    def _on_document(self, change: dict[str, Any]) -> None:
        if change["new"] is not None and not self._rebuilding:
            self._load(change["new"])

    # loading ------------------------------------------------------------------------------

    def codebook_changed(self) -> None:
        """Send the codebook as it now is (and this transcript's codings, which a merge or a
        delete moves or removes) to the browser: the codebook calls this after each change."""
        self._load_codes()
        if self.document is not None:
            self.view.codings = self._coding_dicts()

    def _load_codes(self) -> None:
        codes = self.project.codebook.all()
        self._codes = {c.id: c for c in codes}
        self.autocode_panel.set_codes(codes)
        self.memo_panel.set_codes(codes)
        self.view.codes = [
            {"id": c.id, "path": c.path, "name": c.name, "parent_id": c.parent_id}
            | {"color": c.color, "shortcut": c.shortcut}
            for c in codes
        ]
        self.counts.follow(set(self._codes))  # counted again if a code came or went

    def _load(self, document_id: int) -> None:
        doc = self.project.document(document_id)
        self.document = doc
        turns = self.project.units_df("turn", document=doc.id)
        sentences = self.project.units_df("sentence", document=doc.id)
        with self.view.hold_sync():
            self.view.selected_span = []
            self.view.title = f"{doc.title} · {doc.case} · {doc.area}"
            self.view.turns = [
                {"start": int(s), "end": int(e), "speaker": sp or "", "role": role or ""}
                for s, e, sp, role in turns[["start", "end", "speaker", "role"]].itertuples(
                    index=False
                )
            ]
            self.view.sentences = [
                [int(s), int(e)] for s, e in sentences[["start", "end"]].itertuples(index=False)
            ]
            self.view.codings = self._coding_dicts()
            self.view.text = doc.text
            self.view.status = blind_notice(self.project, doc.id)
        self.memo_panel.show_document()

    def _coding_dicts(self) -> list[dict[str, Any]]:
        if self.document is None:
            return []
        codings = self.project.codings(self.document, viewer=self.coder)
        return [_as_dict(c, self.coder) for c in codings]

    def refresh(self) -> None:
        """Reload transcripts, codes and codings from the store (after others have coded or
        ingested, say). Filters stay as they are where they still apply; a transcript that
        has a newer version since it was opened (pseudonymised, say) is shown in it."""
        self._docs = self.project.documents_df()
        self._load_codes()
        self.memo_panel.refresh()  # others' new memos
        self.counts.reload()  # others' new codings
        with self._rebuild():  # the pickers' observers wait until all three are set
            _set_options(self.area_picker, sorted(self._docs["area"].unique().tolist()))
            _set_options(self.attribute_picker, self._attribute_columns())
            _set_options(self.value_picker, self._attribute_values())
        opened = self.document
        newest = None if opened is None else self.project.current_version(opened)
        self._refresh_documents(prefer=None if newest is None else newest.id)
        if opened is None or newest is None:
            return
        if self.document is not None and self.document.id == opened.id:
            self.view.codings = self._coding_dicts()  # the same version: others' new codings
        elif newest.id != opened.id:
            self._say(
                f"“{newest.title}” has a newer version (version {newest.version}) since you "
                "opened it; this is it, with the codings carried over"
            )

    # actions ------------------------------------------------------------------------------

    def code(self, start: int, end: int, code: Any) -> Coding | None:
        """Apply `code` to the selected words (snapped to whole words); saved at once."""
        doc = self._need_document()
        if self.project.current_version(doc).id != doc.id:  # never code a text left behind
            self.refresh()
            raise QualcodeError(
                f"“{doc.title}” has a newer version since you opened it, shown now; "
                "nothing was saved, select the words again"
            )
        if not 0 <= start < end <= len(doc.text):
            raise QualcodeError(
                f"the selection [{start}:{end}] is not inside this transcript "
                f"({len(doc.text)} characters); select the words again"
            )
        span = snap_to_words(doc.text, start, end)
        if span is None:
            raise QualcodeError("the selection holds no words; select some words first")
        coding = self.project.code(doc, *span, code, coder=self.coder)
        self.counts.added(coding)
        self._done(_Action("code", coding))
        self._put(coding)
        self._say(f"Saved: {coding.code} on “{short(coding.text)}”")
        return coding

    def uncode(self, coding_id: int) -> None:
        """Remove one of this coder's codings."""
        coding = self._mine(coding_id)
        self.project.uncode(coding.id, coder=self.coder)
        self.counts.removed(coding)
        self._done(_Action("uncode", coding))
        self._drop(coding.id)
        self._say(f"Removed: {coding.code} from “{short(coding.text)}”")

    def memo(self, coding_id: int, memo: str) -> None:
        """Write a memo on one of this coder's codings."""
        coding = self._mine(coding_id)
        updated = self.project.set_memo(coding.id, memo, coder=self.coder)
        self._done(_Action("memo", updated, before=coding.memo, after=updated.memo))
        self._put(updated)
        self.memo_panel.refresh()
        self._say("Memo saved." if updated.memo else "Memo cleared.")

    def review(self, suggestion_id: int, *, accept: bool) -> Coding | None:
        """Accept a machine suggestion as your own coding, or reject it (not undoable:
        remove the coding if you change your mind)."""
        coding = self.project.review_suggestion(suggestion_id, accept=accept, coder=self.coder)
        self._drop(suggestion_id)
        self.counts.added(coding)
        if coding is not None:
            self._put(coding)
            self._say(f"Accepted: {coding.code} on “{short(coding.text)}” is now your coding.")
        else:
            self._say("Rejected the suggestion.")
        return coding

    def undo(self) -> None:
        """Take back this coder's last action in this widget."""
        if not self._undo:
            self._say("Nothing to undo.")
            return
        action = self._undo.pop()
        self._redo.append(self._apply(action, inverse=True))
        self._say(f"Undone: {_describe(action)}")

    def redo(self) -> None:
        """Do again the last action undone."""
        if not self._redo:
            self._say("Nothing to redo.")
            return
        action = self._redo.pop()
        self._undo.append(self._apply(action, inverse=False))
        self._say(f"Redone: {_describe(action)}")

    def _apply(self, action: _Action, *, inverse: bool) -> _Action:
        """Perform `action` (or its inverse); return it with the coding as it now stands."""
        if action.batch is not None:
            return self._apply_batch(action.batch, inverse=inverse)
        c = action.coding
        assert c is not None
        adds = (action.kind == "code") != inverse
        if action.kind == "memo":
            memo = action.before if inverse else action.after
            updated = self.project.set_memo(c.id, memo, coder=self.coder)
            result = _Action("memo", updated, action.before, action.after)
            self._put(updated)
            self.memo_panel.refresh()
        elif adds:
            again = self.project.code(c.document_id, c.start, c.end, c.code_id, coder=self.coder)
            if c.memo:
                again = self.project.set_memo(again.id, c.memo, coder=self.coder)
            result = _Action(action.kind, again)
            self.counts.added(again)
            self._put(again)
        else:
            self.project.uncode(c.id, coder=self.coder)
            self.counts.removed(c)
            result = _Action(action.kind, c)
            self._drop(c.id)
        return result

    def _apply_batch(self, batch: AutocodeResult, *, inverse: bool) -> _Action:
        """Take an auto-coding back (its codings only), or code its spans again."""
        if inverse:
            self.project.uncode_many(batch.added, coder=self.coder)
            again = batch
        else:
            again = code_spans(
                self.project, batch.spans, batch.code, coder=self.coder, search=batch.search
            )
        if self.document is not None:
            self.view.codings = self._coding_dicts()
        self.counts.reload()
        return _Action("autocode", None, batch=again)

    def _done(self, action: _Action) -> None:
        self._undo.append(action)
        self._redo.clear()

    def _put(self, coding: Coding) -> None:
        """Show a new or changed coding without reloading the transcript's codings."""
        if self.document is None or coding.document_id != self.document.id:
            return
        self.view.patch_codings(add=[_as_dict(coding, self.coder)])

    def _drop(self, coding_id: int) -> None:
        self.view.patch_codings(remove=[coding_id])

    def _mine(self, coding_id: int) -> Coding:
        doc = self._need_document()
        try:
            c = self.project.coding(coding_id)
        except NotFoundError:
            c = None
        if c is None or c.document_id != doc.id:
            raise QualcodeError(f"coding {coding_id} is not on this transcript any more")
        if c.coder != self.coder:
            raise QualcodeError(f"that coding is {c.coder}'s; you can change only your own codings")
        return c

    def _need_document(self) -> Document:
        if self.document is None:
            raise QualcodeError("no transcript is open; pick one first")
        return self.document

    def _say(self, message: str) -> None:
        self.view.status = message

    # messages from the browser ------------------------------------------------------------

    def _on_message(self, _view: Any, content: dict[str, Any], _buffers: Any) -> None:
        kind = content.get("type")
        remember(self)  # the Coder last used
        try:
            if kind == "code":
                self.code(int(content["start"]), int(content["end"]), int(content["code_id"]))
            elif kind == "uncode":
                self.uncode(int(content["coding_id"]))
            elif kind == "memo":
                self.memo(int(content["coding_id"]), str(content.get("memo", "")))
            elif kind in ("accept", "reject"):
                self.review(int(content["coding_id"]), accept=kind == "accept")
            elif kind == "undo":
                self.undo()
            elif kind == "redo":
                self.redo()
            elif kind == "navigate":
                self.step(int(content.get("step", 1)))
            elif kind == "set_key":  # from the code tree: codebook_changed redraws
                self._say(set_key(self.project, self.coder, *key_message(content)))
            else:
                return
        except QualcodeError as exc:
            self._say(f"Could not do that: {exc}")
        self.view.send({"type": "ack", "id": content.get("id")})

    def autocoded(self, result: AutocodeResult) -> None:
        """Record an auto-coding as one undoable action and show its codings."""
        if result.added:
            self._done(_Action("autocode", None, batch=result))
            self.counts.reload()
        if self.document is not None:
            self.view.codings = self._coding_dicts()
        self._say(f"{result}." + (" Undo takes them all back." if result.added else ""))

    def _guarded(self, action: Any) -> None:
        try:
            action()
        except QualcodeError as exc:
            self._say(f"Could not do that: {exc}")


def _as_dict(c: Coding, coder: str) -> dict[str, Any]:
    """A coding as the front end draws it."""
    return {
        "id": c.id,
        "start": c.start,
        "end": c.end,
        "code_id": c.code_id,
        "coder": c.coder,
        "mine": c.coder == coder,
        "memo": c.memo or "",
        "suggestion": is_suggestion(c.coder),
    }


def _describe(action: _Action) -> str:
    if action.batch is not None:
        return f"auto-coding of {len(action.batch.added):,} passages with {action.batch.code}"
    assert action.coding is not None
    verb = {"code": "coding", "uncode": "removal", "memo": "memo"}[action.kind]
    return f"{verb} of {action.coding.code} on “{short(action.coding.text)}”"
