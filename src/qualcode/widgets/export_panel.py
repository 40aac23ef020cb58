"""A notebook panel for the mixed-methods tables: pick a table, an area, whose coding and a
file, and press Export. It calls `export_table`, as `qualcode export --table` does."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

import ipywidgets as widgets

from qualcode.analysis.matrices import TABLES, export_table
from qualcode.errors import QualcodeError
from qualcode.notice import error_html

if TYPE_CHECKING:
    from pathlib import Path

    from qualcode.project import Project

EVERY = "(every area)"
PEOPLE = "(every person who coded)"
DESCRIPTIONS = {
    "presence": "codes × participants, 1 or 0",
    "counts": "codes × participants, passages",
    "quotes": "one row per coded passage",
    "memos": "memos and what they are on",
}


class ExportPanel(widgets.VBox):
    """`ExportPanel(p)`: write a table for SPSS, R, Stata or a spreadsheet."""

    def __init__(self, project: Project, *, path: str = "") -> None:
        self.project = project
        self.table = widgets.Dropdown(
            options=[(f"{t}: {DESCRIPTIONS[t]}", t) for t in TABLES], description="Table"
        )
        self.area = widgets.Dropdown(options=[EVERY, *project.areas()], description="Area")
        self.coders = widgets.Text(
            description="Coding", placeholder=f"{PEOPLE}, consensus, or names, comma-separated"
        )
        self.pseudonymised = widgets.Checkbox(description="Only pseudonymised text")
        self.path = widgets.Text(value=path, description="File", placeholder="matrix.xlsx or .csv")
        self.button = widgets.Button(description="Export", button_style="primary")
        self.button.on_click(lambda _: self.export())
        self.status = widgets.HTML()
        super().__init__(
            [
                self.table,
                self.area,
                self.coders,
                self.pseudonymised,
                self.path,
                self.button,
                self.status,
            ]
        )

    def export(self) -> list[Path] | None:
        """Write the chosen table; on an error say why and write nothing."""
        names = [n.strip() for n in self.coders.value.split(",") if n.strip()]
        try:
            if not self.path.value.strip():
                raise QualcodeError("give a file name ending in .csv or .xlsx")
            written = export_table(
                self.project,
                self.path.value.strip(),
                self.table.value,
                area=None if self.area.value == EVERY else self.area.value,
                coders=names or None,
                only_pseudonymised=self.pseudonymised.value,
            )
        except QualcodeError as exc:
            self.status.value = error_html(exc)
            return None
        self.status.value = "Wrote " + ", ".join(
            f"<code>{html.escape(str(p))}</code>" for p in written
        )
        return written
