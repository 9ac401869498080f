"""Request counting per minute, in Redis when it is configured and in the process otherwise.

A fixed window per minute of SupportDesk's clock: every key counts its requests in the
current minute and starts again at the next. The Redis backend increments and sets the
expiry in one Lua script, so every server process shares one atomic count; the
in-process backend counts for its own process only.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple, Protocol

from supportdesk.core import clock

if TYPE_CHECKING:
    from redis.asyncio import Redis

log = logging.getLogger(__name__)

WINDOW_SECONDS = 60
DEFAULT_NAMESPACE = "supportdesk:rate-limit:"
# Redis keeps a window's count a little past its end: a server whose clock runs a few
# seconds behind still finds the count of the window it thinks is current.
_EXPIRY_MARGIN_SECONDS = 30
# How long Redis may take before a request goes ahead on the in-process count instead.
_REDIS_TIMEOUT_SECONDS = 0.5
# How long requests are counted in-process after Redis failed, before it is tried again.
_REDIS_RETRY_SECONDS = 5.0

# Count a request against the first ARGV[2] keys (each gets its lifetime when its window
# opens) and read the others as they stand; one round trip, atomic.
_COUNT_SCRIPT = """
local hits = tonumber(ARGV[2])
local counts = {}
for i, key in ipairs(KEYS) do
    if i <= hits then
        counts[i] = redis.call('INCR', key)
        if counts[i] == 1 then
            redis.call('EXPIRE', key, ARGV[1])
        end
    else
        counts[i] = tonumber(redis.call('GET', key) or '0')
    end
end
return counts
"""


class Limit(NamedTuple):
    key: str
    per_minute: int


@dataclass(frozen=True, slots=True)
class Quota:
    """Where one key stands after a request was counted."""

    limit: int
    count: int
    reset_at: float  # when the window ends, seconds since the epoch
    now: float

    @property
    def allowed(self) -> bool:
        return self.count <= self.limit

    @property
    def remaining(self) -> int:
        return max(0, self.limit - self.count)

    @property
    def reset_epoch(self) -> int:
        return math.ceil(self.reset_at)

    @property
    def retry_after(self) -> int:
        """Whole seconds until the window ends (at least one)."""
        return max(1, math.ceil(self.reset_at - self.now))


class RateLimiter(Protocol):
    async def count(self, hits: Sequence[Limit], peeks: Sequence[Limit] = ()) -> list[Quota]:
        """Count one request against each of ``hits``; read ``peeks`` without counting.

        The quotas come in order, hits then peeks. A peek reports what a hit would
        report (its count as if this request were counted), so it is refused alike.
        """

    async def hit(self, key: str, limit: int) -> Quota:
        """Count one request for ``key`` and say whether it stays within ``limit``."""

    async def aclose(self) -> None: ...


def _window(now: float) -> int:
    return int(now // WINDOW_SECONDS)


def _quota(limit: int, count: int, window: int, now: float) -> Quota:
    return Quota(limit=limit, count=count, reset_at=(window + 1) * WINDOW_SECONDS, now=now)


def _quotas(
    hits: Sequence[Limit], peeks: Sequence[Limit], counts: Sequence[int], window: int, now: float
) -> list[Quota]:
    limits = [*hits, *peeks]
    # A peeked count is reported as if this request had been counted too.
    return [
        _quota(limit.per_minute, count + (0 if i < len(hits) else 1), window, now)
        for i, (limit, count) in enumerate(zip(limits, counts, strict=True))
    ]


class _Counter:
    async def count(self, hits: Sequence[Limit], peeks: Sequence[Limit] = ()) -> list[Quota]:
        raise NotImplementedError

    async def hit(self, key: str, limit: int) -> Quota:
        return (await self.count([Limit(key, limit)]))[0]


class MemoryRateLimiter(_Counter):
    """Counts in this process's memory.

    The event loop runs one request's code at a time and nothing here awaits between
    reading and writing a count, so no lock is needed.
    """

    def __init__(self) -> None:
        self._counts: dict[str, tuple[int, int]] = {}  # key -> (window, count)
        self._pruned_window = 0

    async def count(self, hits: Sequence[Limit], peeks: Sequence[Limit] = ()) -> list[Quota]:
        now = clock.now().timestamp()
        window = _window(now)
        if window != self._pruned_window:
            # Once per window: the counts of past windows will never be read again.
            self._counts = {k: v for k, v in self._counts.items() if v[0] >= window}
            self._pruned_window = window
        counts = []
        for key, _ in hits:
            count = self._current(key, window) + 1
            self._counts[key] = (window, count)
            counts.append(count)
        counts.extend(self._current(key, window) for key, _ in peeks)
        return _quotas(hits, peeks, counts, window, now)

    def _current(self, key: str, window: int) -> int:
        counted_window, count = self._counts.get(key, (window, 0))
        return count if counted_window == window else 0

    async def aclose(self) -> None:
        self._counts.clear()


class RedisRateLimiter(_Counter):
    """Counts in Redis, shared by every server process.

    If Redis cannot be reached, requests are counted in this process until it answers
    again: limits keep holding, per process, and no request fails because of Redis. After
    a failure Redis is left alone for a few seconds, so requests do not each wait for it.
    """

    def __init__(self, url: str, *, namespace: str = DEFAULT_NAMESPACE) -> None:
        from redis.asyncio import Redis

        self.namespace = namespace
        self._redis: Redis = Redis.from_url(
            url,
            socket_connect_timeout=_REDIS_TIMEOUT_SECONDS,
            socket_timeout=_REDIS_TIMEOUT_SECONDS,
        )
        self._script = self._redis.register_script(_COUNT_SCRIPT)
        self._fallback = MemoryRateLimiter()
        self._unreachable_until = 0.0  # time.monotonic(): real time, whatever the clock

    async def count(self, hits: Sequence[Limit], peeks: Sequence[Limit] = ()) -> list[Quota]:
        from redis.exceptions import RedisError

        now = clock.now().timestamp()
        window = _window(now)
        if time.monotonic() < self._unreachable_until:
            return await self._fallback.count(hits, peeks)
        keys = [f"{self.namespace}{key}:{window}" for key, _ in (*hits, *peeks)]
        try:
            counts = await self._script(
                keys=keys, args=[WINDOW_SECONDS + _EXPIRY_MARGIN_SECONDS, len(hits)]
            )
        except (RedisError, OSError) as exc:
            self._unreachable_until = time.monotonic() + _REDIS_RETRY_SECONDS
            log.warning("rate limits counted in-process for a while: Redis unreachable: %s", exc)
            return await self._fallback.count(hits, peeks)
        return _quotas(hits, peeks, [int(count) for count in counts], window, now)

    async def aclose(self) -> None:
        await self._redis.aclose()


def build_rate_limiter(redis_url: str, *, namespace: str = DEFAULT_NAMESPACE) -> RateLimiter:
    """Redis-backed when a Redis URL is configured, in-process otherwise."""
    if redis_url:
        return RedisRateLimiter(redis_url, namespace=namespace)
    return MemoryRateLimiter()
