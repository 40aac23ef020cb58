"""The Coder's "Auto-code by search" panel: find, preview the hits in context, apply them all.

It acts for one `Coder` (its project, coder, filters and undo history): an apply is one action
that the Coder's undo takes back whole.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import ipywidgets as widgets

from qualcode.coding.autocode import AutocodeResult, autocode
from qualcode.errors import QualcodeError
from qualcode.widgets.hits import hits_html

if TYPE_CHECKING:
    import pandas as pd

    from qualcode.model import Code
    from qualcode.widgets.coder import Coder

ANY = "(any)"  # the Coder's "no filter" choice


class AutocodePanel(widgets.Accordion):
    """Find, preview, apply: the controls of `preview_search` and `apply_search`."""

    def __init__(self, coder: Coder) -> None:
        self.coder = coder
        self._previewed: dict[str, Any] | None = None
        self.search_box = widgets.Text(
            description="Find", placeholder="a word, a phrase or a pattern"
        )
        self.search_mode = widgets.Dropdown(
            options=[
                ("these words", "text"),
                ("every form of the words", "lemma"),
                ("a pattern (regular expression)", "regex"),
            ],
            description="Match",
        )
        self.search_expand = widgets.Dropdown(
            options=[
                ("the words found", "match"),
                ("their sentence", "sentence"),
                ("their turn", "turn"),
            ],
            description="Code",
        )
        self.search_code = widgets.Dropdown(options=[], description="with")
        self.search_speaker = widgets.Text(description="Speaker", placeholder="any participant")
        self.search_scope = widgets.Dropdown(
            options=[("transcripts listed above", "listed"), ("this transcript", "document")],
            description="In",
        )
        self.preview_button = widgets.Button(description="Preview", icon="search")
        self.apply_button = widgets.Button(
            description="Apply", icon="check", button_style="primary", disabled=True
        )
        self.search_results = widgets.HTML()
        self.preview_button.on_click(lambda _: coder._guarded(self.preview_search))
        self.apply_button.on_click(lambda _: coder._guarded(self.apply_search))
        fields = (self.search_box, self.search_mode, self.search_expand, self.search_code)
        fields += (self.search_speaker, self.search_scope)
        for w in fields:
            w.observe(self._search_changed, names="value")
        for picker in (coder.area_picker, coder.value_picker, coder.document_picker):
            picker.observe(self._search_changed, names="value")
        box = widgets.VBox(
            [
                widgets.HBox([self.search_box, self.search_mode, self.search_speaker]),
                widgets.HBox([self.search_expand, self.search_code, self.search_scope]),
                widgets.HBox([self.preview_button, self.apply_button]),
                self.search_results,
            ]
        )
        super().__init__(children=[box], titles=("Auto-code by search",))

    def set_codes(self, codes: list[Code]) -> None:
        """Offer the codebook as it now is, keeping the chosen code while it exists."""
        chosen = self.search_code.value
        options = [(c.path, c.id) for c in codes]
        if list(self.search_code.options) != options:
            self.search_code.options = options
            if chosen in {c.id for c in codes}:
                self.search_code.value = chosen

    def _search_args(self) -> dict[str, Any]:
        """The panel's search as `Project.autocode` arguments."""
        c = self.coder
        args: dict[str, Any] = {
            "query": self.search_box.value,
            "code": self.search_code.value,
            "mode": self.search_mode.value,
            "expand": self.search_expand.value,
            "speaker": self.search_speaker.value.strip() or None,
        }
        if args["code"] is None:
            raise QualcodeError("pick the code to apply; the codebook has none yet")
        if self.search_scope.value == "document":
            args["documents"] = [c._need_document().id]
        elif c.attribute_picker.value != ANY and c.value_picker.value != ANY:
            args["documents"] = [v for _, v in c.document_picker.options]
        elif c.area_picker.value != ANY:
            args["area"] = c.area_picker.value
        return args

    def preview_search(self) -> pd.DataFrame:
        """List the panel's hits in context (the first few) without coding anything."""
        args = self._search_args()
        hits = autocode(self.coder.project, **args, coder=self.coder.coder, preview=True)
        self._previewed = args
        self.apply_button.disabled = hits.empty
        new = int((~hits["already_coded"]).sum())
        self.search_results.value = hits_html(hits, new)
        self.coder._say(f"{len(hits):,} to code, {new:,} of them new. Apply codes them all.")
        return hits

    def apply_search(self) -> AutocodeResult:
        """Code every hit of the previewed search, as one action that one undo takes back."""
        if self._previewed is None:
            raise QualcodeError("preview the search first, to see what it will code")
        result = autocode(self.coder.project, **self._previewed, coder=self.coder.coder)
        self._previewed = None
        self.apply_button.disabled = True
        self.coder.autocoded(result)
        self.search_results.value = ""
        return result

    def _search_changed(self, _: Any) -> None:
        """A preview stands for the search it showed: changing the search asks for another."""
        if self._previewed is not None:
            self._previewed = None
            self.apply_button.disabled = True
            self.search_results.value = ""
