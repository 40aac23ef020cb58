"""Who is the interviewer in a transcript, and which rule decided it.

Labels that state a role (`Interviewer:`, `Moderator:`, `P3:`) keep it. A name given for the
interviewer makes the speaker whose label holds that name (as whole words, any case) the
interviewer: `--interviewer NAME` at ingest wins, else the case's `interviewer` attribute
(participants.csv). Failing both, when no label names an interviewer, the speaker who asks the
most questions is taken to be one. The rule that decided is kept on the document as
`meta["roles"]`, so the speaker report can say it.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from qualcode.ingest.source import Unit
from qualcode.ingest.turns import role_of
from qualcode.store.documents import document_from_row, document_row
from qualcode.store.speakers import set_roles, turn_rows

if TYPE_CHECKING:
    from qualcode.model import Document
    from qualcode.store.access import StoreAccess

OPTION = "--interviewer"  # the rule when `--interviewer NAME` decided
PARTICIPANTS = "participants.csv"  # the rule when the case's `interviewer` attribute decided
ATTRIBUTE = "interviewer attribute"  # the same, given to `add_document` rather than ingested
LABEL, INFERRED = "label", "inferred"


@dataclass(frozen=True)
class Named:
    """Who someone said the interviewer is (one name or several), and where (the rule)."""

    names: tuple[str, ...]
    rule: str


def named(value: Any, rule: str) -> Named | None:
    """A `Named` from an option or attribute value (a name, or a list of names); None if empty."""
    values = value if isinstance(value, list | tuple) else [value]
    names = tuple(v.strip() for v in values if isinstance(v, str) and v.strip())
    return Named(names, rule) if names else None


def decide_roles(
    turns: list[Unit], text: str, named: Sequence[Named | None] = ()
) -> tuple[list[Unit], dict[str, Any] | None]:
    """The turns with every speaker's role filled in, and the record of how (None: no turns).

    `named` is tried in order: the first that matches a speaker decides. The record holds
    the rule and the interviewer's speaker labels, not the names given (a person's name stays
    in the case's attributes, where pseudonymisation finds it).
    """
    speakers = list(dict.fromkeys(t.speaker for t in turns if t.speaker))
    if not speakers:
        return turns, None
    rule, askers = LABEL, set()
    for given in (n for n in named if n is not None):
        askers = {s for s in speakers if any(holds(s, name) for name in given.names)}
        if askers:
            rule = given.rule
            break
    if not askers and not any(t.role == "interviewer" for t in turns):
        questions = Counter(
            t.speaker for t in turns if t.role is None and "?" in text[t.start : t.end]
        )
        if questions:
            rule, askers = INFERRED, {questions.most_common(1)[0][0]}
    filled = [_with_role(t, askers) for t in turns]
    interviewers = sorted({t.speaker for t in filled if t.role == "interviewer" and t.speaker})
    return filled, {"rule": rule, "interviewer": interviewers}


def assign_roles(turns: list[Unit], text: str, *, interviewer: str | None = None) -> list[Unit]:
    """The turns with roles filled in, `interviewer` naming the interviewer (see `decide_roles`)."""
    return decide_roles(turns, text, [named(interviewer, ATTRIBUTE)])[0]


def apply_interviewer(project: StoreAccess, document: Document, name: str) -> Document:
    """Decide again, with `--interviewer name`, the roles of a document already stored
    (ingest found its file unchanged), so the option is never silently passed over; writes
    only when a role or the rule changes. Returns the document as it is now."""
    with project.reading() as conn:
        stored = turn_rows(conn, document.id)
    labelled = [
        Unit("turn", t.start, t.end, t.speaker, role_of(t.speaker) if t.speaker else None)
        for t in stored
    ]
    turns, record = decide_roles(labelled, document.text, [named(name, OPTION)])
    old = document.meta.get("roles") or {}
    if record is None or record["rule"] != OPTION or old == record:
        return document  # no speaker has the name (the report says so), or nothing changes
    roles = {t.speaker: t.role for t in turns if t.speaker and t.role}
    with project.writing() as conn:
        set_roles(conn, document.id, roles, actor=project.user, record=record)
        return document_from_row(document_row(conn, document.id))


def _with_role(turn: Unit, askers: set[str]) -> Unit:
    """A named speaker is the interviewer; others keep the role their label states, else are
    participants."""
    if not turn.speaker:
        return turn
    role = "interviewer" if turn.speaker in askers else turn.role or "participant"
    if role == turn.role:
        return turn
    return Unit(turn.kind, turn.start, turn.end, turn.speaker, role, turn.meta)


def holds(speaker: str, name: str) -> bool:
    """True when `name` appears in the speaker's label as whole words ("Sandra" is in
    "Sandra (interviewer)", "Speaker 1" is not in "Speaker 12")."""
    return re.search(rf"(?<!\w){re.escape(name)}(?!\w)", speaker, re.IGNORECASE) is not None
