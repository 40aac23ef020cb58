"""`make demo` end to end, by the same commands the Makefile runs, into a temporary folder:
build the sample project, load the two coders' sample coding, run the real pipeline
(pipelines/areas.yaml, the real notebooks) for every sample area, then rerun with nothing
changed."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from pathlib import Path

import openpyxl
import pytest

from tests.conftest import ROOT

QUALCODE = str(Path(sys.executable).parent / "qualcode")
RAW = ROOT / "data" / "raw"
AREAS = sorted(p.name for p in RAW.iterdir() if p.is_dir())


def qc(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [QUALCODE, *args], cwd=cwd, capture_output=True, text=True, timeout=600, check=False
    )
    assert done.returncode == 0, f"qualcode {' '.join(args)}:\n{done.stdout}\n{done.stderr}"
    return done


def test_the_makefile_demo_runs_these_steps() -> None:
    demo = (ROOT / "Makefile").read_text().split("\ndemo:", 1)[1].split("\n\n", 1)[0]
    for step in ("qualcode init", "qualcode ingest", "import data/raw/sample-coding.tsv",
                 "qualcode pipeline run"):  # fmt: skip
        assert step in demo, step


@pytest.mark.slow
def test_demo_builds_reports_for_every_sample_area(tmp_path: Path) -> None:
    store = str(tmp_path / "sample.qualcode")
    config = str(ROOT / "pipelines" / "areas.yaml")
    reports = tmp_path / "reports"
    qc("init", "--project", store, "--codebook", str(RAW / "codebook.yaml"), cwd=tmp_path)
    for area in AREAS:
        qc("ingest", str(RAW / area), "--area", area, "--project", store, cwd=tmp_path)
    loaded = qc("import", str(RAW / "sample-coding.tsv"), "--project", store, cwd=tmp_path)
    added = int(re.search(r"(\d+) codings added", loaded.stdout).group(1))  # type: ignore[union-attr]
    assert added > 300 and "coders: amina, bob" in loaded.stdout

    start = time.perf_counter()
    run = qc("pipeline", "run", "--project", store, "--jobs", "2", "--config", config,
             "--reports", str(reports), cwd=tmp_path)  # fmt: skip
    full = time.perf_counter() - start
    embedded = re.search(r"embedded (\d+) of (\d+) texts for (\d+) areas' themes", run.stdout)
    assert embedded, run.stdout  # once, before the kernels: none of them loads torch
    assert int(embedded.group(1)) == int(embedded.group(2)) > 300  # an empty cache
    assert int(embedded.group(3)) == len(AREAS)
    for area in AREAS:
        assert f"{area}: ok" in run.stdout
        latest = reports / area / "latest"
        html = (latest / "05_area_report.html").read_text()
        assert "What we heard in" in html and "Who we heard from" in html
        assert "In their own words" in html and "participant " in html
        assert "import qualcode" not in html and "qa.reach(" not in html  # no code shown
        assert (latest / "figures" / "themes.html").is_file()
        assert (latest / "figures" / "plotly.min.js").is_file()
        themes = (latest / "03_themes.html").read_text()  # machine-found themes, every area
        assert f"turns of <strong>{area}</strong>" in themes and "Traceback" not in themes
        assert (latest / "machine-themes.csv").is_file()
        matrix = openpyxl.load_workbook(latest / "framework-matrix.xlsx")["framework"]
        assert matrix.max_row > 5
        by_case = openpyxl.load_workbook(latest / "code-by-case.xlsx")  # for SPSS, R, Stata
        assert by_case.sheetnames[-1] == "key" and by_case.worksheets[0].max_row > 5
        manifest = json.loads((latest / "manifest.json").read_text())
        assert manifest["status"] == "ok" and manifest["inputs"]["codings"] > 50
        assert f"report: {reports / area}" in run.stdout
    for area in AREAS:  # PDF and Word copies of each area report, named in its manifest
        manifest = json.loads((reports / area / "latest" / "manifest.json").read_text())
        entry = next(n for n in manifest["notebooks"] if n["notebook"] == "05_area_report.ipynb")
        assert (reports / area / "latest" / entry["pdf"]).is_file(), entry
        assert (reports / area / "latest" / entry["docx"]).is_file(), entry
    assert "programme: ok" in run.stdout  # after the areas, across all of them
    programme = (reports / "programme" / "latest" / "06_programme_report.html").read_text()
    assert "What we heard across the programme" in programme and "Wave 2" in programme
    assert (reports / "programme" / "latest" / "06_programme_report.pdf").is_file()
    gy = (reports / "great-yarmouth" / "latest" / "04_agreement.html").read_text()
    assert "Krippendorff" in gy
    worcester = (reports / "worcester" / "latest" / "05_area_report.html").read_text()
    assert "<strong>Veterans</strong>: 0 of 2 people" in worcester  # flagged: seldom heard

    start = time.perf_counter()
    again = qc("pipeline", "run", "--project", store, "--config", config,
               "--reports", str(reports), cwd=tmp_path)  # fmt: skip
    rerun = time.perf_counter() - start
    assert again.stdout.count(": skipped, unchanged since run") == len(AREAS)
    assert "embedded" not in again.stdout  # no area to run: nothing to embed
    assert "programme: skipped, nothing changed since run" in again.stdout
    assert rerun < full / 2, (rerun, full)
