"""Speaker turns in plain transcripts, in the forms they arrive in: `Interviewer:`, `P3:`,
`   admin-1   :` padded, `[id1] words`, `Dr. Khan:`, `[00:01:23] Name:`, `Name (00:01:23):`,
`Interviewer<tab>words`, and `Name  0:03` alone on a line with the words below (what a
label looks like is `labels`).

A turn starts at a line that opens with a speaker label and runs until the next labelled line,
so hard-wrapped lines continue it. The turn's span covers the words spoken, not the label or
timestamp, so a coding of a whole turn never includes "Interviewer:". Each line is looked at
for a label in its first `_LOOK` characters only, so finding turns is linear in the text.
A label may state a role (`role_of`); `ingest.roles` decides the others.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from qualcode.ingest.labels import BOXED_TIME, TITLES, is_code, label_shape
from qualcode.ingest.source import Unit

INTERVIEWER_LABELS = frozenset(
    {"interviewer", "int", "i", "q", "facilitator", "moderator", "researcher", "fac", "mod"}
)
PARTICIPANT_LABELS = frozenset(
    {"participant", "respondent", "interviewee", "r", "p", "a", "resp", "part", "client"}
)
_NOT_SPEAKERS = frozenset({"note", "notes", "date", "time", "location", "place", "duration"})
_NUMBER = re.compile(r"[-_ ]?\d{1,4}$")  # "Interviewer 2", "P-07", "R1": a role and a number

_BOXED = BOXED_TIME
_BOLD = r"(?:\*\*|__)?"
_HEAD = re.compile(
    rf"[ \t]*(?:(?P<before>{_BOXED})[ \t]*(?:[-–][ \t]*)?)?(?P<bold>\*\*|__)?(?:"
    r"\[(?P<boxed>[^\]\n]{1,40})\](?:[ \t]*:)?(?=[ \t]|$)"
    r"|(?P<label>[^\W\d_][\w'’.-]*(?:[ \t]+\w[\w'’.-]*){0,3}?)"
    r"(?:[ \t]*\((?P<aside>[^()\n]{1,40})\))?"
    rf"(?:[ \t]*(?P<after>{_BOXED}))?[ \t]*{_BOLD}[ \t]*"
    rf"(?:(?P<colon>:)(?![\d/]){_BOLD}[ \t]*(?:(?P<stamp>{_BOXED})(?=[ \t]|$))?"
    r"|(?<=\t)(?P<tab>)(?=[^\s])|$))"
)
_PLAIN = ("colon", 0, "", False, False)  # `Name: words`, the layout of prose too
_LOOK = 160  # characters of a line a label and its timestamps can take


@dataclass(frozen=True, slots=True)
class _Head:
    """A labelled line: where it starts, where the words start, who, when, and its layout
    (form, indent, stamp place, padding before the colon, bold), which a file keeps."""

    start: int
    words: int
    label: str
    name: str | None
    stamp: str | None
    layout: tuple[object, ...]


def find_turns(text: str) -> list[Unit]:
    """Speaker turns from labelled lines. A turn runs to the next labelled line; its span is
    the words spoken, without the label or timestamp. See `_confirmed` for which labels count."""
    starts = _confirmed(list(_heads(text)))
    turns: list[Unit] = []
    for i, head in enumerate(starts):
        stop = starts[i + 1].start if i + 1 < len(starts) else len(text)
        body = text[head.words : stop]
        start = head.words + len(body) - len(body.lstrip())
        end = head.words + len(body.rstrip())
        if end <= start:
            continue
        speaker = f"{head.label} ({head.name})" if head.name else head.label
        meta = {"timestamp": head.stamp} if head.stamp else None
        turns.append(Unit("turn", start, end, speaker=speaker, role=role_of(head.label), meta=meta))
    return turns


def _confirmed(heads: list[_Head]) -> list[_Head]:
    """The heads that start turns: a label stating a role, or one used on two or more lines
    (two codes alike, `Speaker 3` and `Speaker 12`, confirm each other); then, once the file
    shows its convention, a label used once that follows it: a code like the file's (`id2`
    beside `id1`), a titled name (`Mr. Tyeri`), or a line laid out like the file's labelled
    lines (`Bob (00:01:30):`, `   ADMIN-1   :`), which prose never is. Where the labels
    that state a role are all laid out one way that is not prose's (padded, timed, bold), a
    line laid out otherwise is not a label (`Derek: he said` in a wrapped line, twice)."""
    known = [h for h in heads if _known(_key(h.label))]
    kept = {h.layout for h in known}
    if len(known) >= 3 and len(kept) == 1 and _PLAIN not in kept:  # one layout, not prose's
        heads = [h for h in heads if h.layout in kept]
    counts = Counter(_key(h.label) for h in heads)
    counts.update(f"{_prefix(h.label)} #" for h in heads if is_code(h.label))
    sure = [
        h
        for h in heads
        if _known(_key(h.label))
        or counts[_key(h.label)] >= 2
        or (is_code(h.label) and counts[f"{_prefix(h.label)} #"] >= 2)
    ]
    if not sure:
        return []
    starts = {h.start for h in sure}
    prefixes = {_prefix(h.label) for h in sure if is_code(h.label)}
    layouts = {h.layout for h in sure if h.layout != _PLAIN}
    return [
        h
        for h in heads
        if h.start in starts
        or (is_code(h.label) and _prefix(h.label) in prefixes)
        or h.layout in layouts
        or h.label.split()[0].lower().rstrip(".") in TITLES
    ]


def _heads(text: str) -> Iterator[_Head]:
    """Every line that opens with something shaped like a speaker label."""
    at = 0
    while at < len(text):
        stop = text.find("\n", at)
        stop = len(text) if stop < 0 else stop
        m = _HEAD.match(text, at, min(stop, at + _LOOK))
        head = _head(text, m, stop) if m else None
        if head is not None:
            yield head
        at = stop + 1


def _head(text: str, m: re.Match[str], stop: int) -> _Head | None:
    """The label of a line's head if the line is a turn's start: `Label: words`,
    `[id1] words`, or `Label  0:03` alone on its line with the words below."""
    label, aside = m.group("label") or m.group("boxed"), m.group("aside")
    stamps = [m.group(g) for g in ("before", "after", "stamp") if m.group(g)]
    if aside and re.fullmatch(_BOXED, aside.strip()):
        stamps.insert(0, aside)
        aside = None
    label = " ".join(label.split())
    alone = not text[m.end() : stop].strip()
    if m.group("colon"):
        form = "colon"
    elif m.group("boxed"):
        form = "boxed"
        if m.group("before") or not (_known(_key(label)) or is_code(label)):
            return None
    elif alone and stamps:
        form = "alone"
    elif m.group("tab") is not None:
        form = "tab"  # `Interviewer<tab>words`, as Word exports have it
    else:
        return None
    if not is_speaker_label(label):
        return None
    stamp = stamps[0].strip().strip("[]()") if stamps else None
    words = stop if alone else m.end()
    name = " ".join(aside.split()) if aside else None
    layout = (
        form,
        m.start("label" if m.group("label") else "boxed") - m.start(),
        next((g for g in ("before", "after", "stamp") if m.group(g)), "aside" if stamps else ""),
        m.group("colon") is not None and text[m.start("colon") - 1] in " \t",
        m.group("bold") is not None,
    )
    return _Head(m.start(), words, label, name, stamp, layout)


@lru_cache(maxsize=4096)  # a transcript repeats a few labels thousands of times
def role_of(label: str) -> str | None:
    """The role a label states: "interviewer", "participant", or None for a bare name."""
    key = label.strip().lower().split("(")[0].strip().rstrip(".")
    for word in (key, _NUMBER.sub("", key)):
        if word in INTERVIEWER_LABELS:
            return "interviewer"
        if word in PARTICIPANT_LABELS:
            return "participant"
    return None


@lru_cache(maxsize=4096)
def _key(label: str) -> str:
    return " ".join(label.lower().split()).rstrip(".")


def _known(key: str) -> bool:
    return role_of(key) is not None


def _prefix(code: str) -> str:
    """The letters of a code: "id" for `id2`, "speaker" for `Speaker 12`."""
    return _NUMBER.sub("", _key(code))


@lru_cache(maxsize=4096)
def is_speaker_label(label: str) -> bool:
    """A label, not a sentence with a colon in it: a role, a code or a name."""
    key = _key(label)
    if key in _NOT_SPEAKERS:
        return False
    return _known(key) or label_shape(label) is not None
