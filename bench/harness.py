"""Start what the benchmarks measure: the real local stack (Redis, livekit-server,
livekit-sip), a migrated SQLite DB, the agent worker (bench.worker: the product worker plus
metric logging) and the API (`contact-center api`); provision department numbers through the
admin API; read the servers' logs and the worker's memory and CPU from /proc."""

from __future__ import annotations

import dataclasses
import json
import os
import secrets
import sys
import threading
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import httpx

from livekit_stack import LocalStack, StackConfig, StackPorts
from livekit_stack.config import free_udp_block
from livekit_stack.probes import free_port, http_ok
from tests.live_services import ServiceProcess

REPO_ROOT = Path(__file__).resolve().parents[1]
HOST = os.environ.get("CC_TEST_HOST_IP", "127.0.0.1")
PROVIDER_ENV = ("OPENAI_API_KEY", "OPENAI_BASE_URL", "ELEVEN_API_KEY", "TTS_PROVIDER",
                "STT_PROVIDER", "SPEECH_URL", "SPEECH_MODELS", "SPEECH_API_KEY")
ADMIN_KEY = "bench-admin-" + secrets.token_hex(8)
# UK numbers reserved for drama (Ofcom): valid E.164, never a real line
DEPARTMENT_NUMBERS = {"reception": "+442079460301", "sales": "+442079460302",
                      "complaints": "+442079460303"}


def artifacts_dir(name: str = "") -> Path:
    path = REPO_ROOT / "test-artifacts" / f"bench-{time.strftime('%Y%m%d-%H%M%S')}{name}"
    path.mkdir(parents=True, exist_ok=True)
    return path


def start_stack(workdir: Path, rtp_ports: int = 1000) -> LocalStack:
    """The real stack on free ports of HOST, with room for `rtp_ports` RTP ports in
    livekit-sip (the tests' 200 would cap a density run at ~100 calls)."""
    ports = StackPorts.free(HOST)
    start = free_udp_block(HOST, rtp_ports)
    ports = dataclasses.replace(ports, sip_rtp_start=start, sip_rtp_end=start + rtp_ports - 1)
    cfg = StackConfig(host=HOST, ports=ports, api_key="benchkey",
                      api_secret=secrets.token_hex(24), workdir=workdir / "stack",
                      log_level="info")
    return LocalStack(cfg, start_timeout=45).start()


def migrated_db(workdir: Path) -> str:
    from core.migrate import upgrade

    url = f"sqlite:///{workdir / 'cc.db'}"
    upgrade("head", database_url=url)
    return url


def service_env(stack: LocalStack, database_url: str, **extra: str) -> dict[str, str]:
    cfg = stack.cfg
    env = {k: v for k, v in os.environ.items() if k not in PROVIDER_ENV}
    env.update(DATABASE_URL=database_url, LIVEKIT_URL=cfg.livekit_url,
               LIVEKIT_API_KEY=cfg.api_key, LIVEKIT_API_SECRET=cfg.api_secret,
               ADMIN_API_KEY=ADMIN_KEY,
               LOG_LEVEL="INFO", PYTHONUNBUFFERED="1")
    env.update(extra)
    return env


class Service(ServiceProcess):
    """A product process started by the bench (same lifecycle as the tests' services)."""
    base_url = ""


def spawn(argv: list[str], env: dict[str, str], log_path: Path) -> Service:
    service = Service(log_path.stem, argv, env, log_path)
    service.start()
    return service


def start_worker(env: dict[str, str], log_path: Path, module: str = "bench.worker") -> Service:
    """bench.worker (the product's build_server + entrypoint, with metric logging), or
    another worker module (bench.minimal_worker: the floor LiveKit gives)."""
    env = {**env, "AGENT_HTTP_PORT": str(free_port(HOST)),
           "AGENT_METRICS_PORT": str(free_port(HOST))}
    worker = spawn([sys.executable, "-m", module], env, log_path)
    worker.wait_until(lambda: "registered worker" in worker.log_text(), "registered worker", 90)
    return worker


def start_api(env: dict[str, str], log_path: Path) -> Service:
    port = free_port(HOST)
    env = {**env, "API_HOST": HOST, "API_PORT": str(port)}
    api = spawn([str(REPO_ROOT / ".venv/bin/contact-center"), "api"], env, log_path)
    api.base_url = f"http://{HOST}:{port}"
    api.wait_until(lambda: http_ok(f"{api.base_url}/health"), "/health", 45)
    return api


