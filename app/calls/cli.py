"""`contact-center calls purge`: delete expired call records now (the API also does it
periodically when CALL_RETENTION_DAYS is set)."""

from __future__ import annotations

import typer

from app.calls.retention import purge_expired
from core.config import get_settings

calls_cli = typer.Typer(help="Call records.", no_args_is_help=True, add_completion=False)


@calls_cli.command()
def purge(days: int = typer.Option(None, min=1, help="Override CALL_RETENTION_DAYS")) -> None:
    """Delete ended calls (records, events, transcripts) older than the retention period."""
    keep_days = days or get_settings().call_retention_days
    if not keep_days:
        typer.echo("CALL_RETENTION_DAYS is 0 (keep forever): nothing purged; "
                   "pass --days N to purge anyway")
        return
    deleted = purge_expired(keep_days)
    typer.echo(f"deleted {deleted} call records and finished callbacks that ended more than "
               f"{keep_days} days ago")
