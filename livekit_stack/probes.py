"""Health probes for the stack's servers (plain sockets/HTTP, each bounded by a timeout)."""

from __future__ import annotations

import socket
import urllib.error
import urllib.request


def redis_pong(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1.0) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(64).startswith(b"+PONG")
    except OSError:
        return False


def http_ok(url: str, also: tuple[int, ...] = ()) -> bool:
    """`url` answers 200 (or one of the statuses in `also`)."""
    try:
        with urllib.request.urlopen(url, timeout=1.0) as resp:  # noqa: S310 (local URL)
            return resp.status == 200
    except urllib.error.HTTPError as exc:
        return exc.code in also
    except (urllib.error.URLError, OSError):
        return False


def free_port(host: str, kind: int = socket.SOCK_STREAM) -> int:
    """A port on `host` that is free right now, for TCP or UDP."""
    with socket.socket(socket.AF_INET, kind) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def port_free(host: str, port: int, kind: int = socket.SOCK_STREAM) -> bool:
    """Whether `port` on `host` can be bound right now (TCP or UDP)."""
    with socket.socket(socket.AF_INET, kind) as sock:
        if kind == socket.SOCK_STREAM:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True
