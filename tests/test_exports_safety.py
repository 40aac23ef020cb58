"""Every CSV and XLSX export against a hostile corpus: texts that a spreadsheet would run as
formulas, characters XLSX cannot hold, and file modes that follow the umask."""

from __future__ import annotations

import csv
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

import qualcode
from qualcode.analysis.framework import export_framework, framework_matrix
from qualcode.analysis.matrices import TABLES, export_table
from qualcode.analysis.report import Outputs
from qualcode.files import atomic_path
from qualcode.interop.codebook_files import export_codebook, import_codebook
from qualcode.interop.tables import export_codings
from qualcode.sheets import (
    XLSX_CELL_CHARS,
    csv_text,
    csv_value,
    write_csv,
    write_xlsx,
    xml_text,
)

CODE = '=HYPERLINK("http:evil","click")'
OTHER = "-2+3 and more"
ANSWER = "+cmd|' /C calc'!A0"
MEMO = "@SUM(1)"
CODER = "-2+3"
NOTE = "=1+1"
HOSTILE = {CODE, OTHER, ANSWER, MEMO, CODER, NOTE}
TEXT = f"{ANSWER}\vWord's line\x01 break.\x00\nTab\there.\n"  # as a .txt may hold

pytestmark = pytest.mark.sqlite_only  # about files written, not the store


@pytest.fixture
def hostile(project):  # type: ignore[no-untyped-def]
    """One answer that is a formula, coded with a formula-named code by a coder named like a
    sum, a memo that is a function call, a case attribute that is a formula."""
    project.codebook.add(CODE, description="=2*3 when read aloud")
    project.codebook.add(OTHER)
    doc = project.add_document(
        TEXT, area="north", title="q1", case="P1", attributes={"note": NOTE, "score": -5}
    )
    project.code(doc, 0, len(ANSWER), CODE, coder=CODER, memo=MEMO)
    start = TEXT.index("Word's")
    project.code(doc, start, TEXT.index("\nTab"), OTHER, coder="amina", memo="see above")
    return project


@pytest.fixture
def umask() -> Iterator[None]:
    """Restore the process umask whatever a test sets."""
    old = os.umask(0o022)
    os.umask(old)
    yield
    os.umask(old)


def xlsx_cells(path: Path) -> list[openpyxl.cell.cell.Cell]:
    book = openpyxl.load_workbook(path)
    return [cell for sheet in book for row in sheet.iter_rows() for cell in row]


def assert_safe_xlsx(path: Path, expected: set[str]) -> None:
    cells = xlsx_cells(path)
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    texts = {c.value for c in cells if isinstance(c.value, str)}
    found = {t for t in expected if any(t in v for v in texts)}
    assert found == expected  # written whole, as text


def csv_cells(path: Path) -> list[str]:
    with path.open(newline="", encoding="utf-8") as fh:
        return [cell for row in csv.reader(fh) for cell in row]


def is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def assert_safe_csv(path: Path, expected: set[str]) -> None:
    cells = csv_cells(path)
    risky = [c for c in cells if c.startswith(("=", "+", "-", "@", "\t", "\r"))]
    assert [c for c in risky if not is_number(c)] == []  # -5 is a number, not a formula
    assert {t for t in expected if f"'{t}" in cells or any(f"'{t}" in c for c in cells)} == (
        expected
    )


# one place: the cells ---------------------------------------------------------------------------


def test_csv_cells_that_would_run_get_a_quote_and_read_back_exactly() -> None:
    for text in ["=1+1", "+x", "-y", "@z", "\tt", "\rr", "'=already", "''-twice"]:
        assert csv_text(text).startswith("'")
        assert csv_value(csv_text(text)) == text
    for text in ["plain", "'quoted'", "a=b", "", "it's -fine", "-5", "+2.5", "-1e3", ".5"]:
        assert csv_text(text) == text
        assert csv_value(text) == text


