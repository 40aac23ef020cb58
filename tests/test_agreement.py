"""Inter-coder agreement: published worked examples, cross-checks, a hand-built project, errors.

Where a value below is "by hand", the arithmetic is written out in the comment next to it.
"""

from __future__ import annotations

import math
from fractions import Fraction

import krippendorff
import numpy as np
import pytest
from sklearn.metrics import cohen_kappa_score

from qualcode.coding import bootstrap, statistics
from qualcode.coding.agreement import (
    ALL_CODES,
    PEOPLE,
    agreement_in_words,
    agreement_table,
    model_agreement,
    span_agreement,
)
from qualcode.coding.bootstrap import bootstrap_alpha
from qualcode.coding.statistics import (
    LEVELS,
    AgreementError,
    cohen_kappa,
    fleiss_kappa,
    krippendorff_alpha,
    percent_agreement,
)
from qualcode.coding.unitizing import overlap_agreement, unitizing_alpha
from qualcode.errors import QualcodeError

# Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", section C: 4 observers x
# 12 units with missing values. The paper gives alpha = .743 (nominal), .815 (ordinal),
# .849 (interval) and .797 (ratio) for these data.
K2011 = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
    [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None],
]

# Fleiss (1971), table 1: 30 patients, 6 psychiatrists each, 5 diagnoses (the `diagnoses` data
# of R's irr package); Fleiss reports kappa = .430 (irr: 0.4302445).
DIAGNOSES = np.array(
    [
        [4, 4, 4, 4, 4, 4], [2, 2, 2, 5, 5, 5], [2, 3, 3, 3, 3, 5], [5, 5, 5, 5, 5, 5],
        [2, 2, 2, 4, 4, 4], [1, 1, 3, 3, 3, 3], [3, 3, 3, 3, 5, 5], [1, 1, 3, 3, 3, 4],
        [1, 1, 4, 4, 4, 4], [5, 5, 5, 5, 5, 5], [1, 4, 4, 4, 4, 4], [1, 2, 4, 4, 4, 4],
        [2, 2, 2, 3, 3, 3], [1, 4, 4, 4, 4, 4], [2, 2, 4, 4, 4, 5], [3, 3, 3, 3, 3, 5],
        [1, 1, 1, 4, 5, 5], [1, 1, 1, 1, 1, 2], [2, 2, 4, 4, 4, 4], [1, 3, 3, 5, 5, 5],
        [5, 5, 5, 5, 5, 5], [2, 4, 4, 4, 4, 4], [2, 2, 4, 5, 5, 5], [1, 1, 4, 4, 4, 4],
        [1, 4, 4, 4, 4, 5], [2, 2, 2, 2, 2, 4], [1, 1, 1, 1, 5, 5], [2, 2, 4, 4, 4, 4],
        [1, 3, 3, 3, 3, 3], [5, 5, 5, 5, 5, 5],
    ]
)  # fmt: skip


def _table(rows: list[list[int]]) -> tuple[list[str], list[str]]:
    """Two label lists from a 2 x 2 contingency table [[yes-yes, yes-no], [no-yes, no-no]]."""
    (yy, yn), (ny, nn) = rows
    a = ["yes"] * (yy + yn) + ["no"] * (ny + nn)
    b = ["yes"] * yy + ["no"] * yn + ["yes"] * ny + ["no"] * nn
    return a, b


# -- Krippendorff's alpha -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("level", "expected"),
    [("nominal", 0.743), ("ordinal", 0.815), ("interval", 0.849), ("ratio", 0.797)],
)
def test_alpha_matches_krippendorff_2011_worked_example(level: str, expected: float) -> None:
    assert krippendorff_alpha(K2011, level) == pytest.approx(expected, abs=5e-4)


def test_alpha_nominal_worked_example_exactly() -> None:
    # n = 40 pairable values (unit 12 has one value and drops out); the exact value is
    # 1 - 39/152 = 113/152 = 0.74342..., which the paper rounds to .743
    assert krippendorff_alpha(K2011) == pytest.approx(113 / 152, abs=1e-12)


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_alpha_agrees_with_the_krippendorff_package(level: str, seed: int) -> None:
    rng = np.random.default_rng(seed)
    data = rng.integers(1, 7, size=(5, 300)).astype(float)
    data[rng.random(data.shape) < 0.25] = np.nan
    ours = krippendorff_alpha(data, level)
    theirs = krippendorff.alpha(reliability_data=data, level_of_measurement=level)
    assert ours == pytest.approx(theirs, abs=1e-10)


