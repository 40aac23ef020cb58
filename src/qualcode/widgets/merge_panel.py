"""The lead's panel for bringing in a laptop's project: see the plan, settle, merge.

`MergePanel(p)` in a notebook. "Preview" runs the merge as a dry run and shows what would be
added and every conflict with the option that settles it; the settling fields (same person,
a new name for a different person, keep ours or theirs) are filled in here; "Merge" runs it,
all or nothing, through the same `Project.merge` as the API and `qualcode merge`.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets

from qualcode.errors import QualcodeError
from qualcode.interop.merge import MergeConflict, MergeReport, merge_project, parse_pairs
from qualcode.notice import error_html

if TYPE_CHECKING:
    from qualcode.project import Project


class MergePanel(widgets.VBox):
    """Merge another laptop's .qualcode or .qdpx into `project`."""

    def __init__(self, project: Project, *, path: str = "") -> None:
        self.project = project
        self.path = widgets.Text(
            value=path, description="Project", placeholder="laptop-b.qualcode or .qdpx"
        )
        self.same_coders = widgets.TagsInput(allow_duplicates=False)
        self.rename_coders = widgets.Text(
            description="Rename", placeholder="theirs=new name, e.g. amina=amina.k"
        )
        self.keep = widgets.Dropdown(
            options=[
                ("ask (refuse on a difference)", None),
                ("keep ours", "ours"),
                ("take theirs", "theirs"),
            ],
            value=None,
            description="Codes",
        )
        self.preview_button = widgets.Button(description="Preview")
        self.merge_button = widgets.Button(description="Merge", button_style="primary")
        self.preview_button.on_click(lambda _: self.preview())
        self.merge_button.on_click(lambda _: self.merge())
        self.report = widgets.HTML()
        super().__init__(
            [
                widgets.HTML("<b>Bring in work coded on another laptop</b>"),
                self.path,
                widgets.HBox([widgets.Label("Same person on both sides"), self.same_coders]),
                self.rename_coders,
                self.keep,
                widgets.HBox([self.preview_button, self.merge_button]),
                self.report,
            ]
        )

    def _options(self) -> dict[str, Any]:
        return {
            "same_coders": list(self.same_coders.value),
            "rename_coders": parse_pairs(
                [x for x in self.rename_coders.value.replace(";", ",").split(",") if x.strip()],
                "theirs=new",
                "Rename",
            ),
            "keep": self.keep.value,
        }

    def _run(self, *, dry_run: bool) -> MergeReport | None:
        name = self.path.value.strip()
        if not name:
            self.report.value = error_html("Give the other project's file first.")
            return None
        try:
            found = merge_project(self.project, Path(name), dry_run=dry_run, **self._options())
        except MergeConflict as exc:
            self._show(exc.report, refused=True)
            return exc.report
        except QualcodeError as exc:
            self.report.value = error_html(str(exc))
            return None
        self._show(found, refused=False)
        return found

    def preview(self) -> MergeReport | None:
        """What a merge would add, and its conflicts; nothing is written."""
        return self._run(dry_run=True)

    def merge(self) -> MergeReport | None:
        """Merge, all or nothing; refused (nothing written) while a conflict is unsettled."""
        return self._run(dry_run=False)

    def _show(self, report: MergeReport, *, refused: bool) -> None:
        rows = "".join(
            f"<tr><td>{kind}</td><td>{report.added[kind]}</td><td>{report.present[kind]}</td>"
            f"<td>{report.removed[kind]}</td></tr>"
            for kind in report.added
        )
        head = "would add" if report.dry_run else "added"
        gone = "would remove" if report.dry_run else "removed"
        parts = [
            f"<table><tr><th></th><th>{head}</th><th>already here</th><th>{gone}</th></tr>"
            f"{rows}</table>"
        ]
        parts += [f"<p>note: {html.escape(n)}</p>" for n in report.notes]
        parts += [f"<p>deleted: {html.escape(n)}</p>" for n in report.deletions]
        if report.conflicts:
            items = "".join(f"<li>{html.escape(str(c))}</li>" for c in report.conflicts)
            parts.append(
                error_html(f"{len(report.conflicts)} conflicts; nothing was written:")
                + f"<ul>{items}</ul>"
            )
        elif report.dry_run:
            parts.append("<p>No conflicts. Press Merge to bring it in.</p>")
        elif not refused:
            parts.append(
                f"<p>Merged: {report.rows_added} rows added, {report.rows_removed} removed.</p>"
            )
        self.report.value = "".join(parts)
