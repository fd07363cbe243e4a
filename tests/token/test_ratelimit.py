"""The per-address token bucket, with a fake clock."""

from __future__ import annotations

from app.token.ratelimit import RateLimiter


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_burst_then_refill() -> None:
    clock = Clock()
    limiter = RateLimiter(30, clock=clock)  # 30 burst, one every 2 s
    assert all(limiter.hit("a") is None for _ in range(30))
    assert limiter.hit("a") == 2
    clock.now += 1.0
    assert limiter.hit("a") == 1
    clock.now += 1.0
    assert limiter.hit("a") is None
    assert limiter.hit("a") == 2


def test_addresses_are_independent() -> None:
    limiter = RateLimiter(1, clock=Clock())
    assert limiter.hit("a") is None
    assert limiter.hit("a") == 60
    assert limiter.hit("b") is None


def test_memory_stays_bounded() -> None:
    clock = Clock()
    limiter = RateLimiter(5, clock=clock, max_keys=100)
    for i in range(1000):
        limiter.hit(f"10.0.{i // 256}.{i % 256}")
    assert len(limiter._buckets) <= 100
