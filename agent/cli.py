"""`contact-center agent start|dev`: run the worker through livekit's own CLI runner."""

from __future__ import annotations

import atexit
import os
import shutil
import sys
import tempfile
from pathlib import Path

import typer

from core.config import get_settings

agent_cli = typer.Typer(help="The AI agent worker (answers calls in LiveKit rooms).",
                        no_args_is_help=True, add_completion=False)


def use_metrics_dir() -> str:
    """prometheus-client's multiprocess mode for the worker and its job processes: each writes
    its metrics to files in this directory, the worker's /metrics adds them up. It must be set
    before prometheus-client is first imported (it picks its value store then): a fresh
    directory per worker (removed when it exits), or PROMETHEUS_MULTIPROC_DIR if set."""
    path = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if not path:
        path = tempfile.mkdtemp(prefix="cc-agent-metrics-")
        atexit.register(shutil.rmtree, path, ignore_errors=True)
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = path
    return path


def run_worker(mode: str, log_level: str | None = None) -> None:
    use_metrics_dir()  # first: before anything imports prometheus-client
    from livekit.agents import cli as lk_cli

    from agent.local_speech import ensure_local_speech
    from agent.providers import describe_mode
    from agent.worker import build_server

    s = get_settings()
    typer.echo(f"agent {s.agent_name!r} -> {s.livekit_url} ({describe_mode(s)})")
    speech = ensure_local_speech(s, Path(s.stack_workdir).parent)
    server = build_server(s)
    # URL and keys go to AgentServer from settings (not argv, where `ps` would show the secret)
    sys.argv = ["contact-center agent", mode, "--log-level", (log_level or s.log_level).upper()]
    if mode == "dev":
        sys.argv.append("--no-reload")
    try:
        lk_cli.run_app(server)
    finally:
        if speech is not None:
            speech.stop()


@agent_cli.command()
def start(log_level: str = typer.Option(None, help="Log level (default LOG_LEVEL)")) -> None:
    """Production mode: job processes kept warm, health on AGENT_HTTP_PORT."""
    run_worker("start", log_level)


@agent_cli.command()
def dev(log_level: str = typer.Option(None, help="Log level (default DEBUG)")) -> None:
    """Development mode: colored logs, no idle processes."""
    run_worker("dev", log_level or "DEBUG")
