"""Questionnaires with several open questions, and case attributes that a later file updates."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

import qualcode
from qualcode.cli import app
from qualcode.coding.retrieval import Retrieval
from qualcode.errors import IngestError, NotFoundError
from qualcode.ingest.readers import read_participants, read_questionnaire
from qualcode.store import schema

DATA = Path(__file__).parent / "data" / "questionnaire"

Q1 = "Q1 What is it like getting a GP appointment?"
Q2 = "Q2 What would make it better?"
SURVEY = (
    f'respondent,submitted,age_band,group,"{Q1}","{Q2}"\n'
    'R01,2026-11-02 10:14,65-74,Carers,"You ring at eight and they have all gone by ten past.",'
    '"A person who rings you back when they say they will."\n'
    'R02,2026-11-03 09:01,16-24,Young people,"I did not know you could book online at all.",'
    '"Tell us at school how to register with a doctor."\n'
    'R03,2026-11-03 12:40,35-44,Carers,,"Evening appointments for people who work shifts."\n'
)


def _survey(tmp_path: Path, text: str = SURVEY, name: str = "survey.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_every_open_question_is_its_own_set_of_answers(project, tmp_path: Path) -> None:
    report = project.ingest(_survey(tmp_path), area="worcester", progress=False)
    assert report.ok
    docs = project.documents_df()
    assert sorted(docs["title"]) == [
        "survey R01 (Q1)",
        "survey R01 (Q2)",
        "survey R02 (Q1)",
        "survey R02 (Q2)",
        "survey R03 (Q2)",  # no answer to Q1: no document
    ]
    assert sorted(docs.loc[docs["case"] == "R01", "question"]) == [Q1, Q2]
    assert {d.meta["question"] for d in project.documents()} == {Q1, Q2}
    # the date, the age band and the group stay attributes of the respondent
    assert "submitted" in docs and set(docs["group"]) == {"Carers", "Young people"}
    text = str(report)
    assert f"questions '{Q1}', '{Q2}'; attributes 'submitted', 'age_band', 'group'" in text
    assert [d.title for d in project.documents(question=Q2)] == [
        "survey R01 (Q2)",
        "survey R02 (Q2)",
        "survey R03 (Q2)",
    ]


def test_q2_after_q1_keeps_q1_current(project, tmp_path: Path) -> None:
    survey = _survey(tmp_path)
    first = project.ingest(survey, area="w", text_column=Q1, progress=False)
    second = project.ingest(survey, area="w", text_column=Q2, progress=False)
    assert (len(first.added), len(second.added), len(second.new_versions)) == (2, 3, 0)
    assert "not taken" in str(first) and Q2 in str(first)
    docs = project.documents_df(all_versions=True)
    assert len(docs) == 5 and docs["is_current"].all()
    # both at once (a list) is the same documents, unchanged
    again = project.ingest(survey, area="w", text_column=[Q1, Q2], progress=False)
    assert (len(again.added), len(again.unchanged)) == (0, 5)
    assert len(project.ingest(survey, area="w", progress=False).unchanged) == 5


def test_questions_in_codings_retrieval_frequencies_and_themes(project, tmp_path) -> None:
    from qualcode.analysis.frequencies import code_frequencies
    from qualcode.topics.units import select_units

    project.ingest(_survey(tmp_path), area="w", progress=False)
    project.codebook.add("Access")
    for doc in project.documents():
        project.code(doc, 0, 10, "Access", coder="amina")
    frame = project.codings_df()
    assert list(frame.columns[:4]) == ["area", "case", "title", "question"]
    assert set(project.codings_df(question=Q1)["question"]) == {Q1}
    assert len(project.codings_df(question=[Q1, Q2])) == 5
    found = Retrieval(project, "Access", question=Q2)
    assert sorted(found.df["title"]) == [f"survey R0{n} (Q2)" for n in (1, 2, 3)]
    freq = code_frequencies(project, question=Q1)
    assert freq.loc[freq["code"] == "Access", "participants"].item() == 2
    units = select_units(project, "sentence", question=Q1)
    assert set(units["title"]) == {"survey R01 (Q1)", "survey R02 (Q1)"}
    with pytest.raises(NotFoundError, match=r"no answers to question 'Q9'.*the questions are"):
        project.codings_df(question="Q9")


def test_a_store_made_before_questions_reingests_unchanged(tmp_path: Path) -> None:
    store = tmp_path / "main-store.qualcode"
    shutil.copy(DATA / "main-store.qualcode", store)
    p = qualcode.open_project(store, user="tester")
    try:
        before = p.documents_df()
        report = p.ingest(DATA / "survey.csv", area="worcester", progress=False)
        assert (len(report.added), len(report.new_versions), len(report.unchanged)) == (0, 0, 3)
        assert [d.title for d in report.unchanged] == ["survey R01", "survey R02", "survey R03"]
        after = p.documents_df()
        assert list(after.index) == list(before.index)
        assert set(after["question"]) == {"answer"}  # known from the column main recorded
        # main kept "COPD; diabetes" as one text; it is two values now, and the file says so
        assert "attributes updated for 1 case" in str(report)
        assert p.documents_df().loc[before.index[0], "conditions"] == "COPD; diabetes"
    finally:
        p.close()


def test_column_choice_keeps_ids_dates_numbers_and_choices_as_attributes(tmp_path) -> None:
    rows = [
        "id,email,when,score,group,comment",
        *(
            f"P{n:02d},person{n}.someone@example.org,2026-11-{n:02d} 10:00:00 +00:00,{n * 1.5},"
            f"{'Carers of older relatives' if n % 2 else 'Young people with caring duties'},"
            f'"Answer number {n} says something different about the clinic."'
            for n in range(1, 9)
        ),
    ]
    found = read_questionnaire(_survey(tmp_path, "\n".join(rows) + "\n"))
    assert found.questions == ["comment"]
    assert found.attributes == ["email", "when", "score", "group"]
    assert found.sources[0].title == "survey P01"  # one question: titles as before


def test_bad_text_columns_name_the_file_and_its_columns(project, tmp_path: Path) -> None:
    survey = _survey(tmp_path)
    with pytest.raises(IngestError, match=r"has no column 'Q3'; its columns are 'respondent'"):
        read_questionnaire(
            survey, text_column=["Q1 What is it like getting a GP appointment?", "Q3"]
        )
    report = project.ingest(survey, area="w", text_column="Q3", progress=False)
    assert report.refused == [(str(survey), report.refused[0][1])]
    assert "'Q3'" in report.refused[0][1] and "'group'" in report.refused[0][1]
    assert project.documents() == []


def test_cli_takes_several_text_columns_and_prints_the_columns(tmp_path: Path) -> None:
    survey = _survey(tmp_path)
    store = tmp_path / "p.qualcode"
    args = ["ingest", str(survey), "--area", "w", "--project", str(store)]
    result = CliRunner().invoke(app, [*args, "--text-column", Q1, "--text-column", Q2])
    assert result.exit_code == 0, result.output
    assert "5 added" in result.output and f"questions '{Q1}', '{Q2}'" in result.output
    bad = CliRunner().invoke(app, [*args, "--text-column", "nope"])
    assert bad.exit_code == 1 and "has no column 'nope'" in bad.output


# case attributes -------------------------------------------------------------------------------


def _transcripts(tmp_path: Path) -> Path:
    folder = tmp_path / "hartlepool"
    folder.mkdir()
    (folder / "hp01.txt").write_text("Interviewer: How is the bus?\nParticipant: Awful.\n")
    (folder / "hp02.txt").write_text("Interviewer: And the GP?\nParticipant: Fine.\n")
    return folder


def test_participants_added_later_update_the_cases(project, tmp_path: Path) -> None:
    folder = _transcripts(tmp_path)
    project.ingest(folder, area="hartlepool", progress=False)
    (folder / "participants.csv").write_text(
        "case,file,group,conditions,notes\n"
        "HP01,hp01.txt,Carers,COPD; diabetes,late\n"
        "HP02,hp02.txt,Young people,asthma,\n"
    )
    report = project.ingest(folder, area="hartlepool", progress=False)
    assert len(report.unchanged) == 2 and "attributes updated for 2 cases" in str(report)
    docs = project.documents_df().set_index("title")
    assert docs.loc["hp01", "case"] == "HP01" and docs.loc["hp01", "group"] == "Carers"
    assert docs.loc["hp01", "conditions"] == "COPD; diabetes"  # a list, shown joined
    # a later file replaces what it names (an empty cell removes it) and keeps the rest
    with project.writing() as conn:
        conn.execute(
            schema.cases.update()
            .where(schema.cases.c.name == "HP01")
            .values(
                attributes={
                    "group": "Carers",
                    "conditions": ["COPD", "diabetes"],
                    "notes": "late",
                    "setting": "home",
                }
            )
        )
    (folder / "participants.csv").write_text(
        "case,file,group,conditions,notes\nHP01,hp01.txt,Older people,COPD,\n"
    )
    report = project.ingest(folder, area="hartlepool", progress=False)
    assert "attributes updated for 1 case" in str(report)
    with project.reading() as conn:
        case = conn.execute(select(schema.cases).where(schema.cases.c.name == "HP01")).one()
        audit = conn.execute(
            select(schema.audit)
            .where(schema.audit.c.object == "case", schema.audit.c.object_id == case.id)
            .order_by(schema.audit.c.id)
        ).all()
    assert case.attributes == {"group": "Older people", "conditions": "COPD", "setting": "home"}
    last = audit[-1]
    assert (last.action, last.actor) == ("update", "tester")
    assert last.before["attributes"]["group"] == "Carers"
    assert last.after["attributes"]["group"] == "Older people"
    again = project.ingest(folder, area="hartlepool", progress=False)
    assert "attributes updated" not in str(again)


def test_multi_valued_attributes_filter_by_any_value(project, tmp_path: Path) -> None:
    folder = _transcripts(tmp_path)
    (folder / "participants.csv").write_text(
        "case,file,conditions\nHP01,hp01.txt, COPD ;diabetes; \nHP02,hp02.txt,asthma\n"
    )
    project.ingest(folder, area="hartlepool", progress=False)
    with project.reading() as conn:
        stored = dict(conn.execute(select(schema.cases.c.name, schema.cases.c.attributes)).all())
    assert stored["HP01"]["conditions"] == ["COPD", "diabetes"]
    assert stored["HP02"]["conditions"] == "asthma"
    project.codebook.add("Transport")
    for doc in project.documents():
        project.code(doc, 0, 11, "Transport", coder="amina")
    assert list(Retrieval(project, "Transport", where={"conditions": "COPD"}).df["case"]) == [
        "HP01"
    ]
    both = Retrieval(project, "Transport", where={"conditions": ["diabetes", "asthma"]})
    assert sorted(both.df["case"]) == ["HP01", "HP02"]
    assert set(project.codings_df()["conditions"]) == {"COPD; diabetes", "asthma"}


def test_participants_with_a_case_twice_is_refused_naming_the_rows(tmp_path: Path) -> None:
    path = tmp_path / "participants.csv"
    path.write_text("case,group\nHP01,Carers\nHP02,Young people\nHP01,Older people\n")
    with pytest.raises(IngestError, match=r"names case 'HP01' twice \(rows 2 and 4\)") as info:
        read_participants(path)
    assert info.value.path == str(path)


def test_a_person_in_two_groups_is_heard_in_both(project, tmp_path: Path) -> None:
    from qualcode.analysis.reach import reach

    folder = _transcripts(tmp_path)
    (folder / "participants.csv").write_text(
        "case,file,population_group\nHP01,hp01.txt,Carers; Older people\nHP02,hp02.txt,Carers\n"
    )
    project.ingest(folder, area="hartlepool", progress=False)
    heard = reach(project, area="hartlepool").set_index("group")["heard"].to_dict()
    assert heard == {"Carers": 2, "Older people": 1}
