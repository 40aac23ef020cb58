"""PDF and Word copies of an HTML report, made offline, for commissioners who pass findings on.

Debian's chromium (driven by playwright, never downloading a browser) opens the report from
disk with every network request refused, adds a contents list and a page break before each
section, and prints it to PDF; the same page gives a picture of each chart. The Word copy is
built with python-docx from the report's headings, paragraphs, lists, quotes, tables and
those pictures, with a contents list and a page break before each section.
"""

from __future__ import annotations

import base64
import contextlib
import io
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from qualcode.files import atomic_path
from qualcode.pipeline.errors import PipelineError

CHROMIUM = os.environ.get("QUALCODE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PRINT_CSS = """
h2 { break-before: page; }
h1, h2, h3 { break-after: avoid; }
table, blockquote, .plotly-graph-div, .js-plotly-plot { break-inside: avoid; }
.anchor-link, .modebar, .modebar-container { display: none !important; }
nav.qualcode-contents { margin: 1em 0 2em; }
nav.qualcode-contents ol { line-height: 1.6; }
"""
# A contents list after the title: one entry per section (h2).
CONTENTS_JS = """() => {
  const sections = [...document.querySelectorAll('h2')];
  if (!sections.length) return 0;
  const nav = document.createElement('nav');
  nav.className = 'qualcode-contents';
  const title = document.createElement('h3');
  title.textContent = 'Contents';
  const list = document.createElement('ol');
  sections.forEach((h, i) => {
    h.id = h.id || `section-${i + 1}`;
    const item = document.createElement('li');
    const link = document.createElement('a');
    link.href = `#${h.id}`;
    link.textContent = h.textContent.replace('\\u00b6', '').trim();
    item.appendChild(link);
    list.appendChild(item);
  });
  nav.append(title, list);
  const first = document.querySelector('h1');
  if (first) first.after(nav); else document.body.prepend(nav);
  return sections.length;
}"""
CHARTS_DRAWN_JS = """() => {
  const divs = document.querySelectorAll('.plotly-graph-div');
  return [...divs].every(d => d.querySelector('.main-svg'));
}"""


def chromium_path() -> str:
    """Debian's chromium, or a clear error saying how to get it."""
    if Path(CHROMIUM).exists():
        return CHROMIUM
    found = shutil.which("chromium")
    if found:
        return found
    raise PipelineError(
        f"{CHROMIUM} not found: PDF copies of the reports need Debian's chromium "
        "(sudo apt-get install chromium), or set QUALCODE_CHROMIUM to a chromium"
    )


@contextlib.contextmanager
def _page(html: Path) -> Iterator[Any]:
    """The report open in a headless chromium, offline (only files on disk load)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=chromium_path(), args=CHROMIUM_ARGS, headless=True
        )
        try:
            page = browser.new_page(viewport={"width": 1100, "height": 1400})
            page.route(
                "**/*",
                lambda route: (
                    route.continue_()
                    if route.request.url.startswith(("file:", "data:"))
                    else route.abort()
                ),
            )
            page.goto(html.resolve().as_uri(), wait_until="load")
            with contextlib.suppress(Exception):  # a chart that never draws prints blank
                page.wait_for_function(CHARTS_DRAWN_JS, timeout=20_000)
            yield page
        finally:
            browser.close()


def write_copies(html: Path, *, pdf: bool = True, docx: bool = True) -> dict[str, str]:
    """Write `html`'s PDF and Word copies beside it; returns their file names by kind. Without
    a working chromium the Word copy is still written (without its charts) and `pdf_error`
    says why there is no PDF."""
    written: dict[str, str] = {}
    charts: list[bytes] = []
    try:
        with _page(html) as page:
            found = page.query_selector_all(".plotly-graph-div")
            charts = [el.screenshot(type="png") for el in found]
            if pdf:
                written["pdf"] = _print(page, html.with_suffix(".pdf")).name
    except Exception as exc:  # no chromium, or it crashed: the Word copy needs none
        written["pdf_error"] = str(exc) if isinstance(exc, PipelineError) else repr(exc)
    if docx:
        target = html.with_suffix(".docx")
        with atomic_path(target) as tmp:
            word_copy(html.read_text(encoding="utf-8"), charts).save(str(tmp))
        written["docx"] = target.name
    return written


def _print(page: Any, target: Path) -> Path:
    """The open report printed to PDF: a contents list, each section on a new page."""
    page.add_style_tag(content=PRINT_CSS)
    page.evaluate(CONTENTS_JS)
    with atomic_path(target) as tmp:
        page.pdf(
            path=str(tmp),
            format="A4",
            print_background=True,
            margin={"top": "18mm", "bottom": "18mm", "left": "15mm", "right": "15mm"},
        )
    return target


def word_copy(html: str, charts: list[bytes] | None = None) -> Any:
    """A Word document of an HTML report: headings, a contents list after the title, a page
    break before each section, paragraphs, lists, quotes, tables, and charts as pictures
    (`charts`, one PNG per chart in page order; a chart without one is left out)."""
    import docx
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    for tag in soup.select("a.anchor-link, script, style"):
        tag.decompose()
    document = docx.Document()
    writer = _Writer(document, [h.get_text(" ", strip=True) for h in soup.find_all("h2")])
    writer.charts = list(charts or [])
    writer.walk(soup.body or soup)
    if not writer.contents_done:
        writer.contents()
    return document


class _Writer:
    """Walks the report's HTML in order, writing each block into the Word document."""

    def __init__(self, document: Any, sections: list[str]) -> None:
        self.document = document
        self.sections = sections
        self.contents_done = False
        self.charts: list[bytes] = []

    def contents(self) -> None:
        self.contents_done = True
        if not self.sections:
            return
        self.document.add_heading("Contents", level=2)
        for title in self.sections:
            self.document.add_paragraph(title, style="List Number")

    def walk(self, node: Any) -> None:
        from bs4 import Tag

        for child in node.children:
            if not isinstance(child, Tag):
                continue
            name, classes = child.name, child.get("class") or []
            if name in ("h1", "h2", "h3", "h4"):
                self.heading(child, int(name[1]))
            elif name == "p":
                self.paragraph(child)
            elif name in ("ul", "ol"):
                style = "List Bullet" if name == "ul" else "List Number"
                for item in child.find_all("li", recursive=False):
                    self.paragraph(item, style=style)
            elif name == "blockquote":
                for part in child.find_all("p") or [child]:
                    self.paragraph(part, style="Quote")
            elif name == "table":
                self.table(child)
            elif "plotly-graph-div" in classes:
                self.chart()
            elif name == "img":
                self.image(child)
            elif name not in ("pre", "script", "style", "button", "svg"):
                self.walk(child)

    def heading(self, tag: Any, level: int) -> None:
        text = tag.get_text(" ", strip=True).replace("\u00b6", "").strip()
        if level == 2:
            self.document.add_page_break()
        self.document.add_heading(text, level=level - 1 if level > 1 else 0)
        if level == 1 and not self.contents_done:
            self.contents()

    def paragraph(self, tag: Any, *, style: str | None = None) -> None:
        from bs4 import NavigableString

        paragraph = self.document.add_paragraph(style=style)
        for piece in tag.descendants:
            if not isinstance(piece, NavigableString) or not str(piece).strip("\n"):
                continue
            parents = {p.name for p in piece.parents if p is not tag}
            run = paragraph.add_run(str(piece).replace("\n", " "))
            run.bold = bool(parents & {"strong", "b", "th"}) or None
            run.italic = bool(parents & {"em", "i"}) or None

    def table(self, tag: Any) -> None:
        rows = [
            [cell.get_text(" ", strip=True) for cell in tr.find_all(["th", "td"])]
            for tr in tag.find_all("tr")
        ]
        rows = [r for r in rows if any(r)]
        if not rows:
            return
        width = max(len(r) for r in rows)
        table = self.document.add_table(rows=len(rows), cols=width)
        table.style = "Table Grid"
        for i, row in enumerate(rows):
            for j, text in enumerate(row):
                table.cell(i, j).text = text
                if i == 0:
                    for run in table.cell(i, j).paragraphs[0].runs:
                        run.bold = True
        self.document.add_paragraph()

    def chart(self) -> None:
        if self.charts:
            self.picture(self.charts.pop(0))

    def image(self, tag: Any) -> None:
        source = tag.get("src") or ""
        if source.startswith("data:image/png;base64,"):
            self.picture(base64.b64decode(source.split(",", 1)[1]))

    def picture(self, png: bytes) -> None:
        from docx.shared import Cm

        self.document.add_picture(io.BytesIO(png), width=Cm(16))
