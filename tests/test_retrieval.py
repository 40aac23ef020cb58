"""Retrieval: the query language, each operator on a small hand-built project, filters,
context, the DataFrame, the notebook view, and errors a user can cause."""

from __future__ import annotations

import sys
import types
from dataclasses import dataclass, field

import pytest

from qualcode.coding.query import (
    And,
    CodeRef,
    Near,
    Not,
    Or,
    QueryError,
    intersect,
    merge,
    near,
    parse,
    subtract,
)
from qualcode.coding.retrieval import COLUMNS, context_around, count_line
from qualcode.errors import NotFoundError, QualcodeError
from qualcode.widgets.retrieval import Retrieval

# SYNTHETIC transcripts written for these tests.
HP1 = """Interviewer: How do you find getting a GP appointment?
Participant: Honestly it's a nightmare. You ring at eight and you're twentieth in the queue.
By the time you get through they've gone.
Interviewer: And how do you get there?
Participant: I give up, mostly. My neighbour drives me to the walk-in when it's bad.
"""
HP2 = """Interviewer: Who helps you at home?
Participant: My daughter does the shopping. The bus only comes twice a day.
Interviewer: Do you see people?
Participant: Not really. The carers group <b>stopped</b> meeting last year.
"""
RC1 = """Notes from a survey answer about services.
The surgery phone line is always engaged and the bus is late.

I have not spoken to anyone all week."""


def at(text: str, phrase: str) -> tuple[int, int]:
    """(start, end) of a phrase that occurs once in the text."""
    assert text.count(phrase) == 1, phrase
    start = text.index(phrase)
    return start, start + len(phrase)


@pytest.fixture
def proj(project):
    """Three documents in two areas, six codes (one with a child), three coders."""
    docs = {
        "hp1": project.add_document(
            HP1,
            area="hartlepool",
            title="hp-01",
            attributes={"population_group": "Carers", "age_band": "65+"},
        ),
        "hp2": project.add_document(
            HP2,
            area="hartlepool",
            title="hp-02",
            case="P2",
            attributes={"population_group": "Young people", "age_band": "18-24"},
        ),
        "rc1": project.add_document(
            RC1, area="redcar", title="rc-01", attributes={"population_group": "Carers"}
        ),
    }
    for name in ("Access to GP", "Transport", "Carers", "Direct payments", "Peer support"):
        project.codebook.add(name)
    project.codebook.add("Loneliness and isolation")
    project.codebook.add("Neighbours", parent="Loneliness and isolation")

    def code(key: str, phrase: str, code: str, coder: str = "amina"):
        text = {"hp1": HP1, "hp2": HP2, "rc1": RC1}[key]
        return project.code(docs[key], *at(text, phrase), code, coder=coder)

    code("hp1", "Honestly it's a nightmare.", "Access to GP")
    code("hp1", "You ring at eight and you're twentieth in the queue.", "Access to GP", "ben")
    code("hp1", "twentieth in the queue.\nBy the time you get through", "Transport")
    code("hp1", "My neighbour drives me to the walk-in", "Transport")
    code("hp1", "I give up, mostly.", "Neighbours", "ben")
    code("hp2", "The bus only comes twice a day.", "Transport", "ben")
    code("hp2", "My daughter does the shopping.", "Carers")
    code("hp2", "The carers group <b>stopped</b> meeting", "Peer support", "chen")
    code("hp2", "The carers group <b>stopped</b>", "Carers", "chen")
    code("rc1", "The surgery phone line is always engaged", "Access to GP")
    code("rc1", "the bus is late.", "Transport")
    code("rc1", "I have not spoken to anyone all week.", "Loneliness and isolation")
    project.docs = docs
    return project


def spans(r: Retrieval) -> list[tuple[str, int, int]]:
    return [(row.title, row.start, row.end) for row in r.df.itertuples()]


def texts(r: Retrieval) -> list[str]:
    return list(r.df["text"])


# the query language ---------------------------------------------------------------------------


def test_a_name_may_contain_spaces_and_lowercase_and() -> None:
    assert parse("Peer support") == CodeRef("Peer support", 0)
    assert parse("Loneliness and isolation") == CodeRef("Loneliness and isolation", 0)
    assert parse("Services/Access  to GP") == CodeRef("Services/Access to GP", 0)


def test_quotes_keep_operator_words_and_brackets_in_a_name() -> None:
    tree = parse('"Access to GP" AND "NOT applicable (yet)"')
    assert tree == And(CodeRef("Access to GP", 0), CodeRef("NOT applicable (yet)", 19), 15)


