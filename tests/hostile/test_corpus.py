"""Every hostile input of the corpus, through its public door into a fresh project, in a child
process limited to 300 MB more memory: refused with one line naming the file (and the limit or
cause) and nothing half-written, or accepted with what must hold afterwards."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.hostile.make_corpus import ENTRIES, Entry, build_corpus
from tests.hostile.runner import run_limited

MEMORY_MB = 300
HANG_GUARD_S = 60  # not a speed check: a reader that never finishes must not stall the suite


@pytest.fixture(scope="session")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("hostile")
    return {entry.name: path for entry, path in build_corpus(folder)}


@pytest.mark.parametrize("entry", ENTRIES, ids=[e.name for e in ENTRIES])
def test_hostile_input(entry: Entry, corpus: dict[str, Path], tmp_path: Path) -> None:
    path = corpus[entry.name]
    result = run_limited(entry, path, tmp_path, memory_mb=MEMORY_MB, timeout=HANG_GUARD_S)
    assert result["outcome"] == entry.expect, f"{result['outcome']}: {result['message']}"
    if entry.expect == "refused":
        message = result["message"]
        assert "\n" not in message and path.name in message, message
        assert all(word in message for word in entry.names), (entry.names, message)
        assert result["unchanged"], "a refusal left something in the project"
        return
    after = entry.after
    if after.documents is not None:
        assert result["documents"] == after.documents, result["message"]
    if after.sha256 is not None:
        assert result["sha256"] == [after.sha256], "the text was not kept intact"
    if after.titles:
        assert result["titles"] == sorted(after.titles)
    if after.codes:
        assert result["codes"] == sorted(after.codes)
    assert all(result["contains"].values()), result["contains"]
    assert all(result["absent"].values()), result["absent"]


def test_the_corpus_names_each_input_once_with_its_expectation() -> None:
    assert len({e.name for e in ENTRIES}) == len(ENTRIES)
    for entry in ENTRIES:
        assert entry.door in ("ingest", "refi", "merge") and entry.expect in ("refused", "accepted")
        assert entry.expect == "refused" or entry.after != type(entry.after)(), entry.name
