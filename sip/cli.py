"""`contact-center sip ...`: reconcile LiveKit's SIP trunks and dispatch rules with the DB."""

from __future__ import annotations

import asyncio
import json

import typer
from rich.console import Console
from rich.table import Table

from sip.provisioning.sync import SyncResult

sip_cli = typer.Typer(help="SIP provisioning on LiveKit (trunks, one dispatch rule per number).",
                      no_args_is_help=True)

OP_STYLE = {"create": "green", "update": "yellow", "delete": "red"}


def _changes(changes: dict[str, list]) -> str:
    return "\n".join(f"{name}: {json.dumps(old, ensure_ascii=False)} -> "
                     f"{json.dumps(new, ensure_ascii=False)}" for name, (old, new) in
                     changes.items())


def render(result: SyncResult, console: Console) -> None:
    title = "Plan (dry run, nothing written)" if result.dry_run else "Applied"
    if result.actions:
        table = Table(title=title, show_lines=True)
        for column in ("op", "kind", "name", "livekit id", "changes"):
            table.add_column(column)
        for a in result.actions:
            op = a["op"]
            table.add_row(f"[{OP_STYLE[op]}]{op}[/]", a["kind"], a["name"],
                          a["livekit_id"] or "", _changes(a["changes"]))
        console.print(table)
    elif not result.error:
        console.print(f"{title}: nothing to change")
    console.print(f"in sync: {len(result.in_sync)}  writes: {result.writes}  "
                  f"unmanaged objects left alone: {result.unmanaged_left_alone}")
    for key, error in result.errors.items():
        console.print(f"[red]error[/] {key}: {error}")
    if result.error:
        console.print(f"[red]error[/] {result.error}")


@sip_cli.command()
def sync(dry_run: bool = typer.Option(False, "--dry-run", help="Only show the plan"),
         as_json: bool = typer.Option(False, "--json", help="Print the result as JSON")) -> None:
    """Make LiveKit match the database; exit code 1 if anything could not be synced."""
    from core.config import get_settings
    from core.db import session_scope
    from sip.provisioning import sync_database

    with session_scope() as session:
        result = asyncio.run(sync_database(session, get_settings(), dry_run=dry_run))
    if as_json:
        typer.echo(json.dumps(result.as_dict(), indent=2, ensure_ascii=False))
    else:
        render(result, Console())
    if not result.ok:
        raise typer.Exit(1)
