"""Readers for each file type, and the clear refusals for files they cannot read."""

from __future__ import annotations

import zipfile
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


def test_vtt_voices_in_one_cue_and_cues_without_a_voice_continue(tmp_path: Path) -> None:
    path = tmp_path / "call.vtt"
    path.write_text(
        "WEBVTT\n\nNOTE SYNTHETIC\n\n00:00:01.000 --> 00:00:03.000\n"
        "<v Amina>How are you?</v> <v.loud Bob>Fine, and\nyou?</v>\n\n"
        "00:00:03.000 --> 00:00:05.000\nnot too bad, the bus was\n\n"
        "00:00:05.000 --> 00:00:06.000\n<v Amina>late again?</v>\n"
    )
    (source,) = read_file(path)
    assert [(t.speaker, source.text[t.start : t.end]) for t in source.turns] == [
        ("Amina", "How are you?"),
        ("Bob", "Fine, and you? not too bad, the bus was"),
        ("Amina", "late again?"),
    ]
    assert source.turns[1].meta == {"start_time": "00:00:01.000", "end_time": "00:00:05.000"}


def test_srt_names_in_cue_lines_dashes_and_speaker_changes(tmp_path: Path) -> None:
    path = tmp_path / "group.srt"
    path.write_text(
        "1\n00:00:01,000 --> 00:00:02,000\n- Moderator: Who helps you?\n- P-07: My neighbour.\n\n"
        "2\n00:00:02,500 --> 00:00:04,000\nShe comes round: every day.\n\n"
        "3\n00:00:04,500 --> 00:00:05,000\n>> Dr. Khan: Every day?\n>>\nSo: that's it.\n\n"
        "4\n00:00:05,000 --> 00:00:06,000\nAmina Begum (she/her): Me too.\n"
    )
    (source,) = read_file(path)
    assert [(t.speaker, t.role, source.text[t.start : t.end]) for t in source.turns] == [
        ("Moderator", "interviewer", "Who helps you?"),
        ("P-07", "participant", "My neighbour. She comes round: every day."),
        ("Dr. Khan", None, "Every day?"),
        ("Amina Begum (she/her)", None, "Me too."),  # as a video call names people
    ]
    assert "\nSo: that's it.\n" in source.text  # kept, said by someone not named


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


def test_docx_speakers_in_bold_become_labels(tmp_path: Path) -> None:
    import docx

    d = docx.Document()
    d.add_paragraph("SYNTHETIC interview")
    for who, words in [
        ("Interviewer:", " How is the surgery?"),
        ("Amina", " Hard to get in."),
        ("Interviewer:", " Why?"),
        ("Amina", "\tThe phone line."),
    ]:
        paragraph = d.add_paragraph()
        paragraph.add_run(who).bold = True
        paragraph.add_run(words)
    paragraph = d.add_paragraph()
    paragraph.add_run("Important").bold = True  # bold once: emphasis, not a speaker
    paragraph.add_run(" the bus stops at six.")
    d.save(tmp_path / "bold.docx")
    (source,) = read_file(tmp_path / "bold.docx")
    assert source.text.splitlines()[1:] == [
        "Interviewer: How is the surgery?",
        "Amina: Hard to get in.",
        "Interviewer: Why?",
        "Amina: The phone line.",
        "Important the bus stops at six.",
    ]


def test_docx_speaker_tables_become_turns(tmp_path: Path) -> None:
    import docx

    d = docx.Document()
    table = d.add_table(rows=0, cols=2)
    rows = [("Speaker", "Words"), ("Moderator", "Who has a carer?"), ("P-07", "I do."),
            ("P-07", "Twice a week.")]  # fmt: skip
    for row in rows:
        for cell, text in zip(table.add_row().cells, row, strict=True):
            cell.text = text
    timed = d.add_table(rows=0, cols=3)
    for row in [("00:01:02", "Dawn", "And you?"), ("00:01:09", "Dawn", "Go on.")]:
        for cell, text in zip(timed.add_row().cells, row, strict=True):
            cell.text = text
    d.save(tmp_path / "table.docx")
    (source,) = read_file(tmp_path / "table.docx")
    assert source.text.splitlines() == [
        "Speaker",  # a header named once is not a speaker
        "Words",
        "Moderator: Who has a carer?",
        "P-07: I do.",
        "P-07: Twice a week.",
        "[00:01:02] Dawn: And you?",
        "[00:01:09] Dawn: Go on.",
    ]


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
        ("nocues.vtt", b"WEBVTT\n\nNOTE nothing here\n", "no caption text"),
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


