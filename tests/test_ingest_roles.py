"""Speakers' roles and the rule that decided them, the speaker report and its warnings, and
renaming a speaker or setting a role after ingest (issue 19). Transcripts here are SYNTHETIC."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

import qualcode
from qualcode.errors import NotFoundError, QualcodeError
from qualcode.ingest.roles import decide_roles, named
from qualcode.ingest.speakers import ONE_TURN_SHARE, speaker_report
from qualcode.ingest.turns import find_turns
from qualcode.store import schema

# the participant asks more questions than the interviewer: inference gets it wrong
ASKING = (
    "[SYNTHETIC]\n"
    "Sandra: Tell me about the surgery closing.\n"
    "Amina: Why would they close it? Who decided? Did anyone ask us?\n"
    "Sandra: Go on, say more about that.\n"
    "Amina: Nobody asked, did they? We only heard from the chemist.\n"
)
LABELLED = (
    "[SYNTHETIC]\n"
    "Interviewer: How do you get to the clinic?\n"
    "Participant: Two buses, and the second one is often late.\n"
    "Interviewer: And when it does not come?\n"
    "Participant: I ring my neighbour. She has a car and she never says no.\n"
)
LONG = " ".join(["the day centre shut and nobody told us where to go instead"] * 8)


def _rule(text: str, *given) -> tuple[dict, dict]:
    turns, record = decide_roles(find_turns(text), text, list(given))
    return {t.speaker: t.role for t in turns}, record


def test_roles_by_each_rule_and_the_rule_is_recorded() -> None:
    roles, record = _rule(LABELLED)
    assert roles == {"Interviewer": "interviewer", "Participant": "participant"}
    assert record["rule"] == "label"
    roles, record = _rule(ASKING)
    assert record["rule"] == "inferred" and roles["Amina"] == "interviewer"
    roles, record = _rule(ASKING, named("sandra", "participants.csv"))
    assert record["rule"] == "participants.csv" and record["interviewer"] == ["Sandra"]
    assert roles == {"Sandra": "interviewer", "Amina": "participant"}
    # --interviewer wins over participants.csv and over inference
    roles, record = _rule(ASKING, named("Amina", "--interviewer"), named("Sandra", "x"))
    assert record["rule"] == "--interviewer" and roles["Amina"] == "interviewer"
    assert roles["Sandra"] == "participant"


def test_a_name_matches_whole_words_and_an_unmatched_option_is_recorded() -> None:
    text = "Speaker 12: Who runs the lunch club?\nSpeaker 1: The church, on Tuesdays.\n"
    roles, record = _rule(text, named("Speaker 1", "--interviewer"))
    assert roles == {"Speaker 12": "participant", "Speaker 1": "interviewer"}
    roles, record = _rule(LABELLED, named("Dawn", "--interviewer"))
    assert record == {"rule": "label", "interviewer": ["Interviewer"]}
    assert decide_roles([], "no turns", [named("Dawn", "--interviewer")]) == ([], None)


def _area(tmp_path: Path, files: dict[str, str], interviewers: dict[str, str]) -> Path:
    folder = tmp_path / "raw"
    folder.mkdir(exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    rows = [f"C{i},{name},{interviewers.get(name, '')}" for i, name in enumerate(files)]
    (folder / "participants.csv").write_text(
        "case,file,interviewer\n" + "\n".join(rows) + "\n", encoding="utf-8"
    )
    return folder


@pytest.fixture
def local(tmp_path: Path):
    p = qualcode.open_project(tmp_path / "p.qualcode", user="tester")
    yield p
    p.close()


def test_ingest_reports_speakers_roles_and_rule_per_file(local, tmp_path: Path) -> None:
    folder = _area(
        tmp_path,
        {
            "asking.txt": ASKING,
            "named.txt": ASKING.replace("Tell", "So, tell"),
            "lab.txt": LABELLED,
        },
        {"named.txt": "Sandra"},
    )
    report = local.ingest(folder, area="a", progress=False)
    by_file = {Path(r.file).name: r for r in report.speakers}
    assert {n: r.rule for n, r in by_file.items()} == {
        "asking.txt": "inferred",
        "named.txt": "participants.csv",
        "lab.txt": "label",
    }
    lab = by_file["lab.txt"]
    assert [(s.name, s.role, s.turns) for s in lab.speakers] == [
        ("Interviewer", "interviewer", 2),
        ("Participant", "participant", 2),
    ]
    assert sum(lab.shares().values()) == pytest.approx(1.0)
    assert lab.shares()["participant"] > lab.shares()["interviewer"]
    assert local.document("named").meta["roles"]["rule"] == "participants.csv"
    shown = str(report)
    assert "roles by" in shown and "Sandra: 2 (I)" in shown and "participants.csv" in shown
    # the option wins, also for a file already stored and unchanged, and is recorded
    again = local.ingest(folder / "named.txt", area="a", progress=False, interviewer="Amina")
    assert len(again.unchanged) == 1 and again.speakers[0].rule == "--interviewer"
    assert {s.name: s.role for s in local.speakers("named").speakers}["Amina"] == "interviewer"


def _warnings(text: str, file: str = "x.txt") -> list[str]:
    turns, record = decide_roles(find_turns(text), text)
    return speaker_report(file, text, turns, record, format="txt").warnings


def test_each_warning_fires_on_its_bad_case_and_names_the_file() -> None:
    assert _warnings(LABELLED) == []
    one = _warnings("Amina: I care for my mum.\nAmina: Every day, since the stroke.\n", "a.txt")
    assert len(one) == 1 and one[0].startswith("a.txt: only one speaker (Amina)")
    none = _warnings("Notes from the drop-in, written up after.\n")
    assert len(none) == 1 and "no speaker turns were found" in none[0]
    swallowed = LABELLED + f"Interviewer: Anything else?\nParticipant: {LONG}\n"
    (warning,) = _warnings(swallowed)
    assert "one turn of Participant holds" in warning and "check the labels" in warning
    talker = (
        f"Interviewer: {LONG}, is that right?\nParticipant: Yes.\n"
        f"Interviewer: {LONG}, and then?\nParticipant: Yes, that.\n"
    )
    (warning,) = _warnings(talker)
    assert "interviewer turns (Interviewer; roles by label) hold" in warning
    assert "--interviewer NAME" in warning
    # a questionnaire answer has no speakers and is not a transcript: no warning
    assert speaker_report("q.csv", "An answer.", [], None, format="csv").warnings == []
    assert 0 < ONE_TURN_SHARE < 1


def test_an_unmatched_interviewer_option_warns(local, tmp_path: Path) -> None:
    folder = _area(tmp_path, {"lab.txt": LABELLED}, {})
    report = local.ingest(folder, area="a", progress=False, interviewer="Dawn")
    (warning,) = report.speaker_warnings
    assert "lab.txt" in warning and "--interviewer 'Dawn' is none of its speakers" in warning
    assert f"warning {warning}" in str(report)


def test_cli_prints_the_speaker_table_also_for_unchanged_files(tmp_path: Path) -> None:
    from qualcode.cli import app

    folder = _area(tmp_path, {"asking.txt": ASKING}, {})
    store = str(tmp_path / "p.qualcode")
    args = ["ingest", str(folder), "--area", "a", "-p", store, "--interviewer", "Sandra"]
    runner = CliRunner()
    first = runner.invoke(app, args)
    assert first.exit_code == 0, first.output
    second = runner.invoke(app, args)
    assert "1 unchanged" in second.output
    for result in (first, second):
        table = result.output.splitlines()
        header = next(i for i, line in enumerate(table) if line.startswith("file "))
        assert "roles by" in table[header]
        row = table[header + 1]
        assert row.startswith("asking.txt") and row.endswith("--interviewer")
        assert "Sandra: 2 (I), Amina: 2 (P)" in row


# renaming a speaker and setting a role --------------------------------------------------------


def _snapshot(project, doc) -> tuple:
    with project.reading() as conn:
        u, d = schema.units, schema.documents
        text = conn.execute(select(d.c.text, d.c.sha256).where(d.c.id == doc.id)).one()
        units = conn.execute(
            select(u.c.kind, u.c.start, u.c.end, u.c.speaker, u.c.role)
            .where(u.c.document_id == doc.id)
            .order_by(u.c.id)
        ).all()
        audit = conn.execute(select(func.count()).select_from(schema.audit)).scalar()
    codings = [(c.id, c.start, c.end, c.code, c.coder, c.text) for c in project.codings(doc)]
    return tuple(text), units, codings, audit


def test_rename_and_set_role_keep_text_and_codings(project, doc) -> None:
    project.codebook.add("Access")
    start = doc.text.index("Honestly")
    project.code(doc, start, start + 30, "Access", coder="amina")
    text, units, codings, audit = _snapshot(project, doc)

    changed = project.rename_speaker(doc, "Participant", "Pat")
    text2, units2, codings2, audit2 = _snapshot(project, doc)
    assert (text2, codings2) == (text, codings) and audit2 == audit + 1
    assert changed == sum(1 for x in units if x.speaker == "Participant") > 2
    assert [(x.kind, x.start, x.end) for x in units2] == [(x.kind, x.start, x.end) for x in units]
    assert {x.speaker for x in units2 if x.kind == "turn"} == {"Interviewer", "Pat"}

    project.set_speaker_role(doc, "Pat", "interviewer")
    text3, units3, codings3, _ = _snapshot(project, doc)
    assert (text3, codings3) == (text, codings)
    assert {x.role for x in units3 if x.speaker == "Pat"} == {"interviewer"}
    report = project.speakers(doc)
    assert report.rule == "set" and report.shares()["interviewer"] == pytest.approx(1.0)
    assert any("interviewer turns" in w for w in report.warnings)
    last = project.audit_df(document=doc).iloc[-1]
    assert last["object"] == "speaker" and last["actor"] == "tester"


def test_bad_speaker_edits_are_refused_and_write_nothing(project, doc) -> None:
    before = _snapshot(project, doc)
    with pytest.raises(NotFoundError, match=r"no speaker 'Nobody'; its speakers are 'Interv"):
        project.rename_speaker(doc, "Nobody", "Pat")
    with pytest.raises(NotFoundError, match="no document titled 'missing'"):
        project.set_speaker_role("missing", "Interviewer", "participant")
    with pytest.raises(QualcodeError, match="'boss' is not one of interviewer, participant"):
        project.set_speaker_role(doc, "Interviewer", "boss")
    with pytest.raises(QualcodeError, match="speaker name"):
        project.rename_speaker(doc, "Participant", "  ")
    assert _snapshot(project, doc) == before


@pytest.mark.sqlite_only
def test_a_pseudonymised_version_and_a_purge_keep_no_speaker_name_in_the_roles(project) -> None:
    from qualcode.store.purge import purge_version

    text = ASKING.replace("Sandra", "Sandra Jones")
    doc = project.add_document(text, area="a", title="t", attributes={"interviewer": "Sandra"})
    assert doc.meta["roles"]["interviewer"] == ["Sandra Jones"]
    spans = [
        (m, m + len("Sandra Jones")) for m in range(len(text)) if text.startswith("Sandra Jones", m)
    ]
    new, _ = project.revise(
        doc,
        [(s, e, "[PERSON 1]") for s, e in spans],
        by="dawn",
        speakers={"Sandra Jones": "[PERSON 1]"},
    )
    assert "Sandra" not in str(new.meta) and new.meta["roles"]["interviewer"] == ["[PERSON 1]"]
    with project.writing() as conn:
        old = conn.execute(select(schema.documents).where(schema.documents.c.id == doc.id)).one()
        purge_version(conn, old, actor="dawn", units=0, codings=0, pseudonymised_version=new.id)
    assert "Sandra" not in str(project.document(doc.id).meta)
