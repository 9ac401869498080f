"""Idempotent creates: a create repeated with the same key gets the first one's answer.

A record is claimed, under a unique constraint, in the transaction of the create that
brings a new key, and completed with its answer before that transaction commits: the
answer and the rows it describes are committed together or not at all. Only successful
answers are kept; a create that fails rolls its claim back with everything else, so the
same key may be tried again (nothing was created the first time).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from supportdesk.auth.principal import Principal
from supportdesk.core import clock
from supportdesk.core.errors import IdempotencyKeyInUse, IdempotencyKeyReused
from supportdesk.repositories.idempotency import IdempotencyRepository, KeyStillHeld

# How long a key is remembered, from its first use.
REMEMBERED_FOR = timedelta(hours=24)
# How long a repeat waits for the first request with its key to finish (PostgreSQL).
WAIT_FOR_FIRST = timedelta(seconds=5)
# Seconds a repeat that waited in vain is told to wait before trying again.
RETRY_AFTER_SECONDS = 1
PURGE_BATCH = 1000


@dataclass(frozen=True, slots=True)
class StoredAnswer:
    status_code: int
    headers: dict[str, str]
    body: bytes


@dataclass(frozen=True, slots=True)
class Claimed:
    record_id: int


def credential_scope(principal: Principal) -> str | None:
    """Whose keys these are: the API key that sent the request, or the portal user behind
    a token (whose keys outlive a token refresh). The system has none."""
    if principal.api_key is not None:
        return f"api_key:{principal.api_key.id}"
    if principal.user is not None:
        return f"user:{principal.user.id}"
    return None


class IdempotencyService:
    def __init__(self, session: AsyncSession) -> None:
        self.records = IdempotencyRepository(session)

    async def claim(self, scope: str, key: str, fingerprint: str) -> Claimed | StoredAnswer:
        """Claim ``key`` for a new create, or the answer the first create with it got.

        The same key with another request is ``IdempotencyKeyReused``; a first request
        still running after ``WAIT_FOR_FIRST`` is ``IdempotencyKeyInUse``.
        """
        now = clock.now()
        try:
            record_id = await self.records.claim(
                scope, key, fingerprint, now, now + REMEMBERED_FOR, wait=WAIT_FOR_FIRST
            )
        except KeyStillHeld:
            raise IdempotencyKeyInUse(RETRY_AFTER_SECONDS) from None
        if record_id is not None:
            return Claimed(record_id)
        record = await self.records.find(scope, key)
        if record is None or record.status_code is None or record.response_body is None:
            # Purged or rolled back between the two statements: a moment's race.
            raise IdempotencyKeyInUse(RETRY_AFTER_SECONDS)
        if record.fingerprint != fingerprint:
            raise IdempotencyKeyReused()
        return StoredAnswer(
            record.status_code, dict(record.response_headers or {}), record.response_body
        )

    async def store(self, claimed: Claimed, answer: StoredAnswer) -> None:
        await self.records.complete(
            claimed.record_id, answer.status_code, answer.headers, answer.body
        )

    async def release(self, claimed: Claimed) -> None:
        """Give the key up: the request ended without an answer worth replaying."""
        await self.records.release(claimed.record_id)

    async def purge_expired(self, now: datetime) -> int:
        """Delete one batch of expired records; how many went."""
        return await self.records.delete_expired(now, PURGE_BATCH)
