"""Every notebook panel renders in a real JupyterLab (Debian chromium on loopback).

The Coder has its own browser tests; this one shows the other panels, one per cell, and
waits for each to draw its own controls. A panel built without a comm (RoundManager once
shadowed ipywidgets' `Widget.open`) shows nothing, and this test names it.
"""

from __future__ import annotations

import nbformat
import pytest

import qualcode
from tests.conftest import ROOT
from tests.lab import chromium, jupyterlab, open_and_run

pytestmark = pytest.mark.browser
TRANSCRIPT = ROOT / "data" / "raw" / "hartlepool" / "hp01-copd-ex-welder.txt"

# panel: (the cell that shows it, a text only that panel draws)
PANELS = {
    "CodebookEditor": ("CodebookEditor(p)", "Belongs under"),
    "RoundManager": ('RoundManager(p, lead="dawn")', "Close and reveal"),
    "ConsensusReview": (
        'ConsensusReview(p, coders=["amina", "bob"], adjudicator="dawn")',
        "Save agreed codes",
    ),
    "MergePanel": ("MergePanel(p)", "Bring in work coded on another laptop"),
    "ExportPanel": ("ExportPanel(p)", "Only pseudonymised text"),
    "RedactionReview": ('RedactionReview(p, "{key}", by="dawn")', "Scan for personal data"),
}


def test_every_panel_renders_in_jupyterlab(tmp_path_factory) -> None:  # type: ignore[no-untyped-def]
    root = tmp_path_factory.mktemp("lab")
    home = tmp_path_factory.mktemp("home")
    store = root / "panels.qualcode"
    p = qualcode.open_project(store)
    p.codebook.add("Transport")
    (doc,) = p.ingest(TRANSCRIPT, area="hartlepool", progress=False).added
    at = doc.text.index("bus")
    for coder in ("amina", "bob"):
        p.code(doc, at, at + 3, "Transport", coder=coder)
    p.close()
    setup = (
        "import qualcode\n"
        "from qualcode.widgets import (CodebookEditor, ConsensusReview, ExportPanel,\n"
        "    MergePanel, RedactionReview, RoundManager)\n"
        f'p = qualcode.open_project("{store}", create=False)'
    )
    key = root / "panels.key.sqlite"
    cells = [nbformat.v4.new_code_cell(setup)]
    cells += [nbformat.v4.new_code_cell(show.format(key=key)) for show, _ in PANELS.values()]
    kernel = {"name": "python3", "display_name": "Python 3", "language": "python"}
    notebook = nbformat.v4.new_notebook(cells=cells, metadata={"kernelspec": kernel})
    nbformat.write(notebook, root / "panels.ipynb")
    with jupyterlab(root, home) as lab, chromium(home) as browser:
        page = browser.new_page()
        open_and_run(page, lab, "panels.ipynb")
        missing = []
        for name, (_, marker) in PANELS.items():
            try:
                page.locator(".jp-OutputArea-output").get_by_text(marker).first.wait_for(
                    timeout=60_000
                )
            except Exception:
                missing.append(name)
        outputs = page.locator(".jp-OutputArea-output").all_inner_texts()
    assert missing == [], f"panels not drawn: {missing}; outputs: {outputs}"
    assert not any("Traceback" in text or "Error" in text for text in outputs), outputs