def start_speech(env: dict[str, str], log_path: Path) -> Service:
    """`contact-center speech` on a free port; its OpenAI-compatible URL in `base_url`."""
    port = free_port(HOST)
    speech = spawn([str(REPO_ROOT / ".venv/bin/contact-center"), "speech", "--host", HOST,
                    "--port", str(port)], env, log_path)
    speech.base_url = f"http://{HOST}:{port}/v1"
    speech.wait_until(lambda: http_ok(f"http://{HOST}:{port}/health"), "speech /health", 120)
    return speech


def admin_client(api: Service) -> httpx.Client:
    return httpx.Client(base_url=api.base_url, timeout=30,
                        headers={"Authorization": f"Bearer {ADMIN_KEY}"})


def provision_numbers(api: Service) -> dict[str, str]:
    """One number per department through the admin API (synced to livekit-server)."""
    with admin_client(api) as client:
        depts = {d["slug"]: d for d in client.get("/api/v1/departments").json()["items"]}
        for slug, number in DEPARTMENT_NUMBERS.items():
            resp = client.post("/api/v1/numbers",
                               json={"e164": number, "department_id": depts[slug]["id"]})
            if resp.status_code != 201 or resp.json()["sync_status"] != "synced":
                raise RuntimeError(f"provisioning {number} failed: {resp.text}")
    return dict(DEPARTMENT_NUMBERS)


class Bench:
    """Stack + DB + API + numbers for a benchmark; the worker can be restarted with new env."""

    def __init__(self, name: str, *, rtp_ports: int = 1000) -> None:
        self.dir = artifacts_dir(f"-{name}")
        self.rtp_ports = rtp_ports
        self.stack: LocalStack | None = None
        self.api: Service | None = None
        self.worker: Service | None = None
        self.more_workers: list[Service] = []  # beyond the first, same agent name
        self.speech: Service | None = None
        self.db_url = ""
        self.numbers: dict[str, str] = {}
        self._worker_runs = 0
        self.agent_name = f"cc-bench-{secrets.token_hex(3)}"

    def __enter__(self) -> Bench:
        try:
            self.stack = start_stack(self.dir, self.rtp_ports)
            self.db_url = migrated_db(self.dir)
            self.api = start_api(self.env(), self.dir / "api.log")
            self.numbers = provision_numbers(self.api)
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        for svc in (*self.more_workers, self.worker, self.api, self.speech):
            if svc is not None:
                svc.stop()
        self.worker = self.api = self.speech = None
        self.more_workers = []
        if self.stack is not None:
            self.stack.stop()
            self.stack = None

    def env(self, **extra: str) -> dict[str, str]:
        assert self.stack is not None
        # one agent name: the numbers' dispatch rules (made by the API) name the worker
        return service_env(self.stack, self.db_url, AGENT_NAME=self.agent_name, **extra)

    def start_speech(self, **extra: str) -> str:
        """The local speech service for voice benchmarks; returns the env workers need."""
        if self.speech is None:
            self.speech = start_speech(self.env(**extra), self.dir / "speech.log")
        return self.speech.base_url

    def restart_worker(self, module: str = "bench.worker", **extra: str) -> Service:
        if self.worker is not None:
            self.worker.stop()
        self._worker_runs += 1
        self.worker = start_worker(self.env(**extra),
                                   self.dir / f"worker-{self._worker_runs}.log", module)
        return self.worker

    def start_workers(self, n: int, module: str = "bench.worker", **extra: str) -> list[Service]:
        """`n` fresh workers with the same agent name (livekit-server hands each job to the
        least loaded one): the first is `self.worker`, the others `self.more_workers`."""
        for svc in self.more_workers:
            svc.stop()
        self.more_workers = []
        self.restart_worker(module, **extra)
        for _ in range(n - 1):
            self._worker_runs += 1
            self.more_workers.append(start_worker(
                self.env(**extra), self.dir / f"worker-{self._worker_runs}.log", module))
        return self.workers

    @property
    def workers(self) -> list[Service]:
        return [w for w in (self.worker, *self.more_workers) if w is not None]

    @property
    def sip_log(self) -> Path:
        assert self.stack is not None
        return self.stack.log_dir / "livekit-sip.log"


# ---------------------------------------------------------------- logs

