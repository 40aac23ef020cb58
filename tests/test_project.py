"""The public Project API: documents, coding, views and the audit log.

Every test taking `project`, `doc` or `store_url` runs on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import multiprocessing
import shutil

import pytest

import qualcode
from qualcode.errors import CoderNameWarning, CodingError, NotFoundError, QualcodeError
from qualcode.store.coders import near_duplicates
from tests.conftest import TRANSCRIPT


def test_add_document_normalises_and_finds_units(project) -> None:
    d = project.add_document(
        "Interviewer: Hi.\r\nParticipant: Cafe\u0301 talk. Then more.\r\n",
        area="worcester",
        title="w1",
    )
    assert d.text == "Interviewer: Hi.\nParticipant: Caf\u00e9 talk. Then more.\n"
    assert (d.id, d.area, d.case, d.version) == (d.id, "worcester", "w1", 1)
    turns = project.units_df("turn")
    assert list(turns["speaker"]) == ["Interviewer", "Participant"]
    assert list(turns["text"]) == ["Hi.", "Caf\u00e9 talk. Then more."]
    sentences = project.units_df("sentence")
    assert list(sentences["text"]) == ["Hi.", "Caf\u00e9 talk.", "Then more."]
    assert list(sentences["role"]) == ["interviewer", "participant", "participant"]


def test_empty_document_is_refused(project) -> None:
    with pytest.raises(QualcodeError, match="'blank' in area 'a' is empty"):
        project.add_document(" \n\t", area="a", title="blank")
    assert project.documents_df().empty


def test_same_text_again_is_a_no_op_and_changed_text_a_new_version(project, doc) -> None:
    again = project.add_document(doc.text, area="hartlepool", title="hp-test")
    assert again.id == doc.id
    project.codebook.add("Access to GP")
    old_coding = project.code(doc, 40, 60, "Access to GP", coder="amina")
    changed = project.add_document(
        doc.text + "Interviewer: Thank you.\n", area="hartlepool", title="hp-test"
    )
    assert changed.id != doc.id and changed.version == 2
    assert project.documents_df().index.tolist() == [changed.id]
    versions = project.documents_df(all_versions=True)
    assert versions["version"].tolist() == [1, 2]
    assert versions["is_current"].tolist() == [False, True]
    # the coding stays on the text it was made on
    kept = project.codings(doc.id)
    assert [(c.id, c.text) for c in kept] == [(old_coding.id, doc.text[40:60])]
    assert project.document(doc.id).text == doc.text


def test_code_by_objects_ids_and_names(project, doc) -> None:
    gp = project.codebook.add("Access to GP")
    start = doc.text.index("a nightmare")
    end = start + len("a nightmare")
    c1 = project.code(doc, start, end, gp, coder="amina")
    c2 = project.code(doc.id, start, end, "Access to GP", coder="bob", memo="strong")
    c3 = project.code("hp-test", start, end, gp.id, coder="amina")
    assert c1.text == c2.text == c3.text == "a nightmare"
    assert (c2.coder, c2.memo, c2.code) == ("bob", "strong", "Access to GP")
    frame = project.codings_df()
    assert len(frame) == 3
    assert set(frame.columns) >= {
        "area",
        "case",
        "title",
        "document_id",
        "start",
        "end",
        "text",
        "code",
        "coder",
        "memo",
        "created_at",
        "age_band",
        "population_group",
    }
    assert frame.loc[c2.id, "text"] == "a nightmare"
    assert frame.loc[c2.id, "age_band"] == "65+"
    assert len(project.codings_df(coder="amina")) == 2
    assert len(project.codings_df(code="Access to GP", area="hartlepool")) == 3
    with pytest.raises(NotFoundError, match="no area named 'nowhere'; the areas are: hartlepool"):
        project.codings_df(area="nowhere")  # a typo is an error, never an empty table


@pytest.mark.parametrize(("start", "end"), [(-1, 5), (5, 5), (10, 2), (0, 10_000)])
def test_spans_outside_the_text_are_refused(project, doc, start: int, end: int) -> None:
    project.codebook.add("Transport")
    with pytest.raises(CodingError, match=f"document {doc.id}"):
        project.code(doc, start, end, "Transport", coder="amina")
    assert project.codings_df().empty


def test_unknown_document_code_and_ambiguous_names(project, doc) -> None:
    project.codebook.add("Transport")
    with pytest.raises(NotFoundError, match="did you mean 'Transport'"):
        project.code(doc, 0, 5, "Transprot", coder="amina")
    with pytest.raises(NotFoundError, match="no document with id 999"):
        project.code(999, 0, 5, "Transport", coder="amina")
    with pytest.raises(NotFoundError, match="no document titled 'missing'"):
        project.code("missing", 0, 5, "Transport", coder="amina")
    project.add_document(TRANSCRIPT, area="worcester", title="hp-test")
    with pytest.raises(NotFoundError, match="more than one document is titled 'hp-test'"):
        project.document("hp-test")
    project.codebook.add("Parent")
    project.codebook.add("Transport", parent="Parent")
    assert project.code(doc, 0, 5, "Transport", coder="amina").code == "Transport"  # a path
    project.codebook.add("Other")
    project.codebook.add("Buses", parent="Parent")
    project.codebook.add("Buses", parent="Other")
    with pytest.raises(NotFoundError, match="use its path"):
        project.code(doc, 0, 5, "Buses", coder="amina")
    assert project.code(doc, 0, 5, "Parent/Transport", coder="amina").code == "Parent/Transport"
    with pytest.raises(QualcodeError, match="coder must be a non-empty"):
        project.code(doc, 0, 5, "Parent", coder="  ")


def test_uncode_respects_ownership(project, doc) -> None:
    project.codebook.add("Carers")
    c = project.code(doc, 0, 10, "Carers", coder="amina")
    with pytest.raises(CodingError, match="belongs to amina"):
        project.uncode(c, coder="bob")
    project.uncode(c, coder="amina")
    assert project.codings() == []
    with pytest.raises(NotFoundError):
        project.uncode(c.id)


def test_every_change_has_an_audit_row(project, doc) -> None:
    project.codebook.add("Carers")
    c = project.code(doc, 0, 10, "Carers", coder="amina")
    project.uncode(c, coder="amina")
    log = project.audit_df(document=doc)
    assert [tuple(r) for r in log[["actor", "action", "object"]].itertuples(index=False)] == [
        ("tester", "add", "document"),
        ("amina", "add", "coding"),
        ("amina", "delete", "coding"),
    ]
    assert log.iloc[2]["before"]["start"] == 0
    everything = project.audit_df()
    assert {"case", "code", "document", "coding"} <= set(everything["object"])
    assert len(project.audit_df(actor="amina")) == 2


def test_offsets_count_code_points_and_attributes_keep_their_types(project) -> None:
    """Offsets are Python's (code points) on every backend, also past astral characters."""
    text = "Participant: 🚌 none 🚌 since March — naïve of me. Then more."
    d = project.add_document(
        text,
        area="redcar",
        title="r1",
        attributes={"age_band": "65+", "children": 2, "carer": True, "notes": "café"},
    )
    project.codebook.add("Transport")
    start = text.index("since")
    c = project.code(d, start, start + len("since March"), "Transport", coder="amina")
    assert c.text == "since March"
    assert project.codings()[0].text == "since March"
    assert project.codings_df()["text"].tolist() == ["since March"]
    row = project.documents_df().loc[d.id]
    assert (row["age_band"], row["children"], row["carer"], row["notes"]) == (
        "65+",
        2,
        True,
        "café",
    )
    log = project.audit_df(document=d)
    assert log.iloc[-1]["after"] == {
        "start": start,
        "end": start + 11,
        "code": "Transport",
        "coder": "amina",
        "memo": None,
    }


