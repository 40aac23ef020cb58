"""What a speaker label looks like, shared by plain text, captions and Word files.

A label is a code (`admin-1`, `P-07`, `id1`, `Speaker 12`) or a name (`Maureen`, `Dr. Khan`,
`Mr. J. Smith`, `DAWN`). Whether a label names a role (`Interviewer`, `R`) is `turns.role_of`;
here is only its shape, so a sentence that happens to hold a colon ("The thing is: buses",
"So: what now") is not taken for a speaker.
"""

from __future__ import annotations

import re
from functools import lru_cache

MAX_LABEL = 40  # characters: a name or a code, not a clause
TIME = r"(?:\d{1,2}:)?\d{1,2}:\d{2}(?:[.,]\d{1,3})?"  # a transcript's time: 0:03, 00:01:23.5
BOXED_TIME = rf"\[{TIME}\]|\({TIME}\)|{TIME}"  # bare, or in brackets: [00:01:23], (0:03)
_CODE = re.compile(r"([^\W\d_]{1,15})[-_ ]?\d{1,4}[^\W\d_]?")  # admin-1, P-07, id1, Speaker 12
_INITIAL = re.compile(r"[^\W\d_]\.")  # "J."
TITLES = frozenset(
    {"dr", "mr", "mrs", "ms", "miss", "mx", "prof", "cllr", "rev", "sir", "dame", "nurse"}
)
_PARTICLES = frozenset({"van", "von", "de", "del", "da", "di", "du", "le", "la", "bin", "al", "ap"})
# words that open sentences, list items and headings, never a name
_OPENERS = """a an and as at because but by for from he her here his how i if in is it its just
    my no not now of on or our she so some that the their then there these they this those
    to was we well what when where who why with yes yeah you your also all every one two
    note notes date time location place duration subject re cc tel phone email address
    website url page step section question item example monday tuesday wednesday thursday
    friday saturday sunday january february march april june july august september october
    november december today tomorrow yesterday"""
NOT_NAMES = frozenset(_OPENERS.split())


@lru_cache(maxsize=4096)  # a transcript repeats a few labels thousands of times
def is_code(label: str) -> bool:
    """A participant code: letters then a number (`admin-1`, `P-07`, `id1`, `Speaker 12`),
    not a heading's number (`Question 3`, `Step 2`)."""
    m = _CODE.fullmatch(" ".join(label.split()))
    return m is not None and m.group(1).lower() not in NOT_NAMES


def is_name(label: str) -> bool:
    """A person's name as a label: capitalised words (titles and initials allowed), at most
    four, not opening with a word that starts sentences ("So", "The", "Monday")."""
    words = label.split()
    if not words or len(words) > 4 or len(label) > MAX_LABEL:
        return False
    if words[0].lower().rstrip(".") in NOT_NAMES:
        return False
    for i, word in enumerate(words):
        bare = word.rstrip(".").lower()
        if bare in TITLES or _INITIAL.fullmatch(word):
            continue
        if i and bare in _PARTICLES:
            continue
        if not word[0].isupper() or word.count(".") > (1 if len(word) <= 3 else 0):
            return False
    return True


def label_shape(label: str) -> str | None:
    """ "code", "name" or None (not a label) for the text before a colon."""
    label = " ".join(label.split())
    if not label or len(label) > MAX_LABEL or label.lower().startswith(("http", "www")):
        return None
    if is_code(label):
        return "code"
    return "name" if is_name(label) else None
