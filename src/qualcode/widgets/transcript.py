"""The transcript view: an anywidget whose front end (static/transcript.js) shows the text,
the highlights and the keys, and sends each action to Python as one small message.

The front end is a core and one file per feature (`_front_end` joins them). The view holds no
store logic: `Coder` listens to its messages, writes to the project and
sends the new state back. Offsets are Unicode code points, as everywhere in qualcode.
"""

from __future__ import annotations

from pathlib import Path

import anywidget
import traitlets

STATIC = Path(__file__).with_name("static")


def _front_end() -> str:
    """The front end as one ES module: each feature file (static/features/*.js, in name order)
    pushes its installer onto FEATURES, and the core (static/transcript.js) installs them."""
    features = sorted((STATIC / "features").glob("*.js"))
    parts = ["const FEATURES = [];", *(f.read_text(encoding="utf-8") for f in features)]
    return "\n".join([*parts, (STATIC / "transcript.js").read_text(encoding="utf-8")])


def _styles() -> str:
    """The core's styles, then each feature's (static/features/*.css, in name order)."""
    files = [STATIC / "transcript.css", *sorted((STATIC / "features").glob("*.css"))]
    return "\n".join(f.read_text(encoding="utf-8") for f in files)


class TranscriptView(anywidget.AnyWidget):
    """One transcript with its codings; the browser side of the `Coder` widget."""

    _esm = _front_end()
    _css = _styles()

    title = traitlets.Unicode("").tag(sync=True)
    text = traitlets.Unicode("").tag(sync=True)
    # [{start, end, speaker, role}] and [[start, end]] in code points
    turns = traitlets.List(traitlets.Dict()).tag(sync=True)
    sentences = traitlets.List(traitlets.List()).tag(sync=True)
    # [{id, path, name, color, shortcut}]
    codes = traitlets.List(traitlets.Dict()).tag(sync=True)
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

    @traitlets.validate("font_size")
    def _font_size(self, proposal: traitlets.Bunch) -> int:
        return max(10, min(32, int(proposal["value"])))
