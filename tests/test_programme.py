"""The programme report across all areas: run by the pipeline after the areas (rendered once,
on the sample project), read as a report in HTML, PDF and Word, skipped when nothing changed;
and the config that drives it. The areas run a tiny notebook here: tests/test_demo.py runs
the real area reports."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import docx
import pypdf
import pytest
import yaml
from bs4 import BeautifulSoup

import qualcode
from qualcode import pipeline
from qualcode.pipeline.jobs import AreaJob
from qualcode.pipeline.reports import previous_run
from tests.conftest import ROOT
from tests.test_pipeline import tiny_notebook

RAW = ROOT / "data" / "raw"
AREAS = sorted(p.name for p in RAW.iterdir() if p.is_dir())
SECTIONS = [
    "What we heard across the programme",
    "Who we heard from, area by area",
    "What people talked about, area by area",
    "What is common and what is local",
    "Recommendations and their status",
    "Over time",
    "Since the last report",
]


def write_config(folder: Path, **defaults: object) -> Path:
    config = folder / "areas.yaml"
    spec = {
        "defaults": {
            "notebooks_dir": "notebooks",
            "notebooks": ["tiny.ipynb"],
            "parameters": {"embedder": "tfidf", "seed": 7},
            **defaults,
        },
        "areas": {"worcester": {"targets": {"population_group": {"Carers": 4, "Veterans": 2}}}},
    }
    config.write_text(yaml.safe_dump(spec))
    return config


@pytest.fixture(scope="module")
def sample(tmp_path_factory, sample_store):  # type: ignore[no-untyped-def]
    """The sample project, its pipeline config and the reports of one run."""
    folder = tmp_path_factory.mktemp("programme")
    store = folder / "sample.qualcode"
    shutil.copy2(sample_store, store)
    (folder / "notebooks").mkdir()
    tiny_notebook(folder / "notebooks" / "tiny.ipynb")
    shutil.copy(ROOT / "notebooks" / "06_programme_report.ipynb", folder / "notebooks")
    config = write_config(
        folder,
        programme=["06_programme_report.ipynb"],
        documents=["06_programme_report.ipynb"],
        waves={"by": "wave", "period": "quarter"},
    )
    reports = folder / "reports"
    run = pipeline.run(store, config=config, reports=reports, areas=["hartlepool"])  # one's enough
    first = {r.area: r for r in run}
    return store, config, reports, first


def text_of_html(path: Path) -> str:
    soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
    for tag in soup.select("script, style"):
        tag.decompose()
    return soup.get_text(" ")


def reads_as_a_report(text: str, headers: list[str]) -> None:
    """No Python lists, no snake_case headers, no ids, no percentage without its base."""
    assert not re.search(r"\[[^\]]*\]", text), re.search(r"\[[^\]]*\]", text)
    snake = [h for h in headers if re.search(r"\b[a-z]+_[a-z_]+\b", h)]
    assert not snake, snake
    assert not re.search(r"\b(id|ids|doc \d+|coding \d+)\b", text, re.IGNORECASE)
    assert not re.search(r"\b[A-Z]{2,3}-[0-9A-F]{6}\b|\b\d{8}T\d{6}Z\b", text)  # no codes, runs
    flat = re.sub(r"\s+", " ", text)
    based = r"\d+ of \d+ (?:people|person) \(\d+%\)"
    bare = re.sub(based, "", flat)
    assert not re.search(r"\d+(\.\d+)?\s?%", bare), re.findall(r".{40}\d+\s?%.{10}", bare)


def test_the_programme_report_runs_after_the_areas_and_reads_as_a_report(sample) -> None:
    _store, _config, reports, first = sample
    assert list(first) == ["hartlepool", "programme"]
    assert first["programme"].status == "ok", first["programme"].message
    latest = reports / "programme" / "latest"
    html = latest / "06_programme_report.html"
    assert Path(first["programme"].reports[0]) == Path(first["programme"].run_dir) / html.name
    manifest = json.loads((latest / "manifest.json").read_text())
    entry = manifest["notebooks"][0]
    assert (entry["pdf"], entry["docx"]) == (
        "06_programme_report.pdf",
        "06_programme_report.docx",
    )
    assert manifest["inputs"]["areas"] == AREAS
    assert manifest["parameters"]["06_programme_report.ipynb"]["wave_by"] == "wave"

    text = text_of_html(html)
    for heading in SECTIONS:
        assert heading in text, heading
    assert "Great Yarmouth" in text and "great-yarmouth" not in text
    assert "Wave 1" in text and "Wave 2" in text  # the sample's two waves
    assert "Carers" in text and "of 4" in text  # reach against Worcester's target
    assert "import qualcode" not in text and "Traceback" not in text
    soup = BeautifulSoup(html.read_text(encoding="utf-8"), "html.parser")
    headers = [h.get_text(" ", strip=True) for h in soup.select("h1, h2, h3, th")]
    reads_as_a_report(text, headers)

    pdf = pypdf.PdfReader(latest / entry["pdf"])
    pages = [page.extract_text() for page in pdf.pages]
    assert len(pages) >= len(SECTIONS)  # a page break before each section
    assert "Contents" in pages[0] and all(h in pages[0] for h in SECTIONS[1:])
    whole = "\n".join(pages)
    reads_as_a_report(whole, [line for line in whole.splitlines() if len(line) < 60])

    word = docx.Document(str(latest / entry["docx"]))
    headings = [p.text for p in word.paragraphs if p.style.name.startswith(("Heading", "Title"))]
    assert headings[0] == SECTIONS[0] and "Contents" in headings
    assert all(h in headings for h in SECTIONS)
    assert len(word.tables) >= 3 and len(word.inline_shapes) >= 1  # tables, a chart
    breaks = sum('w:br w:type="page"' in p._p.xml for p in word.paragraphs)
    assert breaks >= len(SECTIONS) - 1


def test_the_programme_is_skipped_when_nothing_changed_and_planned_when_a_coding_did(
    sample,
) -> None:
    store, config, reports, first = sample
    again = {
        r.area: r for r in pipeline.run(store, config=config, reports=reports, areas=["hartlepool"])
    }
    assert again["programme"].status == "skipped"
    assert again["programme"].message.startswith("nothing changed since run")
    assert again["programme"].run_dir == first["programme"].run_dir

    cfg = pipeline.load_config(config)
    p = qualcode.open_project(store, user="tester")
    try:  # the last test on this sample: the coding added stays
        todo = pipeline.plan(p, config=cfg, reports=reports, areas=["hartlepool"])
        assert todo.programme is not None and todo.programme.status == "skipped"
        doc = p.documents(area="hartlepool")[0]
        p.code(doc, 0, 11, "Transport", coder="amina")
        todo = pipeline.plan(p, config=cfg, reports=reports, areas=["hartlepool"])
        assert isinstance(todo.programme, AreaJob) and todo.programme.area == "programme"
        assert [j.area for j in todo.jobs] == ["hartlepool"]
    finally:
        p.close()


def test_previous_run_names_the_last_good_run_before_this_one(tmp_path: Path) -> None:
    area = tmp_path / "reports" / "north"
    for run in ("20261201T000000Z-aaaa", "20261202T000000Z-bbbb"):
        (area / run).mkdir(parents=True)
    (area / "last-good.json").write_text(json.dumps({"run_dir": "20261201T000000Z-aaaa"}))
    assert previous_run(area / "20261202T000000Z-bbbb") == area / "20261201T000000Z-aaaa"
    assert previous_run(area / "20261201T000000Z-aaaa") is None  # itself is not "previous"
    assert previous_run(None) is None
    assert previous_run(tmp_path / "reports" / "south" / "run") is None


def test_programme_and_wave_settings_are_checked(tmp_path: Path) -> None:
    config = tmp_path / "areas.yaml"
    config.write_text(yaml.safe_dump({"defaults": {"programme": {"a": 1}}}))
    with pytest.raises(pipeline.PipelineError, match=r"programme.*list of notebook names"):
        pipeline.load_config(config)
    config.write_text(yaml.safe_dump({"defaults": {"waves": "wave"}}))
    with pytest.raises(pipeline.PipelineError, match=r"waves.*must be a mapping"):
        pipeline.load_config(config)

    p = qualcode.open_project(tmp_path / "p.qualcode", user="tester")
    p.add_document("[SYNTHETIC]\nParticipant: The bus.\n", area="programme", title="t")
    (tmp_path / "notebooks").mkdir()
    tiny_notebook(tmp_path / "notebooks" / "tiny.ipynb")
    cfg = write_config(tmp_path, programme=["tiny.ipynb"], waves={"by": "wave", "every": "x"})
    with pytest.raises(qualcode.QualcodeError, match="unknown setting every"):
        pipeline.plan(p, config=pipeline.load_config(cfg), reports=tmp_path / "r")
    cfg = write_config(tmp_path, programme=["tiny.ipynb"])
    todo = pipeline.plan(p, config=pipeline.load_config(cfg), reports=tmp_path / "r")
    assert todo.programme is not None and todo.programme.status == "failed"
    assert "an area is named 'programme'" in todo.programme.message
    p.close()