def test_iter_files_refuses_devices_and_pipes_with_the_right_reason(tmp_path: Path) -> None:
    import os

    pipe = tmp_path / "pipe.txt"
    os.mkfifo(pipe)
    for odd in (Path("/dev/zero"), pipe):
        with pytest.raises(IngestError, match=r": is not a file or a folder \(a device, pipe"):
            list(iter_files([odd]))
    assert list(iter_files([tmp_path])) == []  # inside a folder, a pipe is passed over


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


# hostile and odd Office files ---------------------------------------------------------------

W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def word_file(path: Path, body: str, *, doctype: str = "", main: str = "word/document.xml") -> Path:
    """A .docx made by python-docx whose main part is replaced by `body` (inside <w:body>)."""
    import docx

    plain = path.with_suffix(".plain.docx")
    docx.Document().save(plain)
    xml = f'<?xml version="1.0" encoding="UTF-8"?>{doctype}<w:document {W}><w:body>{body}'
    xml += "</w:body></w:document>"
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            if info.filename != "word/document.xml":
                out.writestr(info, src.read(info))
        if main:
            out.writestr(main, xml)
    plain.unlink()
    return path


def para(*runs: str) -> str:
    return "<w:p>" + "".join(f"<w:r>{r}</w:r>" for r in runs) + "</w:p>"


def test_docx_text_in_tables_text_boxes_breaks_and_tabs_and_entities(tmp_path: Path) -> None:
    cell = "<w:tc>{}</w:tc>"
    table = "<w:tbl><w:tr>" + cell.format(para("<w:t>Name</w:t>"))
    table += cell.format(para("<w:t>Amina</w:t>")) + "</w:tr></w:tbl>"
    box = (
        '<mc:AlternateContent xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006">'
        "<mc:Choice><w:drawing><w:txbxContent>"
        + para("<w:t>In the box</w:t>")
        + "</w:txbxContent></w:drawing></mc:Choice><mc:Fallback><w:pict><w:txbxContent>"
        + para("<w:t>In the box</w:t>")
        + "</w:txbxContent></w:pict></mc:Fallback></mc:AlternateContent>"
    )
    body = (
        para("<w:t>Fish &amp; chips, caf&#233; after</w:t>")
        + '<w:p><w:pPr><w:tabs><w:tab w:val="left" w:pos="720"/></w:tabs></w:pPr>'
        + "<w:r><w:t>Q:</w:t><w:tab/><w:t>line one</w:t><w:br/><w:t>line two</w:t></w:r></w:p>"
        + table
        + para(box, "<w:t>anchor</w:t>")
        + para("<w:t xml:space='preserve'>kept </w:t>", "<w:delText>deleted</w:delText>")
    )
    (source,) = read_file(word_file(tmp_path / "odd.docx", body))
    assert source.text == (
        "Fish & chips, café after\nQ:\tline one\nline two\nName\nAmina\nIn the box\nanchor\nkept\n"
    )


@pytest.mark.parametrize(
    "doctype",
    [
        '<!DOCTYPE w:document [<!ENTITY who "Amina">]>',
        '<!DOCTYPE w:document [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>',
    ],
)
def test_docx_declaring_entities_is_refused_not_cut_short(tmp_path: Path, doctype: str) -> None:
    path = word_file(tmp_path / "ent.docx", para("<w:t>Before &who; after</w:t>"), doctype=doctype)
    with pytest.raises(IngestError, match=r"ent\.docx: its XML declares a DTD or entities"):
        read_file(path)


def test_docx_without_its_main_part_is_refused(tmp_path: Path) -> None:
    path = word_file(tmp_path / "hollow.docx", "", main="")
    with pytest.raises(IngestError, match=r"hollow\.docx: has no main document part"):
        read_file(path)


