"""The Coder's code tree, Python side: its numbers (yours · everyone's) and keys set from it.

The numbers are counted in one query and then kept true one coding at a time; each test checks
the kept numbers against a fresh count, so a drift between the two fails here.
"""

from __future__ import annotations

import pytest

from qualcode.errors import CodebookError
from qualcode.widgets.coder import Coder


def send(widget: Coder, **content) -> None:
    """What the browser does: a custom message on the transcript view's comm."""
    widget.view._handle_custom_msg(content, [])


def _span(doc, words: str) -> tuple[int, int]:
    start = doc.text.index(words)
    return start, start + len(words)


@pytest.fixture
def codes(project):
    book = project.codebook
    access = book.add("Access", shortcut="1")
    return {
        "gp": book.add("Access to GP", parent=access, shortcut="2"),
        "transport": book.add("Transport to/ from services", parent=access),
        "carers": book.add("Carers"),
        "access": access,
    }


def _shown(coder: Coder) -> dict[int, list[int]]:
    return {int(k): v for k, v in coder.view.code_counts.items()}


def _fresh(project, coder: str) -> dict[int, list[int]]:
    return {k: list(v) for k, v in project.codebook.counts(coder).items()}


def test_counts_are_mine_and_all_people_s_in_one_query(project, doc, codes) -> None:
    gp, carers = codes["gp"], codes["carers"]
    project.code(doc, *_span(doc, "nightmare"), gp, coder="amina")
    project.code(doc, *_span(doc, "twentieth"), gp, coder="bob")
    project.code(doc, *_span(doc, "twentieth"), carers, coder="bob")
    project.code(doc, *_span(doc, "nightmare"), carers, coder="suggest:themes")  # no one's work
    assert project.codebook.counts("amina") == {gp.id: (1, 2), carers.id: (0, 1)}
    assert project.codebook.counts("Amina ") == {gp.id: (1, 2), carers.id: (0, 1)}  # one coder
    assert project.codebook.counts("newcomer") == {gp.id: (0, 2), carers.id: (0, 1)}
    coder = Coder(project, coder="amina")
    assert _shown(coder) == {gp.id: [1, 2], carers.id: [0, 1]}
    assert {c["id"]: c["parent_id"] for c in coder.view.codes}[gp.id] == codes["access"].id


def test_old_versions_and_a_blind_round_are_not_counted(project, doc, codes) -> None:
    gp = codes["gp"]
    project.code(doc, *_span(doc, "nightmare"), gp, coder="bob")
    project.code(doc, *_span(doc, "twentieth"), gp, coder="amina")
    project.open_round("r1", coders=["amina", "bob"], lead="chen", documents=[doc])
    assert project.codebook.counts("amina") == {gp.id: (1, 1)}  # bob's is hidden while blind
    assert project.codebook.counts("chen") == {}
    project.close_round("r1", lead="chen")
    assert project.codebook.counts("amina") == {gp.id: (1, 2)}
    at = doc.text.index("ring")
    project.revise(doc, [(at, at + 4, "call")], by="chen")  # codings carried to the new one
    assert project.codebook.counts("amina") == {gp.id: (1, 2)}  # counted once, not per version


def test_counts_follow_coding_undo_redo_and_accepting_a_suggestion(project, doc, codes) -> None:
    gp, carers = codes["gp"], codes["carers"]
    project.code(doc, *_span(doc, "nightmare"), gp, coder="bob")
    suggestion = project.code(doc, *_span(doc, "ring"), carers, coder="suggest:themes")
    coder = Coder(project, coder="amina")
    start, end = _span(doc, "twentieth")
    send(coder, type="code", start=start, end=end, code_id=gp.id, id=1)
    assert _shown(coder)[gp.id] == [1, 2]
    send(coder, type="undo")
    assert _shown(coder)[gp.id] == [0, 1]
    send(coder, type="redo")
    assert _shown(coder)[gp.id] == [1, 2]
    (mine,) = project.codings(coder="amina")
    send(coder, type="uncode", coding_id=mine.id)
    assert _shown(coder)[gp.id] == [0, 1]
    send(coder, type="accept", coding_id=suggestion.id)
    assert _shown(coder)[carers.id] == [1, 1]
    assert _shown(coder) == _fresh(project, "amina")  # kept as a recount would find them


