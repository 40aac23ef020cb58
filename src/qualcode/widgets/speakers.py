"""The speakers of an area's transcripts: the table ingest prints, and a panel to put them right.

`SpeakerEditor(p, area="hartlepool")` in a notebook shows each transcript's speakers with their
turns, roles and share of the words, the rule that decided the roles, and the warnings; below,
pick a transcript and a speaker to rename them or set their role. Both go through
`Project.rename_speaker` and `Project.set_speaker_role`: the text and every coding stay as they
are, only the turns' labels change.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

import ipywidgets as widgets

from qualcode.errors import QualcodeError
from qualcode.ingest.speakers import QUESTIONNAIRE_FORMATS, SpeakerReport, speaker_table
from qualcode.model import SPEAKER_ROLES
from qualcode.notice import error_html

if TYPE_CHECKING:
    from qualcode.project import Project


def area_speakers(project: Project, area: str) -> dict[int, SpeakerReport]:
    """The speaker report of each current transcript of `area` (not questionnaire answers),
    by document id, in title order."""
    return {
        doc.id: project.speakers(doc)
        for doc in project.documents(area=area)
        if doc.format not in QUESTIONNAIRE_FORMATS
    }


class SpeakerEditor(widgets.VBox):
    """The speaker table of `area`, and rename a speaker or set their role in one transcript."""

    def __init__(self, project: Project, *, area: str) -> None:
        self.project = project
        self.area = area
        self.reports: dict[int, SpeakerReport] = {}
        self.table = widgets.HTML()
        self.document = widgets.Dropdown(description="Transcript")
        self.speaker = widgets.Dropdown(description="Speaker")
        self.new_name = widgets.Text(description="New name", placeholder="e.g. Amina")
        self.rename_button = widgets.Button(description="Rename")
        self.role = widgets.Dropdown(options=list(SPEAKER_ROLES), description="Role")
        self.role_button = widgets.Button(description="Set role")
        self.status = widgets.HTML()
        self.rename_button.on_click(lambda _: self.rename())
        self.role_button.on_click(lambda _: self.set_role())
        self.document.observe(lambda _: self._list_speakers(), names="value")
        self.speaker.observe(lambda _: self._show_role(), names="value")
        super().__init__(
            [
                widgets.HTML(f"<b>Speakers in {html.escape(area)}</b>"),
                self.table,
                self.document,
                self.speaker,
                widgets.HBox([self.new_name, self.rename_button]),
                widgets.HBox([self.role, self.role_button]),
                self.status,
            ]
        )
        self.refresh()

    def table_text(self) -> str:
        """The table as plain text (as `qualcode ingest` prints it), with the warnings."""
        reports = list(self.reports.values())
        warnings = [f"warning {w}" for r in reports for w in r.warnings]
        return "\n".join([speaker_table(reports), *warnings])

    def refresh(self) -> None:
        """Read the area's speakers again and redraw, keeping the chosen transcript."""
        chosen = self.document.value
        self.reports = area_speakers(self.project, self.area)
        self.table.value = f"<pre>{html.escape(self.table_text())}</pre>"
        self.document.options = [(r.file, doc_id) for doc_id, r in self.reports.items()]
        if self.reports:
            self.document.value = chosen if chosen in self.reports else next(iter(self.reports))
        self._list_speakers()

    def rename(self) -> int | None:
        """Rename the chosen speaker in the chosen transcript; on an error nothing changes."""
        old, new = self.speaker.value, self.new_name.value
        try:
            changed = self.project.rename_speaker(self.document.value, old, new)
        except QualcodeError as exc:
            self.status.value = error_html(exc)
            return None
        self.new_name.value = ""
        self.refresh()
        if new.strip() in self.speaker.options:
            self.speaker.value = new.strip()
        self.status.value = html.escape(f"{old} is now {new.strip()} ({changed} units).")
        return changed

    def set_role(self) -> int | None:
        """Give the chosen speaker the chosen role; on an error nothing changes."""
        speaker, role = self.speaker.value, self.role.value
        try:
            changed = self.project.set_speaker_role(self.document.value, speaker, role)
        except QualcodeError as exc:
            self.status.value = error_html(exc)
            return None
        self.refresh()
        self.speaker.value = speaker
        self.status.value = html.escape(f"{speaker} is now {role} ({changed} units).")
        return changed

    def _list_speakers(self) -> None:
        report = self.reports.get(self.document.value)
        names = [s.name for s in report.speakers] if report else []
        self.speaker.options = names
        self.speaker.value = names[0] if names else None
        self.rename_button.disabled = self.role_button.disabled = not names
        self._show_role()

    def _show_role(self) -> None:
        report = self.reports.get(self.document.value)
        found = [s.role for s in report.speakers if s.name == self.speaker.value] if report else []
        if found and found[0] in SPEAKER_ROLES:
            self.role.value = found[0]
