"""Waves and change over time: a wave per person from a `wave` attribute or from a date
(grouped into periods), theme shares by wave, and what changed since the last report."""

from __future__ import annotations

from pathlib import Path

import pytest

import qualcode
from qualcode.analysis import change, waves
from qualcode.errors import QualcodeError

TEXT = "[SYNTHETIC]\nInterviewer: How do you get about?\nParticipant: The bus is never on time.\n"


def build(tmp_path: Path, people: dict[str, dict[str, str]]) -> qualcode.Project:
    """One document per person (title = case), area from the person's `area`; each person
    whose `transport` is "yes" is coded Transport."""
    p = qualcode.open_project(tmp_path / "w.qualcode", user="tester")
    p.codebook.add("Transport")
    p.codebook.add("Housing")
    at = TEXT.index("The bus")
    for case, attrs in people.items():
        attrs = dict(attrs)
        area, coded = attrs.pop("area", "north"), attrs.pop("transport", "no")
        doc = p.add_document(TEXT + case, area=area, title=case, attributes=attrs)
        if coded == "yes":
            p.code(doc, at, at + 7, "Transport", coder="amina")
        else:
            p.code(doc, at, at + 7, "Housing", coder="amina")
    return p


def test_waves_from_a_wave_attribute_sort_numbers_first_and_name_missing(tmp_path) -> None:
    p = build(
        tmp_path,
        {"a": {"wave": "2"}, "b": {"wave": "10"}, "c": {"wave": "1"}, "d": {}},
    )
    found = waves.case_waves(p)
    assert dict(zip(found["case"], found["wave"], strict=True)) == {
        "a": "Wave 2", "b": "Wave 10", "c": "Wave 1", "d": waves.NOT_RECORDED,
    }  # fmt: skip
    assert waves.wave_order(found) == ["Wave 1", "Wave 2", "Wave 10", waves.NOT_RECORDED]


def test_waves_from_dates_are_grouped_into_periods(tmp_path) -> None:
    p = build(
        tmp_path,
        {
            "a": {"interviewed": "2026-01-14"},
            "b": {"interviewed": "31/03/2026"},  # day/month/year, as UK sheets write it
            "c": {"interviewed": "2026-04-02"},
            "d": {"interviewed": "2025-12-30"},
        },
    )
    quarters = waves.case_waves(p, by="interviewed")
    assert dict(zip(quarters["case"], quarters["wave"], strict=True)) == {
        "a": "2026 Q1", "b": "2026 Q1", "c": "2026 Q2", "d": "2025 Q4",
    }  # fmt: skip
    assert waves.wave_order(quarters) == ["2025 Q4", "2026 Q1", "2026 Q2"]
    months = waves.case_waves(p, by="interviewed", period="month")
    assert set(months["wave"]) == {"January 2026", "March 2026", "April 2026", "December 2025"}
    years = waves.case_waves(p, by="interviewed", period="year")
    assert waves.wave_order(years) == ["2025", "2026"]
    with pytest.raises(QualcodeError, match="period 'week' is not one of"):
        waves.case_waves(p, by="interviewed", period="week")
    with pytest.raises(QualcodeError, match=r"no case attribute 'wave'.*interviewed"):
        waves.case_waves(p)


def test_shares_by_wave_count_people_with_their_base(tmp_path) -> None:
    p = build(
        tmp_path,
        {
            "a": {"wave": "1", "transport": "yes"},
            "b": {"wave": "1"},
            "c": {"wave": "2", "transport": "yes"},
            "d": {"wave": "2", "transport": "yes", "area": "south"},
        },
    )
    shares = waves.shares_by_wave(p)
    row = {(r.wave, r.name): (r.participants, r.people, r.share) for r in shares.itertuples()}
    assert row[("Wave 1", "Transport")] == (1, 2, 50.0)
    assert row[("Wave 2", "Transport")] == (2, 2, 100.0)
    assert row[("Wave 2", "Housing")] == (0, 2, 0.0)  # listed, with zeros
    per_area = waves.shares_by_wave(p, per_area=True)
    south = per_area[(per_area["area"] == "south") & (per_area["name"] == "Transport")]
    assert south[["wave", "participants", "people"]].values.tolist() == [["Wave 2", 1, 1]]
    south_only = waves.shares_by_wave(p, area="south")  # the codes used in that area
    assert south_only[["name", "people"]].values.tolist() == [["Transport", 1]]
    table = waves.wave_table(shares)
    assert list(table.columns) == ["Wave 1", "Wave 2"]
    assert table.loc["Transport", "Wave 1"] == "1 of 2 people (50%)"
    assert table.loc["Transport", "Wave 2"] == "2 of 2 people (100%)"


def test_since_last_report_from_two_runs_figures(tmp_path) -> None:
    p = build(tmp_path, {"a": {"transport": "yes"}, "b": {}})
    first = tmp_path / "run1"
    first.mkdir()
    change.save_figures(first, change.figures(p))
    assert change.since_last(None, change.figures(p)).since is None
    assert "first report" in change.change_markdown(change.since_last(None, change.figures(p)))

    doc = p.add_document(TEXT + "c", area="south", title="c")
    at = TEXT.index("The bus")
    p.code(doc, at, at + 7, "Transport", coder="amina")
    p.uncode(p.codings(p.documents(area="north")[1])[0], coder="amina")  # b: Housing gone
    from qualcode.analysis import add_recommendation

    add_recommendation(p, "Run a later bus on Sundays", area="south", codes=["Transport"])
    now = change.since_last(change.load_figures(first), change.figures(p))
    assert now.new_interviews == ["south/c"] and now.people == (2, 3)
    assert now.grew == [("Transport", 1, 2)] and now.fell == [("Housing", 1, 0)]
    assert now.new_recommendations == ["Run a later bus on Sundays"]
    text = change.change_markdown(now)
    assert "**1 new interview** (1 in South)" in text and "Transport (1 to 2 people)" in text
    assert "Housing (1 to 0 people)" in text and "Run a later bus on Sundays" in text
    assert change.load_figures(tmp_path / "no-such-run") is None
