"""Settling differences: where coders disagree, the consensus layer, and training new coders.

The consensus is an adjudicated layer (a coder named "consensus" with role "adjudicator"),
written only through `Project.adjudicate`, so analysis can use it as the final coding and the
audit log says who decided. A project's gold standard is a set of documents whose consensus
new community researchers are trained against.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from qualcode.coding.agreement import presence_matrix, select_codings, unit_table
from qualcode.coding.statistics import AgreementError, cohen_kappa, percent_agreement
from qualcode.model import CONSENSUS
from qualcode.store import meta
from qualcode.store.documents import document_span
from qualcode.views import agreement as agreement_views

if TYPE_CHECKING:
    from collections.abc import Sequence

    from qualcode.model import DocumentRef
    from qualcode.project import Project

GOLD_KEY = "gold_standard"


def disagreements(
    project: Project,
    *,
    coders: Sequence[str],
    unit: str = "sentence",
    documents: Sequence[DocumentRef] | None = None,
    codes: Sequence[Any] | None = None,
) -> pd.DataFrame:
    """The units where the coders differ on at least one code, in text order.

    Columns: document_id, title, case, start, end, text, then one column per coder holding
    the list of codes that coder applied there ("not coded" when they did not code that
    document), and `differ_on`, the codes some but not all coders applied.
    """
    sel = select_codings(project, coders, documents, codes)
    units = unit_table(project, unit, sel.documents).reset_index(drop=True)
    present = presence_matrix(sel, units)  # coders x codes x units
    some, every = present.any(axis=0), present.all(axis=0)
    differ = some & ~every  # codes x units
    rows = np.flatnonzero(differ.any(axis=0))
    out = units.loc[rows, ["document_id", "title", "case", "start", "end", "text"]].copy()
    for i, name in enumerate(sel.coders):
        missing = sel.not_coded.get(name, set())
        out[name] = [
            "not coded"
            if units.at[r, "document_id"] in missing
            else [sel.codes[j] for j in np.flatnonzero(present[i, :, r])]
            for r in rows
        ]
    out["differ_on"] = [[sel.codes[j] for j in np.flatnonzero(differ[:, r])] for r in rows]
    return out.reset_index(drop=True)


def consensus_codes(
    project: Project, document_id: int, start: int, end: int, *, layer: str = CONSENSUS
) -> dict[str, int]:
    """The consensus codings overlapping a span: code path -> coding id."""
    return {
        c.code: c.id
        for c in project.codings(document_id, coder=layer)
        if c.start < end and c.end > start
    }


def settle(
    project: Project,
    document_id: int,
    start: int,
    end: int,
    codes: Sequence[str],
    *,
    adjudicator: str,
    layer: str = CONSENSUS,
) -> None:
    """Make the consensus on text[start:end] exactly `codes`: add the missing ones over the
    span and remove consensus codings of other codes that overlap it."""
    wanted = list(dict.fromkeys(codes))
    now_there = consensus_codes(project, document_id, start, end, layer=layer)
    for code, coding_id in now_there.items():
        if code not in wanted:
            project.unadjudicate(coding_id, adjudicator=adjudicator)
    for code in wanted:
        if code not in now_there:
            project.adjudicate(document_id, start, end, code, adjudicator=adjudicator, layer=layer)


# training against a gold standard -----------------------------------------------------------


def set_gold_standard(
    project: Project, documents: Sequence[DocumentRef], *, by: str, layer: str = CONSENSUS
) -> list[int]:
    """Mark these documents' `layer` coding as the gold standard new coders train against."""
    with project.writing() as conn:
        ids = [document_span(conn, d)[0] for d in documents]
        if not ids:
            raise AgreementError("a gold standard needs at least one document")
        coded = agreement_views.documents_coded_by(conn, layer, ids)
        bare = [i for i in ids if i not in coded]
        if bare:
            raise AgreementError(
                f"documents {bare} have no {layer!r} coding yet; settle them in the "
                "consensus review first, then mark them as the gold standard"
            )
        value = {"layer": layer, "documents": ids}
        meta.write_json(conn, GOLD_KEY, value, actor=by, object="gold_standard")
    return ids


