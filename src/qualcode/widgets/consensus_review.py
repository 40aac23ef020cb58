"""The consensus review: step through the units where coders differ and settle each one.

For every unit the coders' codes are shown side by side; the adjudicator takes one coder's
version with a button, or ticks the codes the group agreed and saves. Each decision is written
at once to the consensus layer (see `qualcode.coding.consensus.settle`).
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets

from qualcode.coding.consensus import consensus_codes, disagreements, settle
from qualcode.errors import QualcodeError
from qualcode.model import CONSENSUS
from qualcode.notice import error_html

if TYPE_CHECKING:
    from collections.abc import Sequence

    from qualcode.model import DocumentRef
    from qualcode.project import Project


class ConsensusReview(widgets.VBox):
    """`ConsensusReview(p, coders=["amina", "bob"], adjudicator="dawn")` in a notebook, or
    `ConsensusReview(p, round="R1", adjudicator="dawn")` on a closed blind round's documents
    and coders."""

    def __init__(
        self,
        project: Project,
        *,
        coders: Sequence[str] | None = None,
        adjudicator: str,
        unit: str = "sentence",
        documents: Sequence[DocumentRef] | None = None,
        layer: str = CONSENSUS,
        round: str | None = None,
    ) -> None:
        if not isinstance(adjudicator, str) or not adjudicator.strip():
            raise QualcodeError("ConsensusReview needs adjudicator='your name'")
        if round is not None:
            from qualcode.coding.rounds import get_round

            found = get_round(project, round)
            coders = list(found.coders) if coders is None else coders
            documents = list(found.documents) if documents is None else documents
        if coders is None:
            raise QualcodeError("ConsensusReview needs coders=[...] or round='...'")
        self.project = project
        self.coders = list(coders)
        self.adjudicator = adjudicator.strip()
        self.layer = layer
        self.units = disagreements(project, coders=coders, unit=unit, documents=documents)
        self.position = 0
        codes = [c.path for c in project.codebook.all()]
        self.heading = widgets.HTML()
        self.passage = widgets.HTML()
        self.versions = widgets.HTML()
        self.take = [
            widgets.Button(description=f"Use {name}'s codes", layout=widgets.Layout(width="auto"))
            for name in self.coders
        ]
        for name, button in zip(self.coders, self.take, strict=True):
            button.on_click(lambda _, n=name: self.accept(n))
        self.choice = widgets.SelectMultiple(
            options=codes, description="Agreed codes", rows=8, layout=widgets.Layout(width="40rem")
        )
        self.save_button = widgets.Button(description="Save agreed codes", button_style="primary")
        self.save_button.on_click(lambda _: self.save(list(self.choice.value)))
        self.previous = widgets.Button(description="◀ Previous")
        self.next = widgets.Button(description="Next ▶")
        self.previous.on_click(lambda _: self.go(self.position - 1))
        self.next.on_click(lambda _: self.go(self.position + 1))
        self.status = widgets.HTML()
        super().__init__(
            [
                widgets.HBox([self.previous, self.next, self.heading]),
                self.passage,
                self.versions,
                widgets.HBox(self.take),
                self.choice,
                self.save_button,
                self.status,
            ]
        )
        self.go(0)

    def current(self) -> Any:
        """The unit under review (a row of `self.units`), or None when there are none."""
        if self.units.empty:
            return None
        return self.units.iloc[self.position]

    def go(self, position: int) -> None:
        """Show the unit at `position` (clamped to the list)."""
        if self.units.empty:
            self.heading.value = "<b>The coders agree everywhere: nothing to settle.</b>"
            for w in (*self.take, self.save_button, self.previous, self.next):
                w.disabled = True
            return
        self.position = max(0, min(len(self.units) - 1, position))
        row = self.current()
        self.heading.value = (
            f"<b>Passage {self.position + 1} of {len(self.units)} where coders differ</b> · "
            f"{html.escape(str(row['title']))} · {html.escape(str(row['case']))}"
        )
        self.passage.value = (
            f"<blockquote style='font-size:1.1em'>{html.escape(row['text'])}</blockquote>"
        )
        cells = "".join(
            f"<tr><td><b>{html.escape(name)}</b></td><td>{_codes(row[name])}</td></tr>"
            for name in self.coders
        )
        agreed = consensus_codes(
            self.project,
            int(row["document_id"]),
            int(row["start"]),
            int(row["end"]),
            layer=self.layer,
        )
        cells += f"<tr><td><i>consensus so far</i></td><td>{_codes(list(agreed))}</td></tr>"
        self.versions.value = f"<table>{cells}</table>"
        self.choice.value = tuple(c for c in agreed if c in self.choice.options)

    def accept(self, coder: str) -> None:
        """Take `coder`'s codes for this passage as the consensus."""
        row = self.current()
        if row is None:
            return
        codes = row[coder] if isinstance(row[coder], list) else []
        self.save(codes, said=f"Took {coder}'s codes")

    def save(self, codes: list[str], *, said: str = "Saved the agreed codes") -> None:
        """Write `codes` as the consensus for this passage, then go to the next one."""
        row = self.current()
        if row is None:
            return
        try:
            settle(
                self.project,
                int(row["document_id"]),
                int(row["start"]),
                int(row["end"]),
                codes,
                adjudicator=self.adjudicator,
                layer=self.layer,
            )
        except QualcodeError as exc:
            self.status.value = error_html(f"Could not save: {exc}")
            return
        shown = ", ".join(codes) or "no code"
        self.status.value = (
            f"{html.escape(said)} ({html.escape(shown)}) for passage {self.position + 1}."
        )
        if self.position < len(self.units) - 1:
            self.go(self.position + 1)
        else:
            self.go(self.position)


def _codes(codes: Any) -> str:
    if not isinstance(codes, list):
        return f"<i>{html.escape(str(codes))}</i>"
    return ", ".join(html.escape(c) for c in codes) or "<i>no code</i>"
