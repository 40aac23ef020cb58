"""Showing and saving plotly charts so they read in JupyterLab and in exported HTML.

`show` sends both plotly's own JSON (JupyterLab draws it) and HTML (nbconvert keeps it, so a
report exported to HTML has live charts with no code and no network: plotly.js is embedded
once per notebook), without plotly's toolbar, which means nothing on paper and hides titles
in a printed or PDF copy. `save_figure` writes a standalone HTML file beside the report.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from qualcode.files import atomic_path

_embedded = False  # plotly.js goes into the first chart's HTML only
CONFIG = {"responsive": True, "displayModeBar": False}  # no toolbar: reports are read and printed


def show(fig: Any, *, plotlyjs: str | None = None) -> None:
    """Display a plotly figure in a notebook, readable live and once exported to HTML.

    `plotlyjs` is the address of plotly.js relative to the exported HTML (such as
    "figures/plotly.min.js", written by `save_figure`); without it plotly.js is embedded once.
    """
    global _embedded
    from IPython.display import display

    include: Any = plotlyjs if plotlyjs else not _embedded
    html = fig.to_html(full_html=False, include_plotlyjs=include, config=CONFIG)
    if plotlyjs and _embedded:  # the first chart loaded it already
        html = fig.to_html(full_html=False, include_plotlyjs=False, config=CONFIG)
    _embedded = True
    display(
        {"application/vnd.plotly.v1+json": json.loads(fig.to_json()), "text/html": html},
        raw=True,
    )


def save_figure(fig: Any, folder: str | Path | None, name: str) -> Path | None:
    """Write `fig` to `folder/figures/name.html` (plotly.js from a file beside it, written
    once); nothing when `folder` is None."""
    if folder is None:
        return None
    target = Path(folder) / "figures" / f"{name}.html"
    target.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(target) as tmp:
        fig.write_html(tmp, include_plotlyjs=False, full_html=True, config=CONFIG)
        html = tmp.read_text(encoding="utf-8")
        script = '<script src="plotly.min.js"></script>'
        tmp.write_text(html.replace("<body>", f"<body>\n{script}", 1), encoding="utf-8")
    bundle = target.parent / "plotly.min.js"
    if not bundle.is_file():
        from plotly.offline import get_plotlyjs

        with atomic_path(bundle) as tmp:
            tmp.write_text(get_plotlyjs(), encoding="utf-8")
    return target


def bar_height(rows: int) -> int:
    """A height that gives each bar of a horizontal bar chart room for its label."""
    return max(280, 120 + 26 * rows)


def whole_number_axis(fig: Any, largest: float, *, axis: str = "x") -> None:
    """Ticks at whole numbers only (counts of people: never 0.5 of a person), at most about
    eight of them, from zero."""
    step = max(1, math.ceil(largest / 8)) if largest > 0 else 1
    options = {"tick0": 0, "dtick": step, "tickformat": ",d", "rangemode": "tozero"}
    (fig.update_xaxes if axis == "x" else fig.update_yaxes)(**options)