@pytest.mark.parametrize("level", LEVELS)
def test_alpha_agrees_with_the_package_on_non_integer_values_and_sparse_counts(
    level: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    rng = np.random.default_rng(7)
    data = np.abs(np.round(rng.normal(3, 1, size=(3, 150)), 1))
    data[rng.random(data.shape) < 0.2] = np.nan
    theirs = krippendorff.alpha(reliability_data=data, level_of_measurement=level)
    assert krippendorff_alpha(data, level) == pytest.approx(theirs, abs=1e-10)
    monkeypatch.setattr(statistics, "_MAX_DENSE_CELLS", 10)  # the scipy.sparse path
    assert krippendorff_alpha(data, level) == pytest.approx(theirs, abs=1e-10)


def test_alpha_takes_labels_and_ordered_labels() -> None:
    labels = [["a", "b", None, "a"], ["a", "b", "c", None], ["b", "b", "c", "a"]]
    numbers = [[0, 1, np.nan, 0], [0, 1, 2, np.nan], [1, 1, 2, 0]]
    expected = krippendorff.alpha(reliability_data=numbers, level_of_measurement="nominal")
    assert krippendorff_alpha(labels) == pytest.approx(expected)
    ordinal = krippendorff_alpha(
        [["low", "high", "mid"], ["low", "mid", "mid"]],
        "ordinal",
        value_domain=["low", "mid", "high"],
    )
    theirs = krippendorff.alpha(
        reliability_data=[[0, 2, 1], [0, 1, 1]], level_of_measurement="ordinal"
    )
    assert ordinal == pytest.approx(theirs)


def test_alpha_drops_units_with_one_value() -> None:
    base = [[1, 2, 1, 2], [1, 2, 2, 2]]
    padded = [[1, 2, 1, 2, 3, None], [1, 2, 2, 2, None, 1]]
    assert krippendorff_alpha(padded) == pytest.approx(krippendorff_alpha(base))


def test_alpha_is_nan_when_every_value_is_the_same() -> None:
    assert math.isnan(krippendorff_alpha([[1, 1, 1], [1, 1, None]]))
    assert krippendorff_alpha([[0, 1, 0], [0, 1, 0]]) == 1.0


def test_alpha_is_fast_on_a_million_units() -> None:
    import time

    rng = np.random.default_rng(0)
    data = rng.integers(0, 3, size=(10, 1_000_000)).astype(float)
    data[rng.random(data.shape) < 0.1] = np.nan
    start = time.perf_counter()
    krippendorff_alpha(data)
    assert time.perf_counter() - start < 2.0


# -- kappas and percent agreement ------------------------------------------------------------


@pytest.mark.parametrize(
    ("table", "expected"),
    [
        # Wikipedia, "Cohen's kappa", worked example: 50 grant proposals, p_o = .7, p_e = .5
        ([[20, 5], [10, 15]], 0.4),
        # the same article's two examples of kappa's dependence on the marginals
        ([[45, 15], [25, 15]], 0.1304),
        ([[25, 35], [5, 35]], 0.2593),
    ],
)
def test_cohen_kappa_textbook_examples(table: list[list[int]], expected: float) -> None:
    a, b = _table(table)
    assert cohen_kappa(a, b) == pytest.approx(expected, abs=1e-4)
    assert cohen_kappa(a, b) == pytest.approx(cohen_kappa_score(a, b))


def test_cohen_kappa_drops_missing_pairs_and_is_nan_without_variation() -> None:
    assert cohen_kappa(["y", "y", "n", None], ["y", "n", "n", "y"]) == pytest.approx(
        cohen_kappa_score(["y", "y", "n"], ["y", "n", "n"])
    )
    assert math.isnan(cohen_kappa(["y", "y"], ["y", "y"]))


def test_fleiss_kappa_matches_fleiss_1971() -> None:
    counts = np.stack([(c == DIAGNOSES).sum(axis=1) for c in range(1, 6)], axis=1)
    assert fleiss_kappa(counts) == pytest.approx(0.430, abs=5e-4)
    assert fleiss_kappa(counts) == pytest.approx(0.4302445, abs=1e-7)


def test_fleiss_kappa_matches_the_wikipedia_example() -> None:
    # Wikipedia, "Fleiss' kappa", worked example: 10 subjects, 14 raters; kappa = 0.210
    table = [
        [0, 0, 0, 0, 14], [0, 2, 6, 4, 2], [0, 0, 3, 5, 6], [0, 3, 9, 2, 0], [2, 2, 8, 1, 1],
        [7, 7, 0, 0, 0], [3, 2, 6, 3, 0], [2, 5, 3, 2, 2], [6, 5, 2, 1, 0], [0, 2, 2, 3, 7],
    ]  # fmt: skip
    assert fleiss_kappa(table) == pytest.approx(0.210, abs=5e-4)


def test_percent_agreement_counts_units_where_all_coders_agree() -> None:
    # units 1 and 2 agree, unit 3 (a, b) does not, unit 4 has one value and drops out
    assert percent_agreement([["a", "b", "a", "a"], ["a", "b", "b", None]]) == pytest.approx(
        200 / 3
    )


# -- unitizing alpha and overlap -------------------------------------------------------------


def test_unitizing_alpha_small_case_by_hand() -> None:
    # L = 10, coder A unit [0, 4), coder B unit [2, 6). Ordered-pair intersections: unit-unit
    # 2 + 2 = 4, unit-gap 2 + 2 = 4 each way, gap-gap 4 + 4 = 8; l.. = 20, l_X. = 8, l_0. = 12.
    # S = 4^2 + 4^2 (units) + 6 + 2 + 4 (gaps) = 44; e_X0 = 20 * 8 * 12 / (400 - 44) = 1920/356.
    # u-alpha = 1 - 2 * 4 / (2 * 1920/356) = 1 - 2848/3840 = 31/120.
    result = unitizing_alpha([(0, 4, "A", "X"), (2, 6, "B", "X")], 10)
    assert result.per_code["X"] == pytest.approx(float(Fraction(31, 120)))
    assert result.alpha == pytest.approx(float(Fraction(31, 120)))  # one code: the same
    assert result.binary == pytest.approx(float(Fraction(31, 120)))


def test_unitizing_alpha_perfect_agreement_is_one_and_it_is_symmetric() -> None:
    same = [(3, 9, "A", "X"), (3, 9, "B", "X"), (12, 20, "A", "Y"), (12, 20, "B", "Y")]
    assert unitizing_alpha(same, 30).alpha == pytest.approx(1.0)
    spans = [(0, 5, "A", "X"), (2, 8, "B", "X"), (10, 14, "B", "Y"), (11, 15, "A", "Y")]
    swapped = [(s, e, {"A": "B", "B": "A"}[c], k) for s, e, c, k in spans]
    assert unitizing_alpha(spans, 20).alpha == pytest.approx(unitizing_alpha(swapped, 20).alpha)
    assert unitizing_alpha(list(reversed(spans)), 20).alpha == pytest.approx(
        unitizing_alpha(spans, 20).alpha
    )


def test_unitizing_alpha_of_one_position_units_is_alpha_over_positions() -> None:
    # With every unit one position long, uα's expected coincidences are those of ordinary
    # nominal alpha over the positions, so the two must agree (per code and over all codes,
    # where the continuum is repeated once per code).
    rng = np.random.default_rng(3)
    marks = rng.random((3, 2, 40)) < 0.3  # coders x codes x positions
    spans = [(p, p + 1, f"c{i}", f"k{k}") for i, k, p in zip(*np.nonzero(marks), strict=True)]
    result = unitizing_alpha(spans, 40)
    for k in range(2):
        assert result.per_code[f"k{k}"] == pytest.approx(
            krippendorff_alpha(marks[:, k, :].astype(int))
        )
    # over all codes: value k + 1 where code k applies on copy k of the continuum, else 0 (gap)
    values = marks * np.array([1, 2])[None, :, None]
    assert result.alpha == pytest.approx(krippendorff_alpha(values.reshape(3, 80)))


def test_unitizing_alpha_merges_a_coders_overlapping_spans_and_counts_silent_coders() -> None:
    split = unitizing_alpha([(0, 6, "A", "X"), (4, 10, "A", "X"), (0, 10, "B", "X")], 20)
    whole = unitizing_alpha([(0, 10, "A", "X"), (0, 10, "B", "X")], 20)
    assert split.alpha == pytest.approx(whole.alpha) == pytest.approx(1.0)
    silent = unitizing_alpha([(0, 10, "A", "X"), (0, 10, "B", "X")], 20, coders=["A", "B", "C"])
    assert silent.alpha < 0.5
    assert math.isnan(unitizing_alpha([(0, 20, "A", "X"), (0, 20, "B", "X")], 20).alpha)


def test_overlap_agreement_by_hand() -> None:
    spans = [
        (0, 10, "A", "X"),  # B's [0, 9) covers 90% of it: matched
        (0, 9, "B", "X"),  # A's [0, 10) covers all of it: matched
        (20, 30, "A", "X"),  # B's [25, 40) covers 50%: not matched
        (25, 40, "B", "X"),  # A covers 5 of 15: not matched
        (50, 60, "A", "Y"),  # B has no Y: not matched
    ]
    table = overlap_agreement(spans, 0.9).set_index("code")
    assert table.loc["X", "percent_agreement"] == pytest.approx(50.0)
    assert (table.loc["X", "checks"], table.loc["X", "matched"]) == (4, 2)
    assert table.loc["Y", "percent_agreement"] == pytest.approx(0.0)
    loose = overlap_agreement(spans, 0.3).set_index("code")
    assert loose.loc["X", "percent_agreement"] == pytest.approx(100.0)


# -- per project -----------------------------------------------------------------------------

D1 = "The bus is late. The GP is kind. I wait a lot. My carer helps.\n"
D2 = "Parking is hard. Nurses listen. Pharmacy shut early. Friends drive me.\n"


@pytest.fixture
def coded(project):
    """Two documents of four sentences each, coded by ann and bea (and cat elsewhere)."""
    d1 = project.add_document(D1, area="a", title="d1")
    d2 = project.add_document(D2, area="a", title="d2")
    d3 = project.add_document("Nobody coded this one. Nor this.\n", area="a", title="d3")
    for name in ("Transport", "Care", "Money"):
        project.codebook.add(name)
    # Transport: ann in s1, t1, t4; bea in s1 (partly) and t1
    project.code(d1, 0, 16, "Transport", coder="ann")
    project.code(d2, 0, 16, "Transport", coder="ann")
    project.code(d2, 53, 70, "Transport", coder="ann")
    project.code(d1, 0, 10, "Transport", coder="bea")
    project.code(d2, 0, 16, "Transport", coder="bea")
    # Care: ann over s2 and s3; bea in s2 and t2
    project.code(d1, 17, 46, "Care", coder="ann")
    project.code(d1, 17, 32, "Care", coder="bea")
    project.code(d2, 17, 31, "Care", coder="bea")
    return project, (d1, d2, d3)


def test_agreement_table_by_hand(coded) -> None:
    project, _ = coded
    table = agreement_table(project, coders=["ann", "bea"]).set_index("code")
    assert list(table.index) == ["Transport", "Care", ALL_CODES]
    assert list(table.columns) == [
        "percent_agreement",
        "cohen_kappa",
        "fleiss_kappa",
        "krippendorff_alpha",
        "alpha_low",
        "alpha_high",
        "p_alpha_below_0.667",
        "p_alpha_below_0.800",
        "units",
        "note",
    ]
    assert (table["units"] == 8).all()
    # Transport over 8 sentences: ann 1000 1001, bea 1000 1000 -> 7 of 8 agree.
    # Cohen: p_o = 7/8, p_e = 3/8 * 2/8 + 5/8 * 6/8 = 36/64 -> (56/64 - 36/64) / (28/64) = 5/7.
    # Fleiss: P = 7/8, p = (5/16, 11/16), P_e = 146/256 -> (224 - 146) / (256 - 146) = 78/110.
    # Alpha: n = 16, n_1 = 5, n_0 = 11, o_01 + o_10 = 2 -> 1 - 15 * 2 / (2 * 5 * 11) = 80/110.
    t = table.loc["Transport"]
    assert t["percent_agreement"] == pytest.approx(87.5)
    assert t["cohen_kappa"] == pytest.approx(5 / 7)
    assert t["fleiss_kappa"] == pytest.approx(78 / 110)
    assert t["krippendorff_alpha"] == pytest.approx(80 / 110)
    # Care: ann 0110 0000, bea 0100 0100 -> 6 of 8. Cohen: p_e = 40/64 -> (48 - 40)/(64 - 40).
    # Fleiss: P = 6/8, P_e = 10/16 -> 1/3. Alpha: n_1 = 4, n_0 = 12 -> 1 - 15 * 4 / 96 = 3/8.
    c = table.loc["Care"]
    assert c["percent_agreement"] == pytest.approx(75.0)
    assert c["cohen_kappa"] == pytest.approx(1 / 3)
    assert c["fleiss_kappa"] == pytest.approx(1 / 3)
    assert c["krippendorff_alpha"] == pytest.approx(3 / 8)
    # All 16 code x sentence decisions: 13 agree; both-present 3, ann-only 2, bea-only 1.
    # Cohen: p_e = 5/16 * 4/16 + 11/16 * 12/16 = 152/256 -> 56/104. Fleiss: P_e = 610/1024
    # -> (832 - 610)/(1024 - 610) = 222/414. Alpha: n_1 = 9, n_0 = 23 -> 1 - 31 * 6/414.
    a = table.loc[ALL_CODES]
    assert a["percent_agreement"] == pytest.approx(81.25)
    assert a["cohen_kappa"] == pytest.approx(56 / 104)
    assert a["fleiss_kappa"] == pytest.approx(222 / 414)
    assert a["krippendorff_alpha"] == pytest.approx(228 / 414)
    # on 8 units some resamples draw no "present" at all: said, not hidden
    assert table["note"].iloc[:2].str.fullmatch(r"\d+ of 1000 resamples had no variation.*").all()
    assert table.loc[ALL_CODES, "note"] == ""
    assert (table["alpha_low"] <= table["krippendorff_alpha"]).all()
    assert (table["krippendorff_alpha"] <= table["alpha_high"]).all()


def test_agreement_table_notes_a_code_one_coder_never_used(coded) -> None:
    project, (d1, _, _) = coded
    project.code(d1, 47, 62, "Money", coder="ann")
    table = agreement_table(project, coders=["ann", "bea"]).set_index("code")
    assert table.loc["Money", "note"].startswith("never used by bea; ")
    assert table.loc["Money", "percent_agreement"] == pytest.approx(87.5)
    only = agreement_table(project, coders=["ann", "bea"], codes=["Care"])
    assert list(only["code"]) == ["Care", ALL_CODES]
    assert only["krippendorff_alpha"].iloc[0] == pytest.approx(3 / 8)


def test_agreement_table_uses_documents_every_coder_coded(coded) -> None:
    project, (d1, d2, _) = coded
    project.code(d1, 0, 16, "Transport", coder="cat")
    # ann and cat share only d1: Transport in s1 by both, Care by ann in s2 and s3
    table = agreement_table(project, coders=["ann", "cat"]).set_index("code")
    assert (table["units"] == 4).all()
    assert table.loc["Transport", "krippendorff_alpha"] == 1.0
    assert table.loc["Care", "note"].startswith("never used by cat; ")
    # with documents=, cat's sentences in d2 are not coded (missing), not "absent"
    wide = agreement_table(project, coders=["ann", "cat"], documents=[d1, d2]).set_index("code")
    assert (wide["units"] == 8).all()
    assert "cat did not code 1 of the 2 documents" in wide.loc[ALL_CODES, "note"]
    assert wide.loc["Transport", "krippendorff_alpha"] == 1.0


def test_agreement_table_nan_when_alpha_is_undefined(coded) -> None:
    project, _ = coded
    table = agreement_table(project, coders=["ann", "bea"], codes=["Money"])
    assert math.isnan(table["krippendorff_alpha"].iloc[0])
    assert "alpha undefined" in table["note"].iloc[0]


def test_span_agreement_by_hand(coded) -> None:
    project, _ = coded
    table = span_agreement(project, coders=["ann", "bea"]).set_index("code")
    # Transport segments: ann [0,16) [63,79) [116,133), bea [0,10) [63,79) on the 134-long
    # continuum (d1 is 63 characters, d2 follows). Overlap >= 90%: ann [0,16) no (10/16),
    # ann [63,79) yes, ann [116,133) no; bea [0,10) yes, bea [63,79) yes -> 3 of 5.
    assert table.loc["Transport", "overlap_agreement"] == pytest.approx(60.0)
    assert table.loc["Care", "overlap_agreement"] == pytest.approx(100 / 3)
    assert table.loc[ALL_CODES, "overlap_agreement"] == pytest.approx(50.0)
    # uα Transport: l.. = 2 * 134 = 268, unit lengths 16 + 16 + 17 + 10 + 16 = 75, overlap
    # 10 + 16 = 26 each way -> l_X0 = 75 - 52 = 23, l_0. = 193, S = 1157 + 193 = 1350:
    # 1 - 23 * (268^2 - 1350) / (268 * 75 * 193).
    expected = 1 - 23 * (268**2 - 1350) / (268 * 75 * 193)
    assert table.loc["Transport", "unitizing_alpha"] == pytest.approx(expected)
    assert table.loc["Transport", "segments"] == 5


# -- bad input -------------------------------------------------------------------------------


def test_bad_reliability_data_is_refused() -> None:
    with pytest.raises(AgreementError, match="at least two coders"):
        krippendorff_alpha([[1, 2, 3]])
    with pytest.raises(AgreementError, match="is empty"):
        krippendorff_alpha([[], []])
    with pytest.raises(AgreementError, match="same number of units"):
        krippendorff_alpha([[1, 2], [1]])
    with pytest.raises(AgreementError, match="'kinda' is not a level"):
        krippendorff_alpha(K2011, "kinda")
    with pytest.raises(AgreementError, match="no unit has values from two"):
        krippendorff_alpha([[1, None], [None, 2]])
    with pytest.raises(AgreementError, match="needs numbers"):
        krippendorff_alpha([["a", "b"], ["a", "a"]], "interval")
    with pytest.raises(AgreementError, match="not in value_domain"):
        krippendorff_alpha([["a", "b"], ["a", "c"]], "ordinal", value_domain=["a", "b"])
    with pytest.raises(AgreementError, match="differ in length"):
        cohen_kappa([1, 2], [1])
    with pytest.raises(AgreementError, match="same number of coders"):
        fleiss_kappa([[1, 1], [2, 1]])
    with pytest.raises(AgreementError, match="min_overlap"):
        overlap_agreement([(0, 1, "A", "X"), (0, 1, "B", "X")], 1.5)
    with pytest.raises(AgreementError, match="not inside the continuum"):
        unitizing_alpha([(0, 30, "A", "X"), (0, 5, "B", "X")], 20)
    with pytest.raises(AgreementError, match="at least two coders"):
        unitizing_alpha([(0, 5, "A", "X")], 20)
    with pytest.raises(AgreementError, match="no spans"):
        unitizing_alpha([], 20)
    assert issubclass(AgreementError, QualcodeError)


def test_bad_project_input_is_refused(coded) -> None:
    project, (_, _, d3) = coded
    with pytest.raises(AgreementError, match="at least two coders"):
        agreement_table(project, coders=["ann"])
    with pytest.raises(AgreementError, match="list of names"):
        agreement_table(project, coders="ann")
    with pytest.raises(AgreementError, match=r"no coder named 'zed'.*coders are: ann, bea"):
        agreement_table(project, coders=["ann", "zed"])
    with pytest.raises(AgreementError, match="nobody among ann, bea coded 'd3'"):
        agreement_table(project, coders=["ann", "bea"], documents=[d3])
    project.code(d3, 0, 5, "Care", coder="cat")
    with pytest.raises(AgreementError, match=r"no document was coded by all of ann, cat"):
        span_agreement(project, coders=["ann", "cat"], documents=None, codes=["Care"])
    with pytest.raises(QualcodeError, match="no code named 'Nope'"):
        agreement_table(project, coders=["ann", "bea"], codes=["Nope"])
    with pytest.raises(QualcodeError, match="not one of sentence"):
        agreement_table(project, coders=["ann", "bea"], unit="word")


# Krippendorff (1995), p. 57: four pairs of coders on a continuum of 24, one category each.
# (offset, length, coder); the published values are reproduced by DKPro Statistics' test of the
# same example, which notes a small erratum in the paper's expected disagreement, hence the
# tolerances (0.005 on D_e, 0.02 on alpha) at a fine resolution (stretch 50,000).
KRIPPENDORFF_1995 = {
    "A": [(2, 8, 0), (14, 6, 0), (4, 4, 1), (15, 2, 1)],
    "B": [(0, 18, 0), (0, 2, 1), (2, 1, 1), (3, 1, 1), (4, 1, 1), (5, 1, 1), (6, 3, 1), (9, 1, 1)],
    "C": [(2, 6, 0), (10, 2, 0), (14, 4, 0), (20, 2, 0),
          (0, 2, 1), (4, 4, 1), (10, 4, 1), (16, 2, 1), (20, 2, 1)],
    "D": [(0, 2, 0), (2, 8, 0), (10, 4, 0), (14, 6, 0), (20, 4, 0),
          (0, 4, 1), (4, 4, 1), (8, 7, 1), (15, 2, 1), (17, 7, 1)],
}  # fmt: skip
PUBLISHED_1995 = {  # category: (observed D_o, expected D_e, alpha)
    "A": (0.03125, 0.06990, 0.553),
    "B": (2.26736, 1.17731, -0.926),
    "C": (0.02777, 0.08642, 0.679),
    "D": (0.38715, 0.41445, 0.066),
}


def _example_1995(category: str, stretch: float) -> list[tuple[int, int, str, str]]:
    return [
        (int(o * stretch), int((o + n) * stretch), f"coder{r}", category)
        for o, n, r in KRIPPENDORFF_1995[category]
    ]


@pytest.mark.parametrize("category", sorted(KRIPPENDORFF_1995))
def test_unitizing_alpha_1995_reproduces_krippendorffs_worked_example(category: str) -> None:
    from qualcode.coding.unitizing import _spans, _ualpha_1995_parts, unitizing_alpha_1995

    d_o, d_e, alpha = PUBLISHED_1995[category]
    exact = _spans(_example_1995(category, 1), 24, None)
    observed, _ = _ualpha_1995_parts(exact, np.ones(len(exact.code), dtype=bool), 2, 24.0)
    assert observed == pytest.approx(d_o, abs=1e-5)
    fine = _example_1995(category, 50_000)
    data = _spans(fine, 24 * 50_000, None)
    _, expected = _ualpha_1995_parts(data, np.ones(len(data.code), dtype=bool), 2, data.length)
    assert expected == pytest.approx(d_e, abs=0.005)
    result = unitizing_alpha_1995(fine, 24 * 50_000)
    assert result.per_code[category] == pytest.approx(alpha, abs=0.02)


def test_unitizing_alpha_1995_at_a_coarse_resolution_and_perfect_agreement() -> None:
    from qualcode.coding.unitizing import unitizing_alpha_1995

    coarse = unitizing_alpha_1995(_example_1995("C", 0.5), 12)  # the paper's 12-position C
    assert coarse.per_code["C"] == pytest.approx(0.494, abs=0.02)
    same = [(2, 5, "a", "x"), (2, 5, "b", "x"), (8, 9, "a", "x"), (8, 9, "b", "x")]
    assert unitizing_alpha_1995(same, 12).alpha == pytest.approx(1.0)


# -- bootstrap confidence in alpha -----------------------------------------------------------


def _noisy(n_units: int, seed: int, coders: int = 4, agree: float = 0.8) -> np.ndarray:
    """Coders x units labels 0-3: each coder copies a true label with probability `agree`."""
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, 4, n_units)
    noise = rng.integers(0, 4, (coders, n_units))
    data = np.where(rng.random((coders, n_units)) < agree, truth, noise).astype(np.float64)
    data[rng.random(data.shape) < 0.1] = np.nan
    return data


