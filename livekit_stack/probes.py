"""Health probes for the stack's servers (plain sockets/HTTP, each bounded by a timeout)."""

from __future__ import annotations

import random
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


# Ports handed to servers that start later are taken below the kernel's ephemeral range
# (32768+ here): an outgoing connection can grab an ephemeral port in the gap between
# choosing it and the server binding it.
PORT_RANGE = (12000, 20000)
_given: set[int] = set()


def free_port(host: str, kind: int = socket.SOCK_STREAM, attempts: int = 200) -> int:
    """A port on `host` that is free right now (TCP or UDP), not handed out before."""
    rng = random.Random()
    for _ in range(attempts):
        port = rng.randrange(*PORT_RANGE)
        if port not in _given and port_free(host, port, kind):
            _given.add(port)
            return port
    raise RuntimeError(f"no free port in {PORT_RANGE} on {host}")


def free_even_port_run(host: str, count: int = 4, kind: int = socket.SOCK_DGRAM,
                       attempts: int = 200) -> int:
    """The first (even) of `count` consecutive ports on `host`, all free right now and none
    handed out before: sipp binds its audio RTP port, RTCP (+1) and a video pair (+2, +3)."""
    rng = random.Random()
    for _ in range(attempts):
        port = rng.randrange(PORT_RANGE[0], PORT_RANGE[1] - count + 1) & ~1
        run = range(port, port + count)
        if not _given.intersection(run) and all(port_free(host, p, kind) for p in run):
            _given.update(run)
            return port
    raise RuntimeError(f"no {count} free consecutive ports in {PORT_RANGE} on {host}")


def free_dual_port(host: str, attempts: int = 50) -> int:
    """A port free for both UDP and TCP right now (livekit-sip listens on both)."""
    for _ in range(attempts):
        port = free_port(host, socket.SOCK_DGRAM)
        if port_free(host, port, socket.SOCK_STREAM):
            return port
    raise RuntimeError(f"no port free for both UDP and TCP on {host}")


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
