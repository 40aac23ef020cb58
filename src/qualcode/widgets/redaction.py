"""The redaction review: each finding in its context, with Accept and Reject, then Apply.

Decisions are written to the key file at once (never to the project store), so a reviewer
can stop and come back. Apply makes the pseudonymised versions once nothing is pending.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets

from qualcode.errors import QualcodeError
from qualcode.privacy.detect import KINDS, LABELS
from qualcode.privacy.redact import KeyRef, apply, decide, findings_df, open_key, scan

if TYPE_CHECKING:
    from qualcode.project import Project

_COLOURS = {"pending": "#444", "accepted": "#1B7F3B", "rejected": "#8A8A8A", "applied": "#0072B2"}


class RedactionReview(widgets.VBox):
    """`RedactionReview(p, by="dawn")` in a notebook: review findings, then Apply."""

    def __init__(
        self,
        project: Project,
        key: KeyRef = None,
        *,
        by: str,
        area: str | None = None,
        limit: int = 50,
    ) -> None:
        if not isinstance(by, str) or not by.strip():
            raise QualcodeError("RedactionReview needs by='your name'")
        self.project = project
        self.key = open_key(project, key)
        self.by = by.strip()
        self.area = area
        self.limit = limit
        self.count = widgets.HTML()
        self.scan_button = widgets.Button(description="Scan for personal data", icon="search")
        self.scan_button.on_click(lambda _: self.scan())
        self.apply_button = widgets.Button(
            description="Apply: make pseudonymised versions", button_style="primary"
        )
        self.apply_button.layout.width = "auto"
        self.apply_button.on_click(lambda _: self.apply())
        self.kind_buttons: dict[str, widgets.Button] = {}
        self.kind_box = widgets.HBox()
        self.rows: dict[int, tuple[widgets.Button, widgets.Button]] = {}
        self.list_box = widgets.VBox()
        self.status = widgets.HTML()
        super().__init__(
            [
                widgets.HBox([self.scan_button, self.count]),
                self.kind_box,
                self.list_box,
                self.apply_button,
                self.status,
            ]
        )
        self.refresh()

    # actions ----------------------------------------------------------------------------

    def scan(self) -> None:
        """Scan the project (or area) again; decisions already made are kept."""
        try:
            found = scan(self.project, self.key, area=self.area)
        except QualcodeError as exc:
            self._say(f"Could not scan: {exc}", error=True)
            return
        self._say(f"Scanned: {len(found)} findings.")
        self.refresh()

    def accept(self, finding_id: int) -> None:
        self._decide([finding_id], accept=True)

    def reject(self, finding_id: int) -> None:
        self._decide([finding_id], accept=False)

    def accept_all(self, kind: str) -> None:
        """Accept every pending finding of `kind`."""
        pending = self._findings(status="pending", kind=kind)
        self._decide(list(pending.index), accept=True)

    def apply(self) -> None:
        try:
            done = apply(self.project, self.key, by=self.by)
        except QualcodeError as exc:
            self._say(f"Not applied: {exc}", error=True)
            return
        self._say(
            f"Applied: {len(done)} documents pseudonymised, {int(done['replaced'].sum())} "
            f"replacements, {int(done['codings_carried'].sum())} codings carried over."
        )
        self.refresh()

    # display ----------------------------------------------------------------------------

    def _findings(self, **filters: Any) -> Any:
        return findings_df(self.key, area=self.area, **filters)

    def _decide(self, ids: list[int], *, accept: bool) -> None:
        try:
            n = decide(self.key, ids, accept=accept, by=self.by)
        except QualcodeError as exc:
            self._say(f"Could not save: {exc}", error=True)
            return
        self._say(f"{'Accepted' if accept else 'Rejected'} {n}.")
        self.refresh()

    def _say(self, message: str, *, error: bool = False) -> None:
        colour = "#B00020" if error else "#1B7F3B"
        self.status.value = f"<span style='color:{colour}'>{html.escape(message)}</span>"

    def refresh(self) -> None:
        """Redraw the count line, the accept-all buttons and the list (pending first)."""
        frame = self._findings()
        frame = frame[frame["status"] != "applied"]
        counts = frame["status"].value_counts()
        pending = int(counts.get("pending", 0))
        self.count.value = (
            f"<b>{len(frame)} findings</b>: {pending} to review, "
            f"{int(counts.get('accepted', 0))} accepted, {int(counts.get('rejected', 0))} rejected"
        )
        self.kind_buttons = {}
        for kind in KINDS:
            n = int((frame[frame["status"] == "pending"]["kind"] == kind).sum())
            if n:
                button = widgets.Button(
                    description=f"Accept all {LABELS[kind].lower()}s ({n})",
                    layout=widgets.Layout(width="auto"),
                )
                button.on_click(lambda _, k=kind: self.accept_all(k))
                self.kind_buttons[kind] = button
        self.kind_box.children = tuple(self.kind_buttons.values())
        order = frame.assign(_p=frame["status"] != "pending").sort_values("_p", kind="stable")
        self.rows = {}
        children = []
        for row in order.head(self.limit).itertuples():
            children.append(self._row(row))
        if len(order) > self.limit:
            children.append(widgets.HTML(f"<i>… and {len(order) - self.limit} more</i>"))
        if frame.empty:
            children.append(widgets.HTML("<i>No findings to review. Press Scan.</i>"))
        self.list_box.children = tuple(children)
        self.apply_button.disabled = pending > 0

    def _row(self, row: Any) -> widgets.HBox:
        before, rest = row.context.split("[[", 1)
        found, after = rest.split("]]", 1)
        shown = (
            f"{html.escape(before)}<mark>{html.escape(found)}</mark>{html.escape(after)}"
            f"<br><small>{html.escape(row.document)} · {row.kind} → "
            f"<b>{html.escape(row.pseudonym)}</b> · "
            f"<span style='color:{_COLOURS[row.status]}'>{row.status}</span></small>"
        )
        accept = widgets.Button(
            description="Accept",
            button_style="success" if row.status == "accepted" else "",
            layout=widgets.Layout(width="6rem"),
        )
        reject = widgets.Button(
            description="Reject",
            button_style="warning" if row.status == "rejected" else "",
            layout=widgets.Layout(width="6rem"),
        )
        accept.on_click(lambda _, i=int(row.Index): self.accept(i))
        reject.on_click(lambda _, i=int(row.Index): self.reject(i))
        self.rows[int(row.Index)] = (accept, reject)
        text = widgets.HTML(shown, layout=widgets.Layout(width="48rem"))
        return widgets.HBox([text, accept, reject])
