"""Rules for names and places as people mention them in talk, without a trained pipeline.

Places: a town or county from the gazetteer (`gazetteer.places`), also as an adjective ("the
Yarmouth lot", "a Norfolk accent"); a ward or district by name ("Nelson ward", "councillor for
Claydon"); an institution by its own name ("St Mary's", "Fairfield Primary", "East Coast
Hospice"); a street without a preposition before it ("Regent Road's shut"); a landmark
("Britannia Pier", "the Clock Tower").

People said once in passing: a word that is no English word before "said", "told", "comes"
("Shaz said"), after "him and" ("him and Tezza"), after "a man," ("a lady there, Kerry-Ann,"),
after a greeting ("thanks Gemma"), or joined by "and" to a name found otherwise ("Tamsin and
Precious").

Every pattern is a flat run of words with bounded repeats, so a scan stays linear in the text.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from qualcode.privacy.gazetteer import english_words, places, well_known
from qualcode.privacy.names import FUNCTION_WORDS, NOT_NAMES, TITLES, words

if TYPE_CHECKING:
    from qualcode.privacy.detect import Finding

Mention = tuple[int, int, str, str, str]  # start, end, kind, text, rule: a Finding's fields

_WORD = r"(?:Mc|Mac|O['’])?[A-Z][a-z]+(?:-[A-Z][a-z]+)?"
_RUN = re.compile(
    rf"(?<![\w'’-]){_WORD}(?:(?:[ -](?:on|upon|in|under|le|by|next|the|of|St|de|en)[ -]|[ -])"
    rf"{_WORD}){{0,4}}(?:['’]s)?(?![\w-])"
)
_TOKEN = re.compile(r"[A-Za-z]+(?:['’-][A-Za-z]+)*")
_WARD = re.compile(
    rf"(?<![\w'’-])({_WORD}(?: {_WORD}){{0,2}}) (?:ward|Ward|district)\b"
    rf"|\b(?:ward|councillor|Councillor|Cllr|member)s? (?:for|of) ({_WORD}(?: {_WORD})?)"
)
_INSTITUTION = re.compile(
    rf"(?<![\w'’-])((?:St\.?|Saint) {_WORD}(?:['’]s)?(?: {_WORD}){{0,2}})"
    rf"|(?<![\w'’-])({_WORD}(?: {_WORD}){{0,2}} (?:Primary|Junior|Infants|Academy|School|"
    r"College|High|Hospice|Hospital|Infirmary|Surgery|Medical Centre|Health Centre|"
    r"Community Centre|Leisure Centre|Church|Chapel|Mosque|Temple|Gurdwara|Library))\b"
)
_LANDMARK = re.compile(
    rf"(?<![\w'’-])({_WORD}(?: {_WORD}){{0,2}} (?:Pier|Lake|Tower|Gardens|Gates|Bridge|Quay|"
    r"Common|Beach|Broad|Broads|Marina|Arcade|Precinct|Rec|Road|Street|Lane|Avenue|Close|"
    r"Crescent|Terrace|Drive|Estate|estate))\b"
)
_CUE_AFTER = re.compile(
    rf"(?<![\w'’-])({_WORD})(?:['’]s)? (?:said|says|told|tells|asked|asks|reckons|reckoned|"
    r"rang|rings|phoned|texted|comes|came|goes|went|does|did|was saying|is saying|used to)\b"
)
_CUE_BEFORE = re.compile(
    r"\b(?:(?:[Hh]im|[Hh]er|[Mm]e|[Uu]s|[Tt]hem) and"
    r"|(?i:a|the|this|one|another) (?:man|woman|lady|girl|lad|bloke|fella|chap|gentleman|guy)"
    r"(?: (?:there|here|called|named|from the \w+))?,?"
    r"|(?:[Tt]hanks|[Tt]hank you|[Hh]ello|[Hh]iya|[Hh]i|[Cc]heers|[Tt]ell|[Aa]sk),?)"
    rf" ({_WORD})\b"
)
_AND_NAME = re.compile(rf" and ({_WORD})\b")
_TITLE_BEFORE = re.compile(rf"\b(?:{TITLES})\.?\s+$")
_THE_BEFORE = re.compile(r"\b[Tt]he\s+$")
_NEXT_WORD = re.compile(r" ([A-Za-z]+)")
_CAPITAL_BEFORE = re.compile(r"\b[A-Z][a-z]+ $")


def place_findings(text: str) -> Iterable[Mention]:
    """Places by gazetteer, ward, institution and landmark rules."""
    yield from _gazetteer(text)
    for m in _WARD.finditer(text):
        group = 1 if m.group(1) else 2
        if trimmed := _trim(m.start(group), m.group(group), keep=1):
            yield (*trimmed, "ward")
    for rx, rule in ((_INSTITUTION, "institution"), (_LANDMARK, "street or landmark")):
        for m in rx.finditer(text):
            group = 1 if m.group(1) else 2
            institution = rule == "institution" and group == 1  # "St Mary's" stands alone
            if trimmed := _trim(m.start(group), m.group(group), keep=1 if institution else 2):
                yield (*trimmed, rule)


def _trim(start: int, value: str, keep: int) -> tuple[int, int, str, str] | None:
    """`value` (at `start`) without its leading words that name nothing ("In Nelson ward",
    "The Winter Gardens"), if at least `keep` words are left."""
    words = value.split(" ")
    while words and words[0].lower() in _NOT_FIRST:
        start += len(words.pop(0)) + 1
    if len(words) < keep:
        return None
    value = " ".join(words)
    return start, start + len(value), "place", value


def person_findings(text: str, found: Sequence[Finding]) -> Iterable[Mention]:
    """People said once in passing, by the cues around an unknown word; `found` holds the
    findings of the other rules ("Tamsin and Precious": the second by the first)."""
    vocabulary = english_words()
    towns = places()
    for rx in (_CUE_AFTER, _CUE_BEFORE):
        for m in rx.finditer(text):
            word = m.group(1)
            if word.lower() in vocabulary or word.lower() in NOT_NAMES or word in towns:
                continue
            if _THE_BEFORE.search(text, max(0, m.start(1) - 5), m.start(1)):
                continue
            yield (m.start(1), m.end(1), "person", word, "in passing")
    for f in found:
        if f.kind != "person":
            continue
        m = _AND_NAME.match(text, f.end, f.end + 40)
        if m and m.group(1).lower() not in NOT_NAMES and m.group(1) not in towns:
            yield (m.start(1), m.end(1), "person", m.group(1), "and <name>")


def not_people(text: str, found: Sequence[Finding]) -> list[Finding]:
    """`found` without people who are not: a capitalised word after "the" ("the District",
    "the Trust", "the James Paget") is an organisation or a place, a person inside an
    institution's name ("Aidan" in "St Aidan's") is part of that name, and an English word
    that a pipeline took for a name where it starts a sentence ("District said no") is that
    word."""
    named = sorted((f.start, f.end) for f in found if f.rule in _NAMED_PLACES)
    vocabulary = english_words()
    kept = []
    for f in found:
        if f.kind == "person" and f.rule != "speaker label":
            if _THE_BEFORE.search(text, max(0, f.start - 5), f.start):
                continue
            at = bisect.bisect_right(named, (f.start, len(text) + 1))
            if at and named[at - 1][1] >= f.end:
                continue
            if (
                f.rule == "ner"
                and " " not in f.text
                and f.text.lower() in vocabulary
                and starts_sentence(text, f.start)
            ):
                continue
        kept.append(f)
    return kept


def _gazetteer(text: str) -> Iterable[Mention]:
    towns = places()
    for m in _RUN.finditer(text):
        tokens = [(t.start(), t.end()) for t in _TOKEN.finditer(m.group())]
        i = 0
        while i < len(tokens):
            for j in range(min(len(tokens), i + 5), i, -1):
                start, end = m.start() + tokens[i][0], m.start() + tokens[j - 1][1]
                value = text[start:end]
                bare = re.sub(r"['’]s$", "", value)
                if bare in towns and _reads_as_place(text, start, start + len(bare), j - i):
                    yield (start, start + len(bare), "place", bare, "gazetteer")
                    i = j - 1
                    break
            i += 1


def _reads_as_place(text: str, start: int, end: int, words: int) -> bool:
    """A gazetteer name is a place unless a title stands before it ("Mrs Preston"), or it is
    one common word at the start of a sentence or after another capitalised word, or "the"
    stands before it and no noun after ("the Street" is not Street in Somerset, nor "the Quay
    at two"; "the Yarmouth lot" is Yarmouth)."""
    before = text[max(0, start - 12) : start]
    if _TITLE_BEFORE.search(before):
        return False
    if words > 1:
        return True
    word = text[start:end]
    if word.lower() in english_words() and (
        starts_sentence(text, start)
        or (_CAPITAL_BEFORE.search(before) and word not in well_known())
    ):
        return False  # "Street lights are out", "the High Street"
    if _THE_BEFORE.search(before):
        after = _NEXT_WORD.match(text, end, end + 30)
        return bool(after) and after.group(1).lower() not in FUNCTION_WORDS
    return True


def starts_sentence(text: str, start: int) -> bool:
    """Whether the word at `start` begins a line, a sentence or a speaker's turn."""
    at = start - 1
    while at >= 0 and start - at < 20 and text[at] in " \t\"“‘'(":
        at -= 1
    return at < 0 or text[at] in ".!?:;\n"


_NAMED_PLACES = ("institution", "street or landmark")
_FIRST_WORDS_NOT_PLACES = words(
    """the a an this that our your my his her their every each which what no any some one
    new old local main big little nearest same other next last first car high"""
)
_NOT_FIRST = NOT_NAMES | FUNCTION_WORDS | _FIRST_WORDS_NOT_PLACES
