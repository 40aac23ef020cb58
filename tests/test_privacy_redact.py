"""Scan, review and apply on SQLite and PostgreSQL: the key apart from the project, consistent
pseudonyms, pending findings blocking apply, and every coding carried to the new version."""

from __future__ import annotations

import stat
import zipfile
from pathlib import Path

import pandas as pd
import pytest

import qualcode
from qualcode.interop.merge import merge_project
from qualcode.privacy import (
    NotPseudonymisedError,
    PendingFindingsError,
    PrivacyError,
    PseudonymKey,
    accept_kind,
    apply,
    decide,
    findings_df,
    purge,
    require_pseudonymised,
    scan,
)

TEXT = """[SYNTHETIC test transcript]
Interviewer: Who helps you?
Participant: My daughter Sarah, she lives at 14 Seaton Lane, TS24 8AB. Ring her on 07700 900123.
Interviewer: And the GP?
Participant: Dr Okafor is good. My NHS number is 943 476 5919, I was born on 12/03/1957.
Participant: Sarah says I should email sarah.j@example.com about it. It's £45 at 8am.
"""
OTHER = """[SYNTHETIC]
Interviewer: Anything else?
Participant: Only that Sarah came round on Tuesday, with a lad called Darren.
"""
NOTHING = "[SYNTHETIC]\nInterviewer: How is it?\nParticipant: The bus is the worst bit.\n"


@pytest.fixture
def key(project: qualcode.Project, tmp_path: Path):  # type: ignore[no-untyped-def]
    k = PseudonymKey.open(project, tmp_path / "keys" / "test.key.sqlite")
    yield k
    k.close()


def _coded(project: qualcode.Project):  # type: ignore[no-untyped-def]
    doc = project.add_document(TEXT, area="hartlepool", title="hp-priv")
    project.codebook.add("Family")
    project.codebook.add("Access to GP")
    spans = [
        (TEXT.index("My daughter"), TEXT.index("TS24 8AB") + 8, "Family", "amina"),
        (TEXT.index("Sarah"), TEXT.index("Sarah") + 5, "Family", "bob"),
        (TEXT.index("Dr Okafor"), TEXT.index("is good.") + 8, "Access to GP", "amina"),
        (TEXT.index("Ring her"), TEXT.index("Ring her") + 8, "Family", "bob"),
        (TEXT.index("12/03") + 3, TEXT.index("12/03") + 5, "Access to GP", "bob"),  # inside
    ]
    for start, end, code, coder in spans:
        project.code(doc, start, end, code, coder=coder)
    return doc


def test_scan_stores_pending_findings_with_context_and_pseudonyms(project, key) -> None:  # type: ignore[no-untyped-def]
    _coded(project)
    found = scan(project, key)
    assert {"document", "kind", "text", "context", "pseudonym", "status"} <= set(found.columns)
    assert set(found["status"]) == {"pending"}
    kinds = set(found["kind"])
    assert {"person", "address", "postcode", "phone", "nhs_number", "date_of_birth"} <= kinds
    assert "email" in kinds
    sarah = found[found["text"] == "Sarah"]
    assert len(sarah) == 2 and set(sarah["pseudonym"]) == {"[PERSON 1]"}
    assert "[[Sarah]]" in sarah["context"].iloc[0]
    again = scan(project, key)  # scanning again adds nothing and keeps decisions
    assert len(again) == len(found)


def test_pseudonyms_are_consistent_per_value(key) -> None:  # type: ignore[no-untyped-def]
    first = key.pseudonym("person", "Sarah")
    assert key.pseudonym("person", "  SARAH ") == first
    assert key.pseudonym("person", "Sarah's") == first
    assert key.pseudonym("person", "Darren") == "[PERSON 2]"
    assert key.pseudonym("postcode", "ts24 8ab") == key.pseudonym("postcode", "TS248AB")
    assert key.pseudonym("phone", "+44 7700 900123") == key.pseudonym("phone", "07700 900123")
    assert key.pseudonym("date_of_birth", "12/03/1957") == key.pseudonym(
        "date_of_birth", "12th March 1957"
    )
    assert key.pseudonym("nhs_number", "9434765919") == "[NHS NUMBER 1]"
    assert key.original(first) == "Sarah"
    assert list(key.key_df()["pseudonym"])[:1] == ["[DATE OF BIRTH 1]"]


