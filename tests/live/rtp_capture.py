"""What the caller heard: a small RTP receiver standing in for the phone's earpiece.

The caller's SDP advertises this receiver's port, so livekit-sip sends the call's downlink
audio here. G.711 u-law payloads are decoded and measured per packet."""

from __future__ import annotations

import asyncio
import socket
import struct
import time
from dataclasses import dataclass, field

import numpy as np


def _ulaw_table() -> np.ndarray:
    codes = np.arange(256, dtype=np.int32) ^ 0xFF
    sign = codes & 0x80
    exponent = (codes >> 4) & 0x07
    mantissa = codes & 0x0F
    magnitude = ((mantissa << 3) + 0x84) << exponent
    return np.where(sign != 0, 0x84 - magnitude, magnitude - 0x84).astype(np.int16)


ULAW = _ulaw_table()


def rtp_payload(packet: bytes) -> tuple[int, bytes] | None:
    """(payload type, payload) of an RTP packet, or None if it is not RTP v2."""
    if len(packet) < 12 or packet[0] >> 6 != 2:
        return None
    csrc = packet[0] & 0x0F
    offset = 12 + 4 * csrc
    if packet[0] & 0x10:  # header extension
        (words,) = struct.unpack_from("!H", packet, offset + 2)
        offset += 4 + 4 * words
    end = len(packet)
    if packet[0] & 0x20:  # padding
        end -= packet[-1]
    return packet[1] & 0x7F, packet[offset:end]


@dataclass
class CallerEar(asyncio.DatagramProtocol):
    loud_threshold: float = 500.0
    packets: int = 0
    loud_packets: int = 0
    first_packet_at: float | None = None
    first_loud_at: float | None = None
    payload_types: set[int] = field(default_factory=set)
    pcm: list[np.ndarray] = field(default_factory=list)

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        parsed = rtp_payload(data)
        if parsed is None:
            return
        pt, payload = parsed
        now = time.monotonic()
        self.packets += 1
        self.payload_types.add(pt)
        self.first_packet_at = self.first_packet_at or now
        if pt != 0 or not payload:
            return
        samples = ULAW[np.frombuffer(payload, dtype=np.uint8)]
        self.pcm.append(samples)
        if float(np.sqrt(np.mean(samples.astype(np.float64) ** 2))) > self.loud_threshold:
            self.loud_packets += 1
            self.first_loud_at = self.first_loud_at or now

    def heard_seconds(self) -> float:
        """Seconds of non-silent audio received (20 ms packets)."""
        return self.loud_packets * 0.02


async def open_ear(host: str) -> tuple[asyncio.DatagramTransport, CallerEar, int]:
    """Bind a receiver on an even port of `host`; returns (transport, ear, port)."""
    loop = asyncio.get_running_loop()
    for _ in range(100):
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.bind((host, 0))
        port = sock.getsockname()[1]
        if port % 2 == 0:
            transport, ear = await loop.create_datagram_endpoint(CallerEar, sock=sock)
            return transport, ear, port
        sock.close()
    raise RuntimeError("no even UDP port for the RTP receiver")