def test_precedence_is_not_near_and_or() -> None:
    tree = parse("A OR B AND C NEAR D AND NOT E")
    a, b, c, d, e = (CodeRef(n) for n in "ABCDE")
    assert _shape(tree) == _shape(Or(a, And(And(b, Near(c, d)), Not(e))))
    assert _shape(parse("NOT A AND B")) == _shape(And(Not(a), b))
    assert _shape(parse("A AND B OR C")) == _shape(Or(And(a, b), c))
    assert _shape(parse("A NEAR B AND C")) == _shape(And(Near(a, b), c))


def test_brackets_override_precedence_and_chains_lean_left() -> None:
    a, b, c = (CodeRef(n) for n in "ABC")
    assert _shape(parse("(A OR B) AND C")) == _shape(And(Or(a, b), c))
    assert _shape(parse("A AND (B OR C)")) == _shape(And(a, Or(b, c)))
    assert _shape(parse("A AND B AND C")) == _shape(And(And(a, b), c))


def test_the_example_queries_parse() -> None:
    tree = parse('(Transport OR "Access to GP") NEAR Loneliness and isolation')
    assert _shape(tree) == ("Near", ("Or", "Transport", "Access to GP"), "Loneliness and isolation")
    assert _shape(parse('Carers AND NOT "Direct payments"')) == (
        "And",
        "Carers",
        ("Not", "Direct payments"),
    )


def test_printing_a_tree_gives_a_query_that_reads_back_the_same() -> None:
    for query in (
        '(Transport OR "Access to GP") NEAR Loneliness and isolation',
        'Carers AND NOT "Direct payments" OR "Q AND A"',
        'A AND "Access (GP)"',
    ):
        tree = parse(query)
        assert _shape(parse(str(tree))) == _shape(tree)


@pytest.mark.parametrize(
    ("query", "position", "says"),
    [
        ("", 0, "empty"),
        ("   ", 0, "empty"),
        ("(Transport AND Carers", 0, "never closed"),
        ("Transport)", 9, "no matching"),
        ("Transport AND", 10, "AND needs a code after it"),
        ("AND Transport", 0, "AND needs a code before it"),
        ("Transport AND OR Carers", 14, "AND needs a code after it, not OR"),
        ("Transport NEAR", 10, "NEAR needs a code after it"),
        ("Transport (Carers)", 10, "expected AND, OR, NOT or NEAR"),
        ('"Transport" Carers', 12, "expected AND, OR, NOT or NEAR"),
        ("Transport AND ()", 14, "brackets are empty"),
        ('"Access to GP AND Transport', 0, "never closed"),
        ('Transport AND ""', 14, "no code name"),
        ("Transport AND (", 14, "never closed"),
        ("NOT Carers", 0, "NOT needs something to subtract from"),
        ("Transport OR NOT Carers", 13, "NOT needs something to subtract from"),
        ("Transport NEAR NOT Carers", 15, "NOT needs something to subtract from"),
        ("NOT Transport AND NOT Carers", 0, "both sides"),
        ("Transport AND NOT NOT Carers", 14, "cancels out"),
    ],
)
def test_bad_queries_say_where(query: str, position: int, says: str) -> None:
    with pytest.raises(QueryError, match="query") as info:
        parse(query)
    assert info.value.position == position
    assert says in str(info.value)
    if query.strip():
        assert f"at character {position + 1}" in str(info.value)
    pointer = info.value.pointer().splitlines()
    assert pointer[1].index("^") == position


def test_interval_algebra_credits_only_the_codings_that_touch_a_result() -> None:
    where = {0: (0, 10), 1: (5, 20), 2: (15, 25), 3: (30, 40)}
    a = [(0, 10, (0,)), (5, 20, (1,)), (30, 40, (3,))]
    b = [(15, 25, (2,))]
    assert merge(a) == [(0, 20, (0, 1)), (30, 40, (3,))]
    assert intersect(a, b, where.get) == [(15, 20, (1, 2))]  # coding 0 does not reach 15
    assert subtract(a, b) == [(0, 10, (0,)), (30, 40, (3,))]
    assert subtract(a, [(10, 11, (9,))]) == [(0, 10, (0,)), (30, 40, (3,))]  # ends exclusive
    units = [(0, 12), (12, 26), (26, 45)]
    assert near(a, b, units, where.get) == [(12, 26, (1, 2))]


def test_query_error_is_a_qualcode_error() -> None:
    assert issubclass(QueryError, QualcodeError)
    with pytest.raises(TypeError, match="text"):
        parse(None)  # type: ignore[arg-type]


# operators on a project ---------------------------------------------------------------------


