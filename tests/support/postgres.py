"""A private PostgreSQL server for the tests: Debian's postgresql-15 binaries, a fresh data dir
owned by `postgres`, a free port on the test host, stopped in teardown.

Missing binaries are a test failure, never a skip: the Postgres leg is part of the suite.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

from livekit_stack.probes import free_port

PG_BIN = Path(os.environ.get("CC_PG_BIN", "/usr/lib/postgresql/15/bin"))


class PostgresUnavailable(RuntimeError):
    pass


def _as_postgres(*argv: str, **kw) -> subprocess.CompletedProcess:  # type: ignore[no-untyped-def]
    return subprocess.run(["runuser", "-u", "postgres", "--", *argv], check=True,
                          capture_output=True, text=True, **kw)


@dataclass
class PostgresServer:
    host: str
    port: int = 0
    root: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="cc-pg-")))
    process: subprocess.Popen | None = None

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def log_path(self) -> Path:
        return self.root / "postgres.log"

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@{self.host}:{self.port}/{database}"

    def start(self, timeout: float = 30.0) -> PostgresServer:
        for tool in ("initdb", "postgres"):
            if not (PG_BIN / tool).exists():
                raise PostgresUnavailable(f"{PG_BIN / tool} is missing: install postgresql-15")
        try:
            user = pwd.getpwnam("postgres")
        except KeyError:
            raise PostgresUnavailable("there is no 'postgres' user to run the server") from None
        os.chown(self.root, user.pw_uid, user.pw_gid)
        _as_postgres(str(PG_BIN / "initdb"), "-D", str(self.data_dir), "-A", "trust",
                     "-U", "postgres", "-E", "UTF8", "--no-sync")
        with open(self.data_dir / "pg_hba.conf", "a") as hba:  # initdb trusts loopback only
            hba.write(f"host all postgres {self.host}/32 trust\n")
        self.port = free_port(self.host)
        log = open(self.log_path, "ab")  # noqa: SIM115 (kept open for the server's lifetime)
        self.process = subprocess.Popen(
            ["runuser", "-u", "postgres", "--", str(PG_BIN / "postgres"), "-D",
             str(self.data_dir), "-k", str(self.root), "-h", self.host, "-p", str(self.port),
             "-c", "fsync=off", "-c", "full_page_writes=off"],
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        self._wait_ready(timeout)
        return self

    def _wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        last: Exception | None = None
        while time.monotonic() < deadline:
            if self.process and self.process.poll() is not None:
                raise PostgresUnavailable(f"postgres exited: {self.log_path.read_text()[-2000:]}")
            try:
                with psycopg.connect(host=self.host, port=self.port, user="postgres",
                                     dbname="postgres", connect_timeout=2):
                    return
            except psycopg.OperationalError as exc:
                last = exc
                time.sleep(0.1)
        self.stop()
        raise PostgresUnavailable(f"postgres not ready within {timeout}s: {last}")

    def create_database(self, name: str) -> str:
        with psycopg.connect(host=self.host, port=self.port, user="postgres",
                             dbname="postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()  # SIGTERM: smart shutdown
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        self.process = None
        shutil.rmtree(self.root, ignore_errors=True)
