"""The request counters behind the rate limits: in-process, and Redis when configured."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator

import pytest

from supportdesk.core.rate_limit import Limit, MemoryRateLimiter, RateLimiter, RedisRateLimiter
from tests.support import FrozenClock

REDIS_URL = os.environ.get("SUPPORTDESK_TEST_REDIS_URL", "")
# Redis is tested whenever the suite has one; the in-process counter always.
BACKENDS = ["memory", *(["redis"] if REDIS_URL else [])]


@pytest.fixture(params=BACKENDS)
async def limiter(request: pytest.FixtureRequest) -> AsyncIterator[RateLimiter]:
    if request.param == "memory":
        backend: RateLimiter = MemoryRateLimiter()
        yield backend
        await backend.aclose()
        return
    # A namespace of its own: runs sharing the Redis database never count together.
    # The counts expire on their own, a minute and a half after their window opens.
    redis_backend = RedisRateLimiter(REDIS_URL, namespace=f"supportdesk-test:{uuid.uuid4().hex}:")
    yield redis_backend
    await redis_backend.aclose()


async def test_requests_within_the_limit_are_allowed(
    limiter: RateLimiter, frozen_clock: FrozenClock
) -> None:
    quotas = [await limiter.hit("key:a", 3) for _ in range(3)]

    assert [q.allowed for q in quotas] == [True, True, True]
    assert [q.remaining for q in quotas] == [2, 1, 0]


async def test_the_request_past_the_limit_is_refused_until_the_minute_ends(
    limiter: RateLimiter, frozen_clock: FrozenClock
) -> None:
    frozen_clock.advance(seconds=15)  # 09:00:15
    for _ in range(3):
        await limiter.hit("key:a", 3)

    refused = await limiter.hit("key:a", 3)

    assert not refused.allowed
    assert refused.remaining == 0
    assert refused.retry_after == 45
    assert refused.reset_epoch == int(frozen_clock.current.timestamp()) + 45


async def test_a_new_minute_starts_a_new_count(
    limiter: RateLimiter, frozen_clock: FrozenClock
) -> None:
    for _ in range(4):
        await limiter.hit("key:a", 3)
    frozen_clock.advance(seconds=60)

    quota = await limiter.hit("key:a", 3)

    assert quota.allowed
    assert quota.remaining == 2


async def test_keys_are_counted_apart(limiter: RateLimiter, frozen_clock: FrozenClock) -> None:
    for _ in range(4):
        await limiter.hit("key:a", 3)

    assert (await limiter.hit("key:b", 3)).allowed


async def test_concurrent_requests_are_each_counted_once(
    limiter: RateLimiter, frozen_clock: FrozenClock
) -> None:
    quotas = await asyncio.gather(*(limiter.hit("key:a", 100) for _ in range(50)))

    assert sorted(q.remaining for q in quotas) == list(range(50, 100))


async def test_several_counts_are_kept_in_one_call(
    limiter: RateLimiter, frozen_clock: FrozenClock
) -> None:
    await limiter.hit("key:b", 5)

    first, second = await limiter.count([Limit("key:a", 3), Limit("key:b", 5)])

    assert (first.remaining, second.remaining) == (2, 3)


async def test_a_peek_reads_a_count_without_adding_to_it(
    limiter: RateLimiter, frozen_clock: FrozenClock
) -> None:
    for _ in range(2):
        await limiter.hit("failures:a", 2)

    hit, peeked = await limiter.count([Limit("key:a", 5)], [Limit("failures:a", 2)])
    again = await limiter.count([], [Limit("failures:a", 3)])

    assert hit.allowed
    # Reported as if this request were counted: two failures leave no room under two.
    assert not peeked.allowed
    assert again[0].allowed
    assert again[0].remaining == 0


async def test_without_redis_requests_are_counted_in_process(frozen_clock: FrozenClock) -> None:
    # Nothing listens on port 1: every call to Redis fails at once.
    limiter = RedisRateLimiter("redis://127.0.0.1:1/0")
    try:
        quotas = [await limiter.hit("key:a", 2) for _ in range(3)]
    finally:
        await limiter.aclose()

    assert [q.allowed for q in quotas] == [True, True, False]
