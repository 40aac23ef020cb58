"""Find personal data in transcript text: rules for UK identifiers, names and places, plus
spaCy's named entities when a trained English pipeline is installed.

`detect(text)` returns `Finding`s with code-point offsets (end exclusive), the same convention
as documents and codings, never overlapping. Structured identifiers are validated (an NHS number
must pass its modulus-11 check digit; a phone number must have a UK number's length), and the
usual look-alikes are left alone: speaker labels, "I", months and weekdays, times, money,
ages, placeholders such as "[name removed]" and the pseudonyms themselves.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from qualcode.privacy.mentions import not_people, person_findings, place_findings
from qualcode.privacy.names import (
    FIRST_NAMES,
    FLAT_BUILDINGS,
    NOT_AFTER_TITLE,
    NOT_NAMES,
    RELATIONS,
    STREET_TYPES,
    TITLES,
    words,
)

KINDS = (
    "person",
    "place",
    "address",
    "postcode",
    "phone",
    "email",
    "nhs_number",
    "date_of_birth",
)
STRUCTURED = ("postcode", "phone", "email", "nhs_number", "date_of_birth")
LABELS = {
    "person": "PERSON",
    "place": "PLACE",
    "address": "ADDRESS",
    "postcode": "POSTCODE",
    "phone": "PHONE",
    "email": "EMAIL",
    "nhs_number": "NHS NUMBER",
    "date_of_birth": "DATE OF BIRTH",
}
# when two findings overlap, the earlier kind here wins (then the longer span)
_PRIORITY = {
    k: i
    for i, k in enumerate(
        (
            "email",
            "nhs_number",
            "phone",
            "postcode",
            "date_of_birth",
            "address",
            "person",
            "place",
        )
    )
}
NER_KINDS = {"PERSON": "person", "PER": "person", "GPE": "place", "LOC": "place", "FAC": "place"}


@dataclass(frozen=True, slots=True)
class Finding:
    """Personal data at text[start:end] (code points, end exclusive), of one of `KINDS`."""

    start: int
    end: int
    kind: str
    text: str
    rule: str = ""

    def __str__(self) -> str:
        return f"{self.kind} [{self.start}:{self.end}] {self.text!r}"


# placeholders and pseudonyms ----------------------------------------------------------------

PSEUDONYM = re.compile(r"\[(?:" + "|".join(LABELS.values()) + r") \d+\]")
_PLACEHOLDER = re.compile(
    r"\[(?:" + "|".join(LABELS.values()) + r") \d+\]"
    r"|\[[^\[\]\n]{0,40}\b(?:removed|redacted|withheld|anonymised|anonymized)\]"
    r"|[\[(]?\b\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d+)?[\])]?",
    re.I,
)

# structured identifiers ------------------------------------------------------------------------

_EMAIL = re.compile(r"(?<![\w.+-])[\w.+'-]+@(?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,}(?![\w-])")
_SPOKEN_EMAIL = re.compile(
    r"\b[a-z0-9]+(?:\s(?:dot|underscore|hyphen|dash)\s[a-z0-9]+)*\s(?:at)\s"
    r"[a-z0-9]+(?:\s(?:dot)\s[a-z0-9]+)*\sdot\s(?:com|org|net|uk|co\sdot\suk|org\sdot\suk)\b",
    re.I,
)
_NHS = re.compile(r"(?<![\d£$])(?<!\d[.,])(\d{3})([ -]?)(\d{3})\2(\d{4})(?!\d|[.,]\d)")
_PHONE = re.compile(r"(?<![\w+£$])(?:\+\s?44|0044|\(?0)[\d \-().]{7,18}\d(?![\d:])")
_POSTCODE = re.compile(
    r"(?<![\w£$])([A-Z]{1,2}\d[A-Z\d]?)[ \t]?(\d[A-Z]{2})(?![\w])",
    re.I,
)
_POSTCODE_AREA = re.compile(r"^(?:[A-PR-UWYZ][A-HK-Y]?\d[A-Z\d]?)$")
_POSTCODE_INWARD = re.compile(r"^\d[ABD-HJLNP-UW-Z]{2}$")

_MONTH = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|"
    r"December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?"
)
_DAY = r"(?:3[01]|[12]\d|0?[1-9])(?:st|nd|rd|th)?"
_YEAR = r"(?:19\d\d|20\d\d|['’]\d\d)"
_DATE = re.compile(
    r"\b(?:3[01]|[12]\d|0?[1-9])([/.\-])(?:1[0-2]|0?[1-9])\1(?:\d{4}|\d{2})\b"
    rf"|\b(?:the\s+)?{_DAY}(?:\s+of)?\s+{_MONTH}(?:,?\s+{_YEAR})?(?![\w’'])"
    rf"|\b{_MONTH}\s+(?:the\s+)?{_DAY}(?:,?\s+{_YEAR})?(?![\w’'])",
    re.I,
)
_BIRTH_BEFORE = re.compile(
    r"\b(?:born|birthday|birth\s?date|date\s+of\s+birth|d\.?o\.?b\b\.?|b\.)", re.I
)
_BIRTH_AFTER = re.compile(
    r"^\W{0,3}(?:(?:is|was|that's|thats|that\sis|being)\s+)?(?:my|her|his|their|your|the)\s+"
    r"(?:date\s+of\s+birth|birthday|d\.?o\.?b\b|birth\s?date)",
    re.I,
)

# addresses and places ----------------------------------------------------------------------

_CAP = r"(?:Mc|Mac|O['’])?[A-Z][a-z'’]+(?:-[A-Z][a-z'’]+)?"
_ADDRESS = re.compile(
    rf"\b(?:(?:Flat|Apartment|Apt|Unit)\.?\s+\d{{1,4}}[A-Za-z]?,?\s+)?"
    rf"(?:(?:No\.?|Number)\s+)?\d{{1,4}}[A-Za-z]?,?\s+(?:{_CAP}\s+){{1,3}}"
    rf"(?:{STREET_TYPES})\b\.?"
    rf"|\b(?:Flat|Apartment|Apt)\.?\s+\d{{1,4}}[A-Za-z]?,?\s+(?:{_CAP}\s+){{1,3}}"
    rf"(?:{FLAT_BUILDINGS})\b"
)
_STREET_PLACE = re.compile(
    rf"\b(?:on|in|off|down|up|along|near|at|from|round|by|of|onto|to)\s+(?:the\s+)?"
    rf"((?:{_CAP}\s+){{1,2}}(?:Road|Street|Lane|Avenue|Close|Drive|Crescent|Terrace|Gardens|"
    rf"Grove|Way|Estate|estate|Park|Green)\b)"
)
_TOWN_PLACE = re.compile(
    rf"\b(?:live|lives|lived|living|grew\s+up|brought\s+up|moved|moving|move|stay|stayed|"
    rf"staying|based|settled|(?:come|came|comes|am|is|was|'m|originally)\s+from|"
    rf"village\s+of|town\s+of|went\s+to\s+school|"
    rf"over|out|down|up)\s+(?:in|at|to|on|near|out\s+to|over\s+to|down\s+to|up\s+to|"
    rf"back\s+to|into)?\s*"
    rf"({_CAP}(?:[ -](?:upon|on|le|in|by|under|next|the|Sea|sea)?[ -]?{_CAP}){{0,2}})"
)

# names -----------------------------------------------------------------------------------

_TOKEN = r"(?:Mc|Mac|O['’])?[^\W\d_][^\W\d_]*(?:['’-][^\W\d_]+)*"
_TITLE = re.compile(rf"\b(?:{TITLES})\b\.?[ \t]+({_TOKEN}(?:[ \t]+{_TOKEN}){{0,2}})")
_RELATION = re.compile(
    r"\b(?:my|our|his|her|their|your|the|a|me|me\s+and\s+my|me\s+and\s+our)\s+"
    r"(?:(?:little|eldest|youngest|oldest|older|younger|middle|late|ex-|new|best|twin|baby|big|"
    r"old|grown-up|lovely|other|step-?)\s*)*"
    rf"(?:{RELATIONS})s?(?:,\s*|\s+)({_TOKEN}(?:[ \t]+{_TOKEN}){{0,2}})",
    re.I,
)
_OUR = re.compile(rf"\b(?:[Oo]ur|[Mm]e\s+and)\s+({_TOKEN}(?:[ \t]+{_TOKEN}){{0,1}})")
_CALLED = re.compile(
    r"\b(?:called|named|name's|name’s|name\s+is|known\s+as|goes\s+by|calls\s+herself|"
    rf"calls\s+himself)\s+({_TOKEN}(?:[ \t]+{_TOKEN}){{0,2}})",
    re.I,
)
_PLACE_WORDS = re.compile(
    r"\b(?:place|village|town|city|estate|street|road|pub|shop|centre|center|group|charity|"
    r"company|app|club|surgery|practice|hospital|school|site|ward|home|farm|cafe|café|church|"
    r"chapel|hall|scheme|service|firm|team)s?\b[^.\n]{0,12}$",
    re.I,
)
_CAPWORD = re.compile(r"(?<![\w'’-])[A-Z][a-z]+(?:-[A-Z][a-z]+)?(?![\w-])")
_STAMP = r"[\[(]?\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d+)?[\])]?"
_LABEL = re.compile(
    rf"^[ \t]*(?:{_STAMP}[ \t]+)?(?P<label>[^\W\d_][\w.'’-]*(?:[ \t][^\W\d_][\w.'’-]*)?)"
    rf"(?:[ \t]*\((?P<name>[^()\n]{{1,40}})\))?(?:[ \t]+{_STAMP})?[ \t]*:",
    re.M,
)
_VOICE = re.compile(r"<v(?:\.[\w.-]+)?[ \t]+([^>\n]{1,40})>")
_CLITIC = re.compile(r"['’](?:s|ll|d|ve|re|m)$")
_STREET_WORDS = frozenset(w.lower() for w in STREET_TYPES.split("|"))


def nhs_number_valid(digits: str) -> bool:
    """The NHS number modulus-11 check: weights 10..2 on the first nine digits."""
    digits = re.sub(r"\D", "", digits)
    if len(digits) != 10:
        return False
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(digits[9])


def uk_phone(raw: str) -> str | None:
    """The national form (0...) of a UK phone number written in `raw`, or None."""
    digits = re.sub(r"\D", "", raw)
    if raw.lstrip().startswith("+") or digits.startswith("0044"):
        digits = digits[4:] if digits.startswith("0044") else digits[2:]
        if raw.count("(0)") or digits.startswith("0"):
            digits = digits[1:] if digits.startswith("0") else digits
        digits = "0" + digits
    if len(digits) not in (10, 11) or digits[1] not in "1235789":
        return None
    if digits[1] == "7" and len(digits) != 11:
        return None
    return digits


def detect(
    text: str,
    *,
    nlp: Any = "auto",
    kinds: Iterable[str] | None = None,
) -> list[Finding]:
    """Personal data in `text`, in text order, never overlapping.

    `nlp` is a spaCy pipeline whose `doc.ents` add people and places: "auto" uses a trained
    English pipeline if one is installed (none is downloaded), None uses rules only.
    `kinds` limits what is returned (default: all of `KINDS`).
    """
    wanted = set(KINDS if kinds is None else kinds)
    if unknown := wanted - set(KINDS):
        raise ValueError(f"unknown kinds {sorted(unknown)}; kinds are {', '.join(KINDS)}")
    found: list[Finding] = []
    for rule in (
        _emails,
        _nhs_numbers,
        _phones,
        _postcodes,
        _dates_of_birth,
        _addresses,
        _places,
        _people,
        _speakers,
    ):
        found.extend(rule(text))
    found.extend(Finding(*m) for m in place_findings(text))
    found.extend(Finding(*m) for m in person_findings(text, found))
    if nlp == "auto":
        nlp = default_ner()
    if nlp is not None:
        found.extend(ner_findings(text, nlp))
    found = not_people(text, found)
    blocked = [(m.start(), m.end()) for m in _PLACEHOLDER.finditer(text)]
    found = [f for f in found if f.kind in wanted and not _overlaps_any(f, blocked)]
    return resolve_overlaps(found)


REPEATED = ("person", "place")  # found by context once, so looked for again everywhere


def repeats(text: str, found: Iterable[Finding], values: dict[str, str]) -> list[Finding]:
    """Every other whole-word occurrence in `text` of a name or place found anywhere (`values`:
    text -> kind). The rules find "Dawn" by its context ("Interviewer (Dawn):") but not in
    "Thanks, Dawn."; a pseudonymised text must not keep the second. Case-sensitive, longest
    value first ("Sarah Jones" before "Sarah"); never overlapping what `found` holds."""
    if not values:
        return []
    taken = sorted((f.start, f.end) for f in found)
    alternatives = "|".join(re.escape(v) for v in sorted(values, key=len, reverse=True))
    out = []
    for m in re.finditer(rf"(?<!\w)(?:{alternatives})(?!\w)", text):
        at = bisect.bisect_left(taken, (m.end(),))  # findings starting before this one ends
        if at and taken[at - 1][1] > m.start():  # they never overlap, so the last ends latest
            continue
        out.append(Finding(m.start(), m.end(), values[m.group()], m.group(), "repeat"))
    return out


# rules -------------------------------------------------------------------------------------


def _emails(text: str) -> Iterable[Finding]:
    for m in _EMAIL.finditer(text):
        yield Finding(m.start(), m.end(), "email", m.group(), "email")
    for m in _SPOKEN_EMAIL.finditer(text):
        yield Finding(m.start(), m.end(), "email", m.group(), "spoken email")


def _nhs_numbers(text: str) -> Iterable[Finding]:
    for m in _NHS.finditer(text):
        if not nhs_number_valid(m.group()):
            continue
        said = text[max(0, m.start() - 60) : m.start()].lower()
        if m.group(1).startswith("0") and "nhs" not in said:
            continue  # a 10-digit number starting with 0 is a phone number unless said otherwise
        yield Finding(m.start(), m.end(), "nhs_number", m.group(), "nhs number")


def _phones(text: str) -> Iterable[Finding]:
    for m in _PHONE.finditer(text):
        raw = m.group()
        start = m.start()
        # trim trailing groups until the digits make a UK number ("01905 612345 8 times")
        pieces = re.split(r"(\s+)", raw)
        while pieces:
            candidate = "".join(pieces).rstrip(" -.(")
            if uk_phone(candidate) is not None and not candidate.endswith((")", ".")):
                if candidate.startswith("(") and ")" not in candidate:
                    candidate = candidate[1:]
                    start += 1
                yield Finding(start, start + len(candidate), "phone", candidate, "phone")
                break
            pieces = pieces[:-2] if len(pieces) > 2 else []


def _postcodes(text: str) -> Iterable[Finding]:
    for m in _POSTCODE.finditer(text):
        outward, inward = m.group(1), m.group(2)
        if not (_POSTCODE_AREA.match(outward.upper()) and _POSTCODE_INWARD.match(inward.upper())):
            continue
        said = text[max(0, m.start() - 40) : m.start()].lower().replace(" ", "")
        if not m.group().isupper() and "postcode" not in said:
            continue  # "ts24 8ab": only where a postcode is being given
        yield Finding(m.start(), m.end(), "postcode", m.group(), "postcode")


def _dates_of_birth(text: str) -> Iterable[Finding]:
    for m in _DATE.finditer(text):
        line_start = text.rfind("\n", 0, m.start()) + 1
        before = text[max(line_start, m.start() - 60) : m.start()]
        line_end = text.find("\n", m.end())
        after = text[m.end() : min(m.end() + 40, len(text) if line_end < 0 else line_end)]
        if not (_BIRTH_BEFORE.search(before) or _BIRTH_AFTER.search(after)):
            continue
        start, value = m.start(), m.group()
        if value.lower().startswith("the "):
            start, value = start + 4, value[4:]
        yield Finding(start, m.end(), "date_of_birth", value, "date near born/DOB")


def _addresses(text: str) -> Iterable[Finding]:
    for m in _ADDRESS.finditer(text):
        value = m.group().rstrip(".")
        yield Finding(m.start(), m.start() + len(value), "address", value, "address")


def _places(text: str) -> Iterable[Finding]:
    for m in _STREET_PLACE.finditer(text):
        yield Finding(m.start(1), m.end(1), "place", m.group(1), "street name")
    for m in _TOWN_PLACE.finditer(text):
        tokens = re.split(r"([ -])", m.group(1))
        kept: list[str] = []
        for token in tokens[::2]:
            if token.lower() in NOT_NAMES or token.lower() in _STREET_WORDS:
                break
            kept.append(token)
        while kept and not kept[-1][:1].isupper():
            kept.pop()
        value = "".join(t + sep for t, sep in zip(kept, [*tokens[1::2], ""], strict=False))
        value = value.rstrip(" -")
        if not value or value.lower() in FIRST_NAMES:
            continue
        yield Finding(m.start(1), m.start(1) + len(value), "place", value, "lives in / moved to")


def _name_span(text: str, start: int, value: str, limit: int = 3) -> tuple[int, int] | None:
    """The leading run (at most `limit`) of capitalised, name-like tokens of `value`."""
    end = start
    for i, token in enumerate(re.finditer(r"\S+", value)):
        if i >= limit:
            break
        word = token.group()
        bare = word.rstrip('.,;:!?)"”')
        clitic = _CLITIC.search(bare)
        possessive = clitic is not None
        if clitic:
            bare = bare[: clitic.start()]
        if not _name_like(bare):
            break
        end = start + token.start() + len(bare)
        if possessive or bare != word:
            break  # a possessive or punctuation ends the name
    return (start, end) if end > start else None


def _name_like(word: str) -> bool:
    return (
        len(word) > 1
        and word[0].isupper()
        and any(c.islower() for c in word)
        and word.lower() not in NOT_NAMES
        and word.lower() not in _STREET_WORDS
    )


def _people(text: str) -> Iterable[Finding]:
    for m in _TITLE.finditer(text):
        first = m.group(1).split()[0].lower()
        if first in NOT_AFTER_TITLE:
            continue
        span = _name_span(text, m.start(1), m.group(1))
        if span:
            yield Finding(*span, "person", text[span[0] : span[1]], "title")
    for m in _RELATION.finditer(text):
        span = _name_span(text, m.start(1), m.group(1))
        if span:
            yield Finding(*span, "person", text[span[0] : span[1]], "relation")
    for m in _OUR.finditer(text):
        span = _name_span(text, m.start(1), m.group(1))
        if span and text[span[0] : span[1]].split()[0].lower() not in _OUR_NOT:
            yield Finding(*span, "person", text[span[0] : span[1]], "our <name>")
    for m in _CALLED.finditer(text):
        span = _name_span(text, m.start(1), m.group(1))
        if span:
            placey = _PLACE_WORDS.search(text[max(0, m.start() - 30) : m.start()])
            kind = "place" if placey else "person"
            yield Finding(*span, kind, text[span[0] : span[1]], f"called <{kind}>")
    for m in _CAPWORD.finditer(text):
        if m.group().lower() not in FIRST_NAMES:
            continue
        span = _name_span(text, m.start(), text[m.start() : m.start() + 60].split("\n")[0], 2)
        if span:
            yield Finding(*span, "person", text[span[0] : span[1]], "first name")


_OUR_NOT = words(
    "house home street road lady kid kids family surgery doctor gp council estate town village "
    "place area community church way"
)


def _speakers(text: str) -> Iterable[Finding]:
    from qualcode.ingest.turns import role_of

    labels = [m for m in _LABEL.finditer(text)]
    counts = Counter(m.group("label").strip() for m in labels)
    for m in labels:
        label = m.group("label").strip()
        named = role_of(label) is None and all(_name_like(w) for w in label.split())
        if named and (counts[label] >= 2 or label.split()[0].lower() in FIRST_NAMES):
            yield Finding(m.start("label"), m.end("label"), "person", label, "speaker label")
        name = m.group("name")
        if name and all(_name_like(w) for w in name.split()) and role_of(name) is None:
            yield Finding(m.start("name"), m.end("name"), "person", name, "speaker label")
    for m in _VOICE.finditer(text):
        name = m.group(1).strip()
        if role_of(name) is None and all(_name_like(w) for w in name.split()):
            yield Finding(m.start(1), m.start(1) + len(name), "person", name, "voice tag")


# named entities ----------------------------------------------------------------------------


@lru_cache(maxsize=1)
def default_ner() -> Any:
    """A trained English spaCy pipeline with NER, if one is installed; else None."""
    import spacy

    from qualcode.ingest.segment import TRAINED_PIPELINES

    for name in TRAINED_PIPELINES:
        if spacy.util.is_package(name):
            nlp = spacy.load(name, exclude=["lemmatizer", "textcat"])
            if "ner" in nlp.pipe_names:
                return nlp
    return None


def ner_findings(text: str, nlp: Any) -> list[Finding]:
    """People and places from `nlp`'s entities (PERSON; GPE, LOC, FAC), line by line."""
    lines = [(m.start(), m.group()) for m in re.finditer(r"[^\n]+", text)]
    found = []
    for (offset, _), doc in zip(lines, nlp.pipe(line for _, line in lines), strict=True):
        for ent in doc.ents:
            kind = NER_KINDS.get(ent.label_)
            if kind is None:
                continue
            start, value = ent.start_char, ent.text
            if value.lower().startswith("the "):
                start, value = start + 4, value[4:]
            value = value.rstrip(".,;:'’")
            if value.endswith(("'s", "’s")):
                value = value[:-2]
            if not value or not any(_name_like(w) for w in value.split()):
                continue
            if value.lower() in NOT_NAMES:
                continue
            found.append(Finding(offset + start, offset + start + len(value), kind, value, "ner"))
    return found


# overlaps ----------------------------------------------------------------------------------


def _overlaps_any(f: Finding, spans: list[tuple[int, int]]) -> bool:
    i = bisect.bisect_left(spans, (f.end,))
    return any(s < f.end and f.start < e for s, e in spans[max(0, i - 2) : i + 1])


def resolve_overlaps(found: list[Finding]) -> list[Finding]:
    """Keep the strongest of overlapping findings: by kind priority, then the longer."""
    ranked = sorted(found, key=lambda f: (_PRIORITY[f.kind], -(f.end - f.start), f.start))
    starts: list[int] = []
    kept: list[Finding] = []
    for f in ranked:
        if f.end <= f.start:
            continue
        i = bisect.bisect_left(starts, f.start)
        if i > 0 and kept[i - 1].end > f.start:
            continue
        if i < len(kept) and kept[i].start < f.end:
            continue
        starts.insert(i, f.start)
        kept.insert(i, f)
    return kept
