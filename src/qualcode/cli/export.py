"""`qualcode export`, `import` and `codebook`: codings as tables, projects and codebooks for
NVivo, ATLAS.ti and MAXQDA (REFI-QDA), and codebooks as YAML, CSV or a handout."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from qualcode.cli.options import ProjectOption, open_from_cli
from qualcode.errors import QualcodeError

codebook_app = typer.Typer(
    help="Import or export the codebook (YAML or CSV).", no_args_is_help=True
)


@codebook_app.command("import")
def codebook_import(
    file: Annotated[Path, typer.Argument(help="codebook .yaml or .csv")],
    project: ProjectOption = None,
) -> None:
    """Add codes from a file; codes already there (same path) are updated."""
    from qualcode.interop.codebook_files import import_codebook

    typer.echo(str(import_codebook(open_from_cli(project, create=True), file)))


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

        typer.echo(f"wrote {export_handout(open_from_cli(project), file)}")
        return
    from qualcode.interop.codebook_files import export_codebook

    typer.echo(f"wrote {export_codebook(open_from_cli(project), file)}")


EXPORT_SUFFIXES = (".csv", ".xlsx", ".qdpx", ".qdc")
IMPORT_SUFFIXES = (".qdpx", ".qdc", ".csv", ".tsv", ".xlsx")


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
        p = open_from_cli(project)
        path = (
            refi.export_qdpx(p, out, area=area, only_pseudonymised=only_pseudonymised)
            if suffix == ".qdpx"
            else refi.export_qdc(p, out)
        )
    elif table is not None:
        from qualcode.analysis.matrices import export_table

        written = export_table(
            open_from_cli(project),
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
            open_from_cli(project),
            out,
            area=area,
            coder=coder,
            only_pseudonymised=only_pseudonymised,
        )
    typer.echo(f"wrote {path}")


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

        typer.echo(str(import_codings(open_from_cli(project, create=True), file)))
        return
    from qualcode.interop import refi

    p = open_from_cli(project, create=True)
    if suffix == ".qdc":
        typer.echo(str(refi.import_qdc(file, p)))
        return
    typer.echo(str(refi.import_qdpx(file, p, area=area)))