@pytest.mark.parametrize("level", LEVELS)
def test_bootstrap_reproduces_alpha_and_its_interval_contains_it(level: str) -> None:
    for data in (K2011, _noisy(300, seed=1)):
        result = bootstrap_alpha(data, level, n_resamples=400, seed=3)
        assert result.alpha == pytest.approx(krippendorff_alpha(data, level), abs=1e-12)
        assert result.low <= result.alpha <= result.high
        assert result.n_resamples == 400 == len(result.replicates)
        assert float(result) == result.alpha


@pytest.mark.parametrize("level", LEVELS)
def test_bootstrap_fast_path_equals_a_slow_loop_over_resamples(level: str) -> None:
    data = np.array(K2011, dtype=np.float64)
    fast = bootstrap_alpha(data, level, n_resamples=60, seed=7)
    # the slow way: draw the same unit indices, build each resampled matrix, compute alpha
    pairable = data[:, (~np.isnan(data)).sum(axis=0) >= 2]
    rng = np.random.default_rng(7)
    slow = []
    for block in bootstrap._resample_indices(rng, pairable.shape[1], 60):
        for idx in block:
            try:
                slow.append(krippendorff_alpha(pairable[:, idx], level))
            except AgreementError:
                slow.append(math.nan)
    assert fast.units == pairable.shape[1] == 11
    np.testing.assert_allclose(fast.replicates, slow, rtol=0, atol=1e-9, equal_nan=True)


