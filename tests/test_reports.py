"""The reports a commissioner opens (area report, themes, agreement), rendered once by the
pipeline for a sample area and read as text for the faults of issue 17: Python lists,
snake_case headings, internal ids, shares without a base, notebook instructions, logins in
sentences, fragments and repeated quotes, the interviewer's words, and a third coder who
coded two transcripts dragging the overall agreement down. SYNTHETIC data."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup

import qualcode
from qualcode import pipeline
from qualcode.analysis.coding_table import import_codings
from qualcode.coding.agreement import ALL_CODES, agreement_table
from qualcode.interop.codebook_files import import_codebook
from tests.conftest import ROOT

AREA = "great-yarmouth"
RAW = ROOT / "data" / "raw"
THIRD = "carol"  # codes two transcripts only
REPORTS = ("05_area_report", "03_themes", "04_agreement")


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> dict:  # type: ignore[type-arg]
    """The sample area's three reports, rendered once: {name: (text, html)}, and the store."""
    folder = tmp_path_factory.mktemp("reports")
    store = folder / "sample.qualcode"
    p = qualcode.open_project(store, user="tester")
    import_codebook(p, RAW / "codebook.yaml")
    assert p.ingest(RAW / AREA, area=AREA, progress=False).ok
    rows = (RAW / "sample-coding.tsv").read_text(encoding="utf-8").splitlines()
    mine = [r for r in rows if not r.startswith(("great-", "hartlepool", "worcester"))]
    mine += [r for r in rows if r.startswith(AREA)]
    (folder / "coding.tsv").write_text("\n".join(mine) + "\n", encoding="utf-8")
    import_codings(p, folder / "coding.tsv")
    docs = sorted(p.documents(area=AREA), key=lambda d: d.title)[:2]
    for doc in docs:  # carol codes two transcripts as amina did
        for c in p.codings(doc):
            if c.coder == "amina":
                p.code(doc, c.start, c.end, c.code, coder=THIRD)
    p.close()
    config = folder / "areas.yaml"
    config.write_text(
        yaml.safe_dump(
            {
                "defaults": {
                    "notebooks_dir": str(ROOT / "notebooks"),
                    "notebooks": [f"{name}.ipynb" for name in REPORTS],
                    "parameters": {"seed": 7, "embedder": "tfidf", "coder": "dawn"},
                },
                "areas": {AREA: {"targets": {"population_group": {"Carers": 2}}}},
            }
        )
    )
    (result,) = pipeline.run(str(store), config=config, reports=folder / "out", areas=[AREA])
    assert result.status == "ok", result.message
    out = {}
    for name in REPORTS:
        html = (Path(result.run_dir) / f"{name}.html").read_text(encoding="utf-8")
        soup = BeautifulSoup(html, "html.parser")
        for tag in soup(["script", "style"]):
            tag.decompose()
        out[name] = (soup.get_text(" "), html)
    out["store"] = store
    return out


def text(rendered, name: str) -> str:  # type: ignore[no-untyped-def]
    return re.sub(r"\s+", " ", rendered[name][0])


@pytest.mark.parametrize("name", REPORTS)
def test_no_lists_ids_snake_case_headings_or_instructions(rendered, name: str) -> None:
    shown = text(rendered, name)
    assert "[]" not in shown and "['" not in shown and "[doc " not in shown
    assert not re.search(r"\b(True|False|NaN|None)\b", shown)
    soup = BeautifulSoup(rendered[name][1], "html.parser")
    headings = [th.get_text(" ", strip=True) for th in soup.find_all("th")]
    assert bool(headings) == (name != "03_themes")  # the themes are sections, not a table
    assert not [h for h in headings if re.search(r"[a-z]+_[a-z]+", h)]
    for phrase in ("themes.accept", "tick the codes", "and save", "`model`", "model set",
                   "cosine", "new_code", "Traceback"):  # fmt: skip
        assert phrase not in shown, (name, phrase)
    assert not re.search(r"\d\.\d{3,}", shown), name  # rounded numbers


@pytest.mark.parametrize("name", ["05_area_report", "03_themes"])
def test_every_percentage_has_its_base(rendered, name: str) -> None:
    shown = text(rendered, name)
    shares = list(re.finditer(r"\d+%", shown))
    assert shares
    for share in shares:
        assert re.search(r"\d+ of [\d,]+[^%]{0,12}\($", shown[: share.start()]), shown[
            share.start() - 40 : share.end()
        ]


