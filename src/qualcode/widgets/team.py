"""The team's work in the Coder: which people coded the transcript shown (with their number
of codings and colour), whose codings the coder filter shows, and that in plain words.

The browser draws the filter, the margin stripes and the tooltips (static/features/team.js);
this module tells it who the coders are (`TranscriptView.coders`) and answers the filter
(`show_all` with `hidden_coders`: others are shown, except the hidden). `show_all` alone keeps
its old meaning: everyone's codings, or only yours.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from qualcode.coding.rounds import open_round_of
from qualcode.coding.team import coder_colors, coders_on
from qualcode.errors import QualcodeError

if TYPE_CHECKING:
    from qualcode.model import Document
    from qualcode.project import Project
    from qualcode.widgets.transcript import TranscriptView


def blind_notice(project: Project, document_id: int) -> str:
    """Tell the coder why others' codings are not shown, while a blind round is open."""
    found = open_round_of(project, document_id)
    if found is None:
        return ""
    return (
        f"Blind round {found.name!r} is open: you see only your own codings here "
        f"until {found.lead} closes it."
    )


class CoderTeam:
    """Keeps the view's list of coders true to its codings and says what the filter shows;
    `coder.team.show("bob")`, `.everyone()` and `.only_mine()` set the filter from Python."""

    def __init__(
        self,
        view: TranscriptView,
        project: Project,
        me: str,
        document: Callable[[], Document | None],
    ) -> None:
        self.view = view
        self.project = project
        self.me = me
        self._document = document
        self._colors = coder_colors(project)
        self._seen: tuple[int | None, frozenset[str]] = (None, frozenset())
        view.observe(self._on_codings, names=["codings", "text"])  # text: another transcript
        view.observe(self._on_filter, names=["show_all", "hidden_coders"])

    # what the browser lists -------------------------------------------------------------

    def _on_codings(self, _: Any = None) -> None:
        rows = coders_on(self.view.codings, self.me, self._colors)
        if any(not r["mine"] and r["name"] not in self._colors for r in rows):
            self._colors = coder_colors(self.project)  # a coder new to the project
            rows = coders_on(self.view.codings, self.me, self._colors)
        doc = self._document()
        seen = (None if doc is None else doc.id, frozenset(r["name"] for r in rows))
        if seen != self._seen:  # another transcript or other coders: is it a blind round?
            self._seen = seen
            note = "" if doc is None else blind_notice(self.project, doc.id)
            self.view.coders_note = note.replace("you see only your own codings here", _HIDDEN)
        was = {r["name"]: r["count"] for r in self.view.coders if r["mine"]}
        mine = rows[0]
        if mine["name"] in self.view.hidden_coders and mine["count"] > was.get(mine["name"], 0):
            # you coded while your codings were hidden: show them, or the new one vanishes
            self.view.hidden_coders = [n for n in self.view.hidden_coders if n != mine["name"]]
        if rows != self.view.coders:
            self.view.coders = rows

    # the filter -------------------------------------------------------------------------

    def show(self, *names: str) -> None:
        """Show your codings and those of `names` only; no names: only yours."""
        others = [r["name"] for r in self.view.coders if not r["mine"]]
        unknown = [n for n in names if n not in others]
        if unknown:
            listed = ", ".join(others) or "nobody else (or a blind round hides them)"
            raise QualcodeError(
                f"{', '.join(unknown)} coded nothing on this transcript; its coders: {listed}"
            )
        with self.view.hold_sync():
            self.view.hidden_coders = [n for n in others if n not in names]
            self.view.show_all = bool(names)

    def everyone(self) -> None:
        """Show every coder's codings (machine suggestions go by "Show suggestions")."""
        with self.view.hold_sync():
            self.view.hidden_coders = []
            self.view.show_all = True

    def only_mine(self) -> None:
        """Show only your own codings."""
        with self.view.hold_sync():
            self.view.hidden_coders = []
            self.view.show_all = False

    def shown(self) -> list[str]:
        """The coders whose codings are shown now (your own name included if shown)."""
        hidden = set(self.view.hidden_coders)
        return [
            r["name"]
            for r in self.view.coders
            if r["name"] not in hidden and (r["mine"] or self.view.show_all)
        ]

    def describe(self) -> str:
        """What the filter shows, in words, for the status line."""
        if self.view.show_all and not self.view.hidden_coders:
            return "Showing every coder's codings."
        mine = {r["name"] for r in self.view.coders if r["mine"]}
        names = ["you" if n in mine else n for n in self.shown()]
        if not names:
            return "Showing nobody's codings: tick a name under “Coders” to see their work."
        if names == ["you"]:
            return "Showing your coding."
        listed = ", ".join(names[:-1]) + " and " + names[-1] if len(names) > 1 else names[0]
        return f"Showing codings by {listed}."

    def _on_filter(self, _: Any) -> None:
        self.view.status = self.describe()


_HIDDEN = "others' codings are hidden"