def test_bootstrap_interval_narrows_with_more_units() -> None:
    small = bootstrap_alpha(_noisy(100, seed=2), n_resamples=500)
    large = bootstrap_alpha(_noisy(5_000, seed=2), n_resamples=500)
    assert large.high - large.low < (small.high - small.low) / 3
    assert small.units == pytest.approx(100, abs=5) and large.units > 4_900


def test_bootstrap_p_below_grows_with_the_minimum_and_is_seeded() -> None:
    data = _noisy(150, seed=4, agree=0.75)
    minimums = (0.3, 0.5, 0.6, 0.65, 0.7, 0.8, 1.01)
    result = bootstrap_alpha(data, minimums=minimums, n_resamples=800, seed=11)
    shares = [result.p_below[m] for m in minimums]
    assert shares == sorted(shares) and shares[0] < shares[-1] == 1.0
    assert shares[2] == pytest.approx(np.mean(result.replicates < 0.6))
    again = bootstrap_alpha(data, minimums=minimums, n_resamples=800, seed=11)
    assert again == result and np.array_equal(again.replicates, result.replicates)
    other = bootstrap_alpha(data, minimums=minimums, n_resamples=800, seed=12)
    assert not np.array_equal(other.replicates, result.replicates)
    wider = bootstrap_alpha(data, n_resamples=800, seed=11, confidence=0.99)
    assert wider.low < result.low and wider.high > result.high
    assert "with 95% confidence it lies between" in str(result)


