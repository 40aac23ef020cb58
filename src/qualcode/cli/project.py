"""`qualcode init`, `ingest`, `status`, `autocode` and `merge`: making a project, bringing
documents and other laptops' work in, and coding many hits at once."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from qualcode.cli.options import ProjectOption, open_from_cli


def init(
    project: ProjectOption = None,
    codebook: Annotated[Path | None, typer.Option(help="Codebook file to import")] = None,
) -> None:
    """Create a project store (or open and upgrade an existing one)."""
    p = open_from_cli(project, create=True)
    typer.echo(f"project ready: {p.location}")
    if codebook is not None:
        from qualcode.interop.codebook_files import import_codebook

        typer.echo(f"codebook: {import_codebook(p, codebook)}")


def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Files or folders to read")],
    area: Annotated[str, typer.Option(help="Project area the documents belong to")],
    text_column: Annotated[
        list[str] | None,
        typer.Option(
            help="A questionnaire column of answers (give it once per question; "
            "default: every column of free text)"
        ),
    ] = None,
    max_mb: Annotated[float | None, typer.Option(help="Largest file to read, in MB")] = None,
    interviewer: Annotated[
        str | None,
        typer.Option(
            help="The interviewer's speaker label in these transcripts (a name it holds); "
            "wins over participants.csv and over guessing from who asks the questions"
        ),
    ] = None,
    project: ProjectOption = None,
) -> None:
    """Read transcripts (txt, md, docx, vtt, srt) and questionnaires (csv, xlsx) into an area,
    and print each transcript's speakers, their turns and roles, and warnings."""
    p = open_from_cli(project, create=True)  # adding documents may start a project
    report = p.ingest(
        paths, area=area, text_column=text_column or None, max_mb=max_mb, interviewer=interviewer
    )
    for line in str(report).splitlines()[: -len(report.refused) or None]:
        typer.echo(line)  # the counts, cases updated, and each questionnaire's columns
    for path, reason in report.refused:
        typer.echo(f"refused {path}: {reason}", err=True)
    if not report.ok:
        raise typer.Exit(1)


def status(project: ProjectOption = None) -> None:
    """Documents, words, units and codings per area, and codings per coder."""
    p = open_from_cli(project)
    per_area, per_coder = p.status()
    typer.echo(f"project: {p.location}   codes: {len(p.codebook)}")
    if per_area.empty:
        typer.echo("no documents yet: add some with `qualcode ingest PATH --area NAME`")
        return
    typer.echo(per_area.to_string())
    typer.echo("")
    typer.echo(per_coder.to_string(index=False) if not per_coder.empty else "no codings yet")


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
    p = open_from_cli(project)
    args = dict(mode=mode, expand=expand, area=area, speaker=speaker, interviewer=interviewer)
    args |= dict(coder=coder, max_hits=max_hits, preview=not apply)
    from qualcode.coding.autocode import autocode as find_and_code

    result = find_and_code(p, query, code, **args)
    if apply:
        typer.echo(str(result))
        return
    for h in result.itertuples():
        typer.echo(f"{h.title} [{h.start}:{h.end}] …{h.left}[{h.text}]{h.right}…")
    new = int((~result["already_coded"]).sum())
    hits = "1 hit" if len(result) == 1 else f"{len(result):,} hits"
    typer.echo(f"{hits}, {new:,} not yet coded; add --apply to code them")


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
        str | None,
        typer.Option(
            help="ours|theirs: settle every differing code or attribute, and every delete "
            "on one side with an edit on the other"
        ),
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
    from qualcode.interop.merge import merge_project, parse_pairs

    report = merge_project(
        open_from_cli(project, create=True),
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