def gold_standard(project: Project) -> tuple[str, list[int]]:
    """(layer, document ids) of the project's gold standard, or a clear error."""
    with project.reading() as conn:
        value = meta.read(conn, GOLD_KEY)
    if value is None:
        raise AgreementError(
            "this project has no gold standard yet; "
            "mark one with set_gold_standard(p, documents, by=...)"
        )
    found = json.loads(value)
    return found["layer"], list(found["documents"])


VERDICTS = (
    (0.8, "Good: you code this much as the gold standard does."),
    (0.667, "Nearly there: look again at the passages where you differ."),
    (-2.0, "Needs a talk: compare the passages below with the code's description."),
)


@dataclass
class TrainingReport:
    """How a new coder's coding compares with the gold standard, in plain words."""

    trainee: str
    per_code: pd.DataFrame
    differences: pd.DataFrame

    def _repr_html_(self) -> str:
        rows = "".join(
            f"<tr><td>{html.escape(r.code)}</td><td>{r.agreement:.0f}%</td>"
            f"<td>{html.escape(r.verdict)}</td></tr>"
            for r in self.per_code.itertuples()
        )
        return (
            f"<h4>{html.escape(self.trainee)} compared with the gold standard</h4>"
            "<table><tr><th>Code</th><th>Same answer</th><th>What it means</th></tr>"
            f"{rows}</table><p>{len(self.differences)} passages differ; see "
            "<code>report.differences</code>.</p>"
        )


def training_report(project: Project, trainee: str, *, unit: str = "sentence") -> TrainingReport:
    """Per code: how often the trainee gave the gold standard's answer, Cohen's kappa, and a
    plain-language verdict; and the passages where they differ."""
    layer, documents = gold_standard(project)
    coders = [layer, trainee]
    sel = select_codings(project, coders, documents, None)
    if trainee in sel.not_coded:
        raise AgreementError(
            f"{trainee} has not coded every gold-standard document yet "
            f"({len(sel.not_coded[trainee])} to go); finish them, then ask for the report"
        )
    units = unit_table(project, unit, sel.documents)
    present = presence_matrix(sel, units)
    rows = []
    for j, code in enumerate(sel.codes):
        gold, mine = present[0, j].astype(int), present[1, j].astype(int)
        kappa = cohen_kappa(gold.tolist(), mine.tolist())
        agree = percent_agreement(np.vstack([gold, mine]))
        verdict = "Not enough to say: this code is (almost) never used here."
        if not np.isnan(kappa):
            verdict = next(text for floor, text in VERDICTS if kappa >= floor)
        rows.append({"code": code, "agreement": agree, "cohen_kappa": kappa, "verdict": verdict})
    per_code = pd.DataFrame(rows, columns=["code", "agreement", "cohen_kappa", "verdict"])
    differences = disagreements(project, coders=coders, unit=unit, documents=documents)
    differences = differences.rename(columns={layer: "gold standard", trainee: "you"})
    return TrainingReport(trainee=trainee, per_code=per_code, differences=differences)


def coders_in(project: Project, *, area: str | None = None) -> list[str]:
    """The people (not machine suggesters, not the consensus) who coded in `area`."""
    with project.reading() as conn:
        return agreement_views.people_who_coded(conn, area=area)


def shared_documents(
    project: Project, coders: Sequence[str], *, area: str | None = None
) -> list[int]:
    """Current documents (of `area`) that every one of `coders` coded: what an area's
    agreement report compares."""
    with project.reading() as conn:
        by_coder = agreement_views.documents_by_coder(conn, coders, area=area)
    return sorted(set.intersection(*by_coder.values())) if by_coder else []