def test_bootstrap_when_alpha_or_some_resamples_are_undefined() -> None:
    same = bootstrap_alpha([[1, 1, 1], [1, 1, 1]], n_resamples=50)
    assert math.isnan(same.alpha) and math.isnan(same.low) and math.isnan(same.high)
    assert all(math.isnan(p) for p in same.p_below.values())
    assert "undefined" in str(same)
    # one unit of five differs: a resample that misses it has no variation
    rare = bootstrap_alpha([[0, 0, 0, 0, 1], [0, 0, 0, 0, 1]], n_resamples=500, seed=0)
    missed = int(np.isnan(rare.replicates).sum())
    assert rare.undefined == missed and 50 < missed < 250  # (4/5)^5 = 33% expected
    assert rare.alpha == 1.0 and rare.low == rare.high == 1.0


def test_bootstrap_refuses_bad_input() -> None:
    with pytest.raises(AgreementError, match="n_resamples must be 1 or more"):
        bootstrap_alpha(K2011, n_resamples=0)
    with pytest.raises(AgreementError, match="whole number"):
        bootstrap_alpha(K2011, n_resamples=2.5)  # type: ignore[arg-type]
    with pytest.raises(AgreementError, match="between 0 and 1"):
        bootstrap_alpha(K2011, confidence=95)
    with pytest.raises(AgreementError, match="list of alphas"):
        bootstrap_alpha(K2011, minimums=0.8)  # type: ignore[arg-type]
    with pytest.raises(AgreementError, match="not a level"):
        bootstrap_alpha(K2011, "binary")
    with pytest.raises(AgreementError, match="at least two coders"):
        bootstrap_alpha([[1, 2, 3]])
    with pytest.raises(AgreementError, match="nothing can be compared"):
        bootstrap_alpha([[1, None], [None, 2]])
    with pytest.raises(AgreementError, match="value_domain"):
        bootstrap_alpha([["low", "high"], ["low", "low"]], "ordinal")