def test_each_control_character_is_replaced_and_the_workbook_opens(tmp_path: Path) -> None:
    texts = [f"before{chr(i)}after" for i in range(0x20)] + ["lone \ud800 surrogate"]
    names = [f"code{chr(i)}" for i in range(0x20)]
    frame = pd.DataFrame({"text": texts, "code": [*names, "x"]})
    write_xlsx(tmp_path / "c.xlsx", {"sheet": frame})
    rows = list(openpyxl.load_workbook(tmp_path / "c.xlsx").active.iter_rows(values_only=True))
    assert rows[0] == ("text", "code")
    for i, (text, _) in enumerate(rows[1:0x21]):
        kept = chr(i) in "\t\n\r"
        expected = "\n" if i == 0x0B else chr(i) if kept else "\ufffd"
        assert text == f"before{expected}after", i
    assert rows[-1][0] == "lone \ufffd surrogate"
    assert xml_text("a\vb\x00c") == "a\nb\ufffdc"


def test_numbers_stay_numbers(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {"n": [-3, 2], "share": [-0.5, float("nan")], "word": ["-3", "ok"], "sum": ["-2+3", "1"]}
    )
    write_xlsx(tmp_path / "n.xlsx", {"n": frame})
    rows = list(openpyxl.load_workbook(tmp_path / "n.xlsx").active.iter_rows(values_only=True))
    assert rows[1:] == [(-3, -0.5, "-3", "-2+3"), (2, None, "ok", "1")]
    write_csv(tmp_path / "n.csv", frame)
    # a text that is a plain number is read as that number, never run: no quote
    assert list(csv.reader((tmp_path / "n.csv").open()))[1] == ["-3", "-0.5", "-3", "'-2+3"]


# every export path ------------------------------------------------------------------------------