def test_one_code_gives_each_coding_as_its_own_passage(proj) -> None:
    r = Retrieval(proj, "Access to GP")
    assert texts(r) == [
        "Honestly it's a nightmare.",
        "You ring at eight and you're twentieth in the queue.",
        "The surgery phone line is always engaged",
    ]
    assert list(r.df["coders"]) == [["amina"], ["ben"], ["amina"]]
    assert list(r.df["codes"]) == [["Access to GP"]] * 3
    assert r.summary() == "3 passages in 2 transcripts"


def test_a_parent_includes_its_children_unless_asked_not_to(proj) -> None:
    r = Retrieval(proj, "Loneliness and isolation")
    assert texts(r) == ["I give up, mostly.", "I have not spoken to anyone all week."]
    assert r.df["codes"][0] == ["Loneliness and isolation/Neighbours"]
    alone = Retrieval(proj, "Loneliness and isolation", include_children=False)
    assert texts(alone) == ["I have not spoken to anyone all week."]
    assert texts(Retrieval(proj, "Loneliness and isolation/Neighbours")) == ["I give up, mostly."]


def test_and_gives_the_stretch_where_both_overlap(proj) -> None:
    r = Retrieval(proj, '"Access to GP" AND Transport')
    assert texts(r) == ["twentieth in the queue."]
    start, end = at(HP1, "twentieth in the queue.")
    assert (r.df["start"][0], r.df["end"][0]) == (start, end)
    assert r.df["codes"][0] == ["Access to GP", "Transport"]
    assert r.df["coders"][0] == ["amina", "ben"]  # ben's GP coding, amina's transport one


def test_and_of_codes_that_never_overlap_is_empty_but_well_formed(proj) -> None:
    r = Retrieval(proj, "Carers AND Transport")
    assert r.df.empty
    assert list(r.df.columns)[: len(COLUMNS)] == COLUMNS
    assert r.summary() == "No passages found"


def test_or_merges_overlapping_passages_and_keeps_the_rest(proj) -> None:
    r = Retrieval(proj, "Transport OR Access to GP", area="hartlepool")
    start, _ = at(HP1, "Honestly")
    _, end = at(HP1, "By the time you get through")
    assert spans(r)[:3] == [
        ("hp-01", start, start + len("Honestly it's a nightmare.")),
        ("hp-01", start + len("Honestly it's a nightmare. "), end),
        ("hp-01", *at(HP1, "My neighbour drives me to the walk-in")),
    ]
    assert r.df["codes"][1] == ["Access to GP", "Transport"]
    assert texts(r)[3:] == ["The bus only comes twice a day."]


def test_and_not_keeps_passages_that_do_not_touch_the_other_code(proj) -> None:
    r = Retrieval(proj, 'Transport AND NOT "Access to GP"')
    assert texts(r) == [
        "My neighbour drives me to the walk-in",
        "The bus only comes twice a day.",
        "the bus is late.",
    ]
    assert texts(Retrieval(proj, '"Access to GP" AND NOT Transport')) == [
        "Honestly it's a nightmare.",
        "The surgery phone line is always engaged",
    ]
    assert texts(Retrieval(proj, 'NOT "Access to GP" AND Transport')) == texts(r)


def test_and_not_with_a_code_nobody_used_keeps_everything(proj) -> None:
    r = Retrieval(proj, 'Carers AND NOT "Direct payments"')
    assert texts(r) == ["My daughter does the shopping.", "The carers group <b>stopped</b>"]


def test_near_gives_the_turn_holding_both(proj) -> None:
    r = Retrieval(proj, "Transport NEAR Loneliness and isolation")
    turn = at(HP1, "I give up, mostly. My neighbour drives me to the walk-in when it's bad.")
    paragraph = at(RC1, "The surgery phone line is always engaged and the bus is late.")
    # hp-01: the same turn; rc-01 has no turns, and its two codes are in different paragraphs
    assert spans(r) == [("hp-01", *turn)]
    assert r.df["codes"][0] == ["Transport", "Loneliness and isolation/Neighbours"]
    assert r.df["coders"][0] == ["amina", "ben"]
    # without turns, paragraphs: GP and Transport share rc-01's second paragraph
    gp = Retrieval(proj, 'Transport NEAR "Access to GP"', area="redcar")
    assert spans(gp) == [("rc-01", *paragraph)]


