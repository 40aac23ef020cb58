"""WebVTT and SRT captions: cues become "Speaker: words" lines, one per turn, with cue times kept.

Every pattern here is linear on any input (tags are found with `str.find`, not a regex that
rescans the rest of a cue from each `<`), and a cue with an impossible time or a speaker that
is markup is refused with its line, not stored.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from qualcode.errors import IngestError
from qualcode.ingest.decode import normalise, read_text
from qualcode.ingest.source import Source, Unit
from qualcode.ingest.turns import is_speaker_label, role_of

_STAMP = r"(?:\d+:)?\d{1,2}:\d{2}[.,]\d{1,3}"
_TIMING = re.compile(rf"[ \t]*(?P<start>{_STAMP})[ \t]*-->[ \t]*(?P<end>{_STAMP})(?:[ \t]|$)")
_VOICE = re.compile(r"v(?:\.[^\s>]*)?\s+(.*)", re.S)  # a tag's inside: "v.loud Amina"
_NAMED = re.compile(  # "Amina:", "- Dr. Khan:", ">> P-07:", "Amina Begum (she/her):"
    r"(?:>>[ \t]*|-[ \t]*)?(?P<label>[^\W\d_][\w'’. -]{0,39}?)"
    r"(?P<aside>[ \t]*\([^()\n]{1,40}\))?[ \t]*:(?:[ \t]+|$)"
)
_NOT_CUES = ("WEBVTT", "NOTE", "STYLE", "REGION")
MAX_SPEAKER = 100  # characters: a name, not a paragraph


def read_captions(path: Path, max_mb: float) -> Source:
    """WebVTT/SRT cues, merged into turns where the same speaker goes on. A cue, or a line of
    one, without a speaker continues the turn before it, as captions name a speaker only when
    the speaker changes; `>>` alone marks a change to a speaker not named."""
    raw = read_text(path, max_mb=max_mb)
    if path.suffix.lower() == ".vtt" and not raw.lstrip().startswith("WEBVTT"):
        raise IngestError(path, "is not a WebVTT file: it must start with 'WEBVTT'")
    merged: list[list[Any]] = []  # [speaker, [texts], start, end]
    for speaker, words, start, end in _cues(path, raw):
        if merged and (speaker is None or speaker == merged[-1][0]):
            merged[-1][1].append(words)
            merged[-1][3] = end
        else:
            merged.append([speaker, [words], start, end])
    merged = [m for m in merged if any(m[1])]  # a bare `>>` with no words after it
    if not merged:
        raise IngestError(
            path,
            "has no caption text: no cue (a line like '00:00:01.000 --> ...' and its words) "
            "has words outside markup",
        )
    parts: list[str] = []
    turns: list[Unit] = []
    offset = 0
    for speaker, texts, start, end in merged:
        words = " ".join(t for t in texts if t)
        prefix = f"{speaker}: " if speaker else ""
        if speaker:
            begin = offset + len(prefix)
            meta = {"start_time": start, "end_time": end}
            turns.append(
                Unit("turn", begin, begin + len(words), speaker, role_of(speaker), meta)
            )
        line = prefix + words + "\n"
        parts.append(line)
        offset += len(line)
    fmt = path.suffix.lower()[1:]
    return Source(path.stem, "".join(parts), fmt, path=str(path), turns=turns or None)


def _cues(path: Path, raw: str) -> Iterator[tuple[str | None, str, str, str]]:
    """(speaker, words, start, end) of each speaker's words in each cue with words, checked;
    speaker None where the cue does not say, "" after a bare `>>`."""
    for first, lines in _blocks(raw):
        if lines[0].startswith(_NOT_CUES):
            continue  # header, NOTE, STYLE or REGION block
        timing = next((i for i, line in enumerate(lines[:2]) if "-->" in line), None)
        if timing is None:
            continue  # a stray line between cues, as some tools leave
        start, end = _times(path, first + timing, lines[timing])
        payload = "\n".join(line.strip() for line in lines[timing + 1 :])
        for voice, text in _voices(payload):
            speaker = _speaker(path, first + timing, voice) if voice is not None else None
            for named, words in _named(text) if voice is None else [(speaker, text)]:
                words = " ".join(normalise(html.unescape(words)).split())
                if words or named == "":
                    yield named, words, start, end


def _named(text: str) -> Iterator[tuple[str | None, str]]:
    """The lines of a cue without a voice tag, split where a line opens with a speaker
    (`Amina: ...`, `- Dr. Khan: ...`, `>> P-07: ...`); ("", "") for a bare `>>`."""
    speaker: str | None = None
    words: list[str] = []
    for line in text.split("\n"):
        m = _NAMED.match(line)
        named = m is not None and is_speaker_label(m.group("label"))
        if not named and not line.startswith(">>"):
            words.append(line)
            continue
        if any(w.strip() for w in words):
            yield speaker, " ".join(words)
        if m is not None and named:
            speaker = m.group("label") + (m.group("aside") or "")
            words = [line[m.end() :]]
        else:  # `>>` alone: someone not named speaks
            yield "", ""
            speaker, words = None, [line[2:]]
    if any(w.strip() for w in words):
        yield speaker, " ".join(words)


def _blocks(raw: str) -> Iterator[tuple[int, list[str]]]:
    """Blocks of non-blank lines, each with the number of its first line."""
    block: list[str] = []
    first = 0
    for number, line in enumerate(raw.split("\n"), start=1):
        if line.strip():
            first = first if block else number
            block.append(line)
        elif block:
            yield first, block
            block = []
    if block:
        yield first, block


def _times(path: Path, line: int, text: str) -> tuple[str, str]:
    """A cue's start and end, refused if not a time, impossible, or ending before it starts."""
    m = _TIMING.match(text)
    if m is None:
        raise IngestError(
            path,
            f"line {line}: {_shown(text)} is not a cue time like '00:01:02.500 --> "
            "00:01:05.000'; correct it in the file",
        )
    start, end = (m.group(g).replace(",", ".") for g in ("start", "end"))
    seconds = [_seconds(stamp) for stamp in (start, end)]
    if None in seconds:
        raise IngestError(
            path,
            f"line {line}: {_shown(text)} is not a possible time (minutes and seconds run "
            "to 59); correct it in the file",
        )
    if seconds[1] < seconds[0]:  # type: ignore[operator]
        raise IngestError(
            path, f"line {line}: the cue ends ({end}) before it starts ({start}); correct it"
        )
    return start, end


