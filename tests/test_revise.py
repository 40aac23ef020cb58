"""Revising a document (as pseudonymisation does): a new version, codings carried over."""

from __future__ import annotations

import pytest

from qualcode.errors import QualcodeError
from qualcode.spans import Rewrite


def test_rewrite_maps_offsets_into_and_around_replacements() -> None:
    text = "My daughter Sarah lives at TS24 8AB now."
    name, code = text.index("Sarah"), text.index("TS24 8AB")
    r = Rewrite(text, [(code, code + 8, "[POSTCODE 1]"), (name, name + 5, "[PERSON 1]")])
    assert r.text == "My daughter [PERSON 1] lives at [POSTCODE 1] now."

    def moved(a: int, b: int) -> str:
        return r.text[r.start(a) : r.end(b)]

    assert moved(3, name + 5) == "daughter [PERSON 1]"
    assert moved(name + 1, name + 3) == "[PERSON 1]"  # inside a name: the whole pseudonym
    assert moved(code - 3, len(text)) == "at [POSTCODE 1] now."
    assert moved(0, name) == "My daughter "
    with pytest.raises(ValueError, match="overlap"):
        Rewrite(text, [(0, 5, "x"), (3, 8, "y")])


def test_revise_makes_a_new_version_and_carries_every_coding(project, doc) -> None:
    project.codebook.add("Transport")
    at = doc.text.index("My neighbour drives me")
    kept = project.code(doc, at, at + len("My neighbour drives me"), "Transport", coder="amina")
    project.code(doc, at + 3, at + 12, "Transport", coder="bob")  # "neighbour" alone
    new, carried = project.revise(
        doc, [(at + 3, at + 12, "[PERSON 1]")], by="dawn", meta={"pseudonymised": True}
    )
    assert carried == 2 and new.version == 2 and new.meta["pseudonymised"] is True
    texts = sorted(c.text for c in project.codings(new))
    assert texts == ["My [PERSON 1] drives me", "[PERSON 1]"]
    assert [c.text for c in project.codings(doc)] != []  # the old version keeps its codings
    assert len(project.codings_df()) == 2  # analysis sees the current version only
    assert len(project.codings_df(all_versions=True)) == 4
    assert project.document(new.id).text.count("[PERSON 1]") == 1
    turns = project.units_df("turn", document=new)
    assert turns["text"].str.contains(r"\[PERSON 1\]").any()
    assert "revise" in set(project.audit_df(actor="dawn")["action"])
    with pytest.raises(QualcodeError, match="not the current version"):
        project.revise(doc, [], by="dawn")
    assert kept.id in {c.id for c in project.codings(doc)}
