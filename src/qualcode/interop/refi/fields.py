"""qualcode's values as REFI-QDA writes them and back: GUIDs, times, and a code's
description with its criteria folded into REFI's one Description."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

from qualcode.interop.refi.errors import RefiError
from qualcode.interop.refi.xml import split

# GUIDs derived from our own ids (selections, variables), the same on every export
_DERIVED = uuid.UUID("6f1c0f4e-5b0a-4d59-9a51-2f7f3f0c9e11")
_GUID = re.compile(
    r"^\{?[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\}?$"
)
_DATETIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)?$")
COLOR = re.compile(r"^#([0-9A-Fa-f]{6}|[0-9A-Fa-f]{3})$")
# code criteria folded into REFI's single Description, in this order, each after a blank line
_CRITERIA = (
    ("inclusion", "Inclusion criteria:"),
    ("exclusion", "Exclusion criteria:"),
    ("example", "Example:"),
)


def fold_description(code: Any) -> str:
    """A code's description and criteria as one readable text, for REFI's one Description."""
    parts = [code.description] if code.description else []
    for key, label in _CRITERIA:
        value = getattr(code, key, "") or ""
        if value:
            parts.append(f"{label}\n{value}")
    return "\n\n".join(parts)


def unfold_description(text: str) -> dict[str, str]:
    """Split a Description written by `fold_description` back into our four fields.

    Text from other tools has no markers and becomes the description whole.
    """
    fields = {"description": text, "inclusion": "", "exclusion": "", "example": ""}
    labels = "|".join(re.escape(label) for _, label in _CRITERIA)
    marks = list(re.finditer(rf"(?:^|\n\n)({labels})\n", text))
    order = [label for _, label in _CRITERIA]
    found = [m for m in marks if m.group(1) in order]
    # markers must appear in our order, each at most once, or the text is not ours
    if not found or [order.index(m.group(1)) for m in found] != sorted(
        {order.index(m.group(1)) for m in found}
    ):
        return fields
    fields["description"] = text[: found[0].start()]
    for i, mark in enumerate(found):
        end = found[i + 1].start() if i + 1 < len(found) else len(text)
        key = _CRITERIA[order.index(mark.group(1))][0]
        fields[key] = text[mark.end() : end]
    return fields


def guid_out(guid: str) -> str:
    """GUIDs are written in upper case, as NVivo and MAXQDA write them (the XSD allows both)."""
    return guid.strip("{}").upper()


def derived(kind: str, key: str) -> str:
    """A GUID for something qualcode has no id for, stable across exports."""
    return str(uuid.uuid5(_DERIVED, f"{kind}:{key}")).upper()


def stamp(attrs: dict[str, str], key: str, value: str | None) -> None:
    """Set a dateTime attribute from a store time; a missing or malformed one is left out."""
    if value and _DATETIME.match(value):
        attrs[key] = value


def guid_in(path: Path, el: ET.Element, attr: str, what: str) -> str:
    """A required GUID attribute in the store's form, or an error naming the element."""
    value = (el.get(attr) or "").strip()
    if not _GUID.match(value):
        raise RefiError(path, f"a {what} has {attr}={value!r}, which is not a GUID")
    return str(uuid.UUID(value.strip("{}")))  # lower case, no braces: the store's form


def guid_opt(path: Path, el: ET.Element, attr: str) -> str | None:
    """An optional GUID attribute (creatingUser), checked when present."""
    return guid_in(path, el, attr, split(el.tag)[1]) if el.get(attr) else None


def read_time(value: str | None) -> str | None:
    """An xsd:dateTime as the store writes times (UTC, microseconds), or None."""
    if not value or not _DATETIME.match(value.strip()):
        return None
    text = value.strip().replace("Z", "+00:00")
    text = re.sub(r"\.(\d{1,6})\d*", lambda m: "." + m.group(1).ljust(6, "0"), text)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")
