"""The facilitator's page: seat people (each gets a one-time code to hand over), see who is
signed in and how far each person has got on each transcript (counts only, never anyone's
codes, so a blind round stays blind), open a blind round for the room and close it, and read
the agreement when it closes. Only the facilitator's seat opens these pages.
"""

from __future__ import annotations

import html
import math
import time
from datetime import date
from typing import Any

import pandas as pd

from qualcode.coding.agreement import agreement_table
from qualcode.errors import QualcodeError
from qualcode.project import Project
from qualcode.workshop import seating
from qualcode.workshop.pages import _header, _page
from qualcode.workshop.web import Base, Workshop, signed_in

ONLINE_SECONDS = 120  # seen within this long: "here now"


def prepare(project: Project, facilitator: str) -> str:
    """Make `facilitator` a lead (the first lead may be anyone; later only a lead names one)
    and give their seat a new one-time code, printed by `qualcode workshop`."""
    leads = project.leads()
    if not any(lead.casefold() == facilitator.casefold() for lead in leads):
        if leads:
            raise QualcodeError(
                f"the facilitator must be a lead of the project; {facilitator} is not "
                f"(leads: {', '.join(leads)}). A lead can add them: "
                f"qualcode coder lead {facilitator} --by {leads[0]}, "
                f"or start with --facilitator {leads[0]}"
            )
        project.add_lead(facilitator, by=facilitator)
    _, code = seating.seat(project, facilitator, by=facilitator, role="facilitator")
    return code


facilitator_only = signed_in(facilitator=True)


class Page(Base):
    @facilitator_only
    async def get(self) -> None:
        live = await self.workshop.blocking(live_html, self.workshop)
        if self.get_query_argument("part", "") == "live":
            self.write(live)
            return
        self.write(await self.workshop.blocking(page_html, self, live, ""))

    async def _after(self, said: str) -> None:
        live = await self.workshop.blocking(live_html, self.workshop)
        self.write(await self.workshop.blocking(page_html, self, live, said))


class Seat(Page):
    """Seat one person, or several (one name per line): a code for each, shown once, in a
    table that prints as cards to hand out."""

    @facilitator_only
    async def post(self) -> None:
        typed = self.get_body_argument("names", "") or self.get_body_argument("name", "")
        names = [n.strip() for n in typed.splitlines() if n.strip()][:200]
        if not names:
            return await self._after('<p class="error" role="alert">Type a name first.</p>')
        made, errors = await self.workshop.blocking(self._seat_all, names)
        said = "".join(f'<p class="error" role="alert">{html.escape(e)}</p>' for e in errors)
        if made:
            rows = "".join(
                f'<tr><td><b>{html.escape(name)}</b></td><td><span class="code">'
                f"{html.escape(code)}</span></td></tr>"
                for name, code in made
            )
            said += (
                '<div class="card codes" role="status"><p>Give each person their code; each '
                "works once. Lost one? Seat them again for a new one.</p>"
                f"<table><thead><tr><th>Name</th><th>Code</th></tr></thead><tbody>{rows}"
                "</tbody></table></div>"
            )
        await self._after(said)

    def _seat_all(self, names: list[str]) -> tuple[list[tuple[str, str]], list[str]]:
        made, errors = [], []
        for name in names:
            try:
                made.append(seating.seat(self.workshop.project, name, by=self.workshop.facilitator))
            except QualcodeError as exc:
                errors.append(f"{name}: {exc}")
        return made, errors


class Unseat(Page):
    @facilitator_only
    async def post(self) -> None:
        name = self.get_body_argument("name", "")
        if name.casefold() == self.workshop.facilitator.casefold():
            return await self._after('<p class="error">You cannot remove your own seat.</p>')
        gone = await self.workshop.blocking(
            lambda: seating.unseat(self.workshop.project, name, by=self.workshop.facilitator)
        )
        said = f"{name} was removed; their codings stay." if gone else f"No seat named {name}."
        await self._after(f'<div class="card" role="status">{html.escape(said)}</div>')


