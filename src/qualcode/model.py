"""The objects a researcher handles: documents, codes, codings. Like spaCy's `Span`, a coding
is offsets into one immutable text, cheap to create and easy to print."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from qualcode.errors import CodebookError, QualcodeError

# Okabe–Ito, then Paul Tol's "bright" and "muted": distinguishable with colour-blindness.
PALETTE = (
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#CC79A7",
    "#56B4E9",
    "#D55E00",
    "#F0E442",
    "#999999",
    "#4477AA",
    "#EE6677",
    "#228833",
    "#CCBB44",
    "#66CCEE",
    "#AA3377",
    "#332288",
    "#88CCEE",
    "#44AA99",
    "#117733",
    "#999933",
    "#DDCC77",
    "#CC6677",
    "#882255",
)
_COLOR = re.compile(r"^#[0-9A-Fa-f]{6}$")

SUGGESTION_PREFIX = "suggest:"  # machine suggestions belong to coders named suggest:<model>
CONSENSUS = "consensus"  # the default adjudicated layer
CODER_ROLES = ("coder", "adjudicator", "model")
SPEAKER_ROLES = ("interviewer", "participant")  # a speaker turn's role


@dataclass(frozen=True, slots=True)
class Document:
    """One version of a transcript or questionnaire answer; its text never changes."""

    id: int
    guid: str
    area: str
    title: str
    text: str = field(repr=False)
    case: str | None = None
    version: int = 1
    format: str = "txt"
    sha256: str = ""
    source: str | None = None
    meta: dict[str, Any] = field(default_factory=dict, repr=False)

    def __len__(self) -> int:
        return len(self.text)


@dataclass(frozen=True, slots=True)
class Code:
    """A code in the codebook tree; `path` is its name with its ancestors', joined by '/'
    (`join_path`: a '/' inside a name is written '\\/')."""

    id: int
    guid: str
    name: str
    path: str
    parent_id: int | None = None
    description: str = ""
    inclusion: str = ""
    exclusion: str = ""
    example: str = ""
    color: str = "#000000"
    shortcut: str | None = None

    def __str__(self) -> str:
        return self.path


@dataclass(frozen=True, slots=True)
class Coding:
    """`code` applied by `coder` to text[start:end] of one document (code points, end exclusive)."""

    id: int
    guid: str
    document_id: int
    start: int
    end: int
    code_id: int
    code: str
    coder: str
    text: str = ""
    memo: str | None = None
    created_at: str = ""

    def __str__(self) -> str:
        return f"{self.code} [{self.start}:{self.end}] by {self.coder}: {self.text!r}"


@dataclass(frozen=True, slots=True)
class Round:
    """One blind coding round, as stored."""

    id: int
    guid: str
    name: str
    lead: str
    coders: tuple[str, ...]
    documents: tuple[int, ...]
    status: str
    note: str | None
    opened_at: str
    closed_at: str | None

    @property
    def is_open(self) -> bool:
        return self.status == "open"


DocumentRef = Document | int | str  # a document by object, id, guid or title
CodingRef = Coding | int


def is_suggestion(coder: str) -> bool:
    """Machine suggestions belong to coders named `suggest:<model>` (role "model")."""
    return coder.startswith(SUGGESTION_PREFIX)


def coder_role(name: str) -> str:
    """The role a new coder name gets: `suggest:*` coders are models, everyone else a person."""
    return "model" if is_suggestion(name) else "coder"


# in a name: control characters (NUL, tab, line breaks, Word's vertical tab), lone surrogates
# (unencodable), and the Unicode line and paragraph separators
_NOT_IN_NAMES = frozenset({"Cc", "Cs", "Zl", "Zp"})
_LONE_SURROGATES = re.compile("[\ud800-\udfff]")


def check_name(name: str, what: str, error: type[QualcodeError] = QualcodeError) -> str:
    """`name` unchanged, or a clear error if it holds a character that breaks exports and
    terminals: a control character, a line break or a lone surrogate (one check for every
    name: codes, coders, areas, cases, titles, rounds)."""
    bad = next((c for c in name if unicodedata.category(c) in _NOT_IN_NAMES), None)
    if bad is not None:
        raise error(
            f"{what} {name!r} contains {_describe(bad)}; "
            "give it a name on one line without control characters"
        )
    return name


def clean_text(text: str) -> str:
    """A long text (a document, a memo, a description) as it can be stored: each lone
    surrogate replaced by U+FFFD and every NUL removed; everything else kept as written."""
    if "\x00" in text:
        text = text.replace("\x00", "")
    return _LONE_SURROGATES.sub("\ufffd", text)


def _describe(char: str) -> str:
    if unicodedata.category(char) == "Cs":
        return f"a lone surrogate (U+{ord(char):04X}), which no file can store"
    return f"the control character U+{ord(char):04X}"


def clean_name(value: object, what: str) -> str:
    """A stripped, non-empty name without control characters, or a clear error."""
    if not isinstance(value, str) or not value.strip():
        raise QualcodeError(f"a {what} must be a non-empty text, got {value!r}")
    return check_name(value.strip(), what)


def person_name(value: object, what: str) -> str:
    """A person's name: not a machine suggestion coder and not the consensus layer."""
    name = clean_name(value, what)
    if is_suggestion(name) or name == CONSENSUS:
        raise QualcodeError(f"{name!r} cannot be a round's {what}; a {what} is a person")
    return name


