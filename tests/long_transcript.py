"""A synthetic (made-up) long interview with many codings, for the long-transcript benchmark
(benchmarks/bench_coder_long.py) and browser test (tests/test_browser_perf15.py):
`build(store, words=90_000, codings=5_000)`. Its last turn, LAST, is uncoded and unique.

Two speakers take turns of 12-60 words; four codes with keys 1-4; the codings are spread
round-robin over three coders ("amina" is the one coding in the benchmark), written one
transaction per code and coder (`code_spans`), so 5,000 codings take seconds, not minutes.
"""

from __future__ import annotations

import random
from pathlib import Path

WORD_LIST = """bus surgery appointment carer nurse waiting phone lonely help money form doctor
neighbour daughter hospital chemist ring morning letter app queue kind tired worried house
cold heating walk stairs group tuesday"""
VOCAB = WORD_LIST.split()
CODES = ("Access to GP", "Transport", "Carers", "Peer support")
CODERS = ("amina", "ben", "chloe")
LAST = "Participant: The last bus home leaves at nine 🚌 so I walk."


def interview(words: int, seed: int = 11) -> str:
    """`words` words of made-up interview, one turn a line."""
    rng = random.Random(seed)
    lines: list[str] = []
    count = 0
    while count < words:
        n = rng.randint(12, 60)
        who = "Interviewer" if len(lines) % 2 == 0 else "Participant"
        sentence = ". ".join(
            " ".join(rng.choice(VOCAB) for _ in range(rng.randint(6, 14))).capitalize()
            for _ in range(max(1, n // 10))
        )
        lines.append(f"{who}: {sentence}.")
        count += len(sentence.split()) + 1
    return "\n".join([*lines, LAST])


def build(store: Path | str, *, words: int, codings: int, seed: int = 11) -> None:
    """A project at `store` with one interview of `words` words carrying `codings` codings."""
    import qualcode
    from qualcode.coding.autocode import code_spans

    rng = random.Random(seed)
    p = qualcode.open_project(store)
    for i, name in enumerate(CODES, 1):
        p.codebook.add(name, shortcut=str(i))
    doc = p.add_document(interview(words, seed), area="bench", title="long interview")
    groups: dict[tuple[int, str], list[tuple[int, int, int]]] = {}
    for i in range(codings):
        start = rng.randrange(0, len(doc.text) - 300 - len(LAST))
        span = (doc.id, start, start + rng.randint(20, 300))
        groups.setdefault((1 + i % len(CODES), CODERS[i % len(CODERS)]), []).append(span)
    for (code, coder), spans in groups.items():
        code_spans(p, spans, CODES[code - 1], coder=coder, search="synthetic benchmark")
    p.close()
