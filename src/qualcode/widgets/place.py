"""Place and progress around the Coder: "Mark as done" and "4 of 9 done" beside the transcript
list (✓ before each transcript this coder has finished), and the Coders open in the notebook,
so Retrieval's "Open in coder" moves the one on screen instead of making another.

The open Coders are held weakly, most recent (made, or last used) first; a closed Coder
leaves the list (`Coder.close`). Done marks are the store's (`Project.mark_done`).
"""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets

from qualcode.errors import QualcodeError

if TYPE_CHECKING:
    import pandas as pd

    from qualcode.project import Project
    from qualcode.widgets.coder import Coder

DONE = "✓ "  # before a finished transcript's name in the list

_open: list[weakref.ref[Any]] = []  # open Coders, most recent first


def remember(coder: Coder) -> None:
    """Put `coder` first among the open Coders (it was just made or used)."""
    forget(coder)
    _open.insert(0, weakref.ref(coder))


def forget(coder: Coder) -> None:
    """Take `coder` off the list (it was closed); dead references go too."""
    _open[:] = [ref for ref in _open if ref() is not None and ref() is not coder]


def open_coders(project: Project) -> list[Coder]:
    """The open Coders on `project`'s store (any `Project` object on it), most recent first."""
    where = project.location
    found = [ref() for ref in _open]
    return [
        c
        for c in found
        if c is not None and getattr(c, "comm", None) is not None and c.project.location == where
    ]


def open_coder(project: Project, coder: str | None = None) -> Coder | None:
    """The open Coder to move to a passage: the most recent one coding as `coder`, else the
    most recent on this project; None when no Coder on it is open."""
    found = open_coders(project)
    named = [c for c in found if coder is not None and c.coder.casefold() == coder.casefold()]
    return (named or found or [None])[0]


def reveal(screen: Any) -> None:
    """Ask the browser to scroll `screen` (a Coder) into view and give it the keyboard; it
    becomes the most recent Coder. Anything without a view is left alone."""
    view = getattr(screen, "view", None)
    if view is None or not hasattr(view, "send"):
        return
    view.send({"type": "reveal"})
    view.status = "Opened from Retrieval: the passage is selected; press a code's key to code it."
    remember(screen)


def label(title: str, case: str, area: str, words: int, done: bool) -> str:
    """A transcript as the list shows it: ✓ first when this coder has finished it."""
    name = f"{title} · {case} · {area} ({words} words)"
    return DONE + name if done else name


class DoneBar(widgets.HBox):
    """ "Mark as done" for the transcript shown, and "4 of 9 done" for the transcripts listed.

    `options(docs)` gives the transcript list's entries (✓ before the finished ones); the
    toggle writes the mark at once and relabels the list in place."""

    def __init__(self, coder: Coder) -> None:
        self.coder = coder
        self.done: set[int] = set()
        self._quiet = False
        self.toggle = widgets.ToggleButton(
            value=False,
            description="Mark as done",
            icon="check",
            tooltip="You have finished coding this transcript (press again to take it back)",
            layout=widgets.Layout(width="auto"),
        )
        self.count = widgets.HTML()
        self.toggle.observe(self._toggled, names="value")
        coder.document_picker.observe(lambda _: self._show(), names="value")
        super().__init__([self.toggle, self.count])

    def options(self, docs: pd.DataFrame) -> list[tuple[str, int]]:
        """The list's entries for these transcripts (rows of `documents_df`), ✓ before the
        ones this coder has finished; the count follows."""
        marks = self.coder.project.done_df(coder=self.coder.coder)
        self.done = {int(i) for i in marks["document_id"]}
        columns = (docs[name] for name in ("title", "case", "area", "words"))
        rows = zip(docs.index, *columns, strict=True)
        options = [(label(*row, int(i) in self.done), int(i)) for i, *row in rows]
        self._count([value for _, value in options])
        return options

    def _count(self, ids: list[int]) -> None:
        finished = sum(1 for i in ids if i in self.done)
        self.count.value = (
            f'<span title="Transcripts in this list you have marked as done">'
            f"<b>{finished} of {len(ids)} done</b></span>"
            if ids
            else ""
        )
        self._show()

    def _show(self) -> None:
        """The toggle as it stands for the transcript in the list now."""
        doc_id = self.coder.document_picker.value
        done = doc_id in self.done
        self._quiet = True
        try:
            self.toggle.value = done
        finally:
            self._quiet = False
        self.toggle.description = "Done" if done else "Mark as done"
        self.toggle.button_style = "success" if done else ""
        self.toggle.disabled = doc_id is None

    def _toggled(self, change: dict[str, Any]) -> None:
        if self._quiet:
            return
        doc = self.coder.document
        try:
            if doc is None:
                raise QualcodeError("no transcript is open; pick one first")
            self.coder.project.mark_done(doc, coder=self.coder.coder, done=change["new"])
        except QualcodeError as exc:
            self.coder.view.status = f"Could not do that: {exc}"
            self._show()
            return
        (self.done.add if change["new"] else self.done.discard)(doc.id)
        self._relabel()
        listed = len(self.coder.document_picker.options)
        finished = sum(1 for _, i in self.coder.document_picker.options if i in self.done)
        what = "Marked as done" if change["new"] else "No longer marked as done"
        self.coder.view.status = f"{what}: “{doc.title}” ({finished} of {listed} done)."

    def _relabel(self) -> None:
        """Put ✓ where it now belongs, keeping the transcript shown (nothing reloads)."""
        picker = self.coder.document_picker
        value = picker.value
        options = [
            (DONE + name.removeprefix(DONE) if i in self.done else name.removeprefix(DONE), i)
            for name, i in picker.options
        ]
        with self.coder._rebuild():
            picker.options = options
            picker.value = value
        self._count([i for _, i in options])