class RoundAction(Page):
    @facilitator_only
    async def post(self) -> None:
        action = self.get_body_argument("action", "")
        try:
            said = await self.workshop.blocking(self._act, action)
        except QualcodeError as exc:
            said = f"Could not do that: {exc}"
        await self._after(f'<div class="card" role="status">{html.escape(said)}</div>')

    def _act(self, action: str) -> str:
        project, lead = self.workshop.project, self.workshop.facilitator
        if action == "open":
            coders = [s["name"] for s in seating.seats(project) if s["role"] == "researcher"]
            if len(coders) < 2:
                raise QualcodeError("seat at least two people before opening a blind round")
            name = self.get_body_argument("round", "").strip() or f"Workshop {date.today()}"
            area = self.get_body_argument("area", "") or None
            found = project.open_round(
                name,
                coders=coders,
                lead=lead,
                area=area,
                documents=None if area else _all_titles(project),
            )
            self.workshop.tell_everyone(
                f"The facilitator opened blind round {found.name}: you now see only your own "
                "coding of its transcripts."
            )
            return (
                f"Blind round {found.name} is open on {len(found.documents)} transcripts "
                f"for {len(found.coders)} people: each sees only their own coding."
            )
        if action == "close":
            name = _open_round(project)
            if name is None:
                raise QualcodeError("no blind round is open")
            project.close_round(name, lead=lead)
            self.workshop.tell_everyone(
                f"The facilitator closed blind round {name}: everyone's coding shows again."
            )
            return f"Blind round {name} is closed: everyone's coding is visible again."
        raise QualcodeError(f"unknown action {action!r}")


def _all_titles(project: Project) -> list[str]:
    return sorted(set(project.documents_df()["title"]))


def _open_round(project: Project) -> str | None:
    rounds = project.rounds_df()
    opened = rounds[rounds["status"] == "open"] if len(rounds) else rounds
    return None if opened.empty else str(opened["name"].iloc[-1])


def live_html(workshop: Workshop) -> str:
    """Who is here, and each person's progress per transcript (refreshed every few seconds)."""
    project = workshop.project
    seats = seating.seats(project)
    counts = project.codings_per_document()
    done = project.done_df()
    now = time.time()
    rows = []
    for s in seats:
        name = s["name"]
        mine = counts[counts["coder"] == name]
        finished = int((done["coder"] == name).sum()) if len(done) else 0
        here = workshop.here(name) or now - workshop.last_seen.get(name, 0) < ONLINE_SECONDS
        state = (
            ("here now" if here else "signed in")
            if s["signed_in"]
            else ("code not used yet" if s["code_waiting"] else "signed out")
        )
        role = " (facilitator)" if s["role"] == "facilitator" else ""
        rows.append(
            f"<tr><td><b>{html.escape(name)}</b>{role}</td>"
            f'<td class="{"yes" if here else "no"}">{state}</td>'
            f"<td>{int(mine['codings'].sum())}</td><td>{mine['document_id'].nunique()}</td>"
            f"<td>{finished}</td></tr>"
        )
    people = (
        '<h2>Who is here</h2><table class="people"><thead><tr><th>Person</th><th>Now</th>'
        "<th>Codings</th>"
        "<th>Transcripts coded</th><th>Marked done</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
    )
    return people + _progress_table(seats, counts, done) + _round_html(workshop)


def _progress_table(seats: list[dict[str, Any]], counts: pd.DataFrame, done: pd.DataFrame) -> str:
    """Transcripts down, people across: codings made, ✓ when marked done."""
    names = [s["name"] for s in seats if s["role"] == "researcher"]
    if (counts.empty and done.empty) or not names:
        return "<h2>Progress</h2><p>No coding yet.</p>"
    docs = pd.concat(
        [counts[["document_id", "title", "area"]], done[["document_id", "title", "area"]]]
    )
    docs = docs.drop_duplicates("document_id").sort_values(["area", "title"])
    marks = {(r.coder, int(r.document_id)) for r in done.itertuples()} if len(done) else set()
    made = {(r.coder, int(r.document_id)): int(r.codings) for r in counts.itertuples()}
    head = "".join(f"<th>{html.escape(n)}</th>" for n in names)
    body = []
    for d in docs.itertuples():
        cells = []
        for n in names:
            k = (n, int(d.document_id))
            text = f"{made.get(k, 0)}{' ✓' if k in marks else ''}"
            cells.append(f'<td class="{"yes" if k in marks else ""}">{text}</td>')
        body.append(
            f"<tr><td>{html.escape(d.title)} <small>({html.escape(d.area)})</small></td>"
            f"{''.join(cells)}</tr>"
        )
    return (
        "<h2>Progress</h2><p>Codings each person has made on each transcript; ✓ marked done.</p>"
        '<div class="wide"><table class="progress"><thead><tr><th>Transcript</th>'
        f"{head}</tr></thead><tbody>{''.join(body)}</tbody></table></div>"
    )


def _round_html(workshop: Workshop) -> str:
    """The last round: open, or closed with its agreement (worked out once per round: the
    page asks every few seconds, while people code)."""
    rounds = workshop.project.rounds_df()
    if rounds.empty:
        return "<h2>Blind round</h2><p>No blind round yet.</p>"
    last = rounds.iloc[-1]
    if last["status"] == "open":
        return (
            f"<h2>Blind round {html.escape(str(last['name']))}: open</h2>"
            "<p>Each person sees only their own coding until you close it.</p>"
        )
    name = str(last["name"])
    key = f"{name} {last['closed_at']}"
    if key not in workshop.agreements:
        workshop.agreements[key] = _agreement_html(workshop.project, name)
    return f"<h2>Blind round {html.escape(name)}: closed</h2>" + workshop.agreements[key]