def test_near_uses_the_unit_asked_for(proj) -> None:
    turn = Retrieval(proj, '"Access to GP" NEAR Transport', area="hartlepool")
    whole_turn = at(
        HP1,
        "Honestly it's a nightmare. You ring at eight and you're twentieth in the queue.\n"
        "By the time you get through they've gone.",
    )
    assert spans(turn) == [("hp-01", *whole_turn)]
    sentence = Retrieval(proj, '"Access to GP" NEAR Transport', unit="sentence")
    assert texts(sentence) == [
        "You ring at eight and you're twentieth in the queue.",
        "The surgery phone line is always engaged and the bus is late.",  # rc-01: one sentence
    ]
    # hp-02: daughter (Carers) and bus (Transport) share a turn but not a sentence
    same_turn = Retrieval(proj, "Carers NEAR Transport")
    assert texts(same_turn) == ["My daughter does the shopping. The bus only comes twice a day."]
    assert Retrieval(proj, "Carers NEAR Transport", unit="sentence").df.empty


def test_brackets_change_the_result(proj) -> None:
    grouped = Retrieval(proj, '(Transport OR "Access to GP") NEAR Loneliness and isolation')
    turn = at(HP1, "I give up, mostly. My neighbour drives me to the walk-in when it's bad.")
    assert spans(grouped) == [("hp-01", *turn)]
    # NEAR binds first: every Transport passage, OR'd with an empty GP-near-loneliness set
    plain = Retrieval(proj, 'Transport OR "Access to GP" NEAR Loneliness and isolation')
    assert texts(plain) == texts(Retrieval(proj, "Transport"))
    assert len(plain) == 4


# filters --------------------------------------------------------------------------------------


def test_area_filter(proj) -> None:
    assert [t for t, *_ in spans(Retrieval(proj, "Transport", area="redcar"))] == ["rc-01"]


def test_coder_filter_by_name_or_list(proj) -> None:
    assert texts(Retrieval(proj, "Access to GP", coder="ben")) == [
        "You ring at eight and you're twentieth in the queue."
    ]
    both = Retrieval(proj, "Transport", coder=["ben", "chen"])
    assert texts(both) == ["The bus only comes twice a day."]


def test_coder_filter_applies_to_the_not_side_too(proj) -> None:
    # only amina's codings count: ben's GP coding no longer removes her transport passage
    r = Retrieval(proj, 'Transport AND NOT "Access to GP"', coder="amina", area="hartlepool")
    assert texts(r) == [
        "twentieth in the queue.\nBy the time you get through",
        "My neighbour drives me to the walk-in",
    ]


def test_where_filters_on_case_attributes(proj) -> None:
    carers = Retrieval(proj, "Transport", where={"population_group": "Carers"})
    assert sorted({t for t, *_ in spans(carers)}) == ["hp-01", "rc-01"]
    either = Retrieval(proj, "Transport", where={"age_band": ["18-24", "65+"]})
    assert sorted({t for t, *_ in spans(either)}) == ["hp-01", "hp-02"]
    none = Retrieval(proj, "Transport", where={"population_group": "Nobody"})
    assert none.df.empty


def test_documents_filter(proj) -> None:
    r = Retrieval(proj, "Transport", documents=["hp-02", proj.docs["rc1"].id])
    assert [t for t, *_ in spans(r)] == ["hp-02", "rc-01"]
    one = Retrieval(proj, "Transport", documents=proj.docs["hp2"])
    assert [t for t, *_ in spans(one)] == ["hp-02"]


# context and the DataFrame --------------------------------------------------------------------


def test_context_is_cut_at_word_boundaries() -> None:
    text = "one two three four five six seven"
    start, end = at(text, "four")
    assert context_around(text, start, end, 8) == ("three ", " five")
    assert context_around(text, start, end, 6) == ("three ", " five ")
    assert context_around(text, start, end, 5) == ("", " five")
    assert context_around(text, start, end, 4) == ("", "")
    assert context_around("x" * 50, 20, 30, 5) == ("", "")  # one long word: nothing to show
    assert context_around(text, start, end, 100) == ("one two three ", " five six seven")
    assert context_around(text, start, end, 0) == ("", "")


def test_passages_carry_context_from_their_document(proj) -> None:
    r = Retrieval(proj, "Transport", context=40)
    for row in r.df.itertuples():
        full = {"hp-01": HP1, "hp-02": HP2, "rc-01": RC1}[row.title]
        assert full[row.start : row.end] == row.text
        assert full[row.start - len(row.before) : row.end + len(row.after)] == (
            row.before + row.text + row.after
        )
        assert len(row.before) <= 40 and len(row.after) <= 40
    assert r.df["before"][0] == "nightmare. You ring at eight and you're "  # not "it's a ..."
    assert (Retrieval(proj, "Transport", context=0).df[["before", "after"]] == "").all().all()


