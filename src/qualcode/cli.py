"""The `qualcode` command. Errors a user can cause print one line and exit 1.

Heavy imports happen inside the commands, so `qualcode --help` answers at once.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from qualcode.cli_options import ProjectOption, open_from_cli, project_location
from qualcode.errors import QualcodeError

app = typer.Typer(
    help="qualcode: qualitative coding for community-led research.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
codebook_app = typer.Typer(
    help="Import or export the codebook (YAML or CSV).", no_args_is_help=True
)
app.add_typer(codebook_app, name="codebook")
pipeline_app = typer.Typer(
    help="Rebuild every area's reports from the latest coding (papermill).", no_args_is_help=True
)
app.add_typer(pipeline_app, name="pipeline")


def _redact_app() -> typer.Typer:
    from qualcode.privacy.cli import app as redact_app  # imports only typer at load time

    return redact_app


app.add_typer(
    _redact_app(), name="redact", help="Find and pseudonymise personal data in transcripts."
)


def _round_app() -> typer.Typer:
    from qualcode.cli_rounds import app as round_app  # imports only typer at load time

    return round_app


app.add_typer(_round_app(), name="round", help="Blind coding rounds: open, progress, close.")

_open = open_from_cli


@app.command()
def init(
    project: ProjectOption = None,
    codebook: Annotated[Path | None, typer.Option(help="Codebook file to import")] = None,
) -> None:
    """Create a project store (or open and upgrade an existing one)."""
    p = _open(project, create=True)
    typer.echo(f"project ready: {p.location}")
    if codebook is not None:
        from qualcode.interop.codebook_files import import_codebook

        typer.echo(f"codebook: {import_codebook(p, codebook)}")


@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Files or folders to read")],
    area: Annotated[str, typer.Option(help="Project area the documents belong to")],
    text_column: Annotated[
        str | None, typer.Option(help="Column holding the answers in a questionnaire CSV/XLSX")
    ] = None,
    max_mb: Annotated[float | None, typer.Option(help="Largest file to read, in MB")] = None,
    project: ProjectOption = None,
) -> None:
    """Read transcripts (txt, md, docx, vtt, srt) and questionnaires (csv, xlsx) into an area."""
    p = _open(project, create=True)  # adding documents may start a project
    report = p.ingest(paths, area=area, text_column=text_column, max_mb=max_mb)
    typer.echo(str(report).splitlines()[0])
    for path, reason in report.refused:
        typer.echo(f"refused {path}: {reason}", err=True)
    if not report.ok:
        raise typer.Exit(1)


@codebook_app.command("import")
def codebook_import(
    file: Annotated[Path, typer.Argument(help="codebook .yaml or .csv")],
    project: ProjectOption = None,
) -> None:
    """Add codes from a file; codes already there (same path) are updated."""
    from qualcode.interop.codebook_files import import_codebook

    typer.echo(str(import_codebook(_open(project, create=True), file)))


@codebook_app.command("export")
def codebook_export(
    file: Annotated[
        Path,
        typer.Argument(help="codebook .yaml or .csv, or a training handout .md or .docx"),
    ],
    project: ProjectOption = None,
) -> None:
    """Write the codebook to a file, or as a handout for community researchers."""
    if file.suffix.lower() in (".md", ".docx"):
        from qualcode.interop.handout import export_handout

        typer.echo(f"wrote {export_handout(_open(project), file)}")
        return
    from qualcode.interop.codebook_files import export_codebook

    typer.echo(f"wrote {export_codebook(_open(project), file)}")


@app.command()
def status(project: ProjectOption = None) -> None:
    """Documents, words, units and codings per area, and codings per coder."""
    p = _open(project)
    per_area, per_coder = p.status()
    typer.echo(f"project: {p.location}   codes: {len(p.codebook)}")
    if per_area.empty:
        typer.echo("no documents yet: add some with `qualcode ingest PATH --area NAME`")
        return
    typer.echo(per_area.to_string())
    typer.echo("")
    typer.echo(per_coder.to_string(index=False) if not per_coder.empty else "no codings yet")


EXPORT_SUFFIXES = (".csv", ".xlsx", ".qdpx", ".qdc")
IMPORT_SUFFIXES = (".qdpx", ".qdc", ".csv", ".tsv", ".xlsx")


@app.command()
def export(
    out: Annotated[
        Path,
        typer.Argument(
            help="File to write: codings .csv or .xlsx, a REFI-QDA project .qdpx, "
            "or a REFI-QDA codebook .qdc"
        ),
    ],
    area: Annotated[str | None, typer.Option(help="Only this area")] = None,
    coder: Annotated[str | None, typer.Option(help="Only this coder (.csv, .xlsx)")] = None,
    table: Annotated[
        str | None,
        typer.Option(
            help="Instead of the codings (.csv, .xlsx): presence or counts (a case x code "
            "matrix for SPSS/R/Stata, with its column key), quotes, or memos"
        ),
    ] = None,
    only_pseudonymised: Annotated[
        bool,
        typer.Option(
            "--only-pseudonymised",
            help="Refuse unless every exported document is pseudonymised (qualcode redact)",
        ),
    ] = False,
    project: ProjectOption = None,
) -> None:
    """Export codings as a table, the project for NVivo/ATLAS.ti/MAXQDA, or the codebook."""
    suffix = out.suffix.lower()
    if suffix not in EXPORT_SUFFIXES:
        raise QualcodeError(
            f"{out}: export as {', '.join(EXPORT_SUFFIXES)}, not {suffix or 'no'} extension"
        )
    if suffix in (".qdpx", ".qdc"):
        from qualcode.interop import refi

        if coder is not None or table is not None:
            raise QualcodeError(f"{out}: --coder and --table apply to .csv and .xlsx exports only")
        if suffix == ".qdc" and area is not None:
            raise QualcodeError(f"{out}: a codebook (.qdc) has no areas; leave out --area")
        p = _open(project)
        path = (
            refi.export_qdpx(p, out, area=area, only_pseudonymised=only_pseudonymised)
            if suffix == ".qdpx"
            else refi.export_qdc(p, out)
        )
    elif table is not None:
        from qualcode.analysis.matrices import export_table

        written = export_table(
            _open(project),
            out,
            table,
            area=area,
            coders=coder,
            only_pseudonymised=only_pseudonymised,
        )
        typer.echo(f"wrote {', '.join(map(str, written))}")
        return
    else:
        from qualcode.interop.tables import export_codings

        path = export_codings(
            _open(project), out, area=area, coder=coder, only_pseudonymised=only_pseudonymised
        )
    typer.echo(f"wrote {path}")


@app.command("import")
def import_(
    file: Annotated[
        Path,
        typer.Argument(
            help="REFI-QDA project .qdpx or codebook .qdc, or a table of codings "
            ".csv/.tsv/.xlsx (area, title, code, coder, start/end or text)"
        ),
    ],
    area: Annotated[
        str, typer.Option(help="Area the imported documents go into (.qdpx)")
    ] = "imported",
    project: ProjectOption = None,
) -> None:
    """Import a project or codebook from NVivo, ATLAS.ti, MAXQDA, QualCoder or qualcode, or
    codings from a table."""
    suffix = file.suffix.lower()
    if suffix not in IMPORT_SUFFIXES:
        raise QualcodeError(
            f"{file}: import a REFI-QDA .qdpx or .qdc file or a codings table "
            f"(.csv, .tsv, .xlsx), not {suffix or 'no'} extension (codebooks in .yaml or .csv: "
            "`qualcode codebook import`)"
        )
    if suffix in (".csv", ".tsv", ".xlsx"):
        from qualcode.analysis.coding_table import import_codings

        typer.echo(str(import_codings(_open(project, create=True), file)))
        return
    from qualcode.interop import refi

    p = _open(project, create=True)
    if suffix == ".qdc":
        typer.echo(str(refi.import_qdc(file, p)))
        return
    typer.echo(str(refi.import_qdpx(file, p, area=area)))


@app.command()
def autocode(
    query: Annotated[str, typer.Argument(help="Words, a phrase, a pattern or a lemma to find")],
    code: Annotated[str, typer.Option(help="Code to apply (name or path)")],
    coder: Annotated[str, typer.Option(help="Your coder name: the codings are yours")],
    mode: Annotated[str, typer.Option(help="text, regex or lemma")] = "text",
    expand: Annotated[str, typer.Option(help="Code the match, sentence or turn")] = "match",
    area: Annotated[str | None, typer.Option(help="Search one area only")] = None,
    speaker: Annotated[str | None, typer.Option(help="Only this speaker's turns")] = None,
    interviewer: Annotated[bool, typer.Option(help="Search interviewer turns too")] = False,
    max_hits: Annotated[int | None, typer.Option(help="Refuse more hits [default: 10000]")] = None,
    apply: Annotated[bool, typer.Option(help="Code the hits (default: only list them)")] = False,
    project: ProjectOption = None,
) -> None:
    """Find every hit of a search and list it in context; with --apply, code them all."""
    p = _open(project)
    args = dict(mode=mode, expand=expand, area=area, speaker=speaker, interviewer=interviewer)
    result = p.autocode(query, code, coder=coder, max_hits=max_hits, preview=not apply, **args)
    if apply:
        typer.echo(str(result))
        return
    for h in result.itertuples():
        typer.echo(f"{h.title} [{h.start}:{h.end}] …{h.left}[{h.text}]{h.right}…")
    new = int((~result["already_coded"]).sum())
    hits = "1 hit" if len(result) == 1 else f"{len(result):,} hits"
    typer.echo(f"{hits}, {new:,} not yet coded; add --apply to code them")


@app.command()
def merge(
    other: Annotated[
        str,
        typer.Argument(
            help="Another laptop's project: OTHER.qualcode or OTHER.qdpx, or a PostgreSQL URL"
        ),
    ],
    same_coder: Annotated[
        list[str] | None,
        typer.Option(help="A coder name used on both sides by the same person (repeat)"),
    ] = None,
    rename_coder: Annotated[
        list[str] | None,
        typer.Option(help="OLD=NEW: their coder OLD is a different person, named NEW here"),
    ] = None,
    keep: Annotated[
        str | None, typer.Option(help="ours|theirs: settle every differing code or attribute")
    ] = None,
    keep_code: Annotated[
        list[str] | None, typer.Option(help="PATH=ours|theirs: settle one differing code")
    ] = None,
    new_version: Annotated[
        list[str] | None,
        typer.Option(help="TITLE: take their different text as our newest version"),
    ] = None,
    area: Annotated[
        str | None, typer.Option(help="Area for a .qdpx's new documents [default: imported]")
    ] = None,
    dry_run: Annotated[bool, typer.Option(help="Show the plan; write nothing")] = False,
    project: ProjectOption = None,
) -> None:
    """Bring in work coded on another laptop, all or nothing; conflicts are listed, not
    guessed, and merging the same file again adds nothing."""
    from qualcode.interop.merge import parse_pairs

    report = _open(project, create=True).merge(
        other,
        same_coders=same_coder or [],
        rename_coders=parse_pairs(rename_coder or [], "OLD=NEW", "--rename-coder"),
        keep=keep,
        keep_codes=parse_pairs(keep_code or [], "PATH=ours|theirs", "--keep-code"),
        new_versions=new_version or [],
        area=area,
        dry_run=dry_run,
    )
    typer.echo(str(report))


def _project_ref(project: str | None) -> str:
    return project_location(project)


ConfigOption = Annotated[
    Path | None,
    typer.Option(help="Pipeline config [default: pipelines/areas.yaml if it exists]"),
]
ReportsOption = Annotated[Path, typer.Option(help="Folder the reports go into")]


@pipeline_app.command("run")
def pipeline_run(
    area: Annotated[
        list[str] | None, typer.Option("--area", "-a", help="Only this area (repeat for more)")
    ] = None,
    jobs: Annotated[int, typer.Option("--jobs", "-j", help="Areas run at once")] = 1,
    force: Annotated[bool, typer.Option(help="Run areas whose inputs have not changed")] = False,
    config: ConfigOption = None,
    reports: ReportsOption = Path("reports"),
    project: ProjectOption = None,
) -> None:
    """Run each area's notebooks into reports/<area>/<run-id>/ (HTML, XLSX, figures,
    manifest); areas whose inputs have not changed since their last good run are skipped."""
    from qualcode import pipeline

    results = pipeline.run(
        _project_ref(project), areas=area, jobs=jobs, force=force, config=config, reports=reports
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


@pipeline_app.command("status")
def pipeline_status(
    config: ConfigOption = None,
    reports: ReportsOption = Path("reports"),
    project: ProjectOption = None,
) -> None:
    """Per area: the last good run, the newest run's status, whether the inputs changed since,
    and who holds the lock."""
    from qualcode import pipeline

    frame = pipeline.status(_project_ref(project), config=config, reports=reports)
    typer.echo(frame.to_string() if not frame.empty else "no areas in this project yet")


def main() -> None:
    """Entry point: run the app, turning user errors into one line and exit code 1."""
    try:
        app()
    except QualcodeError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise SystemExit(1) from None


if __name__ == "__main__":
    main()
