"""Speaker turns in plain transcripts: `Interviewer:`, `I:`, `P3:`, `[00:01:23] R:` and names.

A turn starts at a line that opens with a speaker label and runs until the next labelled line.
The turn's span covers the words spoken, not the label or timestamp, so a coding of a whole
turn never includes "Interviewer:". A label may state a role (`role_of`); `ingest.roles`
decides the others.
"""

from __future__ import annotations

import re
from collections import Counter

from qualcode.ingest.source import Unit

INTERVIEWER_LABELS = frozenset(
    {"interviewer", "int", "i", "q", "facilitator", "moderator", "researcher", "fac", "mod"}
)
PARTICIPANT_LABELS = frozenset(
    {"participant", "respondent", "interviewee", "r", "p", "a", "resp", "part", "client"}
)
_NUMBERED = re.compile(r"^(?:p|r|participant|respondent|speaker|resp)\s*\d{1,3}$", re.I)
_NOT_SPEAKERS = frozenset({"note", "notes", "date", "time", "location", "place", "duration"})

_STAMP = r"[\[(]?\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d+)?[\])]?"
_LINE = re.compile(
    rf"^[ \t]*(?P<before>{_STAMP}[ \t]+)?"
    r"(?P<label>[A-Za-z][\w.'’-]*(?:[ \t][A-Za-z0-9][\w.'’-]*){0,2})"
    r"(?P<aside>[ \t]*\((?P<name>[^()\n]{1,40})\))?"
    rf"(?P<after1>[ \t]+{_STAMP})?[ \t]*:[ \t]*"
    rf"(?P<after2>{_STAMP}[ \t]*)?",
    re.M,
)


def find_turns(text: str) -> list[Unit]:
    """Speaker turns found from line-start labels; known labels, or names used on 2+ lines."""
    candidates = [m for m in _LINE.finditer(text) if _plausible(m)]
    counts = Counter(_key(m) for m in candidates)
    starts = [m for m in candidates if _known(_key(m)) or counts[_key(m)] >= 2]
    turns: list[Unit] = []
    for i, m in enumerate(starts):
        start = m.end()
        stop = starts[i + 1].start() if i + 1 < len(starts) else len(text)
        end = start + len(text[start:stop].rstrip())
        if end <= start:
            continue
        label = m.group("label").strip()
        name = (m.group("name") or "").strip() or None
        speaker = f"{label} ({name})" if name else label
        stamp = m.group("before") or m.group("after1") or m.group("after2")
        meta = {"timestamp": stamp.strip().strip("[]()")} if stamp else None
        turns.append(Unit("turn", start, end, speaker=speaker, role=role_of(label), meta=meta))
    return turns


def role_of(label: str) -> str | None:
    """The role a label states: "interviewer", "participant", or None for a bare name."""
    key = label.strip().lower().split("(")[0].strip().rstrip(".")
    if key in INTERVIEWER_LABELS:
        return "interviewer"
    if key in PARTICIPANT_LABELS or _NUMBERED.match(key):
        return "participant"
    return None


def _key(m: re.Match[str]) -> str:
    return m.group("label").strip().lower()


def _known(key: str) -> bool:
    return role_of(key) is not None


def _plausible(m: re.Match[str]) -> bool:
    """A label, not a sentence with a colon in it: short, and names capitalised."""
    label = m.group("label").strip()
    key = label.lower()
    if key in _NOT_SPEAKERS or key.startswith(("http", "www")):
        return False
    if _known(key):
        return True
    words = label.split()
    return len(label) <= 30 and all(w[0].isupper() or w[0].isdigit() for w in words)
