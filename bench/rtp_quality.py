"""What the caller's earpiece says about audio quality (pure; unit tested): RTP packets lost
(gaps in the sequence numbers) and gaps in the greeting (packets arriving late, silent 20 ms
frames inside it)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

FRAME = 0.02  # livekit-sip sends one 20 ms G.711 frame per packet
LATE = 0.06  # an inter-arrival gap this long is 2+ frames missing or stalled


def unwrap(seqs: Sequence[int]) -> list[int]:
    """16-bit RTP sequence numbers extended across wrap-arounds (in arrival order; a packet
    reordered by less than half the range stays near its neighbours)."""
    out: list[int] = []
    for seq in seqs:
        if not out:
            out.append(seq)
            continue
        last = out[-1]
        delta = (seq - last) % 65536
        out.append(last + delta if delta < 32768 else last + delta - 65536)
    return out


def rtp_loss(seqs: Sequence[int]) -> tuple[int, int]:
    """(expected, lost) packets: expected from the first to the last sequence number,
    lost = expected minus the distinct numbers received (duplicates do not hide a loss)."""
    ext = unwrap(seqs)
    if not ext:
        return 0, 0
    expected = max(ext) - min(ext) + 1
    return expected, expected - len(set(ext))


@dataclass
class Greeting:
    seconds: float = 0.0  # first to last loud frame
    late_gaps: int = 0  # inter-arrival gaps > LATE
    late_ms: float = 0.0  # their length beyond one frame
    silent_ms: float = 0.0  # silent frames between the first and last loud one


def greeting_quality(arrivals: Sequence[float], loud: Sequence[float], start: float,
                     until: float) -> Greeting:
    """The greeting is what the caller heard from the first loud frame at `start` to the last
    loud frame before `until` (when the caller pressed a key). `arrivals`: every packet's
    arrival time; `loud`: the arrival times of the non-silent ones (both sorted)."""
    heard = [t for t in loud if start <= t <= until]
    if not heard:
        return Greeting()
    end = heard[-1]
    inside = [t for t in arrivals if start <= t <= end]
    result = Greeting(seconds=end - start)
    for a, b in zip(inside, inside[1:], strict=False):
        if b - a > LATE:
            result.late_gaps += 1
            result.late_ms += (b - a - FRAME) * 1000
    result.silent_ms = max(0, len(inside) - len(heard)) * FRAME * 1000
    return result