def test_apply_is_blocked_while_findings_are_pending(project, key) -> None:  # type: ignore[no-untyped-def]
    doc = _coded(project)
    found = scan(project, key)
    with pytest.raises(PendingFindingsError, match=rf"{len(found)} findings are still pending"):
        apply(project, key, by="dawn")
    assert project.document(doc.title).version == 1  # nothing applied


def test_apply_makes_a_pseudonymised_version_and_carries_every_coding(project, key) -> None:  # type: ignore[no-untyped-def]
    doc = _coded(project)
    before = project.codings(doc)
    found = scan(project, key)
    money = found[found["text"].str.contains("Okafor")]
    decide(key, money.index, accept=False, by="dawn")  # a reviewer keeps this one
    for kind in set(found["kind"]):
        accept_kind(key, kind, by="dawn")
    assert set(findings_df(key)["status"]) == {"accepted", "rejected"}
    done = apply(project, key, by="dawn")
    assert list(done["replaced"]) == [len(found) - 1]
    assert list(done["codings_carried"]) == [len(before)]

    new = project.document(doc.title)
    assert new.version == 2 and new.meta["pseudonymised"] is True
    for original in ("Sarah", "14 Seaton Lane", "TS24 8AB", "07700 900123", "943 476 5919"):
        assert original not in new.text
    assert "12/03/1957" not in new.text and "sarah.j@example.com" not in new.text
    assert "Dr Okafor" in new.text  # rejected: left as it was
    assert "My daughter [PERSON 1], she lives at [ADDRESS 1], [POSTCODE 1]." in new.text
    assert "£45 at 8am" in new.text

    after = project.codings(new)
    assert len(after) == len(before)
    key_of = lambda c: (c.code, c.coder)  # noqa: E731
    assert sorted(map(key_of, after)) == sorted(map(key_of, before))
    texts = {c.text for c in after}
    assert "My daughter [PERSON 1], she lives at [ADDRESS 1], [POSTCODE 1]" in texts
    assert "[PERSON 1]" in texts  # the coding of exactly the name covers its pseudonym
    assert "[DATE OF BIRTH 1]" in texts  # a coding inside a replaced span still exists
    assert "Dr Okafor is good." in texts
    assert project.codings(doc.id) == before  # the old version keeps its codings
    assert set(findings_df(key)["status"]) == {"applied", "rejected"}
    assert require_pseudonymised(project) == [new]


def test_documents_with_nothing_found_are_marked_and_pseudonyms_span_documents(
    project, key
) -> None:  # type: ignore[no-untyped-def]
    project.add_document(TEXT, area="hartlepool", title="a")
    project.add_document(OTHER, area="worcester", title="b")
    project.add_document(NOTHING, area="worcester", title="c")
    found = scan(project, key)
    assert "c" not in set(found["document"])
    sarahs = found[found["text"].str.lower() == "sarah"]
    assert set(sarahs["document"]) == {"a", "b"} and sarahs["pseudonym"].nunique() == 1
    accept_kind(key, "person")
    for kind in set(found["kind"]) - {"person"}:
        accept_kind(key, kind, accept=False)
    done = apply(project, key, by="dawn")
    assert sorted(done["document"]) == ["a", "b", "c"]
    assert project.document("b").text.count("[PERSON 1]") == 1
    assert project.document("c").meta["pseudonymised"] is True
    assert apply(project, key, by="dawn").empty  # nothing left to apply