def test_agreement_table_intervals_and_options(coded) -> None:
    project, _ = coded
    plain = agreement_table(project, coders=["ann", "bea"], bootstrap=0)
    assert "alpha_low" not in plain.columns and "note" in plain.columns
    table = agreement_table(
        project, coders=["ann", "bea"], bootstrap=300, seed=5, minimums=(0.5,), confidence=0.9
    ).set_index("code")
    assert "p_alpha_below_0.500" in table.columns and "p_alpha_below_0.667" not in table.columns
    # the per-code interval is the one bootstrap_alpha gives on the same 0/1 table and seed:
    # Transport over 8 sentences (see test_agreement_table_by_hand)
    transport = [[1, 0, 0, 0, 1, 0, 0, 1], [1, 0, 0, 0, 1, 0, 0, 0]]
    alone = bootstrap_alpha(transport, n_resamples=300, seed=5, minimums=(0.5,), confidence=0.9)
    assert table.loc["Transport", "alpha_low"] == pytest.approx(alone.low)
    assert table.loc["Transport", "alpha_high"] == pytest.approx(alone.high)
    assert table.loc["Transport", "p_alpha_below_0.500"] == pytest.approx(alone.p_below[0.5])
    pooled = table.loc[ALL_CODES]
    assert pooled["alpha_low"] <= pooled["krippendorff_alpha"] <= pooled["alpha_high"]
    words = agreement_in_words(
        agreement_table(project, coders=["ann", "bea"], bootstrap=300, seed=5, confidence=0.9)
    ).splitlines()
    assert len(words) == 3 and words[0].startswith("- **Transport**: alpha = 0.727; with 90% ")
    assert f"between {alone.low:.3f} and {alone.high:.3f}" in words[0]
    with pytest.raises(AgreementError, match="no intervals"):
        agreement_in_words(plain)
    for bad in (-1, 1.5, True):
        with pytest.raises(AgreementError, match="number of resamples"):
            agreement_table(project, coders=["ann", "bea"], bootstrap=bad)  # type: ignore[arg-type]