def test_frame_columns_rows_and_case_attributes(proj) -> None:
    r = Retrieval(proj, "Transport")
    assert list(r.df.columns) == [*COLUMNS, "population_group", "age_band"]
    assert list(r.df["title"]) == ["hp-01", "hp-01", "hp-02", "rc-01"]
    assert list(r.df["case"]) == ["hp-01", "hp-01", "P2", "rc-01"]
    assert list(r.df["area"]) == ["hartlepool"] * 3 + ["redcar"]
    assert list(r.df["population_group"]) == ["Carers", "Carers", "Young people", "Carers"]
    assert r.df["age_band"].isna().tolist() == [False, False, False, True]
    frame = r.to_frame()
    frame.loc[0, "text"] = "changed"
    assert r.df.loc[0, "text"] != "changed"
    assert len(r) == 4
    assert repr(r) == "<Retrieval 'Transport': 4 passages in 3 transcripts>"


def test_count_line_in_plain_words() -> None:
    assert count_line(12, 7) == "12 passages in 7 transcripts"
    assert count_line(1, 1) == "1 passage in 1 transcript"
    assert count_line(0, 0) == "No passages found"


# errors a user can cause ----------------------------------------------------------------------


def test_unknown_code_suggests_a_close_name(proj) -> None:
    with pytest.raises(NotFoundError, match="did you mean 'Transport'"):
        Retrieval(proj, "Transprt AND Carers")


def test_unknown_filters_are_named(proj) -> None:
    with pytest.raises(NotFoundError, match="did you mean 'hartlepool'"):
        Retrieval(proj, "Transport", area="hartlepol")
    with pytest.raises(NotFoundError, match="no coder named 'zoe'"):
        Retrieval(proj, "Transport", coder=["amina", "zoe"])
    with pytest.raises(NotFoundError, match="did you mean 'age_band'"):
        Retrieval(proj, "Transport", where={"age band": "65+"})


def test_bad_unit_context_and_query(proj) -> None:
    with pytest.raises(QualcodeError, match="unit 'page'"):
        Retrieval(proj, "Transport", unit="page")
    with pytest.raises(QualcodeError, match="context"):
        Retrieval(proj, "Transport", context=-1)
    with pytest.raises(QueryError, match="NOT needs something"):
        Retrieval(proj, "NOT Transport")


def test_a_failed_search_changes_nothing(proj) -> None:
    r = Retrieval(proj, "Transport")
    with pytest.raises(QueryError):
        r.search("Transport AND")
    with pytest.raises(NotFoundError):
        r.search("Carers", area="nowhere")
    assert (r.query, r.area, len(r)) == ("Transport", None, 4)
    assert len(r.search("Carers", area="hartlepool")) == 2


# the notebook view ----------------------------------------------------------------------------


@dataclass
class FakeCoder:
    """Stands in for the coding screen: records what it was asked to open."""

    opened: list[tuple[int, int, int]] = field(default_factory=list)

    def open(self, document_id: int, start: int, end: int) -> None:
        self.opened.append((document_id, start, end))


def test_view_shows_the_count_and_one_card_per_passage(proj) -> None:
    view = Retrieval(proj, "Transport").widget()
    assert "4 passages in 3 transcripts" in view.count.value
    assert len(view.cards.children) == len(view.open_buttons) == 4
    card = view.cards.children[0].children[0].value
    assert "hp-01 &middot; hartlepool" in card
    assert "<b>twentieth in the queue.\nBy the time you get through</b>" in card
    assert "Codes: Transport &middot; Coded by: amina" in card
    assert view.open_buttons[0].description == "Open in coder"


def test_view_escapes_transcript_text(proj) -> None:
    view = Retrieval(proj, "Peer support").widget()
    card = view.cards.children[0].children[0].value
    assert "&lt;b&gt;stopped&lt;/b&gt;" in card
    assert "<b>stopped</b>" not in card
    assert "hp-02 &middot; P2 &middot; hartlepool" in card


def test_view_reruns_when_the_query_changes(proj) -> None:
    r = Retrieval(proj, "Transport")
    view = r.widget()
    view.query_box.value = "Carers"  # what Enter does: the value arrives, the search runs
    assert "2 passages in 1 transcript" in view.count.value
    assert r.query == "Carers" and len(view.cards.children) == 2
    view.query_box.value = "Transport"
    view.area_box.value = "redcar"
    assert "1 passage in 1 transcript" in view.count.value
    view.coder_box.value = "ben"
    assert "No passages found" in view.count.value
    view.area_box.value = None
    view.search()
    assert "1 passage in 1 transcript" in view.count.value
    assert r.df["coders"][0] == ["ben"]


