"""The workshop's pages as HTML: sign-in, the coding screen's shell, the codebook and the
facilitator's page. Every value from the store or a person is escaped here; the pages carry
no inline script (the Content-Security-Policy in `server.py` forbids it), only files from
`static/`.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from typing import Any

STYLE = """
body{font:16px/1.5 system-ui,sans-serif;margin:0;color:#222;background:#fafafa}
header{display:flex;gap:1rem;align-items:center;padding:.5rem 1rem;background:#24415e;color:#fff}
header a{color:#fff}
header form{margin-left:auto}
main{padding:1rem;max-width:80rem;margin:auto}
.card{background:#fff;border:1px solid #ddd;border-radius:8px;padding:1rem 1.2rem;margin:0 0 1rem}
.card label{display:block;margin:.6rem 0 .2rem;font-weight:600}
.card input,.card select{font:inherit;padding:.45rem .6rem;border:1px solid #999;
  border-radius:6px;min-width:18rem}
.card button,header button{font:inherit;padding:.45rem 1rem;border-radius:6px;
  border:1px solid #24415e;background:#24415e;color:#fff;cursor:pointer}
.card button.plain,header button{background:#fff;color:#24415e}
.error{color:#a00000;font-weight:600}
.code{font:700 1.6rem/1.2 ui-monospace,monospace;letter-spacing:.1em;background:#fff6cc;
  padding:.2rem .6rem;border-radius:6px}
.card table{border-collapse:collapse;width:100%}
.card th,.card td{text-align:left;padding:.3rem .6rem;border-bottom:1px solid #e3e3e3;
  vertical-align:top}
.card textarea{font:inherit;width:100%;max-width:32rem;box-sizing:border-box;padding:.45rem .6rem;
  border:1px solid #999;border-radius:6px}
.yes{color:#1a7f37;font-weight:600}.no{color:#777}
.wide{overflow-x:auto}
@media print{header,form,#live{display:none}.card{border:0}}
"""


def _page(
    title: str,
    body: str,
    *,
    header: str = "",
    scripts: Iterable[str] = (),
    styles: Iterable[str] = (),
) -> str:
    links = "".join(f'<link rel="stylesheet" href="{html.escape(s)}">' for s in styles)
    tags = "".join(f'<script type="module" src="{html.escape(s)}"></script>' for s in scripts)
    return (
        "<!doctype html><html lang=en><head><meta charset=utf-8>"
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<link rel="icon" href="data:,">'
        f"<title>{html.escape(title)}</title><style>{STYLE}</style>{links}</head>"
        f"<body>{header}{body}{tags}</body></html>"
    )


def _header(name: str, xsrf: str, links: Iterable[tuple[str, str]] = ()) -> str:
    nav = "".join(f'<a href="{href}">{html.escape(text)}</a>' for href, text in links)
    return (
        f"<header><b>qualcode workshop</b><span>Signed in as {html.escape(name)}</span>{nav}"
        f'<form method="post" action="/signout">{xsrf}'
        '<button class="plain" type="submit">Sign out</button></form></header>'
    )


def sign_in(xsrf: str, *, error: str = "", name: str = "") -> str:
    """The only page someone not signed in can see."""
    said = f'<p class="error" role="alert">{html.escape(error)}</p>' if error else ""
    body = (
        '<main><div class="card" style="max-width:28rem;margin:3rem auto">'
        "<h1>Sign in to the workshop</h1>"
        "<p>Type your name and the code the facilitator gave you.</p>"
        f'{said}<form method="post" action="/signin">{xsrf}'
        '<label for="name">Your name</label>'
        f'<input id="name" name="name" autocomplete="username" value="{html.escape(name)}"'
        " required>"
        '<label for="code">Your code</label>'
        '<input id="code" name="code" autocomplete="one-time-code" autocapitalize="none" required>'
        '<p><button type="submit">Sign in</button></p></form></div></main>'
    )
    return _page("Sign in · qualcode workshop", body)


def desk(name: str, xsrf: str, *, facilitator: bool) -> str:
    """The coding screen's shell: `desk.js` fills it from the person's desk."""
    links = [("/codebook", "Codebook")]
    if facilitator:
        links.insert(0, ("/facilitator", "Facilitator's page"))
    body = (
        '<main id="desk" aria-live="polite"><p class="qc-loading">Opening your coding screen…</p>'
        "</main>"
    )
    return _page(
        "Coding · qualcode workshop",
        body,
        header=_header(name, xsrf, links),
        scripts=["/static/desk.js"],
        styles=["/static/transcript.css", "/static/desk.css"],
    )


def codebook(name: str, xsrf: str, codes: list[Any]) -> str:
    """The codebook, read-only: each code with its description and when to use it."""
    rows = []
    for c in codes:
        depth = c.path.count("/")
        rule = " ".join(
            f"<br><i>{label}:</i> {html.escape(text)}"
            for label, text in (
                ("Use when", c.inclusion),
                ("Not when", c.exclusion),
                ("Example", c.example),
            )
            if text
        )
        key = f"<kbd>{html.escape(c.shortcut)}</kbd>" if c.shortcut else ""
        rows.append(
            f'<tr><td style="padding-left:{0.6 + 1.2 * depth}rem">'
            f'<span style="color:{html.escape(c.color or "#999")}">■</span> '
            f"<b>{html.escape(c.name)}</b></td><td>{key}</td>"
            f"<td>{html.escape(c.description or '')}{rule}</td></tr>"
        )
    body = (
        '<main><div class="card"><h1>Codebook</h1>'
        "<table><thead><tr><th>Code</th><th>Key</th><th>What it means</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table></div></main>"
    )
    return _page(
        "Codebook · qualcode workshop", body, header=_header(name, xsrf, [("/", "Coding")])
    )
