"""Recall and precision of `detect` on a labelled set of sentences.

A labelled line marks each identifier inline as `[[kind:text]]`, for example
`My daughter [[person:Sarah]] lives at [[postcode:TS24 8AB]].`, or `[[kind/sort:text]]` to say
what style of mention it is (`[[person/passing:Shaz]]`), so recall can be shown per style;
lines starting with `#` are comments. `load` reads one example a line; `load_passages` one a
passage (lines up to a blank line), scored as `scan` treats a document: rules, then every
other mention of a name or place found once. A structured identifier (postcode, phone, email,
NHS number, date of birth) counts as found only when the finding has its kind and exactly its
span; a name, place or address when a finding of its kind overlaps it. Every other finding is
a false positive.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from qualcode.privacy.detect import KINDS, STRUCTURED, Finding

_MARK = re.compile(r"\[\[([a-z_]+)(?:/([a-z_]+))?:(.+?)\]\]")


@dataclass
class Example:
    text: str
    gold: list[tuple[int, int, str]]
    line: str = ""
    source: str = ""
    sorts: list[str] = field(default_factory=list)  # the style of each gold span, or ""


@dataclass
class Score:
    tp: dict[str, int] = field(default_factory=dict)
    fp: dict[str, int] = field(default_factory=dict)
    fn: dict[str, int] = field(default_factory=dict)
    by_sort: dict[str, list[int]] = field(default_factory=dict)  # "kind/sort" -> [found, all]
    misses: list[tuple[str, str, str]] = field(default_factory=list)  # kind, text, line
    false: list[tuple[str, str, str]] = field(default_factory=list)

    def recall(self, kinds: Iterable[str]) -> float:
        tp = sum(self.tp.get(k, 0) for k in kinds)
        fn = sum(self.fn.get(k, 0) for k in kinds)
        return tp / (tp + fn) if tp + fn else float("nan")

    def precision(self, kinds: Iterable[str]) -> float:
        tp = sum(self.tp.get(k, 0) for k in kinds)
        fp = sum(self.fp.get(k, 0) for k in kinds)
        return tp / (tp + fp) if tp + fp else float("nan")

    def support(self, kinds: Iterable[str]) -> int:
        return sum(self.tp.get(k, 0) + self.fn.get(k, 0) for k in kinds)

    def table(self) -> list[tuple[str, float, float, int]]:
        """(kind, recall, precision, support) per kind, then structured and all."""
        rows = [(k, self.recall([k]), self.precision([k]), self.support([k])) for k in KINDS]
        for name, kinds in (("structured", STRUCTURED), ("all", KINDS)):
            rows.append((name, self.recall(kinds), self.precision(kinds), self.support(kinds)))
        return rows


def parse(line: str, source: str = "") -> Example:
    """Turn a marked line into its plain text and gold spans."""
    parts, gold, sorts, at = [], [], [], 0
    pos = 0
    for m in _MARK.finditer(line):
        parts.append(line[pos : m.start()])
        at += m.start() - pos
        kind, sort, value = m.group(1), m.group(2) or "", m.group(3)
        if kind not in KINDS:
            raise ValueError(f"{source}: unknown kind {kind!r} in {line!r}")
        gold.append((at, at + len(value), kind))
        sorts.append(sort)
        parts.append(value)
        at += len(value)
        pos = m.end()
    parts.append(line[pos:])
    return Example("".join(parts), gold, line, source, sorts)


def load(folder: str | Path) -> list[Example]:
    """Every labelled line of the `.txt` files in `folder`."""
    examples = []
    for path in sorted(Path(folder).glob("*.txt")):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if line.strip() and not line.startswith("#"):
                examples.append(parse(line, f"{path.name}:{n}"))
    return examples


def load_passages(folder: str | Path) -> list[Example]:
    """Every labelled passage (lines up to a blank line) of the `.txt` files in `folder`."""
    examples = []
    for path in sorted(Path(folder).glob("*.txt")):
        lines = path.read_text(encoding="utf-8").splitlines()
        block: list[str] = []
        for n, line in enumerate([*lines, ""], start=1):
            if line.strip():
                if not line.startswith("#"):
                    block.append(line)
            elif block:
                examples.append(parse("\n".join(block), f"{path.name}:{n - len(block)}"))
                block = []
    return examples


def as_scanned(text: str, nlp: Any = None) -> list[Finding]:
    """What `scan` finds in one document: `detect`, then every other mention of a name or
    place found once (`repeats`)."""
    from qualcode.privacy.detect import REPEATED, detect, repeats

    found = detect(text, nlp=nlp)
    values = {f.text: f.kind for f in found if f.kind in REPEATED}
    return sorted([*found, *repeats(text, found, values)], key=lambda f: f.start)


def score(examples: Iterable[Example], find: Callable[[str], list[Finding]] | None = None) -> Score:
    """Compare `find(text)` (default: `detect` with rules only) with the gold spans."""
    if find is None:
        from qualcode.privacy.detect import detect

        def find(text: str) -> list[Finding]:
            return detect(text, nlp=None)

    result = Score()
    for ex in examples:
        found = find(ex.text)
        used: set[int] = set()
        for (start, end, kind), sort in zip(ex.gold, ex.sorts or [""] * len(ex.gold), strict=True):
            hit = next(
                (
                    i
                    for i, f in enumerate(found)
                    if i not in used and f.kind == kind and _matches(f, start, end, kind)
                ),
                None,
            )
            tally = result.by_sort.setdefault(f"{kind}/{sort}" if sort else kind, [0, 0])
            tally[1] += 1
            if hit is None:
                _add(result.fn, kind)
                result.misses.append((kind, ex.text[start:end], ex.source))
            else:
                used.add(hit)
                tally[0] += 1
                _add(result.tp, kind)
        for i, f in enumerate(found):
            if i not in used:
                _add(result.fp, f.kind)
                result.false.append((f.kind, f.text, ex.source))
    return result


def _matches(f: Finding, start: int, end: int, kind: str) -> bool:
    if kind in STRUCTURED:
        return (f.start, f.end) == (start, end)
    return f.start < end and start < f.end


def _add(counts: dict[str, int], kind: str) -> None:
    counts[kind] = counts.get(kind, 0) + 1


def as_rows(result: Score) -> list[dict[str, Any]]:
    return [{"kind": k, "recall": r, "precision": p, "support": s} for k, r, p, s in result.table()]
