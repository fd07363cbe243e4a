"""The phone's handset: an RTP receiver standing in for its earpiece, and a sender for its
mouthpiece on the same socket (symmetric RTP, as phones do).

The caller's SDP advertises this receiver's port, so livekit-sip sends the call's downlink
audio here. G.711 u-law payloads are decoded and measured per packet. `CallerMouth` speaks
into the call from that port (20 ms u-law packets, silence between phrases), so a test can
talk when it chooses: after the greeting, or over it to interrupt."""

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
    last_loud_at: float | None = None
    payload_types: set[int] = field(default_factory=set)
    pcm: list[np.ndarray] = field(default_factory=list)
    peer: tuple[str, int] | None = None  # where livekit-sip sends from (and listens)
    transport: asyncio.DatagramTransport | None = None
    loud_times: list[float] = field(default_factory=list)
    # (arrival time, samples) of every PCMU packet: which tones were heard when
    timeline: list[tuple[float, np.ndarray]] = field(default_factory=list)
    # (arrival time, RTP sequence number) of every packet: loss and gaps (bench/rtp_quality.py)
    arrivals: list[tuple[float, int]] = field(default_factory=list)

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        parsed = rtp_payload(data)
        if parsed is None:
            return
        pt, payload = parsed
        now = time.monotonic()
        self.packets += 1
        self.arrivals.append((now, struct.unpack_from("!H", data, 2)[0]))
        self.payload_types.add(pt)
        self.peer = self.peer or addr
        self.first_packet_at = self.first_packet_at or now
        if pt != 0 or not payload:
            return
        samples = ULAW[np.frombuffer(payload, dtype=np.uint8)]
        self.pcm.append(samples)
        self.timeline.append((now, samples))
        if float(np.sqrt(np.mean(samples.astype(np.float64) ** 2))) > self.loud_threshold:
            self.loud_packets += 1
            self.first_loud_at = self.first_loud_at or now
            self.last_loud_at = now
            self.loud_times.append(now)

    def heard_seconds(self) -> float:
        """Seconds of non-silent audio received (20 ms packets)."""
        return self.loud_packets * 0.02

    def tone_times(self, freq: float, since: float = 0.0, until: float = float("inf"),
                   share: float = 0.3) -> list[float]:
        """Arrival times of the packets between `since` and `until` in which a tone of `freq`
        Hz carries at least `share` of the energy (and the packet is not silent): whose audio
        a phone hears, when every party speaks at its own frequency."""
        return [at for at, samples in self.timeline if since <= at <= until
                and tone_share(samples, freq) >= share
                and float(np.sqrt(np.mean(samples.astype(np.float64) ** 2))) > 200]

    def first_loud_after(self, moment: float) -> float | None:
        return next((t for t in self.loud_times if t > moment), None)

    async def wait_until_quiet(self, *, heard: float = 1.0, quiet: float = 1.2,
                               timeout: float = 45.0) -> float:
        """Wait until at least `heard` seconds of audio arrived and then `quiet` seconds of
        silence (the agent finished speaking); returns when its last sound arrived."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            last = self.last_loud_at
            if self.heard_seconds() >= heard and last and time.monotonic() - last >= quiet:
                return last
            await asyncio.sleep(0.05)
        raise AssertionError(f"no pause after {self.heard_seconds():.1f} s of audio heard "
                             f"within {timeout:.0f} s")

    async def wait_until_heard(self, seconds: float, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while self.heard_seconds() < seconds:
            if time.monotonic() > deadline:
                raise AssertionError(f"heard only {self.heard_seconds():.1f} s of audio")
            await asyncio.sleep(0.02)


def tone_share(samples: np.ndarray, freq: float, rate: int = 8000) -> float:
    """The share of a packet's energy within 110 Hz of `freq` (20 ms: 50 Hz bins; a Hann
    window spreads a tone over ±2 bins)."""
    data = samples.astype(np.float64)
    spectrum = np.abs(np.fft.rfft(data * np.hanning(data.size))) ** 2
    bins = np.fft.rfftfreq(data.size, 1 / rate)
    total = float(spectrum.sum())
    return float(spectrum[np.abs(bins - freq) <= 110].sum()) / total if total else 0.0


SILENCE_ULAW = b"\xff" * 160  # 20 ms of u-law silence


class CallerMouth:
    """Sends 20 ms u-law RTP packets from the ear's socket to livekit-sip: silence, or what
    it was asked to say. Returns from `say` when the last voiced packet went out."""

    def __init__(self, ear: CallerEar, loud_threshold: float = 500.0) -> None:
        self.ear = ear
        self.loud_threshold = loud_threshold
        self._speech: asyncio.Queue[tuple[bytes, asyncio.Future[float]]] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None
        self._seq, self._ts, self._ssrc = 1, 0, 0x5EED0001

    def start(self) -> None:
        self._task = asyncio.create_task(self._send_loop())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    async def say(self, ulaw: bytes) -> float:
        """Speak `ulaw` (raw 8 kHz u-law); returns the time its last voiced packet was sent."""
        done: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        await self._speech.put((ulaw, done))
        return await done

    def _packet(self, payload: bytes, marker: bool) -> bytes:
        header = struct.pack("!BBHII", 0x80, (0x80 if marker else 0) | 0, self._seq & 0xFFFF,
                             self._ts & 0xFFFFFFFF, self._ssrc)
        self._seq += 1
        self._ts += 160
        return header + payload

    async def _send_loop(self) -> None:
        while self.ear.peer is None or self.ear.transport is None:
            await asyncio.sleep(0.01)  # livekit-sip's first packet tells us where it listens
        frames: list[bytes] = []
        pending: asyncio.Future[float] | None = None
        last_voiced = 0.0
        next_at = time.monotonic()
        while True:
            if not frames and pending is not None:
                pending.set_result(last_voiced)
                pending = None
            if not frames and not self._speech.empty():
                ulaw, pending = self._speech.get_nowait()
                frames = [ulaw[i:i + 160].ljust(160, b"\xff") for i in range(0, len(ulaw), 160)]
            payload = frames.pop(0) if frames else SILENCE_ULAW
            self.ear.transport.sendto(self._packet(payload, marker=False), self.ear.peer)
            samples = ULAW[np.frombuffer(payload, dtype=np.uint8)].astype(np.float64)
            if float(np.sqrt(np.mean(samples ** 2))) > self.loud_threshold:
                last_voiced = time.monotonic()
            next_at += 0.02
            await asyncio.sleep(max(0.0, next_at - time.monotonic()))


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
