"""schemathesis over /openapi.json of a real `contact-center api` process: every check
(server errors, status codes, response schemas and headers, positive and negative data,
auth, allowed methods, resource state across requests) in every phase, bounded and
deterministic (tests/api/schemathesis.toml) -> zero failures.

The API gets its own migrated SQLite DB (with a call record, so call ids exist), no SIP
auto-sync and no LiveKit (a closed port): the fuzzer may create, change and delete anything
without touching the other tests' data or LiveKit state. /ready therefore answers its
documented 503.

Auth: the admin key is configured, so authorized paths are explored, and the `ignored_auth`
check sends each secured operation again without a key and with a wrong one (their 401s are
asserted below from the server's access log). The public browser-call token endpoints are
not exempted: the document declares their auth optional (TOKEN_REQUIRES_AUTH=false, the
default), which is what they do by design, and the checks hold them to that.
"""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import time
from pathlib import Path

from sqlalchemy.orm import Session

from core.db import make_engine
from core.migrate import upgrade
from livekit_stack.probes import free_port
from tests.conftest import TEST_HOST
from tests.live_services import REPO_ROOT, start_api
from tests.support import factories

CONFIG = Path(__file__).with_name("schemathesis.toml")
TIMEOUT = 600  # a run takes ~40 s on an idle 2-core machine, minutes on a busy one


def _database(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'fuzz.db'}"
    upgrade("head", url)
    engine = make_engine(url)
    with Session(engine) as session:
        factories.call(session, events=3)
    engine.dispose()
    return url


def test_schemathesis_finds_no_failure(tmp_path: Path, artifacts_dir: Path) -> None:
    key = "fuzz-admin-" + secrets.token_hex(8)
    env = {**os.environ, "DATABASE_URL": _database(tmp_path), "SIP_AUTO_SYNC": "false",
           "CALLBACK_SCHEDULER": "false",
           "LIVEKIT_URL": f"http://{TEST_HOST}:{free_port(TEST_HOST)}",
           "ADMIN_API_KEY": key, "TOKEN_REQUIRES_AUTH": "false",
           "TOKEN_RATE_LIMIT_PER_MINUTE": "1000000", "LOG_LEVEL": "INFO"}
    api = start_api(TEST_HOST, env, artifacts_dir, name="api-fuzz")
    started = time.monotonic()
    try:
        run = subprocess.run(
            [str(REPO_ROOT / ".venv/bin/st"), "--no-color", "--config-file", str(CONFIG), "run",
             f"{api.base_url}/openapi.json"],
            cwd=REPO_ROOT, env={**os.environ, "CC_FUZZ_ADMIN_KEY": key}, capture_output=True,
            text=True, timeout=TIMEOUT)
    finally:
        api.stop()
    report = run.stdout + run.stderr
    (artifacts_dir / "schemathesis.txt").write_text(report)
    assert run.returncode == 0, report[-6000:]
    operations = re.search(r"Selected: (\d+)/(\d+)\s+Tested: (\d+)", report)
    assert operations and len(set(operations.groups())) == 1, report[-3000:]
    assert "failures" not in report.splitlines()[-1], report[-3000:]

    unauthorized = [line for line in api.log_text().splitlines()
                    if '"GET /api/v1/' in line and " 401 " in line]
    assert unauthorized, "the run never called an admin endpoint without a valid key"
    print(f"schemathesis: {time.monotonic() - started:.0f} s, {operations.group(1)} operations")