def test_require_pseudonymised_names_the_documents_that_are_not(project, key) -> None:  # type: ignore[no-untyped-def]
    project.add_document(NOTHING, area="worcester", title="done")
    scan(project, key)
    apply(project, key, by="dawn")
    project.add_document(TEXT, area="hartlepool", title="raw-one")
    with pytest.raises(NotPseudonymisedError, match=r"1 of 2 documents.*hartlepool/raw-one"):
        require_pseudonymised(project)
    assert [d.title for d in require_pseudonymised(project, area="worcester")] == ["done"]
    with pytest.raises(NotPseudonymisedError, match="raw-one"):
        require_pseudonymised(project, ["raw-one"])


def test_a_document_changed_after_its_scan_must_be_scanned_again(project, key) -> None:  # type: ignore[no-untyped-def]
    project.add_document(TEXT, area="hartlepool", title="t")
    found = scan(project, key)
    decide(key, found.index, accept=True)
    project.add_document(TEXT + "Participant: One more thing.\n", area="hartlepool", title="t")
    with pytest.raises(PrivacyError, match="changed since they were scanned"):
        apply(project, key, by="dawn")
    rescanned = scan(project, key)
    assert set(rescanned["status"]) == {"pending"}  # the old version's findings are gone
    assert len(findings_df(key)) == len(rescanned)


def test_decide_refuses_unknown_ids(key) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(PrivacyError, match="no finding with id 999"):
        decide(key, [999], accept=True)


@pytest.mark.sqlite_only
def test_key_file_sits_beside_a_sqlite_store_readable_by_its_owner_only(project) -> None:  # type: ignore[no-untyped-def]
    project.add_document(TEXT, area="hartlepool", title="t")
    with PseudonymKey.open(project) as key:
        found = scan(project, key)
        accept_kind(key, "person")
        for kind in set(found["kind"]) - {"person"}:
            accept_kind(key, kind)
        apply(project, key, by="dawn")
    path = Path(project.location + ".key.sqlite")
    assert path.exists() and stat.S_IMODE(path.stat().st_mode) == 0o600
    with PseudonymKey.open(project) as key:  # originals live in the key...
        assert key.original("[PERSON 1]") == "Sarah"

    from qualcode.interop.refi import export_qdpx

    out = export_qdpx(project, Path(project.location).with_suffix(".qdpx"))
    with zipfile.ZipFile(out) as zf:  # ...and never in an export
        blob = b"".join(zf.read(n) for n in zf.namelist())
    for original in (b"Sarah", b"Seaton Lane", b"TS24 8AB", b"07700 900123", b"943 476 5919"):
        assert original not in blob
    assert b"[PERSON 1]" in blob