def test_documents_codes_units_views(project, doc) -> None:
    parent = project.codebook.add("Access to services")
    project.codebook.add("Access to GP", parent=parent, shortcut="1")
    project.codebook.add("Transport")
    project.code(doc, 0, 10, "Access to GP", coder="amina")
    docs = project.documents_df()
    row = docs.loc[doc.id]
    assert (row["area"], row["case"], row["title"], row["format"]) == (
        "hartlepool",
        "hp-test",
        "hp-test",
        "txt",
    )
    assert row["words"] == len(doc.text.split())
    assert row["units"] == len(project.units_df("sentence")) > 0
    assert row["turns"] == 4 and row["codings"] == 1
    assert (row["age_band"], row["population_group"]) == ("65+", "Carers")  # case attributes
    codes = project.codes_df()
    assert codes["path"].tolist() == [
        "Access to services",
        "Access to services/Access to GP",
        "Transport",
    ]
    assert codes["depth"].tolist() == [0, 1, 0]
    assert codes.set_index("path").loc["Access to services/Access to GP", "codings"] == 1
    paragraphs = project.units_df("paragraph", document=doc)
    assert paragraphs["text"].iloc[0] == "[SYNTHETIC test transcript]"
    with pytest.raises(QualcodeError, match="unit 'word' is not one of"):
        project.units_df("word")