def test_area_report_names_no_logins_and_counts_people_once(rendered) -> None:
    shown = text(rendered, "05_area_report")
    for login in ("amina", "bob", THIRD, "dawn"):
        assert login not in shown.lower()
    assert "the coding of 3 coders" in shown
    heard = re.search(r"We heard from (\d+) people", shown)
    assert heard and f"a row for each of the {heard.group(1)} people we heard from" in shown
    assert "together (turn)" not in shown
    html = rendered["05_area_report"][1]
    assert '"displayModeBar": false' in html and '"displayModeBar": true' not in html
    assert '"dtick"' in html  # whole-number ticks on counts of people


def test_small_groups_are_counts_and_groups_show_their_size(rendered) -> None:
    shown = text(rendered, "05_area_report")
    assert re.search(r"Carers \(\d+ (people|person)\)", shown)
    assert "Groups of fewer than 5 people are shown as counts" in shown


def test_quotes_are_whole_unique_sentences_of_participants(rendered) -> None:
    soup = BeautifulSoup(rendered["05_area_report"][1], "html.parser")
    quotes = [
        re.sub(r"\s+", " ", q.get_text(" ")).split("”")[0].strip("“ ")
        for q in soup.find_all("blockquote")
    ]
    assert len(quotes) >= 4 and len(quotes) == len(set(quotes))
    p = qualcode.open_project(rendered["store"], create=False)
    turns = p.units_df("turn", area=AREA)
    p.close()
    said = [" ".join(t.split()) for t in turns[turns["role"] != "interviewer"]["text"]]
    asked = [" ".join(t.split()) for t in turns[turns["role"] == "interviewer"]["text"]]
    for quote in quotes:
        assert quote[0].isupper() or quote[0].isdigit() or quote[0] in "'\"(", quote
        assert quote[-1] in ".!?…\"')", quote
        assert len(quote.split()) >= 8, quote
        assert any(quote in t for t in said) and not any(quote in t for t in asked), quote
    assert "Where the quotes come from" in text(rendered, "05_area_report")


def test_themes_report_names_themes_by_keywords_and_quotes_not_names(rendered) -> None:
    shown = text(rendered, "03_themes")
    headings = re.findall(r"\d+\. ([^¶]+?) ¶", shown)
    assert headings, shown[:500]
    p = qualcode.open_project(rendered["store"], create=False)
    docs = p.documents_df(area=AREA)
    p.close()
    interviewers = {n.lower() for n in docs["interviewer"].dropna()}
    for heading in headings:
        words = set(re.findall(r"[a-z]+", heading.lower()))
        assert not words & interviewers, heading
        assert not re.search(r"\b(\w+) \1\b", heading.lower()), heading  # "walk walk"
    assert re.search(r"\d+ of \d+ turns \(\d+%\)", shown)


def test_agreement_compares_shared_transcripts_and_says_who_was_left_out(rendered) -> None:
    shown = text(rendered, "04_agreement")
    assert "compares the coding of amina and bob on the 9 transcripts" in shown
    assert f"Left out of the overall figures: {THIRD}, who coded 2 of the 9" in shown
    assert "coded 2 of the 9 transcripts" in shown
    assert "κ" in shown and "α" in shown and "chance" in shown
    p = qualcode.open_project(rendered["store"], create=False)
    shared = sorted({d.id for d in p.documents(area=AREA)})
    both = agreement_table(
        p, coders=["amina", "bob"], unit="sentence", documents=shared, bootstrap=0
    )
    p.close()
    alpha = both.set_index("code").loc[ALL_CODES, "krippendorff_alpha"]
    assert re.search(rf"All themes together [\d.]+% {alpha:.2f} {alpha:.2f}", shown)
    soup = BeautifulSoup(rendered["04_agreement"][1], "html.parser")
    pairs = [
        [td.get_text(strip=True) for td in tr.find_all("td")]
        for table in soup.find_all("table")
        if "Transcripts both coded" in table.get_text()
        for tr in table.find_all("tr")[1:]
    ]
    assert {row[0] for row in pairs} == {"amina and bob", f"amina and {THIRD}", f"bob and {THIRD}"}
    assert all(re.fullmatch(r"-?\d\.\d\d", row[3]) for row in pairs)  # a κ for every pair
