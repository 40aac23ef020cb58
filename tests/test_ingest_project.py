"""Ingest into a project: folders, participants, versions, and bad files in a batch."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from qualcode.store import schema

GOOD = "Interviewer: How is the bus?\nParticipant: Awful. It never comes.\n"


def _folder(tmp_path: Path) -> Path:
    area = tmp_path / "hartlepool"
    area.mkdir()
    (area / "hp01.txt").write_text(GOOD, encoding="utf-8")
    (area / "hp02.md").write_text("I: Any carers' support?\nR: None at all.\n", encoding="utf-8")
    (area / "participants.csv").write_text(
        "case,file,population_group,age_band\n"
        "HP01,hp01.txt,Carers,65+\n"
        "HP02,hp02.md,Young people,16-24\n",
        encoding="utf-8",
    )
    return area


def test_folder_with_participants(project, tmp_path: Path) -> None:
    report = project.ingest(_folder(tmp_path), area="hartlepool", progress=False)
    assert report.ok and len(report.added) == 2
    docs = project.documents_df()
    assert sorted(docs["case"]) == ["HP01", "HP02"]
    assert set(docs["format"]) == {"txt", "md"}
    project.codebook.add("Transport")
    project.code(report.added[0], 0, 5, "Transport", coder="amina")
    frame = project.codings_df()
    assert frame.iloc[0]["population_group"] == "Carers"
    assert frame.iloc[0]["age_band"] == "65+"


def test_reingest_is_a_no_op_and_a_changed_file_a_new_version(project, tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    project.ingest(folder, area="hartlepool", progress=False)
    with project.engine.connect() as conn:
        units_before = conn.execute(select(func.count()).select_from(schema.units)).scalar()
    again = project.ingest(folder, area="hartlepool", progress=False)
    assert (len(again.added), len(again.unchanged)) == (0, 2)
    with project.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(schema.units)).scalar() == units_before
    (folder / "hp01.txt").write_text(GOOD + "Interviewer: Thanks.\n", encoding="utf-8")
    third = project.ingest(folder, area="hartlepool", progress=False)
    assert [d.title for d in third.new_versions] == ["hp01"]
    assert len(project.documents_df(all_versions=True)) == 3


def test_bad_files_are_refused_one_line_each_and_the_rest_go_in(project, tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    (folder / "empty.txt").write_bytes(b"")
    (folder / "photo.txt").write_bytes(bytes(range(256)) * 40)
    (folder / "scan.pdf").write_bytes(b"%PDF-1.4 ...")
    (folder / "broken.docx").write_bytes(b"PK\x03\x04 not really a docx")
    (folder / "huge.txt").open("wb").truncate(200 * 1024 * 1024)
    sub = folder / "again"
    sub.mkdir()
    (sub / "hp01.txt").write_text("Interviewer: a different file with the same name\n")
    report = project.ingest(folder, area="hartlepool", progress=False)
    refused = dict(report.refused)
    assert len(report.added) == 2
    assert set(refused) == {
        str(folder / n)
        for n in ("empty.txt", "photo.txt", "scan.pdf", "broken.docx", "huge.txt", "again/hp01.txt")
    }
    assert "empty" in refused[str(folder / "empty.txt")]
    assert "binary" in refused[str(folder / "photo.txt")]
    assert "unsupported file type '.pdf'" in refused[str(folder / "scan.pdf")]
    assert ".docx" in refused[str(folder / "broken.docx")]
    assert "200.0 MB" in refused[str(folder / "huge.txt")]
    assert "same name 'hp01'" in refused[str(sub / "hp01.txt")]
    assert all("\n" not in reason for reason in refused.values())
    assert sorted(project.documents_df()["title"]) == ["hp01", "hp02"]


def test_a_stray_byte_goes_in_with_a_warning_in_the_report(project, tmp_path: Path) -> None:
    path = tmp_path / "hp03.txt"
    path.write_bytes("Interviewer: Café?\nParticipant: Aye, — ".encode() + b"\x81ta.\n")
    report = project.ingest([path], area="hartlepool", progress=False)
    assert report.ok and len(report.added) == 1
    assert report.added[0].text == "Interviewer: Café?\nParticipant: Aye, — \ufffdta.\n"
    (warning,) = report.warnings
    assert warning.startswith(f"{path}: byte 42 (line 2) is not UTF-8")
    assert f"warning {warning}" in str(report)


def test_missing_path_is_refused(project, tmp_path: Path) -> None:
    report = project.ingest([tmp_path / "nowhere"], area="a", progress=False)
    assert not report.ok
    assert "nowhere" in report.refused[0][0]


def test_a_failure_while_writing_leaves_no_half_document(
    project, tmp_path: Path, monkeypatch
) -> None:
    from qualcode.ingest.segment import Segmenter
    from qualcode.ingest.source import Unit

    def bad_units(self, text, turns=None):
        return [Unit("sentence", 0, 5), Unit("sentence", 3, None)]  # end NULL: insert fails

    monkeypatch.setattr(Segmenter, "units", bad_units)
    with pytest.raises(Exception):  # noqa: B017 - any database error
        project.add_document(GOOD, area="a", title="t")
    with project.engine.connect() as conn:
        for table in (schema.documents, schema.units, schema.cases, schema.audit):
            assert conn.execute(select(func.count()).select_from(table)).scalar() == 0, table.name


def test_questionnaire_answers_become_documents_with_case_attributes(project, tmp_path) -> None:
    survey = tmp_path / "survey.csv"
    survey.write_text(
        "respondent,age_band,answer\n"
        'Q1,65+,"The receptionist is lovely, but you can never get through at 8."\n'
        "Q2,16-24,I didn't know where to go for help with my mum.\n"
        "Q3,35-44,\n",
        encoding="utf-8",
    )
    report = project.ingest(survey, area="worcester", progress=False)
    assert report.ok and len(report.added) == 2
    docs = project.documents_df()
    assert sorted(docs["case"]) == ["Q1", "Q2"]
    project.codebook.add("Access to GP")
    d = report.added[0]
    project.code(d, 0, len(d.text), "Access to GP", coder="amina")
    assert project.codings_df().iloc[0]["age_band"] == "65+"


@pytest.mark.sqlite_only  # reading turns does not depend on the store
def test_the_speaker_corpus_goes_in_with_its_turns_and_roles(project, tmp_path: Path) -> None:
    """Every convention of tests/data/speakers/, ingested as a folder, is stored as written."""
    import shutil

    from tests import speakers_corpus

    folder = tmp_path / "speakers"
    folder.mkdir()
    for name in speakers_corpus.names():
        source = speakers_corpus.source_file(name, folder)
        if source.parent != folder:
            shutil.copy(source, folder / source.name)
    report = project.ingest(folder, area="corpus", progress=False)
    assert report.ok and len(report.added) == len(speakers_corpus.names())
    for name in speakers_corpus.names():
        turns = project.units_df("turn", document=name)
        want = speakers_corpus.expected(name)["turns"]
        stored = list(zip(turns["speaker"], turns["role"], strict=True))
        assert stored == [(t["speaker"], t["role"]) for t in want], name