def test_view_shows_a_bad_query_instead_of_raising(proj) -> None:
    view = Retrieval(proj, "Transport").widget()
    view.query_box.value = "Transport AND"
    assert "Could not search" in view.count.value
    assert "AND needs a code after it" in view.count.value
    assert view.cards.children == ()
    view.query_box.value = "Transprt"
    assert "did you mean" in view.count.value


def test_open_in_coder_button_opens_that_passage(proj) -> None:
    fake = FakeCoder()
    view = Retrieval(proj, "Transport", open_with=fake).widget()
    view.open_buttons[2].click()
    row = view.retrieval.df.iloc[2]
    assert fake.opened == [(proj.docs["hp2"].id, int(row["start"]), int(row["end"]))]
    assert row["text"] == "The bus only comes twice a day."


def test_open_without_open_with_makes_a_coder_for_the_chosen_coder(proj, monkeypatch) -> None:
    made: list[FakeScreen] = []

    class FakeScreen(FakeCoder):
        def __init__(self, project, *, coder, document, focus) -> None:
            super().__init__()
            self.project, self.coder, self.args = project, coder, (document, focus)
            made.append(self)

    monkeypatch.setitem(
        sys.modules, "qualcode.widgets.coder", types.SimpleNamespace(Coder=FakeScreen)
    )
    view = Retrieval(proj, "Transport", coder="ben").widget()
    row = view.retrieval.df.iloc[0]
    view.open_buttons[0].click()
    assert [(m.project, m.coder, m.args) for m in made] == [
        (proj, "ben", (int(row["document_id"]), (int(row["start"]), int(row["end"]))))
    ]
    view.open_buttons[0].click()  # the same screen moves; no second one
    assert len(made) == 1
    assert made[0].opened == [(int(row["document_id"]), int(row["start"]), int(row["end"]))]
    view.coder_box.value = None  # all coders: open as the project's user
    view.open_buttons[0].click()
    assert [m.coder for m in made] == ["ben", "tester"]


def test_open_prefers_go_to_on_a_real_widget(proj) -> None:
    """An ipywidgets screen cannot take open(doc, start, end): Widget.open() opens its comm."""

    class Screen(FakeCoder):
        def go_to(self, document_id: int, start: int, end: int) -> None:
            self.opened.append(("go_to", document_id, start, end))

    screen = Screen()
    view = Retrieval(proj, "Carers", open_with=screen).widget()
    view.open_buttons[0].click()
    row = view.retrieval.df.iloc[0]
    assert screen.opened == [("go_to", int(row["document_id"]), int(row["start"]), int(row["end"]))]


def test_view_pages_long_results(proj) -> None:
    view = Retrieval(proj, "Transport OR Carers OR Access to GP").widget()
    view.PAGE = 2
    view.render()
    assert len(view.cards.children) == 2 and "showing the first 2" in view.count.value
    assert view.more.layout.display is None
    view.more.click()
    assert len(view.cards.children) == 4
    view.more.click()
    view.more.click()
    assert len(view.cards.children) == len(view.retrieval.df)
    assert view.more.layout.display == "none"


def test_displaying_a_retrieval_shows_its_view(proj) -> None:
    r = Retrieval(proj, "Transport")
    bundle = r._repr_mimebundle_()
    assert bundle["application/vnd.jupyter.widget-view+json"]["model_id"] == r.widget().model_id
    assert r.widget() is r.widget()


def _shape(node):
    """A tree without positions, for comparing shapes."""
    if isinstance(node, CodeRef):
        return node.name
    if isinstance(node, Not):
        return ("Not", _shape(node.operand))
    return (type(node).__name__, _shape(node.left), _shape(node.right))


# one definition of a row: a passage ----------------------------------------------------------


@pytest.fixture
def doubled(proj):  # type: ignore[no-untyped-def]
    """The project with Transport coded again by two more coders, overlapping amina's."""
    doc = proj.docs["hp1"]
    proj.code(doc, *at(HP1, "My neighbour drives me to the walk-in"), "Transport", coder="ben")
    proj.code(doc, *at(HP1, "drives me to the walk-in when it's bad."), "Transport", coder="chen")
    return proj


def rows(r: Retrieval) -> list[tuple]:  # type: ignore[type-arg]
    return [
        (row.title, row.start, row.end, tuple(row.codes), tuple(row.coders), row.codings)
        for row in r.df.itertuples()
    ]


