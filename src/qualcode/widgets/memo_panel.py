"""The Coder's memos: write your memo on the open transcript and on a code, and find any memo.

It acts for one `Coder` (its project, coder and open transcript). Memos belong to the coder
who writes them (a coder may keep several; the panel edits their newest on the transcript or
code, and lists them all). Writing happens on a clear Save (or on moving to another
transcript or code, so nothing typed is lost); each save is one audited change. The list
shows every memo the coder may see (`Project.memos_df`: others' memos on a blind round's
transcripts stay hidden), searchable, with a button that takes the Coder to the passage.
"""

from __future__ import annotations

import html
from datetime import datetime
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets

from qualcode.errors import QualcodeError
from qualcode.views.memos import search_memos
from qualcode.widgets.hits import short

if TYPE_CHECKING:
    import pandas as pd

    from qualcode.model import Code
    from qualcode.widgets.coder import Coder

SHOWN = 30  # memos listed at once; a search narrows the rest
NO_CODE = ("(choose a code)", 0)  # code ids start at 1
WIDE = {"width": "auto", "min_width": "10rem"}  # buttons show their whole label
KIND_LABEL = {"transcript": "Transcript", "code": "Code", "coding": "Coding", "free": "Note"}


class MemoPanel(widgets.VBox):
    """Memos under the transcript: two editors (transcript, code) and the searchable list."""

    def __init__(self, coder: Coder) -> None:
        self.coder = coder
        self._doc_memo: tuple[int | None, str] = (None, "")  # (memo id, text saved)
        self._doc_id: int | None = None
        self._code_memo: tuple[int | None, str] = (None, "")
        self._code_id: int | None = None
        self._all: pd.DataFrame | None = None  # the memos read last (None: read again)
        self.doc_label = widgets.HTML("<b>Your memo on this transcript</b>")
        self.doc_text = _editor("What strikes you about this interview? Notes for later.")
        self.doc_save = widgets.Button(description="Save memo", icon="save", layout=WIDE)
        self.doc_save.add_class("qc-memo-save-transcript")
        self.doc_text.add_class("qc-memo-transcript")
        self.code_picker = widgets.Dropdown(
            options=[NO_CODE], value=0, description="Code", layout={"width": "100%"}
        )
        self.code_text = _editor("What does this code mean to you? When does it apply?")
        self.code_text.add_class("qc-memo-code")
        self.code_save = widgets.Button(description="Save code memo", icon="save", layout=WIDE)
        self.code_save.add_class("qc-memo-save-code")
        self.saved = widgets.HTML()
        self.search = widgets.Text(
            placeholder="Search memos: words in a memo, a code or a transcript",
            layout={"width": "100%"},
            continuous_update=True,
        )
        self.search.add_class("qc-memo-search")
        self.only_here = widgets.Checkbox(
            description="Only this transcript", indent=False, layout={"width": "14rem"}
        )
        self.only_mine = widgets.Checkbox(
            description="Only mine", indent=False, layout={"width": "10rem"}
        )
        self.count = widgets.HTML()
        self.rows = widgets.VBox(layout={"max_height": "24rem", "overflow": "auto"})
        self.rows.add_class("qc-memo-list")

        self.doc_save.on_click(lambda _: coder._guarded(self.save_transcript_memo))
        self.code_save.on_click(lambda _: coder._guarded(self.save_code_memo))
        self.code_picker.observe(self._on_code, names="value")
        self.only_here.observe(lambda _: self.refresh(), names="value")
        for w in (self.search, self.only_mine):  # a key typed filters what was read
            w.observe(lambda _: self._show(), names="value")
        writing = widgets.VBox(
            [
                self.doc_label,
                self.doc_text,
                self.doc_save,
                widgets.HTML("<b>Your memo on a code</b>"),
                self.code_picker,
                self.code_text,
                self.code_save,
                self.saved,
            ],
            layout={"flex": "1 1 20rem", "min_width": "18rem"},
        )
        listing = widgets.VBox(
            [
                widgets.HTML("<b>All memos</b> (yours and, where visible, your team's)"),
                self.search,
                widgets.HBox([self.only_here, self.only_mine]),
                self.count,
                self.rows,
            ],
            layout={"flex": "2 1 28rem", "min_width": "20rem", "margin": "0 0 0 1rem"},
        )
        super().__init__(
            [
                widgets.HTML("<h4 style='margin:0.6rem 0 0.2rem'>Memos</h4>"),
                widgets.HBox([writing, listing], layout={"flex_flow": "row wrap"}),
            ]
        )
        self.add_class("qc-memo-panel")

    # what the Coder tells the panel ---------------------------------------------------------

    def set_codes(self, codes: list[Code]) -> None:
        """The codebook as it now is (after any change): the code memo's choices."""
        value = self.code_picker.value
        options = [NO_CODE, *[(c.path, c.id) for c in codes]]
        self.code_picker.options = options
        ids = {c.id for c in codes}
        self.code_picker.value = value if value in ids else 0

    def show_document(self) -> None:
        """A transcript was opened: save what was typed on the one before, load this one's."""
        doc = self.coder.document
        if self._doc_id is not None and doc is not None and doc.id != self._doc_id:
            self._keep_typed_transcript_memo()
        self._doc_id = None if doc is None else doc.id
        mine = self._my_memo(document=doc) if doc is not None else None
        self._doc_memo = (None, "") if mine is None else (int(mine.memo_id), mine.text)
        self.doc_text.value = self._doc_memo[1]
        title = "" if doc is None else f" “{html.escape(short(doc.title))}”"
        self.doc_label.value = f"<b>Your memo on this transcript{title}</b>"
        if self.only_here.value or self._all is None:  # else the list is as it was
            self.refresh()

    # writing ----------------------------------------------------------------------------------

    def save_transcript_memo(self) -> None:
        """Save the transcript memo as typed (empty: remove it)."""
        doc = self.coder.document
        if doc is None:
            raise QualcodeError("no transcript is open; pick one first")
        self._doc_memo = self._write(self._doc_memo, self.doc_text.value, document=doc.id)
        self.refresh()

    def save_code_memo(self) -> None:
        """Save the memo on the chosen code as typed (empty: remove it)."""
        if self._code_id is None:
            raise QualcodeError("choose a code for the memo first")
        self._code_memo = self._write(self._code_memo, self.code_text.value, code=self._code_id)
        self.refresh()

    def _write(self, memo: tuple[int | None, str], text: str, **on: Any) -> tuple[int | None, str]:
        """Add, change or remove (empty text) this coder's memo; say what happened."""
        p, who = self.coder.project, self.coder.coder
        memo_id, before = memo
        text = text.strip()
        if text == before.strip():
            self._tell("Nothing changed since the last save.")
            return memo
        if not text:
            if memo_id is not None:
                p.delete_memo(memo_id, coder=who)
            self._tell("Memo removed.")
            return (None, "")
        if memo_id is None:
            memo_id = p.add_memo(text, coder=who, **on)
        else:
            p.edit_memo(memo_id, text, coder=who)
        self._tell(f"Memo saved at {datetime.now():%H:%M}.")
        return (memo_id, text)

    def _keep_typed_transcript_memo(self) -> None:
        """Moving on from a transcript saves its memo as typed, so nothing is lost."""
        if self.doc_text.value.strip() == self._doc_memo[1].strip():
            return
        try:
            self._write(self._doc_memo, self.doc_text.value, document=self._doc_id)
        except QualcodeError as exc:
            self._tell(f"Could not save the memo on the last transcript: {exc}")
        else:
            self._tell("Your memo on the last transcript was saved.")

    def _on_code(self, change: dict[str, Any]) -> None:
        """Another code chosen: save what was typed on the last one, show this one's memo.
        Words that could not be saved (the code was deleted meanwhile) stay in the box."""
        typed = self.code_text.value.strip()
        keep = False
        if typed != self._code_memo[1].strip():
            keep = bool(typed)
            if self._code_id is not None:
                try:
                    self._write(self._code_memo, typed, code=self._code_id)
                    keep = False
                except QualcodeError as exc:
                    self._tell(
                        f"Could not save the memo on that code: {exc}. Your words stay in the "
                        "box: choose a code and press Save code memo."
                    )
                self.refresh()
        self._code_id = int(change["new"]) or None
        mine = None if self._code_id is None else self._my_memo(code_id=self._code_id)
        self._code_memo = (None, "") if mine is None else (int(mine.memo_id), mine.text)
        if not (keep and mine is None):  # never put a memo over unsaved words
            self.code_text.value = self._code_memo[1]

    def _my_memo(self, *, document: Any = None, code_id: int | None = None) -> Any | None:
        """This coder's newest memo on the transcript (on no code) or on the code (alone)."""
        if document is not None:
            frame = self.coder.project.memos_df(document=document, viewer=self.coder.coder)
            frame = frame[(frame["kind"] == "transcript") & frame["code_id"].isna()]
        else:
            frame = self.coder.project.memos_df(viewer=self.coder.coder)
            frame = frame[(frame["kind"] == "code") & frame["code_id"].eq(code_id).fillna(False)]
        frame = frame[frame["mine"]]
        return None if frame.empty else next(frame.itertuples())

    def _tell(self, message: str) -> None:
        self.saved.value = f"<span class='qc-memo-saved'>{html.escape(message)}</span>"

    # the list ---------------------------------------------------------------------------------

    def memos(self) -> pd.DataFrame:
        """The memos the list shows now: search, "only this transcript", "only mine"."""
        if self._all is None:
            doc = self.coder.document if self.only_here.value else None
            self._all = self.coder.project.memos_df(document=doc, viewer=self.coder.coder)
        frame = search_memos(self._all, self.search.value)
        return frame[frame["mine"]] if self.only_mine.value else frame

    def refresh(self) -> None:
        """Read the memos again (after a save, in a Refresh, a transcript opened) and list them."""
        self._all = None
        self._show()

    def _show(self) -> None:
        """List the memos read last, as the search and "only mine" filter them now."""
        frame = self.memos()
        self.rows.children = [self._row(r) for r in frame.head(SHOWN).itertuples()]
        more = len(frame) - SHOWN
        found = f"{len(frame)} memo{'s' if len(frame) != 1 else ''}"
        self.count.value = found + (
            f"; the newest {SHOWN} shown, search to narrow" if more > 0 else ""
        )

    def _row(self, r: Any) -> widgets.Widget:
        """One memo: what it is on, who wrote it when, its text; a button to go there."""
        where = _where(r)
        stamp = _when(r.updated_at)
        info = widgets.HTML(
            f"<div class='qc-memo-item'><span class='qc-memo-kind'>{KIND_LABEL[r.kind]}</span> "
            f"<b>{html.escape(where)}</b><br><span class='qc-memo-meta'>"
            f"{html.escape(r.author)}, {stamp}</span><br>{_paragraphs(r.text)}</div>",
            layout={"flex": "1 1 auto"},
        )
        go = self._go_button(r)
        row = widgets.HBox([go, info] if go is not None else [info])
        row.add_class("qc-memo-row")
        return row

    def _go_button(self, r: Any) -> widgets.Button | None:
        """The list's link: a coding's passage, a transcript, or one's own code memo."""
        if r.kind == "coding":
            label, tip = "Show passage", "Open the transcript with this passage selected"
            action = lambda: self._show_passage(r)  # noqa: E731
        elif r.kind == "transcript":
            label, tip = "Open transcript", "Open this transcript in the Coder"
            action = lambda: self._open_transcript(int(r.document_id))  # noqa: E731
        elif r.kind == "code" and r.mine:
            label, tip = "Edit", "Edit this code memo above"
            action = lambda: setattr(self.code_picker, "value", int(r.code_id))  # noqa: E731
        else:
            return None
        button = widgets.Button(description=label, tooltip=tip, layout={"min_width": "10.5rem"})
        button.add_class("qc-memo-go")
        button.on_click(lambda _: self.coder._guarded(action))
        return button

    def _show_passage(self, r: Any) -> None:
        """Open a coding memo's transcript with its passage selected, and say so."""
        self.coder.go_to(int(r.document_id), int(r.start), int(r.end))
        whose = "your" if r.mine else f"{r.author}'s"
        self.coder._say(f"The passage of {whose} memo is selected: “{short(r.passage)}”.")

    def _open_transcript(self, document_id: int) -> None:
        """Open the transcript (its newest version: an older one's memo stays with it)."""
        self.coder.go_to(self.coder.project.current_version(document_id).id)


def _editor(placeholder: str) -> widgets.Textarea:
    return widgets.Textarea(
        placeholder=placeholder, rows=4, layout={"width": "100%", "min_height": "5rem"}
    )


def _where(r: Any) -> str:
    """What a memo is on, in a few words."""
    if r.kind == "coding":
        return f"“{short(r.passage or '')}” · {r.code} · {r.document}"
    if r.kind == "transcript":
        on_code = f" · {r.code}" if isinstance(r.code, str) else ""
        return f"{r.document} ({r.area}){on_code}"
    if r.kind == "code":
        return str(r.code)
    return str(r.title)


def _when(stamp: str) -> str:
    """A stored time as a person reads it: 3 Dec 2026 18:05."""
    try:
        at = datetime.fromisoformat(str(stamp))
    except ValueError:
        return str(stamp)
    at = at.astimezone() if at.tzinfo is not None else at  # the laptop's clock
    return f"{at.day} {at:%b %Y %H:%M}"


def _paragraphs(text: str) -> str:
    """A memo's text, escaped, its line breaks kept."""
    return "<br>".join(html.escape(line) for line in str(text).splitlines())
