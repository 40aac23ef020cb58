"""Mixed-methods exports: code x case matrices, quote and memo tables, their files and the CLI,
checked against codings made in the test."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from qualcode.analysis.matrices import (
    code_case_matrix,
    column_key,
    export_table,
    memo_table,
    quote_table,
    safe_name,
)
from qualcode.errors import QualcodeError
from qualcode.interop.tables import export_codings
from qualcode.privacy.errors import NotPseudonymisedError
from qualcode.store import new_guid, now, schema
from tests.cli import Done, run_cli

T1 = "The bus is late. Money is tight. The bus again today.\n"
T2 = "Nothing much to say. The bus is fine.\n"
T3 = "Quiet here.\n"
SAFE = re.compile(r"[a-z][a-z0-9_]{0,31}")


def span(text: str, part: str) -> tuple[int, int]:
    start = text.index(part)
    return start, start + len(part)


@pytest.fixture
def coded(project):  # type: ignore[no-untyped-def]
    """Three cases in two areas; amina and bob code, a machine suggests, memos written."""
    project.codebook.add("Everyday life")
    project.codebook.add("Transport & travel", parent="Everyday life")
    project.codebook.add("Money")
    project.codebook.add("Unused")
    d1 = project.add_document(
        T1, area="a", title="t1", case="C1", attributes={"population group": "Carers", "age": 70}
    )
    d2 = project.add_document(T2, area="a", title="t2", case="C2", attributes={"age": 19})
    d3 = project.add_document(T3, area="b", title="t3", case="C3")
    travel = "Everyday life/Transport & travel"
    project.code(d1, *span(T1, "The bus is late."), travel, coder="amina")
    project.code(d1, *span(T1, "The bus is late."), travel, coder="bob", memo="late, again")
    project.code(d1, *span(T1, "The bus again today."), travel, coder="amina")
    project.code(d1, *span(T1, "Money is tight."), "Money", coder="bob")
    project.code(d2, *span(T2, "The bus is fine."), travel, coder="amina")
    project.code(d2, 0, 7, "Money", coder="suggest:themes", memo="theme 3")
    with project.writing() as conn:
        author = conn.execute(schema.coders.select().where(schema.coders.c.name == "amina")).first()
        code_id = project.codebook.get("Money").id
        for title, text, doc, code in [
            ("about t2", "short interview", d2.id, None),
            ("money", "what counts as money?", None, code_id),
            ("both", "money in t1", d1.id, code_id),
            ("idea", "ask about buses next time", None, None),
            ("old", "on the other area", d3.id, None),
        ]:
            conn.execute(
                schema.memos.insert().values(
                    guid=new_guid(),
                    coder_id=author.id,
                    title=title,
                    text=text,
                    document_id=doc,
                    code_id=code,
                    created_at=now(),
                    updated_at=now(),
                )
            )
    return project, (d1, d2, d3)


def test_presence_and_counts_match_the_codings(coded) -> None:  # type: ignore[no-untyped-def]
    project, _ = coded
    presence = code_case_matrix(project)
    counts = code_case_matrix(project, counts=True)
    assert list(presence.columns) == [
        "area",
        "case",
        "case_id",
        "population_group",
        "age",
        "c_everyday_life",
        "c_everyday_life_transport_travel",
        "c_money",
        "c_unused",
    ]
    assert all(SAFE.fullmatch(c) for c in presence.columns)
    assert presence["case"].tolist() == ["C1", "C2", "C3"]  # every case, uncoded ones too
    # C1: transport twice (amina's and bob's "bus is late" merged into one passage), money once
    # C2: transport once (the machine's Money is not a person's coding); C3: nothing
    assert counts["c_everyday_life_transport_travel"].tolist() == [2, 1, 0]
    assert counts["c_money"].tolist() == [1, 0, 0]
    assert presence["c_everyday_life_transport_travel"].tolist() == [1, 1, 0]
    assert presence["c_money"].tolist() == [1, 0, 0]
    assert (presence["c_unused"] == 0).all() and (counts["c_everyday_life"] == 0).all()
    assert presence["population_group"].tolist()[:1] == ["Carers"]
    assert presence["age"].tolist()[:2] == [70, 19]
    machine = code_case_matrix(project, coders=["suggest:themes"])
    assert machine["c_money"].tolist() == [0, 1, 0]
    only_bob = code_case_matrix(project, counts=True, coders="bob", area="a")
    assert only_bob["case"].tolist() == ["C1", "C2"]
    assert only_bob["c_everyday_life_transport_travel"].tolist() == [1, 0]
    key = column_key(presence).set_index("column")
    assert (
        key.loc["c_everyday_life_transport_travel", "label"] == "Everyday life/Transport & travel"
    )
    assert key.loc["population_group", ["kind", "label"]].tolist() == [
        "attribute",
        "population group",
    ]
    hidden = code_case_matrix(project, pseudonymise=True)
    assert "case" not in hidden.columns and hidden["case_id"].str.match(r"^[AB]-").all()


def test_only_current_versions_count(coded) -> None:  # type: ignore[no-untyped-def]
    project, (d1, _, _) = coded
    start, end = span(T1, "Money")
    new, carried = project.revise(d1, [(start, end, "Cash")], by="tester")
    assert carried == 4
    counts = code_case_matrix(project, counts=True)
    assert counts["c_money"].tolist() == [1, 0, 0]  # not 2: the old version's codings drop
    quotes = quote_table(project)
    assert set(quotes["document_id"]) == {new.id, project.document("t2").id}
    assert "Cash is tight." in quotes["passage"].tolist()


def test_safe_names_are_unique_short_identifiers() -> None:
    taken: set[str] = set()
    names = [
        safe_name("Zugang zum Ärztehaus", taken, "c_"),
        safe_name("1st contact", taken),
        safe_name("", taken),
        safe_name("x" * 40, taken),
        safe_name("x" * 40, taken),
        safe_name("A/B", taken),
        safe_name("a b", taken),
    ]
    assert names[:3] == ["c_zugang_zum_arztehaus", "v_1st_contact", "v"]
    assert names[3] == "x" * 32 and names[4] == "x" * 30 + "_2"
    assert names[5:] == ["a_b", "a_b_2"]
    assert all(SAFE.fullmatch(n) for n in names)


def test_quote_table_rows_are_codings_with_case_and_passage(coded) -> None:  # type: ignore[no-untyped-def]
    project, _ = coded
    quotes = quote_table(project)
    assert list(quotes.columns) == [
        "area",
        "case",
        "case_id",
        "population group",
        "age",
        "code",
        "passage",
        "coder",
        "document",
        "document_id",
        "start",
        "end",
        "coding_id",
        "memo",
    ]
    assert len(quotes) == 5 and "suggest:themes" not in set(quotes["coder"])
    for row in quotes.itertuples():
        assert project.document(int(row.document_id)).text[row.start : row.end] == row.passage
    late = quotes[(quotes["coder"] == "bob") & (quotes["code"].str.endswith("travel"))].iloc[0]
    assert (late["case"], late["population group"], late["memo"]) == ("C1", "Carers", "late, again")
    assert late["passage"] == "The bus is late." and late["document"] == "t1"
    hidden = quote_table(project, pseudonymise=True, coders=["amina"])
    assert "case" not in hidden.columns and "document" not in hidden.columns
    assert set(hidden["coder"]) == {"amina"} and len(hidden) == 3


def test_memo_table_says_what_each_memo_is_attached_to(coded) -> None:  # type: ignore[no-untyped-def]
    project, _ = coded
    memos = memo_table(project).set_index("memo")
    assert memos.loc["late, again", "attached_to"] == "coding"
    assert memos.loc["late, again", "passage"] == "The bus is late."
    assert memos.loc["late, again", "author"] == "bob"
    assert memos.loc["theme 3", "author"] == "suggest:themes"
    assert memos.loc["short interview", "attached_to"] == "document"
    assert memos.loc["short interview", "case"] == "C2"
    assert memos.loc["what counts as money?", "attached_to"] == "code"
    assert memos.loc["what counts as money?", "code"] == "Money"
    assert memos.loc["money in t1", "attached_to"] == "document and code"
    assert memos.loc["ask about buses next time", "attached_to"] == "free"
    assert pd.isna(memos.loc["ask about buses next time", "document_id"])
    assert memos["created_at"].is_monotonic_increasing
    in_a = memo_table(project, area="a")["memo"].tolist()
    assert "on the other area" not in in_a and "ask about buses next time" in in_a
    assert len(in_a) == len(memos) - 1


def test_empty_project_gives_empty_tables(project) -> None:  # type: ignore[no-untyped-def]
    assert code_case_matrix(project).empty
    assert quote_table(project).empty and memo_table(project).empty
    project.codebook.add("Transport")
    project.add_document("Nothing coded here.\n", area="a", title="t")
    matrix = code_case_matrix(project, counts=True)
    assert matrix["c_transport"].tolist() == [0]


def test_exports_write_the_table_and_its_key(coded, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    project, _ = coded
    written = export_table(project, tmp_path / "presence.csv", "presence")
    assert written == [tmp_path / "presence.csv", tmp_path / "presence-key.csv"]
    rows = list(csv.DictReader((tmp_path / "presence.csv").open()))
    assert [r["c_money"] for r in rows] == ["1", "0", "0"]
    key = list(csv.DictReader((tmp_path / "presence-key.csv").open()))
    assert {"column": "c_money", "kind": "code", "label": "Money"} in key
    export_table(project, tmp_path / "counts.xlsx", "counts")
    book = openpyxl.load_workbook(tmp_path / "counts.xlsx")
    assert book.sheetnames == ["counts", "key"]
    header = [c.value for c in book["counts"][1]]
    column = header.index("c_everyday_life_transport_travel") + 1
    assert [book["counts"].cell(row=r, column=column).value for r in (2, 3, 4)] == [2, 1, 0]
    assert export_table(project, tmp_path / "q.xlsx", "quotes") == [tmp_path / "q.xlsx"]
    assert openpyxl.load_workbook(tmp_path / "q.xlsx")["quotes"].max_row == 6
    export_table(project, tmp_path / "m.csv", "memos")
    assert len(list(csv.DictReader((tmp_path / "m.csv").open()))) == 7


def test_bad_exports_are_refused_and_write_nothing(coded, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    project, _ = coded
    tmp_path = tmp_path / "out"
    tmp_path.mkdir()
    with pytest.raises(QualcodeError, match=r"out\.pdf: export the presence table as \.csv"):
        export_table(project, tmp_path / "out.pdf", "presence")
    with pytest.raises(QualcodeError, match="table 'people' is not one of presence, counts"):
        export_table(project, tmp_path / "out.csv", "people")
    with pytest.raises(QualcodeError, match="leave out coder"):
        export_table(project, tmp_path / "out.csv", "memos", coders="amina")
    with pytest.raises(NotPseudonymisedError, match="not pseudonymised"):
        export_table(project, tmp_path / "out.csv", "counts", only_pseudonymised=True)
    with pytest.raises(QualcodeError, match="no coder named zed"):
        code_case_matrix(project, coders=["zed"])
    assert list(tmp_path.iterdir()) == []


def test_only_pseudonymised_drops_names(coded, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    project, docs = coded
    for doc in docs:
        project.revise(doc, [(0, 1, doc.text[0])], by="tester", meta={"pseudonymised": True})
    matrix = code_case_matrix(project, only_pseudonymised=True, counts=True)
    assert "case" not in matrix.columns
    assert matrix["c_everyday_life_transport_travel"].tolist() == [2, 1, 0]
    assert "document" not in memo_table(project, pseudonymise=True).columns
    quotes = quote_table(project, only_pseudonymised=True)
    assert "memo" not in quotes.columns and "late, again" not in quotes.to_string()
    assert "memo" in quote_table(project).columns  # shown when the text need not be pseudonymous
    with pytest.raises(QualcodeError, match="memos are coders' own words"):
        memo_table(project, only_pseudonymised=True)  # memos are never scanned: not shared
    with pytest.raises(QualcodeError, match="memos are coders' own words"):
        export_table(project, tmp_path / "m.csv", "memos", only_pseudonymised=True)
    assert not (tmp_path / "m.csv").exists()


@pytest.mark.sqlite_only  # the command is given the store's file path
def test_cli_export_table(coded, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    project, _ = coded
    store = project.location
    project.close()
    tmp_path = tmp_path / "out"
    tmp_path.mkdir()

    def run(*args: str) -> Done:
        return run_cli(*args, "-p", store, cwd=tmp_path)

    result = run("export", str(tmp_path / "m.csv"), "--table", "counts", "--coder", "amina")
    assert result.returncode == 0, result.stderr
    assert "m-key.csv" in result.stdout
    rows = list(csv.DictReader((tmp_path / "m.csv").open()))
    assert [r["c_everyday_life_transport_travel"] for r in rows] == ["2", "1", "0"]
    result = run("export", str(tmp_path / "m.xlsx"), "--table", "nope")
    assert result.returncode == 1 and result.stderr.startswith("error: ")
    assert "is not one of presence, counts, quotes, memos" in result.stderr
    result = run("export", str(tmp_path / "p.qdpx"), "--table", "quotes")
    assert result.returncode == 1 and "--table apply to .csv and .xlsx" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m-key.csv", "m.csv"]


def test_export_panel_writes_the_chosen_table(coded, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from qualcode.widgets.export_panel import ExportPanel

    project, _ = coded
    panel = ExportPanel(project)
    assert panel.export() is None and "file name" in panel.status.value
    panel.path.value = str(tmp_path / "m.txt")
    assert panel.export() is None and "as .csv or .xlsx" in panel.status.value
    panel.table.value = "presence"
    panel.area.value = "a"
    panel.coders.value = "amina"
    panel.path.value = str(tmp_path / "m.csv")
    written = panel.export()
    assert written == [tmp_path / "m.csv", tmp_path / "m-key.csv"]
    frame = pd.read_csv(written[0])
    expected = code_case_matrix(project, area="a", coders=["amina"])
    assert frame["case"].tolist() == expected["case"].tolist() == ["C1", "C2"]
    assert "m-key.csv" in panel.status.value
    panel.pseudonymised.value = True  # nothing here is pseudonymised: refused, nothing written
    panel.path.value = str(tmp_path / "p.csv")
    assert panel.export() is None and "not pseudonymised" in panel.status.value
    assert not (tmp_path / "p.csv").exists()


def test_a_misspelt_area_or_coder_is_refused_not_an_empty_table(coded, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    project, _ = coded
    for make in (code_case_matrix, quote_table, memo_table):
        with pytest.raises(QualcodeError, match="no area named 'worcster'; the areas are"):
            make(project, area="worcster")
    with pytest.raises(QualcodeError, match="no coder named amna in this project"):
        quote_table(project, coders=["amna"])
    with pytest.raises(QualcodeError, match="no coder named amna"):
        export_codings(project, tmp_path / "bad.csv", coder="amna")
    assert not (tmp_path / "bad.csv").exists()
    export_codings(project, tmp_path / "none.csv", coder="consensus")  # the layer, still empty
    assert pd.read_csv(tmp_path / "none.csv").empty
    assert project.codings_df(coder="carol").empty  # a coder who has not coded yet: no error


def test_memos_written_and_removed_through_the_project(project) -> None:  # type: ignore[no-untyped-def]
    """p.add_memo writes document, code, document-and-code and free memos; memo_table shows
    them; a coder removes only their own; bad input writes nothing."""
    doc = project.add_document("Interviewer: Hi?\nParticipant: The bus.\n", area="a", title="t")
    project.codebook.add("Transport")
    ids = [
        project.add_memo("Short interview.\nAsk again.", coder="amina", document=doc),
        project.add_memo("What counts as transport?", coder="amina", code="Transport"),
        project.add_memo("Buses here", coder="bob", document="t", code="Transport", title="B"),
        project.add_memo("  Follow up the lift scheme  ", coder="bob"),
    ]
    memos = memo_table(project).set_index("memo_id")
    assert memos.loc[ids, "attached_to"].tolist() == [
        "document",
        "code",
        "document and code",
        "free",
    ]
    assert memos.loc[ids, "title"].tolist() == [
        "Short interview.",
        "What counts as transport?",
        "B",
        "Follow up the lift scheme",
    ]
    assert memos.loc[ids[2], "document"] == "t" and memos.loc[ids[2], "code"] == "Transport"
    with pytest.raises(QualcodeError, match="written by bob, not amina"):
        project.delete_memo(ids[3], coder="amina")
    project.delete_memo(ids[3], coder="bob")
    assert ids[3] not in set(memo_table(project)["memo_id"])
    with pytest.raises(QualcodeError, match="no memo with id"):
        project.delete_memo(ids[3], coder="bob")
    before = len(memo_table(project))
    for bad in (
        lambda: project.add_memo("  ", coder="amina"),
        lambda: project.add_memo("x", coder="amina", document="nope"),
        lambda: project.add_memo("x", coder="amina", code="Nope"),
        lambda: project.add_memo("x", coder="consensus"),
    ):
        with pytest.raises(QualcodeError):
            bad()
    assert len(memo_table(project)) == before
    audit = project.audit_df()
    assert audit.query("object == 'memo'")["action"].tolist() == ["add"] * 4 + ["delete"]