@pytest.mark.sqlite_only
def test_a_key_belongs_to_one_project_and_is_never_the_store(project, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "shared.key.sqlite"
    PseudonymKey.open(project, path).close()
    other = qualcode.open_project(tmp_path / "other.qualcode")
    with pytest.raises(PrivacyError, match="another project"):
        PseudonymKey.open(other, path)
    with pytest.raises(PrivacyError, match="project store"):
        PseudonymKey.open(project, project.location)
    other.close()
    path.chmod(0o644)
    PseudonymKey.open(project, path).close()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_server_store_needs_a_key_path(postgres_url: str) -> None:
    server = qualcode.open_project(postgres_url)
    try:
        with pytest.raises(PrivacyError, match="give a key file path"):
            PseudonymKey.open(server)
    finally:
        server.close()


def _store_bytes(project: qualcode.Project) -> bytes:
    path = Path(project.location)
    return b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*") if p.is_file())


def test_purge_removes_the_originals_from_earlier_versions(project, key) -> None:  # type: ignore[no-untyped-def]
    doc = _coded(project)
    for kind in set(scan(project, key)["kind"]):
        accept_kind(key, kind, by="dawn")
    apply(project, key, by="dawn")
    new = project.document(doc.title)
    carried = sorted((c.code, c.coder, c.text) for c in project.codings(new))

    listed = purge(project, by="dawn", dry_run=True)
    assert listed[["document", "version", "codings"]].values.tolist() == [["hp-priv", 1, 5]]
    assert project.document(doc.id).text == TEXT  # a dry run changes nothing

    done = purge(project, by="dawn")
    assert done["document_id"].tolist() == [doc.id]
    old = project.document(doc.id)
    assert old.text == "" and old.sha256 == doc.sha256 and old.meta["purged_by"] == "dawn"
    assert project.codings(doc.id) == [] and project.units_df(document=doc.id).empty
    assert sorted((c.code, c.coder, c.text) for c in project.codings(new)) == carried
    assert project.audit_df(actor="dawn").query("action == 'purge'")["object_id"].tolist() == [
        doc.id
    ]
    if project.engine.dialect.name == "sqlite":  # not in free pages or the WAL either
        raw = _store_bytes(project)
        for original in (b"Seaton Lane", b"07700 900123", b"943 476 5919"):
            assert original not in raw
    assert purge(project, by="dawn").empty  # nothing left to purge


def test_purge_leaves_documents_that_are_not_pseudonymised(project, key) -> None:  # type: ignore[no-untyped-def]
    doc = _coded(project)
    project.revise(doc, [(0, 11, "[SYNTHETIC]")], by="dawn")  # a revision, not pseudonymised
    assert purge(project, by="dawn").empty
    assert project.document(doc.id).text == TEXT
    with pytest.raises(PrivacyError, match="by="):
        purge(project, by=" ")


def test_pseudonymised_exports_name_cases_and_documents_by_case_id(project, key, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Titles and case names are often people's names: an --only-pseudonymised codings table
    and .qdpx carry the pseudonymous case id instead, the same id the quote table gives."""
    from qualcode.analysis.matrices import quote_table
    from qualcode.interop.refi import export_qdpx, import_qdpx
    from qualcode.interop.tables import export_codings

    _coded(project)
    for n, title in enumerate(["Sarah Jones, first visit", "Sarah Jones, second visit"]):
        doc = project.add_document(
            OTHER.replace("Tuesday", f"Tuesday {n}"),
            area="hartlepool",
            title=title,
            case="Sarah Jones",
        )
        project.code(doc, 0, 11, "Family", coder="amina")
    for kind in set(scan(project, key)["kind"]):
        accept_kind(key, kind, by="dawn")
    apply(project, key, by="dawn")
    expected = quote_table(project).drop_duplicates("case")[["case", "case_id"]]
    ids = dict(zip(expected["case"], expected["case_id"], strict=True))
    assert set(ids) == {"hp-priv", "Sarah Jones"}

    table = pd.read_csv(export_codings(project, tmp_path / "c.csv", only_pseudonymised=True))
    assert "case" not in table.columns and "title" not in table.columns
    assert set(table["case_id"]) == set(ids.values())
    assert "Sarah Jones" in export_codings(project, tmp_path / "all.csv").read_text()

    qdpx = export_qdpx(project, tmp_path / "p.qdpx", only_pseudonymised=True)
    with zipfile.ZipFile(qdpx) as zf:
        xml = zf.read("project.qde").decode("utf-8")
    assert "Sarah" not in xml and "hp-priv" not in xml
    sarah = ids["Sarah Jones"]
    assert f'name="{sarah}"' in xml and f'name="{sarah} (2)"' in xml  # case, its 2 documents
    other = qualcode.open_project(tmp_path / "partner.qualcode")
    import_qdpx(qdpx, other)  # what the partner organisation sees
    assert sorted(d.title for d in other.documents()) == sorted(
        [ids["hp-priv"], sarah, f"{sarah} (2)"]
    )
    assert all("Sarah" not in d.text for d in other.documents())
    back = other.document(f"{sarah} (2)")
    other.code(back, 0, 11, "Family", coder="partner")  # they code, and send it back
    export_qdpx(other, tmp_path / "back.qdpx")
    other.close()
    before = project.documents_df()
    report = merge_project(project, tmp_path / "back.qdpx", area="hartlepool")
    assert (report.added["documents"], report.added["cases"], report.added["codings"]) == (0, 0, 1)
    assert project.documents_df()[["title", "case"]].equals(before[["title", "case"]])
    assert project.codings_df(coder="partner")["case"].tolist() == ["Sarah Jones"]


def test_pseudonymised_exports_leave_the_coders_memos_home(project, key, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Memos are the coders' own words, never scanned: an --only-pseudonymised export has none."""
    from qualcode.interop.refi import export_qdpx
    from qualcode.interop.tables import export_codings

    doc = _coded(project)
    at = TEXT.index("Dr Okafor")
    project.code(doc, at, at + 9, "Access to GP", coder="amina", memo="Sarah's GP, ask Sarah")
    for kind in set(scan(project, key)["kind"]):
        accept_kind(key, kind, by="dawn")
    apply(project, key, by="dawn")

    shared = export_codings(project, tmp_path / "c.csv", only_pseudonymised=True)
    assert "memo" not in shared.read_text().splitlines()[0].split(",")
    assert "Sarah" not in shared.read_text()
    assert "Sarah's GP" in export_codings(project, tmp_path / "all.csv").read_text()

    qdpx = export_qdpx(project, tmp_path / "p.qdpx", only_pseudonymised=True)
    with zipfile.ZipFile(qdpx) as zf:
        xml = zf.read("project.qde").decode("utf-8")
    assert "Sarah" not in xml and "<Description>" not in xml
    with zipfile.ZipFile(export_qdpx(project, tmp_path / "all.qdpx")) as zf:
        assert "Sarah's GP" in zf.read("project.qde").decode("utf-8")


def test_a_name_found_once_is_found_wherever_else_it_is_written(project, key) -> None:  # type: ignore[no-untyped-def]
    """The rules find "Dawn" in a speaker label and "Seacliffe" (made up: no gazetteer holds
    it) after "I live in"; the same words elsewhere (another turn, another transcript, a later
    scan) are found too, so the pseudonymised text keeps neither. Other words that merely
    contain them are left."""
    a = project.add_document(
        "[SYNTHETIC]\nInterviewer (Dawn): How are you?\n"
        "Participant: Say summat normal, Dawn. I live in Seacliffe.\n",
        area="hartlepool",
        title="a",
        attributes={"interviewer": "Dawn", "population_group": "Carers", "town": "Seacliffe"},
    )
    project.add_document(
        "[SYNTHETIC]\nParticipant: Dawn knows. Seacliffe is home. Up at dawn, Dawnside way.\n",
        area="hartlepool",
        title="b",
    )
    found = scan(project, key, nlp=None)
    got = sorted(zip(found["document"], found["text"], found["rule"], strict=True))
    assert [g for g in got if g[2] == "repeat"] == [
        ("a", "Dawn", "repeat"),
        ("b", "Dawn", "repeat"),
        ("b", "Seacliffe", "repeat"),
    ]
    for kind in ("person", "place"):
        accept_kind(key, kind, by="dawn")
    apply(project, key, by="dawn")
    for title in ("a", "b"):
        text = project.document(title).text
        assert "Dawn " not in text and "Dawn." not in text and "Seacliffe" not in text
    assert "Up at dawn, Dawnside way" in project.document("b").text
    dawn, hartlepool = (
        found.loc[found["text"] == value, "pseudonym"].iloc[0] for value in ("Dawn", "Seacliffe")
    )
    case = project.documents_df().set_index("title").loc["a"]  # or the case gives Dawn back
    assert (case["interviewer"], case["town"], case["population_group"]) == (
        dawn,
        hartlepool,
        "Carers",
    )
    assert "case" in set(project.audit_df(actor="dawn")["object"])

    later = project.add_document(
        "[SYNTHETIC]\nParticipant: Then Dawn rang.\n", area="hartlepool", title="c"
    )
    again = scan(project, key, documents=[later], nlp=None)
    assert again[["text", "rule", "pseudonym"]].values.tolist() == [
        ["Dawn", "repeat", found.loc[found["text"] == "Dawn", "pseudonym"].iloc[0]]
    ]
    assert project.document(a.title).meta["pseudonymised"]
