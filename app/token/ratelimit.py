"""Token-request limits per client address.

`RateLimiter`: an in-memory token bucket (each address may burst up to `per_minute`
requests, refilled continuously at `per_minute / 60` per second), state in the API process.
`SharedRateLimiter`: with REDIS_URL, one count per address and minute in Redis, so several
API processes enforce one limit together."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class _Bucket:
    tokens: float
    updated: float


class RateLimiter:
    def __init__(self, per_minute: int, *, clock: Callable[[], float] = time.monotonic,
                 max_keys: int = 10_000) -> None:
        if per_minute < 1:
            raise ValueError("per_minute must be at least 1")
        self.capacity = float(per_minute)
        self.rate = per_minute / 60.0  # tokens per second
        self._clock = clock
        self._max_keys = max_keys
        self._buckets: dict[str, _Bucket] = {}
        self._lock = threading.Lock()

    def hit(self, key: str) -> int | None:
        """Take one token for `key`: None if allowed, else whole seconds until one is free."""
        now = self._clock()
        with self._lock:
            bucket = self._buckets.get(key)
            if bucket is None:
                if len(self._buckets) >= self._max_keys:
                    self._forget_full(now)
                bucket = self._buckets[key] = _Bucket(self.capacity, now)
            else:
                bucket.tokens = min(self.capacity,
                                    bucket.tokens + (now - bucket.updated) * self.rate)
                bucket.updated = now
            if bucket.tokens >= 1.0:
                bucket.tokens -= 1.0
                return None
            return max(1, math.ceil((1.0 - bucket.tokens) / self.rate))

    def _forget_full(self, now: float) -> None:
        """Drop buckets that have refilled completely (they carry no state); if none have,
        drop the oldest half, so memory stays bounded under many addresses."""
        full = [k for k, b in self._buckets.items()
                if b.tokens + (now - b.updated) * self.rate >= self.capacity]
        for k in full:
            del self._buckets[k]
        if len(self._buckets) >= self._max_keys:
            oldest = sorted(self._buckets, key=lambda k: self._buckets[k].updated)
            for k in oldest[: len(oldest) // 2]:
                del self._buckets[k]


class SharedRateLimiter:
    """A fixed one-minute window per address, counted in Redis (INCR + EXPIRE in one
    round trip), shared by every API process that uses the same Redis."""

    def __init__(self, redis_url: str, per_minute: int, *,
                 clock: Callable[[], float] = time.time, prefix: str = "cc:token-rate") -> None:
        import redis

        if per_minute < 1:
            raise ValueError("per_minute must be at least 1")
        self.capacity = float(per_minute)
        self._redis = redis.Redis.from_url(redis_url, socket_timeout=2,
                                           socket_connect_timeout=2)
        self._clock = clock
        self._prefix = prefix

    def hit(self, key: str) -> int | None:
        now = self._clock()
        window = int(now // 60)
        name = f"{self._prefix}:{window}:{key}"
        pipe = self._redis.pipeline()
        pipe.incr(name)
        pipe.expire(name, 61)
        count, _ = pipe.execute()
        if count <= self.capacity:
            return None
        return max(1, math.ceil((window + 1) * 60 - now))
