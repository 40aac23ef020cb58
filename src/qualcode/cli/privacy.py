"""`qualcode redact`: scan for personal data, review the findings, apply pseudonyms.

qualcode redact scan --area hartlepool
qualcode redact list --status pending
qualcode redact accept 3 4 5        qualcode redact accept --kind postcode
qualcode redact reject 7
qualcode redact apply --by dawn
qualcode redact purge --by dawn --yes   # originals out of earlier versions
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from qualcode.cli.options import ProjectOption, open_from_cli
from qualcode.errors import QualcodeError

if TYPE_CHECKING:
    from qualcode.privacy.key import PseudonymKey
    from qualcode.project import Project

app = typer.Typer(
    help="Find personal data, review it, and replace it with pseudonyms.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

KeyOption = Annotated[
    Path | None,
    typer.Option(
        "--key",
        help="Pseudonym key file [default: beside a SQLite project, <project>.key.sqlite]",
        show_default=False,
    ),
]
KindOption = Annotated[
    str | None, typer.Option("--kind", help="Only this kind (person, postcode, phone, ...)")
]


def _key(p: Project, key: Path | None, *, create: bool = False) -> PseudonymKey:
    """The project's key; only `scan` makes one, so the other commands say when none exists."""
    from qualcode.privacy.key import PseudonymKey, default_key_path

    path = key if key is not None else default_key_path(p)
    if not create and not path.is_file():
        raise QualcodeError(
            f"no pseudonym key at {path}: nothing has been scanned yet; run "
            "`qualcode redact scan` first (or give the key with --key PATH)"
        )
    return PseudonymKey.open(p, key)


@app.command("scan")
def scan_(
    area: Annotated[str | None, typer.Option(help="Only this area")] = None,
    project: ProjectOption = None,
    key: KeyOption = None,
) -> None:
    """Find personal data in the current documents; findings wait for review."""
    from qualcode.privacy.redact import scan

    p = open_from_cli(project)
    with _key(p, key, create=True) as k:
        found = scan(p, k, area=area, progress=True)
        typer.echo(f"key: {k.path}")
    if found.empty:
        typer.echo("no personal data found; `qualcode redact apply` marks them pseudonymised")
        return
    counts = found.groupby(["kind", "status"]).size().unstack(fill_value=0)
    typer.echo(counts.to_string())
    pending = int((found["status"] == "pending").sum())
    typer.echo(f"{pending} findings to review: `qualcode redact list`, then accept or reject")


@app.command("list")
def list_(
    status: Annotated[
        str | None, typer.Option(help="pending, accepted, rejected or applied")
    ] = "pending",
    kind: KindOption = None,
    area: Annotated[str | None, typer.Option(help="Only this area")] = None,
    project: ProjectOption = None,
    key: KeyOption = None,
) -> None:
    """Findings with their context (default: those pending review)."""
    from qualcode.privacy.redact import findings_df

    p = open_from_cli(project)
    with _key(p, key) as k:
        frame = findings_df(k, status=status, kind=kind, area=area)
    if frame.empty:
        typer.echo("no findings")
        return
    for i, row in frame.iterrows():
        typer.echo(
            f"{i:>5}  {row['status']:<8} {row['kind']:<13} {row['pseudonym']:<18} "
            f"{row['area']}/{row['document']}: {row['context']}"
        )


def _decide(
    ids: list[int], kind: str | None, accept: bool, project: str | None, key: Path | None
) -> None:
    from qualcode.privacy.redact import accept_kind, decide

    if ids and kind:
        raise QualcodeError("give finding ids (see `qualcode redact list`) or --kind, not both")
    if not ids and not kind:
        raise QualcodeError(
            "say which findings: their ids (see `qualcode redact list`) or --kind KIND"
        )
    p = open_from_cli(project)
    with _key(p, key) as k:
        by = p.user
        n = (
            decide(k, ids, accept=accept, by=by)
            if ids
            else accept_kind(k, kind, accept=accept, by=by)  # type: ignore[arg-type]
        )
    typer.echo(f"{'accepted' if accept else 'rejected'} {n} findings")


@app.command()
def accept(
    ids: Annotated[list[int] | None, typer.Argument(help="Finding ids")] = None,
    kind: KindOption = None,
    project: ProjectOption = None,
    key: KeyOption = None,
) -> None:
    """Accept findings (they will be replaced by their pseudonyms), by id or --kind."""
    _decide(ids or [], kind, True, project, key)


@app.command()
def reject(
    ids: Annotated[list[int] | None, typer.Argument(help="Finding ids")] = None,
    kind: KindOption = None,
    project: ProjectOption = None,
    key: KeyOption = None,
) -> None:
    """Reject findings (the text stays as it is), by id or --kind."""
    _decide(ids or [], kind, False, project, key)


@app.command("apply")
def apply_(
    by: Annotated[
        str | None, typer.Option(help="Who applies, for the audit log [default: $QUALCODE_USER]")
    ] = None,
    project: ProjectOption = None,
    key: KeyOption = None,
) -> None:
    """Make a pseudonymised version of every scanned document; every coding is carried over."""
    from qualcode.privacy.redact import apply

    p = open_from_cli(project)
    with _key(p, key) as k:
        done = apply(p, k, by=by or p.user)
    if done.empty:
        typer.echo("nothing to apply: scan first with `qualcode redact scan`")
        return
    typer.echo(done.drop(columns="document_id").to_string(index=False))


@app.command("purge")
def purge_(
    by: Annotated[
        str | None, typer.Option(help="Who purges, for the audit log [default: $QUALCODE_USER]")
    ] = None,
    area: Annotated[str | None, typer.Option(help="Only this area")] = None,
    yes: Annotated[bool, typer.Option("--yes", help="Purge; without it, only list")] = False,
    project: ProjectOption = None,
) -> None:
    """Remove the original text from earlier versions of pseudonymised documents, so the
    project file itself can be shared."""
    from qualcode.privacy.redact import purge

    p = open_from_cli(project)
    done = purge(p, by=by or p.user, area=area, dry_run=not yes)
    if done.empty:
        typer.echo("nothing to purge: no earlier version of a pseudonymised document holds text")
    else:
        typer.echo(done.drop(columns="document_id").to_string(index=False))
        if not yes:
            typer.echo(f"{len(done)} earlier versions hold original text; --yes removes it")
        else:
            typer.echo(f"purged {len(done)} earlier versions")
    for backup in done.attrs["backups"]:
        typer.echo(
            f"note: {backup} is a backup from a schema upgrade and still holds the original "
            "texts; purge does not touch it: delete it, or keep it apart, before sharing"
        )
