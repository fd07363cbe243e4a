"""`contact-center` command line: api, migrate, stack, dev, eval (and more as features land)."""

from __future__ import annotations

import signal
import time
from pathlib import Path
from urllib.parse import urlparse

import typer

from core.config import Settings, get_settings
from core.logging import show_logs

cli = typer.Typer(help="AI phone contact center on LiveKit.", no_args_is_help=True,
                  add_completion=False)


def _raise_interrupt(*_: object) -> None:
    raise KeyboardInterrupt


def _ignore_signals() -> None:
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, signal.SIG_IGN)


def _stop_on_signals() -> None:
    """Ctrl-C and SIGTERM stop everything, also when started as a background job (which
    inherits SIGINT as ignored)."""
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, _raise_interrupt)


@cli.command()
def api(host: str = typer.Option(None, help="Bind address (default API_HOST)"),
        port: int = typer.Option(None, help="Port (default API_PORT)")) -> None:
    """Serve the admin API, token endpoint and test-call page."""
    import uvicorn

    s = get_settings()
    uvicorn.run("app.main:app", host=host or s.api_host, port=port or s.api_port,
                log_level=s.log_level.lower())


@cli.command()
def speech(host: str = typer.Option(None, help="Bind address (default SPEECH_HOST)"),
           port: int = typer.Option(None, help="Port (default SPEECH_PORT)"),
           exit_with_parent: bool = typer.Option(False, hidden=True,
                                                 help="Exit when the starting process does")
           ) -> None:
    """Serve local speech recognition (Whisper over the OpenAI transcription API)."""
    import uvicorn

    from speech.service import create_app, exit_when_orphaned

    s = get_settings()
    show_logs(("contact_center.speech",), s.log_level)
    if exit_with_parent:
        exit_when_orphaned()
    uvicorn.run(create_app(s), host=host or s.speech_host, port=port or s.speech_port,
                log_level=s.log_level.lower())


@cli.command()
def migrate(revision: str = typer.Argument("head", help="Target revision")) -> None:
    """Apply database migrations (creates and seeds the schema on first run)."""
    from core.migrate import upgrade

    upgrade(revision)
    typer.echo(f"database migrated to {revision}")


def stack_config(s: Settings, nodes: int = 1):  # type: ignore[no-untyped-def]
    from app.supervision.webhook import LIVEKIT_WEBHOOK_PATH
    from livekit_stack import ServerNode, StackConfig, StackPorts

    lk_port = urlparse(s.livekit_url).port or 7880
    ports = StackPorts(redis=s.stack_redis_port, livekit=lk_port, rtc_tcp=lk_port + 1,
                       rtc_udp=lk_port + 2, sip=s.stack_sip_port)
    return StackConfig(
        host=s.stack_host,
        ports=ports,
        api_key=s.livekit_api_key,
        api_secret=s.livekit_api_secret.get_secret_value(),
        workdir=Path(s.stack_workdir),
        # call supervision: the API learns from livekit-server who joins and leaves rooms
        webhook_urls=(f"http://{s.api_host}:{s.api_port}{LIVEKIT_WEBHOOK_PATH}",),
        extra_nodes=tuple(ServerNode(s.stack_host, ports.for_node(i)) for i in range(1, nodes)),
    )


def _start_stack(s: Settings, nodes: int = 1):  # type: ignore[no-untyped-def]
    from livekit_stack import LocalStack

    local = LocalStack(stack_config(s, nodes)).start()
    for key, value in local.describe().items():
        if key == "LIVEKIT_API_SECRET" and s.environment != "dev":
            value = "(from settings, not shown)"  # only the local dev secret is printed
        typer.echo(f"  {key:<20} {value}")
    return local


def worker_env(s: Settings, local, index: int) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """Worker `index` (0-based) of the local stack: registers through node index % nodes, on
    ports 100 apart from the settings' (AGENT_HTTP_PORT, AGENT_METRICS_PORT)."""
    nodes = local.cfg.nodes
    return {"LIVEKIT_URL": nodes[index % len(nodes)].livekit_url,
            "AGENT_HTTP_PORT": str(s.agent_http_port + 100 * index),
            "AGENT_METRICS_PORT": str(s.agent_metrics_port + 100 * index
                                      if s.agent_metrics_port else 0)}


def _start_workers(s: Settings, local, count: int) -> None:  # type: ignore[no-untyped-def]
    """`contact-center agent start` x count, stopped with the stack. The first is up (its
    health port answers: it started the local speech service if one was needed) before the
    others start, so they share that service."""
    import sys

    from livekit_stack.probes import http_ok
    from livekit_stack.processes import ManagedProcess, wait_until

    for index in range(count):
        env = worker_env(s, local, index)
        name = "agent" if index == 0 else f"agent-{index + 1}"
        worker = ManagedProcess(name, [sys.executable, "-m", "cli.main", "agent", "start"],
                                local.log_dir / f"{name}.log", env=env)
        worker.start()
        local.processes.append(worker)  # stopped with the stack, first
        typer.echo(f"  {'agent worker':<20} {s.agent_name} -> {env['LIVEKIT_URL']} "
                   f"(metrics :{env['AGENT_METRICS_PORT']}, log {worker.log_path})")
        if index == 0 and count > 1:
            wait_until(lambda p=env["AGENT_HTTP_PORT"]: http_ok(f"http://{s.stack_host}:{p}/"),
                       what="the first agent worker", timeout=180, process=worker)


