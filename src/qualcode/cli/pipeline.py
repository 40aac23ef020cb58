"""`qualcode pipeline run` and `qualcode pipeline status`: every area's reports rebuilt by
papermill (`qualcode.pipeline`)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from qualcode.cli.options import ProjectOption, project_location

app = typer.Typer(
    help="Rebuild every area's reports from the latest coding (papermill).", no_args_is_help=True
)

ConfigOption = Annotated[
    Path | None,
    typer.Option(help="Pipeline config [default: pipelines/areas.yaml if it exists]"),
]
ReportsOption = Annotated[Path, typer.Option(help="Folder the reports go into")]


@app.command("run")
def run(
    area: Annotated[
        list[str] | None, typer.Option("--area", "-a", help="Only this area (repeat for more)")
    ] = None,
    jobs: Annotated[int, typer.Option("--jobs", "-j", help="Areas run at once")] = 1,
    force: Annotated[bool, typer.Option(help="Run areas whose inputs have not changed")] = False,
    config: ConfigOption = None,
    reports: ReportsOption = Path("reports"),
    embed: Annotated[
        bool, typer.Option(help="Embed the themes' texts first, once, for every area")
    ] = True,
    shared: Annotated[
        bool,
        typer.Option(help="Other hosts run this too: leave an area another run holds to it"),
    ] = False,
    project: ProjectOption = None,
) -> None:
    """Run each area's notebooks into reports/<area>/<run-id>/ (HTML, XLSX, figures,
    manifest); areas whose inputs have not changed since their last good run are skipped."""
    from qualcode import pipeline

    results = pipeline.run(
        project_location(project),
        areas=area,
        jobs=jobs,
        force=force,
        config=config,
        reports=reports,
        embed=embed,
        on_embedded=_say_embedded,
        shared=shared,
    )
    for r in results:
        if r.status == "ok":
            typer.echo(f"{r.area}: ok in {r.seconds:.1f} s -> {reports / r.area / 'latest'}/")
        elif r.status == "skipped":
            typer.echo(f"{r.area}: skipped, {r.message} -> {reports / r.area / 'latest'}/")
        else:
            typer.echo(f"{r.area}: {r.status.upper()}: {r.message}", err=True)
            if r.log:
                typer.echo(f"  log: {r.log}", err=True)
    for r in results:
        for html in r.reports:
            typer.echo(f"report: {html}")
    failed = [r for r in results if r.failed]
    if failed:
        names = ", ".join(f"{r.area} ({r.status})" for r in failed)
        typer.echo(
            f"error: {len(failed)} of {len(results)} areas did not finish: {names}; "
            "their last good reports are unchanged",
            err=True,
        )
        raise typer.Exit(1)


def _say_embedded(done: Any) -> None:
    if done.texts:
        rate = f", {done.rate:.0f} a second" if done.rate else ""
        typer.echo(
            f"embedded {done.missing} of {done.texts} texts for {len(done.areas)} areas' themes "
            f"in {done.seconds:.1f} s{rate} ({done.texts - done.missing} already cached)"
        )


@app.command("status")
def status(
    config: ConfigOption = None,
    reports: ReportsOption = Path("reports"),
    project: ProjectOption = None,
) -> None:
    """Per area: the last good run, the newest run's status, whether the inputs changed since,
    and who holds the lock."""
    from qualcode import pipeline

    frame = pipeline.status(project_location(project), config=config, reports=reports)
    typer.echo(frame.to_string() if not frame.empty else "no areas in this project yet")