def iso_to_epoch(text: str) -> float:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def worker_events(log_path: Path) -> Iterator[dict]:
    """The worker's JSON log lines, each with `at` (epoch seconds of its timestamp)."""
    with log_path.open(errors="replace") as fh:
        for line in fh:
            if not line.startswith("{"):
                continue
            try:
                ev = json.loads(line)
            except ValueError:
                continue
            ts = ev.get("ts") or (iso_to_epoch(ev["timestamp"]) if "timestamp" in ev else None)
            if ts is not None:
                ev["at"] = float(ts)
                yield ev


def sip_events(log_path: Path, message: str) -> Iterator[dict]:
    """livekit-sip log lines with `message`: their JSON fields plus `at` (epoch seconds)."""
    with log_path.open(errors="replace") as fh:
        for line in fh:
            if message not in line:
                continue
            parts = line.rstrip("\n").split("\t")
            if len(parts) < 5 or parts[4] != message:
                continue
            try:
                fields = json.loads(parts[5]) if len(parts) > 5 else {}
            except ValueError:
                continue
            fields["at"] = iso_to_epoch(parts[0])
            yield fields


# ---------------------------------------------------------------- /proc

def children(pid: int) -> list[int]:
    """Every descendant of `pid` (via /proc/<pid>/task/*/children)."""
    out: list[int] = []
    stack = [pid]
    while stack:
        p = stack.pop()
        try:
            tasks = os.listdir(f"/proc/{p}/task")
        except OSError:
            continue
        for tid in tasks:
            try:
                kids = Path(f"/proc/{p}/task/{tid}/children").read_text().split()
            except OSError:
                continue
            for kid in map(int, kids):
                out.append(kid)
                stack.append(kid)
    return out


def tree(pid: int) -> list[int]:
    return [pid, *children(pid)]


def _status_kb(pid: int, field: str, path: str = "status") -> int:
    try:
        for line in Path(f"/proc/{pid}/{path}").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def rss_mb(pids: list[int]) -> float:
    return sum(_status_kb(p, "VmRSS") for p in pids) / 1024


def pss_mb(pids: list[int]) -> float:
    """Proportional set size: shared pages (forked, libraries) counted once overall."""
    return sum(_status_kb(p, "Pss", "smaps_rollup") for p in pids) / 1024


CLK_TCK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pids: list[int]) -> float:
    """utime+stime of the processes (and of their reaped children)."""
    total = 0
    for p in pids:
        try:
            stat = Path(f"/proc/{p}/stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        total += sum(int(x) for x in fields[11:15])  # utime stime cutime cstime
    return total / CLK_TCK


class Sampler(threading.Thread):
    """Peak memory of the process trees under `roots` (the workers), sampled every `interval`
    seconds (reading smaps_rollup of ~50 processes costs the kernel real time: at 0.5 s it
    took ~15 % of a core from the calls being measured)."""

    def __init__(self, roots: int | list[int], interval: float = 2.0) -> None:
        super().__init__(daemon=True)
        self.roots = [roots] if isinstance(roots, int) else list(roots)
        self.interval = interval
        self.peak_rss = self.peak_pss = 0.0
        self.peak_procs = 0
        self._halt = threading.Event()

    def run(self) -> None:
        while not self._halt.is_set():
            pids = [p for root in self.roots for p in tree(root)]
            self.peak_rss = max(self.peak_rss, rss_mb(pids))
            self.peak_pss = max(self.peak_pss, pss_mb(pids))
            self.peak_procs = max(self.peak_procs, len(pids))
            self._halt.wait(self.interval)

    def stop(self) -> None:
        self._halt.set()
        self.join(timeout=10)


def cpu_snapshot(bench: Bench) -> dict[str, float]:
    """CPU seconds used so far per component: every worker's tree (job processes included),
    livekit-server, livekit-sip, the API, the sipp phones (with espeak/sox for the caller
    audio: children of this process, counted once reaped) and this process (the callers'
    RTP receivers)."""
    assert bench.stack is not None
    snap = {"worker": cpu_seconds([p for w in bench.workers if w.pid is not None
                                   for p in tree(w.pid)])}
    for proc in bench.stack.processes:
        if proc.pid is not None and proc.name in ("livekit-server", "livekit-sip"):
            snap[proc.name] = cpu_seconds([proc.pid])
    if bench.api is not None and bench.api.pid is not None:
        snap["API"] = cpu_seconds(tree(bench.api.pid))
    t = os.times()
    snap["sipp phones"] = t.children_user + t.children_system
    snap["bench ears"] = t.user + t.system  # this process: RTP receivers, sampling
    return snap