def check_code_name(name: object) -> str:
    """A code name with its spaces folded, or a clear error. Any printable text will do,
    '/' included ("Transport to/ from services"): `join_path` keeps paths unambiguous."""
    if not isinstance(name, str) or not name.strip():
        raise CodebookError(f"a code name must be a non-empty text, got {name!r}")
    name = " ".join(check_name(name.strip(), "code", CodebookError).split())
    if len(name) > 200:
        raise CodebookError(f"code name {name[:40]!r}... is longer than 200 characters")
    return name


# code paths: the one place a path is joined from names and split back -----------------------

PATH_SEPARATOR = "/"
_TO_ESCAPE = re.compile(r"/|\\(?=[\\/]|\Z)")  # a "/", or a backslash that would escape


def join_path(names: Iterable[str]) -> str:
    """A code's path: its names from the top of the codebook down, joined by "/". A "/"
    inside a name is written "\\/" (and a backslash just before a "/" or a backslash, or
    ending a name, "\\\\"), so the path splits back into the same names; a name without
    "/" is written as it is, so paths of older stores read the same."""
    return PATH_SEPARATOR.join(_TO_ESCAPE.sub(lambda m: "\\" + m.group(), n) for n in names)


def split_path(path: str) -> tuple[str, ...]:
    """The names of a path, as `join_path` wrote them: "\\/" is a "/" inside a name,
    "\\\\" a backslash, and any other backslash is itself."""
    if "\\" not in path:  # nearly every path: nothing escaped
        return tuple(path.split(PATH_SEPARATOR))
    names: list[str] = []
    name: list[str] = []
    i = 0
    while i < len(path):
        char = path[i]
        if char == "\\" and path[i + 1 : i + 2] in ("\\", PATH_SEPARATOR):
            name.append(path[i + 1])
            i += 2
            continue
        if char == PATH_SEPARATOR:
            names.append("".join(name))
            name = []
        else:
            name.append(char)
        i += 1
    names.append("".join(name))
    return tuple(names)


def parent_path(path: str) -> str | None:
    """The path of the code above, or None for a code at the top of the codebook."""
    names = split_path(path)
    return join_path(names[:-1]) if len(names) > 1 else None


def path_depth(path: str) -> int:
    """How many codes are above this one (0 at the top of the codebook)."""
    return len(split_path(path)) - 1


def is_under(path: str, ancestor: str) -> bool:
    """Whether the code at `path` is the one at `ancestor` or below it."""
    names, above = split_path(path), split_path(ancestor)
    return names[: len(above)] == above


def plain_path(path: str) -> str:
    """A path with its names joined by a bare "/", as someone might type it without the
    escape ("Access/Transport to/ from services"); for matching only, since it can be
    ambiguous."""
    return PATH_SEPARATOR.join(split_path(path)) if "\\" in path else path


def check_color(color: str) -> str:
    """A hex colour, upper case, or a clear error."""
    if not isinstance(color, str) or not _COLOR.match(color.strip()):
        raise CodebookError(f"colour {color!r} must be a hex colour like '#0072B2'")
    return color.strip().upper()


# case attributes ---------------------------------------------------------------------------------

AttributeValue = str | list[str]
VALUE_SEPARATOR = ";"  # "COPD; diabetes" in a cell is two values of one attribute


def attribute_value(cell: object) -> AttributeValue | None:
    """A cell of a participants file or questionnaire as an attribute value: "COPD; diabetes"
    is the list ["COPD", "diabetes"], one value stays a string, an empty cell is None."""
    if cell is None:
        return None
    if isinstance(cell, list):
        parts = [str(p).strip() for p in cell]
    else:
        parts = str(cell).split(VALUE_SEPARATOR)
    values = [p.strip() for p in parts if p.strip()]
    if not values:
        return None
    return values[0] if len(values) == 1 else values


def attribute_values(value: object) -> list[str]:
    """Every value an attribute holds, as texts: a list's items, or the parts of a text
    ("COPD; diabetes", as tables show a list), or the one value."""
    if value is None:
        return []
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    if isinstance(value, str):
        return [p.strip() for p in value.split(VALUE_SEPARATOR) if p.strip()]
    return [str(value)]


def attribute_matches(value: object, wanted: object) -> bool:
    """Does an attribute value match a filter (a value or a list of values)? A multi-valued
    attribute matches by any of its values, so "COPD" finds ["COPD", "diabetes"]. Every
    filter on case attributes asks here."""
    accepted = set(attribute_values(wanted))
    return any(v in accepted for v in attribute_values(value))


def attribute_text(value: object) -> object:
    """An attribute value as tables and reports show it: a list joined with "; "."""
    if isinstance(value, list | tuple):
        return f"{VALUE_SEPARATOR} ".join(str(v) for v in value)
    return value


def document_question(meta: dict[str, Any] | None) -> str | None:
    """The question a questionnaire answer answers (its column header), None for a transcript;
    answers ingested before questions were recorded kept only their "column"."""
    meta = meta or {}
    question = meta.get("question") or meta.get("column")
    return str(question) if question else None