@cli.command()
def stack(nodes: int = typer.Option(None, help="livekit-server nodes, each with a "
                                    "livekit-sip (default STACK_NODES)"),
          workers: int = typer.Option(None, help="Agent workers to start with the stack "
                                      "(default STACK_WORKERS)")) -> None:
    """Run Redis + livekit-server + livekit-sip locally until Ctrl-C (several nodes on the one
    Redis with --nodes; agent workers with --workers)."""
    s = get_settings()
    nodes = s.stack_nodes if nodes is None else nodes
    workers = s.stack_workers if workers is None else workers
    _stop_on_signals()
    local = None
    try:  # everything after the first signal handler is inside: Ctrl-C at any point stops all
        local = _start_stack(s, nodes)
        if workers:
            from core.migrate import upgrade

            upgrade("head")  # the workers write heartbeats and call records
            _start_workers(s, local, workers)
        typer.echo("stack is up; Ctrl-C stops it")
        while all(p.exited() is None for p in local.processes):
            time.sleep(0.5)
        typer.echo("a stack process exited; stopping", err=True)
        raise typer.Exit(1)
    except KeyboardInterrupt:
        pass
    finally:
        _ignore_signals()  # a second Ctrl-C must not cut the shutdown short
        if local is not None:
            local.stop()
        typer.echo("stack stopped")


@cli.command()
def dev() -> None:
    """Everything for local development: stack, migrations, agent worker, API (Ctrl-C stops
    all)."""
    import uvicorn

    from core.migrate import upgrade

    s = get_settings()
    _stop_on_signals()
    upgrade("head")
    local = _start_stack(s)
    _start_workers(s, local, 1)
    try:
        typer.echo(f"  {'API':<20} http://{s.api_host}:{s.api_port}  (test call: /call)")
        _announce_when_ready(f"http://{s.api_host}:{s.api_port}")
        uvicorn.run("app.main:app", host=s.api_host, port=s.api_port,
                    log_level=s.log_level.lower())
    except KeyboardInterrupt:
        pass
    finally:
        local.stop()
        typer.echo("stopped")


def _announce_when_ready(base: str, timeout: float = 180.0) -> None:
    """Say "ready for calls" once /ready is green (an agent worker registered, LiveKit up),
    from a thread while uvicorn serves; or say what is missing when it never is."""
    import json
    import threading
    import urllib.error
    import urllib.request

    def watch() -> None:
        deadline = time.monotonic() + timeout
        body = ""
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{base}/ready", timeout=3) as resp:  # noqa: S310
                    capacity = json.loads(resp.read()).get("capacity") or {}
                    typer.echo(f"ready for calls: {capacity.get('workers')} agent worker(s), "
                               f"{capacity.get('free_calls')} free lines; {base}/call")
                    return
            except urllib.error.HTTPError as exc:
                body = exc.read().decode(errors="replace")
            except OSError:
                pass
            time.sleep(0.5)
        typer.echo(f"not ready for calls after {timeout:.0f} s: {body}", err=True)

    threading.Thread(target=watch, name="ready-watch", daemon=True).start()


@cli.command("eval")
def evaluate(sweep: bool = typer.Option(False, help="Also evaluate other thresholds"),
             compare: bool = typer.Option(False, help="Also compare the classifiers measured"),
             misses: bool = typer.Option(False, help="List every held-out phrasing missed"),
             held: list[str] = typer.Option(  # noqa: B008 (typer's way)
                 [], "--set", help="Held-out set(s): v1, v2 (default: all)")
             ) -> None:
    """Evaluate routing and knowledge answers on the held-out phrasings (bench/data/) and
    print the tables (same as `python -m bench.nlu`; needs the repository's bench/)."""
    try:
        from bench import nlu as bench_nlu
    except ImportError as exc:
        typer.echo(f"the evaluation needs the repository checkout (bench/): {exc}", err=True)
        raise typer.Exit(2) from exc
    argv = [flag for flag, on in (("--sweep", sweep), ("--compare", compare),
                                  ("--misses", misses)) if on]
    argv += [arg for name in held for arg in ("--set", name)]
    bench_nlu.main(argv, echo=typer.echo)


def _add_agent_commands() -> None:
    from agent.cli import agent_cli

    cli.add_typer(agent_cli, name="agent")


_add_agent_commands()


def _add_sip_commands() -> None:
    from sip.cli import sip_cli

    cli.add_typer(sip_cli, name="sip")


_add_sip_commands()


def _add_calls_commands() -> None:
    from app.calls.cli import calls_cli

    cli.add_typer(calls_cli, name="calls")


_add_calls_commands()


def main() -> None:
    cli()


if __name__ == "__main__":
    main()
