"""The transcript view: an anywidget whose front end (static/transcript.js) shows the text,
the highlights and the keys, and sends each action to Python as one small message.

The front end is a core and one file per feature (`front_end` joins them). The view holds no
store logic: `Coder` listens to its messages, writes to the project and
sends the new state back. Offsets are Unicode code points, as everywhere in qualcode.

A transcript's codings are sent whole (the `codings` trait) when it is opened; a key press
changes one or two, sent as a small message (`patch_codings`) that the browser applies to its
copy, so a key press costs the same on a 5,000-coding transcript as on a 5-coding one.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import anywidget
import traitlets

STATIC = Path(__file__).with_name("static")


def front_end(without: Iterable[str] = ()) -> str:
    """The front end as one ES module: each feature file (static/features/*.js, in name order)
    pushes its installer onto FEATURES, and the core (static/core.js, its pure helpers, then
    static/transcript.js) installs them. `without`: feature files left out (benchmarks)."""
    skip = set(without)
    features = [f for f in sorted((STATIC / "features").glob("*.js")) if f.name not in skip]
    parts = ["const FEATURES = [];", *(f.read_text(encoding="utf-8") for f in features)]
    core = [(STATIC / name).read_text(encoding="utf-8") for name in ("core.js", "transcript.js")]
    return "\n".join([*parts, *core])


def styles() -> str:
    """The core's styles, then each feature's (static/features/*.css, in name order)."""
    files = [STATIC / "transcript.css", *sorted((STATIC / "features").glob("*.css"))]
    return "\n".join(f.read_text(encoding="utf-8") for f in files)


class TranscriptView(anywidget.AnyWidget):
    """One transcript with its codings; the browser side of the `Coder` widget."""

    _esm = front_end()
    _css = styles()

    title = traitlets.Unicode("").tag(sync=True)
    text = traitlets.Unicode("").tag(sync=True)
    # [{start, end, speaker, role}] and [[start, end]] in code points; like `codings`, not
    # validated per item (a 90,000-word transcript has 9,000 sentences: 0.2 s to validate)
    turns = traitlets.List().tag(sync=True)
    sentences = traitlets.List().tag(sync=True)
    # [{id, path, name, parent_id, color, shortcut}]
    codes = traitlets.List(traitlets.Dict()).tag(sync=True)
    # {"<code id>": [mine, everyone's]}: the code tree's numbers (widgets.code_tree)
    code_counts = traitlets.Dict().tag(sync=True)
    # [{id, start, end, code_id, coder, mine, memo, suggestion}]
    codings = traitlets.List().tag(sync=True)  # not validated per item: 1,500 dicts per key press
    show_all = traitlets.Bool(False).tag(sync=True)  # others' codings, but `hidden_coders`'
    hidden_coders = traitlets.List(traitlets.Unicode()).tag(sync=True)  # the coder filter
    # [{name, count, mine, color}]: the people who coded this transcript (`widgets.team`)
    coders = traitlets.List(traitlets.Dict()).tag(sync=True)
    coders_note = traitlets.Unicode("").tag(sync=True)  # why others are not listed: blind round
    show_suggestions = traitlets.Bool(True).tag(sync=True)  # codings by `suggest:...` coders
    font_size = traitlets.Int(16).tag(sync=True)
    selected_span = traitlets.List(traitlets.Int()).tag(sync=True)  # not `focus`: DOMWidget has one
    status = traitlets.Unicode("").tag(sync=True)

    _patching = False

    def patch_codings(self, add: Iterable[dict[str, Any]] = (), remove: Iterable[int] = ()) -> None:
        """Add (or replace, by id) and remove some codings: `codings` changes here and the
        browser makes the same change to its copy on the message {"type": "codings", "add":
        [...], "remove": [ids]}, instead of the whole list crossing over again."""
        add = list(add)
        gone = set(remove)
        replaced = gone | {d["id"] for d in add}
        new = [d for d in self.codings if d["id"] not in replaced] + add
        if self._holding_sync:  # a held state would arrive after the message: send it whole
            self.codings = new
            return
        self._patching = True
        try:
            self.codings = new  # Python observers hear it; _should_send_property keeps it here
        finally:
            self._patching = False
        self.send({"type": "codings", "add": add, "remove": sorted(gone)})

    def _should_send_property(self, key: str, value: Any) -> bool:
        if key == "codings" and self._patching:
            return False
        return super()._should_send_property(key, value)

    @traitlets.validate("font_size")
    def _font_size(self, proposal: traitlets.Bunch) -> int:
        return max(10, min(32, int(proposal["value"])))
