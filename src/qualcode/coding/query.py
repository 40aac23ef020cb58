"""Queries that combine codes: a small language, its parser, and the interval algebra behind it.

    Peer support
    "Access to GP" AND Transport
    Carers AND NOT "Direct payments"
    Carers NOT Dementia support
    (Transport OR "Access to GP") NEAR Loneliness and isolation

A code is named by its name or path; words run together into one name until an operator,
so lowercase "and" inside a name is part of the name. Operators are the uppercase words AND,
OR, NOT, NEAR, binding in that order: NOT first, then NEAR, then AND, then OR; `A NOT B` is
short for `A AND NOT B`. Quote a name that contains an operator word or brackets (typographic
quotes, as a word processor writes them, count as plain ones). Only the
standard library is used here, so `import qualcode` stays quick; the data are plain lists of
`(start, end, codings)` passages.

A result is a list of passages per document: stretches of text, none overlapping another,
each with the codings behind it. A code's passages are its codings with overlapping ones
(two coders on one sentence) joined, so a query gives the same passages however it is
written: `A`, `A OR A` and `A AND A` alike.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from qualcode.errors import QualcodeError

OPERATORS = ("AND", "OR", "NOT", "NEAR")
# Typographic quotes (from a word processor, a handout or a phone keyboard) read as plain ones;
# each is one character, so positions in an error still point into the query as typed.
_QUOTES = str.maketrans(dict.fromkeys("\u201c\u201d\u201e\u201f\u2033", '"'))
_TOKEN = re.compile(r'\s+|(?P<open>\()|(?P<close>\))|(?P<quote>"[^"]*"?)|(?P<word>[^\s()"]+)')


class QueryError(QualcodeError):
    """A query cannot be read; the message says where (1-based character) and what to do."""

    def __init__(self, query: str, position: int, reason: str) -> None:
        self.query = query
        self.position = position  # 0-based offset into `query`
        self.reason = reason
        where = f" at character {position + 1}" if query.strip() else ""
        super().__init__(f"query {query!r}{where}: {reason}")

    def pointer(self) -> str:
        """The query with a caret under the problem, for a monospaced display."""
        return f"{self.query}\n{' ' * self.position}^ {self.reason}"


# the expression tree ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CodeRef:
    """A code named in the query (name or path), and where it was written."""

    name: str
    pos: int = 0

    def __str__(self) -> str:
        simple = re.fullmatch(r"[^\s()\"]+(?: [^\s()\"]+)*", self.name)
        clash = any(word in OPERATORS for word in self.name.split())
        return self.name if simple and not clash else f'"{self.name}"'


@dataclass(frozen=True, slots=True)
class Not:
    """Passages of the other side of an AND that do not touch `operand`."""

    operand: Node
    pos: int = 0

    def __str__(self) -> str:
        return f"NOT {_wrap(self.operand)}"


@dataclass(frozen=True, slots=True)
class And:
    """The stretches where both sides overlap (or, with NOT, the left minus the right)."""

    left: Node
    right: Node
    pos: int = 0

    def __str__(self) -> str:
        return f"{_wrap(self.left)} AND {_wrap(self.right)}"


@dataclass(frozen=True, slots=True)
class Or:
    """Passages of either side, overlapping ones merged."""

    left: Node
    right: Node
    pos: int = 0

    def __str__(self) -> str:
        return f"{_wrap(self.left)} OR {_wrap(self.right)}"


@dataclass(frozen=True, slots=True)
class Near:
    """Units (turns, sentences or paragraphs) that hold a passage of each side."""

    left: Node
    right: Node
    pos: int = 0

    def __str__(self) -> str:
        return f"{_wrap(self.left)} NEAR {_wrap(self.right)}"


Node = CodeRef | Not | And | Or | Near


def _wrap(node: Node) -> str:
    return str(node) if isinstance(node, CodeRef | Not) else f"({node})"


def code_refs(node: Node) -> list[CodeRef]:
    """Every code named in the tree, left to right."""
    if isinstance(node, CodeRef):
        return [node]
    if isinstance(node, Not):
        return code_refs(node.operand)
    return code_refs(node.left) + code_refs(node.right)


def uses_near(node: Node) -> bool:
    """Whether the query needs units (so they are loaded only when asked for)."""
    if isinstance(node, CodeRef):
        return False
    if isinstance(node, Not):
        return uses_near(node.operand)
    return isinstance(node, Near) or uses_near(node.left) or uses_near(node.right)


# the parser ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str  # "name" | "op" | "(" | ")"
    value: str
    pos: int


def _tokens(query: str) -> list[_Token]:
    """Names (adjacent words joined by one space), operators and brackets."""
    out: list[_Token] = []
    for m in _TOKEN.finditer(query.translate(_QUOTES)):
        if m.group("open"):
            out.append(_Token("(", "(", m.start()))
        elif m.group("close"):
            out.append(_Token(")", ")", m.start()))
        elif m.group("quote"):
            raw = m.group("quote")
            if len(raw) < 2 or not raw.endswith('"'):
                raise QueryError(
                    query, m.start(), 'this quote " is never closed; add a " after the name'
                )
            name = " ".join(raw[1:-1].split())
            if not name:
                raise QueryError(query, m.start(), "there is no code name between these quotes")
            out.append(_Token("quoted", name, m.start()))
        elif m.group("word"):
            word = m.group("word")
            if word in OPERATORS:
                out.append(_Token("op", word, m.start()))
            elif out and out[-1].kind == "name":
                prev = out[-1]
                out[-1] = _Token("name", f"{prev.value} {word}", prev.pos)
            else:
                out.append(_Token("name", word, m.start()))
    return out


class _Parser:
    """Recursive descent: or := and (OR and)*; and := near ((AND | &NOT) near)*;
    near := not (NEAR not)*; not := NOT not | code | ( or ). (&NOT: a NOT after an operand
    reads as AND NOT.)"""

    def __init__(self, query: str) -> None:
        self.query = query
        self.tokens = _tokens(query)
        self.i = 0

    def error(self, pos: int, reason: str) -> QueryError:
        return QueryError(self.query, pos, reason)

    def peek(self) -> _Token | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def parse(self) -> Node:
        if not self.tokens:
            raise self.error(0, "the query is empty; type a code name, such as Peer support")
        node = self.or_()
        token = self.peek()
        if token is not None:
            if token.kind == ")":
                raise self.error(token.pos, 'this ")" has no matching "("; remove it')
            raise self.error(
                token.pos,
                "expected AND, OR, NOT or NEAR before this; "
                'if a code name has brackets or quotes in it, put the name in "double quotes"',
            )
        return node

    def binary(self, op: str, cls: type, operand: Callable[[], Node]) -> Node:
        node = operand()
        while (token := self.peek()) is not None and token.kind == "op" and token.value == op:
            self.i += 1
            node = cls(node, operand(), token.pos)
        return node

    def or_(self) -> Node:
        return self.binary("OR", Or, self.and_)

    def and_(self) -> Node:
        node = self.near()
        while (token := self.peek()) is not None and token.kind == "op":
            if token.value == "AND":
                self.i += 1
            elif token.value != "NOT":  # a NOT here follows an operand: "A NOT B"
                break
            node = And(node, self.near(), token.pos)
        return node

    def near(self) -> Node:
        return self.binary("NEAR", Near, self.not_)

    def not_(self) -> Node:
        token = self.peek()
        if token is None:
            last = self.tokens[-1]
            if last.kind == "(":
                raise self.error(last.pos, 'this "(" is never closed; add a code and a ")"')
            raise self.error(last.pos, f"{last.value} needs a code after it")
        if token.kind == "op" and token.value == "NOT":
            self.i += 1
            return Not(self.not_(), token.pos)
        if token.kind == "op":
            if self.i == 0 or self.tokens[self.i - 1].kind == "(":
                raise self.error(token.pos, f"{token.value} needs a code before it")
            prev = self.tokens[self.i - 1]
            raise self.error(token.pos, f"{prev.value} needs a code after it, not {token.value}")
        if token.kind == ")":
            if self.i > 0 and self.tokens[self.i - 1].kind == "(":
                raise self.error(self.tokens[self.i - 1].pos, "these brackets are empty")
            if self.i > 0 and self.tokens[self.i - 1].kind == "op":
                prev = self.tokens[self.i - 1]
                raise self.error(prev.pos, f"{prev.value} needs a code after it")
            raise self.error(token.pos, 'this ")" has no matching "("; remove it')
        self.i += 1
        if token.kind == "(":
            node = self.or_()
            close = self.peek()
            if close is None:
                raise self.error(token.pos, 'this "(" is never closed; add a ")"')
            if close.kind != ")":
                raise self.error(close.pos, "expected AND, OR, NOT, NEAR or ) before this")
            self.i += 1
            return node
        return CodeRef(token.value, token.pos)


def parse(query: str) -> Node:
    """The expression tree of a query, or a QueryError that says where it goes wrong."""
    if not isinstance(query, str):
        raise TypeError(f"a query is a text, not {type(query).__name__}")
    node = _Parser(query).parse()
    _check_not(query, node, allowed=False)
    return node


def _check_not(query: str, node: Node, *, allowed: bool) -> None:
    """NOT subtracts, so it must stand on one side of an AND whose other side is positive."""
    if isinstance(node, CodeRef):
        return
    if isinstance(node, Not):
        if not allowed:
            raise QueryError(
                query,
                node.pos,
                "NOT needs something to subtract from; put a code and AND before it, "
                f"as in Carers AND NOT {_wrap(node.operand)}",
            )
        if isinstance(node.operand, Not):
            raise QueryError(query, node.pos, "NOT NOT cancels out; remove both")
        _check_not(query, node.operand, allowed=False)
        return
    if isinstance(node, And):
        left_not, right_not = isinstance(node.left, Not), isinstance(node.right, Not)
        if left_not and right_not:
            raise QueryError(
                query, node.left.pos, "both sides of this AND are NOT; one side must be a code"
            )
        _check_not(query, node.left, allowed=True)
        _check_not(query, node.right, allowed=True)
        return
    _check_not(query, node.left, allowed=False)
    _check_not(query, node.right, allowed=False)


# evaluation: passages are (start, end, ids of the codings behind them) per document ----------

Passage = tuple[int, int, tuple[int, ...]]
Passages = dict[int, list[Passage]]


def evaluate(
    node: Node,
    leaf: Callable[[CodeRef], Passages],
    units: Callable[[int], Sequence[tuple[int, int]]],
    spans: Callable[[int], tuple[int, int]],
) -> Passages:
    """Passages per document for the query tree.

    `leaf` gives a code's codings as passages, `units(document_id)` the sorted unit spans used
    by NEAR, and `spans(coding_id)` a coding's (start, end), so the codings credited to a
    result are only those that touch it.
    """
    if isinstance(node, CodeRef):
        return leaf(node)
    if isinstance(node, Or):
        a, b = evaluate(node.left, leaf, units, spans), evaluate(node.right, leaf, units, spans)
        return {doc: merge(a.get(doc, []) + b.get(doc, [])) for doc in a.keys() | b.keys()}
    if isinstance(node, And):
        if isinstance(node.right, Not) or isinstance(node.left, Not):
            keep, drop = (
                (node.left, node.right) if isinstance(node.right, Not) else (node.right, node.left)
            )
            assert isinstance(drop, Not)
            a = evaluate(keep, leaf, units, spans)
            b = evaluate(drop.operand, leaf, units, spans)
            return {doc: kept for doc, ps in a.items() if (kept := subtract(ps, b.get(doc, [])))}
        a, b = evaluate(node.left, leaf, units, spans), evaluate(node.right, leaf, units, spans)
        out = {doc: intersect(a[doc], b[doc], spans) for doc in a.keys() & b.keys()}
        return {doc: ps for doc, ps in out.items() if ps}
    if isinstance(node, Near):
        a, b = evaluate(node.left, leaf, units, spans), evaluate(node.right, leaf, units, spans)
        out = {doc: near(a[doc], b[doc], units(doc), spans) for doc in a.keys() & b.keys()}
        return {doc: ps for doc, ps in out.items() if ps}
    raise TypeError(f"cannot evaluate a bare {type(node).__name__}; see parse()")


def merge(passages: Sequence[Passage]) -> list[Passage]:
    """Overlapping passages joined into one; the codings behind them are pooled."""
    out: list[Passage] = []
    for start, end, ids in sorted(passages):
        if out and start < out[-1][1]:
            s, e, prev = out[-1]
            out[-1] = (s, max(e, end), _union(prev, ids))
        else:
            out.append((start, end, ids))
    return out


def intersect(
    a: Sequence[Passage], b: Sequence[Passage], spans: Callable[[int], tuple[int, int]]
) -> list[Passage]:
    """The stretches covered by both sets (each merged first)."""
    a, b = merge(a), merge(b)
    out: list[Passage] = []
    i = j = 0
    while i < len(a) and j < len(b):
        lo, hi = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
        if lo < hi:
            out.append((lo, hi, _touching(_union(a[i][2], b[j][2]), lo, hi, spans)))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return out


def subtract(a: Sequence[Passage], b: Sequence[Passage]) -> list[Passage]:
    """The passages of `a` that share no character with any passage of `b`."""
    if not b:
        return sorted(a)
    b = merge(b)
    starts, ends = [p[0] for p in b], [p[1] for p in b]
    out = []
    for passage in sorted(a):
        k = bisect.bisect_right(ends, passage[0])  # the first of b ending after this starts
        if k == len(b) or starts[k] >= passage[1]:
            out.append(passage)
    return out


def near(
    a: Sequence[Passage],
    b: Sequence[Passage],
    units: Sequence[tuple[int, int]],
    spans: Callable[[int], tuple[int, int]],
) -> list[Passage]:
    """The units (sorted, disjoint) that share a character with a passage of `a` and of `b`."""
    ends = [unit[1] for unit in units]

    def touched(passages: Sequence[Passage]) -> dict[int, tuple[int, ...]]:
        """Unit index -> the codings behind the passages that touch it."""
        found: dict[int, tuple[int, ...]] = {}
        for start, end, ids in merge(passages):
            k = bisect.bisect_right(ends, start)  # the first unit ending after this starts
            while k < len(units) and units[k][0] < end:
                found[k] = _union(found.get(k, ()), ids)
                k += 1
        return found

    in_a, in_b = touched(a), touched(b)
    out = []
    for k in sorted(in_a.keys() & in_b.keys()):
        start, end = units[k]
        out.append((start, end, _touching(_union(in_a[k], in_b[k]), start, end, spans)))
    return merge(out)


def _union(a: tuple[int, ...], b: tuple[int, ...]) -> tuple[int, ...]:
    return a if not b else b if not a else tuple(sorted({*a, *b}))


def _touching(
    ids: tuple[int, ...], start: int, end: int, spans: Callable[[int], tuple[int, int]]
) -> tuple[int, ...]:
    return tuple(i for i in ids if (s := spans(i))[0] < end and s[1] > start)
