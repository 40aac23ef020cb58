"""Blind coding rounds: each coder sees only their own codings until the lead reveals."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

import qualcode
from qualcode.cli import app
from qualcode.coding.agreement import agreement_table
from qualcode.coding.consensus import disagreements
from qualcode.coding.retrieval import Retrieval
from qualcode.coding.rounds import get_round, round_agreement, round_progress
from qualcode.errors import CodingError, NotFoundError, QualcodeError, RoundOpenError
from qualcode.widgets.coder import Coder
from qualcode.widgets.consensus_review import ConsensusReview

TEXT = (
    "Interviewer: How do you get to the surgery?\n"
    "Participant: I take the bus. The bus is late. My daughter helps.\n"
    "Interviewer: And your husband?\n"
    "Participant: I care for him. Nobody asks about me.\n"
)


def span(words: str) -> tuple[int, int]:
    at = TEXT.index(words)
    return at, at + len(words)


@pytest.fixture
def workshop(project: qualcode.Project):
    """Two documents in the round, one outside it, each coded by amina and bob."""
    for name in ("Transport", "Carers", "Family"):
        project.codebook.add(name)
    inside = [project.add_document(TEXT, area="north", title=f"t{i}") for i in (1, 2)]
    outside = project.add_document(TEXT, area="south", title="t3")
    project.open_round("R1", coders=["amina", "bob"], lead="dawn", area="north")
    for doc in (*inside, outside):
        project.code(doc, *span("I take the bus."), "Transport", coder="amina")
        project.code(doc, *span("I take the bus."), "Transport", coder="bob")
        project.code(doc, *span("I care for him."), "Carers", coder="amina")
        project.code(doc, *span("I care for him."), "Family", coder="bob")
    return project, inside, outside


def _coders_on(frame, doc_id: int) -> set[str]:
    return set(frame.loc[frame["document_id"] == doc_id, "coder"])


def test_each_coder_sees_only_their_own_codings_while_the_round_is_open(workshop) -> None:
    project, inside, outside = workshop
    for viewer in ("amina", "bob", "dawn"):
        frame = project.codings_df(viewer=viewer)
        for doc in inside:
            assert _coders_on(frame, doc.id) == ({viewer} & {"amina", "bob"})
        assert _coders_on(frame, outside.id) == {"amina", "bob"}  # not in the round
        listed = project.codings(inside[0], viewer=viewer)
        assert {c.coder for c in listed} == {viewer} & {"amina", "bob"}
    # the viewer defaults to the project's user
    as_bob = qualcode.Project(project.engine, user="bob")
    assert _coders_on(as_bob.codings_df(), inside[1].id) == {"bob"}
    assert {c.coder for c in as_bob.codings(inside[1])} == {"bob"}


def test_retrieval_and_exports_stay_blind(workshop, tmp_path) -> None:
    project, inside, _outside = workshop
    as_amina = qualcode.Project(project.engine, user="amina")
    found = Retrieval(as_amina, "Transport").df
    assert set(found.loc[found["document_id"].isin([d.id for d in inside]), "coders"].sum()) == {
        "amina"
    }
    from qualcode.interop.tables import export_codings

    out = export_codings(as_amina, tmp_path / "codings.csv")
    text = out.read_text()
    assert "bob" in text  # the document outside the round
    assert text.count("bob") < text.count("amina")


def test_agreement_and_consensus_wait_for_the_reveal(workshop) -> None:
    project, inside, outside = workshop
    with pytest.raises(RoundOpenError, match=r"R1.*dawn closes it"):
        agreement_table(project, coders=["amina", "bob"], documents=[inside[0]])
    with pytest.raises(RoundOpenError):
        agreement_table(project, coders=["amina", "bob"])  # every common document
    with pytest.raises(RoundOpenError):
        disagreements(project, coders=["amina", "bob"], documents=[d.id for d in inside])
    with pytest.raises(RoundOpenError):
        ConsensusReview(project, round="R1", adjudicator="dawn")
    with pytest.raises(RoundOpenError):
        project.adjudicate(inside[0], *span("I take the bus."), "Transport", adjudicator="dawn")
    # the document outside the round can be compared now
    assert not agreement_table(project, coders=["amina", "bob"], documents=[outside]).empty


def test_only_the_lead_closes_and_closing_reveals(workshop) -> None:
    project, inside, _ = workshop
    with pytest.raises(CodingError, match="only dawn"):
        project.close_round("R1", lead="amina")
    assert get_round(project, "R1").is_open
    closed = project.close_round("R1", lead="dawn")
    assert closed.status == "closed" and closed.closed_at
    frame = project.codings_df(viewer="amina")
    assert _coders_on(frame, inside[0].id) == {"amina", "bob"}
    table = round_agreement(project, "R1")
    same = agreement_table(project, coders=["amina", "bob"], documents=[d.id for d in inside])
    assert table["krippendorff_alpha"].tolist() == pytest.approx(
        same["krippendorff_alpha"].tolist(), nan_ok=True
    )
    review = ConsensusReview(project, round="R1", adjudicator="dawn")
    assert review.coders == ["amina", "bob"]
    assert set(review.units["document_id"]) == {d.id for d in inside}
    with pytest.raises(QualcodeError, match="already closed"):
        project.close_round("R1", lead="dawn")


def test_rounds_are_in_the_audit_log_and_listed(workshop) -> None:
    project, _, _ = workshop
    project.close_round("R1", lead="dawn")
    log = project.audit_df(actor="dawn")
    rows = log[log["object"] == "round"]
    assert rows["action"].tolist() == ["add", "update"]
    listed = project.rounds_df()
    assert listed[["name", "status", "lead", "documents"]].values.tolist() == [
        ["R1", "closed", "dawn", 2]
    ]
    assert listed.at[0, "coders"] == ["amina", "bob"]


def test_progress_counts_without_showing_codes(workshop) -> None:
    project, inside, _ = workshop
    project.uncode(project.codings(inside[1], coder="bob", viewer="bob")[0], coder="bob")
    progress = round_progress(project, "R1")
    assert progress.loc["amina", "codings"] == 4
    assert progress.loc["bob", "codings"] == 3
    assert progress.loc["amina", "documents_coded"] == 2
    assert set(progress.columns) == {"documents_coded", "codings", "documents"}


def test_a_new_version_made_during_the_round_stays_blind(workshop) -> None:
    project, inside, _ = workshop
    at = TEXT.index("husband")
    revised, _ = project.revise(inside[0], [(at, at + 7, "X")], by="dawn")
    frame = project.codings_df(viewer="amina")
    assert revised.id != inside[0].id
    assert _coders_on(frame, revised.id) == {"amina"}


def test_the_coder_widget_shows_only_the_coders_own_and_says_why(workshop) -> None:
    project, inside, outside = workshop
    widget = Coder(project, coder="amina", document=inside[0].id)
    assert {c["coder"] for c in widget.view.codings} == {"amina"}
    assert "Blind round 'R1'" in widget.view.status and "dawn" in widget.view.status
    widget.document_picker.value = outside.id
    assert {c["coder"] for c in widget.view.codings} == {"amina", "bob"}
    assert widget.view.status == ""
    project.close_round("R1", lead="dawn")
    widget.document_picker.value = inside[0].id
    assert {c["coder"] for c in widget.view.codings} == {"amina", "bob"}


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"coders": ["amina"], "lead": "dawn", "area": "north"}, "at least two coders"),
        ({"coders": "amina", "lead": "dawn", "area": "north"}, "list of names"),
        ({"coders": ["amina", "suggest:themes"], "lead": "dawn", "area": "north"}, "person"),
        ({"coders": ["amina", "consensus"], "lead": "dawn", "area": "north"}, "person"),
        ({"coders": ["amina", "bob"], "lead": " ", "area": "north"}, "lead"),
        ({"coders": ["amina", "bob"], "lead": "dawn"}, "one of them"),
        ({"coders": ["amina", "bob"], "lead": "dawn", "area": "nowhere"}, "no area named"),
        ({"coders": ["amina", "bob"], "lead": "dawn", "documents": ["missing"]}, "no document"),
        ({"coders": ["amina", "bob"], "lead": "dawn", "documents": []}, "no documents"),
    ],
)
def test_bad_rounds_are_refused_and_nothing_is_written(project, kwargs, message) -> None:
    project.add_document(TEXT, area="north", title="t1")
    with pytest.raises(QualcodeError, match=message):
        project.open_round("R1", **kwargs)
    assert project.rounds_df().empty
    assert project.audit_df().query("object == 'round'").empty


def test_overlapping_and_duplicate_rounds_are_refused(workshop) -> None:
    project, inside, outside = workshop
    with pytest.raises(QualcodeError, match="already in open round 'R1'"):
        project.open_round("R2", coders=["carl", "dee"], lead="dawn", documents=[inside[1]])
    with pytest.raises(QualcodeError, match="exists"):
        project.open_round("R1", coders=["carl", "dee"], lead="dawn", documents=[outside])
    with pytest.raises(NotFoundError, match="rounds: R1"):
        project.close_round("R9", lead="dawn")
    project.open_round("R2", coders=["carl", "dee"], lead="dawn", documents=[outside])
    assert project.rounds_df()["name"].tolist() == ["R1", "R2"]


def test_round_commands(tmp_path) -> None:
    path = tmp_path / "p.qualcode"
    with qualcode.open_project(path) as p:
        p.add_document(TEXT, area="north", title="t1")
        p.codebook.add("Transport")
        p.code("t1", *span("I take the bus."), "Transport", coder="amina")
    runner = CliRunner()
    base = ["--project", str(path)]
    opened = runner.invoke(
        app, ["round", "open", "R1", "--lead", "dawn", "-c", "amina", "-c", "bob", *base]
    )
    assert opened.exit_code != 0  # neither --area nor --document
    opened = runner.invoke(
        app,
        [
            "round",
            "open",
            "R1",
            "--lead",
            "dawn",
            "-c",
            "amina",
            "-c",
            "bob",
            "--area",
            "north",
            *base,
        ],
    )
    assert opened.exit_code == 0, opened.output
    assert "1 documents for amina, bob" in opened.output
    progress = runner.invoke(app, ["round", "progress", "R1", *base])
    assert progress.exit_code == 0 and "amina" in progress.output
    refused = runner.invoke(app, ["round", "close", "R1", "--lead", "bob", *base])
    assert refused.exit_code != 0
    closed = runner.invoke(app, ["round", "close", "R1", "--lead", "dawn", *base])
    assert closed.exit_code == 0 and "revealed" in closed.output
    listed = runner.invoke(app, ["round", "list", *base])
    assert "closed" in listed.output


def test_the_round_manager_opens_follows_and_reveals(project) -> None:
    from qualcode.widgets.round_manager import RoundManager

    project.codebook.add("Transport")
    docs = [project.add_document(TEXT, area="north", title=f"t{i}") for i in (1, 2)]
    panel = RoundManager(project, lead="dawn")
    assert panel.model_id and panel.status.value == ""  # a live widget, with no error yet
    assert set(panel.documents.value) == {d.id for d in docs}  # the whole area by default
    panel.name.value = "R1"
    panel.coders.value = ["amina"]
    assert panel.open_round() is None and "at least two coders" in panel.status.value
    assert project.rounds_df().empty
    panel.coders.value = ["amina", "bob"]
    panel.documents.value = (docs[0].id,)
    panel.open_button.click()
    assert get_round(project, "R1").documents == (docs[0].id,)
    assert panel.closing.options == ("R1",) and not panel.close_button.disabled
    for coder in ("amina", "bob"):
        project.code(docs[0], *span("I take the bus."), "Transport", coder=coder)
    panel.refresh()
    assert "amina 1/1" in panel.rounds.value and "Transport" not in panel.rounds.value
    panel.close_button.click()
    assert not get_round(project, "R1").is_open
    assert "krippendorff_alpha" in panel.agreement.value
    assert "ConsensusReview" in panel.status.value and panel.close_button.disabled
    other = RoundManager(project, lead="bob")  # only the lead's own open rounds to close
    assert other.closing.options == ()
