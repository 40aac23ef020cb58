# ruff: noqa: E501  (the keyword rules read best one to a line)
"""Write data/raw/sample-coding.tsv: two coders' codings of the SYNTHETIC sample transcripts.

Run once (`.venv/bin/python data/raw/sample-coding.py`) after changing the transcripts or the
rules; the TSV is what `make demo` loads. Each coding is one participant sentence whose words
name the code's subject (the keyword rules below follow the codebook's inclusion criteria).
"amina" codes every match, at most two sentences per code and transcript; "bob" skips about one
in six, and now and then highlights the whole speaker turn instead, so the two coders agree
often but not always, as two people do. The same transcripts give the same file.
"""

from __future__ import annotations

import hashlib
import re
import sys
import tempfile
from pathlib import Path

RAW = Path(__file__).resolve().parent
sys.path.insert(0, str(RAW.parents[1] / "src"))

import qualcode  # noqa: E402
from qualcode.interop.codebook_files import import_codebook  # noqa: E402

RULES = {
    "Access to GP": r"\bGPs?\b|\bsurgery\b|receptionist|doctor'?s appointment|ring(?:ing)? at eight|\bat 8\b",
    "Single point of access": r"another number|other number|passed (?:from|between|around)|triage|answerphone|front door",
    "Navigation and signposting": r"nobody (?:tells?|told)|didn't know (?:where|about|there was)|leaflet|signpost|social prescriber|found out (?:from|about)",
    "Waiting times": r"waiting list|waited\b|\bwait(?:ing)? (?:for|months|weeks|years)|\d+ (?:months|weeks) for|referral",
    "Peer support": r"support group|the group\b|carers'? caf|people who (?:get|understand|know)|(?:other|another) (?:mums|carers|parents|people) (?:who|like)",
    "Carers": r"\bcarers?\b|\bcaring\b|look(?:ing|s)? after (?:her|him|my|mum|dad|them)|respite",
    "Direct payments": r"direct payments?|personal budget|\bPAs?\b|personal assistant|payroll",
    "Dementia support": r"dementia|alzheimer|memory clinic",
    "Mental health": r"anxiety|anxious|depress|mental health|counsell|CAMHS|panic|crisis team|talking therap",
    "Living with long-term conditions": r"\bCOPD\b|diabet|parkinson|arthritis|inhaler|\bMS\b|breathless|insulin|flare",
    "Loneliness and isolation": r"lonely|loneliness|isolat|on my own|nobody to talk|don't see anyone|stuck in",
    "Transport": r"\bbus(?:es)?\b|\btaxis?\b|\blifts?\b to|transport|parking|no car\b|can't drive",
    "Digital exclusion": r"\bonline\b|\bapp\b|internet|e-?mail|computer|smartphone|website|no signal|wifi",
    "Housing": r"housing|landlord|\bdamp\b|bungalow|temporary accommodation|council house|\bmould\b|the site\b",
    "Money and cost of living": r"\bmoney\b|afford|\bbills?\b|£\d|cost of|benefits|\bskint\b|pay for",
    "Trust in services": r"\btrust\b|let down|fobbed off|don't believe (?:them|a word)|given up on",
    "Workforce and continuity": r"different (?:one|person|nurse|doctor|carer|face)s? every|agency (?:staff|carers?|nurses?)|locum|same (?:doctor|nurse|person|face)|short[- ]staffed",
    "Being listened to": r"\blisten(?:ed|s|ing)?\b|nobody asks|nobody asked|ignored|talked over|dismiss|tick box",
    "Culture and discrimination": r"\btravell?ers?\b|gypsy|romany|\bpolish\b|portuguese|interpreter|racis|discriminat|\bBSL\b|\bdeaf\b",
}
PER_DOCUMENT = 2


def _hash(*parts: object) -> int:
    return int(hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()[:8], 16)


def main() -> None:
    rules = {code: re.compile(pattern, re.IGNORECASE) for code, pattern in RULES.items()}
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        p = qualcode.open_project(Path(tmp) / "sample.qualcode")
        import_codebook(p, RAW / "codebook.yaml")
        areas = sorted(d.name for d in RAW.iterdir() if d.is_dir())
        for area in areas:
            p.ingest(RAW / area, area=area, progress=False)
        for area in areas:
            sentences = p.units_df("sentence", area=area)
            turns = p.units_df("turn", area=area)
            sentences = sentences[sentences["role"].fillna("participant") == "participant"]
            for title, doc_sentences in sentences.groupby("title", sort=True):
                doc_turns = turns[turns["title"] == title]
                for code, rule in rules.items():
                    hits = [s for s in doc_sentences.itertuples() if rule.search(s.text)]
                    for s in hits[:PER_DOCUMENT]:
                        text = s.text
                        rows.append((area, title, s.start, s.end, code, "amina", text))
                        roll = _hash(area, title, s.start, code) % 12
                        if roll < 2:  # bob left it out
                            continue
                        start, end = s.start, s.end
                        if roll == 2:  # bob took the whole turn
                            turn = doc_turns[
                                (doc_turns["start"] <= s.start) & (doc_turns["end"] >= s.end)
                            ]
                            if len(turn) and turn.iloc[0]["end"] - turn.iloc[0]["start"] < 600:
                                start, end = int(turn.iloc[0]["start"]), int(turn.iloc[0]["end"])
                                text = turn.iloc[0]["text"]
                        rows.append((area, title, start, end, code, "bob", text))
        p.close()
    out = RAW / "sample-coding.tsv"
    with out.open("w", encoding="utf-8", newline="") as fh:
        fh.write("# SYNTHETIC sample coding of the SYNTHETIC sample transcripts; ")
        fh.write("written by data/raw/sample-coding.py\n")
        fh.write("area\ttitle\tstart\tend\tcode\tcoder\ttext\n")
        for area, title, start, end, code, coder, text in rows:
            clean = "" if "\t" in text or "\n" in text else text  # the offsets suffice
            fh.write(f"{area}\t{title}\t{start}\t{end}\t{code}\t{coder}\t{clean}\n")
    print(f"wrote {out}: {len(rows)} codings")


if __name__ == "__main__":
    main()