def _seconds(stamp: str) -> float | None:
    *hours, minutes, seconds = stamp.split(":")
    if int(minutes) > 59 or float(seconds) >= 60:
        return None
    return int(hours[0] if hours else 0) * 3600 + int(minutes) * 60 + float(seconds)


def _voices(payload: str) -> Iterator[tuple[str | None, str]]:
    """(voice annotation or None, words without tags) for each voice of a cue, in one pass.

    As WebVTT's own parser does, a `<` opens a tag that runs to the next `>` (or to the end);
    `<v Name>` (or `<v.loud Name>`) starts that voice's words, `</v>` ends them.
    """
    words: list[str] = []
    voice = None
    at = 0
    while (opened := payload.find("<", at)) >= 0:
        words.append(payload[at:opened])
        closed = payload.find(">", opened)
        inside = payload[opened + 1 : closed if closed >= 0 else len(payload)]
        m = _VOICE.match(inside)
        if m or inside.strip() == "/v":
            if "".join(words).strip():
                yield voice, "".join(words)
            words, voice = [], m.group(1) if m else None
        if closed < 0:
            break
        at = closed + 1
    else:
        words.append(payload[at:])
    if "".join(words).strip():
        yield voice, "".join(words)


def _speaker(path: Path, line: int, voice: str) -> str | None:
    """A voice's name, or a refusal if it is markup or a paragraph rather than a name."""
    name = " ".join(normalise(html.unescape(voice)).split())
    if any(c in name for c in "<>") or len(name) > MAX_SPEAKER:
        raise IngestError(
            path,
            f"line {line}: the speaker {_shown(name)} is not a name (markup, or over "
            f"{MAX_SPEAKER} characters); correct the <v ...> tag",
        )
    return name or None


def _shown(text: str) -> str:
    """`text` quoted for a one-line message, cut short if long."""
    text = " ".join(text.split())
    return repr(text if len(text) <= 60 else text[:57] + "...")
