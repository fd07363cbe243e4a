"""Token endpoint throughput: POST /api/v1/token against one `contact-center api` process
(uvicorn, SQLite, the rate limit raised to TOKEN_RATE_LIMIT_PER_MINUTE=10000000 for the
bench), driven by an httpx client in this process with C requests in flight. Bounded: R
requests per concurrency level and at most `--max-seconds` each. The load generator shares
the 2 cores with the server, so the numbers are a floor for the endpoint itself.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import time
from collections import Counter
from dataclasses import dataclass, field

import httpx

from bench.harness import HOST, artifacts_dir, cpu_seconds, migrated_db, start_api, tree
from bench.tables import markdown_table, percentile

BODY = {"department": "sales", "language": "en", "participant_name": "Bench"}


@dataclass
class Level:
    concurrency: int
    requests: int = 0
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    statuses: Counter = field(default_factory=Counter)
    server_cpu: float = 0.0

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


async def drive(base_url: str, concurrency: int, total: int, max_seconds: float) -> Level:
    level = Level(concurrency)
    deadline = time.monotonic() + max_seconds
    issued = 0
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=base_url, timeout=10, limits=limits) as client:
        await client.post("/api/v1/token", json=BODY)  # warm-up (DB connection, imports)

        async def user() -> None:
            nonlocal issued
            while issued < total and time.monotonic() < deadline:
                issued += 1
                started = time.perf_counter()
                try:
                    resp = await client.post("/api/v1/token", json=BODY)
                    level.statuses[resp.status_code] += 1
                except httpx.HTTPError as exc:
                    level.statuses[type(exc).__name__] += 1
                level.latencies.append(time.perf_counter() - started)

        started = time.perf_counter()
        await asyncio.gather(*(user() for _ in range(concurrency)))
        level.seconds = time.perf_counter() - started
    level.requests = len(level.latencies)
    return level


def report(levels: list[Level]) -> str:
    rows = []
    for lv in levels:
        ok = lv.statuses.get(201, 0)
        rows.append([lv.concurrency, lv.requests, ok, lv.rps,
                     percentile(lv.latencies, 50) * 1000, percentile(lv.latencies, 95) * 1000,
                     percentile(lv.latencies, 99) * 1000, max(lv.latencies) * 1000,
                     100 * lv.server_cpu / lv.seconds])
    return ("### Token endpoint (POST /api/v1/token, one API process)\n\n" + markdown_table(
        ["in flight", "requests", "201s", "req/s", "p50 ms", "p95 ms", "p99 ms", "max ms",
         "API CPU %"], rows, digits=1))


def run(concurrency: list[int] | None = None, requests: int = 2000,
        max_seconds: float = 30.0) -> str:
    workdir = artifacts_dir("-token")
    env = {"DATABASE_URL": migrated_db(workdir), "LOG_LEVEL": "WARNING",
           "TOKEN_RATE_LIMIT_PER_MINUTE": "10000000", "ADMIN_API_KEY": secrets.token_hex(16),
           # the endpoint only signs a JWT naming this URL; nothing connects to it
           "LIVEKIT_URL": f"ws://{HOST}:7880", "LIVEKIT_API_KEY": "benchkey",
           "LIVEKIT_API_SECRET": secrets.token_hex(24)}
    api = start_api({**os.environ, **env}, workdir / "api.log")
    try:
        levels = []
        for c in concurrency or [1, 8, 32]:
            pids = tree(api.pid)
            cpu0 = cpu_seconds(pids)
            level = asyncio.run(drive(api.base_url, c, requests, max_seconds))
            level.server_cpu = cpu_seconds(pids) - cpu0
            levels.append(level)
        return report(levels)
    finally:
        api.stop()


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--concurrency", default="1,8,32", help="requests in flight, per level")
    p.add_argument("--requests", type=int, default=2000, help="requests per level")
    p.add_argument("--max-seconds", type=float, default=30.0, help="time bound per level")
    args = p.parse_args()
    print(run([int(c) for c in args.concurrency.split(",")], args.requests, args.max_seconds),
          flush=True)


if __name__ == "__main__":
    main()
