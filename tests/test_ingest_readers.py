"""Readers for each file type, and the clear refusals for files they cannot read."""

from __future__ import annotations

from pathlib import Path

import pytest

from qualcode.errors import IngestError
from qualcode.ingest.readers import iter_files, read_file, read_participants

VTT = """WEBVTT

NOTE SYNTHETIC test captions

1
00:00:01.000 --> 00:00:03.500
<v Interviewer>How do you get to the hospital?

2
00:00:04.000 --> 00:00:06.000
<v.loud Participant>Two buses &amp; a walk,</v>

3
00:00:06.100 --> 00:00:08.000
<v Participant>and it takes <i>all</i> morning.
"""

SRT = """1
00:00:01,000 --> 00:00:02,000
Interviewer: Who helps you?

2
00:00:02,500 --> 00:00:04,000
Participant: Nobody, really.
"""


def test_vtt_merges_cues_of_one_speaker_into_a_turn_with_times(tmp_path: Path) -> None:
    path = tmp_path / "gy07.vtt"
    path.write_text(VTT, encoding="utf-8")
    (source,) = read_file(path)
    assert source.text == (
        "Interviewer: How do you get to the hospital?\n"
        "Participant: Two buses & a walk, and it takes all morning.\n"
    )
    turns = source.turns
    assert [source.text[t.start : t.end] for t in turns] == [
        "How do you get to the hospital?",
        "Two buses & a walk, and it takes all morning.",
    ]
    assert turns[1].meta == {"start_time": "00:00:04.000", "end_time": "00:00:08.000"}
    assert [t.role for t in turns] == ["interviewer", "participant"]


def test_srt_with_speaker_names_in_the_text(tmp_path: Path) -> None:
    path = tmp_path / "call.srt"
    path.write_text(SRT, encoding="utf-8")
    (source,) = read_file(path)
    assert [t.speaker for t in source.turns] == ["Interviewer", "Participant"]
    assert source.format == "srt"


def test_docx_paragraphs_become_lines(tmp_path: Path) -> None:
    import docx

    path = tmp_path / "hp07.docx"
    d = docx.Document()
    for line in ("[SYNTHETIC]", "Interviewer: Hello?", "Participant: Hiya, pet."):
        d.add_paragraph(line)
    d.save(path)
    (source,) = read_file(path)
    assert source.text == "[SYNTHETIC]\nInterviewer: Hello?\nParticipant: Hiya, pet.\n"
    assert (source.title, source.format) == ("hp07", "docx")


def test_xlsx_questionnaire_with_a_named_text_column(tmp_path: Path) -> None:
    import openpyxl

    path = tmp_path / "survey.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["id", "group", "Q5 what would make it better"])
    sheet.append(["S1", "Carers", "A person who rings you back."])
    sheet.append(["S2", "Young people", None])
    book.save(path)
    with pytest.raises(IngestError, match="has no column 'answer'; its columns are 'id'"):
        read_file(path, text_column="answer")
    sources = read_file(path, text_column="Q5 what would make it better")
    assert [(s.case, s.text, s.attributes) for s in sources] == [
        ("S1", "A person who rings you back.", {"group": "Carers"})
    ]


def test_csv_without_an_obvious_answer_column_asks_for_one(tmp_path: Path) -> None:
    path = tmp_path / "codes.csv"
    path.write_text("a,b\n1,2\n3,4\n")
    with pytest.raises(IngestError, match="--text-column"):
        read_file(path)


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("scan.pdf", b"%PDF-1.4", r"unsupported file type '\.pdf'.*save it as \.docx"),
        ("notes", b"hello", r"unsupported file type \(no extension\)"),
        ("bad.docx", b"PK\x03\x04 junk", r"not a readable \.docx"),
        ("bad.xlsx", b"not a zip", r"not a readable \.xlsx"),
        ("bad.vtt", b"1\n00:00:01.000 --> 00:00:02.000\nhi\n", "must start with 'WEBVTT'"),
        ("nocues.vtt", b"WEBVTT\n\nNOTE nothing here\n", "no caption cues"),
        ("empty.docx", b"", "empty"),
    ],
)
def test_unreadable_files_are_refused_with_the_reason(
    tmp_path: Path, name: str, data: bytes, message: str
) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(IngestError, match=message) as info:
        read_file(path)
    assert info.value.path == str(path)


def test_iter_files_skips_hidden_files_and_participants(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    for name in ("b.txt", "a.txt", ".hidden.txt", "participants.csv", "sub/c.txt", "~$lock.docx"):
        (tmp_path / name).write_text("x")
    assert [p.relative_to(tmp_path).as_posix() for p in iter_files([tmp_path])] == [
        "a.txt",
        "b.txt",
        "sub/c.txt",
    ]
    with pytest.raises(IngestError, match="does not exist"):
        list(iter_files([tmp_path / "gone"]))


def test_participants_by_case_and_file(tmp_path: Path) -> None:
    path = tmp_path / "participants.csv"
    path.write_text("case,file,age_band,notes\nHP01,hp01.txt,65+,\nHP02,,16-24,late\n")
    found = read_participants(path)
    assert found.by_case == {
        "HP01": {"age_band": "65+"},
        "HP02": {"age_band": "16-24", "notes": "late"},
    }
    assert found.file_to_case == {"hp01.txt": "HP01", "hp01": "HP01"}
    path.write_text("name,age\nx,1\n")
    with pytest.raises(IngestError, match="needs a 'case' column"):
        read_participants(path)