def test_a_query_gives_the_same_passages_however_it_is_written(doubled) -> None:  # type: ignore[no-untyped-def]
    plain = Retrieval(doubled, "Transport")
    # amina's, ben's and chen's overlapping codings are one passage, credited to all three
    start, _ = at(HP1, "My neighbour drives")
    _, end = at(HP1, "when it's bad.")
    assert ("hp-01", start, end, ("Transport",), ("amina", "ben", "chen"), 3) in rows(plain)
    assert len(plain) == 4 and plain.df["codings"].sum() == 6
    for query in ["Transport OR Transport", "Transport AND Transport", "(Transport)"]:
        assert rows(Retrieval(doubled, query)) == rows(plain), query


def test_or_covers_each_side_and_its_codings_add_up(doubled) -> None:  # type: ignore[no-untyped-def]
    codes = ["Transport", "Access to GP", "Carers", "Peer support", "Loneliness and isolation"]
    alone = {code: Retrieval(doubled, f'"{code}"') for code in codes}
    every = Retrieval(doubled, " OR ".join(f'"{code}"' for code in codes))
    # each coding is behind exactly one passage: the counts per code add up
    assert every.df["codings"].sum() == sum(r.df["codings"].sum() for r in alone.values())
    assert every.df["codings"].sum() == len(doubled.codings_df())
    for code in codes:
        either = Retrieval(doubled, f'"{code}" OR Carers')
        assert len(either) >= len(alone["Carers"]) and len(either) <= len(every)
        for title, start, end, *_ in rows(alone[code]):  # within one passage of the OR
            assert any(t == title and s <= start and end <= e for t, s, e, *_ in rows(either))


def test_a_codes_passages_are_the_counts_of_the_matrix(doubled) -> None:  # type: ignore[no-untyped-def]
    from qualcode.analysis.matrices import code_case_matrix

    matrix = code_case_matrix(doubled, counts=True)
    key = matrix.attrs["key"]
    for column, label in zip(key["column"], key["label"], strict=True):
        if column in ("area", "case", "case_id") or label not in set(doubled.codes_df()["path"]):
            continue
        found = Retrieval(doubled, f'"{label}"', include_children=False)
        assert len(found) == matrix[column].sum(), label


def test_not_after_a_code_reads_as_and_not(doubled) -> None:  # type: ignore[no-untyped-def]
    assert parse("Carers NOT Dementia support") == And(
        CodeRef("Carers", 0), Not(CodeRef("Dementia support", 11), 7), 7
    )
    assert str(parse('Transport NOT "Access to GP"')) == "Transport AND NOT Access to GP"
    short = Retrieval(doubled, 'Transport NOT "Access to GP"')
    assert rows(short) == rows(Retrieval(doubled, 'Transport AND NOT "Access to GP"'))
    assert len(short) == 3
    assert texts(Retrieval(doubled, 'Carers NOT "Direct payments"')) == texts(
        Retrieval(doubled, "Carers")
    )
    # NOT binds like AND: the OR keeps every Access to GP passage
    mixed = Retrieval(doubled, '"Access to GP" OR Transport NOT "Access to GP"')
    assert len(mixed) == len(Retrieval(doubled, '"Access to GP"')) + 3
    with pytest.raises(QueryError, match="NOT NOT cancels out"):
        parse("Carers NOT NOT Transport")


# the notebook panel as a researcher sees it (issue 15) ---------------------------------------


def test_the_area_and_coder_lists_show_their_choice(proj) -> None:
    view = Retrieval(proj, "Transport").widget()
    # a Dropdown whose value is None shows blank: "All ..." must be the one selected
    assert (view.area_box.index, view.area_box.label) == (0, "All areas")
    assert (view.coder_box.index, view.coder_box.label) == (0, "All coders")
    view.area_box.value = "redcar"
    view.coder_box.value = "ben"
    assert (view.area_box.label, view.coder_box.label) == ("redcar", "ben")
    assert (view.retrieval.area, view.retrieval.coder) == ("redcar", "ben")
    view.coder_box.index = 0
    assert view.retrieval.coder is None and view.coder_box.label == "All coders"
    chosen = Retrieval(proj, "Transport", area="hartlepool", coder=["ben"]).widget()
    assert (chosen.area_box.label, chosen.coder_box.label) == ("hartlepool", "ben")


def test_a_coder_who_starts_after_the_panel_opened_is_listed_at_the_next_search(proj) -> None:
    view = Retrieval(proj, "Transport").widget()
    assert "dawn" not in view.coder_box.options[-1]
    proj.code(proj.docs["rc1"], *at(RC1, "the bus is late."), "Transport", coder="dawn")
    view.search_button.click()
    assert ("dawn", "dawn") in view.coder_box.options
    assert view.coder_box.label == "All coders"
    view.coder_box.value = "dawn"
    assert "1 passage in 1 transcript" in view.count.value


