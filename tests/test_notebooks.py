"""Every notebook in notebooks/ runs top to bottom under papermill on a small project,
and is committed without outputs."""

from __future__ import annotations

from pathlib import Path

import nbformat
import papermill
import pytest

import qualcode
from qualcode.interop.codebook_files import import_codebook
from tests.conftest import ROOT

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
# 01: the speaker editor; 04: the consensus review
WIDGETS = {"01_ingest.ipynb": 1, "02_code.ipynb": 3, "04_agreement.ipynb": 1}


@pytest.fixture(scope="module")
def small_project(tmp_path_factory) -> Path:  # type: ignore[no-untyped-def]
    store = tmp_path_factory.mktemp("nb") / "small.qualcode"
    p = qualcode.open_project(store)
    import_codebook(p, ROOT / "data" / "raw" / "codebook.yaml")
    report = p.ingest(ROOT / "data" / "raw" / "worcester", area="worcester", progress=False)
    assert report.ok, str(report)
    doc = p.documents(area="worcester")[0]
    p.code(doc, 10, 40, "Peer support", coder="amina")
    p.code(doc, 10, 40, "Transport", coder="bob")  # a disagreement to review
    p.close()
    return store


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda n: n.name)
def test_notebook_is_committed_clean(notebook: Path) -> None:
    nb = nbformat.read(notebook, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(not c.outputs and c.execution_count is None for c in code), notebook.name
    assert any("parameters" in c.metadata.get("tags", []) for c in code), notebook.name


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda n: n.name)
def test_notebook_runs_under_papermill(notebook: Path, small_project: Path, tmp_path) -> None:
    out = tmp_path / notebook.name
    papermill.execute_notebook(
        str(notebook),
        str(out),
        parameters={"project": str(small_project), "coder": "amina"},
        cwd=str(notebook.parent),
        progress_bar=False,
        kernel_name="python3",
    )
    executed = nbformat.read(out, as_version=4)
    outputs = [o for c in executed.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    widgets = [
        o for o in outputs if "application/vnd.jupyter.widget-view+json" in o.get("data", {})
    ]
    assert len(widgets) == WIDGETS.get(notebook.name, 0)


def test_agreement_notebook_opens_on_a_closed_round(tmp_path: Path) -> None:
    """The agreement report on a blind round: its coders and documents, no one else's."""
    store = tmp_path / "round.qualcode"
    p = qualcode.open_project(store)
    import_codebook(p, ROOT / "data" / "raw" / "codebook.yaml")
    text = "[SYNTHETIC]\nInterviewer: How do you get there?\nParticipant: The bus is late.\n"
    docs = [p.add_document(text, area="north", title=f"t{i}") for i in (1, 2)]
    p.open_round("R1", coders=["amina", "bob"], lead="dawn", documents=[docs[0]])
    at = text.index("The bus")
    for coder in ("amina", "bob", "carl"):  # carl is not in the round
        for doc in docs:
            p.code(doc, at, at + 15, "Transport", coder=coder)
    p.close_round("R1", lead="dawn")
    p.close()
    out = tmp_path / "04.ipynb"
    papermill.execute_notebook(
        str(ROOT / "notebooks" / "04_agreement.ipynb"),
        str(out),
        parameters={"project": str(store), "coder": "dawn", "round": "R1"},
        cwd=str(ROOT / "notebooks"),
        progress_bar=False,
        kernel_name="python3",
    )
    executed = nbformat.read(out, as_version=4)
    shown = "".join(
        str(o.get("data", {}).get("text/plain", "")) + str(o.get("text", ""))
        for c in executed.cells
        if c.cell_type == "code"
        for o in c.outputs
    )
    assert "Transport" in shown and "1.0" in shown  # amina and bob agree on the one document
    assert "carl" not in shown
