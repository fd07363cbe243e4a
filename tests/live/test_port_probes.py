"""Ports for the test phones: sipp binds its RTP port and the three after it (RTCP, a video
pair), so all four must be free — a video port that fell on livekit-sip's SIP port once made
a call fail to start (`Unable to bind video RTP socket ... Address already in use`)."""

from __future__ import annotations

import socket

import pytest

from livekit_stack import probes
from livekit_stack.probes import free_even_port_run, port_free


def test_an_rtp_run_is_even_free_and_never_handed_out_twice() -> None:
    host = "127.0.0.1"
    runs = [free_even_port_run(host) for _ in range(50)]
    for port in runs:
        assert port % 2 == 0
        assert all(port_free(host, p, socket.SOCK_DGRAM) for p in range(port, port + 4))
    ports = [p for port in runs for p in range(port, port + 4)]
    assert len(ports) == len(set(ports))


def test_a_run_skips_a_port_in_use(monkeypatch: pytest.MonkeyPatch) -> None:
    host = "127.0.0.1"
    start = next(p for p in range(16000, 19000, 8)
                 if all(port_free(host, q, socket.SOCK_DGRAM) for q in range(p, p + 8)))
    monkeypatch.setattr(probes, "PORT_RANGE", (start, start + 8))
    monkeypatch.setattr(probes, "_given", set())
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sip:  # a server's port
        sip.bind((host, start + 2))
        assert free_even_port_run(host) == start + 4  # the only run of four around it