def test_counts_are_kept_without_counting_again(project, doc, codes, monkeypatch) -> None:
    """A key press adds one; it does not ask the store to count the project again."""
    coder = Coder(project, coder="amina")
    calls = []
    real = project.codebook.counts
    monkeypatch.setattr(project.codebook, "counts", lambda who: calls.append(who) or real(who))
    start, end = _span(doc, "nightmare")
    for _ in range(3):
        send(coder, type="code", start=start, end=end, code_id=codes["carers"].id)
        send(coder, type="undo")
    send(coder, type="set_key", code_id=codes["carers"].id, key="c")  # no number changes
    project.codebook.rename(codes["gp"], "GP appointments")
    assert calls == []
    assert _shown(coder) == {codes["carers"].id: [0, 0]}
    coder.refresh()  # Refresh counts again: others' new codings show
    assert calls == ["amina"]
    assert _shown(coder) == {}


def test_a_merge_recounts(project, doc, codes) -> None:
    gp, carers = codes["gp"], codes["carers"]
    coder = Coder(project, coder="amina")
    start, end = _span(doc, "nightmare")
    send(coder, type="code", start=start, end=end, code_id=gp.id)
    project.codebook.merge(gp, carers, by="amina")
    assert _shown(coder) == {carers.id: [1, 1]}


def test_a_key_set_from_the_tree_is_saved_in_the_coder_s_name(project, doc, codes) -> None:
    coder = Coder(project, coder="amina")
    carers = codes["carers"]
    send(coder, type="set_key", code_id=carers.id, key="C")
    assert project.codebook.get(carers.id).shortcut == "c"
    assert coder.view.status == "Key c now applies Carers."
    assert {c["id"]: c["shortcut"] for c in coder.view.codes}[carers.id] == "c"  # at once
    audit = project.audit_df()
    assert audit.iloc[-1]["actor"] == "amina" and audit.iloc[-1]["object"] == "code"
    send(coder, type="set_key", code_id=carers.id, key="")
    assert project.codebook.get(carers.id).shortcut is None
    assert coder.view.status.startswith("Carers has no key now")


@pytest.mark.parametrize(
    ("key", "said"),
    [
        ("/", "the key '/' for code 'Carers' must be one key: a letter (a-z) or a digit (0-9)"),
        ("[", "/ . [ ] Enter, Backspace, Esc and the arrows are the Coder's own keys"),
        ("ab", "the key 'ab' for code 'Carers' must be one key"),
        ("2", "the key '2' for code 'Carers' is already used by 'Access/Access to GP'"),
    ],
)
def test_a_bad_or_taken_key_is_refused_naming_the_code(project, doc, codes, key, said) -> None:
    coder = Coder(project, coder="amina")
    send(coder, type="set_key", code_id=codes["carers"].id, key=key)
    assert coder.view.status.startswith("Could not do that:")
    assert said in coder.view.status
    assert project.codebook.get(codes["carers"].id).shortcut is None


def test_keys_may_be_any_letter_or_digit_and_errors_name_the_code(project, codes) -> None:
    book = project.codebook
    for key, code in zip("z0q", ("carers", "transport", "access"), strict=True):
        book.update(codes[code], shortcut=key)
    assert book.get(codes["transport"].id).shortcut == "0"
    with pytest.raises(CodebookError, match="for code 'Access/Transport to/ from services' must"):
        book.update(codes["transport"], shortcut="é")
    with pytest.raises(CodebookError, match="for code 'New/ code' must be one key"):
        book.add("New/ code", shortcut=";")
    with pytest.raises(CodebookError, match=r"for code 'Access/Bus' is already used by 'Carers'"):
        book.add("Bus", parent=codes["access"], shortcut="Z")
