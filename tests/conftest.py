"""Shared fixtures: a fresh project per test, and a small transcript."""

from __future__ import annotations

from pathlib import Path

import pytest

import qualcode

ROOT = Path(__file__).resolve().parents[1]

TRANSCRIPT = """[SYNTHETIC test transcript]

Interviewer: How do you find getting a GP appointment?
Participant: Honestly it's a nightmare. You ring at eight and you're twentieth in the queue.
By the time you get through they've gone.
Interviewer: And what happens then?
Participant: I give up, mostly. My neighbour drives me to the walk-in when it's bad.
"""


@pytest.fixture
def project(tmp_path: Path) -> qualcode.Project:
    p = qualcode.open_project(tmp_path / "test.qualcode", user="tester")
    yield p
    p.close()


@pytest.fixture
def doc(project: qualcode.Project):
    return project.add_document(
        TRANSCRIPT,
        area="hartlepool",
        title="hp-test",
        attributes={"age_band": "65+", "population_group": "Carers"},
    )
