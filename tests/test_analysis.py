"""Analysis: frequencies, co-occurrence, framework matrix, quote bank, reach, recommendations,
and loading codings from a table, on a small project whose answers are known by hand."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
import yaml

import qualcode
from qualcode import analysis as qa
from qualcode.analysis.coding_table import import_codings
from qualcode.errors import NotFoundError, QualcodeError
from tests.conftest import ROOT

T1 = (
    "Interviewer: How do you get to the surgery?\n"
    "Participant: The bus only comes twice a day. The bus fare costs a fortune too.\n"
    "Interviewer: And the GP?\n"
    "Participant: You ring at eight and they've all gone.\n"
)
T2 = (
    "Interviewer: What is hard?\n"
    "Participant: Money is tight since the bus fare went up. I walk to the bus stop in the rain.\n"
)
T3 = "Interviewer: Anything else?\nParticipant: The bus never comes on a Sunday at all.\n"


def span(text: str, part: str) -> tuple[int, int]:
    start = text.index(part)
    return start, start + len(part)


@pytest.fixture
def small(tmp_path: Path) -> qualcode.Project:
    p = qualcode.open_project(tmp_path / "a.qualcode", user="tester")
    p.codebook.add("Everyday life")
    for name in ("Transport", "Money"):
        p.codebook.add(name, parent="Everyday life")
    p.codebook.add("Access to GP")
    d1 = p.add_document(T1, area="a", title="t1", case="C1", attributes={"group": "Carers"})
    d2 = p.add_document(T2, area="a", title="t2", case="C2", attributes={"group": "Young"})
    d3 = p.add_document(T3, area="b", title="t3", case="C3", attributes={"group": "Carers"})
    bus1 = span(T1, "The bus only comes twice a day.")
    fare1 = span(T1, "The bus fare costs a fortune too.")
    gp = span(T1, "You ring at eight and they've all gone.")
    p.code(d1, *bus1, "Transport", coder="amina")
    p.code(d1, *fare1, "Transport", coder="amina")
    p.code(d1, *fare1, "Money", coder="amina")  # same sentence: Transport with Money
    p.code(d1, *gp, "Access to GP", coder="amina")
    p.code(d1, *bus1, "Transport", coder="bob")  # the same passage as amina: one passage
    p.code(d1, *fare1, "Access to GP", coder="bob")  # bob's code on amina's sentence
    money = span(T2, "Money is tight since the bus fare went up.")
    p.code(d2, *money, "Money", coder="bob")
    p.code(d2, *money, "Transport", coder="bob")
    p.code(d2, *span(T2, "I walk to the bus stop in the rain."), "Transport", coder="bob")
    p.code(d3, *span(T3, "The bus never comes on a Sunday at all."), "Transport", coder="amina")
    p.code(d3, 0, 11, "Money", coder="suggest:themes")  # a machine's: never counted as a person's
    p.adjudicate(d1, *gp, "Access to GP", adjudicator="dawn")
    yield p
    p.close()


def row(frame, **match):  # type: ignore[no-untyped-def]
    found = frame
    for k, v in match.items():
        found = found[found[k] == v]
    assert len(found) == 1, (match, frame)
    return found.iloc[0]


def test_frequencies_count_codings_documents_and_people_of_human_coders(small) -> None:
    freq = qa.code_frequencies(small)
    transport = row(freq, code="Everyday life/Transport")
    assert (transport.codings, transport.documents, transport.participants) == (6, 3, 3)
    money = row(freq, code="Everyday life/Money")
    assert (money.codings, money.documents, money.participants) == (2, 2, 2)  # not the suggestion
    assert row(freq, code="Everyday life").codings == 0  # unused codes listed with zeros
    assert transport["name"] == "Transport"
    assert transport.share == 100.0  # all three people heard


def test_frequencies_by_area_and_attribute_and_by_coder_choice(small) -> None:
    by_area = qa.code_frequencies(small, by="area")
    assert row(by_area, area="b", code="Everyday life/Transport").participants == 1
    assert row(by_area, area="a", code="Everyday life/Transport").share == 100.0
    by_group = qa.code_frequencies(small, area="a", by="group")
    assert row(by_group, group="Young", code="Everyday life/Money").share == 100.0
    assert row(by_group, group="Carers", code="Access to GP").codings == 2

    final = qa.code_frequencies(small, coder="consensus")
    assert final.set_index("code")["codings"].to_dict()["Access to GP"] == 1
    assert final["codings"].sum() == 1
    machine = qa.code_frequencies(small, coder="suggest:themes")
    assert machine["codings"].sum() == 1  # only when asked by name
    with pytest.raises(QualcodeError, match="no case attribute 'ward'"):
        qa.code_frequencies(small, by="ward")
    with pytest.raises(NotFoundError, match="no coder named zed"):
        qa.code_frequencies(small, coder="zed")
    assert qa.frequency_chart(qa.code_frequencies(small)).data


def test_cooccurrence_by_sentence_counts_per_coder(small) -> None:
    m = qa.cooccurrence(small, unit="sentence")
    # amina: Transport+Money on the fare sentence; bob: Money+Transport on t2's first sentence.
    assert m.loc["Transport", "Money"] == 2 == m.loc["Money", "Transport"]
    # bob's Access to GP on amina's Transport sentence is a disagreement, not a pair.
    assert m.loc["Transport", "Access to GP"] == 0
    assert m.loc["Transport", "Transport"] == 6  # units given Transport, per coder
    turns = qa.cooccurrence(small, unit="turn", coder="amina")
    assert turns.loc["Transport", "Money"] == 1
    assert list(m.index) == ["Transport", "Money", "Access to GP"]  # codebook order


def test_cooccurrence_by_overlapping_spans(small) -> None:
    m = qa.cooccurrence(small, unit="overlap")
    assert m.loc["Transport", "Money"] == 2
    assert m.loc["Transport", "Access to GP"] == 0
    with pytest.raises(QualcodeError, match="not one of"):
        qa.cooccurrence(small, unit="page")
    fig = qa.cooccurrence_chart(m)
    assert fig.data[0].type == "heatmap"


def test_framework_matrix_cells_link_back_and_export_wraps(small, tmp_path: Path) -> None:
    matrix = qa.framework_matrix(small, area="a")
    assert list(matrix.columns) == ["Transport", "Money", "Access to GP"]
    assert len(matrix) == 2
    assert not set(matrix.index) & {"C1", "C2"}  # pseudonymous ids, not case names
    assert all(i.startswith("A-") for i in matrix.index)
    cell = next(c for c in matrix["Transport"] if "twice a day" in c)
    doc = small.document("t1")
    s, e = span(T1, "The bus only comes twice a day.")
    assert f"[doc {doc.id}: {s}-{e}]" in cell
    assert cell.count("twice a day") == 1  # amina's and bob's codings of it merged
    passages = matrix.attrs["passages"]
    for p_row in passages.itertuples():
        assert small.document(int(p_row.document_id)).text[p_row.start : p_row.end] == p_row.text
    short = qa.framework_matrix(small, area="a", words=3)
    assert "“The bus only …”" in " ".join(short["Transport"])

    out = tmp_path / "reports" / "framework.xlsx"
    qa.export_framework(matrix, out)
    book = openpyxl.load_workbook(out)
    sheet = book["framework"]
    assert [c.value for c in sheet[1]][:2] == ["case", "Transport"]
    assert sheet["B2"].alignment.wrap_text
    assert book["passages"].max_row == len(passages) + 1
    assert sorted(p.name for p in out.parent.iterdir()) == ["framework.xlsx"]  # no temp left


def test_quote_bank_prefers_central_readable_passages_from_different_people(tmp_path) -> None:
    p = qualcode.open_project(tmp_path / "q.qualcode", user="tester")
    p.codebook.add("Transport")
    texts = {
        "c1": "The bus to town only runs twice a day and the bus is always late for the hospital.",
        "c2": "The bus is late and the bus to the hospital runs twice a day, if it runs at all.",
        "c3": "My cat likes the window seat in the afternoon sun while I knit and listen.",
        "c4": "Bus.",
    }
    for case, text in texts.items():
        d = p.add_document(text, area="x", title=case, attributes={"population_group": "G"})
        p.code(d, 0, len(text), "Transport", coder="amina")
    extra = "The bus to the hospital is late again and runs twice a day, the bus is a joke."
    d = p.add_document(extra, area="x", title="c1b", case="c1")
    p.code(d, 0, len(extra), "Transport", coder="amina")
    bank = qa.quote_bank(p, per_code=3)
    quotes = bank["quote"].tolist()
    assert len(bank) == 3 and bank["rank"].tolist() == [1, 2, 3]
    assert set(quotes[:2]) <= {texts["c1"], texts["c2"], extra}
    assert len(set(bank["case_id"])) == 3  # one quote per person
    assert "Bus." not in quotes[:2]  # too short to represent anything
    assert bank["score"].is_monotonic_decreasing
    assert not set(bank["case_id"]) & set(texts)  # pseudonymous
    assert set(bank["group"].dropna()) == {"G"}
    assert qa.quote_bank(p, per_code=1, max_passages=2, seed=1)["rank"].tolist() == [1]
    p.close()


def test_reach_against_targets_flags_seldom_heard_and_is_audited(small, tmp_path) -> None:
    assert qa.set_targets(small, "a", {"Carers": 1, "Young": 3, "Veterans": 2}, attribute="group")
    assert not qa.set_targets(
        small, "a", {"Carers": 1, "Young": 3, "Veterans": 2}, attribute="group"
    )
    frame = qa.reach(small, area="a", attribute="group").set_index("group")
    assert frame.loc["Carers", "heard"] == 1 and not frame.loc["Carers", "under_target"]
    assert frame.loc["Young", "under_target"] and frame.loc["Young", "percent_of_target"] == 33.3
    assert frame.loc["Veterans", "heard"] == 0 and frame.loc["Veterans", "under_target"]
    assert "2 more" in frame.loc["Veterans", "note"]
    audit = small.audit_df(actor="tester")
    assert (audit["object"] == "area").sum() == 1

    config = yaml.safe_load((ROOT / "pipelines" / "areas.yaml").read_text())
    assert config["areas"]["worcester"]["targets"]["population_group"]
    changed = qa.apply_area_config(small, {"b": {"targets": {"group": {"Carers": 5}}}, "zz": {}})
    assert changed == ["b"]
    assert qa.targets(small, "b") == {"group": {"Carers": 5}}
    with pytest.raises(QualcodeError, match="whole number"):
        qa.set_targets(small, "a", {"Carers": "lots"})  # type: ignore[dict-item]
    with pytest.raises(NotFoundError, match="no area 'nowhere'"):
        qa.set_targets(small, "nowhere", {"Carers": 1})
    assert qa.reach_chart(qa.reach(small, attribute="group")).data


def test_recommendations_register_links_quotes_and_is_audited(project) -> None:
    d = project.add_document(T1, area="a", title="t1")
    project.codebook.add("Transport")
    quote = project.code(
        d, *span(T1, "The bus only comes twice a day."), "Transport", coder="amina"
    )
    rid = qa.add_recommendation(
        project, "Run a Sunday bus", area="a", codes=["Transport"], quotes=[quote.id], by="lead"
    )
    everywhere = qa.add_recommendation(project, "Publish the findings", area=None, by="lead")
    qa.update_recommendation(
        project, rid, status="accepted", response="Pilot from April", by="commissioner"
    )
    qa.update_recommendation(project, rid, status="accepted", by="commissioner")  # no change
    frame = qa.recommendations_df(project, area="a")
    assert list(frame.index) == [rid, everywhere]
    rec = frame.loc[rid]
    assert (rec.status, rec.response, rec.codes) == ("accepted", "Pilot from April", ["Transport"])
    assert rec.quote_texts == ["The bus only comes twice a day."]
    assert frame.loc[everywhere, "area"] == "(all areas)"
    assert list(qa.recommendations_df(project, status="open").index) == [everywhere]
    audit = project.audit_df()
    rows = audit[audit["object"] == "recommendation"]
    assert rows["action"].tolist() == ["add", "add", "update"]
    assert rows.iloc[2]["before"] == {"status": "open", "response": None}
    assert rows.iloc[2]["actor"] == "commissioner"
    with pytest.raises(QualcodeError, match="not one of: open, accepted"):
        qa.update_recommendation(project, rid, status="maybe")
    with pytest.raises(NotFoundError, match="no coding with id 999"):
        qa.add_recommendation(project, "x", area="a", quotes=[999])
    with pytest.raises(NotFoundError, match="no recommendation with id 999"):
        qa.update_recommendation(project, 999, status="done")


def test_a_version_1_store_gains_the_register(tmp_path: Path) -> None:
    copy = tmp_path / "old.qualcode"
    copy.write_bytes((ROOT / "tests" / "data" / "stores" / "schema-v1.qualcode").read_bytes())
    p = qualcode.open_project(copy, user="tester")
    area = p.areas()[0]
    rid = qa.add_recommendation(p, "Keep the group going", area=area)
    assert qa.recommendations_df(p).loc[rid, "status"] == "open"
    assert (tmp_path / "old.qualcode.v1.bak").is_file()
    p.close()


def test_codings_load_from_a_table_by_offsets_or_quoted_text(small, tmp_path: Path) -> None:
    table = tmp_path / "codings.tsv"
    s, e = span(T3, "on a Sunday")
    table.write_text(
        "# SYNTHETIC: notes before the heading are skipped\n"
        "area\ttitle\tstart\tend\tcode\tcoder\ttext\n"
        f"b\tt3\t{s}\t{e}\tMoney\tcara\ton a Sunday\n"
        "b\tt3\t\t\tAccess to GP\tcara\tThe bus never comes\n"
        f"b\tt3\t{s}\t{e}\tTransport\tconsensus\t\n"
    )
    report = import_codings(small, table)
    assert (report.added, report.already_there) == (3, 0)
    assert {c.text for c in small.codings("t3", coder="cara")} == {
        "on a Sunday",
        "The bus never comes",
    }
    assert [c.code for c in small.codings("t3", coder="consensus")] == ["Everyday life/Transport"]
    assert import_codings(small, table).added == 0  # loading again adds nothing

    bad = tmp_path / "bad.csv"
    bad.write_text(f"area,title,start,end,code,coder,text\nb,t3,{s},{e},Money,cara,Monday\n")
    with pytest.raises(QualcodeError, match="line 2: the text at"):
        import_codings(small, bad)
    missing = tmp_path / "missing.csv"
    missing.write_text("area,title,code,coder,text\nb,t9,Money,cara,bus\n")
    with pytest.raises(QualcodeError, match="no document titled 't9'"):
        import_codings(small, missing)
    unknown = tmp_path / "unknown.csv"
    unknown.write_text("area,title,code,coder,text\nb,t3,Weather,cara,bus never\n")
    before = len(small.codings())
    with pytest.raises(QualcodeError, match="Weather"):
        import_codings(small, unknown)
    assert len(small.codings()) == before  # checked before anything was written


def test_codings_load_from_xlsx_within_the_ingest_limits(small, tmp_path: Path) -> None:
    import zipfile

    import openpyxl

    s, e = span(T3, "on a Sunday")
    table = tmp_path / "codings.xlsx"
    book = openpyxl.Workbook()
    book.active.append(["area", "title", "start", "end", "code", "coder", "text"])
    book.active.append(["b", "t3", s, e, "Money", "cara", "on a Sunday"])
    book.active.append([None] * 7)  # a blank row, as spreadsheets keep
    book.active.append(["b", "t3", None, None, "Access to GP", "cara", "The bus never comes"])
    book.save(table)
    assert import_codings(small, table).added == 2
    assert {c.text for c in small.codings("t3", coder="cara")} == {
        "on a Sunday",
        "The bus never comes",
    }
    with zipfile.ZipFile(table, "a", zipfile.ZIP_DEFLATED) as zf, zf.open("xl/pad.xml", "w") as fh:
        for _ in range(30):  # 30 MB of spaces in a file of a few kilobytes
            fh.write(b" " * (1024 * 1024))
    with pytest.raises(QualcodeError, match=r"codings\.xlsx: xl/pad\.xml would expand .*zip bomb"):
        import_codings(small, table)
