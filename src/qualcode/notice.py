"""How the notebook panels say that something went wrong: one red line, its text escaped."""

from __future__ import annotations

import html


def error_html(text: object) -> str:
    """`text` (an exception, a message) as a red HTML line for a widget's status."""
    return f"<span style='color:#B00020'>{html.escape(str(text))}</span>"
