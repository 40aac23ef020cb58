"""Personal-data detection: recall and precision per kind on two labelled synthetic sets, beside
a regular-expression peer, and the cost of a scan (time per 10,000 words, peak memory).

- "rules' set": tests/data/privacy/*.txt, one sentence a line, the set the rules were written
  from (an upper bound);
- "held-out": tests/data/privacy/heldout/, passages in the styles of real transcripts written
  apart from the rules (passages.txt before them, after_rules.txt after them and never used
  to change them), each scored as `scan` treats a document (rules, then repeats).

Peer: what a quick script would do. Plain regular expressions for the structured kinds (no
check digit, no context, no look-alike filtering), and the capitalised-word approach for the
rest: a capitalised word that does not start a sentence is a person, a place after
in/at/from/to/near, and a house number before capitalised words and a street word an address.

    .venv/bin/python benchmarks/bench_redact.py            # --runs 5
"""

from __future__ import annotations

import re
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from common import median, report, run_child, table

ROOT = Path(__file__).resolve().parents[1]
SET = ROOT / "tests" / "data" / "privacy"
HELD_OUT = SET / "heldout"
MB = 2
RUNS = 3

BASELINE = {
    "postcode": re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}\b"),
    "phone": re.compile(r"(?:\+44\s?|\b0)\d{2,4}[\s-]?\d{3,4}[\s-]?\d{3,4}\b"),
    "email": re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+\w"),
    "nhs_number": re.compile(r"\b\d{3}[\s-]?\d{3}[\s-]?\d{4}\b"),
    "date_of_birth": re.compile(r"\b\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}\b"),
    "address": re.compile(
        r"\b\d{1,4}[A-Za-z]?,? (?:[A-Z][a-z]+ ){1,3}(?:Road|Street|Lane|Avenue|Close|Drive|Way)\b"
    ),
    "place": re.compile(r"\b(?:in|at|to|near|from) ([A-Z][a-z]+(?: [A-Z][a-z]+)*)"),
    # a capitalised word (run) not at the start of a line or sentence, and not "I"
    "person": re.compile(
        r"(?<![.!?:\n] )(?<!^)(?<!\n)(?<![\w'’-])[A-Z][a-z'’]+(?: [A-Z][a-z'’]+)*"
    ),
}


def baseline(text: str) -> list:
    from qualcode.privacy.detect import Finding, resolve_overlaps

    found = [
        Finding(m.start(m.lastindex or 0), m.end(m.lastindex or 0), kind, m.group(m.lastindex or 0))
        for kind, rx in BASELINE.items()
        for m in rx.finditer(text)
    ]
    places = [(f.start, f.end) for f in found if f.kind == "place"]
    found = [
        f
        for f in found
        if f.kind != "person" or not any(s < f.end and f.start < e for s, e in places)
    ]
    return resolve_overlaps(found)


def corpus() -> str:
    texts = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "data" / "raw").rglob("*.txt"))]
    one = "\n".join(texts)
    return (one * (MB * 2**20 // len(one.encode()) + 1))[: MB * 2**20]


def child(which: str) -> None:
    started = time.perf_counter()
    from qualcode.privacy import gazetteer
    from qualcode.privacy.evaluate import as_scanned

    imported = time.perf_counter()
    if which == "qualcode":
        gazetteer.places()  # the first scan in a process pays for it once
    loaded = time.perf_counter()
    text = corpus()
    chunks = [text[i : i + 20_000] for i in range(0, len(text), 20_000)]  # ~ one transcript
    find = as_scanned if which == "qualcode" else baseline
    scanning = time.perf_counter()
    n = sum(len(find(c)) for c in chunks)
    seconds = time.perf_counter() - scanning
    words = len(text.split())
    report(
        {
            "ms_10k": 1000 * seconds * 10_000 / words,
            "import_s": imported - started,
            "load_s": loaded - imported,
            "findings": n,
        }
    )


def accuracy(name: str, examples: list, find_ours: Callable[[str], list] | None) -> None:
    from qualcode.privacy.detect import KINDS
    from qualcode.privacy.evaluate import score

    ours, peer = score(examples, find=find_ours), score(examples, find=baseline)
    rows = [
        (kind, r, p, n, br, bp)
        for (kind, r, p, n), (_, br, bp, _) in zip(ours.table(), peer.table(), strict=True)
        if n or kind == "all"
    ]
    false_people = sum(1 for k, _, _ in ours.false if k == "person")
    table(
        f"{name}: {len(examples)} examples, {sum(len(e.gold) for e in examples)} items "
        f"(rules only, no NER); false persons: {false_people}",
        ["kind", "recall", "precision", "support", "regex recall", "regex precision"],
        rows,
    )
    if any(e.sorts and any(e.sorts) for e in examples):
        peer_sorts = peer.by_sort
        table(
            f"{name}: recall per style of mention",
            ["kind/style", "found", "of", "recall", "regex recall"],
            [
                (s, f, n, f / n, peer_sorts.get(s, [0, n])[0] / n)
                for s, (f, n) in sorted(ours.by_sort.items())
                if s.split("/")[0] in KINDS
            ],
        )
    missed = "; ".join(f"{k} {t!r}" for k, t, _ in ours.misses[:15])
    print(f"missed ({len(ours.misses)}): {missed}")
    print("false: " + "; ".join(f"{k} {t!r}" for k, t, _ in ours.false[:15]))


def main(runs: int) -> None:
    from qualcode.privacy.evaluate import as_scanned, load, load_passages

    accuracy("Rules' own set (one sentence a line)", load(SET), None)
    held_out = load_passages(HELD_OUT)
    for part, title in (
        ("passages.txt", "Held-out passages written before the rules"),
        ("after_rules.txt", "Held-out passages written after the rules, never tuned on"),
    ):
        examples = [e for e in held_out if e.source.startswith(part)]
        accuracy(f"{title} (scored as scan does)", examples, as_scanned)
    speed = []
    for which in ("qualcode", "regex peer"):
        got = [run_child(__file__, which) for _ in range(runs)]
        speed.append(
            (
                which,
                median(got, "ms_10k"),
                median(got, "load_s") if which == "qualcode" else "-",
                median(got, "peak_mb"),
                got[0]["findings"],
            )
        )
    table(
        f"Scan cost on {MB} MB of sample transcripts in 20 kB documents (median of {runs})",
        ["detector", "ms per 10k words", "gazetteer load s", "peak MB", "findings"],
        speed,
    )


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        child(" ".join(sys.argv[2:]))
    else:
        main(int(sys.argv[sys.argv.index("--runs") + 1]) if "--runs" in sys.argv else RUNS)