def _agreement_html(project: Project, name: str) -> str:
    """Agreement on the transcripts at least two of the round's people coded, in words."""
    found = project.rounds_df().set_index("name").loc[name]
    counts = project.codings_per_document()
    counts = counts[counts["coder"].isin(list(found["coders"]))]
    shared = counts.groupby("document_id")["coder"].nunique()
    documents = [int(i) for i in shared[shared >= 2].index]
    coders = sorted(set(counts[counts["document_id"].isin(documents)]["coder"]))
    if len(documents) == 0 or len(coders) < 2:
        return "<p>Agreement: no transcript was coded by two people or more in this round.</p>"
    try:
        table = agreement_table(project, coders=coders, documents=documents, bootstrap=0)
    except QualcodeError as exc:
        return f"<p>Agreement could not be worked out: {html.escape(str(exc))}</p>"
    rows = []
    for r in table.itertuples():
        alpha = r.krippendorff_alpha
        shown = (
            "—"
            if alpha is None or (isinstance(alpha, float) and math.isnan(alpha))
            else f"{alpha:.2f}"
        )
        rows.append(
            f"<tr><td>{html.escape(str(r.code))}</td><td>{shown}</td>"
            f"<td>{round(float(r.percent_agreement))}%</td><td>{int(r.units)}</td></tr>"
        )
    return (
        f"<p>Compared: {html.escape(', '.join(coders))} on {len(documents)} "
        f"transcript{'' if len(documents) == 1 else 's'} they coded. "
        "Krippendorff's α: 1 is full agreement, 0 no better than chance; 0.67 is the "
        "usual least for tentative findings, 0.8 for firm ones.</p>"
        "<table><thead><tr><th>Code</th><th>α</th><th>Sentences agreed</th><th>Sentences</th>"
        f"</tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )


def page_html(handler: Base, live: str, said: str) -> str:
    workshop = handler.workshop
    xsrf = handler.xsrf()
    areas = sorted(set(workshop.project.documents_df()["area"]))
    options = '<option value="">every transcript</option>' + "".join(
        f'<option value="{html.escape(a)}">{html.escape(a)}</option>' for a in areas
    )
    seated = "".join(
        f"<option>{html.escape(str(s['name']))}</option>"
        for s in seating.seats(workshop.project)
        if s["role"] == "researcher"
    )
    opened = _open_round(workshop.project)
    round_form = (
        f'<form method="post" action="/facilitator/round">{xsrf}'
        '<input type="hidden" name="action" value="close">'
        f"<button>Close blind round {html.escape(opened)} and show agreement</button></form>"
        if opened
        else f'<form method="post" action="/facilitator/round">{xsrf}'
        '<input type="hidden" name="action" value="open">'
        '<label for="round">Round name</label>'
        '<input id="round" name="round" placeholder="e.g. Workshop 1">'
        f'<label for="area">Transcripts</label><select id="area" name="area">{options}</select>'
        "<p><button>Open a blind round for everyone seated</button></p></form>"
    )
    body = (
        f"<main>{said}"
        '<div class="card"><h1>Facilitator</h1>'
        f'<form method="post" action="/facilitator/seat">{xsrf}'
        '<label for="name">Seat people (or give someone a new code): one name per line</label>'
        '<textarea id="name" name="names" rows="3" required '
        'placeholder="Their names, as they will sign in"></textarea><br>'
        "<button>Seat and make codes</button></form>"
        f'<form method="post" action="/facilitator/unseat">{xsrf}'
        '<label for="gone">Remove a person (signed out at once; their codings stay)</label>'
        f'<select id="gone" name="name">{seated}</select> '
        '<button class="plain">Remove</button></form></div>'
        f'<div class="card">{round_form}</div>'
        f'<div class="card" id="live">{live}</div></main>'
    )
    return _page(
        "Facilitator · qualcode workshop",
        body,
        header=_header(
            handler.person.name if handler.person else "",
            xsrf,
            [("/", "Coding"), ("/codebook", "Codebook")],
        ),
        scripts=["/static/facilitator.js"],
    )


def routes() -> list[tuple[str, Any]]:
    return [
        (r"/facilitator", Page),
        (r"/facilitator/seat", Seat),
        (r"/facilitator/unseat", Unseat),
        (r"/facilitator/round", RoundAction),
    ]
