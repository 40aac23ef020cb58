"""The hand-written coded corpus the suggestion and theme benchmarks share reads back whole:
ids unique, code names kept exactly (with "/"), every code used often enough to measure."""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))

from coded_corpus import HANDWRITTEN, load_handwritten  # noqa: E402


def test_handwritten_corpus_reads_back_with_codes_as_written() -> None:
    comments = load_handwritten()
    assert 400 <= len(comments) <= 500
    assert len({c.id for c in comments}) == len(comments)
    assert len({c.text for c in comments}) == len(comments)
    assert all(c.text.strip() == c.text and c.text for c in comments)
    uses = Counter(code for c in comments for code in c.codes)
    assert 15 <= len(uses) <= 25 and min(uses.values()) >= 10
    assert "Transport to/ from services" in uses  # "/" kept, " | " only separates
    assert all(code == code.strip() and "|" not in code for code in uses)
    assert any(len(c.codes) > 1 for c in comments) and any(not c.codes for c in comments)
    assert all(len(set(c.codes)) == len(c.codes) for c in comments)


def test_handwritten_corpus_says_it_is_synthetic() -> None:
    readme = (HANDWRITTEN.parent / "README.md").read_text(encoding="utf-8")
    assert "SYNTHETIC" in readme and "hand" in readme