def test_docx_bomb_is_refused_before_reading(tmp_path: Path) -> None:
    """A quarter-megabyte .docx whose text expands 60 MB (measured from its zip directory)."""
    body = para("<w:t>" + "a" * 1_000_000 + "</w:t>") * 60
    path = word_file(tmp_path / "bomb.docx", body)
    assert path.stat().st_size < 300_000
    match = r"bomb\.docx: word/document\.xml is 57\.2 MB, over the 50 MB limit.*--max-mb"
    with pytest.raises(IngestError, match=match) as info:
        read_file(path)
    assert "\n" not in str(info.value)


def test_docx_expanding_past_max_mb_is_refused(tmp_path: Path) -> None:
    import random

    rng = random.Random(7)
    words = " ".join("".join(rng.choices("acgt", k=7)) for _ in range(250_000))  # 2 MB, ~3x
    path = word_file(tmp_path / "long.docx", para(f"<w:t>{words}</w:t>"))
    assert path.stat().st_size < 1024 * 1024
    with pytest.raises(IngestError, match=r"long\.docx: expands to 2\.\d MB, over the 1 MB limit"):
        read_file(path, max_mb=1)
    assert read_file(path, max_mb=3)[0].text.startswith(words[:50])


def lie_about_size(path: Path, member: str, size: int) -> None:
    """Rewrite the zip directory's entry for `member` to declare `size` bytes uncompressed."""
    data = bytearray(path.read_bytes())
    entry = data.find(b"PK\x01\x02")
    while entry != -1:
        name_len = int.from_bytes(data[entry + 28 : entry + 30], "little")
        if data[entry + 46 : entry + 46 + name_len] == member.encode():
            data[entry + 24 : entry + 28] = size.to_bytes(4, "little")
            break
        entry = data.find(b"PK\x01\x02", entry + 4)
    else:
        raise AssertionError(f"{member} not in {path}")
    path.write_bytes(bytes(data))


def test_a_zip_directory_that_understates_a_member_is_refused(tmp_path: Path) -> None:
    path = word_file(tmp_path / "liar.docx", para("<w:t>" + "words " * 20_000 + "</w:t>"))
    lie_about_size(path, "word/document.xml", 1000)
    with pytest.raises(IngestError, match=r"liar\.docx: word/document\.xml is (damaged|larger)"):
        read_file(path)


def test_xlsx_bomb_is_refused_before_openpyxl_reads_it(tmp_path: Path) -> None:
    import openpyxl

    path = tmp_path / "bomb.xlsx"
    book = openpyxl.Workbook()
    book.active.append(["id", "answer"])
    book.active.append(["S1", "A person who rings you back."])
    book.save(path)
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as zf, zf.open("xl/pad.xml", "w") as fh:
        for _ in range(30):
            fh.write(b" " * (1024 * 1024))
    with pytest.raises(IngestError, match=r"bomb\.xlsx: xl/pad\.xml would expand .*zip bomb"):
        read_file(path)


