"""A real webhook receiver for tests: an HTTP server on the test address that checks every
request's signature with the verification snippet the README documents (read from the
README itself, so the documented code is the code that is tested) and keeps what it got.
It can be down (not listening: connection refused) and come back on the same port."""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from livekit_stack.probes import free_port

README = Path(__file__).resolve().parents[2] / "README.md"
SNIPPET = re.compile(r"<!-- webhook-verification -->\s*```python\n(.*?)```", re.S)


def documented_verify() -> Callable[[str, dict[str, str], bytes], bool]:
    """`verify(secret, headers, body)` exactly as README.md shows it."""
    match = SNIPPET.search(README.read_text())
    assert match, "README.md has no webhook verification snippet"
    scope: dict[str, Any] = {}
    exec(compile(match.group(1), "README.md (webhook verification)", "exec"), scope)
    return scope["verify"]  # type: ignore[no-any-return]


@dataclass
class Delivery:
    headers: dict[str, str]
    body: bytes
    verified: bool
    answered: int  # the status the receiver answered with

    @property
    def event(self) -> dict[str, Any]:
        return json.loads(self.body)  # type: ignore[no-any-return]


@dataclass
class Receiver:
    host: str
    secret: str = ""
    status: int = 204
    port: int = 0
    got: list[Delivery] = field(default_factory=list)
    _server: ThreadingHTTPServer | None = None

    def __post_init__(self) -> None:
        self.port = self.port or free_port(self.host)
        self._verify = documented_verify()

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}/hooks/contact-center"

    def up(self) -> Receiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                headers = {k.lower(): v for k, v in self.headers.items()}
                ok = receiver._verify(receiver.secret, headers, body)
                answer = receiver.status if ok else 401
                receiver.got.append(Delivery(headers, body, ok, answer))
                self.send_response(answer)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer((self.host, self.port), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def down(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def events(self) -> list[dict[str, Any]]:
        """Bodies of the accepted (verified, answered 2xx) deliveries, in arrival order."""
        return [d.event for d in self.got if d.verified and 200 <= d.answered < 300]

    def wait_for(self, check: Callable[[Receiver], bool], what: str,
                 timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while not check(self):
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {what}; got {len(self.got)}")
            time.sleep(0.1)
