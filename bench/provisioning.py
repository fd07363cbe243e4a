"""Provisioning scale: `sip.provisioning.sync_database` (what `contact-center sip sync` and
the admin API run) of 10, 100 and 1,000 numbers into the real livekit-server.

For each size: a fresh migrated SQLite DB holding N numbers (round-robin over the seeded
departments, no explicit trunk: one managed default inbound trunk plus one dispatch rule per
number), LiveKit emptied of managed objects (cold), then a timed sync, then a timed
re-sync with nothing changed, which must make zero writes. API calls are counted on the
wire (aiohttp request trace of the livekit-api client the sync uses), writes by the sync.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from dataclasses import dataclass

import aiohttp
from livekit import api
from pydantic import SecretStr
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

import sip.provisioning.sync as sync_module
from bench.harness import artifacts_dir, migrated_db, start_stack
from bench.tables import markdown_table
from core.config import Settings
from core.models import Department, PhoneNumber
from livekit_stack import LocalStack
from sip.provisioning import sync_database
from tests.support.livekit import delete_managed


@dataclass
class SyncRun:
    numbers: int
    kind: str  # cold | re-sync
    seconds: float
    api_calls: int
    writes: int
    ok: bool
    rules_after: int


class CountingClients:
    """Replaces the sync's LiveKit client factory with one whose HTTP session counts requests."""

    def __init__(self) -> None:
        self.requests = 0
        self._original = sync_module.livekit_client

    def __enter__(self) -> CountingClients:
        def factory(settings: Settings) -> api.LiveKitAPI:
            trace = aiohttp.TraceConfig()

            async def on_start(*_: object) -> None:
                self.requests += 1
            trace.on_request_start.append(on_start)
            session = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=settings.livekit_timeout_seconds),
                trace_configs=[trace])
            client = api.LiveKitAPI(settings.livekit_url, settings.livekit_api_key,
                                    settings.livekit_api_secret.get_secret_value(),
                                    session=session, failover=False)
            original_close = client.aclose

            async def aclose() -> None:
                await original_close()
                await session.close()
            client.aclose = aclose  # type: ignore[method-assign]
            return client

        sync_module.livekit_client = factory  # type: ignore[assignment]
        return self

    def __exit__(self, *exc: object) -> None:
        sync_module.livekit_client = self._original


def seed_numbers(url: str, count: int) -> None:
    engine = create_engine(url)
    with Session(engine) as db:
        depts = list(db.scalars(select(Department).order_by(Department.id)))
        for i in range(count):  # +44 20 7946 0xxx: Ofcom's drama range, 1,000 numbers
            db.add(PhoneNumber(e164=f"+44207946{i:04d}", department_id=depts[i % len(depts)].id))
        db.commit()
    engine.dispose()


async def _sync_once(url: str, settings: Settings, numbers: int, kind: str,
                     lk: api.LiveKitAPI) -> SyncRun:
    engine = create_engine(url)
    try:
        with Session(engine) as db, CountingClients() as counter:
            started = time.perf_counter()
            result = await sync_database(db, settings)
            seconds = time.perf_counter() - started
    finally:
        engine.dispose()
    rules = await lk.sip.list_dispatch_rule(api.ListSIPDispatchRuleRequest())
    return SyncRun(numbers, kind, seconds, counter.requests, result.writes, result.ok,
                   len(rules.items))


async def measure(stack: LocalStack, sizes: list[int], workdir) -> list[SyncRun]:  # type: ignore[no-untyped-def]
    cfg = stack.cfg
    runs: list[SyncRun] = []
    async with api.LiveKitAPI(cfg.livekit_http_url, cfg.api_key, cfg.api_secret) as lk:
        for n in sizes:
            await delete_managed(lk)
            d = workdir / f"db-{n}"
            d.mkdir(exist_ok=True)
            url = migrated_db(d)
            seed_numbers(url, n)
            settings = Settings(database_url=url, livekit_url=cfg.livekit_http_url,
                                livekit_api_key=cfg.api_key,
                                livekit_api_secret=SecretStr(cfg.api_secret),
                                livekit_timeout_seconds=30.0, agent_name="cc-bench-sync")
            runs.append(await _sync_once(url, settings, n, "cold", lk))
            runs.append(await _sync_once(url, settings, n, "re-sync (no change)", lk))
        await delete_managed(lk)
    return runs


def report(runs: list[SyncRun]) -> str:
    rows = [[r.numbers, r.kind, r.seconds * 1000, r.api_calls, r.writes, r.rules_after,
             r.ok] for r in runs]
    return ("### Provisioning sync against livekit-server\n\n" + markdown_table(
        ["numbers", "sync", "time ms", "API calls", "writes", "rules after", "ok"], rows))


def run(sizes: list[int] | None = None) -> str:
    workdir = artifacts_dir("-provisioning")
    stack = start_stack(workdir, rtp_ports=20)
    try:
        return report(asyncio.run(measure(stack, sizes or [10, 100, 1000], workdir)))
    finally:
        stack.stop()


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--sizes", default="10,100,1000",
                   help="comma-separated numbers of phone numbers (at most 1000)")
    args = p.parse_args()
    sizes = [int(x) for x in args.sizes.split(",")]
    if max(sizes) > 1000:
        p.error("at most 1000 numbers (the Ofcom drama range)")
    print(run(sizes), flush=True)


if __name__ == "__main__":
    main()