def test_a_coder_typed_in_another_case_is_chosen_in_the_list(proj) -> None:
    r = Retrieval(proj, "Transport", coder=" BEN ")
    assert r.coder == "ben"  # as the project spells the name
    assert r.widget().coder_box.label == "ben"
    assert Retrieval(proj, "Transport", coder=["AMINA", "Ben"]).coder == ["amina", "ben"]


def test_not_through_the_panel_and_typographic_quotes(proj) -> None:
    view = Retrieval(proj, "Transport").widget()
    view.query_box.value = "Carers NOT Peer support"
    assert "1 passage in 1 transcript" in view.count.value
    assert texts(view.retrieval) == ["My daughter does the shopping."]
    # quotes as a word processor or a handout writes them
    view.query_box.value = "Transport AND NOT \u201cAccess to GP\u201d"
    assert "Could not search" not in view.count.value
    assert rows(view.retrieval) == rows(Retrieval(proj, 'Transport AND NOT "Access to GP"'))
    assert parse("Carers NOT \u201cPeer support\u201d") == parse('Carers NOT "Peer support"')


def test_lowercase_operators_are_named_in_the_error(proj) -> None:
    with pytest.raises(NotFoundError, match="did you mean Carers NOT Peer support"):
        Retrieval(proj, "Carers not Peer support")
    view = Retrieval(proj, "Transport").widget()
    view.query_box.value = "Carers and not Peer support"
    assert "written in capitals" in view.count.value
    assert len(Retrieval(proj, "Loneliness and isolation")) == 2  # a name with "and" in it


@pytest.mark.browser
def test_the_panel_in_jupyterlab_shows_its_choices_and_finds_not(tmp_path_factory) -> None:  # type: ignore[no-untyped-def]
    """What the researcher sees: the lists' chosen text, a NOT query typed, a new coder."""
    import nbformat

    import qualcode
    from tests.lab import chromium, jupyterlab, open_and_run

    root, home = tmp_path_factory.mktemp("lab"), tmp_path_factory.mktemp("home")
    store = root / "retrieval.qualcode"
    with qualcode.open_project(store) as p:
        doc = p.add_document(HP2, area="hartlepool", title="hp-02")  # SYNTHETIC
        for name in ("Carers", "Dementia support"):
            p.codebook.add(name)
        p.code(doc, *at(HP2, "My daughter does the shopping."), "Carers", coder="amina")
        p.code(doc, *at(HP2, "The carers group <b>stopped</b>"), "Carers", coder="bob")
        p.code(doc, *at(HP2, "The carers group"), "Dementia support", coder="bob")
    setup = (
        "import qualcode\nfrom qualcode.widgets import Retrieval\n"
        f'p = qualcode.open_project("{store}", user="amina", create=False)'
    )
    cells = [nbformat.v4.new_code_cell(setup), nbformat.v4.new_code_cell('Retrieval(p, "Carers")')]
    kernel = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(
        nbformat.v4.new_notebook(cells=cells, metadata={"kernelspec": kernel}),
        root / "retrieval.ipynb",
    )
    # the text each list shows (ipywidgets writes spaces in options as no-break spaces)
    shown = (
        "els => els.map(e => e.selectedIndex < 0 ? '' : "
        "e.options[e.selectedIndex].text.replace(/\\u00a0/g, ' '))"
    )
    options = "els => Array.from(els[1].options).map(o => o.text)"
    with jupyterlab(root, home) as lab, chromium(home) as browser:
        page = browser.new_page()
        open_and_run(page, lab, "retrieval.ipynb")
        out = page.locator(".jp-OutputArea-output")
        out.get_by_text("2 passages in 1 transcript").wait_for(timeout=60_000)
        assert out.locator("select").evaluate_all(shown) == ["All areas", "All coders"]
        box = out.locator("input[type=text]").first
        box.fill("Carers NOT Dementia support")
        box.press("Enter")
        out.get_by_text("1 passage in 1 transcript").wait_for(timeout=30_000)
        with qualcode.open_project(store, create=False) as p:  # a coder starts meanwhile
            (doc,) = p.documents()
            p.code(doc, *at(HP2, "The bus only comes twice a day."), "Carers", coder="chen")
        out.get_by_role("button", name="Search").click()
        out.get_by_text("2 passages in 1 transcript").wait_for(timeout=30_000)
        assert "chen" in out.locator("select").evaluate_all(options)
        assert out.locator("select").evaluate_all(shown) == ["All areas", "All coders"]
