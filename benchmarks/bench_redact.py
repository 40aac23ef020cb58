"""Personal-data detection: recall and precision per kind on the labelled synthetic set
(tests/data/privacy/), and scan speed (MB/s, peak memory) on the sample transcripts repeated.

Peer: a plain regex-only baseline for the same structured kinds (no check digit, no context,
no look-alike filtering), the kind of thing a quick script would do.

    .venv/bin/python benchmarks/bench_redact.py
"""

from __future__ import annotations

import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from common import median, report, run_child, table

ROOT = Path(__file__).resolve().parents[1]
SET = ROOT / "tests" / "data" / "privacy"
MB = 4
RUNS = 3

BASELINE = {
    "postcode": re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}\b"),
    "phone": re.compile(r"(?:\+44\s?|\b0)\d{2,4}[\s-]?\d{3,4}[\s-]?\d{3,4}\b"),
    "email": re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+\w"),
    "nhs_number": re.compile(r"\b\d{3}[\s-]?\d{3}[\s-]?\d{4}\b"),
    "date_of_birth": re.compile(r"\b\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}\b"),
}


def baseline(text: str) -> list:
    from qualcode.privacy.detect import Finding, resolve_overlaps

    found = [
        Finding(m.start(), m.end(), kind, m.group())
        for kind, rx in BASELINE.items()
        for m in rx.finditer(text)
    ]
    return resolve_overlaps(found)


def corpus() -> str:
    texts = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "data" / "raw").rglob("*.txt"))]
    one = "\n".join(texts)
    return (one * (MB * 2**20 // len(one.encode()) + 1))[: MB * 2**20]


def child(which: str) -> None:
    from qualcode.privacy.detect import detect

    text = corpus()
    chunks = [text[i : i + 20_000] for i in range(0, len(text), 20_000)]  # ~ one transcript
    find = (lambda t: detect(t, nlp=None)) if which == "qualcode" else baseline
    started = time.perf_counter()
    n = sum(len(find(c)) for c in chunks)
    seconds = time.perf_counter() - started
    report({"seconds": seconds, "mb_s": len(text.encode()) / 2**20 / seconds, "findings": n})


def main() -> None:
    from qualcode.privacy.detect import KINDS, STRUCTURED
    from qualcode.privacy.evaluate import load, score

    examples = load(SET)
    ours, peer = score(examples), score(examples, find=baseline)
    rows = []
    for (kind, r, p, n), (_, br, bp, _) in zip(ours.table(), peer.table(), strict=True):
        peer_cells = (br, bp) if kind in (*STRUCTURED, "structured") else ("-", "-")
        rows.append((kind, r, p, n, *peer_cells))
    table(
        f"Detection on {len(examples)} labelled synthetic sentences (rules only, no NER)",
        ["kind", "recall", "precision", "support", "regex recall", "regex precision"],
        rows,
    )
    speed = []
    for which in ("qualcode", "regex baseline"):
        runs = [run_child(__file__, which) for _ in range(RUNS)]
        speed.append(
            (which, MB, median(runs, "mb_s"), median(runs, "peak_mb"), runs[0]["findings"])
        )
    table(
        f"Scan speed on {MB} MB of sample transcripts in 20 kB documents (median of {RUNS})",
        ["detector", "MB", "MB/s", "peak MB", "findings"],
        speed,
    )
    missed = [m for m in ours.misses if m[0] in KINDS]
    print(f"\nmissed ({len(missed)}): " + "; ".join(f"{k} {t!r}" for k, t, _ in missed[:12]))


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        child(" ".join(sys.argv[2:]))
    else:
        main()
