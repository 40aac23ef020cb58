"""The speaker corpus (tests/data/speakers/): each file read as ingest reads it, its turns and
roles found, and compared with what was written. Used by the tests and by
benchmarks/bench_speakers.py, which also runs it against an older qualcode, so it uses only
`read_file`, `find_turns` and `assign_roles` (in `ingest.roles` since issue 19's roles, in
`ingest.turns` before)."""

from __future__ import annotations

import importlib.util
import json
from dataclasses import dataclass
from pathlib import Path

CORPUS = Path(__file__).parent / "data" / "speakers"


@dataclass(frozen=True)
class Found:
    """What the parser made of one file: (speaker, role, first words) per turn, and the
    words each role was given ("none" for turns left without a role)."""

    turns: list[tuple[str | None, str | None, str]]
    words: dict[str, int]


def names() -> list[str]:
    return sorted(p.name.removesuffix(".expected.json") for p in CORPUS.glob("*.expected.json"))


def expected(name: str) -> dict:
    return json.loads((CORPUS / f"{name}.expected.json").read_text(encoding="utf-8"))


def source_file(name: str, folder: Path) -> Path:
    """The file to ingest: in the corpus, or a .docx built into `folder` from its rows."""
    source = expected(name)["source"]
    if not source.endswith(".docx"):
        return CORPUS / source
    spec = importlib.util.spec_from_file_location("make_speakers", CORPUS / "make_corpus.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.build_docx(CORPUS / f"{name}.rows.json", folder / source)


def find(name: str, folder: Path) -> Found:
    """Read the file, find its turns and roles as ingest does, and score the roles."""
    from qualcode.ingest.readers import read_file
    from qualcode.ingest.turns import find_turns

    try:  # where roles are decided since issue 19; in turns before it (the benchmark's peer)
        from qualcode.ingest.roles import assign_roles
    except ImportError:
        from qualcode.ingest.turns import assign_roles

    (read,) = read_file(source_file(name, folder))
    text = read.text
    turns = assign_roles(read.turns if read.turns is not None else find_turns(text), text)
    words: dict[str, int] = {}
    for turn in turns:
        count = len(text[turn.start : turn.end].split())
        words[turn.role or "none"] = words.get(turn.role or "none", 0) + count
    found = [(t.speaker, t.role, " ".join(text[t.start : t.end].split()[:4])) for t in turns]
    return Found(found, words)


def right_share(found: dict[str, int], expected: dict[str, int]) -> float:
    """The share of the words said that went to the role that said them, as far as the
    totals per role can tell: words a role was given beyond what it said belong to another."""
    said = sum(expected.values())
    return sum(min(found.get(role, 0), n) for role, n in expected.items()) / said if said else 1.0
