"""The `qualcode` command, run as a user runs it."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import openpyxl

from tests.cli import run_cli as run

QUALCODE = str(Path(sys.executable).parent / "qualcode")
TRANSCRIPT = "Interviewer: How do you get to the hospital?\nParticipant: Two buses and a prayer.\n"


def script(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """The installed `qualcode` script in a new process: for what only a real start shows."""
    return subprocess.run([QUALCODE, *args], cwd=cwd, capture_output=True, text=True, timeout=300)


def test_init_ingest_codebook_status_export(tmp_path: Path) -> None:
    store = str(tmp_path / "p.qualcode")
    book = tmp_path / "book.yaml"
    book.write_text("codes:\n  - name: Transport\n    shortcut: '7'\n")
    (tmp_path / "raw").mkdir()
    (tmp_path / "raw" / "t1.txt").write_text(TRANSCRIPT)
    result = run("init", "--project", store, "--codebook", str(book), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "1 codes added" in result.stdout

    result = run("ingest", str(tmp_path / "raw"), "--area", "worcester", "-p", store, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "1 added" in result.stdout

    import qualcode

    p = qualcode.open_project(store)
    p.code(p.documents()[0], 0, 11, "Transport", coder="amina")
    p.close()

    result = run("status", "--project", store, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "worcester" in result.stdout and "amina" in result.stdout

    result = run("export", str(tmp_path / "out.csv"), "--project", store, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader((tmp_path / "out.csv").open()))
    assert [(r["code"], r["coder"], r["text"]) for r in rows] == [
        ("Transport", "amina", "Interviewer")
    ]

    result = run(
        "export", str(tmp_path / "out.xlsx"), "--coder", "amina", "-p", store, cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    sheet = openpyxl.load_workbook(tmp_path / "out.xlsx").active
    header = [c.value for c in next(sheet.iter_rows(max_row=1))]
    assert "text" in header and sheet.max_row == 2

    result = run("codebook", "export", str(tmp_path / "book.csv"), "-p", store, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Transport" in (tmp_path / "book.csv").read_text()


def test_default_project_is_the_sample_store(tmp_path: Path) -> None:
    result = run("init", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "data" / "coded" / "sample.qualcode").is_file()


def test_refused_files_exit_non_zero_and_name_the_file(tmp_path: Path) -> None:
    (tmp_path / "good.txt").write_text(TRANSCRIPT)
    (tmp_path / "empty.txt").write_text("")
    result = run(
        "ingest",
        str(tmp_path / "good.txt"),
        str(tmp_path / "empty.txt"),
        "--area",
        "a",
        "-p",
        str(tmp_path / "p.qualcode"),
        cwd=tmp_path,
    )
    assert result.returncode == 1
    assert "1 added" in result.stdout
    assert f"refused {tmp_path / 'empty.txt'}: the file is empty" in result.stderr


def test_user_errors_are_one_line_and_exit_one(tmp_path: Path) -> None:
    (tmp_path / "notes.qualcode").write_text("not a database " * 100)
    result = script("status", "-p", str(tmp_path / "notes.qualcode"), cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr
    result = run(
        "export", str(tmp_path / "out.pdf"), "-p", str(tmp_path / "p.qualcode"), cwd=tmp_path
    )
    assert result.returncode == 1 and "out.pdf" in result.stderr
    assert not (tmp_path / "out.pdf").exists()


def test_a_mistyped_project_is_refused_not_created(tmp_path: Path) -> None:
    """Only the commands that bring work in (init, ingest, import, merge, codebook import)
    start a project; the others refuse a path with no store and leave no empty one behind."""
    missing = str(tmp_path / "smaple.qualcode")
    for args in (
        ["status"],
        ["export", "out.csv"],
        ["round", "list"],
        ["autocode", "bus", "--code", "Transport", "--coder", "amina"],
        ["redact", "list"],
        ["pipeline", "status"],
    ):
        result = run(*args, "-p", missing, cwd=tmp_path)
        assert result.returncode == 1, (args, result.stdout, result.stderr)
        assert result.stderr.startswith(f"error: no project store at {missing}"), result.stderr
        assert "Traceback" not in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == []
    assert run("round", "list", cwd=tmp_path).returncode == 1  # nor the default sample path
    assert not (tmp_path / "data").exists()


def test_coder_list_lead_rename_merge_and_restore(tmp_path: Path) -> None:
    import warnings

    import qualcode

    path = str(tmp_path / "p.qualcode")
    with qualcode.open_project(path, user="dawn") as p, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "Amina K" beside "Amina": that is the point
        doc = p.add_document(TRANSCRIPT, area="hartlepool", title="hp-1")
        p.codebook.add("Transport")
        p.code(doc, 0, 11, "Transport", coder="Amina")
        p.code(doc, 0, 11, "Transport", coder="Amina K")
        p.code(doc, 12, 20, "Transport", coder="bob")
    result = run("coder", "merge", "amina k", "AMINA", "--by", "bob", "-p", path, cwd=tmp_path)
    assert result.returncode == 1 and "no lead is set yet" in result.stderr
    assert "Traceback" not in result.stderr and result.stderr.count("\n") == 1
    assert run("coder", "lead", "Dawn", "--by", "dawn", "-p", path, cwd=tmp_path).returncode == 0
    result = run("coder", "merge", "amina k", "AMINA", "--by", "dawn", "-p", path, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "1 identical ones kept once" in result.stdout
    result = run("coder", "rename", "bob", "amina", "--by", "dawn", "-p", path, cwd=tmp_path)
    assert result.returncode == 1 and "would merge" in result.stderr
    assert "'Amina' is already a coder" in result.stderr and "coder merge" in result.stderr
    listing = run("coder", "list", "-p", path, cwd=tmp_path).stdout
    rows = [line.split() for line in listing.splitlines()[1:]]
    assert rows == [
        ["Amina", "coder", "False", "1", "0"],
        ["bob", "coder", "False", "1", "0"],
        ["Dawn", "coder", "True", "0", "0"],
    ]
    with qualcode.open_project(path, user="dawn") as p:
        p.codebook.delete("Transport", confirm=True)
    result = run("coder", "restore-code", "Transport", "--by", "dawn", "-p", path, cwd=tmp_path)
    assert result.returncode == 0 and "restored 'Transport' with 2 codings" in result.stdout
