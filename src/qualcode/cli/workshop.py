"""`qualcode workshop`: serve the coding screen to a room of people, each on their own device.

qualcode workshop --project data/coded/sample.qualcode                 # this computer only
qualcode workshop --project postgresql://... --listen --port 8765      # the room's network
"""

from __future__ import annotations

import socket
from typing import Annotated

import typer

from qualcode.cli.options import ProjectOption, open_from_cli, project_location


def workshop(
    facilitator: Annotated[
        str,
        typer.Option(
            help="Who runs the workshop: a lead of the project (the first lead is anyone)"
        ),
    ] = "facilitator",
    listen: Annotated[
        bool, typer.Option("--listen", help="Open to the room's network, not only this computer")
    ] = False,
    port: Annotated[int, typer.Option(help="The port to serve on")] = 8765,
    project: ProjectOption = None,
) -> None:
    """Serve the coding screen: people sign in with a one-time code from the facilitator."""
    from qualcode.workshop.facilitator import prepare
    from qualcode.workshop.server import serve

    store = project_location(project)
    with open_from_cli(project) as p:
        code = prepare(p, facilitator)
    host = "0.0.0.0" if listen else "127.0.0.1"

    def ready(bound: int, _server: object) -> None:
        links = [f"http://{a}:{bound}/" for a in _addresses(listen)]
        typer.echo("qualcode workshop is running. Everyone opens:")
        for link in links:
            typer.echo(f"    {link}")
        if listen:  # for phones and tablets: point the camera at it
            typer.echo(_qr(links[0]))
        typer.echo(f"Facilitator: sign in as {facilitator!r} with the code  {code}")
        typer.echo(
            "  then seat each person on the facilitator's page; each gets a code to sign in."
        )
        if not listen:
            typer.echo("Only this computer can reach it; add --listen for the room's network.")
        typer.echo("Stop with Ctrl+C (everything is saved as people code).")

    serve(store, facilitator=facilitator, host=host, port=port, ready=ready)


def _addresses(listen: bool) -> list[str]:
    """Where the room reaches this computer: its network addresses (loopback if not listening)."""
    if not listen:
        return ["127.0.0.1"]
    found: list[str] = []
    try:
        probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        probe.connect(("10.255.255.255", 1))  # no packet is sent: it picks the outgoing address
        found.append(probe.getsockname()[0])
        probe.close()
    except OSError:
        pass
    return found or [socket.gethostname()]


def _qr(link: str) -> str:
    """The link as a QR code drawn in the terminal (two rows of modules per line)."""
    import io

    import segno

    drawn = io.StringIO()
    segno.make(link, error="m").terminal(out=drawn, compact=True)
    return drawn.getvalue()
