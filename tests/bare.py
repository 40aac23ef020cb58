"""The Coder's front end in a bare chromium page, with a stand-in for the anywidget model:
no JupyterLab and no kernel, so a test or a benchmark of the browser's own work starts in a
second. `window.__model` is the stand-in: `set` fires the change events the view listens to.
Everything here is synthetic.
"""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from typing import Any

from qualcode.widgets import transcript

VOCAB = """bus surgery appointment carer nurse waiting phone lonely help money form doctor
neighbour daughter hospital chemist ring morning letter app queue kind tired worried house
cold heating walk stairs group tuesday""".split()  # noqa: SIM905  (bench_browser's words)

PAGE = """<!doctype html><html><head><meta charset=utf-8><style>{css}</style></head>
<body><div id=host></div><script type=module>
const mod = await import(URL.createObjectURL(new Blob([{src}], {{type: "text/javascript"}})));
const state = {state};
const handlers = {{}};
const model = {{
  get: (k) => state[k], off: () => {{}}, save_changes: () => {{}},
  set: (k, v) => {{ state[k] = v; (handlers["change:" + k] || []).forEach((f) => f()); }},
  on: (e, f) => (handlers[e] = handlers[e] || []).push(f),
  send: (msg) => window.__sent.push(msg),
}};
window.__sent = [];
window.__model = model;
if (mod.default.initialize) mod.default.initialize({{ model }});
mod.default.render({{ model, el: document.getElementById("host") }});
window.__ready = true;
</script></body></html>"""


def page_html(state: dict[str, Any], without: Sequence[str] = ()) -> str:
    """A whole page showing the view with these traits (the rest at their defaults)."""

    def script(value: Any) -> str:  # JSON inside <script>: "</" would end it
        return json.dumps(value).replace("</", "<\\/")

    # every synced trait at its default, so a stand-in state needs only what it is about
    view, widget = transcript.TranscriptView, transcript.anywidget.AnyWidget
    own = set(view.class_traits(sync=True)) - set(widget.class_traits(sync=True))
    defaults = {name: view.class_traits()[name].default() for name in own}
    src = script(transcript.front_end(without))
    return PAGE.format(css=transcript.styles(), src=src, state=script(defaults | state))


def synthetic_state(words: int, codings: int, seed: int = 7) -> dict[str, Any]:
    """A long synthetic interview coded by three coders (amina, the one coding; bob; carol)
    with six codes, everyone shown: the traits the view would get from a Coder."""
    rng = random.Random(seed)
    lines, n, sentences, at = [], 0, [], 0
    while n < words:
        who = "Interviewer" if len(lines) % 2 == 0 else "Participant"
        said = []
        for _ in range(rng.randint(1, 6)):
            said.append(" ".join(rng.choice(VOCAB) for _ in range(rng.randint(6, 14))).capitalize())
        line = f"{who}: " + ". ".join(said) + "."
        start = at + len(who) + 2
        for s in said:
            sentences.append([start, start + len(s) + 1])
            start += len(s) + 2
        lines.append(line)
        at += len(line) + 1
        n += sum(len(s.split()) for s in said) + 1
    text = "\n".join(lines)
    coders = ["amina", "bob", "carol"]
    rows = []
    for i in range(codings):
        start = rng.randrange(0, len(text) - 300)
        coder = coders[i % 3]
        rows.append(
            {
                "id": i + 1,
                "start": start,
                "end": start + rng.randint(20, 300),
                "code_id": 1 + i % 6,
                "coder": coder,
                "mine": coder == "amina",
                "memo": "",
                "suggestion": False,
            }
        )
    colors = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00"]
    codes = [
        {
            "id": k + 1,
            "path": f"Theme/Code {k + 1}",
            "name": f"Code {k + 1}",
            "color": colors[k],
            "shortcut": str(k + 1),
        }
        for k in range(6)
    ]
    people = [
        {"name": c, "count": codings // 3, "mine": c == "amina", "color": col}
        for c, col in zip(coders, ["#222222", "#0077BB", "#EE7733"], strict=True)
    ]
    return {
        "title": "long interview (synthetic)",
        "text": text,
        "turns": [],
        "sentences": sentences,
        "codes": codes,
        "codings": rows,
        "show_all": True,
        "show_suggestions": True,
        "font_size": 16,
        "selected_span": [],
        "status": "",
        "hidden_coders": [],
        "coders": people,
        "coders_note": "",
    }