# -- the machine as one more coder -----------------------------------------------------------


def test_model_agreement_scores_the_model_against_people(coded) -> None:
    project, _ = coded
    model = "suggest:themes"
    # the model proposes exactly what ann coded
    for coding in project.codings(coder="ann"):
        project.code(coding.document_id, coding.start, coding.end, coding.code_id, coder=model)
    table = agreement_table(project, coders=["ann", model], bootstrap=0).set_index("code")
    assert table.loc[ALL_CODES, "krippendorff_alpha"] == 1.0
    scored = model_agreement(project, model=model, coders=["ann", "bea"], bootstrap=200)
    scored = scored.set_index("coder")
    assert list(scored.index) == ["ann", "bea", PEOPLE]
    people = 228 / 414  # ann vs bea over all codes, test_agreement_table_by_hand
    assert scored.loc["ann", "alpha_with_model"] == 1.0
    assert scored.loc["bea", "alpha_with_model"] == pytest.approx(people)
    assert scored.loc["bea", "kappa_with_model"] == pytest.approx(56 / 104)
    assert scored["alpha_with_people"].tolist() == pytest.approx([people] * 3)
    assert scored.loc["ann", "difference"] == pytest.approx(1 - people)
    assert scored.loc[PEOPLE, "alpha_with_model"] == pytest.approx((1 + people) / 2)
    low, high = scored.loc["bea", ["alpha_with_model_low", "alpha_with_model_high"]]
    assert low <= people <= high
    assert "suggest:themes agrees with the people" in scored.loc[PEOPLE, "note"]
    assert "better than" in scored.loc[PEOPLE, "note"]
    plain = model_agreement(project, model=model, coders=["ann"], bootstrap=0)
    assert "alpha_with_model_low" not in plain.columns
    assert math.isnan(plain["alpha_with_people"].iloc[0])
    assert "no other person" in plain["note"].iloc[0]


def test_model_agreement_refuses_bad_input(coded) -> None:
    project, _ = coded
    with pytest.raises(AgreementError, match="named suggest:<model>"):
        model_agreement(project, model="bea", coders=["ann"])
    with pytest.raises(AgreementError, match="list of names"):
        model_agreement(project, model="suggest:themes", coders="ann")
    with pytest.raises(AgreementError, match="name the people"):
        model_agreement(project, model="suggest:themes", coders=["suggest:themes"])
    with pytest.raises(AgreementError, match="no coder named 'suggest:themes'"):
        model_agreement(project, model="suggest:themes", coders=["ann", "bea"])


def test_chances_in_words_never_claim_certainty() -> None:
    """1,000 resamples cannot make a chance 0% or 100%: the sentence says under 1% / over 99%."""
    from qualcode.coding.bootstrap import alpha_in_words

    words = alpha_in_words(0.9, 0.85, 0.95, {0.667: 0.0, 0.8: 0.004, 0.9: 0.5, 0.95: 0.995})
    assert words.endswith(
        "the chance is under 1% that it is below 0.667 and under 1% that it is below 0.800 and "
        "50% that it is below 0.900 and over 99% that it is below 0.950"
    )
