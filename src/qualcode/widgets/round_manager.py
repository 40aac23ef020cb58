"""The lead's panel for blind coding rounds: open one, follow who has finished, reveal.

`RoundManager(p, lead="dawn")` in a notebook. Opening and closing go through the same
functions as the API (`qualcode.coding.rounds`); progress shows counts only, never codes.
On closing, the round's agreement table appears at once, and the consensus review can start.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets

from qualcode.coding.rounds import round_agreement, round_progress
from qualcode.errors import QualcodeError
from qualcode.notice import error_html

if TYPE_CHECKING:
    from qualcode.project import Project


class RoundManager(widgets.VBox):
    """Open, follow and close blind rounds as `lead`."""

    def __init__(self, project: Project, *, lead: str) -> None:
        if not isinstance(lead, str) or not lead.strip():
            raise QualcodeError("RoundManager needs lead='your name'")
        self.project = project
        self.lead = lead.strip()
        areas = project.areas()
        self.name = widgets.Text(description="Round", placeholder="e.g. R1")
        self.area = widgets.Dropdown(options=areas, description="Area")
        self.documents = widgets.SelectMultiple(description="Documents", rows=6)
        self.coders = widgets.TagsInput(allow_duplicates=False)
        self.note = widgets.Text(description="Note", placeholder="what the round is for")
        self.open_button = widgets.Button(description="Open round", button_style="primary")
        self.open_button.on_click(lambda _: self.open_round())
        self.rounds = widgets.HTML()
        self.closing = widgets.Dropdown(description="Close")
        self.close_button = widgets.Button(description="Close and reveal", button_style="warning")
        self.close_button.on_click(lambda _: self.close_round())
        self.agreement = widgets.HTML()
        self.status = widgets.HTML()
        self.area.observe(lambda _: self._list_documents(), names="value")
        super().__init__(
            [
                widgets.HTML("<b>Blind coding rounds</b>"),
                self.rounds,
                widgets.HBox([self.closing, self.close_button]),
                widgets.HTML("<b>Open a round</b>"),
                self.name,
                self.area,
                self.documents,
                widgets.HBox([widgets.Label("Coders"), self.coders]),
                self.note,
                self.open_button,
                self.status,
                self.agreement,
            ]
        )
        self._list_documents()
        self.refresh()

    def _list_documents(self) -> None:
        docs = self.project.documents(area=self.area.value) if self.area.value else []
        self.documents.options = [(f"{d.title} ({d.case or 'no case'})", d.id) for d in docs]
        self.documents.value = tuple(d.id for d in docs)  # the whole area unless narrowed

    def refresh(self) -> None:
        """Redraw the list of rounds, with each open round's progress (counts only)."""
        frame = self.project.rounds_df()
        mine = frame[(frame["status"] == "open") & (frame["lead"] == self.lead)]
        self.closing.options = list(mine["name"])
        self.closing.value = self.closing.options[0] if self.closing.options else None
        self.close_button.disabled = mine.empty
        if frame.empty:
            self.rounds.value = "<i>No rounds yet.</i>"
            return
        rows = []
        for r in frame.itertuples():
            done = ""
            if r.status == "open":
                progress = round_progress(self.project, r.name)
                done = ", ".join(
                    f"{html.escape(str(c))} {p.documents_coded}/{p.documents}"
                    for c, p in progress.iterrows()
                )
            rows.append(
                f"<tr><td>{html.escape(r.name)}</td><td>{r.status}</td>"
                f"<td>{html.escape(r.lead)}</td><td>{html.escape(', '.join(r.coders))}</td>"
                f"<td>{r.documents}</td><td>{done}</td></tr>"
            )
        head = (
            "<tr><th>round</th><th>status</th><th>lead</th><th>coders</th><th>documents</th>"
            "<th>documents coded so far</th></tr>"
        )
        self.rounds.value = f"<table>{head}{''.join(rows)}</table>"

    # not `open`/`close`: ipywidgets calls Widget.open() to build the widget, close() to drop it
    def open_round(self) -> Any:
        """Open a round from the form; on an error nothing is written and the form stays."""
        try:
            found = self.project.open_round(
                self.name.value,
                coders=list(self.coders.value),
                lead=self.lead,
                documents=list(self.documents.value),
                note=self.note.value or None,
            )
        except QualcodeError as exc:
            self.status.value = error_html(str(exc))
            return None
        self.status.value = html.escape(
            f"Round {found.name} is open: {len(found.documents)} documents for "
            f"{', '.join(found.coders)}. Each sees only their own codings until you close it."
        )
        self.name.value = ""
        self.refresh()
        return found

    def close_round(self) -> Any:
        """Close the chosen round, reveal, and show its agreement table."""
        name = self.closing.value
        if not name:
            return None
        try:
            found = self.project.close_round(name, lead=self.lead)
        except QualcodeError as exc:
            self.status.value = error_html(str(exc))
            return None
        self.refresh()
        self.status.value = html.escape(
            f"Round {name} closed and revealed. Settle differences with "
            f"ConsensusReview(p, round={name!r}, adjudicator={self.lead!r})."
        )
        try:
            table = round_agreement(self.project, name)
        except QualcodeError as exc:  # e.g. nobody coded anything yet
            self.agreement.value = error_html(f"No agreement table: {exc}")
        else:
            self.agreement.value = table.to_html(index=False, float_format="{:.3f}".format)
        return found