def test_a_new_session_sees_everything_at_once(store_url: str) -> None:
    """No save step: a second connection (a restarted kernel) sees each change immediately."""
    path = store_url
    writer = qualcode.open_project(path)
    reader = qualcode.open_project(path)
    d = writer.add_document(TRANSCRIPT, area="a", title="t")
    writer.codebook.add("Carers")
    writer.code(d, 0, 10, "Carers", coder="amina")
    assert len(reader.codings_df()) == 1
    writer.close()
    reader.close()


def _code_many(path: str, coder: str, n: int) -> None:
    p = qualcode.open_project(path)
    doc = p.documents()[0]
    for i in range(n):
        p.code(doc, i, i + 5, "Carers", coder=coder)
    p.close()


def test_coders_in_separate_processes_lose_nothing(store_url: str) -> None:
    path = store_url
    p = qualcode.open_project(path)
    p.add_document(TRANSCRIPT, area="a", title="t")
    p.codebook.add("Carers")
    ctx = multiprocessing.get_context("spawn")
    workers = [ctx.Process(target=_code_many, args=(str(path), f"coder{i}", 60)) for i in range(3)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(120)
    assert [w.exitcode for w in workers] == [0, 0, 0]
    counts = p.codings_df().groupby("coder").size().to_dict()
    assert counts == {"coder0": 60, "coder1": 60, "coder2": 60}
    p.close()


def test_ids_read_from_a_dataframe_name_documents_and_codes(project, doc) -> None:
    """A numpy id (as `codings_df` and `documents_df` give them) works as an id."""
    import numpy as np

    code = project.codebook.add("Transport")
    coding = project.code(np.int64(doc.id), 0, 5, np.int64(code.id), coder="amina")
    assert (coding.document_id, coding.code_id) == (doc.id, code.id)
    assert project.document(np.int64(doc.id)).id == doc.id
    row = project.codings_df().iloc[0]
    adjudicated = project.adjudicate(row.document_id, 0, 5, row.code_id, adjudicator="dawn")
    assert adjudicated.code_id == code.id


# coders by name, leads, renaming and merging coders --------------------------------------------


def test_one_coder_however_the_name_is_typed(project, doc) -> None:
    project.codebook.add("Carers")
    first = project.code(doc, 0, 10, "Carers", coder="Amina")
    second = project.code(doc, 20, 30, "Carers", coder="amina")
    third = project.code(doc, 40, 50, "Carers", coder="  amina  ")
    assert {first.coder, second.coder, third.coder} == {"Amina"}  # the first spelling shows
    frame = project.coders_df()
    assert list(frame["coder"]) == ["Amina"] and list(frame["codings"]) == [3]
    assert len(project.codings(coder="AMINA")) == 3
    assert len(project.codings_df(coder=" amina")) == 3
    project.set_memo(first, "long wait", coder="amina")
    memo = project.add_memo("a note", coder="AMINA")
    project.delete_memo(memo, coder="Amina")
    project.uncode(second, coder="amina ")
    assert project.uncode_many([third.id], coder="AMINA") == 1
    assert [c.id for c in project.codings()] == [first.id]


def test_a_near_duplicate_name_is_let_in_with_a_warning_naming_both(project, doc) -> None:
    project.codebook.add("Carers")
    project.code(doc, 0, 10, "Carers", coder="Amina")
    with pytest.warns(CoderNameWarning, match=r"'Amina K'.*'Amina'") as caught:
        project.code(doc, 0, 10, "Carers", coder="Amina K")  # one is the start of the other
    assert caught[0].filename == __file__  # it points at the researcher's own line
    with pytest.warns(CoderNameWarning, match=r"'Anima'.*'Amina'"):
        project.code(doc, 0, 10, "Carers", coder="Anima")  # two letters apart
    assert set(project.coders_df()["coder"]) == {"Amina", "Amina K", "Anima"}


@pytest.mark.parametrize(
    ("name", "others", "close"),
    [
        ("Amina", ["amina"], []),  # the same coder, not a near one
        ("Amina K", ["Amina"], ["Amina"]),
        ("Chen", ["Chan", "Bob"], ["Chan"]),
        ("Bob", ["Rob", "Bo"], []),  # short names: one letter apart is another person
        ("Dawn", ["Shaun", "Dawnette"], ["Dawnette"]),
    ],
)
def test_near_duplicates(name: str, others: list[str], close: list[str]) -> None:
    assert near_duplicates(name, others) == close


def test_rounds_take_a_coder_name_in_any_spelling(project, doc) -> None:
    project.codebook.add("Carers")
    project.code(doc, 0, 10, "Carers", coder="Amina")
    opened = project.open_round(
        "R1", coders=["amina", "AMINA ", "bob"], lead="Dawn", documents=[doc]
    )
    assert opened.coders == ("Amina", "bob")
    project.code(doc, 20, 30, "Carers", coder="bob")
    assert [c.coder for c in project.codings(viewer="amina")] == ["Amina"]  # still blind
    assert project.close_round("R1", lead="dawn").status == "closed"


def test_the_first_lead_is_named_by_anyone_then_only_by_a_lead(project) -> None:
    assert project.add_lead("Dawn", by="amina") == ["Dawn"]
    with pytest.raises(CodingError, match=r"needs a lead; amina is not a lead.*Dawn"):
        project.add_lead("amina", by="amina")
    assert project.add_lead("Chen", by="dawn") == ["Dawn", "Chen"]
    assert project.add_lead("chen", by="Dawn") == ["Dawn", "Chen"]  # already a lead
    leads = project.coders_df().set_index("coder")["lead"]
    assert leads.to_dict() == {"Dawn": True, "Chen": True}
    log = project.audit_df()
    assert list(log[log["object"] == "leads"]["after"].iloc[-1]["leads"]) == ["Dawn", "Chen"]
    with pytest.raises(QualcodeError, match="cannot be a lead"):
        project.add_lead("consensus", by="Dawn")


def test_a_lead_renames_a_coder_and_their_work_follows(project, doc) -> None:
    project.codebook.add("Carers")
    coding = project.code(doc, 0, 10, "Carers", coder="amina k")
    project.open_round("R1", coders=["amina k", "bob"], lead="amina k", documents=[doc])
    project.add_lead("amina k", by="amina k")
    with pytest.raises(CodingError, match="renaming coder 'amina k' needs a lead"):
        project.rename_coder("amina k", "Amina Khan", by="bob")
    assert project.rename_coder("AMINA K", "Amina  Khan", by="amina k") == "Amina Khan"
    assert project.coding(coding).coder == "Amina Khan"
    assert project.rounds_df().iloc[0][["lead", "coders"]].tolist() == [
        "Amina Khan",
        ["Amina Khan", "bob"],
    ]
    assert project.coders_df().set_index("coder").loc["Amina Khan", "lead"]
    project.close_round("R1", lead="amina khan")
    log = project.audit_df()
    renamed = log[(log["object"] == "coder") & (log["action"] == "rename")].iloc[-1]
    assert renamed["before"] == {"name": "amina k"} and renamed["after"]["name"] == "Amina Khan"


def test_renaming_onto_another_coder_is_a_merge_and_says_so(project, doc) -> None:
    project.codebook.add("Carers")
    project.code(doc, 0, 10, "Carers", coder="Amina")
    project.code(doc, 0, 10, "Carers", coder="bob")
    project.add_lead("Dawn", by="Dawn")
    with pytest.raises(CodingError, match=r"'bob' is already a coder.*merge_coders"):
        project.rename_coder("Amina", "BOB", by="Dawn")
    assert project.rename_coder("Amina", "amina", by="Dawn") == "amina"  # only the spelling
    with pytest.raises(NotFoundError, match="no coder named 'zoe'"):
        project.rename_coder("zoe", "Zoe", by="Dawn")
    with pytest.raises(QualcodeError, match=r"new name 'Amina\\nKhan' contains"):
        project.rename_coder("amina", "Amina\nKhan", by="Dawn")


def test_a_lead_merges_two_names_of_one_person(project, doc) -> None:
    project.codebook.add("Carers")
    project.codebook.add("Access")
    kept = project.code(doc, 0, 10, "Carers", coder="Amina", memo="first")
    with pytest.warns(CoderNameWarning):
        project.code(doc, 0, 10, "Carers", coder="Amina K", memo="second")  # the same coding
    moved = project.code(doc, 20, 30, "Access", coder="Amina K")
    project.add_memo("about access", coder="Amina K", code="Access")
    project.open_round("R1", coders=["Amina K", "bob"], lead="bob", documents=[doc])
    project.add_lead("Dawn", by="Dawn")
    with pytest.raises(CodingError, match="merging coder 'Amina K' needs a lead"):
        project.merge_coders("Amina K", into="Amina", by="amina")
    with pytest.raises(CodingError, match="cannot merge coder 'Amina' into itself"):
        project.merge_coders("amina", into="AMINA", by="Dawn")
    summary = project.merge_coders("amina k", into="amina", by="dawn")
    assert summary["codings_moved"] == 1 and summary["duplicate_codings_removed"] == 1
    assert summary["memos_moved"] == 1 and summary["rounds"] == ["R1"]
    project.close_round("R1", lead="bob")
    codings = project.codings()
    assert [(c.id, c.coder) for c in codings] == [(kept.id, "Amina"), (moved.id, "Amina")]
    assert codings[0].memo == "first\n\nsecond"  # nothing written is lost
    assert list(project.coders_df()["coder"]) == ["Amina", "Dawn"]
    assert project.rounds_df().iloc[0]["coders"] == ["Amina", "bob"]
    log = project.audit_df()
    merge = log[(log["object"] == "coder") & (log["action"] == "merge")].iloc[-1]
    assert merge["actor"] == "Dawn" and merge["before"]["name"] == "Amina K"
    project.adjudicate(doc, 0, 10, "Carers", adjudicator="Dawn")
    with pytest.raises(CodingError, match="'consensus' is not a person"):
        project.merge_coders("consensus", into="Amina", by="Dawn")


@pytest.mark.sqlite_only
def test_merge_options_take_a_coder_name_in_any_spelling(project, doc, tmp_path) -> None:
    from qualcode.interop.merge import MergeConflict, merge_project

    project.codebook.add("Carers")
    project.code(doc, 0, 10, "Carers", coder="amina")
    laptop = tmp_path / "laptop.qualcode"
    with qualcode.open_project(laptop, user="Amina") as other:
        other.add_document(TRANSCRIPT, area="hartlepool", title="hp-test")
        other.codebook.add("Carers")
        other.code("hp-test", 20, 30, "Carers", coder="Amina")  # another GUID, same name
    with pytest.raises(MergeConflict, match="coder 'Amina'"):
        merge_project(project, laptop)
    report = merge_project(project, laptop, same_coders=["AMINA"])
    assert report.added["coders"] == 0
    assert {c.coder for c in project.codings()} == {"amina"}


def test_agreement_takes_a_coder_name_in_any_spelling(project, doc) -> None:
    from qualcode.coding.agreement import select_codings

    project.codebook.add("Carers")
    project.code(doc, 0, 10, "Carers", coder="Amina")
    project.code(doc, 0, 10, "Carers", coder="bob")
    chosen = select_codings(project, ["amina", "BOB "], documents=None, codes=None)
    assert chosen.coders == ["Amina", "bob"]


def test_retrieval_takes_a_coder_name_in_any_spelling(project, doc) -> None:
    from qualcode.coding.retrieval import Retrieval

    project.codebook.add("Carers")
    project.code(doc, 0, 10, "Carers", coder="Amina")
    project.code(doc, 20, 30, "Carers", coder="bob")
    found = Retrieval(project, "Carers", coder=["AMINA"], context=0).df
    assert list(found["coders"]) == [["Amina"]] and list(found["start"]) == [0]


@pytest.mark.sqlite_only
def test_a_merged_coder_stays_merged_when_a_laptop_copy_comes_in(project, doc, tmp_path) -> None:
    from qualcode.interop.merge import merge_project

    project.codebook.add("Carers")
    project.code(doc, 0, 10, "Carers", coder="Amina")
    with pytest.warns(CoderNameWarning):
        project.code(doc, 20, 30, "Carers", coder="amina2")
    laptop = tmp_path / "laptop.qualcode"
    project.close()  # the last connection checkpoints the file, so a copy is whole
    shutil.copy(project.location, laptop)
    with qualcode.open_project(laptop) as copy:
        copy.code("hp-test", 40, 50, "Carers", coder="amina2")  # still under the old name
    project.add_lead("dawn", by="dawn")
    project.merge_coders("amina2", into="Amina", by="dawn")
    report = merge_project(project, laptop)
    assert report.added["coders"] == 0 and report.added["codings"] == 1
    assert [c.coder for c in project.codings()] == ["Amina"] * 3
