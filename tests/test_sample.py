"""The bundled sample project: synthetic, the promised size and formats, and it ingests cleanly."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import pytest

import qualcode
from qualcode.ingest.readers import read_file
from tests.conftest import ROOT

RAW = ROOT / "data" / "raw"
AREAS = sorted(p.name for p in RAW.iterdir() if p.is_dir())
TRANSCRIPT_SUFFIXES = {".txt", ".docx", ".vtt"}


def _transcripts(area: str) -> list[Path]:
    return sorted(p for p in (RAW / area).iterdir() if p.suffix in TRANSCRIPT_SUFFIXES)


def test_three_areas_of_8_to_12_transcripts_in_mixed_formats() -> None:
    assert len(AREAS) == 3
    formats: Counter[str] = Counter()
    for area in AREAS:
        files = _transcripts(area)
        assert 8 <= len(files) <= 12, area
        formats.update(p.suffix for p in files)
        listed = {row["file"] for row in csv.DictReader((RAW / area / "participants.csv").open())}
        assert listed == {p.name for p in files}, area
    assert set(formats) == TRANSCRIPT_SUFFIXES
    assert (RAW / "README.md").read_text().lower().count("synthetic") >= 1


@pytest.mark.parametrize("area", AREAS)
def test_transcripts_are_600_to_2000_words_marked_synthetic_with_speakers(area: str) -> None:
    for path in _transcripts(area):
        (source,) = read_file(path)
        words = len(source.text.split())
        assert 600 <= words <= 2000, (path.name, words)
        raw = path.read_bytes() if path.suffix != ".docx" else source.text.encode()
        assert b"SYNTHETIC" in raw, path.name


def test_questionnaire_answers_exist() -> None:
    surveys = [p for p in RAW.rglob("*.csv") if p.name != "participants.csv"]
    assert len(surveys) == 1
    assert len(read_file(surveys[0])) >= 30


def test_sample_project_builds_without_refusals(tmp_path: Path) -> None:
    from qualcode.interop.codebook_files import import_codebook

    p = qualcode.open_project(tmp_path / "sample.qualcode")
    import_codebook(p, RAW / "codebook.yaml")
    for area in AREAS:
        report = p.ingest(RAW / area, area=area, progress=False)
        assert report.ok, str(report)
        # every transcript gets a speaker report, and none of the warnings fires on the sample
        assert len(report.speakers) == len(_transcripts(area))
        assert report.speaker_warnings == [], report.speaker_warnings
    docs = p.documents_df()
    assert sorted(docs["area"].unique()) == AREAS
    interviews = docs[docs["format"].isin(["txt", "docx", "vtt"])]
    assert (interviews["turns"] >= 10).all(), interviews[interviews["turns"] < 10]["title"].tolist()
    assert interviews["case"].str.match(r"^[A-Z]{2}\d\d$").all()
    turns = p.units_df("turn")
    assert set(turns["role"]) == {"interviewer", "participant"}
    assert not turns["text"].str.contains(r"^\s*(?:Interviewer|I|R|Int|P)\s*:", regex=True).any()
    frame = p.units_df("sentence")
    assert frame["text"].str.len().gt(0).all()
    p.close()
