"""How passages read in a panel's messages: short quotes, and search hits in context."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

PREVIEW_ROWS = 20  # hits listed under "Preview"


def short(text: str, limit: int = 60) -> str:
    """A quote on one line, cut to `limit` characters with an ellipsis."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def hits_html(hits: pd.DataFrame, new: int) -> str:
    """The first hits in context, the found words marked, with the count of all."""
    head = f"<b>{len(hits):,} to code</b> ({new:,} new)"
    if len(hits) > PREVIEW_ROWS:
        head += f"; the first {PREVIEW_ROWS} shown"
    rows = [
        f"<li><i>{html.escape(h.title)}</i>: …{html.escape(h.left)} "
        f"<mark>{html.escape(short(h.text, 200))}</mark> {html.escape(h.right)}…"
        + (" (already coded)" if h.already_coded else "")
        + "</li>"
        for h in hits.head(PREVIEW_ROWS).itertuples()
    ]
    return f"<div>{head}<ul>{''.join(rows)}</ul></div>"