def shared_string_xlsx(path: Path, text: str, rows: int) -> Path:
    """An .xlsx whose answer column uses one shared string in every row, as Excel writes."""
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    ct = "application/vnd.openxmlformats-officedocument.spreadsheetml"
    cells = "".join(
        f'<row r="{n}"><c r="A{n}" t="inlineStr"><is><t>S{n}</t></is></c>'
        f'<c r="B{n}" t="s"><v>{0 if n > 1 else 1}</v></c></row>'
        for n in range(1, rows + 2)
    )
    parts = {
        "[Content_Types].xml": '<Types xmlns="http://schemas.openxmlformats.org/package/2006/'
        'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-'
        'package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{ct}.sheet.main+xml"/>'
        f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{ct}.worksheet+xml"/>'
        f'<Override PartName="/xl/sharedStrings.xml" ContentType="{ct}.sharedStrings+xml"/>'
        "</Types>",
        "_rels/.rels": '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
        f'relationships"><Relationship Id="r1" Type="{rel}/officeDocument" '
        'Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": f'<workbook xmlns="{main}" xmlns:r="{rel}"><sheets>'
        '<sheet name="S" sheetId="1" r:id="r1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": '<Relationships xmlns="http://schemas.openxmlformats.org/'
        f'package/2006/relationships"><Relationship Id="r1" Type="{rel}/worksheet" '
        f'Target="worksheets/sheet1.xml"/><Relationship Id="r2" Type="{rel}/sharedStrings" '
        'Target="sharedStrings.xml"/></Relationships>',
        "xl/sharedStrings.xml": f'<sst xmlns="{main}"><si><t>{text}</t></si>'
        "<si><t>answer</t></si></sst>",
        "xl/worksheets/sheet1.xml": f'<worksheet xmlns="{main}"><sheetData>{cells}'
        "</sheetData></worksheet>",
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, xml in parts.items():
            zf.writestr(name, xml)
    return path


def test_xlsx_text_limit_counts_repeated_shared_strings(tmp_path: Path) -> None:
    """One shared string used in many cells: a small file, but every copy is text kept."""
    long = "I waited for the bus. " * 800  # 17,600 characters, stored once
    path = shared_string_xlsx(tmp_path / "echo.xlsx", long, rows=100)
    assert path.stat().st_size < 50_000
    with pytest.raises(IngestError, match=r"echo\.xlsx: holds over 1,000,000 characters"):
        read_file(path, max_mb=1)
    sources = read_file(path, max_mb=2)
    assert len(sources) == 100 and sources[0].text == long.strip()


@pytest.mark.parametrize(
    ("suffix", "repeats"),
    [(".csv", 5_000), (".xlsx", 750)],  # Excel keeps up to 32,767 characters in a cell
)
def test_questionnaire_cells_are_limited_and_long_ones_kept(
    tmp_path: Path, suffix: str, repeats: int
) -> None:
    """A long answer is kept whole (CSV's own cap was 131,072); one over the limit is refused."""
    import openpyxl

    path = tmp_path / f"long{suffix}"
    answer = "We talked for hours about the surgery. " * repeats
    if suffix == ".csv":
        path.write_text(f"id,answer\nS1,{answer}\n", encoding="utf-8")
    else:
        book = openpyxl.Workbook()
        book.active.append(["id", "answer"])
        book.active.append(["S1", answer])
        book.save(path)
    (source,) = read_file(path)
    assert source.text == answer.strip()
    over = rf"long{suffix}: row 2, column 2 holds {len(answer):,} characters, over the limit"
    with pytest.raises(IngestError, match=over):
        read_file(path, max_mb=1)


# hostile captions and slow patterns ---------------------------------------------------------

HOSTILE_RUNS = ["<", "<<v", "<v ", "<v\t", "<v.", "-->", ":", " ", "A.", "[0:00] ", "&", "(", "A "]


@pytest.mark.timeout(60)  # each is linear: well under a second; a quadratic one hangs here
@pytest.mark.parametrize("run", HOSTILE_RUNS)
def test_hostile_runs_in_a_cue_finish(tmp_path: Path, run: str) -> None:
    payload = run * (200_000 // len(run))
    path = tmp_path / "slow.vtt"
    path.write_text(f"WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n<v Amina>{payload}\n")
    try:
        (source,) = read_file(path)
    except IngestError as exc:  # "-->" in a cue's text is refused, not stored
        assert "slow.vtt" in str(exc)
    else:
        assert source.turns[0].speaker == "Amina"


@pytest.mark.timeout(60)
@pytest.mark.parametrize("run", HOSTILE_RUNS)
def test_hostile_runs_in_a_transcript_finish_finding_turns(run: str) -> None:
    from qualcode.ingest.turns import find_turns

    text = "Interviewer: hello?\n" + run * (200_000 // len(run)) + "\nP1: bye\n"
    turns = find_turns(text)
    assert all(0 <= t.start < t.end <= len(text) for t in turns)
    assert "Interviewer" in {t.speaker for t in turns}


@pytest.mark.parametrize(
    ("timing", "message"),
    [
        ("99:99:99.000 --> 99:99:99.500", r"line 4: '99:99:99\.000 --> .*' is not a possible time"),
        ("00:00:05.000 --> 00:00:01.000", r"line 4: the cue ends \(00:00:01\.000\) before"),
        ("99:99:99 --> 100:00:00", r"line 4: '99:99:99 --> 100:00:00' is not a cue time"),
        ("00:01.000 --> 00:75.000", r"line 4: .* is not a possible time"),
    ],
)
def test_impossible_cue_times_are_refused_with_the_line(
    tmp_path: Path, timing: str, message: str
) -> None:
    path = tmp_path / "times.vtt"
    path.write_text(f"WEBVTT\n\n1\n{timing}\n<v Amina>Hello.\n")
    with pytest.raises(IngestError, match=rf"times\.vtt: {message}"):
        read_file(path)


@pytest.mark.parametrize(
    "voice",
    [
        "<v &lt;script&gt;alert(1)&lt;/script&gt;>",
        "<v <script>alert(1)</script>>",
        "<v " + "Amina " * 40 + ">",
    ],
)
def test_speakers_that_are_markup_are_refused(tmp_path: Path, voice: str) -> None:
    path = tmp_path / "voices.srt"
    path.write_text(f"1\n00:00:01,000 --> 00:00:02,000\n{voice}Hello there.\n")
    with pytest.raises(IngestError, match=r"voices\.srt: line 2: the speaker .* is not a name"):
        read_file(path)


def test_speaker_names_lose_tags_and_entities_and_cues_keep_their_words(tmp_path: Path) -> None:
    path = tmp_path / "tags.vtt"
    path.write_text(
        "WEBVTT\n\n00:00:01.000 --> 00:00:02.000 align:start\n"
        "<v.loud Dawn &amp; Co><c.yellow>Fish</c> &lt;3 <b>chips</b>\n\n"
        "00:00:02.000 --> 00:00:03.000\n<v Dawn &amp; Co>and peas <i>unclosed\n"
    )
    (source,) = read_file(path)
    assert source.text == "Dawn & Co: Fish <3 chips and peas unclosed\n"
    assert [t.meta for t in source.turns] == [
        {"start_time": "00:00:01.000", "end_time": "00:00:03.000"}
    ]


def test_xlsx_claiming_a_million_rows_is_refused_by_cells_not_walked(tmp_path: Path) -> None:
    """One stray cell in the last row of a sheet: the empty rows before it count as cells."""
    import openpyxl

    path = tmp_path / "far.xlsx"
    book = openpyxl.Workbook()
    book.active.append(["id", "answer"])
    book.active.append(["S1", "A person who rings you back."])
    book.active.cell(row=1_048_576, column=1, value="stray")
    book.save(path)
    with pytest.raises(IngestError, match=r"far\.xlsx: has over 200,000 cells .* by row 199,999"):
        read_file(path, max_mb=1)


def test_the_bounded_zip_counts_members_and_names_the_limit(tmp_path: Path) -> None:
    from qualcode.files import BoundedZip, ZipLimits

    path = tmp_path / "many.zip"
    with zipfile.ZipFile(path, "w") as zf:
        for n in range(4):
            zf.writestr(f"m{n}.txt", f"member {n}")
    limits = ZipLimits(total_bytes=1000, member_bytes=1000, members=3)
    with pytest.raises(IngestError, match=r"many\.zip: holds 4 files, over the limit of 3 \(ask"):
        BoundedZip(path, limits, refused=IngestError, damaged=IngestError, hint="ask")
    roomy = ZipLimits(total_bytes=1000, member_bytes=1000, members=4)
    with BoundedZip(path, roomy, refused=IngestError, damaged=IngestError, hint="ask") as archive:
        assert archive.read(archive.infos[2]) == b"member 2"
        with pytest.raises(IngestError, match=r"m3\.txt is 0\.0 MB, over the .* limit; .*\(ask"):
            archive.read(archive.infos[3], limit=3)


def test_a_table_wider_than_a_spreadsheet_is_refused_in_one_line(tmp_path: Path):
    """20,000 columns: refused naming the limit, and the message stays one short line
    (it used to list every column in the ingest report)."""
    path = tmp_path / "wide.csv"
    path.write_text(",".join(["answer", *(f"q{i}" for i in range(20_000))]) + "\n")
    with pytest.raises(IngestError) as caught:
        read_file(path)
    message = str(caught.value)
    assert "20,001 columns" in message and "16,384" in message and str(path) in message
    assert len(message) < 400


def test_a_missing_column_lists_a_few_columns_not_thousands(tmp_path: Path):
    path = tmp_path / "many.csv"
    header = ["answer", *(f"q{i}" for i in range(3_000))]
    path.write_text(",".join(header) + "\n" + ",".join(["a long enough answer here"] * 3001) + "\n")
    with pytest.raises(IngestError) as caught:
        read_file(path, text_column="nope")
    assert "and 2,989 more" in str(caught.value) and len(str(caught.value)) < 400