def test_codings_exports_hold_no_formulas(hostile, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    export_codings(hostile, tmp_path / "c.xlsx")
    assert_safe_xlsx(tmp_path / "c.xlsx", {CODE, OTHER, CODER, MEMO})
    export_codings(hostile, tmp_path / "c.csv")
    assert_safe_csv(tmp_path / "c.csv", {CODE, OTHER, CODER, MEMO})


@pytest.mark.parametrize("table", TABLES)
def test_every_table_export_holds_no_formulas(hostile, tmp_path: Path, table: str) -> None:  # type: ignore[no-untyped-def]
    expected = {
        "presence": {CODE, OTHER, NOTE},
        "counts": {CODE, OTHER, NOTE},
        "quotes": {CODE, ANSWER, CODER, MEMO, NOTE},
        "memos": {CODE, CODER, MEMO, ANSWER},
    }[table]
    export_table(hostile, tmp_path / f"{table}.xlsx", table)
    assert_safe_xlsx(tmp_path / f"{table}.xlsx", expected)
    written = export_table(hostile, tmp_path / f"{table}.csv", table)
    cells = [cell for path in written for cell in csv_cells(path)]
    assert [c for c in cells if c.startswith(("=", "+", "@", "\t"))] == []
    assert {t for t in expected if any(c.startswith(f"'{t}") for c in cells)} == expected
    if table in ("presence", "counts"):
        frame = pd.read_csv(written[0])
        assert (frame["score"] == -5).all()  # a negative number is not a formula


def test_control_characters_in_a_transcript_do_not_stop_an_export(hostile, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    for path in [
        *export_table(hostile, tmp_path / "q.xlsx", "quotes"),
        *export_table(hostile, tmp_path / "m.xlsx", "memos"),
        export_codings(hostile, tmp_path / "c.xlsx"),
        export_framework(framework_matrix(hostile), tmp_path / "f.xlsx"),
    ]:
        texts = [c.value for c in xlsx_cells(path) if isinstance(c.value, str)]
        assert any(t.startswith("Word's line") and "break." in t for t in texts), path


def test_framework_export_holds_no_formulas(hostile, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    matrix = framework_matrix(hostile, pseudonymise=False)
    export_framework(matrix, tmp_path / "f.xlsx")
    assert_safe_xlsx(tmp_path / "f.xlsx", {CODE, OTHER, ANSWER})


def test_report_tables_hold_no_formulas(tmp_path: Path) -> None:
    frame = pd.DataFrame({"people": [3, -1]}, index=pd.Index([CODE, "Money"], name=MEMO))
    target = Outputs(tmp_path).table(frame, "counts")
    assert target is not None
    assert csv_cells(target) == [f"'{MEMO}", "people", f"'{CODE}", "3", "Money", "-1"]


def test_codebook_csv_is_safe_and_reads_back_the_same(hostile, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    export_codebook(hostile, tmp_path / "book.csv")
    assert_safe_csv(tmp_path / "book.csv", {CODE, OTHER, "=2*3 when read aloud"})
    assert import_codebook(hostile, tmp_path / "book.csv").unchanged == 2
    other = qualcode.open_project(str(tmp_path / "other.qualcode"), user="tester")
    try:
        assert import_codebook(other, tmp_path / "book.csv").added == 2
        assert other.codebook.get(CODE).description == "=2*3 when read aloud"
        assert other.codebook.get(OTHER).name == OTHER
    finally:
        other.close()


# modes ------------------------------------------------------------------------------------------


def exports(project, folder: Path) -> list[Path]:  # type: ignore[no-untyped-def]
    written = [export_codings(project, folder / f"c.{suffix}") for suffix in ("csv", "xlsx")]
    for table in TABLES:
        written += export_table(project, folder / f"{table}.xlsx", table)
    written += export_table(project, folder / "presence.csv", "presence")
    written.append(export_framework(framework_matrix(project), folder / "f.xlsx"))
    written.append(export_codebook(project, folder / "book.csv"))
    table = Outputs(folder).table(pd.DataFrame({"n": [1]}), "n")
    assert table is not None
    return [*written, table]


@pytest.mark.parametrize(("mask", "mode"), [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_exports_take_their_mode_from_the_umask(hostile, tmp_path: Path, umask, mask, mode) -> None:  # type: ignore[no-untyped-def]
    os.umask(mask)
    written = exports(hostile, tmp_path / "out")
    assert {p.name: stat.S_IMODE(p.stat().st_mode) for p in written} == {
        p.name: mode for p in written
    }
    assert [p.name for p in (tmp_path / "out").iterdir() if p.name.startswith(".")] == []


def test_a_secret_stays_private_whatever_the_umask(tmp_path: Path, umask) -> None:  # type: ignore[no-untyped-def]
    os.umask(0o000)
    with atomic_path(tmp_path / "secret.txt", mode=0o600) as tmp:
        tmp.write_text("key", encoding="utf-8")
    assert stat.S_IMODE((tmp_path / "secret.txt").stat().st_mode) == 0o600


def test_a_control_character_in_the_codebook_does_not_stop_the_handout(project, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from docx import Document

    from qualcode.interop.handout import export_handout

    project.codebook.add("Money", description="Bills\x01 and debt\vand rent", example=CODE)
    export_handout(project, tmp_path / "h.docx")
    text = "\n".join(para.text for para in Document(str(tmp_path / "h.docx")).paragraphs)
    assert "Bills\ufffd and debt\nand rent" in text and CODE in text


def test_writing_over_an_export_keeps_its_permissions(hostile, tmp_path: Path, umask) -> None:  # type: ignore[no-untyped-def]
    os.umask(0o022)
    path = export_codings(hostile, tmp_path / "c.xlsx")
    path.chmod(0o600)  # someone made it private
    export_codings(hostile, path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    path.chmod(0o664)
    with atomic_path(path, mode=0o600) as tmp:  # a secret is never looser than asked
        tmp.write_text("key", encoding="utf-8")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_text_longer_than_a_cell_is_cut_and_says_so(tmp_path: Path) -> None:
    long = "=" + "word " * 10_000  # a whole interview coded whole
    write_xlsx(tmp_path / "long.xlsx", {"codings": pd.DataFrame({"text": [long, "short"]})})
    cells = xlsx_cells(tmp_path / "long.xlsx")
    assert [c.data_type for c in cells] == ["s", "s", "s"]
    cut = cells[1].value
    assert len(cut) == XLSX_CELL_CHARS and long.startswith(cut.split(" … [")[0])
    assert cut.endswith("cut to fit a spreadsheet cell; the CSV has them all]")
    assert cells[2].value == "short"
    write_csv(tmp_path / "long.csv", pd.DataFrame({"text": [long]}))
    assert csv_cells(tmp_path / "long.csv")[1] == f"'{long}"
