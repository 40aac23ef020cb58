"""The `qualcode` command. Errors a user can cause print one line and exit 1.

Heavy imports happen inside the commands, so `qualcode --help` answers at once. Each module
holds one group of commands: `project` (init, ingest, status, autocode, merge), `export`
(export, import, codebook), `pipeline`, `privacy` (redact), `rounds` (round), `coders`
(coder) and `workshop`; `options` is what they share.
"""

from __future__ import annotations

import typer

from qualcode.cli import coders, export, pipeline, privacy, project, rounds, workshop
from qualcode.errors import QualcodeError

app = typer.Typer(
    help="qualcode: qualitative coding for community-led research.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.command()(project.init)
app.command()(project.ingest)
app.command()(project.status)
app.command()(export.export)
app.command("import")(export.import_)
app.command()(project.autocode)
app.command()(project.merge)
app.command()(workshop.workshop)
app.add_typer(export.codebook_app, name="codebook")
app.add_typer(pipeline.app, name="pipeline")
app.add_typer(
    privacy.app, name="redact", help="Find and pseudonymise personal data in transcripts."
)
app.add_typer(rounds.app, name="round", help="Blind coding rounds: open, progress, close.")
app.add_typer(coders.app, name="coder", help="Coders and leads: list, lead, rename, merge.")


def main() -> None:
    """Entry point: run the app, turning user errors into one line and exit code 1."""
    try:
        app()
    except QualcodeError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise SystemExit(1) from None


__all__ = ["app", "main"]
