"""The `qualcode` command. Errors a user can cause print one line and exit 1.

Heavy imports happen inside the commands, so `qualcode --help` answers at once.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from qualcode.errors import QualcodeError

DEFAULT_PROJECT = "data/coded/sample.qualcode"

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

ProjectOption = Annotated[
    str | None,
    typer.Option(
        "--project",
        "-p",
        help=f"Project file or database URL [default: $QUALCODE_DB or {DEFAULT_PROJECT}]",
        show_default=False,
    ),
]


def _open(project: str | None):  # type: ignore[no-untyped-def]
    from qualcode.project import open_project

    return open_project(project or os.environ.get("QUALCODE_DB") or DEFAULT_PROJECT)


@app.command()
def init(
    project: ProjectOption = None,
    codebook: Annotated[Path | None, typer.Option(help="Codebook file to import")] = None,
) -> None:
    """Create a project store (or open and upgrade an existing one)."""
    p = _open(project)
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
    p = _open(project)
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

    typer.echo(str(import_codebook(_open(project), file)))


@codebook_app.command("export")
def codebook_export(
    file: Annotated[Path, typer.Argument(help="codebook .yaml or .csv to write")],
    project: ProjectOption = None,
) -> None:
    """Write the codebook to a file."""
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
IMPORT_SUFFIXES = (".qdpx", ".qdc")


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

        if coder is not None:
            raise QualcodeError(f"{out}: --coder applies to .csv and .xlsx exports only")
        if suffix == ".qdc" and area is not None:
            raise QualcodeError(f"{out}: a codebook (.qdc) has no areas; leave out --area")
        p = _open(project)
        path = refi.export_qdpx(p, out, area=area) if suffix == ".qdpx" else refi.export_qdc(p, out)
    else:
        from qualcode.interop.tables import export_codings

        path = export_codings(_open(project), out, area=area, coder=coder)
    typer.echo(f"wrote {path}")


@app.command("import")
def import_(
    file: Annotated[Path, typer.Argument(help="REFI-QDA project .qdpx or codebook .qdc to read")],
    area: Annotated[
        str, typer.Option(help="Area the imported documents go into (.qdpx)")
    ] = "imported",
    project: ProjectOption = None,
) -> None:
    """Import a project or codebook from NVivo, ATLAS.ti, MAXQDA, QualCoder or qualcode."""
    suffix = file.suffix.lower()
    if suffix not in IMPORT_SUFFIXES:
        raise QualcodeError(
            f"{file}: import a REFI-QDA {' or '.join(IMPORT_SUFFIXES)} file, "
            f"not {suffix or 'no'} extension (codebooks in .yaml or .csv: "
            "`qualcode codebook import`)"
        )
    from qualcode.interop import refi

    p = _open(project)
    if suffix == ".qdc":
        typer.echo(str(refi.import_qdc(file, p)))
        return
    typer.echo(str(refi.import_qdpx(file, p, area=area)))


def main() -> None:
    """Entry point: run the app, turning user errors into one line and exit code 1."""
    try:
        app()
    except QualcodeError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise SystemExit(1) from None


if __name__ == "__main__":
    main()
