"""`qualcode round`: open, follow and close blind coding rounds from the command line.

qualcode round open R1 --lead dawn --coder amina --coder bob --area hartlepool
qualcode round progress R1
qualcode round close R1 --lead dawn
qualcode round list
"""

from __future__ import annotations

from typing import Annotated

import typer

from qualcode.cli.options import ProjectOption, open_from_cli

app = typer.Typer(
    help="Blind coding rounds: each coder sees only their own codings until the lead reveals.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

LeadOption = Annotated[str, typer.Option("--lead", help="The person who runs the round")]


@app.command("open")
def open_(
    name: Annotated[str, typer.Argument(help="A name for the round, e.g. R1")],
    lead: LeadOption,
    coder: Annotated[list[str], typer.Option("--coder", "-c", help="A coder (repeat)")],
    area: Annotated[str | None, typer.Option(help="Every document of this area")] = None,
    document: Annotated[
        list[str] | None, typer.Option("--document", "-d", help="A document title (repeat)")
    ] = None,
    note: Annotated[str | None, typer.Option(help="What the round is for")] = None,
    project: ProjectOption = None,
) -> None:
    """Open a round on an area's documents (or named ones) for the named coders."""
    found = open_from_cli(project).open_round(
        name, coders=coder, lead=lead, area=area, documents=document, note=note
    )
    typer.echo(
        f"round {found.name} open: {len(found.documents)} documents for "
        f"{', '.join(found.coders)}; {found.lead} closes it with "
        f"`qualcode round close {found.name} --lead {found.lead}`"
    )


@app.command("close")
def close(
    name: Annotated[str, typer.Argument(help="The round to close")],
    lead: LeadOption,
    project: ProjectOption = None,
) -> None:
    """Close a round and reveal every coder's codings."""
    found = open_from_cli(project).close_round(name, lead=lead)
    typer.echo(
        f"round {found.name} closed and revealed; agreement: round_agreement(p, {name!r}), "
        f"consensus: ConsensusReview(p, round={name!r}, adjudicator=...)"
    )


@app.command("progress")
def progress(
    name: Annotated[str, typer.Argument(help="The round")], project: ProjectOption = None
) -> None:
    """Per coder, documents coded and codings made (counts only, nobody's codes)."""
    from qualcode.coding.rounds import round_progress

    typer.echo(round_progress(open_from_cli(project), name).to_string())


@app.command("list")
def list_(project: ProjectOption = None) -> None:
    """Every round with its status, lead and coders."""
    frame = open_from_cli(project).rounds_df()
    typer.echo(frame.to_string(index=False) if not frame.empty else "no rounds yet")
